"""Plain English for the report: numbers for people, scenarios and headline results in words.

The vocabulary of the report (lever names, outcome names) and the sentences built from
its numbers; no HTML here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from thriving.report.facts import Headline, ScenarioInfo, SweepFacts, ward_table
from thriving.report.labels import finite, join, lever_name

#: Folder of the pictures, inside the results folder (as ``thriving plot`` writes it).
PLOTS_FOLDER = "plots"

#: The true minus sign: a hyphen is easy to miss in a table of numbers.
MINUS = "\u2212"

#: Fewer replicates than this and the report says the intervals are themselves shaky.
ENOUGH_REPLICATES = 20

#: Outcomes in the headline tables, with their name in a sentence and their unit word.
HEADLINE_OUTCOMES: dict[str, tuple[str, str]] = {
    "gp_appointments_total": ("GP appointments", "appointments"),
    "ae_attendances_total": ("A&E attendances", "attendances"),
    "emergency_admissions_total": ("emergency admissions", "admissions"),
    "social_care_hours_total": ("home-care hours", "hours"),
    "lonely_person_years": ("lonely person-years", "person-years"),
}

#: Columns of the ward table and what they are called in words.
WARD_COLUMN_WORDS: dict[str, str] = {
    "population": "adults per ward",
    "adults": "adults per ward",
    "deprivation": "deprivation scores",
    "share_65_plus": "share aged 65 and over",
    "share_living_alone": "share living alone",
}

#: Services of ``appraisal.cash_releasing``, in words.
CASH_SERVICE_WORDS: dict[str, str] = {
    "gp": "GP appointments",
    "ae": "A&E attendances",
    "admissions": "emergency admissions",
    "social_care": "home-care hours",
    "mental_health": "talking therapies",
}

#: Pictures of ``plots/`` by the start of their file name: section title and how to read.
PICTURE_GROUPS: tuple[tuple[str, str, str], ...] = (
    (
        "payback",
        "Does it pay back?",
        "Cumulative service cost avoided (solid line: the mean of the pairs of runs; band: "
        "the middle 80 % of pairs) against the money invested (dashed), both discounted as "
        "the Green Book asks. Where the solid line crosses above the dashed one, the "
        "investment has paid for itself, counting all benefits, most of which are capacity "
        "freed rather than cash.",
    ),
    (
        "difference_",
        "Change from the baseline, service by service",
        "Each scenario's run minus the baseline run with the same seed (so the same chance "
        "events), per week. Below zero means less demand than with no new investment. The "
        "line is the median of the pairs of runs and the band shows the middle 80 % of "
        "pairs; a band that straddles zero is a change the runs cannot tell from chance.",
    ),
    (
        "demand_",
        "Demand for services, week by week",
        "Each line is the median of a scenario's runs, smoothed over a quarter; the band "
        "shows the middle 80 % of runs (10th to 90th percentile). The shaded years are the "
        "funded years. The differences between scenarios are small against the whole of "
        "demand, so read the change-from-baseline pictures above for their size.",
    ),
    (
        "network_",
        "Loneliness and the social network",
        "How loneliness, close ties, isolation, ties across wards and group membership move "
        "over time in each scenario: median of the runs, band for the middle 80 % of runs.",
    ),
    (
        "wards_",
        "Who benefits: ward by ward",
        "Each dot is a ward: how deprived it is (across) against what the investment avoids "
        "there per 1,000 adults a year (up). Points above zero gained; the spread shows "
        "whether the benefit goes to the more or the less deprived wards.",
    ),
)

#: Pictures shown in their own sections (not under "Pictures").
OWN_SECTION_PICTURES = ("sensitivity_", "before_after")


# --------------------------------------------------------------------------------------
# Numbers for people
# --------------------------------------------------------------------------------------


def _round_sig(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _sign(value: float, text: str, signed: bool) -> str:
    if not re.sub(r"\D", "", text).strip("0"):  # rounds to nothing: no sign
        return text
    if value < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def format_count(value: float | None, signed: bool = False) -> str:
    """A count for people: three significant figures, thousands separated.

    Parameters
    ----------
    value : float or None
        The count (appointments, hours, person-years...).
    signed : bool
        Put ``+`` before positive numbers (changes).

    Returns
    -------
    str
        ``n/a`` when there is no number. Negative numbers take a true minus sign.

    Examples
    --------
    >>> format_count(10761.4), format_count(975.2), format_count(4.26), format_count(0.0)
    ('10,800', '975', '4.3', '0')
    >>> format_count(-228.6, signed=True) == "\u2212" + "229"
    True
    >>> format_count(12.0, signed=True), format_count(10.5), format_count(float("nan"))
    ('+12', '10.5', 'n/a')
    """
    if not finite(value):
        return "n/a"
    size = abs(float(value))
    if size >= 99.95:
        text = f"{_round_sig(size):,.0f}"
    elif size >= 9.995:  # three figures need one decimal here: 10.5, not 10
        text = f"{_round_sig(size):.1f}".removesuffix(".0")
    elif size >= 0.01:
        text = f"{_round_sig(size, 2):g}"
    else:
        text = "0"
    return _sign(float(value), text, signed)


def format_money(value: float | None, signed: bool = False) -> str:
    """£ for people: £1.74m, £870,000, £799; three significant figures.

    Parameters
    ----------
    value : float or None
        Pounds.
    signed : bool
        Put ``+`` before positive amounts.

    Examples
    --------
    >>> format_money(1736452.4), format_money(869908.3), format_money(799.4)
    ('£1.74m', '£870,000', '£799')
    >>> format_money(2.5e9), format_money(12_345_678), format_money(0.0)
    ('£2.5bn', '£12.3m', '£0')
    >>> format_money(-69405.0) == "\u2212" + "£69,400"
    True
    """
    if not finite(value):
        return "n/a"
    size = abs(float(value))
    rounded = _round_sig(size)
    if rounded >= 1e9:
        text = f"£{rounded / 1e9:.3g}bn"
    elif rounded >= 1e6:
        text = f"£{rounded / 1e6:.3g}m"
    elif rounded >= 100:
        text = f"£{rounded:,.0f}"
    elif rounded >= 1:
        text = f"£{rounded:.3g}"
    else:
        text = "£0" if size < 0.005 else f"£{size:.2f}"
    return _sign(float(value), text, signed)


def format_percent(value: float | None) -> str:
    """A change in percent, signed, to two significant figures.

    Examples
    --------
    >>> format_percent(-0.1246) == "\u2212" + "0.12 %"
    True
    >>> format_percent(12.34), format_percent(float("nan"))
    ('+12 %', 'n/a')
    """
    if not finite(value):
        return "n/a"
    text = f"{_round_sig(abs(float(value)), 2):g} %"
    return _sign(float(value), text, True)


def interval_text(low: float, high: float, money: bool) -> str:
    """A 95 % interval as 'a to b' (empty when there is none)."""
    if not (finite(low) and finite(high)):
        return ""
    if math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-9):
        return ""  # every pair the same (money invested): no spread to show
    fmt = format_money if money else format_count
    return f"{fmt(low)} to {fmt(high)}"


def ratio_text(value: float) -> str:
    """A ratio to two decimals, with a true minus sign.

    Examples
    --------
    >>> ratio_text(2.0), ratio_text(-0.104) == "\u2212" + "0.10", ratio_text(float("nan"))
    ('2.00', True, 'n/a')
    """
    if not finite(value):
        return "n/a"
    return _sign(value, f"{abs(value):.2f}", False)


def _bracket(low: float, high: float, money: bool = True) -> str:
    """' (95 % interval a to b)' for a sentence; empty when there is no spread to show."""
    span = interval_text(low, high, money)
    return f" (95 % interval {span})" if span else ""


def number_text(value: float | None, money: bool, signed: bool = False) -> str:
    """A number for people: as money (:func:`format_money`) or a count."""
    return format_money(value, signed) if money else format_count(value, signed)


def plural_text(n: int, word: str, plural: str | None = None) -> str:
    """A count and its noun: '1 ward', '3 wards' (``plural`` for irregular nouns)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _years(start: int, end: int) -> str:
    return f"year {start}" if start == end else f"years {start}\u2013{end}"


