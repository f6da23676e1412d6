"""``thriving validate``, ``thriving schema`` and ``thriving show``: scenario files."""

from __future__ import annotations

from typing import Any

import click

from thriving.cli.options import existing_file, overrides_options, scenario_argument
from thriving.config.errors import ThrivingError


@click.command()
@click.argument("files", nargs=-1, required=True, type=existing_file)
def validate(files: tuple[str, ...]) -> None:
    """Check scenario and experiment files without running them.

    Prints "OK" for each good file (for an experiment, with how many runs it makes) and
    every problem of the others, one per line, as FILE:LINE: field: message. Exits with
    code 1 if any file has a problem. Values that run but are unlikely to be meant (a
    budget of more than £100 a year per adult of the borough) get a warning line.
    """
    from thriving.config.checking import check_file

    bad = 0
    for file in files:
        try:
            note, warnings = check_file(file)
        except ThrivingError as exc:
            bad += 1
            click.echo(str(exc), err=True)
        else:
            click.echo(f"OK  {file}" + (f"  {note}" if note else ""))
            for warning in warnings:  # runs as written; said so it can be checked
                click.echo(f"{file}: warning: {warning}", err=True)
    if bad:
        if len(files) > 1:
            verb = "has" if bad == 1 else "have"
            click.echo(f"{bad} of {len(files)} files {verb} problems.", err=True)
        click.get_current_context().exit(1)


@click.command()
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


@click.command()
@scenario_argument
@overrides_options
def show(scenario: str, overrides: dict[str, Any]) -> None:
    """Print a scenario with every value filled in.

    The scenario is printed as YAML after following 'extends' and applying --set,
    --population and --years, with every default written out: what a run would use.
    """
    from thriving.config.scenario import load_scenario, scenario_to_yaml

    click.echo(scenario_to_yaml(load_scenario(scenario, overrides)), nl=False)
