"""The sections of the report, each assembled as HTML from the facts and numbers."""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thriving.analysis.sensitivity import INDICES_FILE
from thriving.analysis.series import plain_label
from thriving.metrics import NUMBER_WORDS
from thriving.report.facts import (
    AssumptionGroup,
    Headline,
    SweepFacts,
    float_or_nan,
    setting_at,
    ward_table,
)
from thriving.report.html import _badge, _date, _e, _figure, _p, _path, _read_picture, _table
from thriving.report.inputs import Inputs, before_after_module, error_words
from thriving.report.labels import finite, join, lever_name
from thriving.report.words import (
    CASH_SERVICE_WORDS,
    ENOUGH_REPLICATES,
    HEADLINE_OUTCOMES,
    PLOTS_FOLDER,
    WARD_COLUMN_WORDS,
    direction_words,
    format_count,
    format_money,
    format_percent,
    interval_text,
    money_words,
    number_text,
    optimism_bias_of,
    payback_words,
    plural_text,
    ratio_text,
    same_everywhere,
    scenario_investments,
    scenario_summary,
    short_verdict,
    varied_budgets,
)

# --------------------------------------------------------------------------------------
# The parts of the report
# --------------------------------------------------------------------------------------


def _question(facts: SweepFacts) -> str:
    """The question the experiment asks, in a sentence."""
    budgets = varied_budgets(facts)
    options = [money_words(s, budgets) for s in facts.others if s.investments]
    if options and all(option.startswith("funds ") for option in options):
        actions = "funds " + join([option.removeprefix("funds ") for option in options], "or")
    else:
        actions = join(options, "or") or "changes its spending as the scenarios say"
    return (
        f"If the council {actions}, how do GP appointments, A&E attendances, emergency "
        "admissions, home care and loneliness change over the "
        f"{plural_text(facts.years, 'year')} that follow, compared with no new investment, and "
        "does the money saved cover the cost?"
    )


def _run_in_words(facts: SweepFacts) -> str:
    parts = [
        f"{plural_text(len(facts.scenarios), 'scenario')} (baseline included), "
        f"{plural_text(facts.replicates, 'run')} of each",
    ]
    points = len(facts.vary) or bool(facts.sample)
    if points:
        parts[0] += " at each point of the design"
    parts.append(f"{facts.done:,} of {facts.n_runs:,} runs finished")
    if finite(facts.residents_simulated):
        parts.append(
            f"{format_count(facts.residents_simulated)} residents simulated for a borough of "
            f"{facts.borough_adults:,.0f} adults"
        )
    parts.append(
        f"{plural_text(facts.years, 'year')} after {plural_text(facts.burn_in_years, 'year')} of "
        "settling in"
    )
    return "; ".join(parts) + "."


def _cover(facts: SweepFacts, headlines: Sequence[Headline], generated: str) -> str:
    when = _date(facts.finished or facts.started)
    lines = [
        "<header>",
        '<p class="kicker">Thriving &middot; results for councillors</p>',
        "<h1>Does community investment reduce pressure on services?</h1>",
        f'<p class="subtitle">The &lsquo;{_e(facts.name)}&rsquo; experiment, run on '
        f"{_e(when)} with Thriving {_e(facts.version)}. Report made {_e(generated)}.</p>",
        "</header>",
        '<section id="question">',
        "<h2>The question</h2>",
        _p(_question(facts), "question"),
    ]
    if facts.description:
        lines.append(f"<p>The experiment: {_e(facts.description)}</p>")
    lines.append(_p(_run_in_words(facts), "muted"))
    lines.append("</section>")
    lines.append('<section id="glance">')
    lines.append("<h2>The answer at a glance</h2>")
    lines.append(_glance_table(headlines))
    lines.append(_p(_money_basis(facts, headlines), "muted"))
    lines.append(_how_sure(facts, headlines))
    lines.append("</section>")
    return "\n".join(lines)


def _money_basis(facts: SweepFacts, headlines: Sequence[Headline]) -> str:
    bias = optimism_bias_of(headlines)
    added = (
        f" The money invested includes {100 * bias:g} % optimism bias."
        if bias
        else " No optimism bias is added to the money invested."
    )
    return (
        f"Money is in £ at {facts.price_year} prices, as present values over the "
        f"{plural_text(facts.years, 'year')}, discounted at {100 * facts.discount_rate:g} % a year "
        "from the first year of investment (HM Treasury Green Book). Under each net benefit, "
        "in grey, is its 95 % interval." + added
    )


