"""Synthetic demo data (合成演示数据): a whole district (or the whole city) of budget projects,
monthly spending, performance indicators with monthly actuals, costs, rectifications and
self-evaluations over three years (DEMO_YEAR − 2 … DEMO_YEAR: the three completed years PEFA
rates), and next year's budget requests (预算申请, REQUEST_YEAR), written straight into the
DuckDB tables.

    from perfbudget.demo import build_demo, DEMO_YEAR
    summary = build_demo(conn, scale="district", seed=20251231)   # {table: row count}

Everything is drawn from one `numpy.random.default_rng(seed)` and built column-wise in numpy
(no per-row Python), handed to DuckDB as Arrow tables (dictionary-encoded strings, exact
decimals built from integer fen), and inserted in one transaction. Same seed and scale give
byte-identical tables. The data is labelled synthetic: meta.is_synthetic = 'true', district
names carry （合成数据）/（合成）, and the import batch is "demo (synthetic)".

The draws are shaped so every warning rule of docs/figures.md#warning-rules has cases to show: slow spenders
(large ones with a gap ≤ −20 pp), overruns above 100% and 110%, forecasts leaving ≥ 10% and
≥ 20% unspent, projects that stopped reporting (未报送), reversals (negative period amounts),
spending far ahead of outputs and the reverse, indicators far ahead (v ≥ 1.2) or missing a
month (未填报), points that do not sum to 90, projects without targets or without a cost
indicator, unit costs 10–20% and > 20% above the cost standard, large projects without
disclosed targets, overdue rectifications and over-claimed self-evaluations. The 一类事 costs
keep at least 5 projects per class and output unit in the district (so each has a suggested
standard), with a 成本定额标准 for some classes and units and none for others; at city scale
every district costs every class, at its own level, a few district × class pairs far out of
line. The budget requests have cases for each cap of the review: above the reference (cost),
after a large balance (result), after a 差 self-evaluation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from perfbudget import results, vocab
from perfbudget.db import transaction
from perfbudget.importer.counts import RECORD_KINDS, TABLE_RECORDS, by_kind

DEMO_YEAR = 2025
YEARS = (DEMO_YEAR - 2, DEMO_YEAR - 1, DEMO_YEAR)
EARLIEST_YEAR = YEARS[0]  # drawn from a child of the seed of its own (generate)
REQUEST_YEAR = DEMO_YEAR + 1  # the 预算申请 (budget_requests) are for the year after
DEFAULT_SEED = 20251231
IMPORTED_AT = datetime(DEMO_YEAR + 1, 1, 15, 9, 0, 0)
DEMO_BATCH_ID = 1

# Tables the demo replaces, children before parents. thresholds, settings and meta stay.
DATA_TABLES = (
    "budget_requests",
    "self_evaluations",
    "rectifications",
    "cost_standards",
    "costs",
    "indicator_actuals",
    "indicators",
    "spending",
    "projects",
    "units",
    "departments",
    "districts",
)
HISTORY_TABLES = (
    "projects_history",
    "spending_history",
    "indicators_history",
    "indicator_actuals_history",
    "costs_history",
    "cost_standards_history",
    "rectifications_history",
    "self_evaluations_history",
    "budget_requests_history",
    "departments_history",
    "units_history",
)

BUDGET_TYPES = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算")
CATEGORIES = ("运行维护类", "投资建设类", "购买服务类", "政策类", "信息化")
SERVICE_CLASSES = (
    "绿化养护",
    "环卫保洁",
    "道路养护",
    "景观灯光维护",
    "水质生态维护",
    "公共服务设施运行",
)
CITY_DISTRICTS = (
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
)
DISTRICT_DEMO_NAME = "示例区（合成数据）"
MUNICIPAL_NAME = "市本级（合成）"

# ---------------------------------------------------------------------------------------
# Departments: (name with 区 prefix, kind of work, relative number of projects, sensitive).

BUREAUS: tuple[tuple[str, str, float, bool], ...] = (
    ("区委办公室", "admin", 0.6, False),
    ("区人大常委会办公室", "admin", 0.4, False),
    ("区政府办公室", "admin", 0.6, False),
    ("区政协办公室", "admin", 0.4, False),
    ("区委组织部", "admin", 0.5, False),
    ("区委宣传部", "culture", 0.6, False),
    ("区发展和改革委员会", "econ", 0.8, False),
    ("区经济委员会", "econ", 0.8, False),
    ("区商务委员会", "econ", 0.6, False),
    ("区科学技术委员会", "econ", 0.7, False),
    ("区教育局", "edu", 3.0, False),
    ("区公安分局", "security", 1.2, False),
    ("区民政局", "civil", 1.5, False),
    ("区司法局", "admin", 0.6, False),
    ("区财政局", "finance", 0.9, False),
    ("区人力资源和社会保障局", "hr", 1.0, False),
    ("区规划和自然资源局", "planning", 0.8, False),
    ("区生态环境局", "env", 0.8, False),
    ("区建设和管理委员会", "construction", 2.2, False),
    ("区住房保障和房屋管理局", "housing", 1.0, False),
    ("区交通委员会", "transport", 1.0, False),
    ("区农业农村委员会", "agri", 1.0, False),
    ("区水务局", "water", 1.3, False),
    ("区文化和旅游局", "culture", 1.0, False),
    ("区卫生健康委员会", "health", 2.5, False),
    ("区退役军人事务局", "civil", 0.5, False),
    ("区应急管理局", "emergency", 0.6, False),
    ("区审计局", "admin", 0.4, False),
    ("区市场监督管理局", "market", 0.8, False),
    ("区体育局", "sports", 0.7, False),
    ("区统计局", "admin", 0.4, False),
    ("区医疗保障局", "medins", 0.6, False),
    ("区绿化和市容管理局", "green", 2.2, False),
    ("区城市管理行政执法局", "enforce", 0.8, False),
    ("区国有资产监督管理委员会", "soe", 0.5, False),
    ("区政务服务办公室", "it", 0.5, False),
    ("区大数据中心", "it", 0.6, False),
    ("区机关事务管理局", "admin", 0.6, False),
    ("区档案馆", "admin", 0.3, False),
    ("区融媒体中心", "culture", 0.5, False),
    ("区委机要保密局", "admin", 0.3, True),
    ("区人民武装部", "admin", 0.4, True),
)
STREETS = (
    "东城",
    "西城",
    "南湖",
    "北苑",
    "中山路",
    "滨江",
    "新桥",
    "长桥",
    "枫林",
    "临江",
    "朝阳",
    "安宁",
)
TOWNS = (
    "金湾",
    "银湖",
    "青塘",
    "新泾",
    "永丰",
    "华亭",
    "白鹤",
    "明珠",
    "三江",
    "兴隆",
    "云溪",
    "泰和",
)
TINY_BUREAUS = (
    "区教育局",
    "区卫生健康委员会",
    "区绿化和市容管理局",
    "区建设和管理委员会",
    "区民政局",
    "区财政局",
    "区医疗保障局",
    "区国有资产监督管理委员会",
    "区水务局",
    "区委机要保密局",
)

UNIT_SUFFIXES = {
    "edu": ("第一中学", "实验小学", "第二中学", "中心幼儿园", "职业技术学校", "青少年活动中心"),
    "health": ("中心医院", "疾病预防控制中心", "妇幼保健院", "卫生健康监督所", "精神卫生中心"),
    "green": ("绿化管理所", "环境卫生管理所", "市容景观管理中心", "林业站"),
    "construction": ("市政工程管理所", "建设工程安全质量监督站", "建设管理事务中心"),
    "water": ("河道管理所", "水文站", "排水管理所"),
    "civil": ("社会福利院", "救助管理站", "殡葬管理所"),
    "culture": ("图书馆", "文化馆", "博物馆"),
    "street": ("社区事务受理服务中心", "城市运行管理中心", "社区党群服务中心", "社区文化活动中心"),
    "town": ("社区事务受理服务中心", "农业服务中心", "城市运行管理中心", "社区文化活动中心"),
}
UNIT_GENERIC = ("事务中心", "信息中心", "服务中心")

# ---------------------------------------------------------------------------------------
# Project templates: kind|name|category|service class|indicator theme|median 万元|budget type
# (budget type: 0 一般公共, 1 政府性基金, 2 国有资本经营, 3 社会保险基金). Street and town
# projects are prefixed with the street's or town's name.

_TEMPLATES = """
street|绿化养护|运行维护类|绿化养护|green|150|0
street|道路及公共区域保洁|购买服务类|环卫保洁|sanitation|300|0
street|环卫保洁服务购买|购买服务类|环卫保洁|sanitation|250|0
street|景观灯光维护|运行维护类|景观灯光维护|lighting|40|0
street|社区事务受理服务中心运行|运行维护类|公共服务设施运行|facility|80|0
street|党群服务中心运行|运行维护类|公共服务设施运行|facility|60|0
street|城市网格化管理|购买服务类||service|120|0
street|老旧小区综合改造|投资建设类||construction|600|0
street|社区养老服务|购买服务类||service|100|0
street|社区文化活动中心运行|运行维护类|公共服务设施运行|facility|50|0
street|住宅小区综合治理|政策类||policy|100|0
town|绿化养护|运行维护类|绿化养护|green|150|0
town|农村生活污水处理设施运维|运行维护类|水质生态维护|water|200|0
town|河道水质生态维护|运行维护类|水质生态维护|water|150|0
town|村庄道路养护|运行维护类|道路养护|road|150|0
town|环卫保洁服务购买|购买服务类|环卫保洁|sanitation|250|0
town|美丽乡村建设|投资建设类||construction|800|0
town|农业生产补贴|政策类||policy|100|0
town|社区事务受理服务中心运行|运行维护类|公共服务设施运行|facility|80|0
town|景观灯光维护|运行维护类|景观灯光维护|lighting|30|0
green|道路绿化养护|运行维护类|绿化养护|green|400|0
green|公园绿地养护|运行维护类|绿化养护|green|500|0
green|行道树修剪及养护|运行维护类|绿化养护|green|200|0
green|主要道路环卫保洁服务购买|购买服务类|环卫保洁|sanitation|800|0
green|生活垃圾分类收运|购买服务类|环卫保洁|sanitation|1200|0
green|公共厕所运行保洁|购买服务类|环卫保洁|sanitation|300|0
green|景观灯光维护|运行维护类|景观灯光维护|lighting|300|0
green|重要节点景观灯光改造|投资建设类||construction|1500|0
green|公园新建改造工程|投资建设类||construction|2000|1
green|林业有害生物防治|运行维护类||green|80|0
construction|市政道路养护|运行维护类|道路养护|road|1500|0
construction|桥梁检测及维修|运行维护类|道路养护|road|400|0
construction|道路大中修工程|投资建设类||construction|3000|0
construction|城市更新重点项目|投资建设类||construction|8000|1
construction|建设工程质量安全监督|购买服务类||service|150|0
construction|排水管道疏通养护|运行维护类|公共服务设施运行|facility|300|0
construction|架空线入地及杆箱整治|投资建设类||construction|2500|0
water|河道水质生态维护|运行维护类|水质生态维护|water|600|0
water|中小河道综合整治|投资建设类||construction|3000|1
water|泵闸设施运行维护|运行维护类|公共服务设施运行|facility|400|0
water|水环境监测|购买服务类||service|120|0
water|防汛物资储备及抢险|运行维护类||service|200|0
edu|中小学校舍维修|投资建设类||edu|300|0
edu|学生营养午餐补助|政策类||policy|500|0
edu|教师专业发展培训|运行维护类||training|80|0
edu|教育信息化平台运维|信息化||it|150|0
edu|学前教育生均经费补助|政策类||policy|1500|0
edu|校园安保服务购买|购买服务类||service|300|0
edu|学校食堂设备更新|投资建设类||edu|100|0
edu|学校体育场馆运行|运行维护类|公共服务设施运行|facility|80|0
edu|新建学校工程|投资建设类||construction|6000|0
health|社区卫生服务中心运行|运行维护类|公共服务设施运行|facility|400|0
health|基本公共卫生服务项目|政策类||health|800|0
health|家庭医生签约服务|购买服务类||health|300|0
health|疾病预防控制专项|运行维护类||health|200|0
health|医疗设备购置|投资建设类||construction|600|0
health|卫生健康信息化建设|信息化||it|500|0
health|区级医院改扩建工程|投资建设类||construction|6000|0
civil|养老服务补贴|政策类||policy|600|0
civil|社区综合为老服务中心运行|运行维护类|公共服务设施运行|facility|150|0
civil|最低生活保障金|政策类||policy|1500|0
civil|福利彩票公益金资助项目|政策类||policy|200|1
civil|殡葬服务管理|运行维护类||service|100|0
civil|社会组织培育服务|购买服务类||service|80|0
finance|财政信息化系统运维|信息化||it|300|0
finance|预算绩效评价第三方服务|购买服务类||service|150|0
finance|政府采购管理|运行维护类||training|50|0
finance|财政投资评审服务|购买服务类||service|200|0
hr|就业补助资金|政策类||policy|800|0
hr|职业技能培训补贴|政策类||policy|400|0
hr|城乡居民基本养老保险基金|政策类||policy|3000|3
hr|工伤保险基金支出|政策类||policy|800|3
hr|劳动保障监察|运行维护类||training|50|0
medins|城乡居民基本医疗保险基金|政策类||policy|4000|3
medins|医疗救助资金|政策类||policy|600|0
medins|医保基金监管服务|购买服务类||service|80|0
soe|区属国有企业资本金注入|政策类||policy|5000|2
soe|国有企业改革专项|政策类||policy|800|2
soe|国资监管信息系统运维|信息化||it|80|0
culture|公共文化服务配送|购买服务类||service|150|0
culture|文化场馆运行|运行维护类|公共服务设施运行|facility|300|0
culture|非物质文化遗产保护|政策类||policy|60|0
culture|群众文化活动举办|运行维护类||service|100|0
sports|全民健身设施维护|运行维护类|公共服务设施运行|facility|150|0
sports|体育彩票公益金项目|政策类||policy|200|1
sports|青少年体育训练|运行维护类||training|120|0
sports|体育赛事举办|运行维护类||service|200|0
transport|公交线路运营补贴|政策类||policy|3000|0
transport|公共停车场运行管理|运行维护类|公共服务设施运行|facility|200|0
transport|交通设施维护|运行维护类|道路养护|road|500|0
transport|交通信号系统运维|信息化||it|200|0
agri|农业生产补贴|政策类||policy|600|0
agri|高标准农田建设|投资建设类||construction|1500|1
agri|动物防疫|运行维护类||health|150|0
agri|农村人居环境整治|投资建设类||construction|800|0
env|环境监测运维|运行维护类||it|200|0
env|大气污染防治专项|政策类||policy|500|0
env|生态环境执法|运行维护类||training|80|0
env|土壤污染状况调查|购买服务类||service|150|0
planning|国土空间规划编制|购买服务类||service|300|0
planning|土地储备前期开发|投资建设类||construction|5000|1
planning|不动产登记服务|运行维护类||service|150|0
housing|旧区改造|投资建设类||construction|10000|1
housing|保障性住房管理|运行维护类||service|300|0
housing|住宅小区综合治理|政策类||policy|400|0
housing|房屋安全检测|购买服务类||service|120|0
security|治安防控体系运维|信息化||it|800|0
security|警务辅助人员服务购买|购买服务类||service|1200|0
security|交通安全设施维护|运行维护类|道路养护|road|300|0
security|执法办案专项|运行维护类||training|200|0
emergency|应急物资储备|运行维护类||service|200|0
emergency|安全生产监管|运行维护类||training|100|0
emergency|应急指挥系统运维|信息化||it|150|0
market|食品安全抽检|购买服务类||service|300|0
market|市场监管执法|运行维护类||training|100|0
market|特种设备检测|购买服务类||service|150|0
econ|产业发展扶持资金|政策类||policy|2000|0
econ|科技创新专项|政策类||policy|1000|0
econ|营商环境优化服务|购买服务类||service|150|0
econ|重大项目前期研究|购买服务类||service|200|0
enforce|城市管理执法|运行维护类||training|200|0
enforce|违法建筑拆除|投资建设类||construction|500|0
enforce|执法协管服务购买|购买服务类||service|300|0
it|电子政务外网运维|信息化||it|400|0
it|一网通办平台运维|信息化||it|500|0
it|数据资源中心建设|信息化||it|1500|0
it|政务服务中心运行|运行维护类|公共服务设施运行|facility|300|0
generic|信息系统运维|信息化||it|40|0
generic|办公用房维修改造|投资建设类||construction|80|0
generic|专项业务工作经费|运行维护类||training|50|0
generic|档案数字化服务|购买服务类||service|30|0
generic|法律顾问及审计服务|购买服务类||service|25|0
generic|业务培训|运行维护类||training|20|0
generic|宣传及信息公开|运行维护类||training|25|0
"""

# ---------------------------------------------------------------------------------------
# Indicator pools per theme and level 2: name|unit|operator|target|flag. Target: q:BASE:DEC
# (a quantity, BASE for a 50万元 project, scaled by budget), c:V,V,… (one of these values),
# k (the project's budget in 万元), t:TEXT (qualitative). Flag n: 是否累计 = 否.

LEVEL2 = (
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("产出指标", "时效指标"),
    ("产出指标", "成本指标"),
    ("效益指标", "社会效益指标"),
    ("效益指标", "经济效益指标"),
    ("效益指标", "生态效益指标"),
    ("效益指标", "可持续影响指标"),
    ("满意度指标", "服务对象满意度指标"),
)
_GENERIC_POOL = {
    "数量指标": "完成工作任务数|项|≥|q:12:0;开展专项检查次数|次|≥|q:20:0;覆盖服务对象数|个|≥|q:30:0",
    "质量指标": "工作完成合格率|%|≥|c:90,95,95,100;验收合格率|%|=|c:100;档案资料完整率|%|≥|c:90,95,100",
    "时效指标": "任务按时完成率|%|≥|c:95,100,100,100;资金支付及时率|%|≥|c:90,95,95,100",
    "成本指标": "项目成本控制数|万元|≤|k",
    "社会效益指标": "公共服务水平||定性|t:有效提升;群众获得感||定性|t:明显增强;社会影响||定性|t:效果明显",
    "经济效益指标": "带动就业人数|人|≥|q:8:0|n;节约运行成本||定性|t:有效节约",
    "生态效益指标": "周边生态环境||定性|t:持续改善;节能降耗||定性|t:效果明显",
    "可持续影响指标": "长效管理机制||定性|t:健全;项目持续发挥效益||定性|t:长期",
    "服务对象满意度指标": "服务对象满意度|%|≥|c:85,90,90,95;社会公众满意度|%|≥|c:80,85,90,90",
}
_THEME_POOLS = {
    "green": {
        "数量指标": "养护绿地面积|平方米|≥|q:30000:0;行道树养护数量|株|≥|q:800:0;"
        "绿化补植面积|平方米|≥|q:1500:0;病虫害防治次数|次|≥|q:12:0",
        "质量指标": "绿化养护质量达标率|%|≥|c:90,95,95,98;苗木成活率|%|≥|c:90,95,95,98",
        "时效指标": "病虫害处置及时率|%|≥|c:95,100",
        "社会效益指标": "市容环境面貌||定性|t:明显改善",
        "生态效益指标": "绿化覆盖率|%|≥|c:35,38,40,42|n;空气质量||定性|t:有效改善",
    },
    "sanitation": {
        "数量指标": "道路保洁面积|平方米|≥|q:60000:0;生活垃圾清运量|吨|≥|q:1200:1;"
        "公厕保洁数量|座|≥|q:10:0|n;垃圾箱房维护数量|个|≥|q:25:0",
        "质量指标": "道路保洁质量达标率|%|≥|c:90,95,95,98;垃圾日产日清率|%|=|c:100",
        "时效指标": "投诉处置及时率|%|≥|c:95,98,100",
        "社会效益指标": "市容环境卫生||定性|t:明显改善",
        "生态效益指标": "垃圾分类实效||定性|t:明显提升",
    },
    "road": {
        "数量指标": "道路养护面积|平方米|≥|q:20000:0;道路养护里程|公里|≥|q:8:2;"
        "修复坑槽数量|处|≥|q:150:0;桥梁检测数量|座|≥|q:3:0",
        "质量指标": "道路完好率|%|≥|c:90,95,95,98;维修工程验收合格率|%|=|c:100",
        "时效指标": "病害修复响应时间|小时|≤|c:24,48,48,72",
        "社会效益指标": "道路通行条件||定性|t:明显改善",
    },
    "lighting": {
        "数量指标": "维护景观灯具数量|盏|≥|q:600:0|n;维护景观灯光路段|条|≥|q:5:0|n;"
        "灯光设施巡查次数|次|≥|q:48:0",
        "质量指标": "亮灯率|%|≥|c:95,98,98,99;故障修复合格率|%|≥|c:95,98,100",
        "时效指标": "故障报修响应时间|小时|≤|c:12,24,24,48",
        "社会效益指标": "城市夜景形象||定性|t:明显提升",
    },
    "water": {
        "数量指标": "河道养护长度|公里|≥|q:10:2|n;水域保洁面积|平方米|≥|q:50000:0;"
        "水质监测次数|次|≥|q:24:0;污水处理设施运维数量|座|≥|q:20:0|n",
        "质量指标": "河道水质达标率|%|≥|c:80,85,90,95;设施正常运行率|%|≥|c:95,98",
        "时效指标": "问题整改及时率|%|≥|c:95,100",
        "生态效益指标": "水环境质量||定性|t:持续改善;劣Ⅴ类水体数量|个|≤|c:0",
    },
    "facility": {
        "数量指标": "设施开放天数|天|≥|c:250,300,330,360;服务人次|人次|≥|q:20000:0;"
        "运行管理设施数量|个|≥|q:5:0|n",
        "质量指标": "设施完好率|%|≥|c:95,98,98,100;安全事故发生次数|次|≤|c:0",
        "时效指标": "故障维修及时率|%|≥|c:95,98,100",
        "社会效益指标": "公共服务可及性||定性|t:有效提升",
    },
    "construction": {
        "数量指标": "改造面积|平方米|≥|q:3000:0;完成建设项目数|个|≥|q:2:0;新增设施数量|处|≥|q:5:0",
        "质量指标": "工程验收合格率|%|=|c:100;安全生产事故|次|≤|c:0",
        "时效指标": "工程按期完工率|%|≥|c:100",
        "社会效益指标": "居住环境||定性|t:明显改善",
        "可持续影响指标": "设计使用年限|年|≥|c:15,20,25,30",
    },
    "service": {
        "数量指标": "服务人次|人次|≥|q:3000:0;开展活动场次|场|≥|q:40:0;服务覆盖社区数|个|≥|q:10:0|n",
        "质量指标": "服务质量考核达标率|%|≥|c:90,95",
    },
    "policy": {
        "数量指标": "补贴发放人数|人|≥|q:1500:0;受益户数|户|≥|q:600:0;扶持企业数|家|≥|q:10:0",
        "质量指标": "补贴发放准确率|%|=|c:100;补助对象覆盖率|%|≥|c:90,95,100",
        "时效指标": "补贴按时发放率|%|≥|c:100",
        "经济效益指标": "带动社会投资|万元|≥|q:200:2|n",
    },
    "it": {
        "数量指标": "运维信息系统数量|套|≥|c:1,2,3,5|n;系统巡检次数|次|≥|q:52:0;数据对接接口数|个|≥|q:20:0",
        "质量指标": "系统正常运行率|%|≥|c:98,99,99.5,99.9;数据准确率|%|≥|c:95,98,99",
        "时效指标": "故障响应时间|小时|≤|c:1,2,2,4",
        "可持续影响指标": "系统稳定运行||定性|t:长期",
    },
    "edu": {
        "数量指标": "维修校舍面积|平方米|≥|q:2000:0;受益学生人数|人|≥|q:3000:0|n;覆盖学校数|所|≥|q:6:0|n",
        "质量指标": "维修工程验收合格率|%|=|c:100",
        "社会效益指标": "办学条件||定性|t:明显改善",
        "服务对象满意度指标": "学生及家长满意度|%|≥|c:85,90,95",
    },
    "health": {
        "数量指标": "服务居民人次|人次|≥|q:30000:0;家庭医生签约人数|人|≥|q:5000:0;健康宣教活动场次|场|≥|q:30:0",
        "质量指标": "慢性病规范管理率|%|≥|c:60,65,70,75",
        "社会效益指标": "居民健康水平||定性|t:逐步提高",
        "服务对象满意度指标": "患者满意度|%|≥|c:85,90,95",
    },
    "training": {
        "数量指标": "开展培训场次|场|≥|q:10:0;培训人次|人次|≥|q:500:0;印发宣传资料|份|≥|q:3000:0",
        "质量指标": "培训合格率|%|≥|c:90,95",
        "社会效益指标": "业务能力||定性|t:有效提升",
    },
}
# P(0, 1, 2, … indicators) of each LEVEL2 slot on a project: about 10 indicators a project.
SLOT_COUNT_PROBS = (
    (0.1, 0.4, 0.5),
    (0.0, 0.35, 0.55, 0.1),
    (0.0, 0.75, 0.25),
    (0.05, 0.95),
    (0.0, 0.4, 0.6),
    (0.65, 0.35),
    (0.6, 0.4),
    (0.15, 0.85),
    (0.0, 0.9, 0.1),
)
OPERATORS = ("≥", "=", "≤", "定性", "不适用")
QUALITATIVE_ACTUALS = ("达成预期指标", "基本达成", "部分达成预期指标", "未达成", "不适用")
QUALITATIVE_FACTOR = np.array([1.0, 0.8, 0.7, 0.0, 0.0])
REASONS = (
    "受天气影响，部分作业顺延，下阶段加快推进",
    "政府采购流程较长，合同签订滞后",
    "项目前期手续办理时间较长，实施进度滞后",
    "工作量集中在下半年实施，按计划推进中",
    "服务需求较年初预计减少",
    "资金拨付滞后影响实施进度",
    "施工受周边条件制约，工期调整",
    "年中预算调整，实施内容相应变更",
    "目标设定偏保守，实际完成超出预期",
)
AHEAD_REASON = len(REASONS) - 1
DECIMALS_BY_UNIT = {"%": 1, "万元": 2, "公里": 2, "吨": 1, "小时": 1}

# Cost benchmarking: output unit, 2025 standard unit cost (元), whether a 成本定额标准 exists.
COST_UNITS = {
    "绿化养护": (("平方米", 14.5, True),),
    "环卫保洁": (("平方米", 9.8, True), ("吨", 260.0, True)),
    "道路养护": (("平方米", 28.0, True), ("公里", 260000.0, False)),
    "景观灯光维护": (("盏", 650.0, True),),
    "水质生态维护": (("公里", 85000.0, True), ("平方米", 6.5, False)),
    "公共服务设施运行": (("平方米", 320.0, False),),
}
COST_ITEMS = ("人员成本", "设施设备", "运行维护", "管理费用", "其他")
RECTIFICATION_ISSUES = (
    "支出进度明显偏慢，未按序时进度执行",
    "绩效目标设置不够细化量化",
    "成本核算不规范，单位成本偏高",
    "偏差原因分析不充分",
    "资金结余较多，预算编制不够精准",
    "支出进度与产出进度不匹配",
    "未按规定公开绩效目标",
    "绩效自评得分偏高，依据不充分",
    "项目实施方案调整未及时报备",
    "合同管理不规范，验收资料不全",
)
# Seasonal share of a year's spending by month: slow first quarter, December rush.
MONTH_WEIGHTS = np.array([6, 7, 9, 8, 8, 8, 8, 8, 8, 8.5, 8.5, 13]) / 100


@dataclass(frozen=True)
class ScaleSpec:
    projects_per_year: int
    city: bool
    streets: int
    towns: int
    two_key_share: float
    bureaus: tuple[str, ...] | None = None  # None: all of BUREAUS


SCALES = {
    "tiny": ScaleSpec(150, False, 2, 1, 0.25, TINY_BUREAUS),
    "district": ScaleSpec(1500, False, 9, 9, 0.25),
    "city": ScaleSpec(50000, True, 6, 6, 0.10),
}


def build_demo(
    conn: duckdb.DuckDBPyConnection,
    scale: str = "district",
    seed: int = DEFAULT_SEED,
    *,
    refresh: bool = True,
    progress=None,
) -> dict[str, int]:
    """Replace every data table with a synthetic scale ("tiny", "district" or "city") drawn
    from `seed`, in one transaction, then compute its stored results (perfbudget.results;
    refresh=False leaves them to the queries, for tests of the generator alone).
    Returns {table: row count}."""
    if scale not in SCALES:
        raise ValueError(f"unknown demo scale {scale!r}; choose one of {sorted(SCALES)}")
    tables = generate(SCALES[scale], np.random.default_rng(seed))
    counts = {name: tables[name].num_rows for name in reversed(DATA_TABLES)}
    # the batch's rows counted as an import counts them (importer/counts.py): per kind of
    # record, what a rollback archives; departments, units and districts are not its rows
    rows = by_kind({t: n for t, n in counts.items() if t in TABLE_RECORDS})
    rows = {k: rows[k] for k in RECORD_KINDS if k in rows}
    with transaction(conn):
        for name in (*DATA_TABLES, *HISTORY_TABLES, "import_batches"):
            conn.execute(f"delete from {name}")  # names from the constants above only
        # Keep the sequence ahead of the demo batch so a later import gets a fresh id.
        conn.execute("select nextval('batch_id_seq')")
        conn.execute(
            "insert into import_batches (batch_id, file_name, sha256, layout, table_kinds,"
            " row_count, row_counts, replaced_count, imported_at, imported_by, status, note)"
            " values ($batch_id, 'demo (synthetic)', $sha256, 'demo', $kinds, $row_count,"
            " $row_counts, 0, $imported_at, 'demo', 'active', $note)",
            {
                "batch_id": DEMO_BATCH_ID,
                "sha256": hashlib.sha256(f"perfbudget-demo:{scale}:{seed}".encode()).hexdigest(),
                "kinds": ",".join(rows),
                "row_count": sum(rows.values()),
                "row_counts": json.dumps(rows, ensure_ascii=False),
                "imported_at": IMPORTED_AT,
                "note": f"合成演示数据（非真实数据） scale={scale} seed={seed}",
            },
        )
        for name in reversed(DATA_TABLES):
            conn.register("_demo_source", tables[name])
            try:
                conn.execute(f"insert into {name} by name select * from _demo_source")
            finally:
                conn.unregister("_demo_source")
        conn.execute(
            "delete from meta where key in ('is_synthetic', 'demo_scale', 'demo_seed', 'demo_year')"
        )
        conn.executemany(
            "insert into meta (key, value) values (?, ?)",
            [
                ["is_synthetic", "true"],
                ["demo_scale", scale],
                ["demo_seed", str(seed)],
                ["demo_year", str(DEMO_YEAR)],
            ],
        )
        results.invalidate(conn)
    if refresh:
        results.refresh_stale(conn, progress)
    return counts


# ---------------------------------------------------------------------------------------
# Arrow helpers: exact decimals from integers, dictionary-encoded strings.


def _dec(
    unscaled: np.ndarray, precision: int, scale: int, null: np.ndarray | None = None
) -> pa.Array:
    """DECIMAL(precision, scale) whose unscaled integers are `unscaled` (e.g. fen for scale 2)."""
    u = np.ascontiguousarray(unscaled, dtype=np.int64)
    words = np.empty((len(u), 2), dtype=np.int64)  # little-endian 128-bit two's complement
    words[:, 0] = u
    words[:, 1] = u >> 63
    arr = pa.Array.from_buffers(
        pa.decimal128(precision, scale), len(u), [None, pa.py_buffer(words)]
    )
    if null is not None and null.any():
        arr = pc.if_else(pa.array(null), pa.scalar(None, arr.type), arr)
    return arr


def _dec_from_float(
    values: np.ndarray, precision: int, scale: int, null: np.ndarray | None = None
) -> pa.Array:
    scaled = np.rint(np.nan_to_num(values) * 10**scale).astype(np.int64)
    return _dec(scaled, precision, scale, null)


def _cat(codes: np.ndarray, labels, null: np.ndarray | None = None) -> pa.Array:
    """Strings as a dictionary array: labels[codes], null where `null`."""
    indices = pa.array(np.asarray(codes, dtype=np.int32), mask=null)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string()))


def _table(columns: dict[str, pa.Array | np.ndarray]) -> pa.Table:
    n = len(next(iter(columns.values())))
    columns = {**columns, "batch_id": pa.array(np.full(n, DEMO_BATCH_ID, dtype=np.int32))}
    return pa.table(
        {
            k: (v if isinstance(v, pa.Array | pa.ChunkedArray) else pa.array(v))
            for k, v in columns.items()
        }
    )


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted keys: each element's rank within its run and the run's length."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    lengths = np.diff(np.r_[starts, n])
    run_of = np.repeat(np.arange(len(starts)), lengths)
    return np.arange(n) - starts[run_of], lengths[run_of]


def _str_concat(*parts: pa.Array) -> pa.Array:
    plain = [p.dictionary_decode() if isinstance(p, pa.DictionaryArray) else p for p in parts]
    return pc.binary_join_element_wise(*plain, "")


# ---------------------------------------------------------------------------------------
# Catalogues parsed once into arrays.


def _parse_templates():
    rows = [line.split("|") for line in _TEMPLATES.strip().splitlines()]
    kinds = sorted({r[0] for r in rows})
    rows.sort(key=lambda r: kinds.index(r[0]))  # stable: grouped by kind, file order within
    return {
        "kind": [r[0] for r in rows],
        "name": [r[1] for r in rows],
        "category": np.array([CATEGORIES.index(r[2]) for r in rows]),
        "service_class": np.array([SERVICE_CLASSES.index(r[3]) if r[3] else -1 for r in rows]),
        "theme": [r[4] for r in rows],
        "median_wan": np.array([float(r[5]) for r in rows]),
        "budget_type": np.array([int(r[6]) for r in rows]),
    }


def _parse_pools():
    """Flat indicator template arrays plus, per (theme, level 2), the pool's slice."""
    themes = sorted(_THEME_POOLS)
    entries: list[list[str]] = []
    pool_start, pool_len, pool_own = {}, {}, {}
    for theme in themes:
        for l2_index, (_, level2) in enumerate(LEVEL2):
            own = [e for e in _THEME_POOLS[theme].get(level2, "").split(";") if e]
            own_names = {e.split("|")[0] for e in own}
            generic = [
                e for e in _GENERIC_POOL[level2].split(";") if e.split("|")[0] not in own_names
            ]
            pool_start[theme, l2_index] = len(entries)
            pool_len[theme, l2_index] = len(own) + len(generic)
            pool_own[theme, l2_index] = len(own) or len(own) + len(generic)
            entries.extend(([*e.split("|"), ""])[:5] for e in own + generic)
    choices = np.zeros((len(entries), 4))
    base = np.zeros(len(entries))
    kind = np.zeros(len(entries), dtype=np.int8)  # 0 quantity, 1 choice, 2 cost, 3 text
    texts, decimals = [], np.zeros(len(entries), dtype=np.int8)
    for i, (_name, unit, _op, target, _flag) in enumerate(entries):
        head, _, rest = target.partition(":")
        texts.append(rest if head == "t" else "")
        if head == "q":
            b, d = rest.split(":")
            base[i], decimals[i] = float(b), int(d)
        elif head == "c":
            values = [float(v) for v in rest.split(",")]
            choices[i] = (values * 4)[:4]
            decimals[i] = DECIMALS_BY_UNIT.get(unit, 0)
        else:
            decimals[i] = DECIMALS_BY_UNIT.get(unit, 0)
        kind[i] = "qckt".index(head)
    units = sorted({e[1] for e in entries if e[1]})
    return {
        "themes": themes,
        "pool_start": pool_start,
        "pool_len": pool_len,
        "pool_own": pool_own,
        "name": [e[0] for e in entries],
        "unit": np.array([units.index(e[1]) if e[1] else -1 for e in entries]),
        "units": units,
        "op": np.array([OPERATORS.index(e[2]) for e in entries]),
        "kind": kind,
        "base": base,
        "choices": choices,
        "decimals": decimals,
        "text": texts,
        "non_cumulative": np.array([e[4] == "n" for e in entries]),
    }


