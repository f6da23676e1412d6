"""The model's fast paths give exactly the numbers of the plain formulas they replace.

Each test writes out the plain version (as the model computed it before it was made
faster) and checks the fast one against it bit for bit, on random and edge inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thriving.config.schema import HealthConfig, LonelinessConfig, Scenario, ServicesConfig
from thriving.sim import groups, health, loneliness, network, rng, services
from thriving.sim.demography import AgeLookup
from thriving.sim.network import TieTable

generators = st.integers(0, 2**32 - 1).map(np.random.default_rng)


# ---------------------------------------------------------------------- services


def plain_poisson(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF Poisson counts walked for every resident (the plain version)."""
    rate = np.asarray(rate, np.float64)
    if u.dtype == np.float64:
        u = np.minimum(u, 1.0 - 1e-12)
    p = np.exp(-rate)
    cdf = p.copy()
    count = np.zeros(rate.shape, np.int16)
    active = np.flatnonzero(u >= cdf)
    k = 0
    while active.size and k < services.MAX_EVENTS_PER_WEEK:
        k += 1
        p[active] *= rate[active] / k
        cdf[active] += p[active]
        count[active] = k
        active = active[u[active] >= cdf[active]]
    return count


@settings(max_examples=60)
@given(generators, st.sampled_from(["small", "spread", "tiny", "large"]), st.booleans())
def test_poisson_skipping_zero_counts_changes_nothing(gen, kind, single):
    n = 500
    rate = {
        "small": gen.random(n) * 0.2,
        "spread": gen.exponential(2.0, n),
        "tiny": 10 ** gen.uniform(-18, 0, n),
        "large": gen.random(n) * 80,
    }[kind]
    u = gen.random(n).astype(np.float32) if single else gen.random(n)
    # Uniforms right at the first step of the CDF, where a careless shortcut would slip.
    near = gen.random(n) < 0.3
    u[near] = (np.exp(-rate[near]) * (1 + gen.normal(0, 1e-15, near.sum()))).astype(u.dtype)
    got = services.poisson_from_uniform(rate, u)
    assert got.dtype == np.int16
    np.testing.assert_array_equal(got, plain_poisson(rate, u))


def test_poisson_edge_rates_as_before():
    rate = np.array([0.0, 5e-324, 1e-300, 1e-17, 0.5, 1.0, 30.0, 500.0, np.inf, np.nan, -1.0])
    for u in (np.full(rate.size, 0.5), np.full(rate.size, np.nextafter(1.0, 0.0)), np.zeros(11)):
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(
                services.poisson_from_uniform(rate, u), plain_poisson(rate, u)
            )


def plain_weekly_demand(need, age, lonely, support, episode, care_client, mods, cfg, u):
    """services.weekly_demand written out as one formula per service (the plain version)."""
    gp_cfg, ae_cfg, adm_cfg, mh_cfg, sc = (
        cfg.gp,
        cfg.ae,
        cfg.admissions,
        cfg.mental_health,
        cfg.social_care,
    )
    gp_rate = (
        gp_cfg.base_rate
        / 52.0
        * (1.0 + gp_cfg.need_slope * need)
        * np.where(lonely, gp_cfg.lonely_rate_ratio, 1.0)
        * (1.0 - gp_cfg.informal_support_reduction * support)
    )
    gp_rate = np.maximum(gp_rate - mods.gp_avoided_per_week, 0.3 * gp_rate)
    gp = plain_poisson(gp_rate, u[0])
    ae_rate = (
        ae_cfg.base_rate
        / 52.0
        * (1.0 + ae_cfg.need_slope * need)
        * np.where(lonely, ae_cfg.lonely_rate_ratio, 1.0)
    )
    ae_rate = ae_rate + episode * ae_cfg.episode_attendance * mods.escalation_multiplier
    ae = plain_poisson(ae_rate * mods.ae_multiplier, u[1])
    adm_rate = (
        adm_cfg.base_rate
        / 52.0
        * (1.0 + adm_cfg.need_slope * need)
        * np.where(lonely, adm_cfg.lonely_rate_ratio, 1.0)
        * mods.escalation_multiplier
    )
    adm_rate = adm_rate + ae * adm_cfg.from_ae_share
    admissions = plain_poisson(adm_rate * mods.admissions_multiplier, u[2])
    age_ratio = mh_cfg.young_adult_ratio + (0.5 - mh_cfg.young_adult_ratio) * np.clip(
        (age - 18.0) / 62.0, 0.0, 1.0
    )
    mh_rate = mh_cfg.base_rate / 52.0 * age_ratio * np.where(lonely, mh_cfg.lonely_rate_ratio, 1.0)
    mental_health = u[3] < -np.expm1(-mh_rate)
    hours = sc.hours_at_eligibility + sc.hours_per_need * np.maximum(need - sc.eligibility_need, 0)
    hours = np.minimum(hours, sc.max_hours) * (1.0 - sc.informal_care_reduction * support)
    care_hours = (hours * care_client).astype(np.float32)
    return gp, ae, admissions, mental_health, care_hours


