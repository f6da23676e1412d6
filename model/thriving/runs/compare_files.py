"""``thriving compare`` on scenario files: run them on the spot, with paired seeds.

:func:`comparison_inputs` tells whether ``thriving compare`` was given results folders
(compared as they were run) or scenario files. The first file is the baseline; every
file runs with the same replicate seeds (common random numbers), into an ordinary sweep
folder (``results/compare-<labels>``), which
:func:`thriving.analysis.comparison.compare_folders` then compares. Running the same
comparison again only runs what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thriving.config.errors import ThrivingError
from thriving.config.experiment import replicate_seeds
from thriving.config.runspec import RunSpec, run_id
from thriving.config.scenario import file_kind, load_scenario, load_scenario_mapping
from thriving.runs.store import ResultsFolder, check_resumable, package_versions
from thriving.runs.sweep import RunList, SweepReporter, default_folder, run_sweep

#: Replicates (seeds) per scenario file when ``thriving compare`` runs scenario files.
DEFAULT_REPLICATES = 5
#: The seed their replicate seeds come from (as an experiment's ``seed``).
DEFAULT_SEED = 2026


class CompareUsageError(ThrivingError):
    """Inputs and options of ``thriving compare`` that do not go together (a usage error)."""

    exit_code = 2


@dataclass(frozen=True)
class ComparisonInputs:
    """What ``thriving compare`` compares, and the runs to make first, if any.

    Attributes
    ----------
    folders : list of path
        The results folders to compare (as given, or the folder of the scenario files'
        runs).
    runs : RunList or None
        The runs of the scenario files (:func:`comparison_run_list`); None for results
        folders, which are compared as they were run.
    """

    folders: list[str | os.PathLike[str]]
    runs: RunList | None = None

    def run_missing(self, *, force: bool = False, reporter: SweepReporter | None = None) -> None:
        """Make the scenario files' runs not yet in their folder (:func:`run_scenario_files`).

        Nothing to do for results folders.
        """
        if self.runs is not None:
            run_scenario_files(self.runs, self.folders[0], force=force, reporter=reporter)


def comparison_inputs(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    replicates: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> ComparisonInputs:
    """Tell results folders from scenario files, and plan the runs of scenario files.

    Parameters
    ----------
    inputs : sequence of path
        Results folders (of ``thriving sweep`` or ``thriving run``), or scenario files,
        the baseline first.
    replicates, seed : int, optional
        Scenario files only: runs of each file and the seed their seeds come from
        (default :data:`DEFAULT_REPLICATES`, :data:`DEFAULT_SEED`).
    overrides : mapping, optional
        Scenario files only: settings changed for every file (see
        :func:`comparison_run_list`).
    out : path, optional
        Scenario files only: the folder of their runs (default
        ``results/compare-<labels>``).

    Returns
    -------
    ComparisonInputs

    Raises
    ------
    CompareUsageError
        Folders and files mixed; run options given with results folders; an experiment
        file among the scenario files.
    ThrivingError
        See :func:`comparison_run_list`.
    """
    folders = [p for p in inputs if Path(p).is_dir()]
    files = [p for p in inputs if not Path(p).is_dir()]
    if folders and files:
        raise CompareUsageError(
            "give results folders or scenario files, not both (folders: "
            f"{', '.join(map(os.fspath, folders))}; files: {', '.join(map(os.fspath, files))})"
        )
    if folders:
        if replicates is not None or seed is not None or overrides:
            raise CompareUsageError(
                "--replicates, --seed, --set, --population and --years are for scenario "
                "files; results folders are compared as they were run"
            )
        return ComparisonInputs(folders)
    for file in files:
        if file_kind(file) == "experiment":
            raise CompareUsageError(
                f"{os.fspath(file)} is an experiment file: run it with thriving sweep, then "
                "give its results folder to thriving compare"
            )
    runs = comparison_run_list(
        files,
        overrides,
        DEFAULT_REPLICATES if replicates is None else replicates,
        DEFAULT_SEED if seed is None else seed,
    )
    folder = Path(out) if out else default_compare_folder(runs.to_dict()["labels"])
    return ComparisonInputs([folder], runs)


def default_compare_folder(labels: Sequence[str]) -> Path:
    """``results/compare-<labels>`` for scenario files run on the fly.

    Examples
    --------
    >>> default_compare_folder(["baseline", "social prescribing"]).as_posix()
    'results/compare-baseline-social_prescribing'
    """
    return default_folder("compare-" + "-".join(labels))


def comparison_run_list(
    files: Sequence[str | os.PathLike[str]],
    overrides: Mapping[str, Any] | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
) -> RunList:
    """The runs that compare scenario files: each file with the same paired seeds.

    The first file is the baseline. Seeds come from ``numpy.random.SeedSequence(seed)``
    as an experiment's replicates do (:func:`thriving.config.experiment.replicate_seeds`), so
    ``replicates`` seeds give the same runs as an experiment with those files and that
    seed. ``overrides`` apply to every file as an experiment's do: an override of an
    investment (``investments.<lever>...``) only to the files that have that lever.

    Raises
    ------
    ThrivingError
        Fewer than two files; a file's problems; an investment override no file has;
        two files with the same ``name`` and content.
    """
    if len(files) < 2:
        raise ThrivingError(
            "give at least two scenario files: the baseline first, then the scenarios to "
            "compare with it",
            exit_code=2,
        )
    overrides = dict(overrides or {})
    plain = {k: v for k, v in overrides.items() if not k.startswith("investments.")}
    levered = {k: v for k, v in overrides.items() if k.startswith("investments.")}
    scenarios = []
    used: set[str] = set()
    for file in files:
        data, _ = load_scenario_mapping(file)
        entries = data.get("investments")
        levers = (
            {e.get("lever") for e in entries if isinstance(e, dict)}
            if isinstance(entries, list)
            else set()
        )
        mine = {k: v for k, v in levered.items() if k.split(".")[1] in levers}
        used |= mine.keys()
        scenarios.append(load_scenario(file, {**plain, **mine}))
    unused = [k for k in levered if k not in used]
    if unused:
        lever = unused[0].split(".")[1]
        raise ThrivingError(
            f"--set {unused[0]}: no scenario file given has the {lever} lever", exit_code=2
        )
    labels = _labels(files, [s.name for s in scenarios])
    seeds = replicate_seeds(seed, replicates)
    specs: list[RunSpec] = []
    baseline = scenarios[0]
    base_ids = [run_id(baseline, s) for s in seeds]
    for index, (file, scenario, label) in enumerate(zip(files, scenarios, labels, strict=True)):
        for replicate, run_seed in enumerate(seeds):
            is_baseline = index == 0
            rid = base_ids[replicate] if is_baseline else run_id(scenario, run_seed)
            if not is_baseline and rid == base_ids[replicate]:
                raise ThrivingError(
                    f"{os.fspath(file)} is the same scenario as the baseline "
                    f"{os.fspath(files[0])}: there is nothing to compare",
                    exit_code=2,
                )
            specs.append(
                RunSpec(
                    run_id=rid,
                    scenario=scenario,
                    seed=run_seed,
                    replicate=replicate,
                    scenario_label=label,
                    scenario_file=os.fspath(file),
                    is_baseline=is_baseline,
                    baseline_run_id=None if is_baseline else base_ids[replicate],
                )
            )
    seen: dict[str, str] = {}
    for spec in specs:
        other = seen.setdefault(spec.run_id, spec.scenario_file)
        if other != spec.scenario_file:
            raise ThrivingError(
                f"{spec.scenario_file} and {other} are the same scenario: give each once",
                exit_code=2,
            )
    return RunList("compare-" + "-".join(labels), specs)


def _labels(files: Sequence[str | os.PathLike[str]], names: Sequence[str]) -> list[str]:
    """Scenario names as labels; a name shared by several files gets the file's name."""
    labels = list(names)
    for name in set(names):
        where = [i for i, n in enumerate(names) if n == name]
        if len(where) > 1:
            for i in where:
                labels[i] = f"{name} ({Path(files[i]).stem})"
    if len(set(labels)) != len(labels):
        labels = [f"{label} [{i + 1}]" for i, label in enumerate(labels)]
    return labels


