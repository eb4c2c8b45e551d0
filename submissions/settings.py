"""Settings of the submissions package (网上申办), with their defaults."""

from __future__ import annotations

from mobile_api.settings import Setting

SETTINGS = [
    Setting("SUBMISSIONS_STORAGE_DIR", "", str,
            "申请材料文件的存放目录 (按内容 SHA-256 命名); 为空时使用 instance/submissions-files"),
    Setting("SUBMISSIONS_MAX_FILE_BYTES", 10 * 1024 * 1024, int, "单个材料文件的最大字节数"),
    Setting("SUBMISSIONS_MAX_APPLICATION_BYTES", 40 * 1024 * 1024, int, "一件申请全部材料文件的最大字节数"),
    Setting("SUBMISSIONS_MAX_FILES_PER_APPLICATION", 30, int, "一件申请最多可上传的文件数"),
    Setting("SUBMISSIONS_UPLOAD_CHUNK_BYTES", 256 * 1024, int, "上传落盘时每次读写的块大小 (流式, 不在内存中保留整个文件)"),
    Setting("SUBMISSIONS_WARNING_RATIO", 0.8, float, "已用承诺时限达到此比例时给出预警 (黄牌)"),
    Setting("SUBMISSIONS_COMMITMENT_TEXT_VERSION", "2026-01", str, "告知承诺书文本的版本号, 记录在每份承诺上"),
    Setting("SUBMISSIONS_CERT_SIGNING_KEY", "", str,
            "电子证照签名私钥: Ed25519 32 字节种子的 base64; 生产环境必须提供, 开发环境存于 instance/, 测试随机生成",
            production_required=True),
    Setting("SUBMISSIONS_CERT_KEY_ID", "city-cert-1", str, "签名密钥编号, 写入每张证照的载荷以便轮换"),
]
