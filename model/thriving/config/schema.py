"""The scenario schema: every parameter of the model, its default, range, unit and source.

This module is the single place where defaults live. Each field carries, besides pydantic's
validation bounds (what the model can run), metadata used by ``docs/parameters.md``:

* ``unit`` -- in the analysts' language (appointments per adult per year, £ per year);
* ``plausible`` -- the range the evidence supports, for sensitivity sweeps;
* ``source`` -- where the default comes from: the publication itself (authors, year,
  title, table); ``"calibrated"`` means fitted to the calibration table in
  ``docs/calibration.md``; ``"illustrative"`` means a judgement with no published anchor;
* ``confidence`` -- ``high``, ``medium`` or ``low``.

The seed is not part of a scenario: ``run(scenario, seed)`` keeps the scenario (what we
believe and what we do) apart from the replicate (chance).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

LEVERS = (
    "community_grants",
    "social_prescribing",
    "community_connectors",
    "neighbourhood_teams",
    "access",
    "closures",
)

MAX_RESIDENTS = 5_000_000
MAX_BUDGET_GBP = 1e10  # £10bn a year: far beyond any council, catches typos in zeros


def param(
    default: Any,
    *,
    unit: str,
    description: str,
    source: str,
    confidence: Literal["high", "medium", "low"],
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    plausible: tuple[float, float] | None = None,
) -> Any:
    """Declare a model parameter with its documentation metadata.

    Parameters
    ----------
    default
        The default value.
    unit
        Unit in plain English.
    description
        What the parameter means, one sentence.
    source
        Where the default comes from.
    confidence
        How much the default can be trusted.
    ge, le, gt, lt
        Validation bounds: values outside cannot be run.
    plausible
        Range supported by the evidence, used for sensitivity sweeps.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source, "confidence": confidence}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        # Only numbers can be infinite or NaN (the check fails on a text choice).
        allow_inf_nan=None if isinstance(default, str) else False,
        json_schema_extra=extra,
    )


def _a_number(kind: str):
    """A before-validator: refuse ``true``/``false`` and text where a number is expected.

    pydantic's lax mode would read ``true`` as 1 (a budget of £1) and the text
    ``"300000"`` as a number; an analyst who wrote either meant something else, so both
    are refused with pydantic's own error types (worded in ``config/scenario.py``). A
    whole number written as 2e4 is still read as 20,000.
    """

    def check(value: Any) -> Any:
        if isinstance(value, bool | str):
            raise PydanticCustomError(kind, "Input should be a valid number")
        return value

    return BeforeValidator(check)


#: A number in a scenario: int or float, never true/false or text.
Number = Annotated[float, _a_number("float_type")]
#: A whole number in a scenario (a float with no fraction, such as 2e4, is accepted).
Whole = Annotated[int, _a_number("int_type")]


