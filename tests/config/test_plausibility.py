"""Values that run but are unlikely to be meant get a warning, in £ and people (14.8)."""

from __future__ import annotations

from pathlib import Path

from thriving.cli import cli
from thriving.config.plausibility import BUDGET_PER_ADULT_WARNING_GBP, plausibility_warnings
from thriving.config.schema import Scenario

REPO = Path(__file__).resolve().parents[2]


def _budget(amount: float) -> Scenario:
    return Scenario(
        name="s", investments=[{"lever": "community_grants", "budget_per_year": amount}]
    )


def test_a_budget_over_the_line_is_flagged_and_one_under_is_not():
    adults = 185_000
    line = BUDGET_PER_ADULT_WARNING_GBP * adults
    assert plausibility_warnings(_budget(line * 0.99), adults) == []
    (warning,) = plausibility_warnings(_budget(line * 1.5), adults)
    assert warning.startswith("investments.community_grants.budget_per_year: £27,750,000")
    assert "£150 a year for every adult of the borough (185,000 adults)" in warning


def test_validate_warns_but_accepts(runner, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(
        f"extends: {REPO / 'scenarios' / 'social_prescribing.yaml'}\nname: big\n"
        "investments:\n  - lever: social_prescribing\n    budget_per_year: 450000000\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"OK  {path}")
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: warning: investments.social_prescribing.budget_per_year")
    assert "check the units" in line


def test_the_shipped_files_raise_no_warning(runner):
    files = sorted(str(p) for p in (REPO / "scenarios").glob("*.yaml"))
    files += sorted(str(p) for p in (REPO / "experiments").glob("*.yaml"))
    result = runner.invoke(cli, ["validate", *files])
    assert result.exit_code == 0
    assert result.stderr == ""
