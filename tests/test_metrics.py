"""The one registry of outputs (thriving.metrics) gives every list of outputs as before.

Each list below is pinned literally as it stood before the registry (in recording,
runner, sweep, comparison, series, sensitivity, outputs, plots): a change to the
registry that renamed, dropped, added or reordered a column of a file fails here.
"""

from __future__ import annotations

import importlib
import importlib.util

import pytest

from thriving import metrics

BOROUGH_COLUMNS = (
    "week", "year", "population", "gp_appointments", "ae_attendances",
    "emergency_admissions", "social_care_clients", "social_care_hours",
    "mental_health_referrals", "unmet_demand", "social_care_unmet_hours", "lonely_share",
    "lonely_person_years", "isolated_share", "mean_degree", "mean_strong_ties",
    "bridging_share", "participation_rate", "groups_open", "deaths", "service_cost_gbp",
    "investment_spend_gbp", "mean_need", "lonely_share_18_24", "lonely_share_75_plus",
    "living_alone_share",
)  # fmt: skip

WARD_COLUMNS = (
    "week", "year", "ward", "population", "gp_appointments", "ae_attendances",
    "emergency_admissions", "social_care_clients", "social_care_hours",
    "mental_health_referrals", "unmet_demand", "lonely_share", "lonely_person_years",
    "isolated_share", "mean_degree", "participation_rate", "groups_open", "deaths",
    "service_cost_gbp", "investment_spend_gbp",
)  # fmt: skip

SCALED_COLUMNS = (
    "population", "gp_appointments", "ae_attendances", "emergency_admissions",
    "social_care_clients", "social_care_hours", "mental_health_referrals", "unmet_demand",
    "social_care_unmet_hours", "lonely_person_years", "groups_open", "deaths",
    "service_cost_gbp",
)  # fmt: skip

SERVICE_UNITS = {
    "gp": "gp_appointments",
    "ae": "ae_attendances",
    "admissions": "emergency_admissions",
    "social_care": "social_care_hours",
    "mental_health": "mental_health_referrals",
}

TOTALS = {
    "gp_appointments_total": "gp_appointments",
    "ae_attendances_total": "ae_attendances",
    "emergency_admissions_total": "emergency_admissions",
    "social_care_hours_total": "social_care_hours",
    "mental_health_referrals_total": "mental_health_referrals",
    "lonely_person_years": "lonely_person_years",
    "deaths_total": "deaths",
}

SUMMARY_NUMBERS = (
    "gp_appointments_total", "ae_attendances_total", "emergency_admissions_total",
    "social_care_hours_total", "mental_health_referrals_total", "lonely_person_years",
    "deaths_total", "service_cost_gbp_pv", "investment_gbp_pv", "gp_cost_gbp_pv",
    "ae_cost_gbp_pv", "admissions_cost_gbp_pv", "social_care_cost_gbp_pv",
    "mental_health_cost_gbp_pv", "cash_releasing_cost_gbp_pv",
)  # fmt: skip

SUMMARY_PAIRED = ("cost_avoided_gbp_pv", "net_benefit_gbp_pv", "bcr")

OUTCOMES = {
    "gp_appointments_total": "GP appointments",
    "ae_attendances_total": "A&E attendances",
    "emergency_admissions_total": "Emergency admissions",
    "social_care_hours_total": "Home-care hours",
    "mental_health_referrals_total": "Talking-therapies referrals",
    "lonely_person_years": "Lonely person-years",
    "deaths_total": "Deaths",
    "service_cost_gbp_pv": "Service cost, all services",
    "gp_cost_gbp_pv": "GP appointments cost",
    "ae_cost_gbp_pv": "A&E attendances cost",
    "admissions_cost_gbp_pv": "Emergency admissions cost",
    "social_care_cost_gbp_pv": "Home-care cost",
    "mental_health_cost_gbp_pv": "Talking-therapies cost",
}

COUNTS = {
    "gp_appointments_total": "GP practice appointments",
    "ae_attendances_total": "A&E attendances",
    "emergency_admissions_total": "emergency (unplanned) hospital admissions",
    "social_care_hours_total": "hours of home care (adult social care)",
    "mental_health_referrals_total": "referrals to talking therapies",
    "lonely_person_years": "person-years of loneliness (residents lonely x years lonely)",
    "deaths_total": "deaths",
}

