"""The platform's words, described once for the contract.

A field says what it is where it is declared (`metadata={"description": …,
"example": …}` on the marshmallow field). The words the whole platform uses
with one meaning (DESIGN.md, "Words") appear in dozens of schemas; they are
described here once and fill only the fields that say nothing themselves
(`fill_spec`). A key is a field name, or `Schema.field` where one schema uses
a word in a sense of its own; the more specific key wins, and a field's own
metadata wins over both.
"""

from __future__ import annotations

_TIME = "（UTC，ISO 8601）"

DESCRIPTIONS: dict[str, str] = {
    # Identifiers and codes
    "id": "本对象的编号",
    "Certificate.id": "电子证照编号",
    "Theme.id": "一件事（主题服务）编码", "ThemeDetail.id": "一件事（主题服务）编码",
    "code": "编码",
    "Item.code": "事项编码", "ItemDraft.code": "事项编码", "ItemSummary.code": "事项编码",
    "ItemVersion.code": "事项编码", "ItemVersionSummary.code": "事项编码", "SearchHit.code": "事项编码",
    "Material.code": "材料编号（事项内唯一，如 M01）", "MaterialIn.code": "材料编号（事项内唯一，如 M01）",
    "MaterialStatus.code": "材料编号（事项内唯一，如 M01）",
    "Department.code": "部门编码", **{f"{hall}.code": "服务大厅编码" for hall in ("HallDetail", "HallListEntry", "AdminHall")},
    "CategoryGroup.code": "投诉咨询类别编码（一级）", "CategoryLeaf.code": "投诉咨询类别编码（二级，`一级.二级`）",
    "LifeEvent.code": "人生事件 / 法人事件编码", "LifeEventRef.code": "人生事件 / 法人事件编码",
    "implementation_code": "实施编码", "item_code": "事项编码（12 位）", "item": "事项编码（12 位）",
    "department_code": "部门编码", "department_name": "部门名称", "hall_id": "服务大厅编号",
    "hall_name": "服务大厅名称", "window_id": "窗口编号", "queue_id": "队列编号", "appointment_id": "预约编号",
    "event_id": "被评价事件的编号（按 event_kind：预约、取号、申请或诉求）", "rating_id": "好差评编号",
    "rectification_id": "差评整改编号", "theme_id": "一件事（主题服务）编码",
    "theme_application_id": "所属一件事申请的编号；单独申请的事项为 null", "certificate_id": "办结后签发的电子证照编号",
    "duplicate_of_id": "被合并到的诉求编号（重复件）", "challenge_id": "活体检测挑战编号", "verify_id": "人脸核身流水号",
    "public_id": "市民的对外编号（不含个人信息）", "principal_id": "操作主体编号", "actor_id": "操作人编号",
    "object_id": "被操作对象的编号", "request_id": "请求编号（X-Request-ID）", "template_id": "订阅消息模板编号",
    "device_code": "自助终端设备编码", "material_code": "材料编号（事项内唯一，如 M01）",
    "member_codes": "包含的事项编码", "needed_by": "需要此材料的事项编码", "used_by": "使用此字段的事项编码",
    "number": "编号", "Ticket.number": "排队号（队列前缀加序号，如 A012）", "HallBoardCall.number": "被叫的排队号",
    "BookingWindow.number": "窗口号", "Certificate.number": "证照编号", "Department.number": "部门排序号",
    # Names and text
    "name": "名称", "Item.name": "事项名称", "ItemDraft.name": "事项名称", "ItemSummary.name": "事项名称",
    "ItemVersion.name": "事项名称", "ItemVersionSummary.name": "事项名称", "SearchHit.name": "事项名称",
    "RealNameDeclare.name": "姓名（与身份证一致）", "FaceVerifyStart.name": "姓名（与身份证一致）",
    "FormField.name": "申请表字段名", "MergedFormField.name": "申请表字段名", "Material.name": "材料名称",
    "MaterialIn.name": "材料名称", "MaterialStatus.name": "材料名称", "MergedMaterial.name": "材料名称",
    "short_name": "部门简称", "display_name": "显示名", "item_name": "事项名称", "theme_name": "一件事名称",
    "window_name": "窗口名称", "username": "工作人员登录名", "label": "显示文字", "status_label": "状态的中文说明",
    "action_label": "操作的中文说明", "action_labels": "每一步动作的中文提示", "text": "正文",
    "CaseCreate.text": "诉求内容", "Case.text": "诉求内容", "CaseDetail.text": "诉求内容", "StaffCase.text": "诉求内容",
    "StaffCaseDetail.text": "诉求内容", "CaseReply.text": "答复内容", "ConsentText.text": "授权书全文",
    "Suggestion.text": "建议内容", "description": "说明", "note": "备注", "comment": "评价内容",
    "reason": "原因", "opinion": "审核意见", "q": "问题", "a": "解答", "title": "简短标题", "address": "地址",
    "town": "所在镇街", "phone": "咨询电话", "consult_phone": "咨询电话", "complaint_phone": "投诉电话",
    "article": "条款", "standard": "收费标准", "conditions": "受理条件", "condition": "提交条件（何种情形须提交）",
    "visits_reason": "须到现场的原因", "priority_note": "优先办理的说明", "extension_reason": "延期原因",
    "reply_text": "答复内容", "resolution_note": "整改结果说明", "callback_note": "回访记录",
    "appeal_note": "申诉裁决说明", "appeal_reason": "申诉理由", "calendar_note": "当日日历说明（如调休）",
    "holiday_name": "节假日名称", "tracking_number": "邮寄运单号", "postal_address": "邮寄送达地址",
    "original_name": "上传时的文件名", "query": "搜索词", "prefix": "排队号前缀", "window": "窗口号",
    "key": "分组键（按 group_by：部门编码、大厅、窗口、事项或工作人员编号）", "field": "申请表字段名",
    # People, roles and channels
    "role": "角色", "channel": "渠道", "channels": "可办理的渠道", "principal_kind": "操作主体类型",
    "actor_kind": "操作人类型", "actor_role": "操作人角色", "citizen": "登录的市民", "staff": "工作人员账号",
    "rated_by": "评价人类型", "created_by": "创建人", "published_by": "发布人", "reporter_hidden": "是否隐去诉求人信息",
    "citizen_level": "市民原评价等级", "real_name": "实名认证状态",
    # Identity and tokens
    "access_token": "访问令牌（JWT），放进 Authorization: Bearer", "refresh_token": "刷新令牌",
    "token_type": "令牌类型", "expires_in": "有效期（秒）", "password": "密码", "secret": "设备密钥",
    "id_number": "身份证号（18 位）", "id_number_masked": "脱敏身份证号", "name_masked": "脱敏姓名",
    "phone_masked": "脱敏手机号", "step_up_token": "核身通过后签发的短期凭证（X-Step-Up-Token）",
    "step_up_expires_in": "核身凭证有效期（秒）", "passed": "是否通过", "failures_left": "锁定前还可失败的次数",
    "threshold_score": "比对阈值", "reasons": "原因", "method": "方式", "max_frames": "最多帧数",
    "min_frames": "最少帧数", "text_version": "授权书版本", "consented": "是否已授权", "agree": "是否同意",
    "unionid_linked": "是否已按 unionid 关联", "revoked": "是否已撤销", "valid": "是否有效",
    "certificate": "证照信息",
    # Catalogue
    "item_type": "事项类型", "promised_days": "承诺办结时限（工作日）", "statutory_days": "法定办结时限（工作日）",
    "visits_required": "到办事现场次数", "online_depth": "网办深度（1–4，4 为全程网办）", "instant": "是否即办件",
    "cross_town": "是否跨镇通办", "appointment_supported": "是否可预约", "in_person_required": "是否须本人到场或核身",
    "postal_delivery": "是否可邮寄送达", "effective_date": "生效日期", "service_object": "服务对象",
    "steps": "办理流程", "keywords": "搜索关键词", "topics": "主题分类", "life_events": "所属人生 / 法人事件编码",
    "legal_basis": "设定依据", "fees": "收费项目", "amount_yuan": "金额（元）", "faqs": "常见问题",
    "materials": "申请材料", "form_fields": "申请表字段", "certificate_type": "办结后签发的证照类型",
    "copies": "份数", "form": "申请表内容（字段名 → 值）", "Material.form": "材料形式",
    "MaterialIn.form": "材料形式", "MergedMaterial.form": "材料形式", "source": "来源", "required": "是否必填",
    "options": "可选值", "type": "字段类型", "validation": "校验规则", "commitment_allowed": "是否可告知承诺代替",
    "shared_waiver": "一件事中共享提交后是否免交", "version": "版本号", "revision": "修订号",
    "catalogue_version": "目录版本号（增量同步用）", "items": "条目", "members": "包含的事项", "item_count": "事项数",
    "total": "总数", "kind": "类型", "level": "层级", "categories": "类别", "children": "下级类别",
    # Time
    "created_at": "创建时间" + _TIME, "updated_at": "最后修改时间" + _TIME, "submitted_at": "提交时间" + _TIME,
    "accepted_at": "受理时间" + _TIME, "decided_at": "审批决定时间" + _TIME, "completed_at": "办结时间" + _TIME,
    "delivered_at": "送达时间" + _TIME, "cancelled_at": "取消时间" + _TIME, "checked_in_at": "签到时间" + _TIME,
    "issued_at": "签发时间" + _TIME, "revoked_at": "撤销时间" + _TIME, "called_at": "叫号时间" + _TIME,
    "closed_at": "办结时间" + _TIME, "replied_at": "答复时间" + _TIME, "reply_due_at": "答复期限" + _TIME,
    "due_at": "整改期限" + _TIME, "callback_due_at": "回访期限" + _TIME, "called_back_at": "回访时间" + _TIME,
    "opened_at": "整改开始时间" + _TIME, "resolved_at": "整改完成时间" + _TIME, "rated_at": "评价时间" + _TIME,
    "consented_at": "授权时间" + _TIME, "enrolled_at": "底库照片登记时间" + _TIME, "expires_at": "过期时间" + _TIME,
    "linked_at": "关联时间" + _TIME, "last_login_at": "最近登录时间" + _TIME,
    "phone_bound_at": "手机号绑定时间" + _TIME, "published_at": "发布时间" + _TIME, "retired_at": "停用时间" + _TIME,
    "occurred_at": "发生时间" + _TIME, "at": "时间" + _TIME, "starts_at": "开始时间" + _TIME,
    "ends_at": "结束时间" + _TIME, "start": "统计区间开始" + _TIME, "end": "统计区间结束（不含）" + _TIME,
    "date": "日期（Asia/Shanghai）", "time": "开始时刻（Asia/Shanghai，HH:MM）",
    "lunch_start": "午休开始（HH:MM）", "lunch_end": "午休结束（HH:MM）",
    "clock_start_date": "时限起算日", "warning_date": "黄牌预警日", "promised_due_date": "承诺办结期限",
    "statutory_due_date": "法定办结期限", "paused_working_days": "暂停计时的工作日数（补正期间）",
    "used_working_days": "已用工作日数", "statutory_overdue": "是否已超过法定时限", "days": "延期天数（工作日）",
    "extension_days": "已批准的延期天数（工作日）", "period_days": "评价有效期（天）",
    # States and flags
    "status": "状态", "state": "状态", "from_status": "变更前状态", "to_status": "变更后状态",
    "action": "动作", "allowed_actions": "当前可执行的动作", "decision": "审批结论", "outcome": "整改结论",
    "overdue": "是否已超期", "callback_overdue": "回访是否已超期", "extension_status": "延期申请状态",
    "satisfaction": "市民对答复的满意度", "rectification_state": "差评整改状态", "active": "是否启用",
    "open": "当日是否开放", "bookable": "是否可预约", "general": "是否综合窗口队列", "requeued": "是否过号后重新排队",
    "calendar_confirmed": "日历是否已确认（节假日安排已公布）", "upheld": "申诉是否成立", "approve": "是否批准",
    "appeal_upheld": "申诉是否成立", "reopen_count": "重办次数", "urge_count": "催办次数",
    "supplement_rounds": "补正次数", "call_count": "叫号次数", "database": "数据库状态", "redis": "Redis 状态",
    # Booking
    "capacity": "号源总数", "remaining": "剩余号源", "slots": "时段", "queue": "队列", "queues": "队列",
    "windows": "窗口", "calling": "正在叫号", "waiting": "等候人数", "estimated_wait_minutes": "预计等候分钟数",
    "priority_reason": "优先办理原因", "lat": "纬度（WGS-84）", "lng": "经度（WGS-84）",
    "appointments": "预约数", "appointment_tickets": "预约取号数", "walk_in_tickets": "现场取号数",
    "priority_tickets": "优先号数", "tickets": "取号数", "checked_in": "签到数", "completed": "办结数",
    "no_shows": "爽约数", "skipped": "过号数", "average_wait_minutes": "平均等候分钟数",
    "average_service_minutes": "平均办理分钟数",
    # Submissions
    "delivery_method": "送达方式", "commitments": "以告知承诺代替的材料编号", "waivers": "免交的材料及原因",
    "files": "已上传的文件", "deadline": "办理时限", "timeline": "办理过程", "supplement_request": "补正要求",
    "item_revision": "申请时事项的修订号", "item_version": "申请时事项的版本号", "content_type": "文件类型（MIME）",
    "size": "文件大小（字节）", "sha256": "文件内容的 SHA-256", "fields": "证照字段", "details": "附加信息",
    # Feedback
    "category": "类别（`一级.二级`）", "about_type": "诉求涉及的对象类型", "about_ref": "诉求涉及的对象编号",
    "event_kind": "被评价事件的类型", "kinds": "诉求类型及其中文名", "reply_days": "各类型的答复时限（工作日）",
    "levels": "各评价等级的数量", "bad_reasons": "差评原因（编码 → 中文）", "period": "统计周期",
    "group_by": "分组方式", "label": "显示文字", "overall": "总体统计", "rows": "分组统计",
    "bad_count": "差评数", "on_time_count": "按时整改数", "on_time_rate": "按时整改率", "rectified_count": "已整改数",
    "rectification_rate": "整改率", "satisfaction_rate": "满意率", "open_rectifications": "未完成整改数",
    "overdue_rectifications": "超期整改数", "templates": "已授权的订阅消息模板", "event": "订阅的事件",
    "ip": "来源 IP", "object_type": "被操作对象的类型",
}


