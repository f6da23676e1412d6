"""Clustering of loneliness by network distance and tie type (sim.loneliness_clustering)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thriving.sim.loneliness_clustering import (
    adjacency,
    direct_ties,
    ego_counts,
    loneliness_clustering,
)


def random_graph(n: int, mean_degree: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    g = nx.fast_gnp_random_graph(n, mean_degree / (n - 1), seed=seed)
    edges = np.array(g.edges(), dtype=np.int64).reshape(-1, 2)
    return edges[:, 0], edges[:, 1]


def test_expected_is_what_explicit_shuffles_give():
    # (m - 1) / (n - 1) is the shuffled network's P(alter lonely | ego lonely) at any
    # distance, whatever the topology: check it against shuffles on a lumpy graph.
    rng = np.random.default_rng(3)
    n = 400
    src, dst = random_graph(n, 4, seed=3)
    hubs = rng.choice(n, 10, replace=False)  # a few hubs make degrees unequal
    src = np.concatenate([src, np.repeat(hubs, 30)])
    dst = np.concatenate([dst, rng.choice(n, 300)])
    keep = src != dst
    src, dst = src[keep], dst[keep]
    lonely = np.zeros(n, bool)
    lonely[rng.choice(n, 60, replace=False)] = True
    c = loneliness_clustering(lonely, src, dst, np.random.default_rng(0), max_distance=3)
    a = adjacency(n, src, dst)
    shuffled = []
    for _ in range(300):
        perm = rng.permutation(lonely)
        egos = np.flatnonzero(perm)
        alters, lonely_alters = ego_counts(a, egos, perm, np.arange(1, 4))
        shuffled.append(lonely_alters.sum(axis=0) / alters.sum(axis=0))
    mean = np.mean(shuffled, axis=0)
    assert c.expected == pytest.approx(59 / 399)
    assert mean == pytest.approx(np.full(3, c.expected), abs=0.006)


def test_loneliness_placed_at_random_shows_no_excess():
    rng = np.random.default_rng(5)
    n = 3_000
    src, dst = random_graph(n, 8, seed=5)
    lonely = rng.random(n) < 0.1
    c = loneliness_clustering(lonely, src, dst, np.random.default_rng(1), max_distance=3)
    for lo, hi in c.interval:
        assert lo <= c.expected <= hi
    assert np.abs(c.excess).max() < 0.15


def test_loneliness_shared_within_communities_clusters_and_fades_with_distance():
    # Communities of 30 residents, densely tied inside and thinly between, with
    # loneliness far more common in some communities: lonely egos' near alters are
    # lonely more often than chance, and the excess falls with distance.
    rng = np.random.default_rng(7)
    sizes = [30] * 60
    p_in, p_out = 0.25, 0.002
    probs = np.full((60, 60), p_out)
    np.fill_diagonal(probs, p_in)
    g = nx.stochastic_block_model(sizes, probs.tolist(), seed=7)
    edges = np.array(g.edges(), dtype=np.int64)
    community = np.repeat(np.arange(60), 30)
    risk = np.where(rng.random(60) < 0.2, 0.4, 0.03)[community]
    lonely = rng.random(community.size) < risk
    c = loneliness_clustering(lonely, edges[:, 0], edges[:, 1], np.random.default_rng(2))
    assert c.interval[0, 0] > c.expected  # d = 1 clearly above chance
    assert c.excess[0] > 1.0
    # Beyond the community (d >= 3 mostly leaves it) the excess is gone.
    assert c.excess[0] > c.excess[2] + 0.5
    assert np.abs(c.excess[2:]).max() < 0.3


def test_lonely_residents_with_fewer_ties_give_a_deficit_beyond_their_direct_ties():
    # The finding: lonely residents have fewer ties, so the alters a lonely ego
    # reaches at d >= 2 are mostly well-connected (rarely lonely) residents.
    rng = np.random.default_rng(11)
    n = 2_000
    weight = np.where(rng.random(n) < 0.1, 0.3, 1.0)  # the lonely tenth have few ties
    lonely = weight < 1.0
    g = nx.expected_degree_graph(weight * 10.0, seed=11, selfloops=False)
    edges = np.array(g.edges(), dtype=np.int64)
    c = loneliness_clustering(lonely, edges[:, 0], edges[:, 1], np.random.default_rng(3))
    assert c.interval[1, 1] < c.expected  # d = 2 clearly below chance


def test_by_tie_type_tells_ties_that_carry_loneliness_from_those_that_do_not():
    lonely = np.array([1, 1, 0, 0, 1, 0, 1, 0], bool)
    # type 0 ties join lonely to lonely; type 1 ties join lonely to not lonely.
    src = np.array([0, 4, 0, 1, 4, 6])
    dst = np.array([1, 6, 2, 3, 5, 7])
    kind = np.array([0, 0, 1, 1, 1, 1])
    c = loneliness_clustering(
        lonely, src, dst, np.random.default_rng(0), kind, ("household", "friend")
    )
    assert c.by_tie_type["household"] == (1.0, 4)
    assert c.by_tie_type["friend"] == (0.0, 4)
    assert c.excess_by_tie_type()["household"] == pytest.approx(1.0 / (3 / 7) - 1.0)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 25),
    p=st.floats(0.05, 0.6),
    seed=st.integers(0, 10_000),
)
def test_counts_match_networkx_shortest_paths(n, p, seed):
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p, seed=seed)
    edges = np.array(g.edges(), dtype=np.int64).reshape(-1, 2)
    lonely = rng.random(n) < 0.5
    egos = np.flatnonzero(lonely)
    distances = np.arange(1, 6)
    alters, lonely_alters = ego_counts(
        adjacency(n, edges[:, 0], edges[:, 1]), egos, lonely, distances
    )
    for i, ego in enumerate(egos):
        lengths = nx.single_source_shortest_path_length(g, int(ego), cutoff=5)
        for j, d in enumerate(distances):
            at_d = [v for v, k in lengths.items() if k == d]
            assert alters[i, j] == len(at_d)
            assert lonely_alters[i, j] == sum(lonely[v] for v in at_d)
    c = loneliness_clustering(lonely, edges[:, 0], edges[:, 1], rng)
    finite = np.isfinite(c.observed)
    assert ((c.observed[finite] >= 0) & (c.observed[finite] <= 1)).all()


def test_direct_ties_count_each_tie_both_ways():
    lonely = np.array([True, True, False])
    assert direct_ties(lonely, np.array([0]), np.array([1])) == (1.0, 2)
    assert direct_ties(lonely, np.array([0]), np.array([2])) == (0.0, 1)
    assert direct_ties(~lonely | True, np.array([], np.int64), np.array([], np.int64))[1] == 0
