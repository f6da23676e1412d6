"""``thriving compare``: scenarios against their baseline, with a Green Book appraisal."""

from __future__ import annotations

from typing import Any

import click

from thriving.cli.options import EXIT_INTERRUPTED, overrides_options


@click.command("compare")
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
    "compare-NAMES beside them].",
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
    from thriving.analysis import comparison as cmp
    from thriving.runs.compare_files import CompareUsageError, comparison_inputs
    from thriving.runs.sweep import ConsoleReporter

    chosen = [m.strip().lower() for item in metrics for m in item.split(",") if m.strip()]
    for metric in chosen:
        if metric not in cmp.OUTCOMES:
            raise click.BadParameter(
                f"{metric!r} is not an outcome; choose from {', '.join(cmp.OUTCOMES)}",
                param_hint="--metric",
            )
    try:
        compared = comparison_inputs(
            inputs, replicates=replicates, seed=seed, overrides=overrides, out=out
        )
    except CompareUsageError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        compared.run_missing(force=force, reporter=ConsoleReporter())
    except KeyboardInterrupt:
        click.echo(
            f"Interrupted. Finished runs are kept in {compared.folders[0]}; run the same "
            "command again to complete the comparison.",
            err=True,
        )
        click.get_current_context().exit(EXIT_INTERRUPTED)
    result = cmp.compare_folders(compared.folders, optimism_bias=optimism_bias, force=force)
    result = cmp.write_comparison(result, cmp.default_comparison_file(compared.folders, out))
    click.echo(cmp.format_table(result, chosen or cmp.DEFAULT_METRICS), nl=False)
    click.echo(f"Every number, with its unit: {result.path}")
