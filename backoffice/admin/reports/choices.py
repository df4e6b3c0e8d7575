"""What a report page was asked for: company, period and grouping, read from the URL."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Company, User

from ...services.errors import DomainError
from ...services.reports.periods import PRESETS, Period, parse_grain, parse_period
from ...services.scoping import in_companies, scoped


@dataclass(frozen=True)
class Choice:
    company_id: int
    period: Period
    grain: str
    preset: str  # empty when dates were typed
    start: str
    end: str
    page: int | None = 1  # of a paged report; None: every row (the exports)

    def args(self) -> dict[str, str]:
        """The URL arguments that ask for this choice again (e.g. for an export)."""
        args = {"company": str(self.company_id), "grain": self.grain}
        if self.preset:
            args["period"] = self.preset
        else:
            args |= {"start": self.start, "end": self.end}
        return args

    @property
    def every_open_invoice(self) -> bool:
        """All time, on a report as of today (aging): no issue-date filter at all."""
        return self.preset == "all_time"


def visible_companies(session: Session, user: User) -> list[Company]:
    """The companies whose figures the user may see, by name."""
    query = scoped(select(Company).order_by(Company.name), user, in_companies(Company.id))
    return list(session.scalars(query))


def presets(all_time: bool) -> dict[str, str]:
    """The named periods a report offers; "All time" only where it makes sense (aging)."""
    return {k: v for k, v in PRESETS.items() if all_time or k != "all_time"}


def parse_choice(
    args: dict[str, str],
    companies: list[Company],
    today: date,
    default_period: str,
    grains: tuple[str, ...],
    all_time: bool = False,
) -> Choice:
    """Read the URL's company, period and grain; refuse what does not parse with a message.

    A company the user may not see is passed on as asked: opening its books refuses it.
    """
    text = args.get("company", "").strip()
    if not text:
        if not companies:
            raise DomainError("You have access to no company yet: ask an admin.", "company")
        company_id = companies[0].id
    elif text.isdigit() and len(text) < 10:
        company_id = int(text)
    else:
        raise DomainError(f"Company {text!r} is not one of the listed companies.", "company")
    preset = args.get("period", "").strip()
    if preset and preset not in presets(all_time):
        raise DomainError(f"Unknown period {preset!r}: choose one of the listed periods.")
    start, end = args.get("start", "").strip(), args.get("end", "").strip()
    period = parse_period(preset, start, end, today, default_period)
    typed = bool(start or end)
    grain = parse_grain(args.get("grain", "") or (grains[0] if grains else "month"))
    if grains and grain not in grains:
        raise DomainError(f"This report groups by {' or '.join(grains)}.", "grain")
    page = parse_page(args.get("page", ""))
    preset = "" if typed else preset or default_period
    return Choice(company_id, period, grain, preset, start, end, page)


def parse_page(text: str) -> int:
    """A page number from the URL: 1 when absent; refused when not a number."""
    text = text.strip()
    if not text:
        return 1
    if not text.isdigit() or len(text) > 6 or int(text) < 1:
        raise DomainError(f"Page {text!r} is not a page number.", "page")
    return int(text)