def _glance_table(headlines: Sequence[Headline]) -> str:
    head = [
        "Scenario",
        "Invested",
        "Net benefit, all benefits (95 % interval)",
        "Net benefit, cash only (95 % interval)",
        "£ back per £1 (all / cash)",
        "In short",
    ]
    rows = []
    for h in headlines:
        net, net_ci = h.value("net_benefit_gbp_pv"), h.ci("net_benefit_gbp_pv")
        cash, cash_ci = h.value("cash_net_benefit_gbp_pv"), h.ci("cash_net_benefit_gbp_pv")

        def cell(value: float, ci: tuple[float, float]) -> str:
            span = interval_text(*ci, money=True)
            extra = f'<br><span class="interval">{_e(span)}</span>' if span else ""
            return f"{_e(format_money(value, signed=True))}{extra}"

        bcr = h.value("bcr")
        cash_bcr = h.value("cash_bcr")
        ratio = (
            f"{ratio_text(bcr)} / {ratio_text(cash_bcr)}"
            if finite(bcr) and finite(cash_bcr)
            else "n/a"
        )
        years = _years_of(h)
        payback = payback_words(h, "payback_year", years)
        if payback.startswith("year") and "behind" in payback:
            payback = f"Ahead in {payback}"
        elif payback.startswith("year"):
            payback = f"Pays back in {payback}"
        elif payback.startswith("not within"):
            payback = f"Does not pay back {payback.removeprefix('not ')}"
        else:
            payback = ""
        verdict = short_verdict(h)
        klass = {"up": "good", "down": "bad"}.get(
            direction_words(*h.ci("net_benefit_gbp_pv")), "unclear"
        )
        rows.append(
            [
                (f'<a href="#scenario-{_slug(h.title)}"><strong>{_e(h.title)}</strong></a>', ""),
                (_e(_invested_words(h.value("investment_gbp_pv"))), "num"),
                (cell(net, net_ci), "num"),
                (cell(cash, cash_ci), "num"),
                (_e(ratio), "num"),
                (
                    f'<span class="verdict {klass}">{_e(verdict)}</span>'
                    + (f'<br><span class="muted">{_e(payback)}</span>' if payback else ""),
                    "",
                ),
            ]
        )
    return _table(head, rows, numeric=(1, 2, 3, 4))


def _invested_words(value: float) -> str:
    """Money invested, or withdrawn when below 0."""
    if finite(value) and value < 0:
        return f"{format_money(-value)} withdrawn"
    return format_money(value)