def _each(words: dict[str, tuple[str, ...]], field: str) -> dict[str, str]:
    return {f"{schema}.{field}": text for text, schemas in words.items() for schema in schemas}


_CASES = ("Case", "CaseDetail", "StaffCase", "StaffCaseDetail")
_RATINGS = ("Rating", "StaffRating")
_RECTIFICATIONS = ("Rectification", "RectificationContact")
_HALLS = ("HallDetail", "HallListEntry", "AdminHall")
_ITEMS = ("Item", "ItemDraft", "ItemSummary", "ItemVersion", "SearchHit")
# The words that mean something else in each schema, said per schema.
DESCRIPTIONS.update({
    **_each({"申请编号": ("Application", "ApplicationSummary"), "预约编号": ("Appointment",),
             "审计记录编号": ("AuditEntry",), "队列编号": ("BookingQueue",), "窗口编号": ("BookingWindow",),
             "诉求编号": _CASES, "上传照片的编号（提交诉求时引用）": ("FeedbackUpload",), "服务大厅编号": _HALLS,
             "自助终端编号": ("KioskAccount",), "材料的内部编号": ("Material",), "文件编号": ("MaterialFile",),
             "好差评编号": _RATINGS, "差评整改编号": _RECTIFICATIONS, "工作人员编号": ("StaffAccount",),
             "一件事申请编号": ("ThemeApplication",), "排队票编号": ("Ticket",), "当前主体的编号": ("WhoAmI",)}, "id"),
    **_each({"申请状态": ("Application", "ApplicationSummary"), "预约状态": ("Appointment",),
             "进程存活（总为 ok）": ("Health",), "事项版本状态": ("Item", "ItemVersion", "ItemVersionSummary"),
             "就绪状态：数据库与 Redis 均可达为 ok": ("Ready",), "实名认证状态": ("RealNameStatus",),
             "排队状态": ("Ticket",), "HTTP 状态码": ("Problem",)}, "status"),
    **_each({"诉求状态": _CASES, "整改状态": _RECTIFICATIONS}, "state"),
    **_each({"诉求类型": _CASES, "主体类型": ("WhoAmI",)}, "kind"),
    **_each({"事项的办理层级（city 市级 | town 镇街 | village 村居）": _ITEMS,
             "评价等级": _RATINGS + _RECTIFICATIONS + ("RectificationRating",)}, "level"),
    **_each({"队列名称": ("BookingQueue", "HallBoardQueue"), "窗口名称": ("BookingWindow",),
             "类别名称": ("CategoryGroup", "CategoryLeaf"), "部门名称": ("Department",), "收费项目名称": ("Fee",),
             "服务大厅名称": _HALLS, "设备名称": ("KioskAccount",), "法律法规名称": ("LegalBasis",),
             "事件名称": ("LifeEvent", "LifeEventRef"), "一件事名称": ("Theme", "ThemeDetail")}, "name"),
    **_each({"差评原因编码（见 /ratings/options）": _RATINGS + _RECTIFICATIONS, "调整原因": ("CalendarOverride",
             "CalendarOverrideCreate"), "申请延期的原因": ("CaseExtend",), "转办原因": ("CaseTransfer",),
             "撤销原因": ("Revoke",), "停用原因": ("StaffDeactivate",), "须补正的原因": ("SupplementItem",),
             "证照无效的原因": ("VerifyResult",), "撤回原因": ("Withdraw",)}, "reason"),
    **_each({"未通过的原因": ("FaceVerifyResult", "Verification"), "各差评原因的数量": ("StaffRatingStats",)},
            "reasons"),
    **_each({"裁决说明": ("AppealDecision",), "派单说明": ("CaseDispatch",), "该步骤的说明": ("CaseTimelineEntry",),
             "审批说明": ("ExtensionDecision",), "材料说明": ("Material", "MaterialIn"),
             "回访记录": ("RectificationCallback",), "整改说明": ("RectificationResolve",)}, "note"),
    **_each({"可在本大厅办理的事项": ("HallDetail",), "命中的事项": ("SearchResponse",),
             "自 since 以来有变更的事项": ("Sync",)}, "items"),
    **_each({"步骤的中文说明": ("CaseTimelineEntry",), "字段的中文标签": ("FormField", "MergedFormField"),
             "统计区间的中文说明": ("RatingStats", "StaffRatingStats")}, "label"),
    "Deliver.method": "送达方式", "Material.source": "材料来源", "MaterialIn.source": "材料来源",
    "MergedMaterial.source": "材料来源", "Appointment.date": "预约日期（Asia/Shanghai）",
    "Ticket.date": "取号日期（Asia/Shanghai）", "HallDayStats.date": "统计日期（Asia/Shanghai）",
})

