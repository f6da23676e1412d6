"""Fixed demographic tables and the pure functions built on them.

These are data, not assumptions to sweep, so they live here rather than in the schema:
the adult age structure, annual mortality by age, living alone by age and how often
residents of each age move away. Each table names its source.
"""

from __future__ import annotations

import numpy as np

MIN_AGE = 18
MAX_AGE = 105  # ages are capped here; mortality reaches its ceiling well before
AGES = np.arange(MIN_AGE, MAX_AGE, dtype=np.float64)  # single-year grid, 18..104

# Adults by five-year band, England, Census 2021 (ONS), millions, rounded. The 18-19
# band is two fifths of the 15-19 band. Source: ONS Census 2021 age structure (S).
_BAND_STARTS = np.array([18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90])
_BAND_MILLIONS = np.array(
    [1.3, 3.5, 3.8, 3.9, 3.8, 3.6, 3.7, 3.9, 3.8, 3.3, 2.9, 2.9, 2.1, 1.4, 0.86, 0.5]
)
_BAND_WIDTH = np.diff(np.append(_BAND_STARTS, 100))

# Annual probability of death at exact ages, both sexes averaged, ONS National Life
# Tables 2020-22 (ONS, National Life Tables, United Kingdom: 2020 to 2022, read from secondary
# transcriptions). Ages 18-27 from the 25-29 band rate.
_QX_AGES = np.array([18, 27, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95])
_QX = np.array(
    [
        0.00040,
        0.00049,
        0.00072,
        0.00132,
        0.003205,
        0.00747,
        0.017955,
        0.0296,
        0.051075,
        0.090645,
        0.158405,
        0.265615,
    ]
)
MAX_ANNUAL_DEATH_PROBABILITY = 0.7
# The 2020-22 tables include the pandemic years. Deaths registered in England and Wales
# were 530,841 in 2019 and 577,160 in 2022 (ratio 0.92), higher still in 2020-21, so the
# tabulated rates are scaled by 0.9 to a pre-pandemic level (derived: ONS, Deaths
# registered in England and Wales, 2019 and 2022: 0.92).
PRE_PANDEMIC_MORTALITY_FACTOR = 0.9

# Share of adults living alone by age, England and Wales (ONS Census 2011 and 2021
# living-arrangements releases: ONS 2014, 2011 Census analysis of those living
# alone, and ONS 2023, People's living arrangements in England and Wales: Census 2021;
# intermediate bands interpolated).
_ALONE_AGES = np.array([18, 25, 35, 50, 65, 75, 85, 105])
_ALONE_SHARE = np.array([0.04, 0.09, 0.10, 0.17, 0.27, 0.40, 0.59, 0.65])

# Relative rate of moving out of the borough by age (young adults move most). Shape
# only; the level is the scenario's population.moves_per_year. Illustrative.
_MOVE_AGES = np.array([18, 25, 30, 45, 65, 105])
_MOVE_RELATIVE = np.array([2.5, 2.5, 1.4, 0.6, 0.3, 0.3])


def annual_death_probability(age: np.ndarray) -> np.ndarray:
    """Annual probability of death by age (life table, both sexes).

    Log-linear interpolation between tabulated ages, Gompertz extrapolation beyond 95.

    Parameters
    ----------
    age : ndarray of float, years

    Returns
    -------
    ndarray of float, probability per year

    Examples
    --------
    >>> round(float(annual_death_probability(np.array([80.0]))[0]), 4)
    0.046
    """
    age = np.asarray(age, dtype=np.float64)
    log_q = np.interp(age, _QX_AGES, np.log(_QX))
    slope = (np.log(_QX[-1]) - np.log(_QX[-2])) / (_QX_AGES[-1] - _QX_AGES[-2])
    beyond = age > _QX_AGES[-1]
    log_q = np.where(beyond, np.log(_QX[-1]) + slope * (age - _QX_AGES[-1]), log_q)
    q = PRE_PANDEMIC_MORTALITY_FACTOR * np.exp(log_q)
    return np.minimum(q, MAX_ANNUAL_DEATH_PROBABILITY)


