"""Thriving: a neighbourhood social-capital network model.

Residents, their social ties, community groups and public services, simulated week by
week under investment scenarios written in YAML. Heavy modules (Mesa, pandas,
matplotlib) are imported lazily so that ``thriving --help`` answers at once.
"""

__version__ = "0.2.0"
