"""Settings of the job engine (README table: `flask settings`)."""

from __future__ import annotations

from ..settings import Setting

SETTINGS = [
    Setting("JOBS_QUEUE", "fingertip-periodic", str,
            "RQ 队列名: 调度器把周期任务放入此队列, `flask jobs worker` 从中取任务"),
    Setting("JOBS_RUN_TIMEOUT_SECONDS", 600, int,
            "一次周期任务最长运行秒数 (RQ 超时); 工作进程崩溃后, 同一周期在此时长后可被接管"),
    Setting("JOBS_OUTBOX_BATCH_SIZE", 100, int, "发件箱投递每批认领的消息数"),
    Setting("JOBS_OUTBOX_MAX_BATCHES", 50, int,
            "一个投递周期最多处理的批数 (积压更多时留给下一周期, 以免一次任务无限运行)"),
    Setting("JOBS_REDIS_RETRY_MAX_SECONDS", 10, float,
            "Redis 不可用时, 工作进程和调度器重连的最长间隔秒数 (0.5 s 起倍增); Redis 恢复后最迟这么久继续"),
    Setting("JOBS_STALLED_AFTER_PERIODS", 3, int,
            "某规则最近一次运行早于此数个周期即标记为停滞 (STALLED; /metrics 的 fingertip_job_stalled)"),
    Setting("TEST_CLOCK_OFFSET_SECONDS", 0, int,
            "仅供测试: 把本进程的时钟拨快 (秒), 让集成测试里的调度器和工作进程看到\"明天\"; 生产环境拒绝非 0 值"),
]