_TPL = _parse_templates()
_POOLS = _parse_pools()


# ---------------------------------------------------------------------------------------
# The world: districts, departments, units.


@dataclass
class _World:
    districts: list[str]
    dept_code: list[str]
    dept_name: list[str]
    dept_district: np.ndarray  # index into districts
    dept_kind: list[str]
    dept_short: list[str]  # street/town name prefixed to its project names
    dept_weight: np.ndarray
    dept_sensitive: np.ndarray
    unit_code: list[str]
    unit_name: list[str]
    unit_dept: np.ndarray
    dept_unit_start: np.ndarray
    dept_unit_count: np.ndarray


def _build_world(spec: ScaleSpec, rng: np.random.Generator) -> _World:
    bureaus = [b for b in BUREAUS if spec.bureaus is None or b[0] in spec.bureaus]
    areas: list[tuple[str, str, int | None]]  # name, code prefix, number (None: one district)
    if spec.city:
        areas = [
            (MUNICIPAL_NAME, "市", 0),
            *((f"{d}（合成）", d, i + 1) for i, d in enumerate(CITY_DISTRICTS)),
        ]
    else:
        areas = [(DISTRICT_DEMO_NAME, "区", None)]
    w = _World(
        [a[0] for a in areas],
        [],
        [],
        np.zeros(0),
        [],
        [],
        np.zeros(0),
        np.zeros(0),
        [],
        [],
        np.zeros(0),
        np.zeros(0),
        np.zeros(0),
    )
    dist, weight, sens, unit_dept = [], [], [], []
    for d_index, (_, prefix, number) in enumerate(areas):
        depts = [(prefix + name[1:], kind, wt, s, "") for name, kind, wt, s in bureaus]
        if prefix != "市":
            depts += [
                (f"{prefix if spec.city else ''}{s}街道办事处", "street", 1.0, False, f"{s}街道")
                for s in STREETS[: spec.streets]
            ]
            depts += [
                (f"{prefix if spec.city else ''}{t}镇人民政府", "town", 1.0, False, f"{t}镇")
                for t in TOWNS[: spec.towns]
            ]
        for k, (name, kind, wt, s, short) in enumerate(depts, start=1):
            code = f"{number:02d}{k:03d}" if number is not None else f"{k:03d}"
            w.dept_code.append(code)
            w.dept_name.append(name)
            w.dept_kind.append(kind)
            w.dept_short.append(short)
            dist.append(d_index)
            weight.append(wt * (2.0 if prefix == "市" else 1.0))
            sens.append(s)
            core = short or name
            unit_prefix = (
                prefix if kind in UNIT_SUFFIXES and kind not in ("street", "town") else core
            )
            suffixes = UNIT_SUFFIXES.get(kind, UNIT_GENERIC)
            extra = int(rng.integers(0, len(suffixes) + 1))
            names = [f"{name}（本级）"] + [
                (unit_prefix + sfx) if kind in UNIT_SUFFIXES else (name + sfx)
                for sfx in suffixes[:extra]
            ]
            for u, unit_name in enumerate(names, start=1):
                w.unit_code.append(f"{code}{u:02d}")
                w.unit_name.append(unit_name)
                unit_dept.append(len(w.dept_code) - 1)
    w.dept_district = np.array(dist)
    w.dept_weight = np.array(weight)
    w.dept_sensitive = np.array(sens)
    w.unit_dept = np.array(unit_dept)
    w.dept_unit_start = np.searchsorted(w.unit_dept, np.arange(len(w.dept_code)))
    w.dept_unit_count = np.bincount(w.unit_dept, minlength=len(w.dept_code))
    return w


