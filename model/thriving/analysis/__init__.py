"""Analysis of results folders.

The one reader of results folders, comparison, series, sensitivity, before-and-after,
calibration and export.
"""
