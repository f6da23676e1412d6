"""The calibration table: what the no-investment baseline must reproduce, and a check.

``python -m thriving.analysis.calibration`` runs the baseline for several seeds, averages each
measure over the last five years, and rewrites ``docs/calibration.md`` with model,
target, accepted range and source side by side.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thriving.config.scenario import load_scenario
from thriving.config.schema import Scenario
from thriving.sim.model import NeighbourhoodModel


@dataclass(frozen=True)
class Target:
    """One calibration target.

    Attributes
    ----------
    measure : str
        Key in the run summary's ``calibration`` block.
    label : str
        Plain-English name.
    target : str
        The published value as written.
    low, high : float
        Accepted range (model units).
    source : str
    """

    measure: str
    label: str
    target: str
    low: float
    high: float
    source: str

    def holds(self, value: float) -> bool:
        """Whether ``value`` is within the accepted range."""
        return self.low <= value <= self.high


TARGETS: tuple[Target, ...] = (
    Target(
        "lonely_share",
        "Adults lonely often/always",
        "6 %",
        0.045,
        0.075,
        "ONS 2016-18 (Community Life Survey)",
    ),
    Target("lonely_ratio_18_24_to_75_plus", "Lonely share, 18-24 ÷ 75+", "3", 2.0, 4.0, "ONS 2018"),
    Target(
        "gp_appointments_per_adult",
        "Practice appointments per adult per year",
        "5.8",
        5.8 * 0.9,
        5.8 * 1.1,
        "Institute for Government 2024",
    ),
    Target(
        "ae_attendances_per_adult",
        "A&E attendances per adult per year",
        "0.42",
        0.42 * 0.9,
        0.42 * 1.1,
        "NHS Digital, Hospital A&E Activity 2017-18",
    ),
    Target(
        "emergency_admissions_per_adult",
        "Emergency admissions per adult per year",
        "0.11",
        0.11 * 0.85,
        0.11 * 1.15,
        "Health Foundation 2017-18",
    ),
    Target(
        "social_care_client_share",
        "Adults in long-term social care",
        "1.9 %",
        0.019 * 0.85,
        0.019 * 1.15,
        "NHS England ASC-AFR 2023-24",
    ),
    Target(
        "home_care_hours_per_client_week",
        "Home-care hours per client per week",
        "12.4",
        12.4 * 0.85,
        12.4 * 1.15,
        "NHS Digital, Community Care Statistics 2008",
    ),
    Target(
        "mental_health_referrals_per_adult",
        "Talking-therapies referrals per adult per year",
        "0.041",
        0.041 * 0.85,
        0.041 * 1.15,
        "NHS Digital 2023-24",
    ),
    Target("deaths_per_1000", "Deaths per 1,000 adults per year", "11", 9.5, 12.5, "ONS 2019"),
    Target(
        "participation_rate",
        "In a community group (monthly)",
        "22-27 %",
        0.20,
        0.30,
        "DCMS Community Life Survey 2016-19",
    ),
    Target(
        "strong_ties_per_adult",
        "Strong ties per adult (support clique)",
        "4.1",
        4.1 * 0.75,
        4.1 * 1.25,
        "Dunbar 2016",
    ),
    Target(
        "ties_per_adult",
        "All ties per adult (sympathy group)",
        "13.6",
        13.6 * 0.75,
        13.6 * 1.25,
        "Dunbar 2016",
    ),
    Target(
        "living_alone_share",
        "Adults living alone",
        "17 %",
        0.15,
        0.19,
        "ONS Census 2011 and 2021 living arrangements by age (ONS 2014; ONS 2023), "
        "scaled to the ward table's shares (borough mean 17 %)",
    ),
)


def run_baseline_seeds(seeds, residents: int, scenario=None):
    """Run the baseline for each seed; return each run's calibration measures.

    Parameters
    ----------
    seeds : iterable of int
    residents : int
        Adults simulated (rates are per adult, so a fraction of the borough suffices).
    scenario : Scenario, optional
        Defaults to the shipped baseline.

    Returns
    -------
    list of dict
    """
    if scenario is None:
        scenario = default_baseline()
    scenario = scenario.model_copy(
        update={"population": scenario.population.model_copy(update={"residents": residents})}
    )
    return [NeighbourhoodModel(scenario, seed).run().summary["calibration"] for seed in seeds]


def default_baseline():
    """The shipped baseline scenario (falls back to schema defaults)."""
    path = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"
    if path.exists():
        return load_scenario(path)
    return Scenario(name="baseline")


def table(runs: list[dict]) -> list[dict]:
    """Mean and spread of each measure across runs, against its target.

    Returns
    -------
    list of dict with keys measure, label, model, sd, target, low, high, holds, source
    """
    rows = []
    for t in TARGETS:
        values = np.array([r[t.measure] for r in runs], dtype=float)
        mean = float(values.mean())
        rows.append(
            {
                "measure": t.measure,
                "label": t.label,
                "model": mean,
                "sd": float(values.std(ddof=1)) if values.size > 1 else 0.0,
                "target": t.target,
                "low": t.low,
                "high": t.high,
                "holds": t.holds(mean),
                "source": t.source,
            }
        )
    return rows


def _fmt(value: float, measure: str) -> str:
    if measure in (
        "lonely_share",
        "social_care_client_share",
        "participation_rate",
        "living_alone_share",
    ):
        return f"{100 * value:.1f} %"
    if abs(value) < 0.2:
        return f"{value:.3f}"
    return f"{value:.2f}"


def markdown(rows: list[dict], seeds: int, residents: int) -> str:
    """The calibration table as Markdown."""
    lines = [
        "# Calibration",
        "",
        "What the no-investment baseline (`scenarios/baseline.yaml`) reproduces, averaged over",
        f"the last five years of {seeds} seeds at {residents:,} adults (rates are per adult,",
        "so a fraction of the borough gives the same rates). Regenerate with",
        "`python -m thriving.analysis.calibration`; `tests/test_calibration.py` holds the table.",
        "",
        "| measure | model (± sd across seeds) | target | accepted | holds | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {_fmt(r['model'], r['measure'])} ± "
            f"{_fmt(r['sd'], r['measure'])} | {r['target']} | "
            f"{_fmt(r['low'], r['measure'])}–{_fmt(r['high'], r['measure'])} | "
            f"{'yes' if r['holds'] else '**no**'} | {r['source']} |"
        )
    lines += [
        "",
        "Notes",
        "",
        "- Rates in the sources are per person of all ages or per registered patient; the",
        "  model's are per adult. Children use A&E and general practice too, so per-adult",
        "  targets taken from all-age rates are approximate.",
        "- Home-care hours per client come from the last national survey (2008); no recent",
        "  national figure was found.",
        "- Mortality uses ONS National Life Tables 2020-22 scaled by 0.9 to pre-pandemic",
        "  levels (deaths registered 2019 ÷ 2022 = 0.92).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Regenerate docs/calibration.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=Path("docs/calibration.md"))
    args = parser.parse_args(argv)
    runs = run_baseline_seeds(range(1, args.seeds + 1), args.residents)
    rows = table(runs)
    args.out.write_text(markdown(rows, args.seeds, args.residents), encoding="utf-8")
    for r in rows:
        flag = "ok " if r["holds"] else "OFF"
        print(f"{flag} {r['label']:<50} {r['model']:.4f}  [{r['low']:.4f}, {r['high']:.4f}]")
    return 0 if all(r["holds"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
