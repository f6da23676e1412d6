"""Vectorised week against a plain per-agent Mesa week: how many times faster?

What it measures
----------------
The weekly loneliness-and-demand update of 5,000 residents, done two ways side by side
in one process, from the same inputs and the same random draws:

* **vectorised**: the model's own code on arrays, as ``NeighbourhoodModel.step`` calls
  it: the contagion exposure from ``TieTable.summarise`` (kept up to date
  incrementally: only the ties of residents whose lonely flag flipped are visited),
  ``loneliness.loneliness_target``, ``loneliness.update_score``, the lonely flag,
  ``services.support_share`` and ``services.weekly_demand``;
* **per-agent Mesa**: one ``mesa.Agent`` subclass per resident holding its attributes
  (age, lives_alone, need, trait, loneliness score, lonely flag, strong-tie count,
  group member flag, deprivation, and a list of ties to neighbour agents). Its
  ``step()`` loops over its ties for the contagion exposure, computes the target and
  the score exactly as ``loneliness_target`` and ``update_score`` do, sets the flag,
  and draws its GP, A&E, admission, talking-therapy and home-care demand as
  ``weekly_demand`` does (Poisson counts by inverse CDF of the same uniforms). Agents
  are scheduled the Mesa 3 way: ``model.agents.do("step")`` then
  ``model.agents.do("advance")`` (a synchronous update: everyone reads last week's
  lonely flags, as the vectorised week does), in slot order so each agent uses its own
  slot's draws.

Contagion follows the model: since commit b21390b the exposure is the number of a
resident's strong ties who are lonely (before it, the sum of strength x lonely over all
ties), and since b250fde a tie becomes strong at ``network.strong_threshold`` and stays
strong until ``STRONG_HYSTERESIS`` below it. Each agent's tie list holds
``[neighbour, strength, strong last week]`` and applies the same rule.

Both start from one ``NeighbourhoodModel``'s population and tie table after a few
weeks, so the inputs are realistic. Before timing, the script ASSERTS that the two give
the same results: loneliness scores allclose (in practice bit-identical), identical
lonely flags and identical demand counts; the timed weeks are checked again after.

Number-format note: the model keeps scores at float32. The vectorised side is fed
float64 copies of the resident arrays, so every step of its arithmetic is float64 as in
Python, and the agents round the target and the score to float32 where the model's
functions return float32. This makes the two bit-identical; it costs the vectorised side a little
(float64 arrays are twice as wide), so the ratio is if anything an underestimate.
Random draws are made before timing, for both sides alike.

Target: vectorised at least 100 x faster per week (PASS/FAIL printed).

Run::

    python benchmarks/bench_vs_mesa.py            # 5,000 residents, 12 timed weeks
    python benchmarks/bench_vs_mesa.py --quick    # 2,000 residents, 4 timed weeks
"""

from __future__ import annotations

import argparse
import copy
import math
import statistics
import sys
import time

import _common  # first: makes thriving importable from an uninstalled checkout
import mesa
import numpy as np

from thriving.config.schema import Scenario
from thriving.sim import health, loneliness, network, services
from thriving.sim.model import NeighbourhoodModel
from thriving.sim.services import MAX_EVENTS_PER_WEEK

TARGET_RATIO = 100.0
YOUNG_END = loneliness.YOUNG_EFFECT_ENDS_AT


def f32(x: float) -> float:
    """Round a Python float to float32 precision (the model's storage of scores)."""
    return float(np.float32(x))


def poisson_count(rate: float, u: float) -> int:
    """Poisson count by inverse CDF of one uniform (as services.poisson_from_uniform)."""
    u = min(u, 1.0 - 1e-12)  # as the model guards against u within rounding of 1
    p = math.exp(-rate)
    cdf = p
    k = 0
    while u >= cdf and k < MAX_EVENTS_PER_WEEK:
        k += 1
        p *= rate / k
        cdf += p
    return k


# ------------------------------------------------------------------ per-agent Mesa


