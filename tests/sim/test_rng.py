"""Named random streams and counter-based uniforms (thriving.sim.rng)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from thriving.sim import rng as rng_mod
from thriving.sim.rng import STREAMS, counter_uniforms, make_streams, stream_key, stream_seed

seeds = st.integers(0, 2**32 - 1)
keys = st.integers(0, 2**64 - 1)
weeks = st.integers(0, 52 * 50)
slot_arrays = hnp.arrays(np.int64, st.integers(1, 50), elements=st.integers(0, 2_000_000))


# ---------------------------------------------------------------------- make_streams


def draws(streams: dict[str, np.random.Generator], k: int = 5) -> dict[str, np.ndarray]:
    return {name: gen.random(k) for name, gen in streams.items()}


def test_stream_seed_rejects_negative_seed():
    with pytest.raises(ValueError, match="non-negative"):
        stream_seed(-1, "need")


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**63])
def test_make_streams_same_seed_same_draws(seed):
    a, b = draws(make_streams(seed)), draws(make_streams(seed))
    assert a.keys() == b.keys() == set(STREAMS)
    for name in STREAMS:
        np.testing.assert_array_equal(a[name], b[name])


def test_streams_differ_between_names_and_seeds():
    first = draws(make_streams(7))
    values = [tuple(v) for v in first.values()]
    assert len(set(values)) == len(STREAMS)  # no two processes share a stream
    other = draws(make_streams(8))
    for name in STREAMS:
        assert not np.array_equal(first[name], other[name])


def test_adding_a_stream_leaves_the_others_unchanged():
    """Starsim's test_order: a new process never shifts another process's draws."""
    before = draws(make_streams(11))
    after = draws(make_streams(11, STREAMS + ("a_new_process",)))
    reordered = draws(make_streams(11, tuple(reversed(STREAMS))))
    for name in STREAMS:
        np.testing.assert_array_equal(before[name], after[name])
        np.testing.assert_array_equal(before[name], reordered[name])


def test_drawing_from_one_stream_leaves_the_others_unchanged():
    plain = make_streams(3)
    busy = make_streams(3)
    busy["network"].random(10_000)  # one process draws much more in some scenario
    for name in STREAMS:
        if name != "network":
            np.testing.assert_array_equal(plain[name].random(4), busy[name].random(4))


def test_stream_key_is_fixed_by_seed_and_name():
    assert stream_key(5, "population") == stream_key(5, "population")
    assert stream_key(5, "population") != stream_key(5, "network")
    assert stream_key(5, "population") != stream_key(6, "population")
    assert 0 <= stream_key(5, "population") < 2**64


# ---------------------------------------------------------------------- counter_uniforms


@pytest.mark.parametrize("n_draws", [0, 1, 11])
def test_counter_uniforms_shape(n_draws):
    u = counter_uniforms(1, np.array([0, 4, 9]), 3, n_draws)
    assert u.shape == (n_draws, 3)
    assert u.dtype == np.float64


def test_counter_uniforms_no_slots():
    assert counter_uniforms(1, np.array([], np.int64), 3, 2).shape == (2, 0)


@given(keys, slot_arrays, weeks, st.integers(1, 12))
def test_counter_uniforms_in_unit_interval(key, slots, week, n_draws):
    u = counter_uniforms(key, slots, week, n_draws)
    assert ((u >= 0.0) & (u < 1.0)).all()


@given(keys, slot_arrays, weeks, st.integers(1, 6), st.data())
def test_counter_uniforms_addressed_by_key_slot_week_draw(key, slots, week, n_draws, data):
    """A slot's numbers do not depend on which other slots are asked, or in what order."""
    u = counter_uniforms(key, slots, week, n_draws)
    again = counter_uniforms(key, slots, week, n_draws)
    np.testing.assert_array_equal(u, again)
    i = data.draw(st.integers(0, slots.size - 1))
    alone = counter_uniforms(key, slots[i : i + 1], week, n_draws)
    np.testing.assert_array_equal(alone[:, 0], u[:, i])
    reversed_ = counter_uniforms(key, slots[::-1], week, n_draws)
    np.testing.assert_array_equal(reversed_[:, ::-1], u)
    # Asking for more draws leaves the first ones unchanged.
    more = counter_uniforms(key, slots, week, n_draws + 3)
    np.testing.assert_array_equal(more[:n_draws], u)


def test_counter_uniforms_slot_dtype_does_not_matter():
    a = counter_uniforms(9, np.array([1, 2, 3], np.int32), 4, 2)
    b = counter_uniforms(9, np.array([1, 2, 3], np.int64), 4, 2)
    np.testing.assert_array_equal(a, b)


def test_counter_uniforms_change_with_key_week_slot_and_draw():
    slots = np.arange(1000)
    base = counter_uniforms(1, slots, 5, 2)
    assert len(np.unique(base)) == base.size  # every (slot, draw) its own number
    for other in (
        counter_uniforms(2, slots, 5, 2),
        counter_uniforms(1, slots, 6, 2),
        counter_uniforms(1, slots + 1000, 5, 2),
    ):
        assert not np.isin(other, base).any()


def test_counter_uniforms_look_uniform():
    u = counter_uniforms(stream_key(1, "population"), np.arange(20_000), 17, 3).ravel()
    # Kolmogorov-Smirnov distance of 60,000 uniforms: below 0.01 with overwhelming odds.
    sorted_u = np.sort(u)
    ecdf = np.arange(1, u.size + 1) / u.size
    assert np.abs(ecdf - sorted_u).max() < 0.01
    # Consecutive slots are not correlated.
    grid = counter_uniforms(3, np.arange(20_000), 0, 1)[0]
    assert abs(np.corrcoef(grid[:-1], grid[1:])[0, 1]) < 0.03


# ---------------------------------------------------------------------- salts


def test_salts_do_not_collide():
    values = [int(salt) for salt in rng_mod.Salt]
    assert len(values) == len(set(values)), "two counter-draw salts are equal"
    mixing = {
        int(rng_mod._GOLDEN),
        int(rng_mod._MIX1),
        int(rng_mod._MIX2),
        int(rng_mod._MASK64),
        rng_mod._WEEK_MULT,
    }
    assert not set(values) & mixing, "a salt equals a key-mixing constant of rng.py"
    assert all(0 < v < 2**32 for v in values)


def test_every_salt_in_the_sim_is_named_in_the_table():
    """No hand-picked ``^ 0x...`` salt left outside ``Salt`` in the simulation code."""
    sim = Path(rng_mod.__file__).parent
    loose = [
        f"{path.name}: {line.strip()}"
        for path in sorted(sim.rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\^\s*0x[0-9A-Fa-f]+", line)
    ]
    assert not loose, f"salts outside rng.Salt: {loose}"
