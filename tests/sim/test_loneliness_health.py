"""Loneliness score and target; need, episodes and mortality (thriving.sim.loneliness, .health)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from thriving.config.schema import HealthConfig, LonelinessConfig
from thriving.sim import health, loneliness

generators = st.integers(0, 2**32 - 1).map(np.random.default_rng)
N = 7


def target(cfg: LonelinessConfig | None = None, **changes) -> np.ndarray:
    """Loneliness targets of N residents, all aged 40 with no ties, unless changed."""
    args = dict(
        trait=np.zeros(N),
        age=np.full(N, 40.0),
        lives_alone=np.zeros(N, bool),
        strong_ties=np.zeros(N),
        member=np.zeros(N, bool),
        need=np.zeros(N),
        deprivation=np.full(N, 0.5),
        lonely_strong_ties=np.zeros(N),
    )
    args.update(changes)
    return loneliness.loneliness_target(**args, cfg=cfg or LonelinessConfig())


# ---------------------------------------------------------------------- target


def test_target_falls_with_strong_ties_until_a_full_clique():
    cfg = LonelinessConfig()
    ties = np.array([0.0, 1.0, 2.0, 3.0, cfg.support_clique, cfg.support_clique + 5, 50.0])
    t = target(cfg, strong_ties=ties)
    assert (np.diff(t[:5]) < 0).all()
    assert t[4] == t[5] == t[6]  # beyond a full support clique, more ties do not help


def test_target_higher_living_alone():
    t = target(lives_alone=np.arange(N) % 2 == 1)
    assert (t[1::2] > t[0]).all()
    assert t[1::2].max() - t[0] == pytest.approx(LonelinessConfig().living_alone_effect, rel=1e-6)


@pytest.mark.parametrize("contagion_strength", [0.0, 1.0, 3.0])
def test_target_monotone_in_contagion(contagion_strength):
    cfg = LonelinessConfig(contagion_strength=contagion_strength)
    t = target(cfg, lonely_strong_ties=np.arange(N, dtype=float))
    if contagion_strength == 0:
        assert (t == t[0]).all()  # no contagion: lonely friends make no difference
    else:
        assert (np.diff(t) > 0).all()


def test_target_lower_for_members_and_higher_with_need():
    member = target(member=np.ones(N, bool))
    assert (member < target()).all()
    needy = target(need=np.arange(N, dtype=float))
    assert (np.diff(needy) > 0).all()


def test_target_young_adult_excess_fades_by_70():
    t = target(age=np.array([18.0, 30.0, 50.0, 69.0, 70.0, 85.0, 104.0]))
    assert (np.diff(t[:5]) < 0).all()
    assert t[4] == t[5] == t[6]


@given(generators)
def test_target_float32_and_finite(rng):
    n = 100
    t = loneliness.loneliness_target(
        rng.normal(0, 1, n),
        rng.uniform(18, 105, n),
        rng.random(n) < 0.5,
        rng.integers(0, 20, n).astype(float),
        rng.random(n) < 0.5,
        rng.exponential(1, n),
        rng.random(n),
        rng.integers(0, 5, n).astype(float),
        LonelinessConfig(),
    )
    assert t.dtype == np.float32
    assert np.isfinite(t).all()


# ---------------------------------------------------------------------- score


@pytest.mark.parametrize("persistence_years", [0.06, 0.5, 2.0, 10.0])
def test_update_score_converges_to_target_without_noise(persistence_years):
    cfg = LonelinessConfig(noise_sd=0.0, persistence_years=persistence_years)
    score = np.array([-3.0, 0.0, 5.0], np.float32)
    goal = np.array([1.0, 1.0, -1.0], np.float32)
    gap = np.abs(score - goal)
    for _ in range(int(52 * persistence_years * 12)):
        new = loneliness.update_score(score, goal, np.ones(3, np.float32), cfg)
        assert (np.abs(new - goal) <= gap + 1e-6).all()  # never moves away
        score, gap = new, np.abs(new - goal)
    np.testing.assert_allclose(score, goal, atol=1e-4)


def test_update_score_fixed_point_and_noise_scale(rng):
    cfg = LonelinessConfig(persistence_years=0.5)
    goal = np.zeros(200_000, np.float32)
    still = loneliness.update_score(goal, goal, np.zeros_like(goal), cfg)
    np.testing.assert_array_equal(still, goal)
    # The long-run spread around the target is noise_sd, whatever the persistence.
    score = goal.copy()
    for _ in range(300):
        score = loneliness.update_score(score, goal, rng.standard_normal(goal.size), cfg)
    assert score.std() == pytest.approx(cfg.noise_sd, rel=0.02)


# ---------------------------------------------------------------------- health


@given(hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(0, 1e4)))
def test_episode_probability_in_unit_interval_and_rising(need):
    p = health.episode_probability(np.sort(need), HealthConfig())
    assert ((p >= 0) & (p <= 1)).all()
    assert (np.diff(p) >= 0).all()


@pytest.mark.parametrize("episode_rate", [0.0, 0.6, 52.0])
def test_episode_probability_edges(episode_rate):
    cfg = HealthConfig(episode_rate=episode_rate)
    p = health.episode_probability(np.array([0.0, 1.0, 100.0]), cfg)
    if episode_rate == 0:
        assert (p == 0).all()
    assert ((p >= 0) & (p <= 1)).all()


@pytest.mark.parametrize("recovery_weeks", [0.5, 6.0, 100.0])
def test_acute_need_decays_without_episodes(recovery_weeks):
    cfg = HealthConfig(episode_recovery_weeks=recovery_weeks)
    acute = np.array([0.0, 0.5, 3.0], np.float32)
    none = np.zeros(3, bool)
    for _ in range(10):
        nxt = health.update_acute_need(acute, none, np.full(3, 0.9, np.float32), cfg)
        assert nxt[0] == 0
        assert (nxt[1:] < acute[1:]).all() and (nxt >= 0).all()
        acute = nxt
    np.testing.assert_allclose(
        acute[1:], np.array([0.5, 3.0]) * np.exp(-10 / recovery_weeks), rtol=1e-4
    )


def test_episodes_add_exponential_need(rng):
    cfg = HealthConfig()
    n = 200_000
    acute = health.update_acute_need(
        np.zeros(n, np.float32), np.ones(n, bool), rng.random(n).astype(np.float32), cfg
    )
    assert (acute >= 0).all()
    assert acute.mean() == pytest.approx(cfg.episode_size, rel=0.02)


def test_chronic_need_growth_modifiers():
    cfg = HealthConfig()
    age = np.full(4, 60.0)
    frailty = np.ones(4)
    lonely = np.array([False, True, False, False])
    member = np.array([False, False, True, False])
    slowing = np.array([0.0, 0.0, 0.0, 1.0])
    g = health.chronic_need_growth(age, frailty, lonely, member, slowing, cfg)
    assert g[1] > g[0] > g[2] > g[3] == 0.0
    older = health.chronic_need_growth(age + 10, frailty, lonely, member, slowing, cfg)
    assert (older[:3] > g[:3]).all()


def test_mortality_relative_risk_ordering():
    cfg = HealthConfig()
    rr = health.mortality_relative_risk
    none = np.zeros(1, bool)
    yes = np.ones(1, bool)
    base = rr(np.zeros(1), none, none, cfg)[0]
    assert base == 1.0
    lonely = rr(np.zeros(1), yes, none, cfg)[0]
    isolated = rr(np.zeros(1), none, yes, cfg)[0]
    both = rr(np.zeros(1), yes, yes, cfg)[0]
    assert 1.0 <= lonely <= both and 1.0 <= isolated <= both
    assert lonely == pytest.approx(cfg.mortality_lonely_hr)
    assert both == pytest.approx(cfg.mortality_lonely_hr * cfg.mortality_isolated_hr)
    need = rr(np.linspace(0, 10, 21), np.zeros(21, bool), np.zeros(21, bool), cfg)
    assert (need >= 1.0).all() and (np.diff(need) >= 0).all()
    assert need[-1] == pytest.approx(cfg.mortality_need_hr**6)  # excess need capped at 6


def test_mortality_relative_risk_unity_hazard_ratios():
    cfg = HealthConfig(mortality_need_hr=1, mortality_lonely_hr=1, mortality_isolated_hr=1)
    rr = health.mortality_relative_risk(
        np.array([-5.0, 0.0, 9.0]), np.array([True, False, True]), np.ones(3, bool), cfg
    )
    np.testing.assert_array_equal(rr, 1.0)


@given(
    hnp.arrays(np.float64, 20, elements=st.floats(0, 1)),
    hnp.arrays(np.float64, 20, elements=st.floats(0.1, 10)),
)
def test_weekly_death_probability_bounded(hazard, rr):
    p = health.weekly_death_probability(hazard, rr, np.ones(20))
    assert ((p >= 0) & (p <= 1)).all()
    assert (health.weekly_death_probability(hazard, rr * 2, np.ones(20)) >= p).all()


def test_base_weekly_hazard_rises_with_age():
    h = health.base_weekly_hazard(np.linspace(18, 104, 200))
    assert (h > 0).all() and (np.diff(h) >= 0).all()
