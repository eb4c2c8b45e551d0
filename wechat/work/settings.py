"""企业微信 (WeCom) settings for staff notices. Empty ids mean the stand-in's in
development and tests; in production they mean WeCom is not configured and
notices go to the in-app inbox only (said once at start)."""

from __future__ import annotations

from mobile_api.settings import Setting

STANDIN_BASE_URL = "http://wecom-standin.local/"
REAL_BASE_URL = "https://qyapi.weixin.qq.com/"
STANDIN_CORP_ID = "wwstandin0000000corp"
STANDIN_SECRET = "standin-wecom-agent-secret"
STANDIN_AGENT_ID = 1000002

SETTINGS = [
    Setting("WECOM_API_BASE_URL", "", str,
            "企业微信接口根地址（以 / 结尾）。留空：开发/测试用本地替身，生产用 https://qyapi.weixin.qq.com/"),
    Setting("WECOM_CORP_ID", "", str,
            "企业微信 corpid；留空：开发/测试用替身，生产环境则不经企业微信发送 (工作通知只进站内信箱)"),
    Setting("WECOM_AGENT_SECRET", "", str, "发送工作通知的企业微信自建应用的 secret"),
    Setting("WECOM_AGENT_ID", 0, int, "该自建应用的 AgentId；0：替身的 1000002"),
    Setting("WECOM_NOTICE_LINK", "", str,
            "工作通知末尾附上的站内信箱地址 (如 https://gov.example.cn/staff/notices)；留空不附"),
]
