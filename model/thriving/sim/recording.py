"""What a run records: weekly borough and ward series, and the run's summary.

Only weeks after burn-in are recorded; ``week`` 1 is the first week of year 1, the
year investments count from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

# The lists of columns and totals are declared once, in the registry of outputs; they
# are named here too because the recorder is where they are written.
from thriving.metrics import (
    BOROUGH_COLUMNS,
    SCALED_COLUMNS,
    SERVICE_UNITS,
    TOTALS,
    WARD_COLUMNS,
)
from thriving.sim.services import service_cost
from thriving.sim.ward_sums import ward_totals

if TYPE_CHECKING:
    from thriving.sim.model import NeighbourhoodModel


@dataclass
class RunResult:
    """The output of one run.

    Attributes
    ----------
    timeseries : pandas.DataFrame
        Weekly borough totals (columns ``BOROUGH_COLUMNS``).
    by_ward : pandas.DataFrame
        Weekly totals by ward (columns ``WARD_COLUMNS``, ``ward`` as its name).
    summary : dict
        Totals after burn-in, discounted costs and calibration measures.
    referrals : pandas.DataFrame
        Social-prescribing referrals (week, slot, took up, engaged, GP use before).
    gp_quarters : pandas.DataFrame or None
        Each resident slot's GP appointments by quarter and who held it
        (:meth:`thriving.sim.cohort.GPUseTracker.table`); None unless the run tracked them.
    """

    timeseries: pd.DataFrame
    by_ward: pd.DataFrame
    summary: dict[str, Any]
    referrals: pd.DataFrame
    gp_quarters: pd.DataFrame | None = None


def discount_factors(years: np.ndarray, rate: float) -> np.ndarray:
    """Green Book discount factor for each (1-based) year: year 1 is not discounted.

    Examples
    --------
    >>> discount_factors(np.array([1, 2]), 0.035).round(4).tolist()
    [1.0, 0.9662]
    """
    return 1.0 / (1.0 + rate) ** (np.asarray(years) - 1)


class Recorder:
    """Collects the weekly series of one model run."""

    def __init__(self, model: NeighbourhoodModel):
        self.model = model
        s = model.settings
        self.weeks = 52 * s.horizon.years
        self.burn_in = s.burn_in_weeks
        n_wards = model.wards.n_wards
        self.borough = np.zeros((self.weeks, len(BOROUGH_COLUMNS)))
        self.ward = np.zeros((self.weeks, n_wards, len(WARD_COLUMNS)))
        self._b = {name: i for i, name in enumerate(BOROUGH_COLUMNS)}
        self._w = {name: i for i, name in enumerate(WARD_COLUMNS)}

    def record(self, week, demand, flows, deaths_by_ward, summary) -> None:
        """Record one week (ignored during burn-in)."""
        row = week - self.burn_in
        if row < 0:
            return
        totals = self._ward_totals(week, flows, deaths_by_ward)
        self._record_borough(row, flows, totals)
        self._record_wards(row, flows, totals)

    def _ward_totals(self, week: int, flows, deaths_by_ward) -> dict[str, Any]:
        """The week's counts, costs and spending by ward (what both tables are made of)."""
        m = self.model
        pop = m.pop
        n = pop.size
        nw = m.wards.n_wards
        member = pop.group >= 0
        isolated = pop.strong_ties == 0
        # Whole-number counts by ward, summed together (at most 2 per tie, 1 per resident).
        lonely_w, clients_w, ties_w, member_w, isolated_w = ward_totals(
            [pop.lonely, pop.care_client, pop.ties, member, isolated],
            m.ward_index,
            bound=max(n, 2 * m.ties.m),
        )
        costs_w = service_cost(
            flows["gp"],
            flows["ae"],
            flows["admissions"],
            flows["care_hours"],
            flows["mental_health"],
            m.settings.services,
        )
        spends = [lever.spend(week) for lever in m.levers]
        spend_w = np.zeros(nw)
        for spend, lever in zip(spends, m.levers, strict=True):
            spend_w += spend * lever.spend_share
        return {
            "lonely": lonely_w,
            "clients": clients_w,
            "ties": ties_w,
            "member": member_w,
            "isolated": isolated_w,
            "costs": costs_w,
            "spends": spends,
            "spend": spend_w,
            "unmet": flows["gp_unmet"] + flows["mh_unmet"],
            "groups": m.groups.open_by_ward(nw),
            "deaths": deaths_by_ward,
        }

    def _record_borough(self, row: int, flows, t: dict[str, Any]) -> None:
        """The borough's row of the week."""
        m = self.model
        pop = m.pop
        n = pop.size
        # Shares of flags as counts (count_nonzero): the same numbers as the mean of a
        # selection, without copying it.
        young = pop.age < 25
        old = pop.age >= 75
        n_young = int(np.count_nonzero(young))
        n_old = int(np.count_nonzero(old))
        b = self.borough[row]
        c = self._b
        b[c["week"]] = row + 1
        b[c["year"]] = row // 52 + 1
        b[c["population"]] = n
        b[c["gp_appointments"]] = flows["gp"].sum()
        b[c["ae_attendances"]] = flows["ae"].sum()
        b[c["emergency_admissions"]] = flows["admissions"].sum()
        b[c["social_care_clients"]] = t["clients"].sum()
        b[c["social_care_hours"]] = flows["care_hours"].sum()
        b[c["mental_health_referrals"]] = flows["mental_health"].sum()
        b[c["unmet_demand"]] = t["unmet"].sum()
        b[c["social_care_unmet_hours"]] = flows["care_unmet"].sum()
        b[c["lonely_share"]] = t["lonely"].sum() / n
        b[c["lonely_person_years"]] = t["lonely"].sum() / 52.0
        b[c["isolated_share"]] = t["isolated"].sum() / n
        b[c["mean_degree"]] = t["ties"].sum() / n
        b[c["mean_strong_ties"]] = float(pop.strong_ties.mean())
        b[c["bridging_share"]] = m.ties.bridging_share()
        b[c["participation_rate"]] = t["member"].sum() / n
        b[c["groups_open"]] = t["groups"].sum()
        b[c["deaths"]] = t["deaths"].sum()
        b[c["service_cost_gbp"]] = t["costs"].sum()
        b[c["investment_spend_gbp"]] = sum(t["spends"])
        b[c["mean_need"]] = float(pop.need.mean())
        b[c["lonely_share_18_24"]] = (
            np.count_nonzero(pop.lonely & young) / n_young if n_young else np.nan
        )
        b[c["lonely_share_75_plus"]] = (
            np.count_nonzero(pop.lonely & old) / n_old if n_old else np.nan
        )
        b[c["living_alone_share"]] = np.count_nonzero(pop.lives_alone) / n

    def _record_wards(self, row: int, flows, t: dict[str, Any]) -> None:
        """The wards' rows of the week."""
        ones_w = self.model.ward_residents
        w = self.ward[row]
        c = self._w
        w[:, c["week"]] = row + 1
        w[:, c["year"]] = row // 52 + 1
        w[:, c["ward"]] = np.arange(self.model.wards.n_wards)
        w[:, c["population"]] = ones_w
        w[:, c["gp_appointments"]] = flows["gp"]
        w[:, c["ae_attendances"]] = flows["ae"]
        w[:, c["emergency_admissions"]] = flows["admissions"]
        w[:, c["social_care_clients"]] = t["clients"]
        w[:, c["social_care_hours"]] = flows["care_hours"]
        w[:, c["mental_health_referrals"]] = flows["mental_health"]
        w[:, c["unmet_demand"]] = t["unmet"]
        w[:, c["lonely_share"]] = t["lonely"] / ones_w
        w[:, c["lonely_person_years"]] = t["lonely"] / 52.0
        w[:, c["isolated_share"]] = t["isolated"] / ones_w
        w[:, c["mean_degree"]] = t["ties"] / ones_w
        w[:, c["participation_rate"]] = t["member"] / ones_w
        w[:, c["groups_open"]] = t["groups"]
        w[:, c["deaths"]] = t["deaths"]
        w[:, c["service_cost_gbp"]] = t["costs"]
        w[:, c["investment_spend_gbp"]] = t["spend"]

    def result(self) -> RunResult:
        """Assemble the run's tables and summary."""
        m = self.model
        ts = pd.DataFrame(self.borough, columns=list(BOROUGH_COLUMNS))
        flat = self.ward.reshape(-1, len(WARD_COLUMNS))
        by_ward = pd.DataFrame(flat, columns=list(WARD_COLUMNS))
        for frame in (ts, by_ward):
            for col in SCALED_COLUMNS:
                if col in frame:
                    frame[col] = frame[col] * m.scale
            for col in ("week", "year"):
                frame[col] = frame[col].astype(np.int64)
        by_ward["ward"] = m.wards.names[by_ward["ward"].astype(np.int64).to_numpy()]
        if m.referrals:
            refs = {k: np.concatenate([r[k] for r in m.referrals]) for k in m.referrals[0]}
            referrals = pd.DataFrame(refs)
        else:
            referrals = pd.DataFrame(
                {
                    "week": [],
                    "slot": [],
                    "occupant": [],
                    "took_up": [],
                    "engaged": [],
                    "gp_per_year_before": [],
                }
            )
        return RunResult(ts, by_ward, summarise(ts, m), referrals)