# ---------------------------------------------------------------------------------------
# Projects: one list of templates carried through both years (the same project recurs with
# code 2024-… and 2025-…), budgets and behaviour drawn per year.


@dataclass
class _Base:
    n: int
    dept: np.ndarray
    seq: np.ndarray
    unit: np.ndarray
    template: np.ndarray
    name: pa.Array
    budget_type: np.ndarray
    base_wan: np.ndarray
    sensitive: np.ndarray
    shanghai_layout: np.ndarray  # dept files 成本指标 as level 1 (Shanghai 2025 layout)


def _build_base(world: _World, spec: ScaleSpec, rng: np.random.Generator) -> _Base:
    n_dept = len(world.dept_code)
    n = spec.projects_per_year
    counts = 1 + rng.multinomial(n - n_dept, world.dept_weight / world.dept_weight.sum())
    dept = np.repeat(np.arange(n_dept), counts)
    seq = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    # template: mostly one of the department kind's own, else a generic one
    kinds = _TPL["kind"]
    kind_names = sorted(set(kinds))
    k_start = np.array([kinds.index(k) for k in kind_names])
    k_len = np.array([kinds.count(k) for k in kind_names])
    dept_kind = np.array([kind_names.index(k) if k in kind_names else -1 for k in world.dept_kind])
    generic = kind_names.index("generic")
    pk = dept_kind[dept]
    has_own = pk >= 0
    own_share = np.where(
        np.isin(pk, [kind_names.index("street"), kind_names.index("town")]), 0.9, 0.72
    )
    use_own = has_own & (rng.random(n) < own_share)
    pk = np.where(use_own, pk, generic)
    template = k_start[pk] + np.floor(rng.random(n) * k_len[pk]).astype(np.int64)
    # names: street/town prefix + template name + （第k批） for repeats within a department
    order = np.lexsort((np.arange(n), template, dept))
    rank = np.empty(n, np.int64)
    rank[order] = _runs(dept[order] * 10_000 + template[order])[0]
    batches = [
        "",
        "（二期）",
        "（东片区）",
        "（西片区）",
        "（三期）",
        "（南片区）",
        "（北片区）",
        "（第二标段）",
        "（第三标段）",
        "（续建）",
        *(f"（第{k}批）" for k in range(2, 60)),
    ]
    name = _str_concat(
        _cat(dept, world.dept_short),
        _cat(template, _TPL["name"]),
        _cat(np.minimum(rank, len(batches) - 1), batches),
    )
    budget_type = _TPL["budget_type"][template].copy()
    theme = np.array(_TPL["theme"])[template]
    to_fund = (budget_type == 0) & np.isin(theme, ["construction"]) & (rng.random(n) < 0.15)
    budget_type[to_fund | ((budget_type == 0) & (rng.random(n) < 0.02))] = 1
    base_wan = _TPL["median_wan"][template] * 0.6 * rng.lognormal(0.0, 0.7, n)
    base_wan = np.clip(base_wan, 5.0, None)
    unit_pick = np.where(
        rng.random(n) < 0.5,
        0,
        np.floor(rng.random(n) * world.dept_unit_count[dept]).astype(np.int64),
    )
    unit = world.dept_unit_start[dept] + unit_pick
    sensitive = world.dept_sensitive[dept] | (rng.random(n) < 0.02)
    sh_depts = rng.random(n_dept) < 0.15
    return _Base(
        n, dept, seq, unit, template, name, budget_type, base_wan, sensitive, sh_depts[dept]
    )


