"""Each command's one-line summary and worked examples, as ``--help`` shows them.

The summary is what ``thriving --help`` lists (it must fit the 80-column listing, which
otherwise cuts it mid-sentence); the examples are real invocations on the shipped files,
shown at the end of the command's own ``--help``. ``tests/cli/test_help.py`` runs each
example's arguments through the parser and checks that every summary fits.
"""

from __future__ import annotations

#: command name -> (summary for the command list, examples for its --help).
HELP: dict[str, tuple[str, tuple[str, ...]]] = {
    "validate": (
        "Check scenario and experiment files without running.",
        (
            "thriving validate scenarios/my_link_workers.yaml",
            "thriving validate scenarios/*.yaml experiments/*.yaml",
        ),
    ),
    "schema": (
        "Print the JSON Schema of scenario files (for editors).",
        ("thriving schema --out my_schema.json",),
    ),
    "show": (
        "Print a scenario with every default filled in.",
        (
            "thriving show scenarios/social_prescribing.yaml",
            "thriving show scenarios/baseline.yaml --set loneliness.contagion_strength=0",
        ),
    ),
    "run": (
        "Run a scenario once into a results folder.",
        (
            "thriving run scenarios/social_prescribing.yaml --population 20000 --seed 1",
            "thriving run scenarios/baseline.yaml --years 5 --out results/baseline-5y",
        ),
    ),
    "sweep": (
        "Run an experiment's runs in parallel (resumable).",
        (
            "thriving sweep experiments/quickstart.yaml",
            "thriving sweep experiments/quickstart.yaml --workers 1 --out results/qs",
        ),
    ),
    "export": (
        "Write a sweep's weekly series as one long CSV.",
        (
            "thriving export results/quickstart --format csv",
            "thriving export results/quickstart --wards --out wards.csv",
        ),
    ),
    "compare": (
        "Compare scenarios with the baseline: demand and £.",
        (
            "thriving compare results/quickstart",
            "thriving compare scenarios/baseline.yaml scenarios/social_prescribing.yaml "
            "--replicates 10",
        ),
    ),
    "plot": (
        "Draw the demand curves and ward pictures of results.",
        (
            "thriving plot results/quickstart",
            "thriving plot results/quickstart --metric gp --smooth 4",
        ),
    ),
    "sensitivity": (
        "Rank the assumptions that drive the answer.",
        (
            "thriving sweep experiments/sensitivity_morris.yaml",
            "thriving sensitivity results/sensitivity_morris",
        ),
    ),
    "report": (
        "Write a sweep's HTML report for councillors.",
        (
            "thriving report results/quickstart",
            "thriving report results/quickstart --out quickstart_report.html",
        ),
    ),
    "before-after": (
        "What a before-and-after evaluation would report.",
        ("thriving before-after results/quickstart",),
    ),
}


def epilog(name: str) -> str:
    """The examples block of a command's ``--help``, kept as written (not re-wrapped)."""
    lines = "\n".join(f"  {example}" for example in HELP[name][1])
    return f"\b\nExamples:\n{lines}"
