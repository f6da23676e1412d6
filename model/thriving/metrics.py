"""Every output of the model, declared once: the weekly series and the summary numbers.

A run records weekly series (:data:`SERIES`: ``timeseries.csv``, the run's parquet
files) and adds them up into summary numbers (:data:`NUMBERS`: ``summary.json``,
``summary.csv``, ``comparison.csv``). Each is declared here once, with its name, its
label in the analysts' words, its unit, whether it is scaled up from the simulated
sample to the borough, how it aggregates and where it appears. Every list of outputs
elsewhere (the columns the recorder writes, summary.csv's columns, the outcomes
``thriving compare`` compares, the pictures ``thriving plot`` draws, the words of the
sensitivity analysis) is derived from these two tables, so that adding an output is one
line here.

This module is the bottom of the layers: it imports nothing from ``thriving``, so the
model (``sim``) and everything above it can read it.

Orders matter: the files' columns follow the order of the tables. Where an output lists
names in an order of its own (the pictures, the cost-benefit rows), that order is given
here as a tuple of names, and the words still come from the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BOROUGH_COLUMNS",
    "COMPARED",
    "COST_BENEFIT",
    "COST_BENEFIT_ROWS",
    "COUNT_UNITS",
    "DEFAULT_COMPARED",
    "HEADLINES",
    "MONEY_SERIES",
    "NETWORK_PICTURES",
    "NUMBERS",
    "NUMBER_WORDS",
    "PAIRING_COLUMNS",
    "RUN_COLUMNS",
    "SCALED_COLUMNS",
    "SERIES",
    "SERVICE_PICTURES",
    "SERVICE_UNITS",
    "SUMMARY_NUMBERS",
    "SUMMARY_PAIRED",
    "TOTALS",
    "WARD_COLUMNS",
    "Number",
    "Series",
    "number",
    "series",
]


# --------------------------------------------------------------------------------------
# Weekly series
# --------------------------------------------------------------------------------------

#: Kinds of weekly series: what one week's value is.
SERIES_KINDS = ("index", "count", "share", "mean", "money")


@dataclass(frozen=True)
class Series:
    """A weekly series a run records.

    Attributes
    ----------
    name : str
        Column name in the weekly files (``timeseries.csv``, ``<run_id>.parquet``).
    label : str
        What it is, capitalised for a title ("GP appointments").
    unit : str
        Its unit, for an axis ("appointments per week").
    kind : str
        What a week's value is (:data:`SERIES_KINDS`): ``index`` (week, year, ward: says
        which row, measures nothing), ``count`` (people, events or hours in the week; a
        borough's is the sum of its wards'), ``share`` (0 to 1 of adults, or of ties),
        ``mean`` (an average per adult) or ``money`` (£ in the week, price year prices).
    scaled : bool
        Counted in the simulated sample and multiplied up to the borough (investment
        spend is not: it is already borough £).
    borough : bool
        Recorded for the whole borough (``timeseries.csv``).
    by_ward : bool
        Recorded ward by ward (``timeseries_by_ward.csv``).
    service : str or None
        The service of the schema (``services.<name>``) whose units of use it counts.
    aliases : tuple of str
        Short names ``thriving plot --metric`` accepts.
    """

    name: str
    label: str
    unit: str
    kind: str
    scaled: bool = False
    borough: bool = True
    by_ward: bool = False
    service: str | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SERIES_KINDS:
            raise ValueError(f"series {self.name!r}: kind {self.kind!r} not in {SERIES_KINDS}")


def _s(name, label, unit, kind, **flags) -> Series:
    return Series(name, label, unit, kind, **flags)


_BOTH = {"by_ward": True}
_SCALED_BOTH = {"scaled": True, "by_ward": True}

#: The weekly series, in the order of the weekly files' columns (weeks after burn-in:
#: week 1 is the first week of year 1).
SERIES: tuple[Series, ...] = (
    _s("week", "Week", "week of the run after burn-in (1, 2, ...)", "index", **_BOTH),
    _s("year", "Year", "year of the run after burn-in (1, 2, ...)", "index", **_BOTH),
    _s("ward", "Ward", "ward name", "index", borough=False, by_ward=True),
    _s("population", "Adults", "adults", "count", **_SCALED_BOTH),
    _s(
        "gp_appointments",
        "GP appointments",
        "appointments per week",
        "count",
        service="gp",
        aliases=("gp",),
        **_SCALED_BOTH,
    ),
    _s(
        "ae_attendances",
        "A&E attendances",
        "attendances per week",
        "count",
        service="ae",
        aliases=("ae",),
        **_SCALED_BOTH,
    ),
    _s(
        "emergency_admissions",
        "Emergency admissions",
        "admissions per week",
        "count",
        service="admissions",
        aliases=("admissions",),
        **_SCALED_BOTH,
    ),
    _s("social_care_clients", "Home-care clients", "clients", "count", **_SCALED_BOTH),
    _s(
        "social_care_hours",
        "Social care home-care hours",
        "home-care hours per week",
        "count",
        service="social_care",
        aliases=("social_care",),
        **_SCALED_BOTH,
    ),
    _s(
        "mental_health_referrals",
        "Talking-therapies referrals",
        "referrals per week",
        "count",
        service="mental_health",
        aliases=("mental_health",),
        **_SCALED_BOTH,
    ),
    _s(
        "unmet_demand",
        "GP and talking-therapies demand not met",
        "appointments and referrals per week",
        "count",
        **_SCALED_BOTH,
    ),
    _s(
        "social_care_unmet_hours",
        "Home-care hours needed, not provided",
        "home-care hours per week",
        "count",
        scaled=True,
    ),
    _s(
        "lonely_share",
        "Adults who are lonely",
        "% of adults",
        "share",
        aliases=("lonely",),
        **_BOTH,
    ),
    _s(
        "lonely_person_years",
        "Lonely person-years",
        "person-years per week (lonely adults / 52)",
        "count",
        **_SCALED_BOTH,
    ),
    _s(
        "isolated_share",
        "Adults with no strong tie",
        "% of adults",
        "share",
        aliases=("isolated",),
        **_BOTH,
    ),
    _s("mean_degree", "Ties per adult", "ties per adult (mean)", "mean", **_BOTH),
    _s(
        "mean_strong_ties",
        "Strong ties per adult",
        "strong ties per adult (mean)",
        "mean",
        aliases=("strong_ties",),
    ),
    _s("bridging_share", "Ties that bridge wards", "% of ties", "share", aliases=("bridging",)),
    _s(
        "participation_rate",
        "Adults in a community group",
        "% of adults",
        "share",
        aliases=("participation",),
        **_BOTH,
    ),
    _s("groups_open", "Community groups open", "groups", "count", **_SCALED_BOTH),
    _s("deaths", "Deaths", "deaths per week", "count", **_SCALED_BOTH),
    _s("service_cost_gbp", "Service cost", "£ per week", "money", **_SCALED_BOTH),
    _s("investment_spend_gbp", "Investment spend", "£ per week", "money", **_BOTH),
    _s("mean_need", "Health need per adult", "need score (mean)", "mean"),
    _s("lonely_share_18_24", "Adults aged 18-24 who are lonely", "% of adults 18-24", "share"),
    _s("lonely_share_75_plus", "Adults aged 75+ who are lonely", "% of adults 75+", "share"),
    _s("living_alone_share", "Adults living alone", "% of adults", "share"),
)

_SERIES_BY_NAME: dict[str, Series] = {s.name: s for s in SERIES}


def series(name: str) -> Series:
    """The weekly series called ``name``.

    Examples
    --------
    >>> series("gp_appointments").unit
    'appointments per week'
    """
    return _SERIES_BY_NAME[name]


#: Columns of the weekly borough series (``timeseries.csv``), in order.
BOROUGH_COLUMNS: tuple[str, ...] = tuple(s.name for s in SERIES if s.borough)

#: Columns of the weekly series by ward (``timeseries_by_ward.csv``), in order.
WARD_COLUMNS: tuple[str, ...] = tuple(s.name for s in SERIES if s.by_ward)

#: Columns that count people, events or £ of service use in the simulated sample, and
#: are scaled up to the borough (investment spend is already in borough £).
SCALED_COLUMNS: tuple[str, ...] = tuple(s.name for s in SERIES if s.scaled)

#: Each service of the schema (``services.<name>``, ``appraisal.cash_releasing.<name>``)
#: and the weekly column that counts its units of use (appointments, attendances,
#: admissions, home-care hours, referrals).
SERVICE_UNITS: dict[str, str] = {s.service: s.name for s in SERIES if s.service}

#: Weekly £ columns (service cost, investment spend): what payback is drawn from.
MONEY_SERIES: tuple[str, ...] = tuple(s.name for s in SERIES if s.kind == "money")

#: The pictures of ``thriving plot``: the five services in the order analysts list
#: them, then loneliness and the social network.
SERVICE_PICTURES: tuple[str, ...] = (
    "gp_appointments",
    "ae_attendances",
    "emergency_admissions",
    "social_care_hours",
    "mental_health_referrals",
)
NETWORK_PICTURES: tuple[str, ...] = (
    "lonely_share",
    "mean_strong_ties",
    "isolated_share",
    "bridging_share",
    "participation_rate",
)


# --------------------------------------------------------------------------------------
# Summary numbers
# --------------------------------------------------------------------------------------

#: How a summary number is made.
AGGREGATES = ("total", "present_value", "paired", "across_pairs")


@dataclass(frozen=True)
class Number:
    """A number that sums up a run (or a pair of runs, or a scenario's pairs).

    Attributes
    ----------
    name : str
        Key in ``summary.json``, column of ``summary.csv``, metric of ``comparison.csv``.
    label : str
        Its name in a table, capitalised ("Home-care hours"; ``comparison.csv``,
        ``thriving compare``).
    words : str or None
        Its name inside a sentence ("adult social care hours"; the sensitivity
        analysis and its report section); None where no sentence names it.
    unit : str
        What it counts ("hours of home care (adult social care)"); £ for money.
    aggregate : str
        How it is made (:data:`AGGREGATES`): ``total`` (the weekly series ``of`` summed
        over the years after burn-in), ``present_value`` (weekly £ discounted to year 1
        at the Green Book rate, summed), ``paired`` (a run against its paired baseline
        run, in ``summary.csv``) or ``across_pairs`` (over a scenario's pairs of runs, in
        ``comparison.csv`` only).
    of : str or None
        The weekly series it adds up, if one.
    in_summary_csv : bool
        A column of ``summary.csv`` (and a number :class:`thriving.analysis.results.Results`
        reads).
    compared : bool
        An outcome ``thriving compare`` compares, scenario against baseline.
    shown_by_default : bool
        Printed by ``thriving compare`` when no ``--metric`` is given.
    headline : str or None
        Its line in what ``thriving run`` prints, if it has one.
    """

    name: str
    label: str
    words: str | None
    unit: str
    aggregate: str
    of: str | None = None
    in_summary_csv: bool = False
    compared: bool = False
    shown_by_default: bool = False
    headline: str | None = None

    def __post_init__(self) -> None:
        if self.aggregate not in AGGREGATES:
            raise ValueError(f"number {self.name!r}: aggregate {self.aggregate!r} unknown")

    @property
    def money(self) -> bool:
        """True for £ amounts."""
        return self.unit == "£"


def _total(name, of, label, words, unit, *, default=False, headline=None) -> Number:
    """A count over the years after burn-in: in summary.csv, compared."""
    return Number(
        name,
        label,
        words,
        unit,
        "total",
        of,
        in_summary_csv=True,
        compared=True,
        shown_by_default=default,
        headline=headline,
    )


def _service_pv(service: str, of: str, label: str, words: str) -> Number:
    """The present value of one service's cost (units used x unit cost)."""
    return Number(
        f"{service}_cost_gbp_pv",
        label,
        words,
        "£",
        "present_value",
        of,
        in_summary_csv=True,
        compared=True,
    )


def _paired(name: str, label: str, words: str, unit: str = "£") -> Number:
    """A run against its paired baseline run: a column of summary.csv after the totals."""
    return Number(name, label, words, unit, "paired", in_summary_csv=True)


def _pair(name: str, label: str, words: str | None = None, unit: str = "£") -> Number:
    """A number of ``comparison.csv`` over a scenario's pairs of runs."""
    return Number(name, label, words, unit, "across_pairs")


#: The summary numbers, in the order of ``summary.json`` (then ``summary.csv``'s paired
#: columns, then the cost-benefit numbers of ``comparison.csv``).
NUMBERS: tuple[Number, ...] = (
    _total(
        "gp_appointments_total",
        "gp_appointments",
        "GP appointments",
        "GP appointments",
        "GP practice appointments",
        default=True,
        headline="GP practice appointments",
    ),
    _total(
        "ae_attendances_total",
        "ae_attendances",
        "A&E attendances",
        "A&E attendances",
        "A&E attendances",
        default=True,
        headline="A&E attendances",
    ),
    _total(
        "emergency_admissions_total",
        "emergency_admissions",
        "Emergency admissions",
        "emergency admissions",
        "emergency (unplanned) hospital admissions",
        default=True,
        headline="Emergency admissions",
    ),
    _total(
        "social_care_hours_total",
        "social_care_hours",
        "Home-care hours",
        "adult social care hours",
        "hours of home care (adult social care)",
        default=True,
        headline="Home-care hours",
    ),
    _total(
        "mental_health_referrals_total",
        "mental_health_referrals",
        "Talking-therapies referrals",
        "talking therapy referrals",
        "referrals to talking therapies",
        headline="Talking-therapies referrals",
    ),
    _total(
        "lonely_person_years",
        "lonely_person_years",
        "Lonely person-years",
        "years lived lonely",
        "person-years of loneliness (residents lonely x years lonely)",
        default=True,
        headline="Lonely person-years",
    ),
    _total("deaths_total", "deaths", "Deaths", "deaths", "deaths", headline="Deaths"),
    Number(
        "service_cost_gbp", "Service cost, undiscounted", None, "£", "total", "service_cost_gbp"
    ),
    Number(
        "service_cost_gbp_pv",
        "Service cost, all services",
        "service cost",
        "£",
        "present_value",
        "service_cost_gbp",
        in_summary_csv=True,
        compared=True,
        headline="Service cost (£, present value)",
    ),
    Number(
        "investment_gbp", "Investment, undiscounted", None, "£", "total", "investment_spend_gbp"
    ),
    Number(
        "investment_gbp_pv",
        "Investment",
        "investment",
        "£",
        "present_value",
        "investment_spend_gbp",
        in_summary_csv=True,
        headline="Investment (£, present value)",
    ),
    _service_pv("gp", "gp_appointments", "GP appointments cost", "GP cost"),
    _service_pv("ae", "ae_attendances", "A&E attendances cost", "A&E cost"),
    _service_pv(
        "admissions",
        "emergency_admissions",
        "Emergency admissions cost",
        "emergency admissions cost",
    ),
    _service_pv("social_care", "social_care_hours", "Home-care cost", "adult social care cost"),
    _service_pv(
        "mental_health",
        "mental_health_referrals",
        "Talking-therapies cost",
        "talking therapies cost",
    ),
    Number(
        "cash_releasing_cost_gbp_pv",
        "Cash-releasing service cost",
        "cash-releasing service cost",
        "£",
        "present_value",
        in_summary_csv=True,
    ),
    _paired("cost_avoided_gbp_pv", "Cost avoided", "cost avoided"),
    _paired("net_benefit_gbp_pv", "Net benefit", "net benefit"),
    _paired("bcr", "Benefit-cost ratio", "benefit-cost ratio", unit="ratio"),
    _pair("cash_cost_avoided_gbp_pv", "Cash-releasing cost avoided"),
    _pair("cash_net_benefit_gbp_pv", "Cash net benefit"),
    _pair("cash_bcr", "Cash benefit-cost ratio", unit="ratio"),
    _pair("payback_year", "Payback year", unit="year"),
    _pair("cash_payback_year", "Cash payback year", unit="year"),
    _pair("probability_net_saving", "Probability of a net saving", unit="probability"),
    _pair("probability_cash_saving", "Probability of a cash saving", unit="probability"),
    _pair("gbp_per_lonely_person_year_averted", "£ per lonely person-year averted"),
)

_NUMBERS_BY_NAME: dict[str, Number] = {n.name: n for n in NUMBERS}


def number(name: str) -> Number:
    """The summary number called ``name``.

    Examples
    --------
    >>> number("social_care_hours_total").label
    'Home-care hours'
    """
    return _NUMBERS_BY_NAME[name]


#: Counts in the summary, from the weekly column they add up.
TOTALS: dict[str, str] = {
    n.name: n.of for n in NUMBERS if n.aggregate == "total" and not n.money and n.of
}

#: Numbers of a run's summary that summary.csv reports (keys of RunResult.summary).
SUMMARY_NUMBERS: tuple[str, ...] = tuple(
    n.name for n in NUMBERS if n.in_summary_csv and n.aggregate != "paired"
)

#: Columns of summary.csv that compare a run with its paired baseline run (after
#: :data:`SUMMARY_NUMBERS`).
SUMMARY_PAIRED: tuple[str, ...] = tuple(n.name for n in NUMBERS if n.aggregate == "paired")

#: Outcomes ``thriving compare`` compares, with their names in a table.
COMPARED: dict[str, str] = {n.name: n.label for n in NUMBERS if n.compared}

#: What each compared count counts, for comparison.csv's unit column.
COUNT_UNITS: dict[str, str] = {n.name: n.unit for n in NUMBERS if n.compared and not n.money}

#: Outcomes ``thriving compare`` prints when no ``--metric`` is given.
DEFAULT_COMPARED: tuple[str, ...] = tuple(n.name for n in NUMBERS if n.shown_by_default)

#: The cost-benefit rows of comparison.csv, in their order (after each scenario's
#: outcomes): the money, then the ratios, payback and chances.
COST_BENEFIT_ROWS: tuple[str, ...] = (
    "cost_avoided_gbp_pv",
    "cash_cost_avoided_gbp_pv",
    "investment_gbp_pv",
    "net_benefit_gbp_pv",
    "cash_net_benefit_gbp_pv",
    "bcr",
    "cash_bcr",
    "payback_year",
    "cash_payback_year",
    "probability_net_saving",
    "probability_cash_saving",
    "gbp_per_lonely_person_year_averted",
)

#: Cost-benefit rows of comparison.csv with their names in a table.
COST_BENEFIT: dict[str, str] = {name: number(name).label for name in COST_BENEFIT_ROWS}

#: Names of summary.csv's numbers inside a sentence.
NUMBER_WORDS: dict[str, str] = {n.name: n.words for n in NUMBERS if n.words is not None}

#: Headline totals shown after a run: (label, summary key, money?).
HEADLINES: tuple[tuple[str, str, bool], ...] = tuple(
    (n.headline, n.name, n.money) for n in NUMBERS if n.headline is not None
)


# --------------------------------------------------------------------------------------
# Who a run is
# --------------------------------------------------------------------------------------

#: Columns that say which run a row is (summary.csv, the weekly export), before the
#: varied parameters.
RUN_COLUMNS: tuple[str, ...] = ("run_id", "scenario", "seed", "replicate")

#: Columns of summary.csv that say whether a run is a baseline and which baseline run it
#: is paired with (after the varied parameters).
PAIRING_COLUMNS: tuple[str, ...] = ("is_baseline", "baseline_run_id")
