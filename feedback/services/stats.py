"""好差评 statistics by month, quarter or year, grouped by department, hall,
window or item (and, for a department's own staff, by staff member). Each
row carries the name of its group (department, hall, "<hall> <window>",
item, or the staff member's display name); the public figures name no staff
unless the city opts in (FEEDBACK_PUBLIC_STAFF_NAMES).

Periods are calendar periods in Asia/Shanghai: a rating given at 00:30 on
1 December local time (16:30 UTC on 30 November) counts for December.

Figures per group (ratings removed by an upheld appeal are left out of all):
- counts per level, total;
- satisfaction_rate = (非常满意 + 满意 + 基本满意) / total;
- bad_count = 不满意 + 非常不满意;
- rectification_rate = bad ratings rectified or explained / bad_count;
- on_time_rate = of those rectified or explained, the share done by the
  rectification deadline.
Rates are rounded to 4 decimals and null when their denominator is 0.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from mobile_api.clock import LOCAL_TZ

from ..errors import InvalidRating
from ..models import FeedbackRating, FeedbackRectification
from ..taxonomy import BAD_LEVELS, BAD_REASONS, LEVEL_BY_VALUE
from .names import names_for

PUBLIC_GROUPS = ("department", "hall", "window", "item")
STAFF_GROUPS = PUBLIC_GROUPS + ("staff",)
# With FEEDBACK_PUBLIC_STAFF_NAMES the city publishes per-clerk figures too.
PUBLIC_GROUPS_WITH_STAFF = STAFF_GROUPS
_COLUMNS = {"department": FeedbackRating.department_code, "hall": FeedbackRating.hall_id,
            "window": FeedbackRating.window_id, "item": FeedbackRating.item_code, "staff": FeedbackRating.staff_id}


def period_bounds(period: str, year: int, month: int | None = None, quarter: int | None = None):
    """(label, start, end) with start/end in UTC, end exclusive."""
    if not 2000 <= year <= 2100:
        raise InvalidRating("年份超出范围", errors={"year": ["应在 2000–2100 之间"]})
    if period == "month":
        if month is None or not 1 <= month <= 12:
            raise InvalidRating("按月统计须给出 1–12 的月份", errors={"month": ["应为 1–12"]})
        first, label = date(year, month, 1), f"{year}-{month:02d}"
        after = date(year + (month == 12), month % 12 + 1, 1)
    elif period == "quarter":
        if quarter is None or not 1 <= quarter <= 4:
            raise InvalidRating("按季度统计须给出 1–4 的季度", errors={"quarter": ["应为 1–4"]})
        first, label = date(year, 3 * quarter - 2, 1), f"{year}-Q{quarter}"
        after = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    elif period == "year":
        first, after, label = date(year, 1, 1), date(year + 1, 1, 1), str(year)
    else:
        raise InvalidRating("统计周期只能是 month、quarter 或 year", errors={"period": ["取值不正确"]})

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0), LOCAL_TZ).astimezone(timezone.utc)

    return label, utc(first), utc(after)


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def _empty_row(key) -> dict:
    return {"key": None if key is None else str(key), "name": None, "total": 0,
            "levels": {code: 0 for code in LEVEL_BY_VALUE.values()},
            "bad_count": 0, "rectified_count": 0, "on_time_count": 0}


def _finish(row: dict) -> dict:
    good = row["total"] - row["bad_count"]
    row["satisfaction_rate"] = _rate(good, row["total"])
    row["rectification_rate"] = _rate(row["rectified_count"], row["bad_count"])
    row["on_time_rate"] = _rate(row["on_time_count"], row["rectified_count"])
    return row


def compute_stats(session: Session, *, period: str, year: int, month: int | None = None,
                  quarter: int | None = None, group_by: str = "department", department_code: str | None = None,
                  allowed_groups=PUBLIC_GROUPS, with_reasons: bool = False) -> dict:
    if group_by not in allowed_groups:
        if group_by == "staff":
            raise InvalidRating("公开统计不按工作人员分组（本市未开启公开工作人员姓名）",
                                code="feedback.staff_names_not_public", errors={"group_by": ["不公开"]})
        raise InvalidRating(f"分组只能是 {', '.join(allowed_groups)}", errors={"group_by": ["取值不正确"]})
    label, start, end = period_bounds(period, year, month, quarter)
    key = _COLUMNS[group_by]
    scope = [FeedbackRating.rated_at >= start, FeedbackRating.rated_at < end, FeedbackRating.excluded_at.is_(None)]
    if department_code is not None:
        scope.append(FeedbackRating.department_code == department_code)

    rows: dict = {}
    overall = _empty_row("all")

    def row_for(k):
        return rows.setdefault(k, _empty_row(k))

    for k, level, count in session.execute(select(key, FeedbackRating.level, func.count())
                                           .where(*scope).group_by(key, FeedbackRating.level)):
        for target in (row_for(k), overall):
            target["levels"][LEVEL_BY_VALUE[level]] += count
            target["total"] += count
            if level in BAD_LEVELS:
                target["bad_count"] += count

    done = FeedbackRectification.state.in_(("rectified", "explained"))
    on_time = and_(done, FeedbackRectification.resolved_at <= FeedbackRectification.due_at)
    stmt = (select(key, func.sum(case((done, 1), else_=0)), func.sum(case((on_time, 1), else_=0)))
            .join(FeedbackRectification, FeedbackRectification.rating_id == FeedbackRating.id)
            .where(*scope).group_by(key))
    for k, rectified, in_time in session.execute(stmt):
        for target in (row_for(k), overall):
            target["rectified_count"] += int(rectified or 0)
            target["on_time_count"] += int(in_time or 0)

    names = names_for(session, group_by, list(rows))
    for k, row in rows.items():
        row["name"] = names.get(k)
    result = {"period": period, "label": label, "start": start, "end": end, "group_by": group_by,
              "rows": [_finish(rows[k]) for k in sorted(rows, key=lambda k: (k is None, str(k)))],
              "overall": _finish(overall)}
    if with_reasons:
        reasons = {code: 0 for code in BAD_REASONS}
        for reason, count in session.execute(select(FeedbackRating.reason_code, func.count())
                                             .where(*scope, FeedbackRating.reason_code.is_not(None))
                                             .group_by(FeedbackRating.reason_code)):
            reasons[reason] = count
        open_states = ("pending_callback", "called_back", "appealed")
        rect_scope = [] if department_code is None else [FeedbackRectification.department_code == department_code]
        result["reasons"] = reasons
        result["open_rectifications"] = session.scalar(
            select(func.count()).select_from(FeedbackRectification)
            .where(FeedbackRectification.state.in_(open_states), *rect_scope))
        result["overdue_rectifications"] = session.scalar(
            select(func.count()).select_from(FeedbackRectification)
            .where(FeedbackRectification.state.in_(open_states), FeedbackRectification.overdue_at.is_not(None),
                   *rect_scope))
    return result