class LonelyResident(mesa.Agent):
    """A resident as a plain Mesa agent: its own attributes and a list of ties."""

    def __init__(self, model: PerAgentModel, slot: int, **attrs):
        super().__init__(model)
        self.slot = slot
        self.age = attrs["age"]
        self.lives_alone = attrs["lives_alone"]
        self.need = attrs["need"]
        self.trait = attrs["trait"]
        self.score = attrs["score"]
        self.lonely = attrs["lonely"]
        self.strong_ties = attrs["strong_ties"]
        self.member = attrs["member"]
        self.deprivation = attrs["deprivation"]
        self.care_client = attrs["care_client"]
        self.gp_avoided = attrs["gp_avoided"]
        self.ae_multiplier = attrs["ae_multiplier"]
        self.admissions_multiplier = attrs["admissions_multiplier"]
        self.escalation_multiplier = attrs["escalation_multiplier"]
        self.ties: list[list] = []  # [neighbour, strength, strong last week]
        self.next_score = self.score
        self.next_lonely = self.lonely
        self.gp = self.ae = self.admissions = 0
        self.mental_health = False
        self.care_hours = 0.0

    def step(self) -> None:
        """This week's loneliness score, lonely flag and demand for services."""
        m = self.model
        lc = m.loneliness_cfg
        slot = self.slot

        # Loneliness target (as loneliness.loneliness_target); contagion from the strong
        # ties who are lonely (as TieTable.summarise counts them).
        lonely_strong_ties = 0
        for tie in self.ties:
            neighbour, strength, was_strong = tie
            # Strong from the threshold; once strong, until a margin below it.
            strong = strength >= m.strong_on or (was_strong and strength >= m.strong_off)
            tie[2] = strong
            if strong and neighbour.lonely:
                lonely_strong_ties += 1
        young = min(max((YOUNG_END - self.age) / (YOUNG_END - 18.0), 0.0), 1.0)
        missing_support = min(max(1.0 - self.strong_ties / lc.support_clique, 0.0), 1.0)
        target = f32(
            self.trait
            + lc.young_adult_effect * young
            + lc.living_alone_effect * self.lives_alone
            + lc.support_effect * missing_support
            - lc.participation_effect * self.member
            + lc.need_effect * self.need
            + lc.deprivation_effect * self.deprivation
            + lc.contagion_strength * lc.contagion_per_lonely_tie * lonely_strong_ties
        )
        # Mean-reverting score (as loneliness.update_score); the flag takes effect in
        # advance(), so every agent reads last week's flags of its ties.
        score = f32(self.score + m.k * (target - self.score) + m.sd * m.shocks[slot])
        lonely = score > lc.threshold
        self.next_score = score
        self.next_lonely = lonely

        # Demand (as services.weekly_demand).
        need = self.need
        gp, ae, adm, mh, sc = m.gp_cfg, m.ae_cfg, m.adm_cfg, m.mh_cfg, m.sc_cfg
        support = min(max(self.strong_ties / lc.support_clique, 0.0), 1.0)
        gp_rate = (
            gp.base_rate
            / 52.0
            * (1.0 + gp.need_slope * need)
            * (gp.lonely_rate_ratio if lonely else 1.0)
            * (1.0 - gp.informal_support_reduction * support)
        )
        gp_rate = max(gp_rate - self.gp_avoided, 0.3 * gp_rate)
        self.gp = poisson_count(gp_rate, m.u[0][slot])

        ae_rate = (
            ae.base_rate
            / 52.0
            * (1.0 + ae.need_slope * need)
            * (ae.lonely_rate_ratio if lonely else 1.0)
        )
        ae_rate = ae_rate + m.episode[slot] * ae.episode_attendance * self.escalation_multiplier
        self.ae = poisson_count(ae_rate * self.ae_multiplier, m.u[1][slot])

        adm_rate = (
            adm.base_rate
            / 52.0
            * (1.0 + adm.need_slope * need)
            * (adm.lonely_rate_ratio if lonely else 1.0)
            * self.escalation_multiplier
        )
        adm_rate = adm_rate + self.ae * adm.from_ae_share
        self.admissions = poisson_count(adm_rate * self.admissions_multiplier, m.u[2][slot])

        age = self.age
        if age <= 18.0:
            age_ratio = mh.young_adult_ratio
        elif age >= 80.0:
            age_ratio = 0.5
        else:
            age_ratio = m.mh_slope * (age - 18.0) + mh.young_adult_ratio
        mh_rate = mh.base_rate / 52.0 * age_ratio * (mh.lonely_rate_ratio if lonely else 1.0)
        self.mental_health = m.u[3][slot] < -math.expm1(-mh_rate)

        hours = sc.hours_at_eligibility + sc.hours_per_need * max(need - sc.eligibility_need, 0)
        hours = min(hours, sc.max_hours) * (1.0 - sc.informal_care_reduction * support)
        self.care_hours = f32(hours * self.care_client)

    def advance(self) -> None:
        """Make this week's score and flag visible to the others."""
        self.score = self.next_score
        self.lonely = self.next_lonely


