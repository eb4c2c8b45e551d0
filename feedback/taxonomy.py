"""Fixed vocabularies: case kinds and states, the two-level case category
taxonomy, the five rating levels and the reasons a bad rating must give.

Kept in code (not a table) because every value is referenced by the rules;
adding a category is a code change that goes through review and a release.
"""

from __future__ import annotations

from mobile_api.db import MAX_INTEGER_ID

CASE_KINDS = {
    "consultation": "咨询",
    "complaint": "投诉",
    "suggestion": "建议",
    "help": "求助",
    "report": "举报",
}

# submitted: waiting for the dispatcher; returned: a department sent it back
# (退单) to the dispatcher; dispatched: a department is handling it;
# replied: answered, waiting for the citizen's satisfaction; closed: finished;
# merged: a duplicate linked to an earlier case; withdrawn: the citizen's
# account was erased while the case was open.
CASE_STATES = ("submitted", "dispatched", "returned", "replied", "closed", "merged", "withdrawn")
OPEN_STATES = ("submitted", "dispatched", "returned")

# The citizen's verdict on a reply.
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}

# Two levels: "<group>.<leaf>". The leaf is what a case carries.
CATEGORIES: dict[str, tuple[str, dict[str, str]]] = {
    "service": ("政务服务", {
        "process": "办事流程",
        "materials": "申请材料",
        "time_limit": "办理时限",
        "online": "网上办事",
        "booking": "预约取号",
    }),
    "conduct": ("工作作风", {
        "attitude": "服务态度",
        "efficiency": "办事效率",
        "discipline": "工作纪律",
        "fees": "违规收费",
    }),
    "facilities": ("场所设施", {
        "hall_environment": "大厅环境",
        "self_service": "自助设备",
        "accessibility": "无障碍设施",
    }),
    "policy": ("政策法规", {
        "social_security": "社保医保",
        "housing": "住房公积金",
        "household": "户籍证件",
        "tax": "税费",
        "other": "其他政策",
    }),
    "public_affairs": ("公共事务", {
        "urban_management": "城市管理",
        "traffic": "交通出行",
        "environment": "生态环境",
        "market": "市场监管",
        "other": "其他",
    }),
}
CATEGORY_CODES = frozenset(f"{group}.{leaf}" for group, (_, leaves) in CATEGORIES.items() for leaf in leaves)

ABOUT_TYPES = ("department", "hall", "window", "item", "application")

# The departments of docs/DEVELOPING.md (the catalogue uses the same codes).
DEPARTMENTS = {
    "gongan": "公安局", "renshe": "人力资源和社会保障局", "yibao": "医疗保障局",
    "budongchan": "不动产登记中心", "minzheng": "民政局", "gongjijin": "住房公积金管理中心",
    "shuiwu": "税务局", "weijian": "卫生健康局", "jiaoyu": "教育局", "shichang": "市场监督管理局",
    "jiaotong": "交通运输局", "zhujian": "住房和城乡建设局", "canlian": "残疾人联合会",
}

# The national 好差评 scale; stored as 5 (best) … 1 (worst).
LEVELS = {
    "very_satisfied": (5, "非常满意"),
    "satisfied": (4, "满意"),
    "basically_satisfied": (3, "基本满意"),
    "unsatisfied": (2, "不满意"),
    "very_unsatisfied": (1, "非常不满意"),
}
LEVEL_BY_VALUE = {value: code for code, (value, _) in LEVELS.items()}
BAD_LEVELS = (1, 2)
BASICALLY_SATISFIED = LEVELS["basically_satisfied"][0]

# Reasons a bad rating must choose from (差评原因).
BAD_REASONS = {
    "attitude": "服务态度差",
    "slow": "办理时间过长",
    "repeated_visits": "多次跑动",
    "unclear_guidance": "一次性告知不清楚",
    "extra_materials": "要求提供不必要的材料",
    "system_problem": "系统故障或网办不畅",
    "not_solved": "问题未解决",
    "unfair": "办事不公或违规",
    "other": "其他",
}

RATED_EVENT_KINDS = ("ticket", "application", "case")

# Ids are 32-bit integer columns; a larger number in a path or body is simply
# not found (PostgreSQL would otherwise refuse the query with an error).
MAX_ID = MAX_INTEGER_ID


def is_valid_id(value) -> bool:
    return isinstance(value, int) and 1 <= value <= MAX_ID

RECTIFICATION_STATES = ("pending_callback", "called_back", "rectified", "explained", "appealed",
                        "appeal_upheld")
RECTIFICATION_DONE = ("rectified", "explained", "appeal_upheld")
