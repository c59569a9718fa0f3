"""Planning imports of the inspector roster (执法检查人员名录库) and of conflicts of interest (回避): their specs for
the planner in `domain.imports` (the object directory's spec lives there)."""
from webapp.domain import normalise as n
from webapp.domain.imports import Column, Spec, _iso, _text, _uscc

# --- the inspector roster ------------------------------------------------------------------------------------------

def inspector_spec(departments: dict[str, int], scope: int | None = None, scope_name: str = "") -> Spec:
    """The 执法检查人员名录库. `departments`: name or code → id. `scope`: a department admin's own department."""
    lookup_names = {n.header_key(k): v for k, v in departments.items()}

    def department(value):
        text = n.clean_text(value)
        if not text:
            return None
        if n.header_key(text) in lookup_names:
            return lookup_names[n.header_key(text)]
        raise ValueError(f"部门不存在：{text}")

    def validate(values):
        errors = []
        if not values.get("certificate_no"):
            errors.append("缺少执法证号")
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
            errors.append("有效期止早于有效期起")
        if scope is not None:
            if values.get("department_id") is None:
                values["department_id"] = scope
            elif values["department_id"] != scope:
                errors.append(f"只能导入本部门（{scope_name}）的人员")
        return errors

    def validate_against(values, current):
        if scope is not None and current is not None and current.get("department_id") != scope:
            return ["该执法证号属于其他部门的人员，本部门不能修改"]
        return []

    return Spec(
        kind="inspectors",
        label="执法检查人员名录",
        columns=(
            Column("certificate_no", "执法证号", ("执法证编号", "证件号", "证号", "执法证件号", "行政执法证号",
                                              "执法证件编号"), n.parse_certificate, required=True),
            Column("name", "姓名", ("人员姓名", "执法人员", "执法人员姓名"), _text(64), required=True),
            Column("department_id", "所属部门", ("部门", "单位", "所在单位", "执法部门", "所在部门"), department,
                   required=scope is None),
            Column("valid_from", "有效期起", ("发证日期", "有效期自", "有效起始日期", "起始日期"), _iso),
            Column("valid_to", "有效期止", ("有效期至", "有效期", "截止日期", "有效截止日期", "到期日期"), _iso),
            Column("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式"), n.parse_phone),
            Column("qualifications", "专业资质", ("资质", "专业", "执法领域", "专业领域", "资格"),
                   lambda v: list(n.parse_list(v)) or None),
            Column("is_expert", "专业人员", ("是否专家", "是否专业人员", "专家"), n.parse_bool),
            Column("status", "人员状态", ("状态", "在岗状态"), n.parse_inspector_status),
        ),
        required_values=("name", "department_id"),
        key=lambda values: values.get("certificate_no") or None,
        key_label="执法证号",
        key_fields=("certificate_no",),
        validate=validate,
        validate_against=validate_against,
    )


# --- conflicts of interest -------------------------------------------------------------------------------------

def conflict_key(certificate_no: str, code: str) -> str:
    return f"{certificate_no}|{code}"


def conflict_spec(scope: int | None = None) -> Spec:
    """回避 declarations: an inspector (by 执法证号) must not inspect an entity (by USCC), for a reason."""

    def validate(values):
        errors = []
        if not values.get("certificate_no"):
            errors.append("缺少执法证号")
        if not values.get("uscc"):
            errors.append("缺少统一社会信用代码")
        return errors

    def validate_against(values, current):
        current = current or {}
        errors = []
        if not current.get("_inspector"):
            errors.append("执法证号不在执法人员名录库中")
        elif scope is not None and current.get("_department_id") != scope:
            errors.append("只能为本部门的执法人员登记回避")
        if not current.get("_entity"):
            errors.append("统一社会信用代码不在检查对象名录库中")
        return errors

    return Spec(
        kind="conflicts",
        label="回避关系",
        columns=(
            Column("certificate_no", "执法证号", ("执法证编号", "证号", "执法证件号"), n.parse_certificate, required=True),
            Column("uscc", "统一社会信用代码", ("社会信用代码", "信用代码", "uscc"), _uscc, required=True),
            Column("reason", "回避原因", ("原因", "理由", "回避理由", "关系说明"), _text(300), required=True),
            # For the reader of the file only: never compared or stored.
            Column("_inspector_name", "姓名", ("执法人员", "人员姓名"), _text(64)),
            Column("_entity_name", "机构名称", ("企业名称", "单位名称", "名称"), _text(200)),
        ),
        required_values=("reason",),
        key=lambda v: conflict_key(v["certificate_no"], v["uscc"]) if v.get("certificate_no") and v.get("uscc") else None,
        key_label="执法证号和统一社会信用代码",
        key_fields=("certificate_no", "uscc"),
        validate=validate,
        validate_against=validate_against,
    )

