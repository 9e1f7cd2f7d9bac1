"""Words the demo generator draws from: occupations (``occupations.yaml``), names, company
words, place centres.

Figures here are for plausible demo data only; nothing in scoring reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class JobFamily:
    title: str
    duties: tuple[str, ...]
    skills: tuple[str, ...]  # certificates or skills a non-love post may require
    monthly: tuple[int, int]  # monthly wage range, yuan (Hunan county level, 2025)
    hourly: tuple[int, int]
    daily: tuple[int, int]
    piece: tuple[str, str] | None = None  # yuan per piece, as strings (fen precision)
    disabled_suitable: bool = False
    public_welfare: bool = False  # typical of 公益性岗位 (000 §8)
    love: bool = False  # often offered as 爱心岗位 (000 §2)
    sector: str = ""  # a key of SECTORS: the trades that post it, its shifts and perks
    weight: int = 1  # how often boards post it, relative to the others
    gig: bool = True  # posted as 零工 (by the hour or the day) too


@dataclass(frozen=True)
class Sector:
    trades: tuple[str, ...]  # employer trades (the end of a company name) that post its jobs
    shifts: tuple[str, ...]  # full-time hours as boards write them
    perks: tuple[str, ...]
    ages: tuple[int, ...]  # upper age limits its posts state


def _family(row: dict[str, Any]) -> JobFamily:
    return JobFamily(
        title=row["title"],
        duties=tuple(row["duties"]),
        skills=tuple(row["skills"]),
        monthly=(row["monthly"][0], row["monthly"][1]),
        hourly=(row["hourly"][0], row["hourly"][1]),
        daily=(row["daily"][0], row["daily"][1]),
        piece=(row["piece"][0], row["piece"][1]) if row.get("piece") else None,
        disabled_suitable=row.get("disabled", False),
        public_welfare=row.get("public_welfare", False),
        love=row.get("love", False),
        sector=row["sector"],
        weight=row.get("weight", 1),
        gig=row.get("gig", True),
    )


_TABLE = yaml.safe_load(resources.files("demo").joinpath("occupations.yaml").read_text(encoding="utf-8"))
FAMILIES: tuple[JobFamily, ...] = tuple(_family(row) for row in _TABLE["families"])
SECTORS: dict[str, Sector] = {
    name: Sector(tuple(s["trades"]), tuple(s["shifts"]), tuple(s["perks"]), tuple(s["ages"]))
    for name, s in _TABLE["sectors"].items()
}
SCHEDULE_WORDS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _TABLE["schedule_words"].items()}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN_MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
GIVEN_FEMALE = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿翠烟"
COMPANY_WORDS = (
    "湘江",
    "洞庭",
    "岳麓",
    "芙蓉",
    "潇湘",
    "星城",
    "南岭",
    "雪峰",
    "武陵",
    "衡山",
    "楚天",
    "三湘",
    "新康",
    "恒达",
    "万家",
    "顺丰",
    "宏远",
    "福临",
    "佳美",
    "安居",
    "鑫盛",
    "瑞丰",
    "金穗",
    "和美",
    "兴旺",
    "长青",
    "惠民",
    "乐业",
    "同心",
    "益农",
)
COMPANY_TRADES: tuple[str, ...] = (
    "物业服务有限公司",
    "家政服务有限公司",
    "养老服务中心",
    "物流有限公司",
    "餐饮管理有限公司",
    "保安服务有限公司",
    "园林绿化工程有限公司",
    "农业开发有限公司",
    "商贸有限公司",
    "环境卫生服务有限公司",
    "供应链管理有限公司",
    "手工艺品有限公司",
)
# And every trade a sector names, so that each sector has employers of its own.
COMPANY_TRADES += tuple(dict.fromkeys(t for s in SECTORS.values() for t in s.trades if t not in COMPANY_TRADES))
# How often each trade registers as an employer: its sectors' share of the posts, split among their trades.
TRADE_WEIGHTS: tuple[float, ...] = tuple(
    sum(
        sum(f.weight for f in FAMILIES if f.sector == name) / len(sector.trades)
        for name, sector in SECTORS.items()
        if trade in sector.trades
    )
    for trade in COMPANY_TRADES
)
AGENCY_TRADES = ("人力资源服务有限公司", "人力资源开发有限公司", "劳务派遣有限公司", "职业介绍所有限公司")
STREET_WORDS = ("人民路", "解放路", "建设路", "五一路", "韶山路", "中山路", "迎宾路", "车站路", "湘江路", "新华路")
EDUCATION = (("小学", 18), ("初中", 42), ("高中", 20), ("中专", 10), ("大专", 7), ("本科", 3))

# Approximate city centres (lat, lon) for demo coordinates; counties are jittered around them.
CITY_CENTRES: dict[str, tuple[float, float]] = {
    "4301": (28.23, 112.94),
    "4302": (27.83, 113.13),
    "4303": (27.83, 112.94),
    "4304": (26.89, 112.57),
    "4305": (27.24, 111.47),
    "4306": (29.36, 113.13),
    "4307": (29.03, 111.70),
    "4308": (29.12, 110.48),
    "4309": (28.55, 112.36),
    "4310": (25.77, 113.01),
    "4311": (26.42, 111.61),
    "4312": (27.55, 110.00),
    "4313": (27.70, 111.99),
    "4331": (28.31, 109.74),
    "3304": (30.75, 120.76),
    "3702": (36.07, 120.38),
    "4401": (23.13, 113.26),
    "4403": (22.54, 114.06),
}
# Employers per county against persons per county: the provincial capital holds more than its share.
EMPLOYER_CITIES = {"4301": 3.0}
# Share of demo records outside Hunan: the seeds also cite Jiaxing (003), Qingdao and Guangdong (001).
OUTSIDE_HUNAN = {"3304": 0.04, "3702": 0.03, "4401": 0.02, "4403": 0.02}