def weekly_hazard(annual_probability: np.ndarray) -> np.ndarray:
    """Convert an annual probability into a weekly hazard rate.

    Parameters
    ----------
    annual_probability : ndarray of float in [0, 1)

    Returns
    -------
    ndarray of float, per week
    """
    return -np.log1p(-np.asarray(annual_probability)) / 52.0


def living_alone_probability(age: np.ndarray) -> np.ndarray:
    """Share of adults of each age living alone (England and Wales).

    Parameters
    ----------
    age : ndarray of float, years

    Returns
    -------
    ndarray of float in [0, 1]
    """
    return np.interp(age, _ALONE_AGES, _ALONE_SHARE)


def move_out_relative_rate(age: np.ndarray) -> np.ndarray:
    """Relative rate of moving away by age (mean about 1 over the adult population).

    Parameters
    ----------
    age : ndarray of float, years

    Returns
    -------
    ndarray of float
    """
    return np.interp(age, _MOVE_AGES, _MOVE_RELATIVE)


def england_adult_age_density() -> np.ndarray:
    """Adults per single year of age on ``AGES``, England 2021, summing to 1.

    Returns
    -------
    ndarray of float, shape (len(AGES),)
    """
    per_year = _BAND_MILLIONS / _BAND_WIDTH
    band = np.searchsorted(_BAND_STARTS, AGES, side="right") - 1
    density = per_year[band].astype(np.float64)
    # The top band is 90+: spread it with a falling tail rather than flat to 100.
    top = AGES >= 90
    density[top] = density[top] * np.exp(-0.25 * (AGES[top] - 90))
    density[top] *= _BAND_MILLIONS[-1] / _BAND_WIDTH[-1] * top.sum() / density[top].sum()
    density[AGES >= 100] *= 0.2
    return density / density.sum()


def ward_age_density(share_65_plus: np.ndarray) -> np.ndarray:
    """Adult age structure of each ward, matching its share of adults aged 65+.

    The England structure is reweighted: ages 65+ scaled to the ward's share, younger
    ages to the rest.

    Parameters
    ----------
    share_65_plus : ndarray of float in (0, 1), shape (wards,)

    Returns
    -------
    ndarray of float, shape (wards, len(AGES)); each row sums to 1
    """
    base = england_adult_age_density()
    old = AGES >= 65
    base_old = base[old].sum()
    share = np.clip(np.asarray(share_65_plus, dtype=np.float64), 1e-3, 1 - 1e-3)
    rows = np.empty((share.size, AGES.size))
    rows[:, old] = base[old] / base_old * share[:, None]
    rows[:, ~old] = base[~old] / (1 - base_old) * (1 - share[:, None])
    return rows


