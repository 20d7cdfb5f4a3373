"""Demo data of the responsibility app: the 18 villages and communities, and 37 units.

The villages are Chashan's real ones, in the order of the public listing; their heads and
phones are invented. The 37 units that sign letters with the town are not public: the names
below are plausible inventions (town departments and key enterprises), all marked ``is_demo``.
"""

from __future__ import annotations

from chashan_safety.demo import Tally, upsert
from responsibility.models import Unit, Village

COMMUNITY = Village.Kind.COMMUNITY
VILLAGE = Village.Kind.VILLAGE

# name, kind, head (invented), phone (invented)
VILLAGES = [
    ("茶山圩社区", COMMUNITY, "钟锦华", "0769-86641231"),
    ("茶溪社区", COMMUNITY, "何丽萍", "0769-86642275"),
    ("上元村", VILLAGE, "袁志坚", "0769-86643018"),
    ("茶山村", VILLAGE, "黎永康", "0769-86644102"),
    ("下朗村", VILLAGE, "叶汉明", "0769-86645336"),
    ("横江村", VILLAGE, "袁国强", "0769-86646419"),
    ("卢边村", VILLAGE, "卢秋生", "0769-86647523"),
    ("寒溪水村", VILLAGE, "李锦泉", "0769-86648647"),
    ("增埗村", VILLAGE, "卢伟林", "0769-86649781"),
    ("南社村", VILLAGE, "谢耀祖", "0769-86650824"),
    ("塘角村", VILLAGE, "陈润开", "0769-86651968"),
    ("京山村", VILLAGE, "刘建雄", "0769-86652093"),
    ("博头村", VILLAGE, "袁炳辉", "0769-86653147"),
    ("冲美村", VILLAGE, "王嘉荣", "0769-86654280"),
    ("粟边村", VILLAGE, "黄德胜", "0769-86655314"),
    ("刘黄村", VILLAGE, "刘锡权", "0769-86656458"),
    ("孙屋村", VILLAGE, "孙伟雄", "0769-86657592"),
    ("超朗村", VILLAGE, "罗惠芳", "0769-86658615"),
]

DEPARTMENT = Unit.Kind.DEPARTMENT
ENTERPRISE = Unit.Kind.ENTERPRISE