# Examples for the words whose value a reader could not guess from the type;
# enums, dates and times are taken from the schema (see examples.py).
EXAMPLES: dict[str, object] = {
    "item_code": "130300020000", "item": "130300020000", "Item.code": "130300020000",
    "ItemSummary.code": "130300020000", "SearchHit.code": "130300020000", "ItemDraft.code": "130300020000",
    "ItemVersion.code": "130300020000", "ItemVersionSummary.code": "130300020000",
    "implementation_code": "441913130300020000001", "department_code": "renshe", "Department.code": "renshe",
    "department_name": "市人力资源和社会保障局", "Department.name": "市人力资源和社会保障局", "material_code": "M01", "Material.code": "M01",
    "MaterialIn.code": "M01", "MaterialStatus.code": "M01", "hall_id": 1, "window_id": 3, "queue_id": 2,
    "theme_id": "newborn", "id_number": "441900199003071238", "id_number_masked": "4419**********1238",
    "name_masked": "张*", "phone_masked": "138****5678", "username": "chen.xiaoming", "password": "S3cure-pass-2026",
    "device_code": "KIOSK-CITY-01", "secret": "kiosk-secret-0123456789abcdef",
    "access_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "refresh_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIiwidHlwIjoicmVmcmVzaCJ9.c2ln",
    "token_type": "Bearer", "expires_in": 900, "RealNameDeclare.name": "张三", "FaceVerifyStart.name": "张三",
    "Item.name": "残疾人证换领", "ItemSummary.name": "残疾人证换领", "SearchHit.name": "残疾人证换领",
    "item_name": "残疾人证换领",
    **{f"{schema}.form": {"name": "张三", "id_number": "441900199003071238", "reason": "有效期届满"}
       for schema in ("ApplicationCreate", "ApplicationSubmitOnce", "ApplicationUpdate", "Application")},
    "Application.postal_address": "广东省东莞市南城街道鸿福路 99 号", "lat": 23.0207, "lng": 113.7518,
    "text": "窗口工作人员态度恶劣", "CaseReply.text": "已核实并批评教育当事人", "category": "conduct.attitude",
    "reason": "有效期届满", "note": "已电话联系市民", "comment": "办事很快", "opinion": "材料齐全，同意受理",
    "Ticket.number": "A012", "prefix": "A", "tracking_number": "SF1234567890", "code": "M01",
    "challenge_id": "c0a8012e5f3b4d8e9a1b2c3d4e5f6071", "verify_id": "fv-9f8e7d6c5b4a",
    "text_version": "2026-01", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "content_type": "application/pdf", "size": 48213, "original_name": "身份证.pdf", "days": 5,
    "template_id": "tmpl-appointment-reminder", "priority_note": "老年人优先",
    "public_id": "c-7f3a9b2e", "step_up_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdGVwIjoxfQ.c2ln",
    "event_id": 1024, "duplicate_of_id": 1020, "id": 1024, "Certificate.id": "CERT-2026-000123",
    "Theme.id": "newborn", "ThemeDetail.id": "newborn", "address": "东莞市南城街道鸿福路 99 号",
    "display_name": "张三", "q": "身份证丢了怎么办", "a": "先挂失，再到户籍窗口补领", "key": "renshe",
    "object_type": "application", "object_id": "1024", "action": "submit",
    "ip": "203.0.113.7", "request_id": "7b1c9a2f-1", "label": "2026 年 11 月", "time": "09:30",
    "window": "3", "window_name": "3 号综合窗口", "hall_name": "东莞市民服务中心",
    "status_label": "已提交待受理", "action_label": "提交申请", "conditions": "持有残疾人证且证件有效期届满",
    "theme_name": "新生儿出生一件事", "certificate_type": "残疾人证", "description": "把出生医学证明、户口登记、医保参保一次办好",
    "short_name": "人社局", "BookingWindow.number": "3", "Ticket.number": "A012", "HallBoardCall.number": "A012",
    "Certificate.number": "4419002026000123", "queue": "A", "BookingWindow.queues": ["A", "B"],
    "qr_payload": "ap1.1024.c2lnbmF0dXJl",
    "payload": "CERT-2026-000123.c2lnbmF0dXJl", "new_password": "N3w-S3cure-pass-2026", "appid": "wx1234567890abcdef",
    "client_result": "{\"errcode\":0}", "field": "reason", "created_by": "demo.admin", "event": "booking_reminder",
    "keywords": ["身份证", "补领"], "topics": ["户籍"], "steps": ["受理", "审核", "办结"], "life_events": ["出生"],
    "service_object": ["自然人"], "options": ["有效期届满", "损毁"], "member_codes": ["130300020000"],
    "needed_by": ["130300020000"], "used_by": ["130300020000"], "reasons": ["face_mismatch"],
    "allowed_actions": ["withdraw"], "actions": ["blink", "turn_left"], "action_labels": ["请眨眼", "请向左转头"],
    "matched": ["身份证"], "expansions": ["居民身份证"], "retired": ["130300010000"],
    "name_highlighted": "残疾人证<em>换领</em>", "effective_date": "2026-01-01", "consult_phone": "0769-12345",
    "complaint_phone": "0769-12345", "phone": "0769-12345", "Problem.type": "about:blank",
    "title": "号源已满", "detail": "该时段的号源已被约满，请选择其他时段", "Problem.method": "POST",
    "blocked_until": "2026-11-27T02:00:00Z", "check_in_from": "2026-11-27T01:00:00Z",
    "last_bookable_date": "2026-12-04", "current_version": "2026-01", "application_status": "submitted",
}

