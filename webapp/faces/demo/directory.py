"""A realistic, reproducible directory of training institutions and an inspector roster for 莲池区.

Everything comes from a seeded generator so that the demo is the same on every machine.
"""
import random
from datetime import date, timedelta

from webapp.domain import risk, uscc

DISTRICT = "130606"  # 河北省保定市莲池区

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鑫斌宇浩凯健俊帆帅旭宁瑶婷雪慧颖琳晨阳博文晓东海峰志明建国丹丹"
BRANDS = ["启航", "博学", "新东方", "学而思", "金太阳", "童心", "智慧树", "小书虫", "英才", "明德", "博雅", "卓越",
          "育才", "思源", "星火", "春雨", "晨曦", "乐思", "知行", "鸿儒", "墨香", "翰林", "彩虹", "阳光", "天才宝贝",
          "七彩", "未来星", "青蓝", "弘毅", "致远", "书香", "雅韵", "跃动", "飞扬", "悦享", "蓝天", "绿洲", "鲲鹏"]
KINDS = ["艺术培训学校", "体育培训中心", "科技培训学校", "书法培训学校", "舞蹈培训中心", "美术培训学校",
         "音乐培训学校", "文化艺术培训学校", "职业技能培训学校", "游泳培训中心", "跆拳道培训中心", "编程培训中心",
         "口才培训学校", "围棋培训中心"]
COMPANY_KINDS = ["教育科技有限公司", "文化传播有限公司", "体育文化发展有限公司", "教育咨询有限公司"]
STREETS = ["裕华西路", "裕华东路", "东风中路", "东风东路", "五四中路", "五四东路", "七一东路", "七一中路", "长城南大街",
           "长城北大街", "永华南大街", "东关大街", "乐凯南大街", "天威中路", "向阳南大街", "恒祥南大街", "建华南大街",
           "莲池南大街", "复兴中路", "韩庄路", "南二环路", "百花东路", "中华路", "朝阳南大街", "红旗南大街"]
BUILDINGS = ["商务中心", "国际大厦", "时代广场", "万博广场", "华创大厦", "莲池商厦", "东湖商业街", "尚都大厦", "金茂大厦"]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _uscc(rng, civil_affairs: bool) -> str:
    # 52 = 民办非企业单位 registered with civil affairs; 91 = enterprise registered with market regulation.
    head = "52" if civil_affairs else "91"
    organisation = "".join(rng.choice(uscc.CHARSET[:10] + "MA") for _ in range(9))
    return uscc.complete(head + DISTRICT + organisation)


def entities(n: int = 300, seed: int = 2023) -> list[dict]:
    """Training institutions; most eligible for the 2023 plan, some excluded for each of the plan's reasons."""
    rng = random.Random(seed)
    levels = [risk.HIGH] * 12 + [risk.HIGHER] * 40 + [risk.GENERAL] * 140 + [risk.LOW] * 108
    rng.shuffle(levels)
    seen, names, out = set(), set(), []
    for i in range(n):
        civil_affairs = rng.random() < 0.6
        code = _uscc(rng, civil_affairs)
        while code in seen:
            code = _uscc(rng, civil_affairs)
        seen.add(code)
        registered = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 11 * 365 + 120))  # to mid-2023
        years = [y for y in range(registered.year, 2026) if y > registered.year or registered.month < 7]
        status = "合格"
        category = "校外培训机构"
        # A few of each kind of ineligible entity, spread through the directory.
        reason = i % 25
        if reason == 3:  # registered on or after the plan's date
            registered = date(2023, 6, 1) + timedelta(days=rng.randrange(0, 600))
            years = [y for y in range(registered.year + 1, 2026)]
        elif reason == 7:  # 2022 annual report not filed
            years = [y for y in years if y != 2022]
        elif reason == 11:  # not in good standing
            status = rng.choice(["注销", "吊销", "迁出", "不合格"])
        elif reason == 19:  # not a training institution
            category = rng.choice(["幼儿园", "托育机构"])
        # Registered names are unique in a district, and none is a branch of another.
        name = None
        while name is None or name in names:
            name = f"保定市莲池区{rng.choice(BRANDS)}{rng.choice(KINDS if civil_affairs else COMPANY_KINDS)}"
        names.add(name)
        out.append({
            "uscc": code,
            "name": name,
            "legal_rep": _name(rng),
            "address": f"河北省保定市莲池区{rng.choice(STREETS)}{rng.randrange(1, 3000)}号"
                       f"{rng.choice(BUILDINGS)}{rng.randrange(1, 25)}层",
            "registered_on": registered,
            "annual_report_years": ",".join(str(y) for y in years),
            "status": status,
            "risk_level": levels[i % len(levels)],
            "category": category,
            "phone": f"0312-{rng.randrange(2000000, 8999999)}",
        })
    return out


# department code -> (number of inspectors, qualification of some of them)
ROSTER = {"jiaoti": (14, "体育专业"), "renshe": (9, "劳动保障监察"), "weijian": (7, "卫生监督")}


def inspectors(seed: int = 2023) -> list[dict]:
    """About 30 inspectors with certificate numbers; a few experts, one on leave, one with an expired card."""
    rng = random.Random(seed)
    out, serial = [], 0
    for dept_no, (dept, (count, qualification)) in enumerate(ROSTER.items(), start=1):
        for j in range(count):
            serial += 1
            expert = j >= count - 2  # the last two of each department are experts (专业人员)
            quals = [qualification] if (expert or j % 3 == 0) else []
            valid_to = date(2028, 12, 31)
            if dept == "jiaoti" and j == 5:
                valid_to = date(2024, 12, 31)  # expired certificate: never drawn for a current plan
            out.append({
                "name": _name(rng),
                "department": dept,
                "certificate_no": f"{DISTRICT}{dept_no:02d}{serial:04d}",  # ASCII: the draw hashes it
                "valid_from": date(2021, 1, 1),
                "valid_to": valid_to,
                "phone": f"1{rng.choice('3578')}{rng.randrange(100000000, 999999999)}",
                "qualifications": quals,
                "is_expert": expert,
                "status": "on_leave" if (dept == "renshe" and j == 2) else "active",
            })
    return out
