"""Whether a scenario can be compared with its baseline: they differ only in investments.

A comparison counts every difference between a scenario's runs and its baseline's runs
(paired by seed) as the effect of the scenario's investments. If the two also differ in
their horizon, burn-in, population, wards or any assumption, that difference is counted
too: a scenario with 8 years against a 10-year baseline "saves" two years of services.
So a scenario may differ from its baseline only in its name, description and
investments; anything else is refused before anything runs.
"""

from __future__ import annotations

import os
from typing import Any

from thriving.config.schema import Scenario

#: The parts of a scenario that may differ from its baseline.
MAY_DIFFER = frozenset({"name", "description", "investments"})


def differences_from_baseline(baseline: Scenario, scenario: Scenario) -> list[tuple[str, Any, Any]]:
    """Settings in which a scenario differs from its baseline, other than investments.

    Parameters
    ----------
    baseline, scenario : Scenario
        Both resolved (``extends``, overrides and any sweep point applied).

    Returns
    -------
    list of (str, object, object)
        ``(dotted path, baseline's value, scenario's value)`` for each difference, by
        path. Two ward-table files with the same contents are the same table.

    Examples
    --------
    >>> base = Scenario(name="b")
    >>> differences_from_baseline(base, Scenario(name="s", horizon={"years": 8}))
    [('horizon.years', 10, 8)]
    >>> differences_from_baseline(base, Scenario(name="s", investments=[
    ...     {"lever": "social_prescribing", "budget_per_year": 1e5}]))
    []
    """
    base = baseline.model_dump(mode="json", exclude=set(MAY_DIFFER))
    mine = scenario.model_dump(mode="json", exclude=set(MAY_DIFFER))
    found: list[tuple[str, Any, Any]] = []
    _walk(base, mine, (), found)
    found.sort(key=lambda d: d[0])
    return [d for d in found if not (d[0] == "population.wards_file" and _same_file(*d[1:]))]


def comparability_message(differences: list[tuple[str, Any, Any]]) -> str:
    """One line saying how a scenario differs from its baseline and why that is refused."""
    shown = "; ".join(
        f"{path} is {_show(value)} here and {_show(base)} in the baseline"
        for path, base, value in differences[:3]
    )
    more = f" (and {len(differences) - 3} more)" if len(differences) > 3 else ""
    return (
        f"cannot be compared with its baseline: {shown}{more}. A scenario may differ from "
        "its baseline only in its investments, or the comparison counts the difference "
        "as their effect; set these in the baseline too, or in the experiment's overrides"
    )


def _walk(base: Any, mine: Any, path: tuple[str, ...], found: list) -> None:
    if isinstance(base, dict) and isinstance(mine, dict):
        for key in base.keys() | mine.keys():
            _walk(base.get(key), mine.get(key), (*path, key), found)
        return
    if base != mine:
        found.append((".".join(path), base, mine))


def _same_file(a: Any, b: Any) -> bool:
    """Whether two ward-table settings name files with the same bytes."""
    if a is None or b is None:
        return False
    try:
        if os.path.samefile(a, b):
            return True
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def _show(value: Any) -> str:
    if value is None:
        return "the shipped default"
    return repr(value) if isinstance(value, str) else str(value)