# `name` means something else in every schema.
EXAMPLES.update({f"{schema}.name": name for name, schemas in {
    "东莞市民服务中心": ("HallDetail", "HallListEntry"), "综合窗口": ("BookingQueue", "HallBoardQueue"),
    "3 号综合窗口": ("BookingWindow",), "工作作风": ("CategoryGroup",), "服务态度": ("CategoryLeaf",),
    "市人力资源和社会保障局": ("Department",), "张三": ("FaceVerifyStart", "RealNameDeclare"), "工本费": ("Fee",),
    "reason": ("FormField", "MergedFormField"), "残疾人证换领": ("Item", "ItemDraft", "ItemSummary", "ItemVersion",
                                                          "ItemVersionSummary", "SearchHit"),
    "市民服务中心 1 号自助终端": ("KioskAccount",), "《残疾人证管理办法》": ("LegalBasis",), "出生": ("LifeEvent",),
    "居民身份证": ("Material", "MaterialIn", "MaterialStatus", "MergedMaterial"),
    "新生儿出生一件事": ("Theme", "ThemeDetail"),
}.items() for schema in schemas})
EXAMPLES.update({f"{schema}.code": "CITY-01" for schema in ("HallDetail", "HallListEntry", "AdminHall", "HallCreate")})
EXAMPLES.update({"CalendarOverride.reason": "台风停工", "CalendarOverrideCreate.reason": "台风停工"})
EXAMPLES.update({"LifeEvent.code": "birth", "LifeEventRef.code": "birth", "LifeEventRef.name": "出生",
                 "life_event_code": "birth"})