# ---------------------------------------------------------------------------------------


def generate(spec: ScaleSpec, rng: np.random.Generator) -> dict[str, pa.Table]:
    """Every data table as an Arrow table, ready for `insert … by name`."""
    world = _build_world(spec, rng)
    base = _build_base(world, spec, rng)
    # the districts' cost levels (city) and the budget requests draw from children of the
    # seed (Generator.spawn does not advance rng): every other table is as it was before
    level_rng, request_rng = rng.spawn(2)
    # the earliest year came last (so PEFA has three completed years): it draws from a third
    # child, spawned after the other two, and the two later years are as they were without it
    (earliest_rng,) = rng.spawn(1)
    level = _district_cost_levels(world, base, level_rng) if spec.city else None
    parts: dict[str, list[pa.Table]] = {t: [] for t in DATA_TABLES}
    codes_by_year = {}
    facts = None
    for year in YEARS:
        year_rng = earliest_rng if year == EARLIEST_YEAR else rng
        year_tables, codes, year_facts = _generate_year(year, spec, world, base, year_rng, level)
        codes_by_year[year] = codes
        if year == DEMO_YEAR:
            facts = year_facts
        for name, table in year_tables.items():
            parts[name].append(table)
    assert facts is not None
    parts["budget_requests"].append(_budget_requests(world, base, facts, level, request_rng))
    parts["cost_standards"].append(_cost_standards())
    parts["rectifications"].append(_rectifications(base, codes_by_year, rng))
    parts["districts"].append(pa.table({"district_name": pa.array(world.districts)}))
    parts["departments"].append(
        _table(
            {
                "department_code": pa.array(world.dept_code),
                "department_name": pa.array(world.dept_name),
                "district_name": _cat(world.dept_district, world.districts),
                "is_sensitive": pa.array(world.dept_sensitive),
            }
        )
    )
    parts["units"].append(
        _table(
            {
                "unit_code": pa.array(world.unit_code),
                "unit_name": pa.array(world.unit_name),
                "department_code": _cat(world.unit_dept, world.dept_code),
            }
        )
    )
    return {
        name: pa.concat_tables(tables, promote_options="permissive")
        for name, tables in parts.items()
    }


