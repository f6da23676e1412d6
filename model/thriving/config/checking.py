"""Checking a scenario or experiment file without running it (``thriving validate``)."""

from __future__ import annotations

import os

from thriving.config.experiment import load_experiment
from thriving.config.scenario import file_kind, load_scenario


def check_file(path: str | os.PathLike[str]) -> str:
    """Check one scenario or experiment file, as a run or sweep would read it.

    Parameters
    ----------
    path : path
        A scenario or experiment YAML file; which it is comes from its top-level keys
        (:func:`thriving.config.scenario.file_kind`).

    Returns
    -------
    str
        For an experiment, how many runs it makes, from what
        (:meth:`thriving.config.experiment.Experiment.summary`); for a scenario, ``''``.

    Raises
    ------
    ThrivingError
        Every problem of the file, one per line, as ``FILE:LINE: field: message``.
    """
    if file_kind(path) == "experiment":
        return load_experiment(path).summary()
    load_scenario(path)
    return ""