def _slug(text: str) -> str:
    """An HTML id made of a title.

    Examples
    --------
    >>> _slug("Social prescribing, budget per year £200,000")
    'social-prescribing-budget-per-year-200-000'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _years_of(headline: Headline) -> int:
    found = re.search(r"over the (\d+) years?", headline.unit("gp_appointments_total"))
    return int(found.group(1)) if found else 0


def _how_sure(facts: SweepFacts, headlines: Sequence[Headline]) -> str:
    n = min((h.n_pairs for h in headlines), default=0)
    items = []
    if facts.sample_method:
        varied = plural_text(len(facts.varied_in_words()), "uncertain assumption")
        items.append(
            f"The runs are draws of {varied}"
            " across their ranges (a sampled design), so the intervals include that "
            "uncertainty as well as chance. They still leave out every assumption held fixed."
        )
    else:
        items.append(
            "The intervals show only how much the answer moves from run to run by chance "
            f"({plural_text(n, 'pair')} of runs of each scenario). They do not include the "
            "uncertainty in the model's assumptions, which is larger: many of the effects "
            "of the levers are illustrative judgements (see Caveats)."
        )
    if n < ENOUGH_REPLICATES:
        items.append(
            f"{plural_text(n, 'pair')} of runs is few: the intervals are wide and themselves "
            f"rough. Use {ENOUGH_REPLICATES} or more replicates for figures you present."
        )
    items.append(
        "Most of the cost avoided is capacity freed (GP time, A&E and hospital beds), not "
        "cash: services will use it for other patients, and budgets do not fall. The "
        "cash-only columns count only what could be released."
    )
    items.append(
        "The borough is the Oldham-like example shipped with Thriving, some of whose ward "
        "data are illustrative. Thriving is a tool for reasoning about how uncertain the "
        "answer is, not a forecast."
        if _uses_packaged_wards(facts)
        else "Thriving is a tool for reasoning about how uncertain the answer is, not a forecast."
    )
    inner = "".join(f"<li>{_e(item)}</li>" for item in items)
    return f'<div class="callout"><h3>How sure can we be?</h3><ul>{inner}</ul></div>'


def _uses_packaged_wards(facts: SweepFacts) -> bool:
    return not (facts.baseline.settings.get("population") or {}).get("wards_file")


def _contents(parts: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{_e(key)}">{_e(title)}</a></li>' for key, title in parts)
    return f'<nav class="contents"><h2>Contents</h2><ol>{items}</ol></nav>'


def _scenarios_part(facts: SweepFacts) -> str:
    lines = []
    for scenario in facts.scenarios:
        title = plain_label(scenario.label)
        if scenario.is_baseline:
            title += (
                ": the baseline, what every scenario is compared with"
                if scenario.label.lower() != "baseline"
                else ": what every scenario is compared with"
            )
        lines.append(f"<h3>{_e(title)}</h3>")
        if scenario.description:
            lines.append(_p(scenario.description))
        sentences = scenario_investments(scenario, varied_budgets(facts))
        if sentences:
            lines.append("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")
        elif scenario.is_baseline and not scenario.description:
            lines.append(_p("No new investment: today's community groups and services."))
        lines.append(f'<p class="muted">Scenario file: <code>{_e(scenario.file)}</code></p>')
    varied = facts.varied_in_words()
    if varied:
        lines.append("<h3>Settings varied across the runs</h3>")
        lines.append(
            "<ul>"
            + "".join(
                f"<li><code>{_e(path)}</code>: {_e(how)}</li>" for path, how in varied.items()
            )
            + "</ul>"
        )
    if facts.overrides:
        lines.append(
            _p(
                "Changed for every scenario, baseline included: "
                + "; ".join(f"{k} = {v}" for k, v in facts.overrides.items())
                + "."
            )
        )
    return "\n".join(lines)


def _outcome_table(headline: Headline, years: int) -> str:
    head = [
        "Outcome, whole borough",
        "Change a year",
        "95 % interval",
        f"Change over {plural_text(years, 'year')}",
        "95 % interval",
        "Change",
        "Clear?",
    ]
    rows = []
    for metric, (name, _) in HEADLINE_OUTCOMES.items():
        if metric not in headline.rows:
            continue
        total = headline.value(metric)
        low, high = headline.ci(metric)
        direction = direction_words(low, high)
        clear = {
            "down": ("fewer", "good"),
            "up": ("more", "bad"),
            "unclear": ("could be chance", "unclear"),
            "none": ("no change", "unclear"),
        }.get(direction, ("no interval", "unclear"))
        per = years or 1
        same = "same in every pair" if same_everywhere(low, high) else ""
        rows.append(
            [
                (_e(name[:1].upper() + name[1:]), ""),
                (_e(format_count(total / per, signed=True)), "num"),
                (_e(interval_text(low / per, high / per, money=False) or same), "interval"),
                (_e(format_count(total, signed=True)), "num"),
                (_e(interval_text(low, high, money=False) or same), "interval"),
                (_e(format_percent(headline.rows[metric].get("pct_change"))), "num"),
                (f'<span class="{clear[1]}">{_e(clear[0])}</span>', ""),
            ]
        )
    return _table(head, rows, numeric=(1, 3, 5), caption="Demand and loneliness")


def _money_table(headline: Headline, years: int, bias: float) -> str:
    head = ["", "All benefits (capacity freed and cash)", "Cash released only"]

    def money(metric: str) -> str:
        value = headline.value(metric)
        span = interval_text(*headline.ci(metric), money=True)
        extra = f'<br><span class="interval">95 %: {_e(span)}</span>' if span else ""
        return f"{_e(format_money(value, signed=metric.endswith('net_benefit_gbp_pv')))}{extra}"

    def ratio(metric: str) -> str:
        return ratio_text(headline.value(metric))

    def probability(metric: str) -> str:
        value = headline.value(metric)
        if not finite(value):
            return "n/a"
        n = headline.n_pairs
        return f"{100 * value:.0f} % ({round(value * n)} of {n} pairs)"

    invested = money("investment_gbp_pv")
    label = "Invested" + (f" (with {100 * bias:g} % optimism bias)" if bias else "")
    rows = [
        [(_e(label), ""), (invested, "num"), (invested, "num")],
        [
            (_e("Service cost avoided"), ""),
            (money("cost_avoided_gbp_pv"), "num"),
            (money("cash_cost_avoided_gbp_pv"), "num"),
        ],
        [
            (_e("Net benefit (above 0: a saving)"), ""),
            (money("net_benefit_gbp_pv"), "num"),
            (money("cash_net_benefit_gbp_pv"), "num"),
        ],
        [
            (_e("Benefit\u2013cost ratio (above 1: pays back)"), ""),
            (_e(ratio("bcr")), "num"),
            (_e(ratio("cash_bcr")), "num"),
        ],
        [
            (_e("Pays back"), ""),
            (_e(payback_words(headline, "payback_year", years)), "num"),
            (_e(payback_words(headline, "cash_payback_year", years)), "num"),
        ],
        [
            (_e("Probability of a net saving"), ""),
            (_e(probability("probability_net_saving")), "num"),
            (_e(probability("probability_cash_saving")), "num"),
        ],
    ]
    per = headline.value("gbp_per_lonely_person_year_averted")
    if finite(per):
        rows.append(
            [
                (_e("Invested per lonely person-year averted"), ""),
                (_e(format_money(per)), "num"),
                ("", ""),
            ]
        )
    return _table(
        head,
        rows,
        numeric=(1, 2),
        caption=f"Money over the {plural_text(years, 'year')} (present values)",
    )


def _results_part(facts: SweepFacts, headlines: Sequence[Headline]) -> str:
    bias = optimism_bias_of(headlines)
    lines = [
        _p(
            "For each scenario: the change against the baseline run with the same seed (so "
            "the same chance events), averaged over the pairs of runs, for the whole borough, "
            "with its 95 % interval. A change whose interval includes zero cannot be told "
            "from chance with this many runs."
        )
    ]
    for headline in headlines:
        lines.append(f'<div class="scenario" id="scenario-{_slug(headline.title)}">')
        lines.append(f"<h3>{_e(headline.title)}</h3>")
        lines.append(
            f'<p class="muted">Against {_e(_baseline_title(facts))}, '
            f"{_e(plural_text(headline.n_pairs, 'pair'))} of runs.</p>"
        )
        lines.append(
            '<div class="summary">'
            + "".join(_p(text) for text in scenario_summary(headline, facts))
            + "</div>"
        )
        lines.append(_outcome_table(headline, facts.years))
        lines.append(_money_table(headline, facts.years, bias))
        lines.append("</div>")
    return "\n".join(lines)


def _baseline_title(facts: SweepFacts) -> str:
    name = plain_label(facts.baseline.label)
    return "the baseline" if name.lower() == "baseline" else f"the baseline ({name})"


# --------------------------------------------------------------------------------------
# Before and after; sensitivity
# --------------------------------------------------------------------------------------


def _before_after_part(folder: Path, facts: SweepFacts, inputs: Inputs) -> tuple[str, int]:
    """The before-and-after pictures and sentences, for sweeps with social prescribing."""
    module = before_after_module()
    if module is None or "social_prescribing" not in facts.levers:
        return "", 0
    lines = [
        _p(
            "Evaluations of social prescribing often compare referred people's GP use in the "
            "year before referral with the year after. People are referred when their need "
            "is at a peak, and many would improve anyway (regression to the mean), so such a "
            "fall overstates the effect. Here each referred resident is also followed in the "
            "baseline run with the same seed, where nobody is referred: the difference between "
            "the two is the effect of social prescribing; the rest of the fall would have "
            "happened anyway."
        )
    ]
    problems = [p for p in inputs.problems if p.startswith("The before-and-after")]
    result = inputs.before_after
    sentences: list[str] = []
    try:
        if result is None and not problems:
            result = module.analyse_before_after(folder)
        if result is not None:
            sentences = [module.headline(group) for group in result.groups]
    except Exception as exc:  # noqa: BLE001 - an extra: said in the report, not hidden
        problems.append(f"The before-and-after comparison could not be made: {error_words(exc)}")
    for problem in problems:
        lines.append(_p(problem, "muted"))
    for sentence in sentences:
        # The module's headline: a first line naming the scenario, then a line per window.
        first, *rest = [line.strip() for line in sentence.splitlines() if line.strip()] or [""]
        for label in sorted((s.label for s in facts.others), key=len, reverse=True):
            if first.startswith(label):
                first = plain_label(label) + first[len(label) :]
                break
        lines.append(f"<p><strong>{_e(first)}</strong></p>")
        if rest:
            lines.append("<ul>" + "".join(f"<li>{_e(line)}</li>" for line in rest) + "</ul>")
    if sentences:
        lines += [_p(note, "muted") for note in getattr(result, "notes", [])]
    count = 0
    for path in sorted((folder / PLOTS_FOLDER).glob("before_after*.png")):
        picture = _read_picture(path)
        if picture is not None:
            lines.append(_figure(picture))
            count += 1
    return "\n".join(lines), count


def _sensitivity_part(folder: Path) -> tuple[str, int]:
    """The ranked assumptions of sensitivity.csv, its pictures and how to read them."""
    path = folder / INDICES_FILE
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError:
        return "", 0
    if not rows:
        return "", 0
    morris = "mu_star" in rows[0]
    metric = rows[0].get("metric", "")
    scenario = rows[0].get("scenario", "")
    money = metric.endswith("_gbp_pv")
    what = (
        f"{NUMBER_WORDS.get(metric, metric.replace('_', ' '))} of {plain_label(scenario).lower()}"
    )
    if morris:
        intro = (
            f"Which assumptions move the answer most? The Morris method moved each sampled "
            f"assumption across its range, one at a time, many times. mu* is how much the "
            f"{what} typically moves when "
            "that assumption goes from the low to the high end of its range; the noise column "
            "is what replicate noise alone would give. Ranks whose mu* (less its 95 % margin) "
            "is not above the noise may be chance."
        )
        head = ["Rank", "Assumption", "mu*", "\u00b1 95 %", "Noise", "Above the noise?"]
    else:
        intro = (
            f"Which assumptions move the answer most? ST is the share of the variation of the "
            f"{what} across the sampled "
            "design that the assumption explains, with its interactions; S1 on its own. An "
            "assumption with ST near 0 could be fixed anywhere in its range."
        )
        head = ["Rank", "Assumption", "S1", "ST", "\u00b1 95 %", "Above the noise?"]
    body = []
    for row in rows:
        name = f"{_e(row.get('description') or row['parameter'])}{_path(row['parameter'])}"
        noise = float_or_nan(row.get("noise_level"))
        if morris:
            value, conf = float_or_nan(row.get("mu_star")), float_or_nan(row.get("mu_star_conf"))
            cells = [
                (_e(number_text(value, money)), "num"),
                (_e(number_text(conf, money)), "num"),
                (_e(number_text(noise, money) if finite(noise) else "n/a"), "num"),
            ]
        else:
            value, conf = float_or_nan(row.get("ST")), float_or_nan(row.get("ST_conf"))
            cells = [
                (_e(f"{float_or_nan(row.get('S1')):.2f}"), "num"),
                (_e(f"{value:.2f}"), "num"),
                (_e(f"{conf:.2f}"), "num"),
            ]
        above = "n/a" if not finite(noise) else ("yes" if value - conf > noise else "no")
        body.append([(_e(row.get("rank", "")), "num"), (name, ""), *cells, (_e(above), "")])
    lines = [_p(intro), _table(head, body, numeric=(0, 2, 3, 4))]
    count = 0
    names = (f"sensitivity_{metric}.png", f"sensitivity_{metric}_sigma.png")
    for picture_path in [folder / PLOTS_FOLDER / name for name in names]:
        picture = _read_picture(picture_path)
        if picture is not None:
            lines.append(_figure(picture))
            count += 1
    return "\n".join(lines), count


# --------------------------------------------------------------------------------------
# Assumptions and caveats
# --------------------------------------------------------------------------------------


def _assumption_table(group: AssumptionGroup, compact: bool = False) -> str:
    if compact:
        head = ["Assumption", "Value used", "Plausible range", "Source"]
    else:
        head = ["Assumption", "Value used", "Plausible range", "Unit", "Source", "Confidence"]
    rows = []
    classes = []
    for item in group.rows:
        changed = (
            f'<br><span class="muted">default {_e(item.default)}</span>'
            if item.changed and item.default
            else ""
        )
        name = f"{_e(item.description)}{_path(item.path)}"
        cells = [(name, ""), (f"{_e(item.value)}{changed}", ""), (_e(item.plausible), "")]
        if compact:
            cells.append((_e(item.source), "source"))
        else:
            cells += [
                (_e(item.unit), ""),
                (_e(item.source), "source"),
                (_badge(item.confidence), ""),
            ]
        rows.append(cells)
        classes.append("low-confidence" if item.is_low else "")
    return _table(head, rows, row_classes=classes)


def _assumptions_part(groups: Sequence[AssumptionGroup]) -> str:
    n = sum(len(g.rows) for g in groups)
    low = sum(item.is_low for g in groups for item in g.rows)
    lines = [
        _p(
            f"The {n} settings below drive the levers and services in these scenarios. Each "
            "has the value the runs used, the range the evidence supports, where it comes "
            f"from and how far to trust it. {low} are graded low confidence (marked with an "
            "orange edge): illustrative judgements or weak evidence. Every parameter, with its "
            "full reference, is in docs/parameters.md."
        )
    ]
    for group in groups:
        lines.append(f"<h3>{_e(group.title)}</h3>")
        if group.note:
            lines.append(_p(group.note, "muted"))
        lines.append(_assumption_table(group))
    return "\n".join(lines)


def _illustrative_ward_columns(table: Any) -> dict[str, int]:
    """Columns of the ward table said to be illustrative, with how many wards say so."""
    counts: dict[str, int] = {}
    for source in table.sources:
        for segment in str(source).split(";"):
            if ":" not in segment or "illustrative" not in segment.split(":", 1)[1]:
                continue
            for column in segment.split(":", 1)[0].split(","):
                column = column.strip()
                counts[column] = counts.get(column, 0) + 1
    return counts


def _ward_caveat(facts: SweepFacts) -> str:
    table = ward_table(facts.baseline.settings)
    if table is None:
        return ""
    counts = _illustrative_ward_columns(table)
    packaged = _uses_packaged_wards(facts)
    intro = (
        f"The borough is the Oldham-like example shipped with Thriving ({table.n_wards} wards, "
        f"{float(table.adults.sum()):,.0f} adults), not Oldham's statistics."
        if packaged
        else f"The ward table is {table.file} ({table.n_wards} wards)."
    )
    if not counts:
        return intro
    parts = []
    for column, k in counts.items():
        words = WARD_COLUMN_WORDS.get(column, column.replace("_", " "))
        whole = "every ward" if k == table.n_wards else f"{plural_text(k, 'ward')}"
        parts.append(f"{words} ({whole})")
    return (
        f"{intro} Its source column says these are illustrative, not measured: "
        f"{join(parts)}. Targeting by deprivation (most deprived wards) and the who-benefits "
        "pictures rest on them."
    )


def _cash_shares(facts: SweepFacts) -> str:
    shares = ((facts.baseline.settings.get("appraisal") or {}).get("cash_releasing")) or {}
    parts = [
        f"{CASH_SERVICE_WORDS.get(k, k)} {100 * float(v):.0f} %"
        for k, v in shares.items()
        if finite(v)
    ]
    return join(parts)


def _caveats(
    facts: SweepFacts,
    headlines: Sequence[Headline],
    groups: Sequence[AssumptionGroup],
    mechanisms: AssumptionGroup,
) -> list[tuple[str, str]]:
    """The caveats: (title, HTML) pairs, the weakest evidence first."""
    out: list[tuple[str, str]] = []
    lever_titles = {lever_name(lv) for lv in facts.levers}
    lever_groups = [g for g in groups if g.title in lever_titles]
    low_by_lever = [(g.title, [item for item in g.rows if item.is_low]) for g in lever_groups]
    low_by_lever = [(title, items) for title, items in low_by_lever if items]
    n_low = sum(len(items) for _, items in low_by_lever)
    if n_low:
        lists = "".join(
            f"<li><strong>{_e(title)}</strong><ul>"
            + "".join(
                f"<li>{_e(_first_clause(item.description))}: {_e(item.value)}"
                f"{(' ' + _e(item.unit)) if item.unit else ''}. Source: {_e(item.source)}."
                "</li>"
                for item in items
            )
            + "</ul></li>"
            for title, items in low_by_lever
        )
        out.append(
            (
                "The levers' effects rest on weak evidence",
                _p(
                    f"{plural_text(n_low, 'assumption')} about what the money buys and what it "
                    f"does {'is' if n_low == 1 else 'are'} graded low confidence. The answer "
                    "can move a lot with them: sweep them across their plausible ranges (an "
                    "experiment with 'sample: {method: morris}', see docs/sensitivity.md) "
                    "before relying on it."
                )
                + f"<ul>{lists}</ul>",
            )
        )
    other_low = [(g, item) for g in groups if g not in lever_groups for item in g.rows]
    other_low = [(g, item) for g, item in other_low if item.is_low]
    if other_low:
        counts = {}
        for group, _ in other_low:
            counts[group.title] = counts.get(group.title, 0) + 1
        where = join([f"{k} in {title.split(':')[0].lower()}" for title, k in counts.items()])
        out.append(
            (
                "Services and settings with weak evidence",
                _p(
                    f"{plural_text(len(other_low), 'further assumption')} in use "
                    f"{'is' if len(other_low) == 1 else 'are'} graded low confidence ({where}): "
                    "mostly how much each service can supply, how much unmet demand turns into "
                    "A&E visits and admissions ('failure demand'), and how much of the cost "
                    "avoided is cash. They are marked with an orange edge, with their sources, "
                    "in the Assumptions section."
                ),
            )
        )
    if mechanisms.rows:
        out.append(
            (
                "How loneliness, ties, groups and health work",
                _p(
                    f"{plural_text(len(mechanisms.rows), 'assumption')} about how the levers "
                    "reach health and services (how groups form and close, how ties fade, how "
                    "loneliness and activity act on need) are graded low confidence. They are "
                    "listed in the appendix with their sources."
                ),
            )
        )
    contagion = setting_at(facts.baseline.settings, "loneliness.contagion_strength")
    if finite(contagion) and contagion > 0:
        rate = (
            "at the rate"
            if math.isclose(float(contagion), 1.0)
            else f"at {format_count(float(contagion))} times the rate"
        )
        out.append(
            (
                "Loneliness spreading between friends is contested",
                _p(
                    f"The model lets loneliness spread through close ties {rate} estimated "
                    "from one US cohort (Hill et al. 2010, Framingham); that evidence may "
                    "reflect people choosing friends like themselves and sharing the same "
                    "surroundings rather than contagion. Setting loneliness.contagion_strength "
                    "to 0 shows the answer without it."
                ),
            )
        )
    n = min((h.n_pairs for h in headlines), default=0)
    if n < ENOUGH_REPLICATES:
        out.append(
            (
                "Few runs",
                _p(
                    f"Each scenario was run {plural_text(n, 'time')} (paired with the baseline by "
                    f"seed). With fewer than {ENOUGH_REPLICATES} the intervals are wide and "
                    "themselves uncertain, and small effects cannot be told from chance. Set "
                    f"'replicates: {ENOUGH_REPLICATES}' or more in the experiment file for "
                    "figures you will present."
                ),
            )
        )
    if finite(facts.residents_simulated) and facts.residents_simulated < facts.borough_adults:
        ratio = facts.borough_adults / facts.residents_simulated
        out.append(
            (
                "A sample of the borough",
                _p(
                    f"The runs simulated {format_count(facts.residents_simulated)} residents, a "
                    f"representative sample of the borough's {facts.borough_adults:,.0f} adults "
                    f"(1 in {ratio:.1f}). Budgets were scaled down to the sample and counts and "
                    "costs back up to the whole borough, so the numbers are for the whole "
                    "borough, but noisier than a full-size run. Small wards have few simulated "
                    "residents."
                ),
            )
        )
    wards = _ward_caveat(facts)
    if wards:
        out.append(("Illustrative ward data", _p(wards)))
    shares = _cash_shares(facts)
    out.append(
        (
            "Capacity freed is not cash",
            _p(
                "Fewer GP appointments, A&E attendances or admissions free staff time and "
                "beds that other patients will use; budgets do not fall. Only the "
                "cash-releasing shares count as cash"
                + (f" ({shares})" if shares else "")
                + ". Read the 'all benefits' figures as the value of capacity freed, and the "
                "'cash released only' figures as what could come back to a budget."
            ),
        )
    )
    out.append(
        (
            "Regression to the mean",
            _p(
                "People are referred to help when their need is at a peak, and many would "
                "improve anyway. Before-and-after evaluations therefore overstate effects "
                "(local evaluations report cuts of 20\u201330 % in GP and A&E use; the largest "
                "controlled study found about 1.1 fewer GP appointments a quarter per person "
                "referred). This report compares each scenario with the same residents under "
                "the baseline, which avoids that bias; do not set its numbers beside "
                "before-and-after figures."
            ),
        )
    )
    left_out = [
        "children: the model simulates adults only;",
        "services that adapt: capacities are fixed, and services do not triage or expand "
        "when queues grow;",
        "friends and family outside the borough: only ties within it count;",
        "community groups' own running costs beyond the grants, and volunteers' time;",
        "people leaving long-term social care other than by dying or moving away;",
        "distance: space is wards only;",
        "any check against an evaluation of a local programme: the baseline is calibrated "
        "to national rates (docs/calibration.md), not to this borough's own records.",
    ]
    out.append(
        (
            "What the model leaves out",
            "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in left_out) + "</ul>",
        )
    )
    for note in facts.notes:
        out.append(("Scenario settings not recorded", _p(note)))
    if facts.pending or facts.failed:
        out.append(
            (
                "Unfinished sweep",
                _p(
                    f"{facts.done:,} of {facts.n_runs:,} runs finished ({facts.pending:,} not "
                    f"run, {facts.failed:,} failed). The numbers use the finished runs only; "
                    "run the same thriving sweep command again to complete it, then make the "
                    "report again."
                ),
            )
        )
    return out


def _first_clause(text: str) -> str:
    """The description up to its first full stop (without it)."""
    text = " ".join(text.split())
    found = re.search(r"\.(\s|$)", text)
    return text[: found.start()] if found else text


def _caveats_part(caveats: Sequence[tuple[str, str]]) -> str:
    lines = []
    for title, body in caveats:
        lines.append(f"<h3>{_e(title)}</h3>")
        lines.append(body)
    lines.append(
        _p(
            "Read more: docs/odd.md (how the model works, process by process, and its known "
            "limitations), docs/parameters.md (every parameter with its source and "
            "confidence), docs/calibration.md (how well the baseline reproduces national "
            "rates) and docs/cost_benefit.md (the cost-benefit conventions), in the Thriving "
            "repository."
        )
    )
    return "\n".join(lines)


def _how_made_part(facts: SweepFacts, made: Sequence[str]) -> str:
    seeds = ", ".join(str(s) for s in facts.seeds)
    rows = [
        (
            "Experiment",
            f"{facts.name} ({facts.experiment_file})" if facts.experiment_file else facts.name,
        ),
        (
            "Run",
            f"{_date(facts.started)} to {_date(facts.finished)}"
            if facts.finished
            else _date(facts.started),
        ),
        ("Thriving version", facts.version),
        ("Runs", f"{facts.done:,} of {facts.n_runs:,} finished ({facts.failed:,} failed)"),
        ("Replicates", f"{facts.replicates:,} of each scenario, paired by seed"),
        ("Seeds", f"experiment seed {facts.seed}; replicate seeds {seeds}"),
        (
            "Residents simulated",
            f"{format_count(facts.residents_simulated)} of the borough's "
            f"{facts.borough_adults:,.0f} adults",
        ),
        (
            "Horizon",
            f"{plural_text(facts.years, 'year')} reported, after "
            f"{plural_text(facts.burn_in_years, 'year')} of settling in (burn-in)",
        ),
        ("Prices", f"{facts.price_year}; discounted at {100 * facts.discount_rate:g} % a year"),
        ("Results folder", os.path.abspath(facts.folder)),
    ]
    if made:
        rows.append(("Made for this report", "; ".join(made)))
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    command = f"thriving sweep {facts.experiment_file or 'EXPERIMENT.yaml'}"
    return (
        f'<dl class="facts">{items}</dl>'
        + _p(
            "The same experiment file and Thriving version give exactly the same numbers on "
            "any machine. To make them again:"
        )
        + f"<p><code>{_e(command)}</code> then <code>thriving report RESULTS_FOLDER</code></p>"
    )
