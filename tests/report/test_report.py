"""thriving report: one self-contained HTML file, its numbers, assumptions and caveats.

One tiny real sweep (baseline, social prescribing and community grants, 2 replicates of
1,500 residents, 3 years after a 1-year burn-in) is reported once for the module through
the command line; the tests read what was written. The browser tests open the report in
headless Chromium (Debian's ``chromium``); without it they skip, unless
``THRIVING_REQUIRE_CHROMIUM=1`` (set by ``.ci/run`` when it installed Chromium), where
they fail.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from thriving import report
from thriving.cli.main import cli
from thriving.config import paramdoc
from thriving.report import words

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

EXPERIMENT = f"""\
name: tiny_report
description: A tiny test of social prescribing and community grants.
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios:
  - {REPO / "scenarios" / "social_prescribing.yaml"}
  - {REPO / "scenarios" / "community_grants.yaml"}
replicates: 2
seed: 5
overrides:
  population.residents: 1500
  horizon.years: 3
  horizon.burn_in_years: 1
"""
LEVERS = ("social_prescribing", "community_grants")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, sweep_experiment) -> Path:
    """A finished tiny sweep, reported once with ``thriving report``."""
    out = sweep_experiment(tmp_path_factory.mktemp("report"), EXPERIMENT, "tiny.yaml")
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    assert f"Wrote {out / 'report.html'}" in result.stdout
    return out


@pytest.fixture(scope="module")
def page(sweep) -> str:
    return (sweep / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text(page) -> str:
    """The page without its typography: line-break hints in paths, no-break spaces."""
    return page.replace("<wbr>", "").replace("\u00a0", " ")


class Page(HTMLParser):
    """Every start tag with its attributes, and whether the tags nest properly."""

    VOID = {"meta", "img", "br", "wbr", "link", "hr", "input", "source", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


# --------------------------------------------------------------------------------------
# What the command writes
# --------------------------------------------------------------------------------------


def test_report_and_what_it_needs_are_written(sweep):
    assert (sweep / "report.html").stat().st_size > 10_000
    assert (sweep / "comparison.csv").exists()
    pictures = sorted((sweep / "plots").glob("*.png"))
    assert any(p.name == "payback.png" for p in pictures)
    assert not list(sweep.glob("*.tmp")) and not list(sweep.glob(".*.tmp"))


def test_report_is_self_contained_html(page):
    parsed = parse(page)
    assert parsed.problems == [] and parsed.open == []
    assert page.startswith("<!DOCTYPE html>")
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    assert "@import" not in page and "url(" not in page
    images = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert images
    for attrs in images:
        src = attrs["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG_MAGIC
        assert attrs.get("alt")
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, value)
            if name == "href" and name in attrs:
                assert value.startswith("#"), value  # links inside the page only
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", page)


def test_every_picture_of_the_plots_folder_is_inlined(sweep, page):
    pngs = sorted((sweep / "plots").glob("*.png"))
    for path in pngs:
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        assert f"data:image/png;base64,{encoded}" in page, path.name
    assert "data:image/svg" not in page  # the SVGs stay out: the PNGs are enough


def test_question_run_facts_and_scenarios_in_words(text):
    assert "If the council funds social prescribing (£300,000 a year, years 1–3) or " in text
    assert "A tiny test of social prescribing and community grants." in text
    assert "1,500 residents simulated for a borough of" in text
    assert "3 years after 1 year of settling in" in text
    assert "Social prescribing: £300,000 a year in all 20 wards, years 1–3" in text
    assert "Community grants: £150,000 a year in the 5 most deprived wards (" in text
    for name in ("Baseline", "Social prescribing", "Community grants"):
        assert f"<h3>{name}" in text
    assert "experiment seed 5" in text


def test_headline_numbers_are_those_of_comparison_csv(sweep, text):
    table = pd.read_csv(sweep / "comparison.csv", encoding="utf-8-sig")
    assert set(table["scenario"]) == set(LEVERS)
    for label in LEVERS:
        rows = table[table["scenario"] == label].set_index("metric")
        card = text[text.index(f'id="scenario-{label.replace("_", "-")}"') :]
        card = card[: card.index("</div>\n</div>") if "</div>\n</div>" in card else None]
        for metric in report.HEADLINE_OUTCOMES:
            row = rows.loc[metric]
            assert report.format_count(row["mean_difference"], signed=True) in card, metric
            per_year = row["mean_difference"] / 3
            assert report.format_count(per_year, signed=True) in card, metric
            low, high = row["ci_low"], row["ci_high"]
            if math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-9):
                assert "same in every pair" in card  # no spread to show
            else:
                assert f"{report.format_count(low)} to {report.format_count(high)}" in card
        for metric in ("cost_avoided_gbp_pv", "cash_cost_avoided_gbp_pv"):
            value = rows.loc[metric, "mean_difference"]
            assert report.format_money(value) in card, metric
        for metric in ("net_benefit_gbp_pv", "cash_net_benefit_gbp_pv"):
            row = rows.loc[metric]
            assert report.format_money(row["mean_difference"], signed=True) in card, metric
            low, high = row["ci_low"], row["ci_high"]
            if not math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-9):
                interval = f"{report.format_money(low)} to {report.format_money(high)}"
                assert interval in card, metric
        invested = rows.loc["investment_gbp_pv", "mean_difference"]
        assert report.format_money(invested) in card
        bcr = rows.loc["bcr", "mean_difference"]
        assert f"{bcr:.2f}" in card
        probability = rows.loc["probability_net_saving", "mean_difference"]
        assert f"{100 * probability:.0f} % ({round(probability * 2)} of 2 pairs)" in card


def test_every_low_confidence_assumption_in_use_is_shown_with_its_source(text):
    rows = re.split(r"<tr[ >]", text)
    used = [
        r
        for r in paramdoc.all_rows()
        if r.extra.get("confidence") == "low"
        and (
            r.path.startswith("services.")
            or r.path.startswith("appraisal.")
            or any(r.path.startswith(f"investments.{lever}.") for lever in LEVERS)
        )
    ]
    common = [r for r in paramdoc.all_rows() if r.path.startswith("investments.<lever>.")]
    used += [r for r in common if r.extra.get("confidence") == "low"]
    assert len(used) > 20
    for row in used:
        paths = (
            [row.path.replace("<lever>", lever) for lever in LEVERS]
            if "<lever>" in row.path
            else [row.path]
        )
        for path in paths:
            found = [r for r in rows if f">{path}</code>" in r]
            assert found, path
            assert html.escape(str(row.extra["source"])) in found[0], path
            assert '<span class="badge low">low</span>' in found[0], path
            assert 'class="low-confidence"' in found[0] or found[0].startswith(
                'class="low-confidence"'
            )
    # Levers not in the sweep are not among the assumptions.
    assert ">investments.neighbourhood_teams." not in text


def test_assumptions_show_the_values_the_runs_used(text):
    rows = re.split(r"<tr[ >]", text)
    (sp_uptake,) = [r for r in rows if ">investments.social_prescribing.uptake</code>" in r]
    assert ">0.81<" in sp_uptake
    (residents,) = [r for r in rows if ">population.residents</code>" in r]
    assert "1,500" in residents and "default 185,000" in residents
    (bias,) = [r for r in rows if ">--optimism-bias (thriving compare)</code>" in r]
    assert ">0 %<" in bias  # thriving report made comparison.csv: no optimism bias


def test_caveats_name_weak_evidence_and_standing_limits(text):
    caveats = text[text.index('id="caveats"') : text.index('id="how-made"')]
    for title in (
        "The levers&#x27; effects rest on weak evidence",
        "Few runs",
        "A sample of the borough",
        "Illustrative ward data",
        "Capacity freed is not cash",
        "Regression to the mean",
        "What the model leaves out",
    ):
        assert f"<h3>{title}</h3>" in caveats, title
    assert "Each scenario was run 2 times" in caveats
    assert "deprivation scores (every ward)" in caveats
    for doc in ("docs/odd.md", "docs/parameters.md", "docs/calibration.md"):
        assert doc in caveats
    sources = {
        r.path: str(r.extra["source"])
        for r in paramdoc.all_rows()
        if r.path.startswith("investments.social_prescribing.")
        and r.extra.get("confidence") == "low"
    }
    for source in sources.values():
        assert html.escape(source) in caveats


def test_first_page_says_how_sure_we_can_be(text):
    first = text[: text.index('<nav class="contents">')]
    assert "The answer at a glance" in first
    assert "How sure can we be?" in first
    assert "They do not include the uncertainty in the model&#x27;s assumptions" in first
    assert "2 pairs of runs is few" in first
    assert "capacity freed" in first


# --------------------------------------------------------------------------------------
# Making what is missing, and only that
# --------------------------------------------------------------------------------------


def test_inputs_are_made_again_only_when_older_than_the_summary(sweep, tmp_path):
    out = tmp_path / "again.html"
    outcome = report.write_report(sweep, out)
    assert outcome.made == [] and outcome.path == out and out.exists()
    comparison = sweep / "comparison.csv"
    before = comparison.stat().st_mtime
    summary = sweep / "summary.csv"
    later = before + 10
    os.utime(summary, (later, later))
    said = []
    outcome = report.write_report(sweep, out, say=said.append)
    assert "comparison.csv" in outcome.made
    assert any("pictures" in item for item in outcome.made)
    assert comparison.stat().st_mtime >= later - 10 and said


def test_a_single_run_folder_is_refused_plainly(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "summary.json").write_text("{}")
    (folder / "timeseries.csv").write_text("week\n")
    result = CliRunner().invoke(cli, ["report", str(folder)])
    assert result.exit_code == 1
    assert "single run" in result.stderr and "Traceback" not in result.stderr


def test_a_folder_that_is_not_a_sweep_is_refused_plainly(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a sweep results folder" in result.stderr


# --------------------------------------------------------------------------------------
# Words and numbers
# --------------------------------------------------------------------------------------


def _headline(**values: tuple[float, float, float]) -> report.Headline:
    rows = {}
    for metric, (mean, low, high) in values.items():
        rows[metric] = {
            "mean_difference": mean,
            "ci_low": low,
            "ci_high": high,
            "n_pairs": 5.0,
            "pct_change": math.nan,
            "unit": "total over the 8 years after burn-in",
        }
    return report.Headline("social_prescribing", {}, rows)


def _facts(years: int = 8) -> report.SweepFacts:
    return report.SweepFacts(
        folder=Path("x"),
        name="x",
        description="",
        experiment_file="",
        version="0",
        started="",
        finished="",
        n_runs=10,
        done=10,
        failed=0,
        pending=0,
        replicates=5,
        seed=1,
        seeds=(),
        overrides={},
        vary={},
        sample={},
        scenarios=(),
        residents_simulated=1000.0,
        borough_adults=2000.0,
        years=years,
        burn_in_years=1,
        price_year="2023/24",
        discount_rate=0.035,
    )


def test_an_interval_that_spans_zero_is_called_chance():
    nan = (math.nan, math.nan, math.nan)
    headline = _headline(
        gp_appointments_total=(-800.0, -1200.0, -400.0),
        ae_attendances_total=(-8.0, -40.0, 24.0),
        emergency_admissions_total=(16.0, 8.0, 24.0),
        investment_gbp_pv=(1e6, 1e6, 1e6),
        cost_avoided_gbp_pv=(9e5, 5e5, 1.3e6),
        cash_cost_avoided_gbp_pv=(1e5, 5e4, 1.5e5),
        net_benefit_gbp_pv=(-1e5, -5e5, 3e5),
        cash_net_benefit_gbp_pv=(-9e5, -9.5e5, -8.5e5),
        payback_year=nan,
        cash_payback_year=nan,
    )
    demand, *money = report.scenario_summary(headline, _facts())
    money = " ".join(money)
    assert "100 fewer GP appointments a year (95 % interval 50 to 150 fewer)" in demand
    assert "2 more emergency admissions a year" in demand
    assert "The change in A&E attendances cannot be distinguished from chance" in demand
    assert "Whether it saves more than it costs cannot be told" in money
    assert "a net cash cost of £900,000 (95 % interval £850,000 to £950,000)" in money
    assert "Only £100,000 of the cost avoided (11 %) is cash" in money


def test_net_saving_and_payback_in_words():
    headline = _headline(
        investment_gbp_pv=(1e6, 1e6, 1e6),
        cost_avoided_gbp_pv=(3e6, 2.5e6, 3.5e6),
        cash_cost_avoided_gbp_pv=(1.5e6, 1.2e6, 1.8e6),
        net_benefit_gbp_pv=(2e6, 1.5e6, 2.5e6),
        cash_net_benefit_gbp_pv=(5e5, 2e5, 8e5),
        payback_year=(2.0, math.nan, math.nan),
        cash_payback_year=(4.0, math.nan, math.nan),
        probability_net_saving=(1.0, math.nan, math.nan),
    )
    money = " ".join(report.scenario_summary(headline, _facts()))
    assert "it saves more than it costs: a net benefit of £2m (95 % interval £1.5m to £2.5m)" in (
        money
    )
    assert "Even in cash it pays for itself" in money
    assert "It pays back in year 2 counting all benefits, and in year 4 in cash alone." in money
    assert "In 5 of the 5 pairs of runs it saved more than it cost" in money


@pytest.mark.parametrize(
    ("wards", "expected"),
    [
        ("all", "in all 20 wards"),
        ({"most_deprived": 1}, "in the most deprived ward"),
        (["Coldhurst", "Werneth"], "in 2 wards: Coldhurst and Werneth"),
    ],
)
def test_investment_wards_in_words(wards, expected):
    sentence = report.investment_sentence(
        {"lever": "access", "budget_per_year": 1e5, "start_year": 2, "end_year": 4, "wards": wards},
        20,
    )
    assert sentence == f"Transport and digital access: £100,000 a year {expected}, years 2–4"


def _parse_count(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", "").replace("+", ""))


def _parse_money(text: str) -> float:
    sign = -1.0 if text.startswith("\u2212") else 1.0
    body = text.lstrip("\u2212+").removeprefix("£").replace(",", "")
    scale = {"m": 1e6, "bn": 1e9}
    for suffix, factor in scale.items():
        if body.endswith(suffix):
            return sign * float(body[: -len(suffix)]) * factor
    return sign * float(body)


@given(st.floats(min_value=-1e10, max_value=1e10, allow_nan=False))
def test_counts_and_money_keep_three_significant_figures(value):
    for fmt, parse in ((report.format_count, _parse_count), (report.format_money, _parse_money)):
        shown = fmt(value)
        back = parse(shown)
        if abs(value) >= 10:
            assert math.isclose(back, value, rel_tol=0.005), (value, shown)
            assert (back < 0) == (value < 0)
        else:
            assert abs(back - value) <= max(0.05 * abs(value), 0.01), (value, shown)


# --------------------------------------------------------------------------------------
# In a real browser: headless Chromium
# --------------------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)

#: Appended to a copy of the report: on load, writes into the page how many images
#: decoded and whether the page fits the window's width.
CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = "IMAGES " + loaded.length + " OF " + images.length + " WIDTH " +
    document.documentElement.scrollWidth + " OF " + window.innerWidth;
  document.body.appendChild(out);
});
</script>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("THRIVING_REQUIRE_CHROMIUM") == "1":
            pytest.fail("THRIVING_REQUIRE_CHROMIUM=1 but chromium is not on PATH")
        pytest.skip("headless Chromium is not installed (apt-get install chromium); CI has it")
    return found


def run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_renders_every_image(chromium, sweep, page, tmp_path, width):
    checked = tmp_path / "checked.html"
    checked.write_text(page.replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8")
    done = run_chromium(
        chromium,
        tmp_path,
        f"--window-size={width},900",
        "--virtual-time-budget=10000",
        "--dump-dom",
        checked.as_uri(),
    )
    found = re.search(r"IMAGES (\d+) OF (\d+) WIDTH (\d+) OF (\d+)", done.stdout)
    assert found, f"no result from Chromium (exit {done.returncode}): {done.stderr[-2000:]}"
    loaded, total, scroll_width, window_width = map(int, found.groups())
    expected = len([tag for tag, _ in parse(page).tags if tag == "img"])
    assert total == expected > 0
    assert loaded == total
    assert scroll_width <= window_width  # nothing wider than the window, even on a phone


def test_chromium_screenshot_is_not_blank(chromium, sweep, tmp_path):
    image = pytest.importorskip("PIL.Image")
    shot = tmp_path / "report.png"
    done = run_chromium(
        chromium,
        tmp_path,
        "--window-size=1280,4000",
        "--virtual-time-budget=10000",
        f"--screenshot={shot}",
        (sweep / "report.html").as_uri(),
    )
    assert shot.exists(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == PNG_MAGIC
    with image.open(shot) as picture:
        assert picture.size == (1280, 4000)
        grey = picture.convert("L")
        histogram = grey.histogram()
    dark = sum(histogram[:200]) / sum(histogram)
    assert dark > 0.01  # text and pictures, not an empty page
    assert len([n for n in histogram if n]) > 50


def test_no_change_at_all_is_said_as_such():
    zero = (0.0, 0.0, 0.0)
    headline = _headline(**{metric: zero for metric in report.HEADLINE_OUTCOMES})
    (demand,) = report.scenario_summary(headline, _facts())
    assert "did not change at all in any pair of runs" in demand
    assert "In the model this investment made no difference here" in demand
    assert "chance" not in demand


def test_payback_that_falls_behind_again_is_said_so():
    nan = (math.nan, math.nan, math.nan)
    headline = _headline(
        investment_gbp_pv=(1e6, 1e6, 1e6),
        cost_avoided_gbp_pv=(9e5, 7e5, 1.1e6),
        cash_cost_avoided_gbp_pv=(1e5, 5e4, 1.5e5),
        net_benefit_gbp_pv=(-1e5, -3e5, 1e5),
        cash_net_benefit_gbp_pv=(-9e5, -9.5e5, -8.5e5),
        payback_year=(4.0, math.nan, math.nan),
        cash_payback_year=nan,
    )
    money = " ".join(report.scenario_summary(headline, _facts(8)))
    assert "catches up with the money invested in year 4 but falls behind again by year 8" in money
    assert "in cash alone it never catches up within the 8 years" in money
    assert "It pays back" not in money


def test_a_budget_the_sweep_varies_is_given_as_varied():
    facts = _facts()
    facts = report.SweepFacts(
        **{
            **facts.__dict__,
            "vary": {"investments.social_prescribing.budget_per_year": [100000, 300000]},
        }
    )
    budgets = words.varied_budgets(facts)
    assert budgets == {"social_prescribing": "£100,000 or £300,000 a year"}
    sentence = report.investment_sentence(
        {"lever": "social_prescribing", "budget_per_year": 3e5, "start_year": 1, "end_year": 3},
        20,
        budget_text=budgets["social_prescribing"],
    )
    assert sentence == "Social prescribing: £100,000 or £300,000 a year in all 20 wards, years 1–3"


def test_runs_of_scenario_files_are_reported_from_the_files(tmp_path, monkeypatch):
    # thriving compare on scenario files records the scenarios as run in its manifest; in
    # an older folder without them the report reads the files again and says so.
    monkeypatch.chdir(REPO)
    out = tmp_path / "compared"
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            "scenarios/baseline.yaml",
            "scenarios/social_prescribing.yaml",
            "--replicates",
            "1",
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
    assert result.exit_code == 0, result.output + result.stderr
    facts = report.read_facts(out)
    assert [s.label for s in facts.scenarios] == ["baseline", "social_prescribing"]
    assert facts.replicates == 1 and facts.years == 3
    (sp,) = facts.others
    assert sp.settings["population"]["residents"] == 1500
    assert report.scenario_investments(sp) == [
        "Social prescribing: £300,000 a year in all 20 wards, years 1–3"
    ]
    assert sp.settings["horizon"]["burn_in_years"] == 1  # as run, --set included
    assert facts.notes == ()
    # A folder made before run lists recorded their scenarios: read from the files.
    manifest_file = out / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    del manifest["experiment"]["scenarios"]
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    facts = report.read_facts(out)
    (sp,) = facts.others
    assert sp.settings["population"]["residents"] == 1500
    assert "does not record the scenarios as they were run" in facts.notes[0]