def _generate_year(
    year: int,
    spec: ScaleSpec,
    world: _World,
    base: _Base,
    rng: np.random.Generator,
    level: np.ndarray | None = None,
):
    n = base.n
    dept_codes = np.array(world.dept_code)
    codes = np.char.add(
        np.char.add(f"{year}-", dept_codes[base.dept]),
        np.char.add("-", np.char.zfill(base.seq.astype(str), 4)),
    )
    codes_list = codes.tolist()
    code_arr = pa.array(codes_list, pa.string())

    # --- budgets (fen) ---------------------------------------------------------------
    # an earlier year's budget: about 4% less a year back, each project drawn on its own
    drift = 1.0 if year == DEMO_YEAR else rng.lognormal(-0.04 * (DEMO_YEAR - year), 0.15, n)
    initial_yuan = base.base_wan * drift * 10_000
    u = rng.random(n)
    step = np.where(u < 0.6, 1000.0, np.where(u < 0.9, 1.0, 0.01))
    initial_fen = (np.round(initial_yuan / step) * step * 100).round().astype(np.int64)
    adjusted_fen = initial_fen.copy()
    adjust = rng.random(n) < 0.2
    factor = np.where(rng.random(n) < 0.55, rng.uniform(0.7, 0.97, n), rng.uniform(1.03, 1.35, n))
    adjusted_fen[adjust] = (
        np.round(initial_fen[adjust] * factor[adjust] / 10_000) * 10_000
    ).astype(np.int64)
    new_midyear = rng.random(n) < 0.006  # 年中追加: no initial budget
    initial_fen[new_midyear] = 0
    n_zero = max(1, round(n * 0.0013))
    zero_budget = np.zeros(n, bool)
    zero_budget[rng.choice(n, n_zero, replace=False)] = True  # cancelled during the year
    adjusted_fen[zero_budget] = 0
    initial_fen[zero_budget & new_midyear] = 500_000_00

    large = adjusted_fen >= 10_000_000 * 100
    big = initial_fen >= 5_000_000 * 100
    is_key = rng.random(n) < (0.06 + 0.3 * big + 0.3 * large)
    disclosed = np.where(big, rng.random(n) < 0.85, rng.random(n) < 0.12) & ~base.sensitive

    projects = _table(
        {
            "year": pa.array(np.full(n, year, np.int32)),
            "project_code": code_arr,
            "project_name": base.name,
            "department_code": _cat(base.dept, world.dept_code),
            "unit_code": _cat(base.unit, world.unit_code),
            "budget_type": _cat(base.budget_type, BUDGET_TYPES),
            "category": _cat(_TPL["category"][base.template], CATEGORIES),
            "service_class": _cat(
                np.maximum(_TPL["service_class"][base.template], 0),
                SERVICE_CLASSES,
                null=_TPL["service_class"][base.template] < 0,
            ),
            "is_key": pa.array(is_key),
            "is_sensitive": pa.array(base.sensitive),
            "targets_disclosed": pa.array(disclosed),
            "initial_budget_yuan": _dec(initial_fen, 18, 2),
            "adjusted_budget_yuan": _dec(adjusted_fen, 18, 2),
        }
    )

    spend = _spending(year, spec, base, adjusted_fen, initial_fen, zero_budget, large, rng)
    ind, actuals, claimed_sum, has_ind, over_claim = _indicators(
        year, base, adjusted_fen, spend, code_arr, rng
    )
    costs, cost_facts = _costs(year, base, spend, code_arr, rng, level)
    out = {
        "projects": projects,
        "spending": _spending_table(year, spend, code_arr),
        "indicators": ind,
        "indicator_actuals": actuals,
        "costs": costs,
        "self_evaluations": _self_evaluations(
            year, base, adjusted_fen, spend, claimed_sum, has_ind, over_claim, code_arr, rng
        ),
    }
    facts = _YearFacts(adjusted_fen, _year_end_spend(spend), spend.last_month, has_ind, *cost_facts)
    return out, codes_list, facts


# ---------------------------------------------------------------------------------------
# Spending: cumulative fen per project and month, then split into fund-source keys.


@dataclass
class _Spend:
    cum: np.ndarray  # (n, 12) cumulative fen, project total
    last_month: np.ndarray  # last month reported (12 unless 未报送)
    forecast: np.ndarray  # fen, -1 = none
    two_keys: np.ndarray
    carry: np.ndarray  # fen of 上年结转 on two-key projects
    single_source: np.ndarray  # 0: '' ; 1: 当年财政拨款
    curve: np.ndarray  # (n, 12) share of the year's spending reached by each month
    on_calendar: np.ndarray  # outputs follow the calendar rather than the spending
    output_curve: np.ndarray  # exponent g: outputs reach curve ** g of the year's target
    output_effect: np.ndarray  # multiplier on year-end attainment


def _spending(year, spec, base, adjusted_fen, initial_fen, zero_budget, large, rng) -> _Spend:
    n = base.n
    weights = MONTH_WEIGHTS * rng.gamma(16.0, 1 / 16.0, (n, 12))
    share = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    share[:, -1] = 1.0
    u = rng.random(n)
    over_y, over_r = u < 0.02, (u >= 0.02) & (u < 0.03)
    laggard = (u >= 0.03) & (u < 0.11)
    laggard |= large & (rng.random(n) < 0.25) & ~over_y & ~over_r
    normal = ~(over_y | over_r | laggard)
    e = np.where(rng.random(n) < 0.3, 1.0, 1.0 - 0.12 * rng.beta(1.3, 3.0, n))
    e = np.where(over_y, rng.uniform(1.01, 1.095, n), e)
    e = np.where(over_r, rng.uniform(1.12, 1.35, n), e)
    e = np.where(laggard, rng.uniform(0.55, 0.9, n), e)
    h = np.where(laggard, rng.uniform(1.8, 3.2, n), rng.lognormal(0.0, 0.08, n))
    # half the overruns are there by mid-year (often an adjustment not yet imported)
    h = np.where((over_y | over_r) & (rng.random(n) < 0.5), rng.uniform(0.05, 0.3, n), h)
    curve = share ** h[:, None]
    budget = adjusted_fen.astype(np.float64)
    # of the projects cut to a zero budget, every other one still shows some spending
    spends_anyway = zero_budget & (np.cumsum(zero_budget) % 2 == 1)
    budget = np.where(zero_budget, initial_fen * 0.05 * spends_anyway, budget)
    cum = np.rint(budget[:, None] * e[:, None] * curve).astype(np.int64)
    # reversals (冲销): one month's cumulative falls below the month before
    rev = (rng.random(n) < 0.015) & (cum[:, 10] > 0)
    k = rng.integers(4, 11, n)  # the month index (0-based) whose period amount is negative
    rows = np.flatnonzero(rev)
    prev = cum[rows, k[rows] - 1]
    cum[rows, k[rows]] = prev - np.rint(prev * rng.uniform(0.05, 0.3, len(rows))).astype(np.int64)
    rows = rows[cum[rows, k[rows]] >= cum[rows, k[rows] - 1]]
    cum[rows, k[rows]] -= 100  # a reversal even where the month before was 0
    # 未报送: the current year's last months missing on a few projects
    last = np.full(n, 12)
    if year == DEMO_YEAR:
        silent = rng.random(n) < 0.015
        last[silent] = rng.integers(9, 12, silent.sum())
    # 全年预计执行数 from month 6 on ~30% of projects (more often on laggards)
    has_fc = rng.random(n) < np.where(laggard, 0.6, 0.27)
    frac = np.clip(e + rng.normal(0.0, 0.03, n), 0.3, 1.4)
    forecast = np.where(has_fc, np.rint(budget * frac / 10_000) * 10_000, -1).astype(np.int64)
    two = rng.random(n) < spec.two_key_share
    carry = np.rint(cum[:, -1] * rng.uniform(0.1, 0.5, n)).astype(np.int64) * two
    carry = np.maximum(carry, 0)
    # outputs: normally in step with spending; some run far behind or ahead of it
    v = rng.random(n)
    g = rng.lognormal(0.0, 0.05, n)
    out_lag = normal & (v < 0.06)
    g = np.where(out_lag, rng.uniform(2.0, 3.0, n), g)
    g = np.where(normal & (v >= 0.06) & (v < 0.085), rng.uniform(0.35, 0.6, n), g)
    # 60% of slow spenders deliver slowly too; the rest deliver on the calendar (mismatch)
    on_calendar = laggard & (v >= 0.6)
    effect = np.where(out_lag | laggard, rng.uniform(0.82, 1.0, n), 1.0)
    return _Spend(
        cum,
        last,
        forecast,
        two,
        carry,
        (rng.random(n) < 0.4).astype(np.int64),
        curve,
        on_calendar,
        g,
        effect,
    )


