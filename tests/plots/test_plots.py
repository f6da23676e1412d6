"""thriving plot: every picture written, whole and valid, for a sweep and a single run.

One tiny real sweep (baseline and social prescribing, 2 replicates of 1,500 residents,
3 years after a 1-year burn-in) is made once for the module and plotted once; the tests
read what was written.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from thriving.analysis import series
from thriving.analysis.results import open_results, pair_rows
from thriving.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SERVICES = [m.column for m in series.SERVICE_METRICS]
NETWORK = [m.column for m in series.NETWORK_METRICS]
SWEEP_PICTURES = (
    [f"demand_{c}" for c in SERVICES]
    + [f"difference_{c}" for c in SERVICES]
    + [f"network_{c}" for c in NETWORK]
    + ["payback", "wards_service_cost", "wards_loneliness"]
)

EXPERIMENT = f"""\
name: tiny_plots
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios:
  - {REPO / "scenarios" / "social_prescribing.yaml"}
replicates: 2
seed: 11
overrides:
  population.residents: 1500
  horizon.years: 3
  horizon.burn_in_years: 1
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, sweep_experiment) -> Path:
    """A finished tiny sweep (no plots yet)."""
    return sweep_experiment(tmp_path_factory.mktemp("plots"), EXPERIMENT, "tiny.yaml")


@pytest.fixture(scope="module")
def plotted(sweep, tmp_path_factory):
    """The sweep copied and plotted with every picture; (folder, CLI result)."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("plotted") / "sweep"
    shutil.copytree(sweep, folder)
    result = CliRunner().invoke(cli, ["plot", str(folder)])
    return folder, result


def assert_valid_pictures(folder: Path, names: list[str]) -> None:
    """Each name has a PNG (magic bytes, not empty) and an SVG that parses as XML."""
    for name in names:
        png = folder / f"{name}.png"
        svg = folder / f"{name}.svg"
        assert png.stat().st_size > 1000, name
        assert png.read_bytes()[:8] == PNG_MAGIC, name
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg"), name


def svg_text(path: Path) -> str:
    """The text of an SVG (text is kept as text: svg.fonttype none)."""
    return " ".join(t for t in ET.parse(path).getroot().itertext() if t.strip())


def test_plot_writes_every_picture_of_a_sweep_as_png_and_svg(plotted):
    folder, result = plotted
    assert result.exit_code == 0, result.output
    plots = folder / "plots"
    assert_valid_pictures(plots, SWEEP_PICTURES)
    written = sorted(p.name for p in plots.iterdir())
    assert written == sorted(f"{n}.{ext}" for n in SWEEP_PICTURES for ext in ("png", "svg"))
    assert f"Wrote {len(SWEEP_PICTURES)} pictures of 4 runs to {plots}" in result.stdout
    for name in SWEEP_PICTURES:
        assert f"  {name}\n" in result.stdout
    assert result.stderr == ""


def test_pictures_say_what_they_show(plotted):
    folder, _ = plotted
    plots = folder / "plots"
    demand = svg_text(plots / "demand_gp_appointments.svg")
    assert "GP appointments per week, median and 10–90 % range of 2 runs" in demand
    assert "Social prescribing" in demand and "Baseline" in demand
    assert "Funded, years 1–3" in demand  # social prescribing spends in years 1-3
    difference = svg_text(plots / "difference_ae_attendances.svg")
    assert "A&amp;E" in difference or "A&E" in difference
    assert "same seed" in difference
    wards = svg_text(plots / "wards_service_cost.svg")
    assert "Who benefits? Service cost avoided, by ward deprivation" in wards
    assert "Ward deprivation" in wards


def test_the_payback_picture_states_the_payback_of_the_runs(plotted):
    folder, _ = plotted
    data = open_results(folder)
    weekly = data.weekly(["service_cost_gbp", "investment_spend_gbp"])
    rows, base_rows = pair_rows(data.runs)
    cost = weekly.values["service_cost_gbp"]
    result = series.payback(
        cost[rows],
        cost[base_rows],
        weekly.values["investment_spend_gbp"][rows],
        weekly.years,
        0.035,
    )
    statement = result.statement()
    text = svg_text(folder / "plots" / "payback.svg")
    words = " ".join(text.split())
    assert statement[:1].upper() + statement[1:] in words
    assert "2023/24 prices" in words and "3.5 % a year" in words
    assert f"{result.pairs_paid_back} of 2 pairs ahead" in words
    assert np.all(np.diff(result.investment_mean) >= 0)  # cumulative


def test_metric_option_draws_only_the_chosen_measures(sweep, tmp_path, runner):
    folder = tmp_path / "sweep"
    shutil.copytree(sweep, folder)
    result = runner.invoke(cli, ["plot", str(folder), "--metric", "gp", "--metric", "lonely,ae"])
    assert result.exit_code == 0, result.output
    expected = [
        "demand_gp_appointments",
        "demand_ae_attendances",
        "difference_gp_appointments",
        "difference_ae_attendances",
        "network_lonely_share",
        "payback",
        "wards_service_cost",
        "wards_loneliness",
    ]
    assert sorted(p.stem for p in (folder / "plots").glob("*.png")) == sorted(expected)
    assert_valid_pictures(folder / "plots", expected)


def test_an_unknown_metric_is_a_usage_error(sweep, runner):
    result = runner.invoke(cli, ["plot", str(sweep), "--metric", "gp_apointments"])
    assert result.exit_code == 2
    assert "unknown metric 'gp_apointments'; did you mean 'gp_appointments'?" in result.stderr
    assert "Traceback" not in result.output
    assert not (sweep / "plots").exists()


def test_a_sweep_with_no_finished_runs_is_a_clear_error(sweep, tmp_path, runner):
    folder = tmp_path / "unfinished"
    folder.mkdir()
    shutil.copy(sweep / "manifest.json", folder / "manifest.json")
    result = runner.invoke(cli, ["plot", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{folder} has no finished runs to plot (4 in the sweep, none finished); "
        "run the sweep again to complete it"
    )
    assert not (folder / "plots").exists()


def test_a_folder_that_holds_no_results_is_a_clear_error(tmp_path, runner):
    result = runner.invoke(cli, ["plot", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a results folder" in result.stderr
    assert "Traceback" not in result.output


def test_a_single_run_folder_gets_its_demand_and_network_pictures(tmp_path, runner):
    out = tmp_path / "run"
    made = runner.invoke(
        cli,
        [
            "run",
            str(REPO / "scenarios" / "social_prescribing.yaml"),
            "--population",
            "1500",
            "--years",
            "3",
            "--set",
            "horizon.burn_in_years=1",
            "--out",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(cli, ["plot", str(out), "--metric", "gp,ae,lonely"])
    assert result.exit_code == 0, result.output
    expected = ["demand_gp_appointments", "demand_ae_attendances", "network_lonely_share"]
    assert sorted(p.stem for p in (out / "plots").glob("*.svg")) == sorted(expected)
    assert_valid_pictures(out / "plots", expected)
    assert "Wrote 3 pictures of 1 run" in result.stdout
    assert "a single run has no baseline run to compare with" in result.stderr
    assert "One run (seed 1)" in svg_text(out / "plots" / "demand_gp_appointments.svg")


def test_a_plots_folder_that_cannot_be_made_is_a_clear_error(sweep, tmp_path, runner):
    folder = tmp_path / "sweep"
    shutil.copytree(sweep, folder)
    (folder / "plots").write_text("not a folder")
    result = runner.invoke(cli, ["plot", str(folder), "--metric", "gp"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cannot write the pictures to {folder / 'plots'}: ")
    assert "Traceback" not in result.output
