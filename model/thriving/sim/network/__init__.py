"""Social ties as edge arrays: generation, weekly dynamics, neighbour sums, export.

Ties are undirected and stored once, as ``(src, dst)`` with ``src < dst``. The table is
kept sorted by ``src * n + dst`` (a "head"), which makes it, with an index pointer, the
upper triangle of the adjacency matrix in CSR form: sums over a resident's ties are two
sparse matrix-vector products (rows and columns), not Python loops. New ties are
appended to an unsorted "tail" and merged into the head every few weeks; dropped ties
are flagged dead and removed at the merge.

A tie's ``strength`` is the remembered share of recent weeks in which the pair met (an
exponentially weighted contact frequency); its ``closeness`` is its own weekly chance
of contact. Household ties have closeness 1 and never drop.

One concept per module:

- :mod:`.draws`: pair keys and the per-tie weekly draws addressed by them;
- :mod:`.closeness`: new ties' closeness, tie lifetimes, the initial ties' closeness;
- :mod:`.storage`: the tie arrays, adding, ending and compacting ties, the week's queue;
- :mod:`.index`: the CSR index built from the edge arrays;
- :mod:`.sums`: the incremental per-resident sums and :class:`TieSummary`;
- :mod:`.dynamics`: the weekly update (contact and decay; focal closure, triadic
  closure, chance encounters);
- :mod:`.initial`: the initial network (households, stub pairing, settled strengths);
- :mod:`.export`: a networkx graph of the live ties;
- :mod:`.table`: :class:`TieTable`, the network of one run, composing the above.

The names the rest of the model uses are imported here, so ``network.TieTable``,
``network.initial_ties`` and the like work as they always have.
"""

from thriving.sim.network.closeness import (
    CLOSENESS_GRID,
    beta_one_b,
    surviving_closeness,
    tie_lifetime_weeks,
)
from thriving.sim.network.draws import (
    contact_limit,
    mix_tie_keys,
    pair_keys,
    tie_week_uniform16,
)
from thriving.sim.network.dynamics import (
    closest_in_age,
    form_new_ties,
    table_groups_fit_int16,
    ward_ranges,
)
from thriving.sim.network.initial import (
    HOUSEHOLD_THREE_SHARE,
    INITIAL_CONTACT_WEEKS,
    households,
    initial_ties,
    pair_stubs,
)
from thriving.sim.network.storage import _insert_sorted as _insert_sorted  # tested directly
from thriving.sim.network.sums import STRONG_HYSTERESIS, TieSummary
from thriving.sim.network.sums import _sums_exact as _sums_exact  # tested directly
from thriving.sim.network.table import TieTable

__all__ = [
    "CLOSENESS_GRID",
    "HOUSEHOLD_THREE_SHARE",
    "INITIAL_CONTACT_WEEKS",
    "STRONG_HYSTERESIS",
    "TieSummary",
    "TieTable",
    "beta_one_b",
    "closest_in_age",
    "contact_limit",
    "form_new_ties",
    "households",
    "initial_ties",
    "mix_tie_keys",
    "pair_keys",
    "pair_stubs",
    "surviving_closeness",
    "table_groups_fit_int16",
    "tie_lifetime_weeks",
    "tie_week_uniform16",
    "ward_ranges",
]
