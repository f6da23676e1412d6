"""The command line: click commands that call the layers below and hold no logic of their own."""

from thriving.cli.main import cli, main

__all__ = ["cli", "main"]