# name, kind, industries supervised (管行业必须管安全), head (invented), phone (invented)
UNITS = [
    # town departments (22)
    ("应急管理分局", DEPARTMENT, "安全生产综合监管,危险化学品,工贸,三防", "邓永辉", "0769-86641101"),
    ("经济发展局", DEPARTMENT, "工业企业,商贸流通,电力", "方志明", "0769-86641206"),
    ("综合行政执法办", DEPARTMENT, "违章搭建,户外广告,燃气执法", "邱俊杰", "0769-86641312"),
    ("公共服务办", DEPARTMENT, "养老机构,社会福利机构,殡葬", "黎秀芳", "0769-86641425"),
    ("自然资源分局", DEPARTMENT, "地质灾害,土地矿产", "莫建国", "0769-86641537"),
    ("生态环境分局", DEPARTMENT, "生态环境,危险废物,辐射安全", "张海燕", "0769-86641648"),
    ("规划建设办", DEPARTMENT, "建筑施工,房屋安全,城镇燃气", "钟伟强", "0769-86641759"),
    ("市场监督管理分局", DEPARTMENT, "特种设备,食品,药品,工业产品质量", "杨慧玲", "0769-86641863"),
    ("公安分局", DEPARTMENT, "道路交通,治安,民用爆炸物品,寄递物流", "冯国辉", "0769-86641110"),
    ("消防救援大队", DEPARTMENT, "消防,人员密集场所", "郭振宇", "0769-86641119"),
    ("交警中队", DEPARTMENT, "道路交通", "简文彬", "0769-86641122"),
    ("教育管理中心", DEPARTMENT, "校园安全,校车,校外培训机构", "刘婉清", "0769-86641974"),
    ("卫生健康办", DEPARTMENT, "医疗机构,职业健康", "梁嘉欣", "0769-86642081"),
    ("文化广电旅游体育办", DEPARTMENT, "旅游,文化娱乐场所,体育场馆,大型活动", "谢晓东", "0769-86642193"),
    ("党政综合办", DEPARTMENT, "安全生产宣传,值班值守,机关安全", "袁美华", "0769-86642205"),
    ("财政分局", DEPARTMENT, "安全生产经费保障", "朱丽娟", "0769-86642316"),
    ("交通运输所", DEPARTMENT, "道路运输,公路桥梁,客运站场", "曾广源", "0769-86642428"),
    ("农林水务中心", DEPARTMENT, "农业机械,水利工程,渔业", "卢家豪", "0769-86642539"),
    ("人力资源和社会保障分局", DEPARTMENT, "劳动用工,职业技能培训", "陈秀梅", "0769-86642641"),
    ("社会治理中心", DEPARTMENT, "出租屋,三小场所,群租房", "黄俊彦", "0769-86642752"),
    ("城市更新中心", DEPARTMENT, "城市更新项目,拆除工程", "何立新", "0769-86642864"),
    ("市政管理中心", DEPARTMENT, "市政设施,供排水,市政道路", "叶志伟", "0769-86642975"),
    # key enterprises (15)
    ("茶山镇燃气有限公司", ENTERPRISE, "城镇燃气", "李振华", "0769-86653300"),
    ("茶山供电所", ENTERPRISE, "电力", "邓国平", "0769-86653411"),
    ("茶山镇自来水有限公司", ENTERPRISE, "供水", "袁伟光", "0769-86653522"),
    ("茶山镇公共汽车有限公司", ENTERPRISE, "公交客运,道路运输", "黎志刚", "0769-86653633"),
    ("茶山汽车客运站", ENTERPRISE, "客运站场", "莫少华", "0769-86653744"),
    ("东莞市茶山化工原料有限公司", ENTERPRISE, "危险化学品", "钟家明", "0769-86653855"),
    ("东莞市茶山石油有限公司", ENTERPRISE, "成品油,加油站", "方锦荣", "0769-86653966"),
    ("茶山食品工业园管理有限公司", ENTERPRISE, "食品,工贸", "孙丽华", "0769-86654077"),
    ("东莞市茶园食品有限公司", ENTERPRISE, "食品", "卢卓文", "0769-86654188"),
    ("东莞市茶山精密五金制品有限公司", ENTERPRISE, "工贸,金属加工", "王伟成", "0769-86654299"),
    ("茶山建筑工程有限公司", ENTERPRISE, "建筑施工", "刘志勇", "0769-86654301"),
    ("茶山物流园有限公司", ENTERPRISE, "仓储物流", "谢文辉", "0769-86654412"),
    ("茶山镇农产品批发市场有限公司", ENTERPRISE, "市场,食品", "黄桂英", "0769-86654523"),
    ("茶山商业广场有限公司", ENTERPRISE, "人员密集场所,消防", "陈浩然", "0769-86654634"),
    ("东莞市南社古村落旅游发展有限公司", ENTERPRISE, "旅游", "谢嘉宝", "0769-86654745"),
]


# invented street addresses for the units
ROADS = ["茶山大道", "莞樟路", "东岳路", "彩虹路", "环湖路", "文化路", "茶溪路"]


def _village_address(name: str, kind: str) -> str:
    committee = "居民委员会" if kind == COMMUNITY else "村民委员会"
    return f"东莞市茶山镇{name}{committee}"


def load(stdout=None) -> None:
    villages, units = Tally(), Tally()
    for order, (name, kind, head, phone) in enumerate(VILLAGES, start=1):
        _, outcome = upsert(
            Village,
            {"name": name},
            {"kind": kind, "head": head, "phone": phone, "address": _village_address(name, kind), "order": order},
        )
        villages.add(outcome)
    for number, (name, kind, industries, head, phone) in enumerate(UNITS, start=1):
        _, outcome = upsert(
            Unit,
            {"name": name},
            {
                "kind": kind,
                "industries": industries,
                "head": head,
                "phone": phone,
                "address": f"东莞市茶山镇{ROADS[number % len(ROADS)]}{number * 12 + 3}号",
                "is_demo": True,
            },
        )
        units.add(outcome)
    if stdout is not None:
        stdout.write(f"responsibility: {len(VILLAGES)} villages ({villages}), {len(UNITS)} demo units ({units})")