@settings(max_examples=30)
@given(generators, st.booleans(), st.floats(0.1, 40.0))
def test_weekly_demand_as_the_plain_formulas(gen, single, scale):
    n = 400
    f = np.float32 if single else np.float64
    need = (gen.exponential(1.0, n) * scale / 10).astype(f)
    age = gen.uniform(18, 100, n)
    lonely = gen.random(n) < 0.3
    support = np.clip(gen.random(n) * 1.5, 0, 1).astype(f)
    episode = gen.random(n) < 0.2
    care_client = gen.random(n) < 0.2
    mods = services.DemandModifiers.none(n)
    some = gen.random(n) < 0.3
    mods.gp_avoided_per_week[some] = gen.random(some.sum())
    mods.ae_multiplier[some] = gen.random(some.sum())
    mods.escalation_multiplier[~some] = gen.random((~some).sum())
    # Rates high enough that every branch (A&E, admissions, referrals) is exercised.
    cfg = ServicesConfig(
        ae={"base_rate": min(scale / 5, 5.0)},
        mental_health={"base_rate": min(scale / 4, 10.0)},
    )
    u = gen.random((5, n)).astype(np.float32)
    got = services.weekly_demand(need, age, lonely, support, episode, care_client, mods, cfg, u)
    plain = plain_weekly_demand(need, age, lonely, support, episode, care_client, mods, cfg, u)
    names = ("gp", "ae", "admissions", "mental_health", "care_hours")
    for name, want in zip(names, plain, strict=True):
        have = getattr(got, name)
        assert have.dtype == want.dtype, name
        np.testing.assert_array_equal(have, want, err_msg=name)


def test_demand_modifiers_reset_is_none():
    mods = services.DemandModifiers.none(5)
    mods.gp_avoided_per_week += 2.0
    mods.ae_multiplier *= 0.5
    mods.escalation_multiplier[1] = 0.0
    mods.reset()
    fresh = services.DemandModifiers.none(5)
    for name in ("gp_avoided_per_week", "ae_multiplier", "admissions_multiplier"):
        np.testing.assert_array_equal(getattr(mods, name), getattr(fresh, name))
    np.testing.assert_array_equal(mods.escalation_multiplier, fresh.escalation_multiplier)


# ---------------------------------------------------------------------- health


@given(generators)
def test_acute_need_sizes_only_for_episodes_as_before(gen):
    n = 300
    cfg = HealthConfig()
    acute = np.where(gen.random(n) < 0.5, 0.0, gen.exponential(1.0, n)).astype(np.float32)
    episode = gen.random(n) < 0.1
    u = gen.random(n).astype(np.float32)
    recovered = acute * np.float32(np.exp(-1.0 / cfg.episode_recovery_weeks))
    plain = (recovered + episode * (-cfg.episode_size * np.log1p(-u))).astype(np.float32)
    got = health.update_acute_need(acute, episode, u, cfg)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, plain)


@given(generators, st.sampled_from([np.float32, np.float64]))
def test_need_growth_and_loneliness_target_as_the_plain_formulas(gen, f):
    n = 300
    cfg, lcfg = HealthConfig(), LonelinessConfig()
    age = gen.uniform(18, 100, n).astype(f)
    frailty = gen.lognormal(0, 0.4, n).astype(np.float32)
    lonely, member = gen.random(n) < 0.3, gen.random(n) < 0.4
    slowing = np.where(gen.random(n) < 0.1, 0.3, 0.0).astype(np.float32)
    base = cfg.need_growth_at_50 * np.exp(cfg.need_growth_per_year_of_age * (age - 50.0))
    modifier = (1.0 + cfg.lonely_need_acceleration * lonely) * (
        1.0 - cfg.active_need_slowing * member
    )
    plain = (frailty * base / 52.0 * modifier * (1.0 - slowing)).astype(np.float32)
    got = health.chronic_need_growth(age, frailty, lonely, member, slowing, cfg)
    np.testing.assert_array_equal(got, plain)

    trait = gen.normal(0, 1, n).astype(np.float32)
    alone = gen.random(n) < 0.3
    strong = gen.integers(0, 8, n).astype(f)
    need = gen.exponential(1, n).astype(np.float32)
    dep = gen.random(n).astype(np.float32)
    lst = gen.integers(0, 3, n).astype(np.float32)
    young = np.clip((70.0 - age) / (70.0 - 18.0), 0.0, 1.0)
    missing = np.clip(1.0 - strong / lcfg.support_clique, 0.0, 1.0)
    plain = (
        trait
        + lcfg.young_adult_effect * young
        + lcfg.living_alone_effect * alone
        + lcfg.support_effect * missing
        - lcfg.participation_effect * member
        + lcfg.need_effect * need
        + lcfg.deprivation_effect * dep
        + lcfg.contagion_strength * lcfg.contagion_per_lonely_tie * lst
    ).astype(np.float32)
    got = loneliness.loneliness_target(trait, age, alone, strong, member, need, dep, lst, lcfg)
    np.testing.assert_array_equal(got, plain)