EXAMPLES["stages"] = [["130300020000"], ["130300010000"]]

# Query parameters: the same words, as filters.
DESCRIPTIONS.update({
    "query.page": "页码（从 1 开始）", "query.page_size": "每页条数", "query.department": "按部门编码筛选",
    "query.theme": "按一件事（主题服务）编码筛选", "query.life_event": "按人生 / 法人事件筛选",
    "query.max_visits": "到办事现场次数不超过", "query.since": "增量同步：只返回目录版本号大于此值的变更",
    "query.flag": "按时限预警筛选（warning 黄牌 | overdue 红牌）", "query.year": "统计年份",
    "query.quarter": "统计季度（period=quarter 时）", "query.month": "统计月份（period=month 时）",
    "query.status": "按状态筛选", "query.state": "按状态筛选", "query.kind": "按类型筛选", "query.level": "按等级筛选",
    "query.channel": "按可办理渠道筛选", "query.q": "搜索词（事项名称、关键词、拼音均可）", "query.date": "日期（Asia/Shanghai）",
    "query.item": "事项编码（12 位）", "query.lat": "纬度（WGS-84），与 lng 一起给出时按距离排序",
    "query.lng": "经度（WGS-84）", "query.period": "统计周期", "query.group_by": "分组方式",
    "query.online_depth": "网办深度不低于", "query.overdue": "只看已超期的", "query.hall_id": "按服务大厅筛选",
    "query.department_code": "按部门编码筛选", "query.object_type": "按被操作对象的类型筛选",
    "query.object_id": "按被操作对象的编号筛选", "query.principal_kind": "按操作主体类型筛选",
    "query.principal_id": "按操作主体编号筛选", "query.action": "按动作筛选",
})


def description_for(schema: str, field: str) -> str | None:
    if schema == "query":  # a parameter: only the filter's own words, not the field's
        return DESCRIPTIONS.get(f"query.{field}")
    return DESCRIPTIONS.get(f"{schema}.{field}") or DESCRIPTIONS.get(field)


def example_for(schema: str, field: str):
    for key in (f"{schema}.{field}", field):
        if key in EXAMPLES:
            return True, EXAMPLES[key]
    return False, None