# --------------------------------------------------------------------------------------
# Scenarios in words
# --------------------------------------------------------------------------------------


def _where(wards: Any, n_wards: int | None, ward_names: Callable[[int], list[str]] | None) -> str:
    """The wards an investment targets, in words."""
    if wards == "all" or wards is None:
        return f"in all {n_wards} wards" if n_wards else "in every ward"
    if isinstance(wards, Mapping) and "most_deprived" in wards:
        n = int(wards["most_deprived"])
        names = ward_names(n) if ward_names is not None else []
        listed = f" ({join(names)})" if names else ""
        return (
            f"in the {n} most deprived wards{listed}"
            if n != 1
            else f"in the most deprived ward{listed}"
        )
    if isinstance(wards, list | tuple):
        return f"in {plural_text(len(wards), 'ward')}: {join([str(w) for w in wards])}"
    return f"in {wards}"


def investment_sentence(
    investment: Mapping[str, Any],
    n_wards: int | None = None,
    ward_names: Callable[[int], list[str]] | None = None,
    budget_text: str | None = None,
) -> str:
    r"""One investment of a scenario as a sentence.

    Parameters
    ----------
    investment : mapping
        An entry of a resolved scenario's ``investments``.
    n_wards : int, optional
        Wards in the borough (for "in all 20 wards").
    ward_names : callable, optional
        ``ward_names(n)``: the names of the ``n`` most deprived wards.
    budget_text : str, optional
        The budget in words when the sweep varies it (instead of the file's budget).

    Examples
    --------
    >>> investment_sentence({"lever": "social_prescribing", "budget_per_year": 300000,
    ...     "start_year": 1, "end_year": 3, "wards": "all"}, 20)
    'Social prescribing: £300,000 a year in all 20 wards, years 1–3'
    >>> investment_sentence({"lever": "community_grants", "budget_per_year": 150000,
    ...     "start_year": 2, "end_year": 2, "wards": {"most_deprived": 5}})
    'Community grants: £150,000 a year in the 5 most deprived wards, year 2'
    >>> closures = investment_sentence({"lever": "closures", "budget_per_year": 250000,
    ...     "start_year": 2, "end_year": 10, "wards": ["Coldhurst"], "share_closed": 0.3})
    >>> print(closures.replace(", ", ",\n"))
    Closures of community groups: 30 % of the groups close in 1 ward: Coldhurst,
    years 2–10,
    withdrawing £250,000 a year of funding
    """
    lever = str(investment.get("lever"))
    budget = float(investment.get("budget_per_year") or 0.0)
    start = int(investment.get("start_year") or 1)
    end = int(investment.get("end_year") or start)
    where = _where(investment.get("wards"), n_wards, ward_names)
    money = budget_text or f"£{budget:,.0f} a year"
    if lever == "closures":
        share = investment.get("share_closed")
        closed = (
            f"{100 * float(share):.0f} % of the groups close" if finite(share) else "groups close"
        )
        return (
            f"{lever_name(lever)}: {closed} {where}, {_years(start, end)}, withdrawing "
            f"{money} of funding"
        )
    return f"{lever_name(lever)}: {money} {where}, {_years(start, end)}"


