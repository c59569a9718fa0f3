"""报表: the 一企一表 as a printable document and a PDF, the XLSX exports of a plan, and the dashboard with
inspectors' feedback (信息反馈)."""
