"""Report periods and the months or quarters they are broken into."""

from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import DomainError

GRAINS = ("month", "quarter")
PRESETS = {
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "last_12_months": "Last 12 months",
    "this_year": "This year",
    "last_year": "Last year",
    "all_time": "All time",
}
# Issue dates before this are not taken seriously (a typo, not a report).
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    """A closed range of days, start and end included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def month_start(day: date) -> date:
    """The first day of the month holding day."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after day's month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket_start(day: date, grain: str) -> date:
    """The first day of the month or quarter holding day."""
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return month_start(day)


def bucket_end(start: date, grain: str) -> date:
    """The last day of the month or quarter starting on start."""
    return add_months(start, 3 if grain == "quarter" else 1) - timedelta(days=1)


MAX_BUCKETS = 240  # 20 years by month: a longer table helps nobody and costs a lot to draw


def buckets(period: Period, grain: str) -> list[date]:
    """The first day of every month or quarter the period touches, in order."""
    step = 3 if grain == "quarter" else 1
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    if months // step >= MAX_BUCKETS:
        raise DomainError(
            f"Choose a shorter period: at most {MAX_BUCKETS} {grain}s in one report.", "period"
        )
    starts, current = [], bucket_start(period.start, grain)
    while current <= period.end:
        starts.append(current)
        current = add_months(current, step)
    return starts


def bucket_label(start: date, grain: str) -> str:
    """How a month (2026-03) or a quarter (2026 Q1) is named in tables and charts."""
    if grain == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")


def month_of(day: date) -> Period:
    """The calendar month holding day."""
    start = month_start(day)
    return Period(start, bucket_end(start, "month"))


def preset_period(name: str, today: date) -> Period:
    """A named period ending no later than the end of today's month, quarter or year."""
    this_month, this_quarter = month_start(today), bucket_start(today, "quarter")
    if name == "this_month":
        return month_of(today)
    if name == "last_month":
        return month_of(add_months(this_month, -1))
    if name == "this_quarter":
        return Period(this_quarter, bucket_end(this_quarter, "quarter"))
    if name == "last_quarter":
        start = add_months(this_quarter, -3)
        return Period(start, bucket_end(start, "quarter"))
    if name == "last_12_months":
        return Period(add_months(this_month, -11), bucket_end(this_month, "month"))
    if name == "this_year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    if name == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if name == "all_time":
        return Period(EARLIEST, date(today.year, 12, 31))
    raise DomainError(f"Unknown period {name!r}: choose one of the listed periods.", "period")


def parse_date(text: str, label: str) -> date:
    """An ISO date typed by a person, refused with a message when it is not one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"{label}: use a date like 2026-03-31, not {text!r}.", "period") from None


def parse_period(preset: str, start: str, end: str, today: date, default: str) -> Period:
    """The period a report was asked for: from and to dates, else a preset, else default."""
    if start or end:
        if not (start and end):
            raise DomainError("Give both a start and an end date, or choose a period.", "period")
        period = Period(parse_date(start, "From"), parse_date(end, "To"))
        if period.end < period.start:
            raise DomainError("The period ends before it starts.", "period")
        if period.start < EARLIEST or period.end.year > 9998:
            raise DomainError(f"Choose dates from {EARLIEST.year} on.", "period")
        return period
    return preset_period(preset or default, today)


def parse_grain(text: str) -> str:
    """Month or quarter; anything else is refused."""
    grain = text or "month"
    if grain not in GRAINS:
        raise DomainError("Group by month or quarter.", "grain")
    return grain


def clipped(start: date, grain: str, period: Period) -> tuple[date, date]:
    """The days of a bucket that fall in the period."""
    return max(start, period.start), min(bucket_end(start, grain), period.end)


def parse_month(text: str, today: date) -> date:
    """A month typed as 2026-03 (what <input type=month> sends); empty: today's month."""
    text = text.strip()
    if not text:
        return month_start(today)
    try:
        year, month = (int(part) for part in text.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        raise DomainError(f"Month: use a month like 2026-03, not {text!r}.", "month") from None
    if chosen < EARLIEST or chosen > month_start(today):
        raise DomainError(f"Month: choose one from {EARLIEST.year} to this month.", "month")
    return chosen