class PerAgentModel(mesa.Model):
    """Residents as Mesa agents, built from the arrays of a NeighbourhoodModel."""

    def __init__(self, inputs: dict, scenario: Scenario, seed: int):
        super().__init__(rng=seed)
        lc = scenario.loneliness
        self.loneliness_cfg = lc
        sv = scenario.services
        self.gp_cfg, self.ae_cfg, self.adm_cfg = sv.gp, sv.ae, sv.admissions
        self.mh_cfg, self.sc_cfg = sv.mental_health, sv.social_care
        self.mh_slope = (0.5 - sv.mental_health.young_adult_ratio) / (80.0 - 18.0)
        # The model compares float32 strengths with the thresholds at float32.
        on = scenario.network.strong_threshold
        self.strong_on = float(np.float32(on))
        self.strong_off = float(np.float32(on - getattr(network, "STRONG_HYSTERESIS", 0.0)))
        k = min(1.0 / (52.0 * lc.persistence_years), 1.0)
        self.k = k
        self.sd = lc.noise_sd * math.sqrt(k * (2.0 - k))
        n = inputs["age"].size
        cols = {name: inputs[name].tolist() for name in AGENT_ATTRS}
        self.residents = [
            LonelyResident(self, i, **{name: cols[name][i] for name in AGENT_ATTRS})
            for i in range(n)
        ]
        cols = [inputs[c].tolist() for c in ("src", "dst", "strength", "strong")]
        # Each resident's ties: [neighbour, strength, strong last week].
        for a, b, w, strong in zip(*cols, strict=True):
            self.residents[a].ties.append([self.residents[b], w, strong])
            self.residents[b].ties.append([self.residents[a], w, strong])

    def step(self, draws: dict) -> None:
        """One week: hand out the week's draws, then step and advance every agent."""
        self.shocks = draws["shocks"].tolist()
        self.u = draws["u"].tolist()
        self.episode = draws["episode"].tolist()
        self.agents.do("step")
        self.agents.do("advance")

    def outputs(self) -> dict[str, np.ndarray]:
        """This week's results, as arrays in slot order (for checking, not timed)."""
        r = self.residents
        return {
            "score": np.array([a.score for a in r], np.float32),
            "lonely": np.array([a.lonely for a in r]),
            "gp": np.array([a.gp for a in r], np.int64),
            "ae": np.array([a.ae for a in r], np.int64),
            "admissions": np.array([a.admissions for a in r], np.int64),
            "mental_health": np.array([a.mental_health for a in r]),
            "care_hours": np.array([a.care_hours for a in r], np.float32),
        }


AGENT_ATTRS = (
    "age",
    "lives_alone",
    "need",
    "trait",
    "score",
    "lonely",
    "strong_ties",
    "member",
    "deprivation",
    "care_client",
    "gp_avoided",
    "ae_multiplier",
    "admissions_multiplier",
    "escalation_multiplier",
)


# ------------------------------------------------------------------ vectorised


class VectorisedWeek:
    """The same update with the model's own array functions."""

    def __init__(self, inputs: dict, model: NeighbourhoodModel, ties):
        self.scenario = model.settings
        self.ties = ties  # a TieTable: its incremental sums are part of the week
        self.inputs = inputs
        self.score = inputs["score"].copy()
        self.lonely = inputs["lonely"].copy()
        self.modifiers = services.DemandModifiers(
            inputs["gp_avoided"],
            inputs["ae_multiplier"],
            inputs["admissions_multiplier"],
            inputs["escalation_multiplier"],
        )
        self.demand: services.ResidentDemand | None = None
        #: Per week: seconds in the tie sums + target, the score, and the demand.
        self.phases: list[tuple[float, float, float]] = []

    def step(self, draws: dict) -> None:
        """One week for every resident."""
        s = self.scenario
        x = self.inputs
        t0 = time.perf_counter()
        summary = self.ties.summarise(
            self.lonely,
            x["member"],
            s.network.strong_threshold,
            s.groups.bridging_awareness_multiplier,
        )
        target = loneliness.loneliness_target(
            x["trait"],
            x["age"],
            x["lives_alone"],
            x["strong_ties"],
            x["member"],
            x["need"],
            x["deprivation"],
            summary.lonely_strong_ties.astype(np.float64),  # whole counts: exact
            s.loneliness,
        )
        t1 = time.perf_counter()
        score = loneliness.update_score(self.score, target, draws["shocks"], s.loneliness)
        self.lonely = score > s.loneliness.threshold
        t2 = time.perf_counter()
        support = services.support_share(x["strong_ties"], s.loneliness.support_clique)
        self.demand = services.weekly_demand(
            x["need"],
            x["age"],
            self.lonely,
            support,
            draws["episode"],
            x["care_client"],
            self.modifiers,
            s.services,
            draws["u"],
        )
        self.score = score.astype(np.float64)
        self.phases.append((t1 - t0, t2 - t1, time.perf_counter() - t2))

    def outputs(self) -> dict[str, np.ndarray]:
        """This week's results (for checking, not timed)."""
        d = self.demand
        return {
            "score": self.score.astype(np.float32),
            "lonely": self.lonely.copy(),
            "gp": d.gp.astype(np.int64),
            "ae": d.ae.astype(np.int64),
            "admissions": d.admissions.astype(np.int64),
            "mental_health": d.mental_health.copy(),
            "care_hours": d.care_hours.copy(),
        }


