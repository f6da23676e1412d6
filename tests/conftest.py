"""Shared fixtures and Hypothesis profiles.

There is no switch for slow tests: every test runs in CI, so each is kept fast enough to.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent

# Hypothesis: "ci" is reproducible (same examples every run) and thorough; "dev" keeps the
# default random exploration. Neither has a deadline: the first call of a numpy-heavy
# function can be slow, and a deadline then fails for the wrong reason.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def rng() -> np.random.Generator:
    """A fixed-seed generator, fresh for each test."""
    return np.random.default_rng(12345)


@pytest.fixture
def runner() -> CliRunner:
    """Click's test runner for CLI tests."""
    return CliRunner()


@pytest.fixture(scope="session")
def sweep_experiment():
    """Run an experiment, given as YAML text, with ``thriving sweep``; return its folder.

    Call as ``sweep_experiment(folder, text, name="tiny.yaml", workers=1)``: the text is
    written to ``folder / name`` and the results go to ``folder / "sweep"``.
    """
    from thriving.cli.main import cli

    def run(folder: Path, text: str, name: str = "experiment.yaml", workers: int = 1) -> Path:
        experiment = folder / name
        experiment.write_text(text, encoding="utf-8")
        out = folder / "sweep"
        result = CliRunner().invoke(
            cli, ["sweep", str(experiment), "--workers", str(workers), "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        return out

    return run


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def scenarios_dir(repo_root: Path) -> Path:
    """The shipped scenario files."""
    return repo_root / "scenarios"
