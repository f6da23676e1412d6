"""``thriving sensitivity`` and ``thriving before-after``: analyses of a sweep's runs."""

from __future__ import annotations

import click

from thriving.cli.options import results_argument


@click.command()
@results_argument
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
    from thriving.plots.sensitivity import plot_all

    result = analyse_folder(results, metric, scenario)
    written = [write_indices(result), *plot_all(result)]
    click.echo(report_text(result, written), nl=False)


@click.command("before-after")
@results_argument
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