def _spending_table(year: int, s: _Spend, code_arr: pa.Array) -> pa.Table:
    n = len(s.cum)
    fund_sources = ("", "当年财政拨款", "上年结转")
    # per project: key A (single source, or 当年财政拨款) and, on two-key projects, 上年结转
    carry_cum = np.minimum(s.cum, s.carry[:, None])
    carry_cum = np.where(s.two_keys[:, None], carry_cum, 0)
    main_cum = s.cum - carry_cum
    has_fc = s.forecast >= 0
    fc_carry = np.where(s.two_keys & has_fc, np.minimum(s.forecast, s.carry), 0)
    fc_main = np.where(has_fc, s.forecast - fc_carry, -1)
    fc_carry = np.where(has_fc, fc_carry, -1)
    proj = np.repeat(np.arange(n), 12)
    month = np.tile(np.arange(1, 13), n)
    key_main = np.where(s.two_keys, 1, s.single_source)
    blocks = [(proj, month, np.repeat(key_main, 12), main_cum.ravel(), np.repeat(fc_main, 12))]
    two = np.flatnonzero(s.two_keys)
    blocks.append(
        (
            np.repeat(two, 12),
            np.tile(np.arange(1, 13), len(two)),
            np.full(len(two) * 12, 2),
            carry_cum[two].ravel(),
            np.repeat(fc_carry[two], 12),
        )
    )
    p, m, key, cum, fc = (np.concatenate(c) for c in zip(*blocks, strict=True))
    keep = m <= s.last_month[p]
    p, m, key, cum, fc = p[keep], m[keep], key[keep], cum[keep], fc[keep]
    order = np.lexsort((m, key, p))
    p, m, key, cum, fc = p[order], m[order], key[order], cum[order], fc[order]
    fc_null = (fc < 0) | (m < 6)
    return _table(
        {
            "year": pa.array(np.full(len(p), year, np.int32)),
            "month": pa.array(m.astype(np.int32)),
            "project_code": pc.take(code_arr, pa.array(p)),
            "fund_source": _cat(key, fund_sources),
            "economic_class": _cat(np.zeros(len(p), np.int32), [""]),
            "cumulative_yuan": _dec(cum, 18, 2),
            "forecast_yuan": _dec(np.maximum(fc, 0), 18, 2, null=fc_null),
        }
    )


def _year_end_spend(s: _Spend) -> np.ndarray:
    return s.cum[np.arange(len(s.cum)), s.last_month - 1]


# ---------------------------------------------------------------------------------------
# Indicators and their monthly actuals.


def _indicators(year, base: _Base, adjusted_fen, spend: _Spend, code_arr: pa.Array, rng):
    n = base.n
    P = _POOLS
    counts = np.stack([rng.choice(len(p), n, p=p) for p in SLOT_COUNT_PROBS], axis=1)
    theme_of = np.array([P["themes"].index(t) for t in _TPL["theme"]])[base.template]
    eco_theme = np.isin(theme_of, [P["themes"].index(t) for t in ("green", "water", "sanitation")])
    counts[:, 6] = np.where(eco_theme, np.maximum(counts[:, 6], 1), counts[:, 6])
    no_targets = rng.random(n) < 0.01
    counts[no_targets] = 0
    has_ind = ~no_targets
    # expand to one row per indicator, ordered by project then slot
    pair_p = np.repeat(np.arange(n), 9)
    pair_l2 = np.tile(np.arange(9), n)
    c = counts.ravel()
    ip = np.repeat(pair_p, c)
    il2 = np.repeat(pair_l2, c)
    j = _runs(np.repeat(np.arange(len(c)), c))[0]
    starts = np.array([[P["pool_start"][t, k] for k in range(9)] for t in P["themes"]])
    lens = np.array([[P["pool_len"][t, k] for k in range(9)] for t in P["themes"]])
    owns = np.array([[P["pool_own"][t, k] for k in range(9)] for t in P["themes"]])
    pt = theme_of[ip]
    first = np.floor(rng.random(n * 9) * owns[theme_of[pair_p], pair_l2]).astype(np.int64)
    first = np.repeat(first, c)
    tid = starts[pt, il2] + (first + j) % lens[pt, il2]
    k = len(tid)

    # levels: Shanghai 2025 layout puts 成本 at level 1 with its own 10 points
    sh = base.shanghai_layout[ip] & (year == DEMO_YEAR)
    level1 = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2])[il2]
    l1_labels = ("产出指标", "效益指标", "满意度指标", "成本指标")
    l2_labels = (*tuple(l2 for _, l2 in LEVEL2), "经济成本指标")
    level2 = il2.copy()
    cost_l1 = sh & (il2 == 3)
    level1[cost_l1] = 3
    level2[cost_l1] = 9
    group = np.select([cost_l1, il2 <= 3, il2 <= 7], [1, 0, 2], 3)
    rank, size = _runs(ip * 4 + group)
    proj_has_sh_cost = np.zeros(n, bool)
    proj_has_sh_cost[ip[cost_l1]] = True
    total = np.array([50, 10, 30, 10])[group] - 10 * ((group == 0) & proj_has_sh_cost[ip])
    points = total // size + (rank < total % size)
    off = (rng.random(n) < 0.012) & has_ind  # points that do not sum to 90
    last_of_project = np.r_[ip[1:] != ip[:-1], True] if k else np.zeros(0, bool)
    bump = off[ip] & last_of_project
    points = np.where(bump, np.maximum(points + rng.choice([-5, 5], k), 0), points)

    # targets
    op = P["op"][tid].copy()
    tkind = P["kind"][tid]
    dec = P["decimals"][tid].astype(np.int64)
    budget_wan = adjusted_fen[ip] / 1e6
    scale = np.clip(budget_wan / 50.0, 0.05, None) ** 0.7
    target = np.select(
        [tkind == 0, tkind == 1, tkind == 2],
        [
            P["base"][tid] * scale * rng.lognormal(0, 0.3, k),
            P["choices"][tid, rng.integers(0, 4, k)],
            budget_wan * rng.uniform(1.0, 1.02, k),
        ],
        0.0,
    )
    target = _round(target, dec)
    target = np.where((tkind == 0) & (target <= 0), 10.0**-dec, target)
    target = np.where(tkind == 2, np.maximum(target, 0.01), target)
    not_applicable = rng.random(k) < 0.003
    op[not_applicable] = 4
    unit = P["unit"][tid]
    is_pct = unit == P["units"].index("%")
    cumulative = (il2 == 0) & (op == 0) & ~P["non_cumulative"][tid]

    # year-end attainment per indicator
    u = rng.random(k)
    a_qty = np.select(
        [u < 0.58, u < 0.87, u < 0.965, u < 0.98],
        [1.0, rng.uniform(1.0, 1.15, k), rng.uniform(0.8, 1.0, k), rng.uniform(0.3, 0.75, k)],
        rng.uniform(1.3, 1.8, k),
    )
    a_pct = np.select(
        [u < 0.72, u < 0.97, u < 0.99],
        [rng.uniform(1.0, 1.06, k), rng.uniform(0.93, 1.0, k), rng.uniform(0.7, 0.93, k)],
        rng.uniform(0.4, 0.7, k),
    )
    a = np.where(is_pct, a_pct, a_qty) * spend.output_effect[ip]
    r_le = np.select(
        [u < 0.8, u < 0.95],
        [rng.uniform(0.75, 1.0, k), rng.uniform(1.02, 1.25, k)],
        rng.uniform(1.3, 1.8, k),
    )
    q = rng.random(k)
    qual_level = np.select([q < 0.84, q < 0.95, q < 0.99], [0, 1, 2], 3)
    qual_level = np.where(spend.output_effect[ip] < 0.88, np.maximum(qual_level, 1), qual_level)
    # about one project in 128 falls far short of all its targets, all year: with every value
    # reported it is a complete self-evaluation graded 差 (no random draw, so the rest of the
    # demo is unchanged)
    poor = (has_ind & (np.arange(n) % 128 == 64))[ip]
    a = np.where(poor, a * 0.4, a)
    r_le = np.where(poor, r_le * 2.5, r_le)
    qual_level = np.where(poor, 3, qual_level)

    months = np.arange(1, 13) if year == DEMO_YEAR else np.array([12])
    nm = len(months)
    t = months / 12.0
    g = spend.output_curve[ip] * rng.lognormal(0.0, 0.05, k)
    # outputs move with the project's own spending, or (on_calendar) with the calendar
    paced = 0.5 * t + 0.5 * np.cumsum(MONTH_WEIGHTS)[months - 1]
    own = spend.curve[ip][:, months - 1]
    base_curve = np.where(spend.on_calendar[ip][:, None], paced[None, :], own)
    progress_curve = base_curve ** g[:, None]  # (k, nm), 1 at month 12
    # in-year dip of 产出 rates (quality, timeliness) on projects whose outputs lag
    lag = np.clip(progress_curve / paced[None, :], 0.4, 1.0) ** 0.5
    lag = np.where((il2 <= 2)[:, None], lag, 1.0)
    cost_to_date = spend.cum[ip][:, months - 1] / 1e6  # 万元
    eq_value = np.where(rng.random(k) < 0.9, target, target * rng.uniform(0.9, 0.99, k))
    zero_target_value = rng.choice([0.0, 1.0, 2.0], k, p=[0.97, 0.025, 0.005])
    # over-achievement builds up over the year (which keeps cumulative values growing)
    T = target[:, None]
    A = np.where(a[:, None] > 1.0, 1.0 + (a[:, None] - 1.0) * t[None, :], a[:, None])
    value = np.select(
        [
            (op == 0)[:, None] & cumulative[:, None],
            (op == 0)[:, None] & is_pct[:, None],
            (op == 0)[:, None],
            (op == 1)[:, None],
            (op == 2)[:, None] & (tkind == 2)[:, None],
            (op == 2)[:, None] & (target == 0)[:, None],
            (op == 2)[:, None],
        ],
        [
            T * A * progress_curve,
            np.minimum(T * A * lag, 100.0),
            T * A * lag,
            np.broadcast_to(eq_value[:, None], (k, nm)),
            np.broadcast_to(cost_to_date, (k, nm)),
            np.broadcast_to(zero_target_value[:, None], (k, nm)),
            T * r_le[:, None] / lag,
        ],
        np.nan,
    )
    value = _round(value, dec[:, None])
    qual = np.broadcast_to(qual_level[:, None], (k, nm)).copy()
    qual = np.where((lag < 0.8) & (months < 12)[None, :], np.maximum(qual, 2), qual)
    qual = np.where(not_applicable[:, None], 4, qual)
    numeric = op <= 2
    value = np.where(numeric[:, None], value, np.nan)
    # in-year progress v, for reasons and claimed scores
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            (op == 2)[:, None],
            np.where(value <= T, 1.0, T / value),
            np.where(T == 0, 1.0, value / T),
        )
        v = np.where(cumulative[:, None], value / (T * t[None, :]), ratio)
        v = np.where(op[:, None] == 3, QUALITATIVE_FACTOR[qual], v)
    reason_roll = rng.random((k, nm))
    reason_pick = rng.integers(0, AHEAD_REASON, (k, nm))
    reason = np.where((v < 0.8) & (reason_roll < 0.85), reason_pick, -1)
    reason = np.where((v >= 1.2) & (reason_roll < 0.25), AHEAD_REASON, reason)
    reason = np.where(not_applicable[:, None], -1, reason)
    # claimed 得分 at year end; over-claimers give themselves full points
    over_claim = rng.random(n) < 0.12
    capped = np.minimum(np.nan_to_num(v[:, -1]), 1.0)
    claimed = np.where(over_claim[ip], points, np.round(points * capped, 2))
    claimed_null = not_applicable
    claimed_sum = np.bincount(ip, weights=np.where(claimed_null, 0, claimed), minlength=n)
    # period targets (序时目标值) on a few cumulative indicators
    seasonal = np.cumsum(MONTH_WEIGHTS)[months - 1]
    with_pt = cumulative & (rng.random(k) < 0.05)
    period_target = _round(T * seasonal[None, :], dec[:, None])

    # rows, then missing months (未填报) and projects that stopped reporting
    row_i = np.repeat(np.arange(k), nm)
    row_m = np.tile(months, k)
    sloppy = (rng.random(n) < 0.03)[ip][row_i]  # a few units leave many months blank
    miss = rng.random(k * nm) < np.where(
        row_m == 12, np.where(sloppy, 0.15, 0.001), np.where(sloppy, 0.25, 0.002)
    )
    keep = ~miss & (row_m <= spend.last_month[ip][row_i])
    row_i, row_m = row_i[keep], row_m[keep]
    col = np.searchsorted(months, row_m)
    val = value[row_i, col]
    is_year_end = row_m == 12
    cl = claimed[row_i]
    indicators = _table(
        {
            "year": pa.array(np.full(k, year, np.int32)),
            "project_code": pc.take(code_arr, pa.array(ip)),
            "level1": _cat(level1, l1_labels),
            "level2": _cat(level2, l2_labels),
            "indicator_name": _cat(tid, P["name"]),
            "operator": _cat(op, OPERATORS),
            "target_value": _dec_from_float(target, 24, 6, null=op >= 3),
            "target_text": _target_text(op, target, tid, unit),
            "unit": _cat(np.maximum(unit, 0), P["units"], null=unit < 0),
            "points": _dec_from_float(points.astype(np.float64), 8, 2),
            "is_cumulative": pa.array(np.zeros(k, bool), mask=~P["non_cumulative"][tid]),
        }
    )
    actuals = _table(
        {
            "year": pa.array(np.full(len(row_i), year, np.int32)),
            "project_code": pc.take(indicators["project_code"], pa.array(row_i)),
            "level1": pc.take(indicators["level1"], pa.array(row_i)),
            "level2": pc.take(indicators["level2"], pa.array(row_i)),
            "indicator_name": pc.take(indicators["indicator_name"], pa.array(row_i)),
            "month": pa.array(row_m.astype(np.int32)),
            "actual_value": _dec_from_float(val, 24, 6, null=np.isnan(val)),
            "actual_text": _cat(
                qual[row_i, col],
                QUALITATIVE_ACTUALS,
                null=(op[row_i] <= 2) & ~not_applicable[row_i],
            ),
            "period_target": _dec_from_float(
                period_target[row_i, col], 24, 6, null=~with_pt[row_i]
            ),
            "reason": _cat(np.maximum(reason[row_i, col], 0), REASONS, null=reason[row_i, col] < 0),
            "claimed_score": _dec_from_float(cl, 8, 2, null=~is_year_end | claimed_null[row_i]),
        }
    )
    return indicators, actuals, claimed_sum, has_ind, over_claim


