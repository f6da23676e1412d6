"""The report's shared vocabulary: levers in words, words joined in a sentence, numbers.

The lowest module of the report: :mod:`~thriving.report.facts` (which names levers
and lists values) and :mod:`~thriving.report.words` (every sentence) both use these,
and this module imports neither, so the report's imports go one way:
``words -> facts -> labels``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: The levers in words (the lever's key turned into words otherwise).
LEVER_NAMES: dict[str, str] = {
    "community_grants": "Community grants",
    "social_prescribing": "Social prescribing",
    "community_connectors": "Community connectors",
    "neighbourhood_teams": "Integrated neighbourhood teams",
    "access": "Transport and digital access",
    "closures": "Closures of community groups",
}


def finite(value: Any) -> bool:
    """Whether a value is a real, finite number (not a bool, NaN, None or text).

    Examples
    --------
    >>> finite(3), finite(0.5), finite(float("nan")), finite(None), finite(True)
    (True, True, False, False, False)
    """
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def join(items: Sequence[str], last: str = "and") -> str:
    """Words joined as in a sentence: 'a', 'a and b', 'a, b and c'.

    Examples
    --------
    >>> join(["GP appointments"]), join(["a", "b", "c"]), join(["£1", "£2"], "or")
    ('GP appointments', 'a, b and c', '£1 or £2')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def lever_name(lever: str) -> str:
    """A lever in words.

    Examples
    --------
    >>> lever_name("social_prescribing"), lever_name("new_lever")
    ('Social prescribing', 'New lever')
    """
    if lever in LEVER_NAMES:
        return LEVER_NAMES[lever]
    text = lever.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
