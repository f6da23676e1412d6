"""Reading results: sweep folders and single-run folders, as one tidy table of runs.

This is the one place analysis code (comparisons, plots, reports) loads finished results
from. :func:`load_results` reads any number of results folders of either kind:

- a **sweep folder** (``thriving sweep``): ``manifest.json``, ``summary.csv`` (one row per
  finished run, read for the numbers) and ``runs/<run_id>.json`` (each run's record, read
  for the facts a comparison must check and for the yearly costs);
- a **single-run folder** (``thriving run``): ``summary.json``, ``manifest.json``,
  ``scenario.yaml``, ``timeseries.csv``.

and gives a :class:`Results`: a table with one row per run (:attr:`Results.runs`), a long
table of each run's yearly costs (:attr:`Results.yearly`) and what each folder is
(:attr:`Results.sources`). Weekly series are never read: they stay on disk (read them
one run at a time with :func:`read_weekly`).

Pairing
-------
Every run that is not a baseline names its paired baseline run (``baseline_source`` and
``baseline_run_id``): the run of the baseline scenario with the same seed (common random
numbers). In a sweep the experiment made the pairs. Single-run folders are paired here:
the scenario of the first single-run folder given is the baseline, and every other
single-run folder is paired with the baseline folder of the same seed.

Labels
------
A scenario label (the scenario's ``name``) that appears in more than one sweep folder
(or in a sweep folder and among single-run folders) gets the folder's name added,
``social_prescribing (quickstart)``, so that each scenario keeps its own baseline.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ThrivingError
from .runner import SUMMARY_NUMBERS
from .store import MANIFEST, RUNS, SUMMARY, ResultsFolder

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FACTS",
    "SINGLE_RUN_FILE",
    "YEARLY",
    "Results",
    "Source",
    "load_folder",
    "load_results",
    "read_weekly",
    "yearly_wide",
]

#: The summary file of a single-run folder (``thriving run``).
SINGLE_RUN_FILE = "summary.json"

#: Facts about how each run was made: what a comparison checks before comparing.
#: ``years`` and ``burn_in_years`` (horizon), ``residents_simulated`` (the sample),
#: ``borough_adults`` (the borough the results are scaled to), ``price_year`` and
#: ``discount_rate`` (the appraisal), ``first_investment_year`` (year of the run in which
#: the first lever with a budget starts; empty for a run without investment).
FACTS: tuple[str, ...] = (
    "years",
    "burn_in_years",
    "residents_simulated",
    "borough_adults",
    "price_year",
    "discount_rate",
    "first_investment_year",
)

#: Yearly lists of each run's summary (undiscounted £ in each year 1..N of the run),
#: and their column names in :attr:`Results.yearly`.
YEARLY: dict[str, str] = {
    "service_cost_gbp_by_year": "service_cost_gbp",
    "cash_releasing_cost_gbp_by_year": "cash_releasing_cost_gbp",
    "investment_gbp_by_year": "investment_gbp",
}

#: Columns of :attr:`Results.runs` before the varied parameters, and after them.
ID_COLUMNS: tuple[str, ...] = ("run_id", "scenario", "seed", "replicate")
PAIRING_COLUMNS: tuple[str, ...] = (
    "is_baseline",
    "baseline_run_id",
    "baseline_source",
    "source",
    "design",
)

#: Designs: ``grid`` (a sweep over listed values, or nothing varied: compare point by
#: point), ``sampled`` (latin_hypercube, sobol, morris: points are draws of uncertain
#: assumptions, pooled) and ``single`` (single-run folders).
DESIGNS = ("grid", "sampled", "single")


@dataclass(frozen=True)
class Source:
    """One results folder that was read.

    Attributes
    ----------
    path : Path
        The folder, as given.
    kind : {"sweep", "run"}
        A sweep folder or a single-run folder.
    name : str
        The experiment's name (sweep) or the scenario's (single run).
    design : {"grid", "sampled", "single"}
        How its runs' points were made (see :data:`DESIGNS`).
    varied : tuple of str
        Varied or sampled parameters (dotted paths); empty for single runs.
    runs : int
        Finished runs read.
    """

    path: Path
    kind: str
    name: str
    design: str
    varied: tuple[str, ...] = ()
    runs: int = 0

    def __str__(self) -> str:
        return os.fspath(self.path)


@dataclass(frozen=True)
class Results:
    """Finished runs of one or more results folders.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per run: ``run_id, scenario, seed, replicate``, one column per varied
        parameter (dotted path; empty where a run does not have it), ``is_baseline``,
        ``baseline_run_id`` and ``baseline_source`` (the paired baseline run and its
        folder; empty for baseline runs), ``source`` (the folder, as given), ``design``
        (see :data:`DESIGNS`), the numbers of summary.csv
        (:data:`thriving.runner.SUMMARY_NUMBERS`: totals over the years after burn-in,
        whole borough; £ present values discounted to year 1 of the run) and the facts
        (:data:`FACTS`). A run is identified by ``(source, run_id)``: the same run may be
        in two folders.
    yearly : pandas.DataFrame
        One row per run and year (1..N after burn-in): ``source, run_id, year,
        service_cost_gbp, cash_releasing_cost_gbp, investment_gbp`` (undiscounted £ at
        the run's prices).
    sources : tuple of Source
        The folders, in the order given.
    varied : tuple of str
        Every varied parameter, in order of first appearance (the varied columns).
    """

    runs: pd.DataFrame
    yearly: pd.DataFrame
    sources: tuple[Source, ...]
    varied: tuple[str, ...] = field(default=())

    def source(self, path: str) -> Source:
        """The :class:`Source` whose folder is ``path`` (as it appears in ``runs``)."""
        for source in self.sources:
            if str(source) == path:
                return source
        raise KeyError(path)


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def load_results(paths: Sequence[str | os.PathLike[str]]) -> Results:
    """Read results folders (sweeps, single runs, or both) into one :class:`Results`.

    Parameters
    ----------
    paths : sequence of path
        Results folders. Among single-run folders, the first one's scenario is the
        baseline (see the module's notes on pairing).

    Returns
    -------
    Results

    Raises
    ------
    ThrivingError
        A folder is not a results folder, has no finished run, or is given twice; a
        single run has no baseline run of its seed among the folders.
    """
    import pandas as pd

    if not paths:
        raise ThrivingError("no results folders given")
    seen: dict[Path, str] = {}
    loaded: list[Results] = []
    for path in paths:
        key = Path(path).resolve()
        if key in seen:
            raise ThrivingError(f"{os.fspath(path)} is given twice (as {seen[key]})")
        seen[key] = os.fspath(path)
        loaded.append(load_folder(path))
    varied = tuple(dict.fromkeys(name for r in loaded for name in r.varied))
    runs = pd.concat([r.runs for r in loaded], ignore_index=True)
    yearly = pd.concat([r.yearly for r in loaded], ignore_index=True)
    sources = tuple(s for r in loaded for s in r.sources)
    runs = _pair_single_runs(runs)
    runs = _disambiguate_labels(runs, sources)
    runs = runs[_column_order(varied)]
    return Results(runs=runs, yearly=yearly, sources=sources, varied=varied)


def load_folder(path: str | os.PathLike[str]) -> Results:
    """Read one results folder: a sweep folder or a single-run folder.

    Single runs are not paired here (see :func:`load_results`).

    Raises
    ------
    ThrivingError
        If ``path`` is neither kind of results folder, or holds no finished run.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ThrivingError(f"{os.fspath(path)} is not a folder")
    if (folder / SUMMARY).exists() or (folder / RUNS).is_dir():
        return _load_sweep(folder)
    if (folder / SINGLE_RUN_FILE).exists():
        return _load_single_run(folder)
    raise ThrivingError(
        f"{os.fspath(path)} is not a results folder: it has neither {SUMMARY} (a sweep, "
        f"from thriving sweep) nor {SINGLE_RUN_FILE} (a single run, from thriving run)"
    )


def _load_sweep(path: Path) -> Results:
    """A sweep folder: numbers from summary.csv, facts and yearly costs from run records."""
    import pandas as pd

    folder = ResultsFolder(path)
    manifest = folder.read_manifest()
    display = os.fspath(path)
    if not folder.summary.exists():
        raise ThrivingError(
            f"{display} has no {SUMMARY} (the sweep has not written it yet); run the same "
            "thriving sweep command again to complete it"
        )
    varied = tuple(str(v) for v in manifest.get("varied") or ())
    experiment = manifest.get("experiment") or {}
    design = "sampled" if experiment.get("sample") else "grid"
    try:
        table = pd.read_csv(folder.summary, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {folder.summary}: {exc}") from None
    needed = [*ID_COLUMNS, "is_baseline", "baseline_run_id", *SUMMARY_NUMBERS]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ThrivingError(
            f"{folder.summary} lacks the column{'s' * (len(missing) > 1)} "
            f"{', '.join(missing)}: it was made by another version of Thriving"
        )
    if table.empty:
        raise ThrivingError(f"{display} has no finished runs ({SUMMARY} is empty)")

    rows: list[dict[str, Any]] = []
    yearly: list[dict[str, Any]] = []
    for line in table.itertuples(index=False):
        cells = dict(zip(table.columns, line, strict=True))
        run_id = cells["run_id"]
        record = _read_json(folder.record_file(run_id), display, run_id)
        is_baseline = cells["is_baseline"].strip().upper() in ("TRUE", "1")
        summary = record.get("summary") or {}
        point = record.get("point") or {}
        row: dict[str, Any] = {
            "run_id": run_id,
            "scenario": cells["scenario"],
            "seed": int(cells["seed"]),
            "replicate": int(cells["replicate"]),
            **{name: point.get(name) for name in varied},
            "is_baseline": is_baseline,
            "baseline_run_id": cells["baseline_run_id"] or None,
            "baseline_source": None if is_baseline else display,
            "source": display,
            "design": design,
            **{name: _number(cells[name]) for name in SUMMARY_NUMBERS},
            **_facts(summary, folder.record_file(run_id)),
        }
        rows.append(row)
        yearly.extend(_yearly_rows(summary, display, run_id, folder.record_file(run_id)))
    source = Source(path, "sweep", str(manifest.get("name", path.name)), design, varied, len(rows))
    return Results(_runs_frame(rows, varied), _yearly_frame(yearly), (source,), varied)


def _load_single_run(path: Path) -> Results:
    """A single-run folder (``thriving run``): one row, paired later."""
    display = os.fspath(path)
    summary = _read_json(path / SINGLE_RUN_FILE, display)
    manifest_file = path / MANIFEST
    manifest = _read_json(manifest_file, display) if manifest_file.exists() else {}
    try:
        seed = int(summary["seed"])
        label = str(summary["scenario"])
        numbers = {name: float(summary[name]) for name in SUMMARY_NUMBERS}
    except (KeyError, TypeError, ValueError) as exc:
        raise ThrivingError(
            f"{path / SINGLE_RUN_FILE} lacks {exc}: it was made by another version of Thriving"
        ) from None
    run_id = str(manifest.get("run_id") or f"{label}-seed{seed}")
    row: dict[str, Any] = {
        "run_id": run_id,
        "scenario": label,
        "seed": seed,
        "replicate": None,
        "is_baseline": False,
        "baseline_run_id": None,
        "baseline_source": None,
        "source": display,
        "design": "single",
        **numbers,
        **_facts(summary, path / SINGLE_RUN_FILE),
    }
    yearly = _yearly_rows(summary, display, run_id, path / SINGLE_RUN_FILE)
    source = Source(path, "run", label, "single", (), 1)
    return Results(_runs_frame([row], ()), _yearly_frame(yearly), (source,), ())


def _read_json(file: Path, folder: str, run_id: str | None = None) -> dict[str, Any]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if run_id is not None:
            raise ThrivingError(
                f"{folder}: {SUMMARY} lists run {run_id} but {RUNS}/{run_id}.json is "
                "missing; run the same thriving sweep command again to repair the folder"
            ) from None
        raise ThrivingError(f"{file} is missing") from None
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {file}: {exc}") from None
    if not isinstance(data, dict):
        raise ThrivingError(f"{file} is not a results file (expected a JSON object)")
    return data


def _number(text: str) -> float:
    """A number of summary.csv; an empty cell is NaN."""
    return float(text) if text != "" else float("nan")


def _facts(summary: dict[str, Any], file: Path) -> dict[str, Any]:
    """The run's :data:`FACTS`, from its summary."""
    try:
        first = summary.get("first_investment_year")
        return {
            "years": int(summary["years"]),
            "burn_in_years": int(summary["burn_in_years"]),
            "residents_simulated": int(summary["residents_simulated"]),
            "borough_adults": float(summary["borough_adults"]),
            "price_year": str(summary["price_year"]),
            "discount_rate": float(summary["discount_rate"]),
            "first_investment_year": None if first is None else int(first),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ThrivingError(
            f"{file} lacks {exc}: it was made by another version of Thriving"
        ) from None


def _yearly_rows(
    summary: dict[str, Any], source: str, run_id: str, file: Path
) -> list[dict[str, Any]]:
    """Rows of the yearly table for one run."""
    try:
        lists = {column: summary[key] for key, column in YEARLY.items()}
    except KeyError as exc:
        raise ThrivingError(
            f"{file} lacks {exc}: it was made by an older version of Thriving; run it again "
            "to compare it"
        ) from None
    n = len(lists["service_cost_gbp"])
    return [
        {
            "source": source,
            "run_id": run_id,
            "year": year + 1,
            **{column: float(values[year]) for column, values in lists.items()},
        }
        for year in range(n)
    ]


def _runs_frame(rows: list[dict[str, Any]], varied: Iterable[str]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=_column_order(tuple(varied)))
    frame["first_investment_year"] = frame["first_investment_year"].astype("Int64")
    frame["replicate"] = frame["replicate"].astype("Int64")
    return frame


def _yearly_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=["source", "run_id", "year", *YEARLY.values()])


def _column_order(varied: tuple[str, ...]) -> list[str]:
    return [*ID_COLUMNS, *varied, *PAIRING_COLUMNS, *SUMMARY_NUMBERS, *FACTS]


# --------------------------------------------------------------------------------------
# Pairing single runs, and labels
# --------------------------------------------------------------------------------------


def _pair_single_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Mark the first single run's scenario as the baseline; pair the others by seed."""
    single = runs["design"] == "single"
    if not single.any():
        return runs
    runs = runs.copy()
    first = runs.index[single][0]
    baseline_label = runs.at[first, "scenario"]
    is_base = single & (runs["scenario"] == baseline_label)
    runs.loc[is_base, "is_baseline"] = True
    by_seed: dict[int, int] = {}
    for i in runs.index[is_base]:
        seed = int(runs.at[i, "seed"])
        if seed in by_seed:
            raise ThrivingError(
                f"{runs.at[by_seed[seed], 'source']} and {runs.at[i, 'source']} are both "
                f"runs of the baseline {baseline_label!r} with seed {seed}; give one of them"
            )
        by_seed[seed] = i
    for i in runs.index[single & ~is_base]:
        seed = int(runs.at[i, "seed"])
        base = by_seed.get(seed)
        if base is None:
            seeds = ", ".join(str(s) for s in sorted(by_seed))
            raise ThrivingError(
                f"{runs.at[i, 'source']} (seed {seed}) has no baseline run with the same "
                f"seed among the folders given (the baseline is the first single-run "
                f"folder's scenario, {baseline_label!r}, run with seed {seeds}); run "
                f"thriving run for {baseline_label!r} with --seed {seed}, or leave this "
                "folder out"
            )
        runs.at[i, "baseline_run_id"] = runs.at[base, "run_id"]
        runs.at[i, "baseline_source"] = runs.at[base, "source"]
    return runs


def _disambiguate_labels(runs: pd.DataFrame, sources: tuple[Source, ...]) -> pd.DataFrame:
    """Add the folder's name to labels found in more than one sweep (or sweep and runs)."""
    # A group is one sweep folder, or all single-run folders together (one comparison).
    group = runs["source"].where(runs["design"] != "single", "")
    names = _group_names([s for s in sources if s.kind == "sweep"])
    renamed = runs["scenario"].copy()
    for label in runs["scenario"].unique():
        mask = runs["scenario"] == label
        if group[mask].nunique() < 2:
            continue
        for g in group[mask].unique():
            if g != "":
                renamed[mask & (group == g)] = f"{label} ({names[g]})"
    if renamed.equals(runs["scenario"]):
        return runs
    runs = runs.copy()
    runs["scenario"] = renamed
    return runs


def _group_names(sources: list[Source]) -> dict[str, str]:
    """A short name for each sweep folder: its own name, or its path where names repeat."""
    short = {str(s): s.path.name or str(s) for s in sources}
    counts: dict[str, int] = {}
    for name in short.values():
        counts[name] = counts.get(name, 0) + 1
    return {key: (name if counts[name] == 1 else key) for key, name in short.items()}


# --------------------------------------------------------------------------------------
# Yearly and weekly series
# --------------------------------------------------------------------------------------


def yearly_wide(results: Results, column: str, keys: pd.DataFrame) -> pd.DataFrame:
    """One yearly series per run, as a table: a row per run of ``keys``, a column per year.

    Parameters
    ----------
    results : Results
    column : str
        ``service_cost_gbp``, ``cash_releasing_cost_gbp`` or ``investment_gbp``.
    keys : pandas.DataFrame
        Columns ``source`` and ``run_id``: the runs wanted, in the order wanted.

    Returns
    -------
    pandas.DataFrame
        Rows in the order of ``keys`` (index reset), columns the years 1..N (undiscounted
        £); years a shorter run does not have are NaN.
    """
    wide = results.yearly.pivot_table(
        index=["source", "run_id"], columns="year", values=column, aggfunc="first"
    )
    index = list(zip(keys["source"], keys["run_id"], strict=True))
    return wide.reindex(index).reset_index(drop=True)


def read_weekly(results: Results, source: str, run_id: str) -> pd.DataFrame:
    """The weekly borough series of one run (read from disk; nothing is kept in memory).

    Parameters
    ----------
    results : Results
    source : str
        The run's folder, as in ``results.runs["source"]``.
    run_id : str

    Returns
    -------
    pandas.DataFrame
        Columns :data:`thriving.recording.BOROUGH_COLUMNS` for a sweep run (its Parquet
        file), those of ``timeseries.csv`` for a single run.
    """
    import pandas as pd

    folder = results.source(source)
    if folder.kind == "run":
        return pd.read_csv(folder.path / "timeseries.csv")
    return pd.read_parquet(ResultsFolder(folder.path).series_file(run_id))
