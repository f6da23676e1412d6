"""``thriving sweep`` and ``thriving export``: many runs, and their weekly series for Excel."""

from __future__ import annotations

import click

from thriving.cli.options import EXIT_INTERRUPTED, existing_file, results_argument

#: Failures listed one per line at the end of a sweep; more are counted, not listed.
MAX_FAILURES_SHOWN = 20


@click.command()
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


@click.command()
@results_argument
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
