"""Checking a scenario or experiment file without running it (``thriving validate``)."""

from __future__ import annotations

import os

from thriving.config.experiment import load_experiment
from thriving.config.plausibility import plausibility_warnings
from thriving.config.scenario import file_kind, load_scenario
from thriving.config.wards import load_ward_table


def check_file(path: str | os.PathLike[str]) -> tuple[str, list[str]]:
    """Check one scenario or experiment file, as a run or sweep would read it.

    Parameters
    ----------
    path : path
        A scenario or experiment YAML file; which it is comes from its top-level keys
        (:func:`thriving.config.scenario.file_kind`).

    Returns
    -------
    note : str
        For an experiment, how many runs it makes, from what
        (:meth:`thriving.config.experiment.Experiment.summary`); for a scenario, ``''``.
    warnings : list of str
        Values that run but are unlikely to be meant
        (:func:`thriving.config.plausibility.plausibility_warnings`), each scenario's
        once.

    Raises
    ------
    ThrivingError
        Every problem of the file, one per line, as ``FILE:LINE: field: message``.
    """
    if file_kind(path) == "experiment":
        experiment = load_experiment(path)
        scenarios = [s.scenario for s in experiment.scenarios]
        note = experiment.summary()
    else:
        scenarios = [load_scenario(path)]
        note = ""
    warnings: list[str] = []
    for scenario in scenarios:
        adults = float(load_ward_table(scenario.population.wards_file).adults.sum())
        for line in plausibility_warnings(scenario, adults):
            if line not in warnings:
                warnings.append(line)
    return note, warnings