def run_scenario_files(
    plan: RunList,
    out: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    reporter: SweepReporter | None = None,
) -> Path:
    """Run the runs of :func:`comparison_run_list` as a sweep; return the results folder.

    The folder (default ``results/compare-<labels>``) is an ordinary sweep folder, so
    running the same comparison again only runs what is missing. If it holds other runs
    (a scenario file or an option changed), ``force`` moves it aside (to
    ``FOLDER.old-TIME``) and starts afresh; without ``force`` that is an error.

    Raises
    ------
    ThrivingError
        A failed run (its error is named), or the folder holds other results.
    """
    folder = (
        Path(out)
        if out is not None
        else default_compare_folder(list(dict.fromkeys(s.scenario_label for s in plan.specs)))
    )
    restart = False
    if force:
        results = ResultsFolder(folder)
        if results.manifest.exists():
            try:
                check_resumable(results, plan.fingerprint, package_versions())
            except ThrivingError:
                restart = True
        elif results.holds_other_files():
            restart = True
    outcome = run_sweep(plan, folder, force=restart, reporter=reporter)
    if outcome.failed:
        first = outcome.failed[0]
        more = len(outcome.failed) - 1
        raise ThrivingError(
            f"{len(outcome.failed)} run{'s' * (more > 0)} failed, so the comparison is not "
            f"made; the first: {first} (traceback in {folder / 'runs'}/{first.run_id}"
            ".error.txt). Run the same command again to retry"
        )
    return folder
