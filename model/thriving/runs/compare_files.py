"""``thriving compare`` on scenario files: run them on the spot, with paired seeds.

The first file is the baseline; every file runs with the same replicate seeds (common
random numbers), into an ordinary sweep folder (``results/compare-<labels>``), which
:func:`thriving.analysis.comparison.compare_folders` then compares. Running the same comparison
again only runs what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thriving.config.errors import ThrivingError

if TYPE_CHECKING:
    from thriving.runs.sweep import RunList, SweepReporter

#: Replicates (seeds) per scenario file when ``thriving compare`` runs scenario files.
DEFAULT_REPLICATES = 5
#: The seed their replicate seeds come from (as an experiment's ``seed``).
DEFAULT_SEED = 2026


def default_compare_folder(labels: Sequence[str]) -> Path:
    """``results/compare-<labels>`` for scenario files run on the fly.

    Examples
    --------
    >>> default_compare_folder(["baseline", "social prescribing"]).as_posix()
    'results/compare-baseline-social_prescribing'
    """
    from thriving.runs.sweep import default_folder

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
    from thriving.config.experiment import replicate_seeds
    from thriving.config.runspec import RunSpec, run_id
    from thriving.config.scenario import load_scenario, load_scenario_mapping
    from thriving.runs.sweep import RunList

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
    from thriving.runs.store import ResultsFolder, check_resumable, package_versions
    from thriving.runs.sweep import run_sweep

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
