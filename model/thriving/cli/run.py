"""``thriving run``: one scenario, one seed, one results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from thriving.cli.options import out_option, overrides_options, scenario_argument, seed_option


@click.command("run")
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
    from thriving.config.scenario import load_scenario
    from thriving.runs.outputs import (
        check_out_dir,
        default_out_dir,
        headline_table,
        run_provenance,
        utc_now,
        write_run,
    )

    started = utc_now()
    resolved = load_scenario(scenario, overrides)
    out_dir = Path(out) if out else default_out_dir(resolved.name, seed)
    check_out_dir(out_dir, force)  # before the run, not after it
    result, timings = _run_with_progress(resolved, seed)
    provenance = run_provenance(
        scenario, seed, overrides, out_dir, force, (started, utc_now()), timings
    )
    write_run(result, resolved, out_dir, provenance, force=force)
    click.echo(headline_table(result.summary, out_dir), nl=False)


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
