"""Arguments and options shared by several commands, defined once.

Like rasterio's ``rio/options.py``: a command takes ``@scenario_argument``,
``@seed_option`` or ``@overrides_options`` rather than spelling the option out again, so
the same option reads and behaves the same in every command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

#: Exit code after Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130

#: A YAML input file that must exist (a missing one is a usage error, exit code 2).
existing_file = click.Path(exists=True, dir_okay=False, readable=True)

#: A results folder that must exist (of ``thriving sweep`` or ``thriving run``).
results_argument = click.argument("results", type=click.Path(exists=True, file_okay=False))

scenario_argument = click.argument("scenario", type=existing_file)

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
