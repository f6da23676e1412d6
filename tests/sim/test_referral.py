"""Who GPs refer to social prescribing (thriving.sim.levers.SocialPrescribing)."""

from __future__ import annotations

import numpy as np
import pytest

from thriving.config.schema import Scenario
from thriving.sim.levers import SocialPrescribing
from thriving.sim.model import NeighbourhoodModel

RESIDENTS = 2_000


def scenario(targeting: str = "consultations", years: int = 1, **extra) -> Scenario:
    extra = {"budget_per_year": 2_000_000, **extra}
    return Scenario(
        name="test",
        population={"residents": RESIDENTS},
        horizon={"years": years, "burn_in_years": 0},
        investments=[
            {
                "lever": "social_prescribing",
                "start_year": 1,
                "end_year": years,
                "wards": "all",
                "targeting": targeting,
                **extra,
            }
        ],
    )


def lever_of(model: NeighbourhoodModel) -> SocialPrescribing:
    (sp,) = [lever for lever in model.levers if isinstance(lever, SocialPrescribing)]
    return sp


def picks(model: NeighbourhoodModel, weeks: range, k: int) -> np.ndarray:
    """How often each resident is picked, one draw of k a week (pop state held fixed)."""
    sp = lever_of(model)
    eligible = np.arange(model.pop.size)
    counts = np.zeros(model.pop.size)
    for week in weeks:
        counts[sp._referred_in_consultations(model._lever_view(week), eligible, week, k)] += 1
    return counts


def test_chance_of_referral_is_proportional_to_gp_appointments_and_higher_if_lonely():
    model = NeighbourhoodModel(scenario(referral_lonely_odds_ratio=2.0), seed=3)
    pop = model.pop
    n = pop.size
    group = np.arange(n) % 4  # 0: 1 a year, 1: 3 a year, 2: 1 a year lonely, 3: 3 lonely
    pop.gp_recent[:] = np.where(group % 2 == 1, 3.0, 1.0) / 52.0
    pop.lonely[:] = group >= 2
    counts = picks(model, range(2_000), k=1)
    weight = np.array([1.0, 3.0, 2.0, 6.0])
    expected = weight / weight.sum()
    share = np.bincount(group, weights=counts, minlength=4) / counts.sum()
    # 2,000 draws: each share within about 3 standard errors.
    assert share == pytest.approx(expected, abs=3 * np.sqrt(0.25 / 2_000))


def with_gp_use(model: NeighbourhoodModel) -> NeighbourhoodModel:
    """Give every resident some recent GP use (none is recorded before the first week)."""
    n = model.pop.size
    model.pop.gp_recent[:] = np.random.default_rng(0).gamma(2.0, 3.0, n) / 52.0
    model.pop.gp_recent[::10] = 0.0  # some not seen lately: never referred
    return model


def test_drawn_without_replacement_and_the_same_whatever_the_scenario():
    model = with_gp_use(NeighbourhoodModel(scenario(), seed=5))
    sp = lever_of(model)
    eligible = np.flatnonzero(model.pop.gp_recent > 0)
    chosen = sp._referred_in_consultations(model, eligible, 7, 50)
    assert np.unique(chosen).size == 50 and np.isin(chosen, eligible).all()
    # Another model with the same seed and state draws the same residents (common random
    # numbers: the keys are addressed by resident slot and week, not by a shared stream).
    other = with_gp_use(NeighbourhoodModel(scenario(budget_per_year=500_000), seed=5))
    again = lever_of(other)._referred_in_consultations(other, eligible, 7, 50)
    assert np.array_equal(np.sort(chosen), np.sort(again))


def test_frequent_attender_targeting_refers_the_highest_users_first():
    model = with_gp_use(NeighbourhoodModel(scenario(), seed=2))
    pop = model.pop
    eligible = np.flatnonzero(pop.gp_recent > 0)
    chosen = SocialPrescribing._most_frequent_attenders(pop, eligible, 20)
    score = pop.gp_recent * 52.0 + 4.0 * pop.lonely + pop.chronic_need + pop.acute_need
    rest = np.setdiff1d(eligible, chosen)
    assert score[chosen].min() >= score[rest].max()


def referred_cohort(targeting: str) -> dict[str, np.ndarray]:
    """Age and GP use at referral, and death within a year, over a 3-year programme."""
    model = NeighbourhoodModel(scenario(targeting, years=3, budget_per_year=6_000_000), seed=11)
    ages, gp, slots, weeks, occupants = [], [], [], [], []
    record = model.record_referrals

    def keep(referred, week, took_up, engaged):
        ages.append(model.pop.age[referred].copy())
        gp.append(model.pop.gp_recent[referred] * 52.0)
        slots.append(referred.copy())
        weeks.append(np.full(referred.size, week))
        occupants.append(model.pop.occupant[referred].copy())
        record(referred, week, took_up, engaged)

    model.record_referrals = keep
    deaths_by_week = {}
    ward_sum = model._ward_sum

    def count_deaths(values):
        if values.dtype == bool and values.size == model.pop.size:
            deaths_by_week[model.week] = values.copy()
        return ward_sum(values)

    model._ward_sum = count_deaths
    occupant_at = {}
    for _ in range(model.settings.weeks):
        model.step()
        occupant_at[model.week] = model.pop.occupant.copy()
    slots, weeks, occupants = map(np.concatenate, (slots, weeks, occupants))
    followed = weeks + 52 < model.week
    died = np.zeros(slots.size, bool)
    for i in np.flatnonzero(followed):
        for week in range(weeks[i], weeks[i] + 52):
            if occupant_at[week + 1][slots[i]] != occupants[i]:  # the slot changed hands
                died[i] = deaths_by_week[week][slots[i]]
                break
    return {
        "age": np.concatenate(ages)[followed],
        "gp_per_year": np.concatenate(gp)[followed],
        "died_within_a_year": died[followed],
    }


def test_referred_under_consultations_are_a_broad_group_and_mostly_survive_the_year():
    cohort = referred_cohort("consultations")
    assert cohort["age"].size > 200
    # Social prescribing reaches all ages (the national roll-out), not only the very old
    # and ill: the people referred are middle-aged at the median and few die in a year.
    assert 45 < np.median(cohort["age"]) < 70
    assert cohort["died_within_a_year"].mean() < 0.08
    # They use their practice more than the average adult (under 6 a year).
    assert np.mean(cohort["gp_per_year"]) > 7


def test_frequent_attender_targeting_reaches_older_higher_users():
    broad = referred_cohort("consultations")
    targeted = referred_cohort("frequent_attenders")
    assert np.median(targeted["age"]) > np.median(broad["age"]) + 15
    assert np.mean(targeted["gp_per_year"]) > 1.5 * np.mean(broad["gp_per_year"])
    assert targeted["died_within_a_year"].mean() > broad["died_within_a_year"].mean()