def summarise(ts: pd.DataFrame, model: NeighbourhoodModel) -> dict[str, Any]:
    """Totals after burn-in, present values and calibration measures of one run.

    Parameters
    ----------
    ts : pandas.DataFrame
        The weekly borough series.
    model : NeighbourhoodModel

    Returns
    -------
    dict
    """
    s = model.settings
    rate = s.appraisal.discount_rate
    factor = discount_factors(ts["year"].to_numpy(), rate)
    out: dict[str, Any] = {
        "scenario": s.name,
        "seed": model.seed,
        "residents_simulated": int(model.pop.size),
        "borough_adults": float(model.wards.adults.sum()),
        "scale": model.scale,
        "years": s.horizon.years,
        "burn_in_years": s.horizon.burn_in_years,
        "price_year": s.appraisal.price_year,
        "discount_rate": rate,
    }
    for name, column in TOTALS.items():
        out[name] = float(ts[column].sum())
    out["service_cost_gbp"] = float(ts["service_cost_gbp"].sum())
    out["service_cost_gbp_pv"] = float((ts["service_cost_gbp"] * factor).sum())
    out["investment_gbp"] = float(ts["investment_spend_gbp"].sum())
    out["investment_gbp_pv"] = float((ts["investment_spend_gbp"] * factor).sum())
    # The cost of each service (units used x unit cost), so that an appraisal can say
    # which savings are cash released and which are capacity freed (Green Book).
    weekly_cash = np.zeros(len(ts))
    for service, column in SERVICE_UNITS.items():
        unit_cost = getattr(s.services, service).unit_cost_gbp
        weekly = ts[column].to_numpy() * unit_cost
        out[f"{service}_cost_gbp_pv"] = float((weekly * factor).sum())
        weekly_cash += getattr(s.appraisal.cash_releasing, service) * weekly
    out["cash_releasing_cost_gbp_pv"] = float((weekly_cash * factor).sum())
    starts = [inv.start_year for inv in s.investments if inv.budget_per_year > 0]
    out["first_investment_year"] = min(starts) if starts else None
    # Year by year (undiscounted £, years 1..N): what a payback calculation needs.
    years = ts["year"].to_numpy()
    n_years = int(years.max()) if len(years) else 0

    def by_year(weekly: np.ndarray) -> list[float]:
        return np.bincount(years - 1, weights=weekly, minlength=n_years).tolist()

    out["service_cost_gbp_by_year"] = by_year(ts["service_cost_gbp"].to_numpy())
    out["cash_releasing_cost_gbp_by_year"] = by_year(weekly_cash)
    out["investment_gbp_by_year"] = by_year(ts["investment_spend_gbp"].to_numpy())
    out["calibration"] = calibration_measures(ts)
    return out