def stationary_flows(
    age_density: np.ndarray, moves_per_year: float
) -> tuple[np.ndarray, np.ndarray]:
    """In-mover ages and move-out rates that keep each ward's age structure stationary.

    In a year the residents aged ``a`` become ``a + 1``, less deaths and moves. Where
    more residents are needed at ``a + 1`` than survive, in-movers of that age fill the
    gap (residents turning 18 join at 18). Where fewer are needed, extra residents of
    that age move away. Both flows together hold the structure fixed, so a twelve-year
    run neither ages nor rejuvenates the borough.

    Parameters
    ----------
    age_density : ndarray, shape (wards, len(AGES))
        Target age structure of each ward, rows summing to 1.
    moves_per_year : float
        Average share of adults moving away each year (shape by age from
        :func:`move_out_relative_rate`).

    Returns
    -------
    inflow : ndarray, shape (wards, len(AGES))
        Age distribution of in-movers; rows sum to 1.
    move_rate : ndarray, shape (wards, len(AGES))
        Yearly probability of moving away at each age.
    """
    deaths = annual_death_probability(AGES)
    moves = np.minimum(moves_per_year * move_out_relative_rate(AGES), 1.0 - deaths)
    move_rate = np.tile(moves, (age_density.shape[0], 1))
    survivors = age_density[:, :-1] * (1 - deaths[:-1] - moves[:-1])
    gap = age_density[:, 1:] - survivors
    inflow = np.empty_like(age_density)
    inflow[:, 0] = age_density[:, 0]
    inflow[:, 1:] = np.maximum(gap, 0.0)
    # Surplus survivors move away (as an extra yearly rate at the age they leave).
    surplus = np.maximum(-gap, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(age_density[:, :-1] > 0, surplus / age_density[:, :-1], 0.0)
    move_rate[:, :-1] = np.minimum(move_rate[:, :-1] + extra, 1.0 - deaths[:-1])
    return inflow / inflow.sum(axis=1, keepdims=True), move_rate


def stacked_cdf(density: np.ndarray) -> np.ndarray:
    """Each ward's age CDF offset by the ward's index: one sorted array for all wards.

    Parameters
    ----------
    density : ndarray, shape (wards, len(AGES))

    Returns
    -------
    ndarray, shape (wards * len(AGES),)
    """
    cdf = np.cumsum(density, axis=1)
    cdf[:, -1] = 1.0
    return (cdf + np.arange(density.shape[0])[:, None]).ravel()


def sample_ages(
    density: np.ndarray,
    ward: np.ndarray,
    uniforms: np.ndarray,
    jitter: np.ndarray,
    flat_cdf: np.ndarray | None = None,
) -> np.ndarray:
    """Draw ages by inverse CDF from each resident's ward age distribution.

    Parameters
    ----------
    density : ndarray, shape (wards, len(AGES))
        Age distribution of each ward, rows summing to 1.
    ward : ndarray of int, shape (k,)
        Ward of each resident to draw.
    uniforms, jitter : ndarray of float in [0, 1), shape (k,)
        Uniform draws choosing the year of age and the position within it.
    flat_cdf : ndarray, optional
        ``stacked_cdf(density)``, if already computed.

    Returns
    -------
    ndarray of float, years, shape (k,)
    """
    n_ages = density.shape[1]
    flat = stacked_cdf(density) if flat_cdf is None else flat_cdf
    pos = np.searchsorted(flat, ward + uniforms, side="right")
    year = np.minimum(pos - ward * n_ages, n_ages - 1)
    return AGES[year] + jitter


class AgeLookup:
    """A function of age tabulated on a quarter-year grid, looked up by gathering.

    A week applies several age curves to every resident; a gather from a small table
    is several times faster than interpolating afresh. The step (0.25 years) is far
    below the resolution of the source tables.

    Parameters
    ----------
    func : callable
        Maps an array of ages (years) to values.
    step : float
        Grid step, years.

    Examples
    --------
    >>> lookup = AgeLookup(lambda a: a * 2.0)
    >>> lookup(np.array([18.0, 30.1])).tolist()
    [36.0, 60.0]
    """

    def __init__(self, func, step: float = 0.25):
        self.step = step
        self.grid = np.arange(MIN_AGE, MAX_AGE + 10, step)
        self.values = np.asarray(func(self.grid), dtype=np.float64)

    def __call__(self, age: np.ndarray) -> np.ndarray:
        """Values at each age (from the grid point at or below it)."""
        return self.at(self.grid_index(age))

    def grid_index(self, age: np.ndarray) -> np.ndarray:
        """Position on the grid of each age (the same for every lookup of this step)."""
        idx = ((np.asarray(age) - MIN_AGE) * (1.0 / self.step)).astype(np.int64)
        return np.clip(idx, 0, self.values.size - 1)

    def at(self, grid_index: np.ndarray) -> np.ndarray:
        """Values at positions from :meth:`grid_index` (of a lookup with the same step)."""
        return self.values[grid_index]
