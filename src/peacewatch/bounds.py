"""Every input bound peacewatch accepts, in one place: the command line and the web forms both check here.

Each check raises :class:`peacewatch.errors.InputError` with a one-line message that names the option
(``--start``, "Host Polity2 score", ...) and the accepted range or choices.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from peacewatch.errors import InputError


@dataclass(frozen=True)
class NumberBound:
    """A closed numeric range with the label users see and an optional default."""

    label: str
    lo: float
    hi: float
    default: float | None = None
    step: float | str = 1
    required: bool = True
    integer: bool = False
    grouped: bool = True  # 200,000 in messages; years and ports are written plainly

    def check(self, value: float | str, name: str | None = None) -> float:
        """Return ``value`` as a number inside the range, or raise :class:`InputError` naming ``name``."""
        who = name or self.label
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{who}: {value!r} is not a number") from None
        if math.isnan(number):
            raise InputError(f"{who}: {value!r} is not a number")
        if not self.lo <= number <= self.hi:
            raise InputError(f"{who}: {self._fmt(value)} is outside {self._fmt(self.lo)} to {self._fmt(self.hi)}")
        if self.integer and number != int(number):
            raise InputError(f"{who}: {self._fmt(value)} is not a whole number")
        return number

    def _fmt(self, value: float | str) -> str:
        if isinstance(value, str):
            return value
        if not float(value).is_integer():
            return f"{value:g}"
        return f"{value:,.0f}" if self.grouped else f"{value:.0f}"


# ----------------------------------------------------------------------------- years
#: The panel starts from the COW / G-W state lists (first members 1816); sources end by 2025.
PANEL_YEARS = NumberBound("panel year", 1816, 2025, integer=True, grouped=False)


def frame_years() -> NumberBound:
    """Years a panel frame may span when built from code: the state lists' first year to the current
    year (the TCC scorecard grades the current year; years after the sources end are left missing)."""
    return NumberBound("panel year", PANEL_YEARS.lo, max(PANEL_YEARS.hi, current_year()), integer=True, grouped=False)


#: The deployment-risk models and the trafficking index: the years of the Human Trafficking Indicators.
MODEL_YEARS = NumberBound("model year", 2001, 2011, integer=True, grouped=False)


#: The scorecards grade from the first TIP report (2001).
SCORECARD_FIRST_YEAR = 2001
#: Last year of the host card: the newest TIP report year with a source (secondary copies, 2025).
HOSTS_LAST_YEAR = 2025
#: Last year of the mission card: the Geo-PKO dashboard's TCCMap (contributors per mission-year) ends 2024.
MISSIONS_LAST_YEAR = 2024
#: IPI's last full year of mission data; later mission-years come from the TCCMap (troops only).
IPI_MISSIONS_LAST_YEAR = 2016
#: Last year of the raw Geo-PKO maps (troops per TCC); the TCC card reads the TCCMap after it.
GEO_RAW_LAST_YEAR = 2020
#: How far ahead an as-of date may look (TCC card): up to the end of next year, so registry
#: deadlines can be previewed.
AS_OF_YEARS_AHEAD = 1


def current_year() -> int:
    """The calendar year today (UTC): the TCC card's last year, so registry activity is graded now."""
    return dt.datetime.now(dt.UTC).year


def last_year(card: str, as_of: dt.date | None = None) -> int:
    """Last year a card grades: 2025 for hosts, the current year for TCCs (the year of ``as_of`` when
    given: a preview of registry deadlines up to next year), 2024 for missions."""
    tccs = max(current_year(), as_of.year) if as_of else current_year()
    return {"hosts": HOSTS_LAST_YEAR, "tccs": tccs, "missions": MISSIONS_LAST_YEAR}[card]


def check_as_of(as_of: dt.date | None, what: str = "as_of") -> None:
    """``as_of`` must fall between the first TIP report year and the end of next year."""
    if as_of is None:
        return
    hi = current_year() + AS_OF_YEARS_AHEAD
    if not SCORECARD_FIRST_YEAR <= as_of.year <= hi:
        raise InputError(
            f"{what}: {as_of.isoformat()} is outside {SCORECARD_FIRST_YEAR}-01-01 to {hi}-12-31; give "
            "a date in that range, e.g. the date a referral deadline passes"
        )


def scorecard_years(card: str) -> NumberBound:
    """Years a scorecard grades: from the first TIP report (2001) to the card's last year
    (:func:`last_year`: hosts 2025, missions 2024; TCCs next year, so that registry deadlines can be
    previewed with an as-of date)."""
    hi = last_year(card) + (AS_OF_YEARS_AHEAD if card == "tccs" else 0)
    return NumberBound(f"{card} scorecard year", SCORECARD_FIRST_YEAR, hi, integer=True, grouped=False)


# ----------------------------------------------------------------------------- planned mission
#: The planned-mission inputs of the risk model (CLI ``model predict`` and the web form).
PLANNED_MISSION: dict[str, NumberBound] = {
    "personnel": NumberBound("Uniformed personnel (troops, police, observers)", 0, 200_000, 5000),
    "duration": NumberBound("Years since the host's first UN deployment (1 = first year)", 0, 60, 1),
    "tccs": NumberBound("Number of troop- and police-contributing countries", 0, 150, 20, integer=True),
}
#: Host controls; empty means the estimation-sample mean (share for conflict).
CONTROLS: dict[str, NumberBound] = {
    "polity2": NumberBound("Host Polity2 score (-10 to 10; empty = sample mean)", -10, 10, required=False),
    "conflict": NumberBound(
        "Host in armed conflict (1 yes, 0 no; empty = sample share)", 0, 1, required=False, integer=True
    ),
    "gdppc": NumberBound(
        "Host GDP per capita, constant 2015 US$ (empty = sample mean)", 1, 500_000, step="any", required=False
    ),
    "population": NumberBound("Host population (empty = sample mean)", 1, 2e9, required=False),
}

# ----------------------------------------------------------------------------- choices and ports
PORT = NumberBound("port", 1, 65535, 8000, integer=True, grouped=False)
PANEL_FORMATS = ("csv", "parquet", "datapackage", "dta", "rds")
SYSTEMS = ("cow", "gw")
AGGREGATIONS = ("december", "mean", "max")
PREDICTION_METHODS = ("delta", "simulation")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def check_choice(value: str, choices: tuple[str, ...], name: str) -> str:
    """``value`` (case-insensitive) if it is one of ``choices``, else :class:`InputError` listing them."""
    v = str(value).strip().lower()
    if v not in choices:
        raise InputError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return v


def check_year_range(
    start: int, end: int, bound: NumberBound = PANEL_YEARS, names: tuple[str, str] = ("--start", "--end")
) -> tuple[int, int]:
    """Both years inside ``bound`` and ``start <= end``."""
    bound.check(start, names[0])
    bound.check(end, names[1])
    if start > end:
        raise InputError(f"{names[0]} {start} is after {names[1]} {end}; give the earlier year first")
    return int(start), int(end)


def parse_controls(items: list[str], name: str = "--control") -> dict[str, float]:
    """``["polity2=5", ...]`` as checked numbers; unknown names and bad values raise :class:`InputError`."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise InputError(f"{name} {item!r}: use NAME=VALUE, e.g. polity2=5")
        if key not in CONTROLS:
            raise InputError(f"{name} {item!r}: unknown control {key!r}; use one of {', '.join(CONTROLS)}")
        out[key] = CONTROLS[key].check(value.strip(), f"{name} {key}")
    return out
