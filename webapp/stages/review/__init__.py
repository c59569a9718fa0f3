"""Review (审核): each department's reviewer approves or returns; the team's 补充说明; inspectors' feedback."""
