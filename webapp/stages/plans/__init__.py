"""Plans (抽查工作方案): departments, items, windows; eligibility; the working-day calendar in force."""
