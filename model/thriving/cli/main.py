"""The ``thriving`` command line: the command group and the console entry point.

Each command is a thin layer over a library function, in a module of its family
(rasterio's ``rio`` layout): :mod:`~thriving.cli.scenarios` (validate, schema, show),
:mod:`~thriving.cli.run`, :mod:`~thriving.cli.sweep` (sweep, export),
:mod:`~thriving.cli.compare`, :mod:`~thriving.cli.pictures` (plot, report) and
:mod:`~thriving.cli.analyses` (sensitivity, before-after); options shared by several
commands are defined once in :mod:`~thriving.cli.options`. The logic lives in the
library so that notebooks and scripts can do what the command line does.

Errors a user can cause end with a plain message and exit code 1 (2 for a usage error:
a missing file, a malformed option), never a traceback; Ctrl-C ends with exit code 130.
"""

# Every command module imports only click and light parts of Thriving at its top; the
# heavy modules (the schema and pydantic, numpy, pandas, Mesa, matplotlib) are imported
# inside the command functions that need them, so that ``thriving --help`` answers at
# once (a test checks that importing this module loads none of them).

from __future__ import annotations

import sys
from typing import Any

import click

from thriving import __version__
from thriving.cli.analyses import before_after, sensitivity
from thriving.cli.compare import compare
from thriving.cli.examples import HELP, epilog
from thriving.cli.options import EXIT_INTERRUPTED
from thriving.cli.pictures import plot, report
from thriving.cli.run import run_command
from thriving.cli.scenarios import schema, show, validate
from thriving.cli.sweep import export, sweep
from thriving.config.errors import ThrivingError


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


@click.group(cls=ThrivingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="thriving")
def cli() -> None:
    """Thriving: does community investment reduce pressure on public services.

    Simulates residents, their social ties, community groups and public services, week
    by week, under investment scenarios written in YAML files.
    """


for _command in (
    validate,
    schema,
    show,
    run_command,
    sweep,
    export,
    compare,
    plot,
    sensitivity,
    report,
    before_after,
):
    # The summary listed by `thriving --help` and the examples at the end of the
    # command's own --help (cli/examples.py).
    _command.short_help = HELP[_command.name][0]
    _command.epilog = epilog(_command.name)
    cli.add_command(_command)


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