def calibration_measures(ts: pd.DataFrame, last_years: int = 5) -> dict[str, float]:
    """The calibration table's measures, averaged over the last years of a run.

    Rates are per adult per year unless the name says otherwise (borough counts over
    borough adults, so they do not depend on the sample size).

    Parameters
    ----------
    ts : pandas.DataFrame
        Weekly borough series.
    last_years : int
        Years at the end to average over (all, if the run is shorter).

    Returns
    -------
    dict of str to float
    """
    years = int(ts["year"].max())
    tail = ts[ts["year"] > years - min(last_years, years)]
    adults = tail["population"].mean()
    n_years = len(tail) / 52.0

    def per_adult_year(column: str) -> float:
        return float(tail[column].sum() / adults / n_years)

    clients = tail["social_care_clients"]
    return {
        "lonely_share": float(tail["lonely_share"].mean()),
        "lonely_ratio_18_24_to_75_plus": float(
            tail["lonely_share_18_24"].mean() / max(tail["lonely_share_75_plus"].mean(), 1e-9)
        ),
        "gp_appointments_per_adult": per_adult_year("gp_appointments"),
        "ae_attendances_per_adult": per_adult_year("ae_attendances"),
        "emergency_admissions_per_adult": per_adult_year("emergency_admissions"),
        "social_care_client_share": float((clients / tail["population"]).mean()),
        "home_care_hours_per_client_week": float(
            tail["social_care_hours"].sum() / max(clients.sum(), 1e-9)
        ),
        "mental_health_referrals_per_adult": per_adult_year("mental_health_referrals"),
        "deaths_per_1000": 1000.0 * per_adult_year("deaths"),
        "participation_rate": float(tail["participation_rate"].mean()),
        "strong_ties_per_adult": float(tail["mean_strong_ties"].mean()),
        "ties_per_adult": float(tail["mean_degree"].mean()),
        "living_alone_share": float(tail["living_alone_share"].mean()),
    }
