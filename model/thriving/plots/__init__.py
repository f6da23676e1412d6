"""Pictures of results, for slides and reports.

This package is the only part of Thriving that imports matplotlib.

One module per family of pictures (``demand``: service demand, differences, payback,
network and ward effects; ``sensitivity``: which assumptions drive the answer;
``before_after``: what an evaluation would see against the counterfactual), sharing the
look set in :mod:`thriving.plots.style`.
"""