def scenario_investments(
    scenario: ScenarioInfo, budgets: Mapping[str, str] | None = None
) -> list[str]:
    """Each investment of a scenario as a sentence (none for the baseline).

    ``budgets`` gives, by lever, the budget in words where the sweep varies it.
    """
    table = ward_table(scenario.settings)
    n_wards = table.n_wards if table is not None else None
    names = table.most_deprived if table is not None else None
    budgets = budgets or {}
    return [
        investment_sentence(inv, n_wards, names, budgets.get(str(inv.get("lever"))))
        for inv in scenario.investments
    ]


def varied_budgets(facts: SweepFacts) -> dict[str, str]:
    """The budgets a sweep varies, by lever, in words: '£100,000 or £300,000 a year'."""
    out = {}
    for path, values in (facts.vary or {}).items():
        parts = path.split(".")
        if (
            parts[0] == "investments"
            and parts[-1] == "budget_per_year"
            and isinstance(values, list)
        ):
            shown = [f"£{float(v):,.0f}" for v in values if finite(v)]
            out[parts[1]] = f"{join(shown, 'or')} a year"
    for path, bounds in ((facts.sample or {}).get("ranges") or {}).items():
        parts = path.split(".")
        if parts[0] == "investments" and parts[-1] == "budget_per_year" and len(bounds) == 2:
            low, high = (f"£{float(b):,.0f}" for b in bounds)
            out[parts[1]] = f"{low} to {high} a year"
    return out