# ---------------------------------------------------------------------- random numbers


def plain_counter_uniforms(key, slots, week, n_draws):
    """Counter-based draws with masks after every step (the plain version)."""
    mask = np.uint64(0xFFFFFFFFFFFFFFFF)

    def splitmix(x):
        z = (x + np.uint64(0x9E3779B97F4A7C15)) & mask
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & mask
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & mask
        return z ^ (z >> np.uint64(31))

    slots = np.asarray(slots, dtype=np.uint64)
    week_mix = rng._splitmix64_int((int(week) * 0x632BE5AB) & 0xFFFFFFFFFFFFFFFF)
    base = np.uint64(rng._splitmix64_int((int(key) & 0xFFFFFFFFFFFFFFFF) ^ week_mix))
    draws = np.arange(n_draws, dtype=np.uint64)[:, None]
    with np.errstate(over="ignore"):
        counter = (slots[None, :] << np.uint64(16)) + draws
        mixed = splitmix(base ^ (counter * np.uint64(0x9E3779B97F4A7C15)))
    return (mixed >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


@given(
    st.integers(0, 2**64 - 1),
    st.lists(st.integers(0, 2**63 - 1), max_size=30),
    st.integers(0, 5000),
    st.integers(0, 80),
)
def test_counter_uniforms_as_before(key, slots, week, n_draws):
    slots = np.array(slots, np.int64)
    got = rng.counter_uniforms(key, slots, week, n_draws)
    np.testing.assert_array_equal(got, plain_counter_uniforms(key, slots, week, n_draws))


# ---------------------------------------------------------------------- network


def test_contact_limit_matches_the_float_comparison():
    # Every 16-bit draw against chances at and between the float32 steps.
    draws = np.arange(65536, dtype=np.uint16)[:, None]
    chance = np.concatenate(
        [
            np.linspace(0, 1, 257, dtype=np.float32),
            np.float32(1) / np.arange(1, 200, dtype=np.float32),
            np.array([0.0, 1e-9, 0.99999, 1.0, 1.3], np.float32),
        ]
    )
    same = np.arange(chance.size) % 3 == 0
    limit = network.contact_limit(chance, same, 0.3)
    p = chance + np.float32(0.3) * same
    plain = draws < np.minimum(p, 1.0) * np.float32(65536.0)
    np.testing.assert_array_equal(draws.astype(np.uint64) < limit, plain)


@given(
    st.lists(st.integers(-(2**62), 2**62), max_size=50), st.integers(0, 2**63), st.integers(0, 999)
)
def test_tie_draws_from_mixed_keys_as_before(keys, key, week):
    keys = np.array(keys, np.int64)
    salt = np.uint64((key ^ (week * 0x632BE59BD9B4E019)) & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        x = keys.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + salt
        x ^= x >> np.uint64(32)
        x *= np.uint64(0xD6E8FEB86659FD93)
    plain = (x >> np.uint64(48)).astype(np.uint16)
    np.testing.assert_array_equal(network.tie_week_uniform16(keys, key, week), plain)


@given(generators)
def test_insert_sorted_is_np_insert(gen):
    keys = np.unique(gen.integers(0, 500, gen.integers(0, 40)))
    index = gen.integers(0, 1000, keys.size)
    new = np.unique(gen.integers(0, 500, gen.integers(1, 20)))
    new = new[~np.isin(new, keys)]
    new_index = gen.integers(0, 1000, new.size)
    got_keys, got_index = network._insert_sorted(keys, index, new, new_index)
    at = np.searchsorted(keys, new)
    np.testing.assert_array_equal(got_keys, np.insert(keys, at, new))
    np.testing.assert_array_equal(got_index, np.insert(index, at, new_index))


@pytest.mark.parametrize("multiplier", [1.0, 1.5, 2.0, 3.0])
def test_tie_sums_added_at_once_equal_the_ordered_adds(multiplier, monkeypatch):
    """The one-scatter-per-sum path and the old ordered path give the same sums."""

    def run(exact: bool):
        if not exact:
            monkeypatch.setattr(network.sums, "_sums_exact", lambda *a: False)
        gen = np.random.default_rng(7)
        n = 60
        table = TieTable(n, np.sort(gen.integers(0, 3, n)).astype(np.int16))
        cfg = Scenario(name="t").network
        lonely = gen.random(n) < 0.3
        member = gen.random(n) < 0.4
        table.add(*gen.integers(0, n, (2, 300)), gen.random(300), gen.random(300))
        table.summarise(lonely, member, 0.5, multiplier)
        out = []
        for week in range(30):
            group = np.where(member, gen.integers(0, 3, n), -1).astype(np.int32)
            table.weekly_contact(group, cfg, 99, week)
            table.add(*gen.integers(0, n, (2, 8)), 0.25, gen.random(8))
            table.remove_residents(gen.choice(n, 2, replace=False))
            lonely ^= gen.random(n) < 0.1
            member ^= gen.random(n) < 0.1
            s = table.summarise(lonely, member, 0.5, multiplier)
            out.append(np.stack([s.ties, s.strong_ties, s.lonely_strong_ties, s.member_exposure]))
            if week % 7 == 6:
                table.merge()
        monkeypatch.undo()
        return np.stack(out)

    np.testing.assert_array_equal(run(True), run(False))


def test_sums_exact_rule():
    assert network._sums_exact(2.0, 8_000_000)  # 16 million units < 2**24
    assert network._sums_exact(1.25, 1_000_000)
    assert not network._sums_exact(2.0, 9_000_000)
    assert not network._sums_exact(1.3, 10)
    assert not network._sums_exact(1.0 + 2**-12, 10)


# ---------------------------------------------------------------------- groups, ages


@given(generators)
def test_member_counts_kept_by_joins_and_leaves_equal_a_recount(gen):
    table = groups.GroupTable()
    table.add(gen.integers(0, 4, 12), np.full(12, 30), week=0)
    member_group = np.where(gen.random(200) < 0.5, gen.integers(0, 12, 200), -1)
    table.count_members(member_group)
    for _ in range(5):
        leaving = (member_group >= 0) & (gen.random(200) < 0.2)
        table.add_members(member_group[leaving], -1)
        member_group[leaving] = -1
        joiners = np.flatnonzero((member_group < 0) & (gen.random(200) < 0.3))
        choice = np.where(gen.random(joiners.size) < 0.8, gen.integers(0, 12, joiners.size), -1)
        member_group[joiners] = choice
        table.add_members(choice, +1)
        recount = groups.GroupTable()
        recount.add(np.zeros(12, np.int64), np.full(12, 30), week=0)
        recount.count_members(member_group)
        np.testing.assert_array_equal(table.members, recount.members)


def test_age_lookup_index_then_values_is_the_lookup():
    lookup = AgeLookup(lambda a: np.sqrt(a))
    ages = np.array([10.0, 18.0, 18.1, 44.26, 104.99, 130.0])
    np.testing.assert_array_equal(lookup.at(lookup.grid_index(ages)), lookup(ages))


def test_weekly_move_probability_as_before():
    from thriving.config.wards import load_ward_table
    from thriving.sim.population import PopulationBuilder

    scenario = Scenario(name="t")
    wards = load_ward_table(scenario.population.wards_file)
    builder = PopulationBuilder(scenario, wards)
    gen = np.random.default_rng(3)
    ward = gen.integers(0, wards.n_wards, 400).astype(np.int16)
    age = gen.uniform(17, 110, 400)
    year = np.clip(age.astype(np.int64) - 18, 0, 86)
    plain = -np.log1p(-builder.move_rate[ward, year]) / 52.0
    np.testing.assert_array_equal(builder.weekly_move_probability(ward, age), plain)
    other = gen.integers(0, wards.n_wards, 400).astype(np.int16)  # a new ward array
    year = np.clip(age.astype(np.int64) - 18, 0, 86)
    np.testing.assert_array_equal(
        builder.weekly_move_probability(other, age),
        -np.log1p(-builder.move_rate[other, year]) / 52.0,
    )