DEFAULT_METRICS = (
    "gp_appointments_total",
    "ae_attendances_total",
    "emergency_admissions_total",
    "social_care_hours_total",
    "lonely_person_years",
)

COST_BENEFIT = {
    "cost_avoided_gbp_pv": "Cost avoided",
    "cash_cost_avoided_gbp_pv": "Cash-releasing cost avoided",
    "investment_gbp_pv": "Investment",
    "net_benefit_gbp_pv": "Net benefit",
    "cash_net_benefit_gbp_pv": "Cash net benefit",
    "bcr": "Benefit-cost ratio",
    "cash_bcr": "Cash benefit-cost ratio",
    "payback_year": "Payback year",
    "cash_payback_year": "Cash payback year",
    "probability_net_saving": "Probability of a net saving",
    "probability_cash_saving": "Probability of a cash saving",
    "gbp_per_lonely_person_year_averted": "£ per lonely person-year averted",
}

METRIC_WORDS = {
    "net_benefit_gbp_pv": "net benefit",
    "cost_avoided_gbp_pv": "cost avoided",
    "bcr": "benefit-cost ratio",
    "gp_appointments_total": "GP appointments",
    "ae_attendances_total": "A&E attendances",
    "emergency_admissions_total": "emergency admissions",
    "social_care_hours_total": "adult social care hours",
    "mental_health_referrals_total": "talking therapy referrals",
    "lonely_person_years": "years lived lonely",
    "deaths_total": "deaths",
    "service_cost_gbp_pv": "service cost",
    "investment_gbp_pv": "investment",
    "gp_cost_gbp_pv": "GP cost",
    "ae_cost_gbp_pv": "A&E cost",
    "admissions_cost_gbp_pv": "emergency admissions cost",
    "social_care_cost_gbp_pv": "adult social care cost",
    "mental_health_cost_gbp_pv": "talking therapies cost",
    "cash_releasing_cost_gbp_pv": "cash-releasing service cost",
}

HEADLINES = (
    ("GP practice appointments", "gp_appointments_total", False),
    ("A&E attendances", "ae_attendances_total", False),
    ("Emergency admissions", "emergency_admissions_total", False),
    ("Home-care hours", "social_care_hours_total", False),
    ("Talking-therapies referrals", "mental_health_referrals_total", False),
    ("Lonely person-years", "lonely_person_years", False),
    ("Deaths", "deaths_total", False),
    ("Service cost (£, present value)", "service_cost_gbp_pv", True),
    ("Investment (£, present value)", "investment_gbp_pv", True),
)

# (column, title, unit, kind, aliases) of the pictures of thriving plot.
SERVICE_METRICS = (
    ("gp_appointments", "GP appointments", "appointments per week", "count", ("gp",)),
    ("ae_attendances", "A&E attendances", "attendances per week", "count", ("ae",)),
    ("emergency_admissions", "Emergency admissions", "admissions per week", "count",
     ("admissions",)),
    ("social_care_hours", "Social care home-care hours", "home-care hours per week", "count",
     ("social_care",)),
    ("mental_health_referrals", "Talking-therapies referrals", "referrals per week", "count",
     ("mental_health",)),
)  # fmt: skip
NETWORK_METRICS = (
    ("lonely_share", "Adults who are lonely", "% of adults", "share", ("lonely",)),
    ("mean_strong_ties", "Strong ties per adult", "strong ties per adult (mean)", "mean",
     ("strong_ties",)),
    ("isolated_share", "Adults with no strong tie", "% of adults", "share", ("isolated",)),
    ("bridging_share", "Ties that bridge wards", "% of ties", "share", ("bridging",)),
    ("participation_rate", "Adults in a community group", "% of adults", "share",
     ("participation",)),
)  # fmt: skip

MONEY_COLUMNS = ("service_cost_gbp", "investment_spend_gbp")
RUN_COLUMNS = ("run_id", "scenario", "seed", "replicate")
SUMMARY_PAIRING = ("is_baseline", "baseline_run_id")


def _check(actual, pinned):
    # Compare as lists of items so that an order change fails too (dict == ignores it).
    if isinstance(pinned, dict):
        assert list(actual.items()) == list(pinned.items())
    else:
        assert tuple(actual) == tuple(pinned)


