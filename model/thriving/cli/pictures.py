"""``thriving plot`` and ``thriving report``: pictures for slides, the report for councillors."""

from __future__ import annotations

import click

from thriving.cli.options import results_argument


@click.command()
@results_argument
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


@click.command()
@results_argument
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
