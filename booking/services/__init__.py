"""预约取号 use cases, one module per part: halls and slots, appointments,
check-in, tickets, calling, statistics, and the cross-package hooks."""

from . import appointments, calling, checkin, citizens, halls, stats, tickets  # noqa: F401
from .stats import hall_day_stats  # noqa: F401