@pytest.mark.parametrize(
    ("derived", "pinned"),
    [
        ("BOROUGH_COLUMNS", BOROUGH_COLUMNS),
        ("WARD_COLUMNS", WARD_COLUMNS),
        ("SCALED_COLUMNS", SCALED_COLUMNS),
        ("SERVICE_UNITS", SERVICE_UNITS),
        ("TOTALS", TOTALS),
        ("SUMMARY_NUMBERS", SUMMARY_NUMBERS),
        ("SUMMARY_PAIRED", SUMMARY_PAIRED),
        ("COMPARED", OUTCOMES),
        ("COUNT_UNITS", COUNTS),
        ("DEFAULT_COMPARED", DEFAULT_METRICS),
        ("COST_BENEFIT", COST_BENEFIT),
        ("HEADLINES", HEADLINES),
        ("MONEY_SERIES", MONEY_COLUMNS),
        ("RUN_COLUMNS", RUN_COLUMNS),
        ("PAIRING_COLUMNS", SUMMARY_PAIRING),
    ],
)
def test_registry_gives_the_lists_as_before(derived, pinned):
    _check(getattr(metrics, derived), pinned)


def test_sentence_words_as_before():
    # Looked up by name only: the order of these words never reaches a file.
    assert metrics.NUMBER_WORDS == METRIC_WORDS


@pytest.mark.parametrize(
    ("module", "name", "pinned"),
    [
        ("thriving.sim.recording", "BOROUGH_COLUMNS", BOROUGH_COLUMNS),
        ("thriving.sim.recording", "WARD_COLUMNS", WARD_COLUMNS),
        ("thriving.sim.recording", "SCALED_COLUMNS", SCALED_COLUMNS),
        ("thriving.sim.recording", "SERVICE_UNITS", SERVICE_UNITS),
        ("thriving.sim.recording", "TOTALS", TOTALS),
        ("thriving.runs.runner", "SUMMARY_NUMBERS", SUMMARY_NUMBERS),
        ("thriving.runs.sweep", "SUMMARY_PAIRED", SUMMARY_PAIRED),
        ("thriving.runs.sweep", "SUMMARY_HEAD", RUN_COLUMNS),
        ("thriving.runs.sweep", "SUMMARY_PAIRING", SUMMARY_PAIRING),
        ("thriving.runs.outputs", "HEADLINES", HEADLINES),
        ("thriving.analysis.comparison", "OUTCOMES", OUTCOMES),
        ("thriving.analysis.comparison", "DEFAULT_METRICS", DEFAULT_METRICS),
        ("thriving.analysis.comparison", "COST_BENEFIT", COST_BENEFIT),
        ("thriving.analysis.sensitivity", "PAIRED_COLUMNS", SUMMARY_PAIRED),
        ("thriving.analysis.export", "RUN_COLUMNS", RUN_COLUMNS),
        ("thriving.plots.demand", "MONEY_COLUMNS", MONEY_COLUMNS),
    ],
)
def test_modules_use_the_registry(module, name, pinned):
    _check(getattr(importlib.import_module(module), name), pinned)


def test_sensitivity_words_as_before():
    from thriving.analysis.sensitivity import METRIC_WORDS as words

    assert words == METRIC_WORDS


def test_pictures_as_before():
    from thriving.analysis import series

    def spec(m):
        return (m.column, m.title, m.unit, m.kind, m.aliases)

    assert tuple(spec(m) for m in series.SERVICE_METRICS) == SERVICE_METRICS
    assert tuple(spec(m) for m in series.NETWORK_METRICS) == NETWORK_METRICS
    assert list(series.METRICS) == [m[0] for m in SERVICE_METRICS + NETWORK_METRICS]


def test_every_number_adds_up_a_recorded_series():
    for n in metrics.NUMBERS:
        assert n.of is None or n.of in metrics.BOROUGH_COLUMNS, n.name


def test_metrics_imports_nothing_from_thriving():
    # The bottom of the layers: sim, runs, analysis, plots and report all read it.
    source = importlib.util.find_spec("thriving.metrics").origin
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    assert "from thriving" not in text and "import thriving" not in text