def money_words(scenario: ScenarioInfo, budgets: Mapping[str, str] | None = None) -> str:
    r"""What a scenario does with money: 'funds social prescribing (£300,000 a year, years 1–3)'.

    Examples
    --------
    >>> from thriving.report.facts import ScenarioInfo
    >>> grants = {"lever": "community_grants", "budget_per_year": 1e5, "start_year": 1,
    ...     "end_year": 3}
    >>> cuts = {"lever": "closures", "budget_per_year": 2.5e5, "start_year": 2, "end_year": 10}
    >>> words = money_words(ScenarioInfo("mixed", "", False, {"investments": [grants, cuts]}))
    >>> print(words.replace(" and ", " and\n"))
    funds community grants (£100,000 a year, years 1–3) and
    withdraws funding from community groups (£250,000 a year, years 2–10)
    """
    parts = []
    budgets = budgets or {}
    for inv in scenario.investments:
        lever = str(inv.get("lever"))
        money = budgets.get(lever) or f"£{float(inv.get('budget_per_year') or 0.0):,.0f} a year"
        years = _years(int(inv.get("start_year") or 1), int(inv.get("end_year") or 1))
        if lever == "closures":
            parts.append(f"withdraws funding from community groups ({money}, {years})")
        else:
            parts.append(f"funds {lever_name(lever).lower()} ({money}, {years})")
    if parts and all(part.startswith("funds ") for part in parts):
        return "funds " + join([part.removeprefix("funds ") for part in parts])
    return join(parts)


def same_everywhere(low: float, high: float) -> bool:
    """Whether an interval has no width: every pair of runs gave the same difference."""
    return finite(low) and finite(high) and math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-9)


def direction_words(low: float, high: float) -> str:
    """How an interval lies against zero.

    ``down`` or ``up`` when it excludes zero; ``unclear`` when it spans it; ``none`` when
    it is zero at both ends (no change in any pair); ``unknown`` without an interval.

    Examples
    --------
    >>> direction_words(-3, -1), direction_words(-1, 2), direction_words(0.0, 0.0)
    ('down', 'unclear', 'none')
    >>> direction_words(1, float("nan"))
    'unknown'
    """
    if not (finite(low) and finite(high)):
        return "unknown"
    if low == 0 and high == 0:
        return "none"
    if high < 0:
        return "down"
    if low > 0:
        return "up"
    return "unclear"


def _change_words(headline: Headline, metric: str, years: int) -> str:
    """'1,350 fewer GP appointments a year (95 % interval 1,190 to 1,500 fewer)'."""
    name, _ = HEADLINE_OUTCOMES[metric]
    mean = headline.value(metric) / years
    low, high = (v / years for v in headline.ci(metric))
    word = "fewer" if mean < 0 else "more"
    a, b = sorted((abs(low), abs(high)))
    if same_everywhere(low, high):
        span = " (the same in every pair of runs)"
    elif direction_words(low, high) in ("down", "up"):
        span = f" (95 % interval {format_count(a)} to {format_count(b)} {word})"
    else:
        span = ""
    return f"{format_count(abs(mean))} {word} {name} a year{span}"


