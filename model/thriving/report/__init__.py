"""The report for councillors: one self-contained HTML file of a sweep's results.

:func:`write_report` turns a sweep's results folder into ``report.html``, a single file
that opens in any browser without a network (pictures inlined as ``data:`` URIs, the
style sheet inline, no scripts), prints on A4 and reads on a phone. In plain English it
gives:

1. the question, and when and with what the results were made;
2. the scenarios in words;
3. the headline numbers of each scenario with their 95 % intervals, and a sentence on
   what they mean and how sure we can be;
4. the pictures of ``plots/``, with how to read them;
5. the before-and-after comparison for social prescribing, when there is one;
6. the sensitivity ranking, for a Morris or Sobol sweep;
7. the assumptions behind the levers and services in use, with their sources and
   confidence;
8. the caveats where the evidence is weak.

Every number comes from the files the other commands write (``comparison.csv`` of
:mod:`thriving.analysis.comparison`, the pictures of :mod:`thriving.plots.demand`,
``sensitivity.csv`` of :mod:`thriving.analysis.sensitivity`); :func:`refresh_inputs` makes those
that are missing or older than ``summary.csv`` first. The assumptions come from the
scenario schema's parameter metadata (:func:`thriving.config.paramdoc.all_rows`), with the
values the runs used (the resolved scenarios in the sweep's ``manifest.json``).

The page is built with the standard library, one concept per module:

- :mod:`~thriving.report.labels`: the shared vocabulary (levers in words, words joined
  in a sentence, which values are numbers);
- :mod:`~thriving.report.facts`: facts about the sweep, the headline numbers of
  ``comparison.csv`` and the assumptions in use;
- :mod:`~thriving.report.words`: numbers for people and the sentences made of them;
- :mod:`~thriving.report.inputs`: making the inputs that are missing or out of date;
- :mod:`~thriving.report.html`: small pieces of HTML that escape every piece of text
  they are given, and the pictures;
- :mod:`~thriving.report.sections`: each part of the report;
- :mod:`~thriving.report.page`: the whole page, from the shell and style sheet in
  ``thriving/templates`` (filled in with :class:`string.Template`).
"""

from thriving.report.facts import (
    Assumption,
    AssumptionGroup,
    Headline,
    ScenarioInfo,
    SweepFacts,
    assumptions_in_use,
    read_comparison,
    read_facts,
)
from thriving.report.inputs import Inputs, refresh_inputs
from thriving.report.page import REPORT_FILE, ReportOutcome, render_report, write_report
from thriving.report.words import (
    HEADLINE_OUTCOMES,
    format_count,
    format_money,
    format_percent,
    investment_sentence,
    scenario_investments,
    scenario_summary,
)

__all__ = [
    "HEADLINE_OUTCOMES",
    "REPORT_FILE",
    "Assumption",
    "AssumptionGroup",
    "Headline",
    "Inputs",
    "ReportOutcome",
    "ScenarioInfo",
    "SweepFacts",
    "assumptions_in_use",
    "format_count",
    "format_money",
    "format_percent",
    "investment_sentence",
    "read_comparison",
    "read_facts",
    "refresh_inputs",
    "render_report",
    "scenario_investments",
    "scenario_summary",
    "write_report",
]
