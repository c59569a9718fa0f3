"""The 2023 Lianchi plan exactly as the seed document (保莲双随机办[2023]10号) states it, as data.

Item titles are verbatim; the check points under each are written for 校外培训机构 so that an inspector has
something concrete to tick on site.
"""
import json
from datetime import date
from pathlib import Path

PLAN = {
    "doc_number": "保莲双随机办[2023]10号",
    "title": "保定市莲池区教体局 2023年部门联合“双随机”抽查工作方案",
    "issuer": "保定市莲池区“双随机一公开”监管工作领导小组办公室",
    "issued_on": date(2023, 6, 1),
    "based_on": "保莲双随机办〔2023〕4号",
    "contact_name": "白冬",
    "contact_phone": "5078771",
    "window_start": date(2023, 6, 1),
    "window_end": date(2023, 8, 31),
    "category": "校外培训机构",
    "registered_before": date(2023, 6, 1),
    "annual_report_year": 2022,
    "statuses": ["合格"],
    "ratio_high": 100,
    "ratio_higher": 80,
    "ratio_general": 50,
    "ratio_low": 20,
    "floor_percent": 5,
}

LEAD = "jiaoti"

# (code, name, team size on site); the lead department first. At least 2 people on site in total.
DEPARTMENTS = [
    ("jiaoti", "莲池区教育和体育局", 2),
    ("renshe", "莲池区人社局", 1),
    ("weijian", "莲池区卫健局", 1),
]

# department code -> [(item title verbatim, methods, required qualification, legal basis, [check points])], from
# items2023.json (beside this file).
ITEMS = {code: [(i["title"], i["methods"], i["qualification"], i["legal_basis"], i["check_points"]) for i in items]
         for code, items in json.loads((Path(__file__).parent / "items2023.json").read_text("utf-8")).items()}
