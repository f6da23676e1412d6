"""Shared helpers of the benchmark scripts (not a benchmark itself).

Importing this module makes ``import thriving`` work from a checkout that is not
installed (it puts ``model/`` on the path only if ``thriving`` cannot be found).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Single-threaded numerical libraries: every figure is for one core.
ONE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
    )
}

#: All five positive levers at borough-scale budgets (£ a year for the whole borough of
#: about 185,000 adults), years 1-3, every ward. The model buys the simulated sample's
#: share of each budget, so the activity per resident is the same at any size. The
#: amounts follow scenarios/thriving_communities.yaml, with neighbourhood teams added.
ALL_LEVERS = [
    {"lever": "community_grants", "budget_per_year": 343_000},
    {"lever": "social_prescribing", "budget_per_year": 330_000},
    {"lever": "community_connectors", "budget_per_year": 150_000},
    {"lever": "neighbourhood_teams", "budget_per_year": 440_000},
    {"lever": "access", "budget_per_year": 74_000},
]


def ensure_importable() -> None:
    """Make ``import thriving`` work from a checkout that is not installed."""
    try:
        import thriving  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(ROOT / "model"))


def all_levers(start_year: int = 1, end_year: int = 3) -> list[dict]:
    """The five positive levers, funded from ``start_year`` to ``end_year``."""
    return [
        {**lever, "start_year": start_year, "end_year": end_year, "wards": "all"}
        for lever in ALL_LEVERS
    ]


def model_version() -> str:
    """Which model code runs: the commit (with '+dirty' if model/ has uncommitted
    changes), or the folder it was imported from when that is not this checkout."""
    import thriving

    where = Path(thriving.__file__).resolve().parent
    if ROOT / "model" not in where.parents:
        stamp = where.parents[1] / "COMMIT"  # written beside an exported snapshot
        commit = stamp.read_text().strip() if stamp.exists() else "unknown commit"
        return f"{commit} (from {where})"
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "model"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def machine() -> str:
    """One line about the machine and the load on it."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load:.2f}"
    )


def rss_now_mb() -> float:
    """Current resident set size of this process, MB (Linux; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


ensure_importable()