def scenario_summary(headline: Headline, facts: SweepFacts) -> list[str]:
    """What a scenario's numbers mean and how sure we can be, in plain English.

    Returns
    -------
    list of str
        Paragraphs (plain text, not yet escaped for HTML): what happens to demand and
        loneliness, then what happens to money.
    """
    years = max(facts.years, 1)
    n = headline.n_pairs
    runs = f"{plural_text(n, 'pair')} of runs"
    sentences = []
    clear = [m for m in HEADLINE_OUTCOMES if direction_words(*headline.ci(m)) in ("down", "up")]
    unclear = [m for m in HEADLINE_OUTCOMES if direction_words(*headline.ci(m)) == "unclear"]
    unchanged = [m for m in HEADLINE_OUTCOMES if direction_words(*headline.ci(m)) == "none"]
    if clear:
        sentences.append(
            "Compared with no new investment, the model gives "
            + join([_change_words(headline, m, years) for m in clear])
            + f", on average over the {years} years."
        )
    if unclear:
        names = [HEADLINE_OUTCOMES[m][0] for m in unclear]
        verb = "change" if len(names) == 1 else "changes"
        sentences.append(
            f"The {verb} in {join(names)} cannot be distinguished from chance with {runs}."
        )
    if unchanged:
        names = [HEADLINE_OUTCOMES[m][0] for m in unchanged]
        names[0] = names[0][:1].upper() + names[0][1:]
        sentences.append(f"{join(names)} did not change at all in any pair of runs.")
    if (
        len(unchanged) == len(HEADLINE_OUTCOMES)
        and facts.residents_simulated < facts.borough_adults
    ):
        share = facts.residents_simulated / facts.borough_adults
        budgets = [
            f"£{float(inv.get('budget_per_year') or 0.0) * share:,.0f}"
            for s in facts.scenarios
            if s.label == headline.scenario
            for inv in s.investments
        ]
        scaled = f" (to {join(budgets)} a year here)" if budgets else ""
        sentences.append(
            "In the model this investment made no difference here. With a small simulated "
            f"sample the budget is scaled down with it{scaled}, which may buy less than one "
            "unit of the lever, such as one community group's grant: run more residents."
        )
    if n < 2:
        sentences.append(
            "With a single pair of runs there is no interval: the numbers may be chance."
        )
    money = _money_sentences(headline, facts)
    return [" ".join(part) for part in (sentences, *money) if part]


def _money_sentences(headline: Headline, facts: SweepFacts) -> list[list[str]]:
    """Sentences on money: cost avoided and net benefit; then cash and payback."""
    years = facts.years
    invested = headline.value("investment_gbp_pv")
    avoided = headline.value("cost_avoided_gbp_pv")
    cash = headline.value("cash_cost_avoided_gbp_pv")
    net, net_ci = headline.value("net_benefit_gbp_pv"), headline.ci("net_benefit_gbp_pv")
    cash_net = headline.value("cash_net_benefit_gbp_pv")
    cash_ci = headline.ci("cash_net_benefit_gbp_pv")
    if not finite(invested):
        return []
    out: list[str] = []
    cash_out: list[str] = []
    if invested < 0:
        out.append(
            f"This scenario withdraws {format_money(-invested)} of funding (present value). "
            f"Service costs change by {format_money(-avoided, signed=True)} against the "
            f"baseline over the {years} years; with the money withdrawn counted as a saving, "
            f"the net effect is {format_money(net, signed=True)}"
            + (
                f" (95 % interval {interval_text(*net_ci, money=True)})."
                if finite(net_ci[0])
                else "."
            )
        )
        return [out]
    if invested == 0:
        out.append(
            f"Nothing is invested; service costs change by {format_money(-avoided, signed=True)} "
            f"over the {years} years."
        )
        return [out]
    out.append(
        f"Over the {years} years the service cost avoided comes to {format_money(avoided)} "
        f"against {format_money(invested)} invested (present values)."
    )
    span = interval_text(*net_ci, money=True)
    verdict = direction_words(*net_ci)
    if verdict == "up":
        out.append(
            "Counting the staff time and beds freed as if they were savings, it saves more "
            f"than it costs: a net benefit of {format_money(net)}{_bracket(*net_ci)}."
        )
    elif verdict == "down":
        out.append(
            "Even counting the staff time and beds freed as savings, it costs more than it "
            f"avoids: a net cost of {format_money(-net)}{_bracket(-net_ci[1], -net_ci[0])}."
        )
    else:
        out.append(
            "Whether it saves more than it costs cannot be told with this many runs: the net "
            f"benefit is {format_money(net, signed=True)}"
            + (f", with a 95 % interval from {span}." if span else ".")
        )
    if finite(avoided) and avoided > 0 and finite(cash) and format_money(cash) == "£0":
        cash_out.append(
            "None of the cost avoided is cash that could be released: it is all capacity "
            "freed (appointments, beds, staff time) that other patients will use."
        )
    elif finite(avoided) and avoided > 0 and finite(cash):
        share = 100 * cash / avoided
        cash_out.append(
            f"Only {format_money(cash)} of the cost avoided ({share:.0f} %) is cash that could "
            "be released; the rest is capacity freed (appointments, beds, staff time) that "
            "other patients will use, not money back in a budget."
        )
    cash_span = interval_text(*cash_ci, money=True)
    cash_verdict = direction_words(*cash_ci)
    if cash_verdict == "up":
        cash_out.append(
            f"Even in cash it pays for itself: a net cash saving of {format_money(cash_net)}"
            f"{_bracket(*cash_ci)}."
        )
    elif cash_verdict == "down":
        cash_out.append(
            f"In cash it does not pay for itself: a net cash cost of {format_money(-cash_net)}"
            f"{_bracket(-cash_ci[1], -cash_ci[0])}."
        )
    elif finite(cash_net):
        cash_out.append(
            "Whether it pays for itself in cash cannot be told with this many runs "
            f"(net cash benefit {format_money(cash_net, signed=True)}"
            + (f", 95 % interval {cash_span})." if cash_span else ").")
        )
    cash_out.append(_payback_sentence(headline, years))
    probability = headline.value("probability_net_saving")
    n = headline.n_pairs
    if finite(probability) and n:
        k = round(probability * n)
        out.append(
            f"In {k} of the {n} pairs of runs it saved more than it cost, counting all benefits."
        )
    return [out, cash_out]


