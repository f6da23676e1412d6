"""Named random streams, one per process, as Starsim does.

Each process of the model (population, network, groups, ties, loneliness, need, demand,
services, mortality, levers) draws from its own generator, seeded from the run's seed
and the process name. Adding or changing a process therefore never shifts another's
draws. Every per-resident stream draws a fixed number of values per resident slot per
week, whatever the scenario, so the same seed gives the same random numbers to the same
resident in the same week under two scenarios (common random numbers).
"""

from __future__ import annotations

import enum
import functools
import zlib

import numpy as np

STREAMS: tuple[str, ...] = (
    "population",
    "network",
    "groups",
    "participation",
    "ties",
    "tie_formation",
    "loneliness",
    "need",
    "demand",
    "services",
    "mortality",
    "levers",
    "households",
)


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """Return the seed sequence of one named stream.

    Parameters
    ----------
    seed : int
        The run's seed (any non-negative integer).
    name : str
        The process name.

    Examples
    --------
    >>> a = np.random.default_rng(stream_seed(7, "need")).random()
    >>> b = np.random.default_rng(stream_seed(7, "need")).random()
    >>> a == b
    True
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {seed})")
    return np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8"))])


def make_streams(seed: int, names: tuple[str, ...] = STREAMS) -> dict[str, np.random.Generator]:
    """Create one independent generator per named process.

    Parameters
    ----------
    seed : int
        The run's seed.
    names : tuple of str
        Process names.

    Returns
    -------
    dict of str to numpy.random.Generator
    """
    return {name: np.random.default_rng(stream_seed(seed, name)) for name in names}


@enum.unique
class Salt(enum.IntEnum):
    """Salts XOR-ed into a counter stream's key, one per kind of counter draw.

    Several draws share one stream key (the ``levers`` key, say) and are addressed by
    the same slots and week: a salt per purpose keeps their numbers apart, so that
    (for example) who takes up a referral is not the same number as who is drawn for
    it. The values are fixed: changing one changes every run's results. ``@unique``
    and ``tests/sim/test_rng.py`` check that no two salts, and no salt and another
    key-mixing constant of this module, are equal.
    """

    #: ``levers``: a place in a group for residents connected by link workers.
    CONNECT_TO_GROUPS = 0x9A0
    #: ``levers``: wards and capacities of groups opened by grants.
    GRANT_GROUPS = 0x6A475
    #: ``levers``: whether a referred resident takes up the referral and engages.
    REFERRAL_UPTAKE = 0x5B0
    #: ``levers``: who is referred in consultations (Efraimidis-Spirakis keys).
    REFERRAL_DRAW = 0x5B1
    #: ``levers``: how many introductions a connector makes for a resident reached.
    INTRODUCTIONS_COUNT = 0x5EED
    #: ``levers``: whom a connector introduces them to, and how close the tie.
    INTRODUCTIONS_MEETING = 0xB41D
    #: ``levers``: which groups the closures lever closes.
    GROUP_CLOSURES = 0xC105E
    #: ``population``: the household an in-mover who does not live alone joins.
    IN_MOVER_HOUSEHOLD = 0x4A0
    #: ``tie_formation``: the member met by focal closure, and closeness.
    FOCAL_CLOSURE = 0xF0CA1
    #: ``tie_formation``: the friend of a friend met by triadic closure, and closeness.
    TRIADIC_CLOSURE = 0x7121AD
    #: ``tie_formation``: whom a chance encounter meets, and closeness.
    ENCOUNTERS = 0xE4C0
    #: ``levers``: the dither that rounds a lever's groups, staff or places to whole ones.
    LUMPY_ROUNDING = 0x1D17


_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
#: Multiplier spreading week numbers before they are mixed into a counter key.
_WEEK_MULT = 0x632BE5AB
_DRAW_NUMBERS = np.arange(64, dtype=np.uint64)[:, None]


def _splitmix64(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Mix 64-bit integers into well-spread pseudo-random 64-bit integers (SplitMix64).

    ``x`` is an array (not a scalar): uint64 array arithmetic wraps modulo 2**64, so
    no masking is needed, and the steps run in place (into ``out``, which may be ``x``).
    """
    z = np.add(x, _GOLDEN, out=out)
    t = z >> np.uint64(30)
    z ^= t
    z *= _MIX1
    np.right_shift(z, np.uint64(27), out=t)
    z ^= t
    z *= _MIX2
    np.right_shift(z, np.uint64(31), out=t)
    z ^= t
    return z


def _splitmix64_int(x: int) -> int:
    """SplitMix64 of one Python integer (the same as :func:`_splitmix64`, without numpy)."""
    mask = 0xFFFFFFFFFFFFFFFF
    z = (x + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


@functools.lru_cache(maxsize=8)
def _week_mix(week: int) -> int:
    """The week's part of a counter key (a week's draws share it: computed once)."""
    return _splitmix64_int((int(week) * _WEEK_MULT) & 0xFFFFFFFFFFFFFFFF)


def counter_uniforms(key: int, slots: np.ndarray, week: int, n_draws: int) -> np.ndarray:
    """Uniform draws addressed by (stream key, resident slot, week, draw number).

    Used for the few residents who need fresh attributes in a week (in-movers): each
    gets the same numbers under every scenario, whoever else moved in, without drawing
    a full array for every slot.

    Parameters
    ----------
    key : int
        Stream key (from :func:`stream_key`).
    slots : ndarray of int, shape (k,)
        Resident slots.
    week : int
        Simulation week.
    n_draws : int
        Draws per slot.

    Returns
    -------
    ndarray of float64 in [0, 1), shape (n_draws, k)

    Examples
    --------
    >>> u = counter_uniforms(1, np.array([3, 5]), 10, 2)
    >>> u.shape, bool((u >= 0).all() and (u < 1).all())
    ((2, 2), True)
    >>> bool((counter_uniforms(1, np.array([5]), 10, 2)[:, 0] == u[:, 1]).all())
    True
    """
    slots = np.asarray(slots, dtype=np.uint64)
    base = np.uint64(_splitmix64_int((int(key) & 0xFFFFFFFFFFFFFFFF) ^ _week_mix(week)))
    if n_draws <= _DRAW_NUMBERS.shape[0]:
        draws = _DRAW_NUMBERS[:n_draws]
    else:
        draws = np.arange(n_draws, dtype=np.uint64)[:, None]
    # One SplitMix64 pass over a counter unique to (slot, draw): SplitMix64 is designed
    # to turn consecutive counters into independent-looking numbers. Array arithmetic
    # in uint64 wraps (no overflow warnings); the steps work in place on one array.
    counter = (slots << np.uint64(16))[None, :] + draws  # up to 65,536 draws a slot
    counter *= _GOLDEN
    counter ^= base
    mixed = _splitmix64(counter, out=counter)
    mixed >>= np.uint64(11)
    u = mixed.astype(np.float64)
    u *= 1.0 / 9007199254740992.0
    return u


def stream_key(seed: int, name: str) -> int:
    """A 64-bit key for counter-based draws of one named process.

    Parameters
    ----------
    seed : int
        The run's seed.
    name : str
        The process name.

    Returns
    -------
    int
    """
    return int(stream_seed(seed, name).generate_state(1, dtype=np.uint64)[0])