class Strict(BaseModel):
    """Base for every block: unknown keys are errors, values are frozen, NaN refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------
# Population and horizon
# --------------------------------------------------------------------------------------


class PopulationConfig(Strict):
    """Who lives in the borough."""

    residents: Whole = param(
        185_000,
        ge=100,
        le=MAX_RESIDENTS,
        unit="adults",
        description="Adults simulated, shared among wards in proportion to the ward "
        "table's adult counts. Fewer than the table's adults simulates a representative "
        "sample: budgets are scaled down to the sample and counts and costs scaled back "
        "up to the borough, so results are comparable at any size (only noise differs).",
        source="ONS Census 2021 via Oldham Council, Census 2021: first output (242,100 "
        "people); about 185,000 adults, derived from the Census age profile",
        confidence="medium",
    )
    wards_file: str | None = Field(
        None,
        description="CSV ward table (ward, adults, deprivation, share_65_plus, "
        "share_living_alone, source), relative to the scenario file. Empty means the "
        "Oldham-like table shipped with Thriving.",
    )
    moves_per_year: Number = param(
        0.04,
        ge=0,
        le=0.5,
        unit="share of adults per year",
        description="Residents moving out of the borough each year (slot taken by an "
        "in-mover, ties end). Scaled by age: highest among young adults.",
        source="illustrative (internal migration churn of a few % a year)",
        confidence="low",
        plausible=(0.0, 0.08),
    )
    partner_max_age_gap: Number = param(
        10.0,
        ge=1,
        le=40,
        unit="years",
        description="Largest age gap between residents who move in together, and between "
        "an in-mover and the household they join. Rates of moving in together and of "
        "separating are derived so that each age keeps its census share living alone.",
        source="illustrative (most couples are within a few years of each other)",
        confidence="medium",
        plausible=(5.0, 20.0),
    )


class HorizonConfig(Strict):
    """How long to simulate."""

    years: Whole = param(
        10,
        ge=1,
        le=50,
        unit="years",
        description="Years simulated after burn-in; investment years count from here.",
        source="a judgement: the ten-year horizon of council medium-term plans and of "
        "HM Treasury Green Book appraisals of community programmes",
        confidence="high",
    )
    burn_in_years: Whole = param(
        2,
        ge=0,
        le=20,
        unit="years",
        description="Years run first, not reported, so ties, groups and need settle.",
        source="a judgement: long enough for ties, groups and households to settle (see "
        "docs/odd.md, initialisation)",
        confidence="high",
    )


# --------------------------------------------------------------------------------------
# Behaviour: loneliness, network, groups, health
# --------------------------------------------------------------------------------------


class LonelinessConfig(Strict):
    """A continuous loneliness score with a threshold for 'often/always lonely'.

    The score follows a mean-reverting process towards a resident's own target, set by
    living alone, support from strong ties, group participation, need, age and ward
    deprivation, plus (optionally) the loneliness of their ties.
    """

    threshold: Number = param(
        2.17,
        unit="score (standard deviations)",
        description="Score above which a resident reports being lonely often/always.",
        source="calibrated: 6 % lonely often/always (ONS 2016-18)",
        confidence="high",
        ge=0,
        le=5,
    )
    persistence_years: Number = param(
        2.0,
        gt=0.05,
        le=20,
        unit="years",
        description="Time constant of the score's return towards its target.",
        source="Hill et al. 2010 SISa: discontent lasts about 5 years; illustrative 2",
        confidence="low",
        plausible=(0.5, 5.0),
    )
    noise_sd: Number = param(
        0.55,
        ge=0,
        le=3,
        unit="score",
        description="Long-run spread of week-to-week life events around the target.",
        source="calibrated",
        confidence="medium",
    )
    trait_sd: Number = param(
        0.55,
        ge=0,
        le=3,
        unit="score",
        description="Spread of a resident's lifelong disposition to loneliness.",
        source="calibrated",
        confidence="medium",
    )
    young_adult_effect: Number = param(
        1.0,
        ge=-3,
        le=3,
        unit="score at age 18, falling linearly to 0 at 70",
        description="Extra loneliness of young adults (ONS: 16-24s about 3x the 75+ rate).",
        source="calibrated: ONS 2018 ratio 18-24 / 75+ of about 3",
        confidence="medium",
    )
    living_alone_effect: Number = param(
        0.35,
        ge=-3,
        le=3,
        unit="score",
        description="Shift in the target for residents living alone.",
        source="ONS 2018 at-risk profiles; Holt-Lunstad 2015 (living alone OR 1.32)",
        confidence="medium",
        plausible=(0.1, 0.6),
    )
    support_effect: Number = param(
        0.8,
        ge=0,
        le=5,
        unit="score at no strong ties, falling to 0 at the support clique",
        description="Loneliness from lacking strong ties (a missing support clique).",
        source="Cacioppo et al. 2009: each extra friend about 2 fewer lonely days a year",
        confidence="medium",
        plausible=(0.4, 1.2),
    )
    support_clique: Number = param(
        4.0,
        gt=0,
        le=20,
        unit="strong ties",
        description="Strong ties beyond which more give no further protection.",
        source="Dunbar 2016: support clique 4.1",
        confidence="medium",
    )
    participation_effect: Number = param(
        0.35,
        ge=0,
        le=3,
        unit="score",
        description="Reduction in the target while a member of a community group.",
        source="illustrative; Cohen et al. 2006 (arts participation reduced loneliness, "
        "magnitude not retrieved)",
        confidence="low",
        plausible=(0.1, 0.6),
    )
    need_effect: Number = param(
        0.08,
        ge=0,
        le=3,
        unit="score per unit of need",
        description="Poor health raises loneliness (ONS: poor health x1.9).",
        source="ONS 2018 via Age UK (poor health x1.9)",
        confidence="medium",
    )
    deprivation_effect: Number = param(
        0.25,
        ge=0,
        le=3,
        unit="score from least to most deprived ward",
        description="Loneliness gradient with ward deprivation.",
        source="illustrative; ONS 2018 (low trust and belonging)",
        confidence="low",
    )
    contagion_strength: Number = param(
        1.0,
        ge=0,
        le=3,
        unit="multiple of the Hill et al. 2010 rate",
        description="Strength of loneliness spreading through ties; 0 turns it off. The "
        "evidence is contested (homophily confounds it), so sweep it down to 0.",
        source="Hill et al. 2010 SISa: +0.04 per year per discontent contact",
        confidence="low",
        plausible=(0.0, 1.5),
    )
    contagion_per_lonely_tie: Number = param(
        0.06,
        ge=0,
        le=2,
        unit="score per lonely strong tie, at strength 1",
        description="Shift in a resident's target per lonely strong tie (the friends and "
        "family one is close to; Cacioppo et al. 2009 found loneliness spreads through "
        "friends).",
        source="calibrated so one lonely contact adds about 0.04 a year to the risk of "
        "becoming lonely (Hill et al. 2010)",
        confidence="low",
    )


class NetworkConfig(Strict):
    """Social ties: household, neighbourhood and friendship, with weekly dynamics.

    A tie's strength is the remembered share of recent weeks in which the two residents
    met (an exponentially weighted contact frequency). Each tie has its own closeness: its
    weekly chance of contact. Close ties are met most weeks and become strong; occasional
    ones stay weak and are dropped after a long spell without contact.
    """

    mean_ties: Number = param(
        13.6,
        ge=1,
        le=150,
        unit="ties per adult",
        description="Initial ties per adult, household included (Dunbar's sympathy group).",
        source="Dunbar 2016: sympathy group 13.6",
        confidence="medium",
        plausible=(9.0, 18.0),
    )
    same_ward_share: Number = param(
        0.7,
        ge=0,
        le=1,
        unit="share of non-household ties",
        description="Share of ties within the resident's own ward (bonding by place); the "
        "rest cross wards (bridging).",
        source="illustrative (local ties dominate adults' networks)",
        confidence="low",
        plausible=(0.5, 0.85),
    )
    age_homophily_years: Number = param(
        8.0,
        gt=0,
        le=60,
        unit="years",
        description="Typical age gap between friends (smaller = stronger age homophily).",
        source="illustrative (McPherson et al. 2001 on age homophily)",
        confidence="low",
    )
    closeness_mean: Number = param(
        0.185,
        gt=0,
        lt=1,
        unit="probability of contact per week",
        description="Average weekly chance that two newly tied residents meet. Closeness "
        "is drawn from a Beta(1, b) distribution with this mean: most ties occasional, a "
        "few close.",
        source="calibrated: support clique 4.1 of 13.6 ties (Dunbar 2016)",
        confidence="medium",
    )
    contact_same_group: Number = param(
        0.3,
        ge=0,
        le=1,
        unit="probability per week",
        description="Extra weekly chance of meeting for members of the same group.",
        source="Feld 1981 focal closure; illustrative",
        confidence="low",
    )
    tie_memory_weeks: Number = param(
        10.0,
        ge=1,
        le=520,
        unit="weeks",
        description="How long a tie remembers contact: its strength is the contact "
        "frequency averaged over about this many recent weeks.",
        source="illustrative",
        confidence="low",
    )
    strong_threshold: Number = param(
        0.5,
        gt=0,
        lt=1,
        unit="tie strength (share of weeks in contact)",
        description="Strength above which a tie counts as strong: someone met most weeks "
        "and turned to for support.",
        source="model convention",
        confidence="medium",
    )
    drop_threshold: Number = param(
        0.04,
        gt=0,
        lt=1,
        unit="tie strength (share of weeks in contact)",
        description="Ties weaker than this are dropped (a long spell without contact).",
        source="calibrated: about half of personal networks replaced in 7 years "
        "(Mollenhorst et al. 2014)",
        confidence="low",
    )
    new_tie_strength: Number = param(
        0.25,
        gt=0,
        lt=1,
        unit="tie strength (share of weeks in contact)",
        description="Strength of a newly formed tie.",
        source="model convention",
        confidence="medium",
    )
    focal_closure_rate: Number = param(
        0.03,
        ge=0,
        le=1,
        unit="new ties per group member per week",
        description="New ties formed by meeting others in the same community group.",
        source="Feld 1981; calibrated",
        confidence="low",
        plausible=(0.01, 0.06),
    )
    triadic_closure_rate: Number = param(
        0.008,
        ge=0,
        le=1,
        unit="new ties per adult per week",
        description="New ties formed by meeting a friend of a friend.",
        source="calibrated",
        confidence="low",
    )
    encounter_rate: Number = param(
        0.008,
        ge=0,
        le=1,
        unit="new ties per adult per week",
        description="New ties from chance local encounters (same ward, similar age).",
        source="calibrated",
        confidence="low",
    )
    merge_every_weeks: Whole = param(
        16,
        ge=1,
        le=52,
        unit="weeks",
        description="How often new ties are merged into the sorted tie table and "
        "friend-of-friend lists refreshed (speed only; ties change every week).",
        source="model convention",
        confidence="high",
    )


class GroupsConfig(Strict):
    """Community groups: opening, closing, joining and leaving."""

    groups_per_1000_adults: float = param(
        5.0,
        ge=0,
        le=100,
        unit="groups per 1,000 adults",
        description="Community groups at the start (Oldham: >700 groups, ~1,000 "
        "activities, for ~185,000 adults).",
        source="Oldham minutes (ID=34413): >700 groups, about 1,000 activities",
        confidence="medium",
    )
    mean_capacity: Number = param(
        60.0,
        ge=2,
        le=1000,
        unit="members",
        description="Average places in a group.",
        source="illustrative",
        confidence="low",
    )
    opening_rate: Number = param(
        0.8,
        ge=0,
        le=100,
        unit="new volunteer-led groups per 1,000 adults per year",
        description="Groups started by volunteers, fewer in deprived wards.",
        source="calibrated: stable group numbers",
        confidence="low",
    )
    deprivation_opening_penalty: Number = param(
        0.5,
        ge=0,
        le=1,
        unit="share fewer openings in the most deprived ward",
        description="Civic capacity is lower in deprived wards (CLS: civic participation "
        "gradient).",
        source="Community Life Survey; illustrative size",
        confidence="low",
    )
    min_members: Whole = param(
        8,
        ge=0,
        le=1000,
        unit="members",
        description="Below this an unfunded group is at risk of closing.",
        source="illustrative",
        confidence="low",
    )
    closure_rate_under_attended: Number = param(
        0.04,
        ge=0,
        le=1,
        unit="probability per week",
        description="Weekly chance an unfunded, under-attended group closes.",
        source="illustrative",
        confidence="low",
    )
    closure_rate_background: Number = param(
        0.08,
        ge=0,
        le=1,
        unit="probability per year",
        description="Yearly chance any unfunded group closes (volunteer burnout, venue lost).",
        source="illustrative",
        confidence="low",
    )
    join_rate: Number = param(
        0.012,
        ge=0,
        le=1,
        unit="probability per week",
        description="Weekly chance an aware, willing resident with no barriers joins a group.",
        source="calibrated: 22-27 % in a group monthly (Community Life Survey)",
        confidence="medium",
    )
    friend_effect: Number = param(
        1.0,
        ge=0,
        le=20,
        unit="relative increase per friend who is a member",
        description="Friends already in a group make joining more likely.",
        source="illustrative; CommunityRx ABM (social dosing by word of mouth)",
        confidence="low",
    )
    leave_rate: Number = param(
        0.5,
        ge=0,
        le=52,
        unit="probability per year",
        description="Yearly chance a member leaves their group.",
        source="calibrated",
        confidence="low",
    )
    awareness_initial: Number = param(
        0.6,
        ge=0,
        le=1,
        unit="share of adults",
        description="Share of adults who know of their local community offer at the start.",
        source="illustrative",
        confidence="low",
    )
    awareness_from_members: Number = param(
        0.02,
        ge=0,
        le=1,
        unit="probability per week per member tie",
        description="Chance of hearing about groups from a tie who is a member.",
        source="illustrative; CommunityRx (nearly half of recipients shared information)",
        confidence="low",
    )
    bridging_awareness_multiplier: Number = param(
        2.0,
        ge=1,
        le=20,
        unit="times",
        description="Bridging (cross-ward) ties spread awareness this many times more.",
        source="Granovetter 1973 strength of weak ties; illustrative",
        confidence="low",
    )
    awareness_loss_rate: Number = param(
        0.1,
        ge=0,
        le=52,
        unit="probability per year",
        description="Yearly chance an unengaged resident forgets the local offer.",
        source="illustrative",
        confidence="low",
    )
    barrier_mean: Number = param(
        0.3,
        ge=0,
        le=1,
        unit="0-1 (1 = cannot take part)",
        description="Average barrier to taking part (transport, cost, digital, health).",
        source="illustrative",
        confidence="low",
    )
    barrier_deprivation: Number = param(
        0.25,
        ge=0,
        le=1,
        unit="added barrier in the most deprived ward",
        description="Barriers are higher in deprived wards.",
        source="illustrative",
        confidence="low",
    )


class HealthConfig(Strict):
    """Health and care need, and mortality."""

    need_growth_at_50: float = param(
        0.03,
        gt=0,
        le=1,
        unit="need units per year at age 50",
        description="Chronic need accumulates with age, exponentially.",
        source="calibrated to service use by age",
        confidence="medium",
    )
    need_growth_per_year_of_age: Number = param(
        0.055,
        ge=0,
        le=0.3,
        unit="log-rate per year of age",
        description="How fast the yearly growth of need rises with age.",
        source="calibrated (Gompertz-like accumulation of multimorbidity)",
        confidence="medium",
    )
    frailty_sd: Number = param(
        0.6,
        ge=0,
        le=3,
        unit="log scale",
        description="Spread between residents in how fast need accumulates.",
        source="calibrated",
        confidence="medium",
    )
    lifelong_condition_share: Number = param(
        0.04,
        ge=0,
        le=1,
        unit="share of adults",
        description="Adults with a lifelong condition or disability adding to need at any "
        "age (35 % of adults in long-term social care are 18-64).",
        source="calibrated: NHS England ASC-AFR 2023-24 (299,500 of 858,720 clients aged 18-64)",
        confidence="medium",
    )
    lifelong_condition_need: Number = param(
        1.2,
        ge=0,
        le=100,
        unit="need units (average)",
        description="Average need from a lifelong condition (exponentially distributed).",
        source="calibrated",
        confidence="low",
    )
    lonely_need_acceleration: Number = param(
        0.25,
        ge=0,
        le=3,
        unit="relative increase",
        description="Need grows faster while lonely.",
        source="Holt-Lunstad 2015 (loneliness OR 1.26 for mortality); illustrative size",
        confidence="low",
        plausible=(0.0, 0.5),
    )
    active_need_slowing: Number = param(
        0.15,
        ge=0,
        le=1,
        unit="relative reduction",
        description="Need grows slower while active in a community group.",
        source="illustrative; Cohen et al. 2006",
        confidence="low",
        plausible=(0.0, 0.3),
    )
    episode_rate: Number = param(
        0.6,
        ge=0,
        le=52,
        unit="acute episodes per adult per year at need 0",
        description="Acute health episodes (infections, falls, flare-ups); rise with need.",
        source="calibrated",
        confidence="low",
    )
    episode_need_slope: Number = param(
        1.2,
        ge=0,
        le=20,
        unit="relative increase per unit need",
        description="How much more often residents with more need have episodes.",
        source="calibrated",
        confidence="low",
    )
    episode_size: Number = param(
        0.35,
        ge=0,
        le=10,
        unit="need units",
        description="Average extra need during an acute episode.",
        source="calibrated",
        confidence="low",
    )
    episode_recovery_weeks: Number = param(
        6.0,
        gt=0,
        le=520,
        unit="weeks",
        description="Time constant of recovery from an episode (makes regression to the "
        "mean real: frequent attenders recover whether referred or not).",
        source="illustrative",
        confidence="low",
    )
    mortality_need_hr: Number = param(
        1.3,
        ge=1,
        le=10,
        unit="hazard ratio per unit need",
        description="Mortality rises with need, relative to others of the same age.",
        source="calibrated",
        confidence="low",
    )
    mortality_lonely_hr: Number = param(
        1.26,
        ge=1,
        le=5,
        unit="hazard ratio",
        description="Mortality raised while lonely.",
        source="Holt-Lunstad 2015: loneliness OR 1.26; Eur J Ageing 2022: HR 1.10",
        confidence="medium",
        plausible=(1.1, 1.26),
    )
    mortality_isolated_hr: Number = param(
        1.29,
        ge=1,
        le=5,
        unit="hazard ratio",
        description="Mortality raised while socially isolated (no strong ties).",
        source="Holt-Lunstad 2015: isolation OR 1.29",
        confidence="medium",
        plausible=(1.1, 1.5),
    )


# --------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------


class PrimaryCareConfig(Strict):
    """General practice appointments (GP, nurse and other practice staff)."""

    base_rate: Number = param(
        3.8,
        ge=0,
        le=100,
        unit="appointments per adult per year at need 0",
        description="Practice appointments of a healthy adult.",
        source="calibrated: 5.8 appointments per patient per year (IfG 2024)",
        confidence="high",
    )
    need_slope: Number = param(
        0.75,
        ge=0,
        le=50,
        unit="relative increase per unit need",
        description="How much more a resident with more need uses the practice.",
        source="calibrated: 85-89s about 13-14 a year (QResearch 2008)",
        confidence="medium",
    )
    lonely_rate_ratio: Number = param(
        1.078,
        ge=0.5,
        le=3,
        unit="rate ratio",
        description="Extra appointments while lonely.",
        source="Gerst-Emerson & Jayawardhana 2015 (x1.078); Valtorta 2018 (no association)",
        confidence="medium",
        plausible=(1.0, 1.1),
    )
    informal_support_reduction: Number = param(
        0.05,
        ge=0,
        le=1,
        unit="relative reduction with a full support clique",
        description="Strong ties stand in for some appointments (advice, reassurance).",
        source="illustrative",
        confidence="low",
    )
    capacity_per_1000_per_week: float = param(
        118.0,
        ge=0,
        le=10_000,
        unit="appointments per 1,000 adults per week",
        description="Appointments practices can offer each week.",
        source="illustrative: a little above average demand (5.8 a year = 111.5)",
        confidence="low",
    )
    unit_cost_gbp: Number = param(
        45.0,
        ge=0,
        le=10_000,
        unit="£ per appointment, 2023/24 prices",
        description="Cost of a practice appointment (a 10-minute GP consultation; an "
        "overestimate for nurse and other staff appointments).",
        source="PSSRU 2024 Table 9.4.2: GP consultation £45",
        confidence="medium",
        plausible=(37.0, 45.0),
    )
    abandon_rate: Number = param(
        0.3,
        ge=0,
        le=1,
        unit="share of the waiting list per week",
        description="Share of people waiting who give up each week.",
        source="illustrative",
        confidence="low",
    )
    escalation_to_ae: Number = param(
        0.05,
        ge=0,
        le=1,
        unit="A&E attendances per unmet appointment",
        description="Unmet primary-care demand that turns up at A&E ('failure demand').",
        source="illustrative",
        confidence="low",
        plausible=(0.0, 0.15),
    )


class AEConfig(Strict):
    """A&E attendances (always seen: emergency departments cannot defer a week)."""

    base_rate: Number = param(
        0.18,
        ge=0,
        le=20,
        unit="attendances per adult per year at need 0",
        description="A&E attendances of a healthy adult (injuries, acute illness).",
        source="calibrated: 0.42 per person per year (NHS Digital 2017-18)",
        confidence="high",
    )
    need_slope: Number = param(
        0.6,
        ge=0,
        le=50,
        unit="relative increase per unit need",
        description="Extra attendances with need.",
        source="calibrated",
        confidence="medium",
    )
    episode_attendance: Number = param(
        0.12,
        ge=0,
        le=1,
        unit="probability per acute episode",
        description="Acute episodes that bring the resident to A&E.",
        source="calibrated",
        confidence="low",
    )
    lonely_rate_ratio: Number = param(
        1.05,
        ge=0.5,
        le=3,
        unit="rate ratio",
        description="Extra attendances while lonely.",
        source="Smith & Victor 2021: emerging evidence for ED use",
        confidence="low",
        plausible=(1.0, 1.15),
    )
    unit_cost_gbp: Number = param(
        273.0,
        ge=0,
        le=100_000,
        unit="£ per attendance, 2023/24 prices",
        description="Cost of an A&E attendance.",
        source="National Cost Collection 2023/24 via PSSRU 2024 Table 6.1.1: £273",
        confidence="high",
    )


class AdmissionsConfig(Strict):
    """Emergency (non-elective) hospital admissions."""

    base_rate: Number = param(
        0.0085,
        ge=0,
        le=20,
        unit="admissions per adult per year at need 0",
        description="Emergency admissions of a healthy adult.",
        source="calibrated: 0.11 per person per year (Health Foundation 2017-18)",
        confidence="high",
    )
    need_slope: Number = param(
        4.0,
        ge=0,
        le=100,
        unit="relative increase per unit need",
        description="Admissions rise steeply with need (about half of over-64 A&E "
        "attenders are admitted).",
        source="calibrated",
        confidence="medium",
    )
    from_ae_share: Number = param(
        0.17,
        ge=0,
        le=1,
        unit="share of A&E attendances",
        description="Share of A&E attendances admitted, on top of direct admissions.",
        source="HSCIC 2014-15: about 1 in 5 attendances admitted",
        confidence="medium",
    )
    lonely_rate_ratio: Number = param(
        1.0,
        ge=0.5,
        le=3,
        unit="rate ratio",
        description="Extra admissions while lonely (best studies find none).",
        source="Smith & Victor 2021 (no association); Parmar 2021 (HR 1.15 in MH users)",
        confidence="medium",
        plausible=(1.0, 1.15),
    )
    unmet_care_hours_per_admission: Number = param(
        400.0,
        gt=0,
        le=1e6,
        unit="unmet home-care hours per admission",
        description="Unmet social care that ends in an emergency admission.",
        source="illustrative",
        confidence="low",
        plausible=(150.0, 1500.0),
    )
    unit_cost_gbp: Number = param(
        2_530.0,
        ge=0,
        le=1e6,
        unit="£ per admission, 2023/24 prices",
        description="Cost of an emergency admission (60 % short stay at £792, 40 % long "
        "stay at £5,134).",
        source="National Cost Collection 2023/24 via PSSRU 2024; mix illustrative",
        confidence="medium",
        plausible=(792.0, 5_134.0),
    )


class SocialCareConfig(Strict):
    """Adult social care: long-term support clients and home-care hours."""

    eligibility_need: Number = param(
        4.2,
        ge=0,
        le=100,
        unit="need units",
        description="Need above which a resident qualifies for long-term support.",
        source="calibrated: 1.9 % of adults in long-term support (NHS England 2023-24)",
        confidence="medium",
    )
    entry_rate: Number = param(
        1.0,
        ge=0,
        le=52,
        unit="probability per year once eligible",
        description="How quickly an eligible resident is assessed and starts support.",
        source="illustrative",
        confidence="low",
    )
    hours_at_eligibility: Number = param(
        10.0,
        ge=0,
        le=168,
        unit="hours per client per week",
        description="Home-care hours of a client just above eligibility.",
        source="calibrated: 12.4 hours per client per week (NHS Digital 2008)",
        confidence="medium",
    )
    hours_per_need: Number = param(
        4.0,
        ge=0,
        le=168,
        unit="hours per week per unit of need above eligibility",
        description="More need, more hours.",
        source="calibrated",
        confidence="medium",
    )
    max_hours: Number = param(
        50.0,
        ge=0,
        le=168,
        unit="hours per client per week",
        description="Most home-care hours a client can receive.",
        source="illustrative",
        confidence="low",
    )
    informal_care_reduction: Number = param(
        0.25,
        ge=0,
        le=1,
        unit="relative reduction with a full support clique",
        description="Informal carers among strong ties substitute for formal hours.",
        source="illustrative; Gostoli & Silverman 2020 (informal care supply)",
        confidence="low",
        plausible=(0.1, 0.4),
    )
    capacity_hours_per_1000_per_week: float = param(
        260.0,
        ge=0,
        le=100_000,
        unit="home-care hours per 1,000 adults per week",
        description="Home-care hours the council can commission each week.",
        source="illustrative: about demand (1.9 % x 12.4 hours = 236)",
        confidence="low",
    )
    unit_cost_gbp: Number = param(
        27.0,
        ge=0,
        le=10_000,
        unit="£ per home-care hour, 2023/24 prices",
        description="Cost of an hour of home care (staff cost, not the commissioned price).",
        source="PSSRU 2024 Table 10.4.1: home-care worker £27 per weekday hour",
        confidence="medium",
        plausible=(27.0, 32.0),
    )


class MentalHealthConfig(Strict):
    """NHS Talking Therapies referrals."""

    base_rate: Number = param(
        0.034,
        ge=0,
        le=10,
        unit="referrals per adult per year, not lonely",
        description="Referrals of residents who are not lonely.",
        source="calibrated: 0.041 per adult per year (NHS Digital 2023-24)",
        confidence="high",
    )
    lonely_rate_ratio: Number = param(
        3.0,
        ge=0.5,
        le=20,
        unit="rate ratio",
        description="Referrals while lonely (loneliness and depression are closely linked).",
        source="illustrative",
        confidence="low",
        plausible=(1.5, 4.0),
    )
    young_adult_ratio: Number = param(
        1.5,
        ge=0.1,
        le=10,
        unit="rate ratio at 18, falling to 0.5 at 80",
        description="Younger adults are referred more.",
        source="illustrative (NHS Talking Therapies age profile)",
        confidence="low",
    )
    capacity_per_1000_per_week: float = param(
        0.85,
        ge=0,
        le=1000,
        unit="courses started per 1,000 adults per week",
        description="New talking-therapy courses the service can start each week.",
        source="illustrative: about average referrals (0.041 a year = 0.79 a week)",
        confidence="low",
    )
    crisis_escalation: Number = param(
        0.01,
        ge=0,
        le=1,
        unit="A&E attendances per week of waiting",
        description="Residents waiting for therapy who attend A&E in crisis.",
        source="illustrative",
        confidence="low",
    )
    unit_cost_gbp: Number = param(
        263.0,
        ge=0,
        le=100_000,
        unit="£ per referral, 2023/24 prices",
        description="Cost of a referral (one primary-care mental-health contact; a full "
        "course costs several times more).",
        source="PSSRU 2024 Table 2.1.1: primary care mental health service £263/contact",
        confidence="low",
        plausible=(263.0, 1_600.0),
    )


class ServicesConfig(Strict):
    """Public services whose demand the model tracks."""

    gp: PrimaryCareConfig = Field(default_factory=PrimaryCareConfig)
    ae: AEConfig = Field(default_factory=AEConfig)
    admissions: AdmissionsConfig = Field(default_factory=AdmissionsConfig)
    social_care: SocialCareConfig = Field(default_factory=SocialCareConfig)
    mental_health: MentalHealthConfig = Field(default_factory=MentalHealthConfig)


class CashReleasingConfig(Strict):
    """Share of each service's avoided cost that is cash released, not capacity freed.

    HM Treasury's Green Book and NHS practice separate **cash-releasing** benefits
    (money no longer spent: fewer commissioned home-care hours) from
    **non-cash-releasing** ones (capacity freed for other patients: a GP appointment not
    needed is used by someone else, and salaries are still paid). Both are real
    benefits; only the first lowers a budget.
    """

    gp: Number = param(
        0.0,
        ge=0,
        le=1,
        plausible=(0.0, 0.1),
        unit="share of avoided cost",
        description="GP practice time freed is used by other patients, not saved.",
        source="Assumption: practices are paid by capitation, so fewer appointments "
        "release no cash (Green Book non-cash-releasing benefit)",
        confidence="medium",
    )
    ae: Number = param(
        0.0,
        ge=0,
        le=1,
        plausible=(0.0, 0.3),
        unit="share of avoided cost",
        description="A&E attendances avoided free capacity; block contracts pay the same.",
        source="Assumption: aligned payment and incentive (block) contracts since 2023/24",
        confidence="low",
    )
    admissions: Number = param(
        0.0,
        ge=0,
        le=1,
        plausible=(0.0, 0.5),
        unit="share of avoided cost",
        description="Emergency admissions avoided free beds; cash only if beds close.",
        source="Assumption: aligned payment and incentive contracts; cash released only "
        "when capacity is taken out",
        confidence="low",
    )
    social_care: Number = param(
        1.0,
        ge=0,
        le=1,
        plausible=(0.7, 1.0),
        unit="share of avoided cost",
        description="Home-care hours are commissioned by the hour, so fewer hours cost less.",
        source="Assumption: council-commissioned home care paid per hour delivered",
        confidence="medium",
    )
    mental_health: Number = param(
        0.0,
        ge=0,
        le=1,
        plausible=(0.0, 0.3),
        unit="share of avoided cost",
        description="Talking-therapies referrals avoided free capacity in a block contract.",
        source="Assumption: NHS Talking Therapies funded by block contract",
        confidence="low",
    )


class AppraisalConfig(Strict):
    """HM Treasury Green Book appraisal conventions."""

    discount_rate: Number = param(
        0.035,
        ge=0,
        le=0.2,
        unit="per year",
        description="Social time preference rate for costs and benefits.",
        source="HM Treasury Green Book: 3.5 % for years 0-30",
        confidence="high",
    )
    price_year: str = Field("2023/24", description="Price year of every £ figure.")
    cash_releasing: CashReleasingConfig = Field(default_factory=CashReleasingConfig)


# --------------------------------------------------------------------------------------
# Investments
# --------------------------------------------------------------------------------------


class MostDeprived(Strict):
    """Target the N most deprived wards of the ward table."""

    most_deprived: Whole = Field(..., ge=1, le=10_000, description="Number of wards.")


WardTarget = Literal["all"] | list[str] | MostDeprived


class InvestmentBase(Strict):
    """Fields every investment lever shares."""

    budget_per_year: Number = param(
        0.0,
        ge=0,
        le=MAX_BUDGET_GBP,
        unit="£ per year",
        description="Money spent each funded year (for closures: funding withdrawn).",
        source="scenario choice",
        confidence="high",
    )
    start_year: Whole = Field(
        1, ge=1, le=50, description="First funded year (1 = first year after burn-in)."
    )
    end_year: Whole = Field(3, ge=1, le=50, description="Last funded year (inclusive).")
    wards: WardTarget = Field(
        "all", description="'all', a list of ward names, or {most_deprived: N}."
    )
    ramp_up_weeks: Whole = param(
        26,
        ge=0,
        le=520,
        unit="weeks",
        description="Weeks from the start until the service runs at full strength "
        "(recruitment, referral pathways, awareness).",
        source="illustrative",
        confidence="low",
        plausible=(0, 52),
    )

    @field_validator("wards")
    @classmethod
    def _wards_not_empty(cls, value: WardTarget) -> WardTarget:
        if isinstance(value, list) and not value:
            raise ValueError("wards must name at least one ward (or be 'all')")
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("wards lists a ward twice")
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> InvestmentBase:
        if self.end_year < self.start_year:
            raise ValueError(f"end_year ({self.end_year}) is before start_year ({self.start_year})")
        return self


class CommunityGrants(InvestmentBase):
    """Grants that open new community groups and keep at-risk ones going."""

    lever: Literal["community_grants"]
    grant_per_group_gbp: Number = param(
        3_000.0,
        gt=0,
        le=1e7,
        unit="£ per group per year",
        description="Grant that funds one group for a year (running cost plus outreach).",
        source="illustrative; Oldham Fast Grants £50-£500 to £57k per Social Action Fund "
        "project a year",
        confidence="low",
        plausible=(500.0, 10_000.0),
    )
    outreach_awareness: Number = param(
        0.02,
        ge=0,
        le=1,
        unit="probability per week",
        description="Funded groups' outreach: weekly chance a ward resident hears of them.",
        source="illustrative",
        confidence="low",
    )


class SocialPrescribing(InvestmentBase):
    """Link workers, to whom GPs refer patients with non-medical needs.

    Those who engage are connected to community groups.
    """

    lever: Literal["social_prescribing"]
    targeting: Literal["consultations", "frequent_attenders"] = param(
        "consultations",
        unit="rule",
        description="Who is referred. 'consultations': any patient the GP sees may be "
        "referred, with a chance proportional to their GP appointments and higher for "
        "lonely patients (the national roll-out, which Wilding et al. measured). "
        "'frequent_attenders': the practice refers its most frequent attenders first "
        "(the targeted schemes of Gloucestershire and Rotherham).",
        source="NHS England universal personalised care model; Kimberlee 2016 and "
        "Dayson et al. 2016 for targeted schemes",
        confidence="medium",
    )
    referral_lonely_odds_ratio: Number = param(
        2.2,
        ge=1,
        le=20,
        unit="odds ratio",
        description="How much likelier a lonely patient is to be referred, for the same "
        "GP appointments (targeting 'consultations').",
        source="Bu et al. 2025, English Longitudinal Study of Ageing wave 10: lonely "
        "adults aged 50+ OR 2.20 (95 % CI 1.63-2.97) for a social prescribing referral",
        confidence="medium",
        plausible=(1.63, 2.97),
    )
    cost_per_link_worker_gbp: Number = param(
        42_000.0,
        gt=0,
        le=1e7,
        unit="£ per full-time link worker per year",
        description="Salary, on-costs and overheads of one link worker.",
        source="illustrative (Agenda for Change band 4-5 with on-costs)",
        confidence="medium",
        plausible=(35_000.0, 50_000.0),
    )
    referrals_per_link_worker: Number = param(
        150.0,
        gt=0,
        le=10_000,
        unit="referrals per full-time link worker per year",
        description="Caseload: new people supported by one link worker a year (about "
        "£280 a referral at defaults; PSSRU puts it at £177-£466).",
        source="a judgement: no caseload was verified in a primary source; NHS England "
        "guidance as restated by a training hub gives 200-250 a year (docs/evidence_review"
        ".md); Jones et al. 2025, Unit Costs of Health and Social Care 2024 (PSSRU), §7.4: "
        "£177-£466 a referral",
        confidence="low",
        plausible=(80.0, 250.0),
    )
    uptake: Number = param(
        0.81,
        ge=0,
        le=1,
        unit="share of referred",
        description="Share who take up the offer after referral.",
        source="Kimberlee 2016 (Gloucestershire): 81 %",
        confidence="medium",
    )
    engaged_share: Number = param(
        0.55,
        ge=0,
        le=1,
        unit="share of those taking up",
        description="Share who engage (3+ sessions) and are connected to a group "
        "(45 % of all referred: 0.81 x 0.55).",
        source="Mercer et al. 2019: 45 % of referred saw the practitioner 3+ times",
        confidence="medium",
    )
    gp_appointments_avoided: Number = param(
        5.5,
        ge=0,
        le=52,
        unit="GP appointments per person taking up the referral, per year",
        description="Practice appointments replaced by link-worker support, at first, "
        "decaying after. 5.5 for each of the 81 % who take up is 4.5 per person referred, "
        "as Wilding et al. measured. Uncontrolled before-and-after evaluations imply about "
        "a quarter of a referred person's use (about 7 a year): the optimistic alternative.",
        source="Wilding et al. 2025: -1.13 per quarter per referred patient (95 % CI -1.21 "
        "to -1.03), divided by uptake",
        confidence="high",
        plausible=(0.0, 8.0),
    )
    ae_reduction: Number = param(
        0.03,
        ge=0,
        le=1,
        unit="relative reduction",
        description="Fewer A&E attendances among those taking up the referral "
        "(optimistic: 0.17-0.24).",
        source="Dayson 2016: -17 % (uncontrolled); Polley 2017: -24 %; controlled ~0",
        confidence="low",
        plausible=(0.0, 0.17),
    )
    admissions_reduction: Number = param(
        0.02,
        ge=0,
        le=1,
        unit="relative reduction",
        description="Fewer emergency admissions among those taking up the referral "
        "(optimistic: 0.07).",
        source="Dayson 2016: -7 % (uncontrolled); controlled ~0",
        confidence="low",
        plausible=(0.0, 0.07),
    )
    effect_decay_per_year: Number = param(
        0.33,
        ge=0,
        le=1,
        unit="share of the effect lost per year",
        description="How fast the service-use effect fades after referral.",
        source="Dayson & Bashir 2014 sensitivity case: 33 % a year",
        confidence="medium",
        plausible=(0.0, 0.66),
    )
    frequent_attender_weeks: Whole = param(
        13,
        ge=1,
        le=104,
        unit="weeks",
        description="Look-back window over which GPs spot frequent attenders.",
        source="illustrative",
        confidence="low",
    )


class CommunityConnectors(InvestmentBase):
    """Asset-based neighbourhood workers who raise awareness and broker ties."""

    lever: Literal["community_connectors"]
    cost_per_connector_gbp: Number = param(
        38_000.0,
        gt=0,
        le=1e7,
        unit="£ per full-time connector per year",
        description="Salary, on-costs and overheads of one community connector.",
        source="illustrative",
        confidence="medium",
        plausible=(30_000.0, 45_000.0),
    )
    residents_reached_per_connector: Number = param(
        400.0,
        gt=0,
        le=100_000,
        unit="residents per connector per year",
        description="Residents a connector reaches (door-knocking, events, street work).",
        source="illustrative",
        confidence="low",
        plausible=(150.0, 800.0),
    )
    introductions_per_reach: Number = param(
        1.0,
        ge=0,
        le=20,
        unit="new ties per resident reached",
        description="Introductions brokered for a resident reached, half to people in "
        "other wards (bridging).",
        source="illustrative",
        confidence="low",
        plausible=(0.3, 2.0),
    )
    barrier_reduction: Number = param(
        0.2,
        ge=0,
        le=1,
        unit="share of barrier removed",
        description="Encouragement and accompaniment lower a reached resident's barrier.",
        source="illustrative",
        confidence="low",
    )


class NeighbourhoodTeams(InvestmentBase):
    """Integrated place-based early help for residents with rising need."""

    lever: Literal["neighbourhood_teams"]
    cost_per_fte_gbp: Number = param(
        55_000.0,
        gt=0,
        le=1e7,
        unit="£ per full-time team member per year",
        description="Blended cost of nurses, social workers and coordinators.",
        source="illustrative; PSSRU 2024 social worker £58 an hour",
        confidence="medium",
    )
    caseload_per_fte: Number = param(
        40.0,
        gt=0,
        le=10_000,
        unit="residents supported at once per full-time member",
        description="Residents on the team's caseload at any time (highest need first).",
        source="illustrative",
        confidence="low",
        plausible=(20.0, 80.0),
    )
    need_growth_reduction: Number = param(
        0.2,
        ge=0,
        le=1,
        unit="relative reduction",
        description="Slower growth of need for residents on the caseload.",
        source="illustrative; no controlled evidence found",
        confidence="low",
        plausible=(0.0, 0.4),
    )
    escalation_reduction: Number = param(
        0.25,
        ge=0,
        le=1,
        unit="relative reduction",
        description="On the caseload: fewer acute episodes ending in A&E and fewer "
        "emergency admissions.",
        source="illustrative; no controlled evidence found",
        confidence="low",
        plausible=(0.0, 0.4),
    )


class Access(InvestmentBase):
    """Transport and digital inclusion that lower barriers to taking part."""

    lever: Literal["access"]
    cost_per_resident_gbp: Number = param(
        150.0,
        gt=0,
        le=1e6,
        unit="£ per resident supported per year",
        description="Community transport, devices, data and digital skills support.",
        source="illustrative",
        confidence="low",
        plausible=(50.0, 400.0),
    )
    barrier_reduction: Number = param(
        0.5,
        ge=0,
        le=1,
        unit="share of barrier removed",
        description="How much support lowers a resident's barrier to taking part.",
        source="illustrative",
        confidence="low",
        plausible=(0.2, 0.8),
    )
    barrier_return_per_year: Number = param(
        0.5,
        ge=0,
        le=1,
        unit="share of the removed barrier that returns per year after funding ends",
        description="Barriers come back when transport or data support stops.",
        source="illustrative",
        confidence="low",
    )


class Closures(InvestmentBase):
    """Disinvestment: community groups closed in the target wards."""

    lever: Literal["closures"]
    share_closed: Number = param(
        0.3,
        ge=0,
        le=1,
        unit="share of open groups",
        description="Share of the target wards' groups closed at the start year.",
        source="scenario choice",
        confidence="high",
    )
    opening_reduction: Number = param(
        0.5,
        ge=0,
        le=1,
        unit="relative reduction",
        description="Fewer new groups while venues and support are withdrawn.",
        source="illustrative",
        confidence="low",
    )


Investment = Annotated[
    CommunityGrants
    | SocialPrescribing
    | CommunityConnectors
    | NeighbourhoodTeams
    | Access
    | Closures,
    Field(discriminator="lever"),
]


# --------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------


class Scenario(Strict):
    """A complete, resolved scenario.

    The borough, the horizon, behaviour, services and the investments.
    """

    name: str = Field(..., min_length=1, max_length=200, description="Short scenario name.")
    description: str = Field("", max_length=20_000, description="What the scenario is.")
    population: PopulationConfig = Field(default_factory=PopulationConfig)
    horizon: HorizonConfig = Field(default_factory=HorizonConfig)
    investments: list[Investment] = Field(default_factory=list, max_length=100)
    loneliness: LonelinessConfig = Field(default_factory=LonelinessConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    groups: GroupsConfig = Field(default_factory=GroupsConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    services: ServicesConfig = Field(default_factory=ServicesConfig)
    appraisal: AppraisalConfig = Field(default_factory=AppraisalConfig)

    @model_validator(mode="after")
    def _investments_fit(self) -> Scenario:
        for i, inv in enumerate(self.investments):
            if inv.end_year > self.horizon.years:
                raise ValueError(
                    f"investments[{i}] ({inv.lever}) ends in year {inv.end_year}, after the "
                    f"horizon of {self.horizon.years} years"
                )
        levers = [inv.lever for inv in self.investments]
        dupes = sorted({lv for lv in levers if levers.count(lv) > 1})
        if dupes:
            raise ValueError(f"lever {dupes[0]!r} appears twice; use one entry per lever")
        return self

    @property
    def weeks(self) -> int:
        """Weeks simulated in all, burn-in included."""
        return 52 * (self.horizon.years + self.horizon.burn_in_years)

    @property
    def burn_in_weeks(self) -> int:
        """Weeks of burn-in."""
        return 52 * self.horizon.burn_in_years


def is_finite_number(value: Any) -> bool:
    """Return True for a real, finite int or float (bool excluded)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