# ------------------------------------------------------------------ harness


def build_inputs(residents: int, warm_weeks: int, seed: int):
    """Run a real model a few weeks, then take its residents and live ties as inputs."""
    scenario = Scenario(
        name="bench_vs_mesa",
        population={"residents": residents},
        horizon={"years": 1, "burn_in_years": 1},
    )
    model = NeighbourhoodModel(scenario, seed=seed)
    for _ in range(warm_weeks):
        model.step()
    model.ties.merge()  # drop dead ties; everything in the sorted head
    pop = model.pop
    summary = model._summarise()
    t = model.ties
    live = t.alive
    f64 = np.float64
    inputs = {
        "age": pop.age.astype(f64),
        "lives_alone": pop.lives_alone.copy(),
        "need": pop.need.astype(f64),
        "trait": pop.loneliness_trait.astype(f64),
        "score": pop.loneliness.astype(f64),
        "lonely": pop.lonely.copy(),
        "strong_ties": summary.strong_ties.astype(f64),
        "member": pop.group >= 0,
        "deprivation": pop.deprivation.astype(f64),
        "care_client": pop.care_client.copy(),
        "gp_avoided": model.modifiers.gp_avoided_per_week.astype(f64),
        "ae_multiplier": model.modifiers.ae_multiplier.astype(f64),
        "admissions_multiplier": model.modifiers.admissions_multiplier.astype(f64),
        "escalation_multiplier": model.modifiers.escalation_multiplier.astype(f64),
        "src": t.src[live].astype(np.int64),
        "dst": t.dst[live].astype(np.int64),
        "strength": t.strength[live].astype(f64),
        # Strong status as the model last saw it (strong ties have hysteresis).
        "strong": getattr(t, "strong_seen", t.strength >= scenario.network.strong_threshold)[live],
    }
    return model, inputs


def make_draws(model: NeighbourhoodModel, weeks: int, seed: int) -> list[dict]:
    """The random draws of each week, shared by both versions."""
    rng = np.random.default_rng([seed, 0xBE7C])
    n = model.pop.size
    p_episode = health.episode_probability(model.pop.chronic_need, model.settings.health)
    out = []
    for _ in range(weeks):
        out.append(
            {
                "shocks": rng.standard_normal(n, dtype=np.float32),
                "u": rng.random((5, n), dtype=np.float32),
                "episode": rng.random(n, dtype=np.float32) < p_episode,
            }
        )
    return out


def check_same(vec: dict, agent: dict, week: int) -> float:
    """Assert both versions agree this week; return the largest score difference."""
    if not np.allclose(vec["score"], agent["score"], rtol=1e-6, atol=1e-6):
        bad = int(np.sum(~np.isclose(vec["score"], agent["score"], rtol=1e-6, atol=1e-6)))
        raise AssertionError(f"week {week}: loneliness scores differ for {bad} residents")
    for name in ("lonely", "gp", "ae", "admissions", "mental_health"):
        differ = np.flatnonzero(vec[name] != agent[name])
        if differ.size:
            i = differ[0]
            raise AssertionError(
                f"week {week}: {name} differs for {differ.size} residents "
                f"(slot {i}: vectorised {vec[name][i]}, per-agent {agent[name][i]})"
            )
    if not np.allclose(vec["care_hours"], agent["care_hours"], rtol=1e-6, atol=1e-6):
        raise AssertionError(f"week {week}: home-care hours differ")
    return float(np.max(np.abs(vec["score"] - agent["score"])))