def payback_words(headline: Headline, metric: str, years: int) -> str:
    """'year 3', 'year 4, behind again by year 8', 'not within 8 years', or why none.

    The payback year is the first year the mean cumulative cost avoided covers the
    investment; when the net benefit at the end is below 0 it fell behind again.
    """
    value = headline.value(metric)
    net = headline.value(
        "net_benefit_gbp_pv" if metric == "payback_year" else "cash_net_benefit_gbp_pv"
    )
    if finite(value):
        if finite(net) and net < 0:
            return f"year {int(value)}, behind again by year {years}"
        return f"year {int(value)}"
    unit = headline.unit(metric)
    if "not paid back" in unit:
        return f"not within {plural_text(years, 'year')}"
    if "withdrawn" in unit:
        return "money withdrawn"
    return "nothing invested"


def _payback_sentence(headline: Headline, years: int) -> str:
    """When the investment pays back, all benefits counted and in cash alone."""
    overall = payback_words(headline, "payback_year", years)
    cash = payback_words(headline, "cash_payback_year", years)
    if not overall.startswith("year"):
        return f"It does not pay back within the {years} years, even counting all benefits."
    behind = "behind" in overall
    if behind:
        first = (
            "Counting all benefits, the cost avoided catches up with the money invested in "
            + overall.replace(", behind again by", " but falls behind again by")
        )
    else:
        first = f"It pays back in {overall} counting all benefits"
    if cash.startswith("year"):
        tail = (
            f"; in cash alone it is ahead in {cash}"
            if "behind" in cash
            else f", and in {cash} in cash alone"
        )
    elif behind:
        tail = f"; in cash alone it never catches up within the {years} years"
    else:
        tail = f", but not in cash within the {years} years"
    return f"{first}{tail}."


def short_verdict(headline: Headline) -> str:
    """A few words for the table at a glance."""
    invested = headline.value("investment_gbp_pv")
    if not finite(invested) or invested == 0:
        return "No money invested"
    overall = direction_words(*headline.ci("net_benefit_gbp_pv"))
    if invested < 0:
        return {
            "up": "The money saved outweighs any extra service cost",
            "down": "The extra service cost outweighs the money saved",
        }.get(overall, "Cannot tell whether the money saved outweighs the service cost")
    cash = direction_words(*headline.ci("cash_net_benefit_gbp_pv"))
    if overall == "up":
        if cash == "up":
            return "Saves more than it costs, in cash too"
        if cash == "down":
            return "Saves more than it costs in capacity freed, but not in cash"
        return "Saves more than it costs in capacity freed; in cash, cannot tell"
    if overall == "down":
        return "Costs more than it avoids"
    if overall == "unclear":
        return "Cannot tell whether it saves more than it costs"
    return "Too few runs to tell"


def optimism_bias_of(headlines: Sequence[Headline]) -> float:
    """The optimism bias comparison.csv was made with (0 when none), from its unit text."""
    for headline in headlines:
        found = re.search(r"\+([\d.]+) % optimism bias", headline.unit("investment_gbp_pv"))
        if found:
            return float(found.group(1)) / 100
    return 0.0
