"""The department admins' pages: the directories (roster, items, and the imports), confirming the drawn list and
appointing experts, inspectors' credentials, and follow-up tasks."""