def check_weeks(vec, agents, draws) -> float:
    """Step both versions week by week, asserting agreement; return the largest gap."""
    max_diff = 0.0
    for i, d in enumerate(draws):
        vec.step(d)
        agents.step(d)
        max_diff = max(max_diff, check_same(vec.outputs(), agents.outputs(), i))
    return max_diff


def timed_weeks(model_like, draws) -> tuple[list[float], list[dict]]:
    """Step one version through the weeks; per-week wall times and (untimed) outputs."""
    times, outputs = [], []
    for d in draws:
        t0 = time.perf_counter()
        model_like.step(d)
        times.append(time.perf_counter() - t0)
        outputs.append(model_like.outputs())
    return times, outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 residents, 4 timed weeks")
    parser.add_argument("--residents", type=int, default=None)
    parser.add_argument("--weeks", type=int, default=None, help="timed weeks")
    parser.add_argument("--check-weeks", type=int, default=3)
    parser.add_argument("--warm-weeks", type=int, default=8)
    parser.add_argument("--passes", type=int, default=5, help="timed passes (vectorised)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    residents = args.residents or (2_000 if args.quick else 5_000)
    weeks = args.weeks or (4 if args.quick else 12)

    print(
        f"bench_vs_mesa: model {_common.model_version()}; {_common.machine()}; "
        f"mesa {mesa.__version__}, numpy {np.__version__}"
    )
    t0 = time.perf_counter()
    model, inputs = build_inputs(residents, args.warm_weeks, args.seed)
    draws = make_draws(model, args.check_weeks + weeks, args.seed)
    agents = PerAgentModel(inputs, model.settings, args.seed)
    vec = VectorisedWeek(inputs, model, copy.deepcopy(model.ties))
    print(
        f"  inputs: {residents:,} residents and {inputs['src'].size:,} live ties of a "
        f"NeighbourhoodModel after {args.warm_weeks} weeks ({int(inputs['lonely'].sum())} "
        f"lonely); {len(agents.agents):,} Mesa agents; set up in "
        f"{time.perf_counter() - t0:.1f} s"
    )

    # 1. Check: the two versions must agree before anything is timed.
    gap = check_weeks(vec, agents, draws[: args.check_weeks])
    print(
        f"  check: {args.check_weeks} weeks agree: lonely flags and GP, A&E, admission and "
        f"talking-therapy counts identical; largest score difference {gap:.1e}"
    )

    # 2. Time each version over the same following weeks, from the same state.
    timed = draws[args.check_weeks :]
    scores, flags = vec.score.copy(), vec.lonely.copy()
    t_agent, out_agent = timed_weeks(agents, timed)
    t_vec, out_vec = [], None
    ties = copy.deepcopy(vec.ties)
    for _ in range(args.passes):
        vec.score, vec.lonely = scores.copy(), flags.copy()
        vec.ties = copy.deepcopy(ties)
        times, outputs = timed_weeks(vec, timed)
        t_vec += times
        out_vec = out_vec or outputs
    gap = max(check_same(a, b, w) for w, (a, b) in enumerate(zip(out_vec, out_agent, strict=True)))
    gp = sum(int(o["gp"].sum()) for o in out_agent)
    print(
        f"  timed: {weeks} weeks, results again identical (largest score difference "
        f"{gap:.1e}; {gp:,} GP appointments wanted)"
    )

    med_agent = statistics.median(t_agent)
    med_vec = statistics.median(t_vec)
    ratio = med_agent / med_vec
    print()
    print(
        f"  wall time per week (median over the timed weeks; vectorised over {args.passes} passes)"
    )
    print(
        f"    per-agent Mesa : {med_agent * 1e3:9.2f} ms   "
        f"({med_agent / residents * 1e6:.2f} us per resident)"
    )
    print(
        f"    vectorised     : {med_vec * 1e3:9.3f} ms   "
        f"({med_vec / residents * 1e9:.0f} ns per resident)"
    )
    phases = np.median(np.array(vec.phases[-len(timed) * args.passes :]), axis=0) * 1e3
    print(
        f"    vectorised, by part: tie sums (TieTable.summarise) + target {phases[0]:.3f} ms, "
        f"score and flag {phases[1]:.3f} ms, demand (weekly_demand) {phases[2]:.3f} ms"
    )
    print(f"    Mesa weeks, ms      : {', '.join(f'{t * 1e3:.1f}' for t in t_agent)}")
    print(f"    vectorised weeks, ms: {', '.join(f'{t * 1e3:.2f}' for t in t_vec[:weeks])}")
    print()
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"  ratio: vectorised is {ratio:,.0f}x faster (target >= {TARGET_RATIO:.0f}x)  {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