def _round(x: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    scale = 10.0**decimals
    return np.round(x * scale) / scale


def _target_text(op, target, tid, unit) -> pa.Array:
    """The target as a file writes it: "≥95%", "≤90万元", "效果明显"."""
    number = pc.cast(_dec_from_float(target, 24, 6), pa.string())
    number = pc.utf8_rtrim(pc.utf8_rtrim(number, characters="0"), characters=".")
    unit_text = pc.fill_null(
        _cat(np.maximum(unit, 0), _POOLS["units"], null=unit < 0).dictionary_decode(), ""
    )
    written = _str_concat(_cat(np.minimum(op, 2), OPERATORS), number, unit_text)
    qualitative = _cat(tid, _POOLS["text"]).dictionary_decode()
    out = pc.if_else(pa.array(op == 3), qualitative, written)
    return pc.if_else(pa.array(op == 4), pa.scalar("不适用"), out)


# ---------------------------------------------------------------------------------------
# Costs of the comparable (一类事) projects, and the cost standards they are judged against.


def _cost_options():
    classes, units, std, has_std = [], [], [], []
    for c, options in COST_UNITS.items():
        for unit, cost, exists in options:
            classes.append(SERVICE_CLASSES.index(c))
            units.append(unit)
            std.append(cost)
            has_std.append(exists)
    return np.array(classes), units, np.array(std), np.array(has_std)


def _standard_cost(std_2025: np.ndarray, year: int) -> np.ndarray:
    """Unit cost standard of a year (元, 4 decimals): 3% below the next year's (2024's is
    0.97 × 2025's, 2023's 0.97²)."""
    return np.round(std_2025 * 0.97 ** (DEMO_YEAR - year), 4)


def _cost_standards() -> pa.Table:
    classes, units, std, has_std = _cost_options()
    idx = np.flatnonzero(has_std)
    years = np.repeat(np.array(YEARS), len(idx))
    rows = np.tile(idx, len(YEARS))
    cost = np.concatenate([_standard_cost(std[idx], y) for y in YEARS])
    return _table(
        {
            "year": pa.array(years.astype(np.int32)),
            "service_class": _cat(classes[rows], SERVICE_CLASSES),
            "output_unit": _cat(rows, units),
            "standard_unit_cost_yuan": _dec_from_float(cost, 18, 4),
        }
    )


def _costs(
    year, base: _Base, spend: _Spend, code_arr: pa.Array, rng, level: np.ndarray | None = None
) -> tuple[pa.Table, tuple[np.ndarray, ...]]:
    """The year's cost rows, and per project (quantity, option, has costs) for the requests.
    level: per project, its district's price level for its class (city scale), else None."""
    n = base.n
    service_class = _TPL["service_class"][base.template]
    total = _year_end_spend(spend)
    opt_class, opt_units, opt_std, _ = _cost_options()
    first = np.searchsorted(opt_class, np.arange(len(SERVICE_CLASSES)))
    n_opts = np.bincount(opt_class, minlength=len(SERVICE_CLASSES))
    sc = np.maximum(service_class, 0)
    option = first[sc] + ((rng.random(n) < 0.15) & (n_opts[sc] > 1))
    u = rng.random(n)
    dev = np.select(
        [u < 0.72, u < 0.78, u < 0.90],
        [
            np.clip(rng.normal(0.0, 0.04, n), -0.09, 0.09),
            rng.uniform(-0.3, -0.1, n),
            rng.uniform(0.11, 0.19, n),
        ],
        rng.uniform(0.22, 0.6, n),
    )
    std = _standard_cost(opt_std[option], year)
    unit_dec = np.where(np.array(opt_units)[option] == "公里", 2, 0)
    unit_cost = std * (1.0 + dev) if level is None else std * (1.0 + dev) * level
    quantity = _round(total / 100.0 / unit_cost, unit_dec)
    has_costs = (service_class >= 0) & (total > 0) & (quantity > 0)
    selected = np.flatnonzero(has_costs)
    n_sel = len(selected)
    present = np.ones((n_sel, 5), bool)
    present[:, 1] = rng.random(n_sel) < 0.6
    present[:, 4] = rng.random(n_sel) < 0.4
    shares = (
        np.array([0.35, 0.15, 0.35, 0.10, 0.05]) * rng.gamma(8.0, 1 / 8.0, (n_sel, 5)) * present
    )
    shares /= shares.sum(axis=1, keepdims=True)
    amounts = np.floor(total[selected, None] * shares).astype(np.int64)
    amounts[:, 2] += total[selected] - amounts.sum(axis=1)  # 运行维护 takes the rounding
    p = np.repeat(selected, 5)
    item = np.tile(np.arange(5), n_sel)
    keep = present.ravel()
    p, item, amount = p[keep], item[keep], amounts.ravel()[keep]
    return _table(
        {
            "year": pa.array(np.full(len(p), year, np.int32)),
            "project_code": pc.take(code_arr, pa.array(p)),
            "cost_item": _cat(item, COST_ITEMS),
            "amount_yuan": _dec(amount, 18, 2),
            "output_quantity": _dec_from_float(quantity[p], 24, 6),
            "output_unit": _cat(option[p], opt_units),
        }
    ), (quantity, option, has_costs)


@dataclass(frozen=True)
class _YearFacts:
    """What next year's budget requests need of the demo year, per project."""

    adjusted_fen: np.ndarray
    spent_fen: np.ndarray  # year-end spending (the last month reported)
    last_month: np.ndarray
    has_ind: np.ndarray
    cost_quantity: np.ndarray  # output quantity of its costs (where has_costs)
    cost_option: np.ndarray  # its (class, output unit) option, index into _cost_options()
    has_costs: np.ndarray


def _district_cost_levels(world: _World, base: _Base, rng: np.random.Generator) -> np.ndarray:
    """City scale: what a unit of each class costs in each district against the city's
    standard. The central districts (黄浦 … 杨浦) are dearer, every district differs a little,
    by class a little more, and three district × class pairs are far out of line (two dear,
    one cheap). Per project: the level of its district and class."""
    n_d, n_c = len(world.districts), len(SERVICE_CLASSES)
    central = np.isin(np.arange(n_d), np.arange(1, 8))  # areas: 市本级, then CITY_DISTRICTS
    by_district = np.where(central, 1.06, 0.98) * rng.lognormal(0.0, 0.04, n_d)
    levels = by_district[:, None] * rng.lognormal(0.0, 0.03, (n_d, n_c))
    far = rng.choice(n_d * n_c, 3, replace=False)
    levels.flat[far] *= np.array(
        [rng.uniform(1.3, 1.5), rng.uniform(1.3, 1.5), rng.uniform(0.65, 0.75)]
    )
    service_class = np.maximum(_TPL["service_class"][base.template], 0)
    return levels[world.dept_district[base.dept], service_class]


def _budget_requests(
    world: _World,
    base: _Base,
    facts: _YearFacts,
    level: np.ndarray | None,
    rng: np.random.Generator,
) -> pa.Table:
    """Next year's 预算申请 (REQUEST_YEAR) from the demo year's projects: every project with
    costs (its class and output unit, the output planned a little above this year's), the
    projects whose self-evaluation comes out 差, a quarter of the others with a budget, and a
    few new projects (是否新增项目). Most ask what this year's output cost, a little more;
    half of those more than 10% above their class's cost this year bring the unit cost down
    to it, the others ask at their own (capped by cost where over the reference); a project
    that left a large balance plans the output it did not deliver and asks for its budget
    again (capped by result). A continuing project keeps its name, department and unit (the
    review links it to this year's by them); its code is the next year's."""
    n = base.n
    _, opt_units, opt_std, _ = _cost_options()
    poor = facts.has_ind & (np.arange(n) % 128 == 64)  # the 差 projects of _indicators
    funded = facts.adjusted_fen > 0
    idx = np.flatnonzero(funded & (facts.has_costs | poor | (rng.random(n) < 0.25)))
    k = len(idx)
    costed = facts.has_costs[idx]
    option = facts.cost_option[idx]
    unit_dec = np.where(np.array(opt_units)[option] == "公里", 2, 0)
    quantity = np.where(costed, facts.cost_quantity[idx], 1.0)
    spent_rate = facts.spent_fen[idx] / facts.adjusted_fen[idx]
    behind = spent_rate < 0.8
    planned = (
        quantity * rng.uniform(0.98, 1.06, k) / np.where(behind, np.maximum(spent_rate, 0.3), 1.0)
    )
    planned = np.maximum(_round(planned, unit_dec), 10.0**-unit_dec)
    this_cost = facts.spent_fen[idx] / 100.0 / quantity
    rectify = (this_cost > opt_std[option] * 1.1) & (rng.random(k) < 0.5)
    unit_cost = np.where(
        rectify, opt_std[option] * rng.uniform(0.95, 1.05, k), this_cost * rng.uniform(1.0, 1.03, k)
    )
    asked = np.where(
        costed, planned * unit_cost, facts.adjusted_fen[idx] / 100.0 * rng.lognormal(0.02, 0.08, k)
    )

    # new projects: in the department and unit of a project with costs, of its class and unit
    candidates = np.flatnonzero(facts.has_costs & funded)
    n_new = min(max(3, round(k * 0.03)), 999, len(candidates))
    seeds = np.sort(rng.choice(candidates, n_new, replace=False))
    new_option = facts.cost_option[seeds]
    new_dec = np.where(np.array(opt_units)[new_option] == "公里", 2, 0)
    new_planned = np.maximum(
        _round(facts.cost_quantity[seeds] * rng.uniform(0.4, 1.2, n_new), new_dec), 10.0**-new_dec
    )
    dev = np.where(
        rng.random(n_new) < 0.4, rng.uniform(0.12, 0.45, n_new), rng.uniform(-0.08, 0.08, n_new)
    )
    new_cost = opt_std[new_option] * (1.0 + dev) * (1.0 if level is None else level[seeds])
    new_names = [
        f"{world.dept_short[d]}{_TPL['name'][t]}（{REQUEST_YEAR}年新增）"
        for d, t in zip(base.dept[seeds], base.template[seeds], strict=True)
    ]

    project = np.concatenate([idx, seeds])
    dept = base.dept[project]
    dept_codes = np.array(world.dept_code)[dept]
    seq = np.concatenate([base.seq[idx], 9001 + np.arange(n_new)])
    codes = np.char.add(
        np.char.add(f"{REQUEST_YEAR}-", dept_codes),
        np.char.add("-", np.char.zfill(seq.astype(str), 4)),
    )
    has_quantity = np.concatenate([costed, np.ones(n_new, bool)])
    amount_yuan = np.concatenate([asked, new_planned * new_cost])
    amount_fen = (np.round(amount_yuan / 100.0) * 100 * 100).astype(np.int64)  # whole 百元
    service_class = _TPL["service_class"][base.template[project]]
    return _table(
        {
            "year": pa.array(np.full(len(project), REQUEST_YEAR, np.int32)),
            "project_code": pa.array(codes.tolist(), pa.string()),
            "project_name": pa.concat_arrays(
                [
                    pc.take(base.name, pa.array(idx)).cast(pa.string()),
                    pa.array(new_names, pa.string()),
                ]
            ),
            "department_code": _cat(dept, world.dept_code),
            "department_name": _cat(dept, world.dept_name),
            "unit_code": _cat(base.unit[project], world.unit_code),
            "service_class": _cat(
                np.maximum(service_class, 0), SERVICE_CLASSES, null=service_class < 0
            ),
            "requested_amount_yuan": _dec(amount_fen, 18, 2),
            "planned_output_quantity": _dec_from_float(
                np.concatenate([planned, new_planned]), 24, 6, null=~has_quantity
            ),
            "output_unit": _cat(
                np.concatenate([option, new_option]), opt_units, null=~has_quantity
            ),
            "is_new": pa.array(np.r_[np.zeros(k, bool), np.ones(n_new, bool)]),
        }
    )


# ---------------------------------------------------------------------------------------
# Self-evaluations (what units claimed) and rectifications.


def _self_evaluations(
    year,
    base: _Base,
    adjusted_fen,
    spend: _Spend,
    claimed_sum,
    has_ind,
    over_claim,
    code_arr: pa.Array,
    rng,
) -> pa.Table:
    n = base.n
    filed = has_ind & (base.budget_type != 3) & (adjusted_fen > 0) & (rng.random(n) < 0.95)
    rate = _year_end_spend(spend) / np.maximum(adjusted_fen, 1)
    execution = np.where(over_claim, 10.0, np.round(np.minimum(rate, 1.0) * 10.0, 2))
    total = execution + claimed_sum
    rounded_up = over_claim & (rng.random(n) < 0.4)
    total = np.where(rounded_up, np.minimum(np.ceil(total) + rng.integers(0, 4, n), 100.0), total)
    total = np.round(total, 2)
    grade = np.select([total >= 90, total >= 80, total >= 60], [0, 1, 2], 3)
    grade = np.where(rng.random(n) < 0.03, np.maximum(grade - 1, 0), grade)  # over-graded
    idx = np.flatnonzero(filed)
    return _table(
        {
            "year": pa.array(np.full(len(idx), year, np.int32)),
            "project_code": pc.take(code_arr, pa.array(idx)),
            "execution_points": _dec_from_float(np.full(len(idx), 10.0), 8, 2),
            "claimed_execution_score": _dec_from_float(execution[idx], 8, 2),
            "claimed_total_score": _dec_from_float(total[idx], 8, 2),
            "claimed_grade": _cat(grade[idx], vocab.GRADES),
        }
    )


def _rectifications(base: _Base, codes_by_year: dict[int, list[str]], rng) -> pa.Table:
    n = base.n
    count = max(8, round(n * 100 / 1500))
    from_current = rng.random(count) < 0.85
    picks = rng.choice(n, count, replace=False)
    codes = np.where(
        from_current,
        np.array(codes_by_year[DEMO_YEAR])[picks],
        np.array(codes_by_year[DEMO_YEAR - 1])[picks],
    )
    jan1 = np.datetime64(f"{DEMO_YEAR}-01-01")
    dec31 = np.datetime64(f"{DEMO_YEAR}-12-31")
    feedback = jan1 + rng.integers(10, 350, count).astype("timedelta64[D]")
    u = rng.random(count)
    delay = np.where(u < 0.42, rng.integers(3, 31, count), rng.integers(31, 121, count))
    done = feedback + delay.astype("timedelta64[D]")
    open_ = (u >= 0.65) | (done > dec31)
    # open items lean late in the year, so some are not yet due or only just overdue
    late_fb = jan1 + rng.integers(300, 355, count).astype("timedelta64[D]")
    feedback = np.where(open_ & (rng.random(count) < 0.35), late_fb, feedback)
    return _table(
        {
            "project_code": pa.array(codes.tolist(), pa.string()),
            "issue": _cat(rng.integers(0, len(RECTIFICATION_ISSUES), count), RECTIFICATION_ISSUES),
            "feedback_date": pa.array(feedback.astype("datetime64[D]"), pa.date32()),
            "done_date": pa.array(done.astype("datetime64[D]"), pa.date32(), mask=open_),
        }
    )
