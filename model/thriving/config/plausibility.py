"""Warnings, not errors: values a council would hardly write, said in £ and people.

The schema refuses what cannot be run (a budget over £10bn a year). Between that and
what councils spend lies a range that runs but is probably a slip: a budget in pence,
a budget over several years entered as one year's, or a zero too many. Such a value is
run as written, with a warning that says what it means per adult, so the analyst can
check it before the numbers reach a councillor.
"""

from __future__ import annotations

from thriving.config.schema import Scenario

#: £ a year per adult of the borough above which one lever's budget is flagged. A
#: judgement: a council's whole public health grant is of the order of £100 a year per
#: adult, and community programmes are a small part of it; £100 per adult is £18.5m a
#: year for the 185,000 adults of the shipped borough.
BUDGET_PER_ADULT_WARNING_GBP = 100.0


def plausibility_warnings(scenario: Scenario, borough_adults: float) -> list[str]:
    """Warnings about values that run but are unlikely to be meant.

    Parameters
    ----------
    scenario : Scenario
    borough_adults : float
        Adults in the whole borough (the ward table's total).

    Returns
    -------
    list of str
        One line each, naming the field and the value in £ and people.

    Examples
    --------
    >>> s = Scenario(name="s", investments=[
    ...     {"lever": "social_prescribing", "budget_per_year": 450e6}])
    >>> print(plausibility_warnings(s, 185_000)[0])  # doctest: +NORMALIZE_WHITESPACE
    investments.social_prescribing.budget_per_year: £450,000,000 a year is £2,432 a year
    for every adult of the borough (185,000 adults), more than councils spend on community
    activity; check the units (£ a year, not pence or a total over several years)
    >>> plausibility_warnings(Scenario(name="s"), 185_000)
    []
    """
    warnings = []
    for entry in scenario.investments:
        budget = entry.budget_per_year
        per_adult = budget / borough_adults if borough_adults > 0 else 0.0
        if per_adult > BUDGET_PER_ADULT_WARNING_GBP:
            warnings.append(
                f"investments.{entry.lever}.budget_per_year: £{budget:,.0f} a year is "
                f"£{per_adult:,.0f} a year for every adult of the borough "
                f"({borough_adults:,.0f} adults), more than councils spend on community "
                "activity; check the units (£ a year, not pence or a total over several "
                "years)"
            )
    return warnings
