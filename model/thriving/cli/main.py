"""The ``thriving`` command line.

Each command is a thin layer over a library function; the logic lives in the library so
that notebooks and scripts can do what the command line does. Heavy modules (the schema,
numpy, Mesa, pandas, matplotlib) are imported inside the commands that need them, so
``thriving --help`` answers at once.

Errors a user can cause end with a plain message and exit code 1 (2 for a usage error:
a missing file, a malformed option), never a traceback; Ctrl-C ends with exit code 130.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from thriving import __version__
from thriving.config.errors import ThrivingError

#: Exit code after Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130


class ThrivingGroup(click.Group):
    """A command group that ends user errors with their message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning ThrivingError and Ctrl-C into clean exits."""
        try:
            return super().invoke(ctx)
        except ThrivingError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)


# --------------------------------------------------------------------------------------
# Shared arguments and options (defined once, used by every command that takes them)
# --------------------------------------------------------------------------------------

#: A YAML input file that must exist (a missing one is a usage error, exit code 2).
existing_file = click.Path(exists=True, dir_okay=False, readable=True)

scenario_argument = click.argument("scenario", type=existing_file)


def overrides_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--set``, ``--population`` and ``--years``; the command gets ``overrides``.

    ``overrides`` is a dict of dotted paths to values for
    :func:`thriving.config.scenario.load_scenario`. ``--population N`` is short for
    ``--set population.residents=N`` and ``--years N`` for ``--set horizon.years=N``;
    giving both forms of one setting is a usage error.
    """

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        set_items: tuple[str, ...],
        population: int | None,
        years: int | None,
        **kwargs: Any,
    ) -> Any:
        from thriving.config.scenario import parse_set_options

        overrides = parse_set_options(set_items)
        for option, path, value in (
            ("--population", "population.residents", population),
            ("--years", "horizon.years", years),
        ):
            if value is None:
                continue
            if path in overrides:
                raise click.UsageError(f"{option} and --set {path} both set {path}; give one")
            overrides[path] = value
        return command(*args, overrides=overrides, **kwargs)

    options = [
        click.option(
            "--set",
            "set_items",
            multiple=True,
            metavar="PATH=VALUE",
            help="Change one value of the scenario, e.g. --set horizon.years=5 or "
            "--set investments.access.budget_per_year=50000. Repeat for more.",
        ),
        click.option(
            "--population",
            type=click.IntRange(min=1),
            metavar="ADULTS",
            help="Adults to simulate (short for --set population.residents=ADULTS).",
        ),
        click.option(
            "--years",
            type=click.IntRange(min=1),
            metavar="YEARS",
            help="Years to simulate after burn-in (short for --set horizon.years=YEARS).",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------


@click.group(cls=ThrivingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="thriving")
def cli() -> None:
    """Thriving: does community investment reduce pressure on public services.

    Simulates residents, their social ties, community groups and public services, week
    by week, under investment scenarios written in YAML files.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=existing_file)
def validate(files: tuple[str, ...]) -> None:
    """Check scenario and experiment files without running them.

    Prints "OK" for each good file (for an experiment, with how many runs it makes) and
    every problem of the others, one per line, as FILE:LINE: field: message. Exits with
    code 1 if any file has a problem.
    """
    from thriving.config.errors import Problem, ScenarioError
    from thriving.config.experiment import Experiment, load_experiment
    from thriving.config.scenario import file_kind, load_scenario

    # One checker per kind of file; each raises ThrivingError listing the file's problems.
    checkers: dict[str, Callable[[str], object]] = {
        "scenario": load_scenario,
        "experiment": load_experiment,
    }
    bad = 0
    for file in files:
        try:
            kind = file_kind(file)
            checker = checkers.get(kind)
            if checker is None:
                message = f"this is an {kind} file; this version of Thriving cannot check it"
                raise ScenarioError([Problem(file, None, "(file)", message)])
            checked = checker(file)
        except ThrivingError as exc:
            bad += 1
            click.echo(str(exc), err=True)
        else:
            note = f"  {checked.summary()}" if isinstance(checked, Experiment) else ""
            click.echo(f"OK  {file}{note}")
    if bad:
        if len(files) > 1:
            verb = "has" if bad == 1 else "have"
            click.echo(f"{bad} of {len(files)} files {verb} problems.", err=True)
        click.get_current_context().exit(1)


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the schema to this file instead of printing it.",
)
def schema(out: str | None) -> None:
    """Print the JSON Schema of scenario files.

    Editors use it to complete and check scenario files as they are typed: VS Code with
    the YAML extension reads the first line of a scenario,
    "# yaml-language-server: $schema=../docs/scenario.schema.json".
    """
    # The same generator writes docs/scenario.schema.json, so the two never differ.
    from thriving.config.paramdoc import render_schema_json

    text = render_schema_json()
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise ThrivingError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {out}", err=True)


@cli.command()
@scenario_argument
@overrides_options
def show(scenario: str, overrides: dict[str, Any]) -> None:
    """Print a scenario with every value filled in.

    The scenario is printed as YAML after following 'extends' and applying --set,
    --population and --years, with every default written out: what a run would use.
    """
    from thriving.config.scenario import load_scenario, scenario_to_yaml

    click.echo(scenario_to_yaml(load_scenario(scenario, overrides)), nl=False)


seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Random seed (a whole number, 0 or more). The same scenario and seed always "
    "give the same results.",
)

out_option = click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for the results [default: results/SCENARIO_NAME-seedSEED].",
)


@cli.command("run")
@scenario_argument
@seed_option
@overrides_options
@out_option
@click.option("--force", is_flag=True, help="Replace the --out folder if it has files in it.")
def run_command(
    scenario: str, seed: int, overrides: dict[str, Any], out: str | None, force: bool
) -> None:
    """Run a scenario once and write its results to a folder.

    The folder gets timeseries.csv (weekly borough totals), timeseries_by_ward.csv,
    summary.json (totals, present values, calibration measures), scenario.yaml (the
    scenario as run), manifest.json (versions, seed, timings) and referrals.csv if
    there were social-prescribing referrals. The folder is written whole or not at all.
    Prints the headline totals at the end.
    """
    import json
    import os
    import shlex
    from pathlib import Path

    from thriving.config.scenario import load_scenario
    from thriving.runs.outputs import check_out_dir, default_out_dir, headline_table, write_run

    started = _utc_now()
    resolved = load_scenario(scenario, overrides)
    out_dir = Path(out) if out else default_out_dir(resolved.name, seed)
    check_out_dir(out_dir, force)  # before the run, not after it
    result, timings = _run_with_progress(resolved, seed)
    finished = _utc_now()

    # The command that repeats this run, every option spelled out.
    words = ["thriving", "run", scenario, "--seed", str(seed)]
    for path, value in overrides.items():
        words += ["--set", f"{path}={json.dumps(value, ensure_ascii=False)}"]
    words += ["--out", os.fspath(out_dir)] + (["--force"] if force else [])
    extra = {
        "scenario_file": scenario,
        "working_folder": os.getcwd(),
        "command_line": shlex.join(words),
        "started_at": started,
        "finished_at": finished,
        "timings": {
            "setup_seconds": round(timings.setup_seconds, 6),
            "run_seconds": round(timings.run_seconds, 6),
            "resident_weeks": timings.resident_weeks,
            "resident_weeks_per_second": round(timings.resident_weeks_per_second, 1),
        },
    }
    write_run(result, resolved, out_dir, extra, force=force)
    click.echo(headline_table(result.summary, out_dir), nl=False)


def _utc_now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    import datetime

    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _run_with_progress(scenario: Any, seed: int) -> tuple[Any, Any]:
    """Run with a progress bar of weeks on stderr (none when stderr is not a terminal)."""
    from rich.console import Console

    from thriving.runs.run import timed_run

    console = Console(stderr=True)
    if not console.is_terminal:
        return timed_run(scenario, seed)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    burn_in = scenario.burn_in_weeks
    with Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("weeks"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Setting up", total=None)

        def progress(done: int, total: int) -> None:
            phase = "Settling in" if done < burn_in else "Simulating"
            bar.update(task, completed=done, total=total, description=phase)

        return timed_run(scenario, seed, progress)


# --------------------------------------------------------------------------------------
# Sweeps and export (thriving.runs.sweep, thriving.analysis.export)
# --------------------------------------------------------------------------------------

#: Failures listed one per line at the end of a sweep; more are counted, not listed.
MAX_FAILURES_SHOWN = 20


@cli.command()
@click.argument("experiment", type=existing_file)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Runs at once (worker processes) [default: every CPU core].",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    help="Where runs execute: local (a pool of processes on this machine) or dask (a Dask "
    'cluster; needs pip install "thriving[dask]") [default: local, or dask with '
    "--scheduler].",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786. Without it, "
    "--executor dask starts a cluster on this machine.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Results folder [default: results/EXPERIMENT_NAME].",
)
@click.option(
    "--force",
    is_flag=True,
    help="Start afresh if the folder holds earlier results; they are moved aside to "
    "FOLDER.old-TIME, not deleted.",
)
def sweep(
    experiment: str,
    workers: int | None,
    executor: str | None,
    scheduler: str | None,
    out: str | None,
    force: bool,
) -> None:
    """Run every run of an experiment, in parallel, into a results folder.

    Each run's weekly series goes to runs/RUN_ID.parquet (by ward: .wards.parquet),
    summary.csv gets one row per run with costs avoided, net benefit and benefit-cost
    ratio against the paired baseline run, and manifest.json records the experiment,
    package versions and each run's status. Run the same command again to resume an
    interrupted sweep: finished runs are kept and only the rest run. A run that fails
    is recorded and the others go on; the command then ends with exit code 1.
    """
    from thriving.config.experiment import load_experiment
    from thriving.runs.sweep import ConsoleReporter, default_folder, run_sweep

    if executor is None:
        executor = "dask" if scheduler else "local"
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    plan = load_experiment(experiment)
    folder = out if out is not None else str(default_folder(plan.name))
    ctx = click.get_current_context()
    try:
        outcome = run_sweep(
            plan,
            folder,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            force=force,
            reporter=ConsoleReporter(),
        )
    except KeyboardInterrupt:
        click.echo(
            f"Interrupted. Finished runs are kept in {folder}; run the same command again "
            "to complete the sweep.",
            err=True,
        )
        ctx.exit(EXIT_INTERRUPTED)
    new = outcome.done - outcome.already_done
    click.echo(
        f"{outcome.done} of {outcome.total} runs done ({new} now, in "
        f"{outcome.seconds:.0f} s). Summary: {outcome.folder / 'summary.csv'}"
    )
    if outcome.failed:
        n = len(outcome.failed)
        click.echo(f"{n} run{'s' if n != 1 else ''} failed:", err=True)
        for failure in outcome.failed[:MAX_FAILURES_SHOWN]:
            click.echo(f"  {failure}", err=True)
        if n > MAX_FAILURES_SHOWN:
            click.echo(f"  ... and {n - MAX_FAILURES_SHOWN} more", err=True)
        click.echo(
            f"Tracebacks: {outcome.folder / 'runs'}/RUN_ID.error.txt. Run the same command "
            "again to retry the failed runs.",
            err=True,
        )
        ctx.exit(1)


@cli.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The file to write, or - for standard output [default: weekly.csv, or "
    "weekly_by_ward.csv with --wards, in RESULTS].",
)
@click.option("--wards", is_flag=True, help="Export the weekly series by ward.")
def export(results: str, fmt: str, out: str | None, wards: bool) -> None:
    """Write every run's weekly series of a sweep as one long CSV file, for Excel.

    One row per run and week (and ward, with --wards): run_id, scenario, seed,
    replicate, the varied parameters, then the weekly columns. Runs not finished are
    left out.
    """
    from thriving.analysis.export import EXCEL_MAX_ROWS, export_csv

    outcome = export_csv(results, out, wards=wards)
    if outcome.path == "-":
        return
    note = f" ({outcome.not_done} not finished, left out)" if outcome.not_done else ""
    click.echo(f"Wrote {outcome.path}: {outcome.runs} runs, {outcome.rows} rows{note}", err=True)
    if outcome.rows + 1 > EXCEL_MAX_ROWS:
        click.echo(
            f"Note: Excel opens at most {EXCEL_MAX_ROWS:,} rows of a sheet; this file has "
            f"{outcome.rows + 1:,} (use summary.csv, or Power Query, for the rest).",
            err=True,
        )


@cli.command("compare")
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar="DIR_OR_SCENARIO..."
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="METRIC",
    help="Outcome to show on screen, e.g. gp_appointments_total or deaths_total; repeat "
    "for more [default: GP appointments, A&E attendances, emergency admissions, home-care "
    "hours, lonely person-years]. comparison.csv always has every outcome.",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=1),
    help="Scenario files only: runs (seeds) of each file, paired [default: 5].",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Scenario files only: the seed the runs' seeds come from [default: 2026].",
)
@overrides_options
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for comparison.csv, and for the runs of scenario files [default: for "
    "scenario files results/compare-NAMES; for one results folder that folder; for several "
    "the current folder].",
)
@click.option(
    "--optimism-bias",
    type=click.FloatRange(min=0, max=10),
    default=0.0,
    show_default=True,
    metavar="SHARE",
    help="Share added to money invested (HM Treasury Green Book): 0.41 adds 41 %, the upper "
    "bound for outsourcing and operating costs.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Compare runs that differ in horizon, population, borough, price year or discount "
    "rate; for scenario files, also start afresh if --out holds other runs (moved aside).",
)
def compare(
    inputs: tuple[str, ...],
    metrics: tuple[str, ...],
    replicates: int | None,
    seed: int | None,
    overrides: dict[str, Any],
    out: str | None,
    optimism_bias: float,
    force: bool,
) -> None:
    """Compare scenarios with their baseline: demand, costs and a Green Book appraisal.

    Give results folders (of thriving sweep or thriving run; among single-run folders
    the first is the baseline), or scenario files (the first is the baseline; each is
    run --replicates times with the same seeds, into --out). Each scenario run is paired
    with the baseline run of the same seed. Prints, per scenario, the mean change in
    each outcome with its 95 % interval, then net benefit, benefit-cost ratio, payback
    and the probability of a net saving (all benefits, and cash-releasing only), and
    writes every number to comparison.csv (see docs/cost_benefit.md).
    """
    from pathlib import Path

    from thriving.analysis import comparison as cmp
    from thriving.config.scenario import file_kind
    from thriving.runs import compare_files

    chosen = [m.strip().lower() for item in metrics for m in item.split(",") if m.strip()]
    for metric in chosen:
        if metric not in cmp.OUTCOMES:
            raise click.BadParameter(
                f"{metric!r} is not an outcome; choose from {', '.join(cmp.OUTCOMES)}",
                param_hint="--metric",
            )
    folders = [p for p in inputs if Path(p).is_dir()]
    files = [p for p in inputs if not Path(p).is_dir()]
    if folders and files:
        raise click.UsageError(
            "give results folders or scenario files, not both (folders: "
            f"{', '.join(folders)}; files: {', '.join(files)})"
        )
    if folders:
        if replicates is not None or seed is not None or overrides:
            raise click.UsageError(
                "--replicates, --seed, --set, --population and --years are for scenario "
                "files; results folders are compared as they were run"
            )
        result = cmp.compare_folders(folders, optimism_bias=optimism_bias, force=force)
        target = cmp.default_comparison_file(folders, out)
    else:
        for file in files:
            if file_kind(file) == "experiment":
                raise click.UsageError(
                    f"{file} is an experiment file: run it with thriving sweep, then give "
                    "its results folder to thriving compare"
                )
        from thriving.runs.sweep import ConsoleReporter

        plan = compare_files.comparison_run_list(
            files,
            overrides,
            compare_files.DEFAULT_REPLICATES if replicates is None else replicates,
            compare_files.DEFAULT_SEED if seed is None else seed,
        )
        labels = plan.to_dict()["labels"]
        folder = Path(out) if out else compare_files.default_compare_folder(labels)
        try:
            compare_files.run_scenario_files(plan, folder, force=force, reporter=ConsoleReporter())
        except KeyboardInterrupt:
            click.echo(
                f"Interrupted. Finished runs are kept in {folder}; run the same command "
                "again to complete the comparison.",
                err=True,
            )
            click.get_current_context().exit(EXIT_INTERRUPTED)
        result = cmp.compare_folders([folder], optimism_bias=optimism_bias, force=force)
        target = folder / cmp.COMPARISON_FILE
    result = cmp.write_comparison(result, target)
    click.echo(cmp.format_table(result, chosen or cmp.DEFAULT_METRICS), nl=False)
    click.echo(f"Every number, with its unit: {result.path}")


@cli.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="M",
    help="Draw only this service or measure: gp_appointments (or gp), ae_attendances "
    "(ae), emergency_admissions (admissions), social_care_hours (social_care), "
    "mental_health_referrals (mental_health), lonely_share, mean_strong_ties, "
    "isolated_share, bridging_share, participation_rate. Repeat, or separate with "
    "commas, for more [default: all].",
)
@click.option(
    "--smooth",
    type=click.IntRange(min=1, max=104),
    default=13,
    show_default=True,
    metavar="WEEKS",
    help="Weeks of the rolling mean that smooths each run's weekly series (1: none).",
)
def plot(results: str, metrics: tuple[str, ...], smooth: int) -> None:
    """Draw the pictures of a sweep's or a run's results folder, for slides.

    Writes RESULTS/plots/NAME.png and .svg: demand for each service per week, each
    scenario's change from its paired baseline run, whether and when the investment
    pays back, loneliness and the social network over time, and who benefits ward by
    ward. Each picture shows the median and the 10-90 % range of the runs. See
    docs/plots.md for how to read them.
    """
    from thriving.plots.demand import plot_results

    outcome = plot_results(results, metrics, smooth_weeks=smooth)
    for note in outcome.skipped:
        click.echo(f"Not drawn: {note}", err=True)
    if outcome.not_done:
        click.echo(f"Left out {outcome.not_done} runs that have not finished.", err=True)
    n = len(outcome.pictures)
    click.echo(
        f"Wrote {n} picture{'s' if n != 1 else ''} of {outcome.runs} run"
        f"{'s' if outcome.runs != 1 else ''} to {outcome.folder} (PNG and SVG):"
    )
    for name in outcome.pictures:
        click.echo(f"  {name}")


@cli.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--metric",
    metavar="M",
    help="A number column of summary.csv: net_benefit_gbp_pv, cost_avoided_gbp_pv or bcr "
    "as they are; a total such as gp_appointments_total or service_cost_gbp_pv as the "
    "scenario's run minus its paired baseline run [default: net_benefit_gbp_pv].",
)
@click.option(
    "--scenario",
    metavar="LABEL",
    help="The scenario to measure, by its label (the baseline's own totals with the "
    "baseline's label) [default: the first scenario that is not the baseline].",
)
def sensitivity(results: str, metric: str | None, scenario: str | None) -> None:
    """Rank the assumptions that drive the answer, from a Morris or Sobol sweep.

    RESULTS is the folder of a sweep whose experiment samples its settings with
    'sample: {method: morris}' or sobol (see experiments/sensitivity_morris.yaml).
    The metric is averaged over the replicates at each point of the design, then SALib
    works out each assumption's indices: for Morris mu* (how much the answer moves
    across the assumption's range), mu and sigma; for Sobol S1 and ST (shares of the
    answer's variation). Prints the ranked table with how much of it replicate noise
    could explain, and writes RESULTS/sensitivity.csv and the pictures
    RESULTS/plots/sensitivity_METRIC.png and .svg. See docs/sensitivity.md.
    """
    from thriving.analysis.sensitivity import analyse_folder, report_text, write_indices
    from thriving.plots.sensitivity import plot_morris_sigma, plot_sensitivity

    result = analyse_folder(results, metric, scenario)
    written = [write_indices(result), *plot_sensitivity(result)]
    if result.method == "morris":
        written += plot_morris_sigma(result)
    click.echo(report_text(result, written), nl=False)


@cli.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="The HTML file to write [default: RESULTS/report.html].",
)
def report(results: str, out: str | None) -> None:
    """Write the report of a sweep for councillors: one self-contained HTML file.

    The report gives the question, the scenarios in words, the headline numbers with
    their 95 % intervals and what they mean, the pictures, the assumptions with their
    sources and confidence, and the caveats where the evidence is weak. It needs no
    network: pictures and style are inside the file, so it can be emailed, opened on a
    phone or printed on A4. comparison.csv, the pictures (and for Morris or Sobol sweeps
    sensitivity.csv) are made first if they are missing or older than summary.csv. See
    docs/report.md.
    """
    from thriving.report import write_report

    outcome = write_report(results, out, say=lambda line: click.echo(line, err=True))
    size = outcome.size_bytes / 1e6
    click.echo(
        f"Wrote {outcome.path} ({size:.1f} MB, {outcome.images} picture"
        f"{'s' if outcome.images != 1 else ''}). Open it in a web browser."
    )


@cli.command("before-after")
@click.argument("results", type=click.Path(exists=True, file_okay=False))
def before_after(results: str) -> None:
    """Show what a before-and-after evaluation of social prescribing would report.

    RESULTS is the folder of a sweep whose experiment includes a scenario that funds
    social prescribing (e.g. experiments/quickstart.yaml). The residents who took up a
    referral are followed quarter by quarter, and compared with their paired selves in
    the baseline runs: the fall an uncontrolled evaluation would report, how much of it
    is the effect of social prescribing, and how much would have happened anyway
    (regression to the mean). Writes RESULTS/before_after.csv,
    RESULTS/before_after_quarters.csv and the picture RESULTS/plots/before_after_NAME.png
    and .svg. See docs/before_after.md.
    """
    from thriving.analysis.before_after import headline, write_before_after
    from thriving.plots.before_after import plot_before_after

    result = write_before_after(results)
    pictures = plot_before_after(result)
    for group in result.groups:
        click.echo(headline(group))
    for note in result.notes:
        click.echo(note, err=True)
    click.echo("Wrote:")
    for path in [*result.files, *pictures]:
        click.echo(f"  {path}")


def main(argv: list[str] | None = None) -> None:
    """Run the ``thriving`` command (the console entry point).

    Parameters
    ----------
    argv
        Arguments without the program name; the process's own when None.
    """
    try:
        cli.main(args=argv, prog_name="thriving")
    except ThrivingError as exc:  # raised outside a command, e.g. while parsing options
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
