"""The roles of the regime (docs/regime.md §Roles). The public has no account and no role row."""

OFFICE_ADMIN = "office_admin"
DEPT_ADMIN = "dept_admin"
INSPECTOR = "inspector"
EXPERT = "expert"
REVIEWER = "reviewer"
PUBLIC = "public"

LABELS = {
    OFFICE_ADMIN: "双随机办",
    DEPT_ADMIN: "部门管理员",
    INSPECTOR: "执法人员",
    EXPERT: "专业人员",
    REVIEWER: "审核人",
    PUBLIC: "公众/企业",
}

# Roles a user account can hold; PUBLIC is whoever is not signed in.
ACCOUNT_ROLES = (OFFICE_ADMIN, DEPT_ADMIN, INSPECTOR, EXPERT, REVIEWER)

# Roles that act for one department and therefore need one.
DEPARTMENT_ROLES = (DEPT_ADMIN, INSPECTOR, EXPERT, REVIEWER)
