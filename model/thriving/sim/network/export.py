"""The live ties as a networkx graph, for inspection and analysis outside the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table composes this module, so the import is for types only
    import networkx

    from thriving.sim.network.table import TieTable


def to_networkx(table: TieTable, strong_threshold: float = 0.5) -> networkx.Graph:
    """Export the live ties as a networkx Graph (for inspection and analysis).

    Nodes are resident slots; edges carry ``strength``, ``closeness``, ``household``,
    ``bridging`` and ``strong``. ``strong`` is as the model last counted it (with
    hysteresis); before any count, strength at or above ``strong_threshold``.
    """
    # Imported here, not at the top: runs never export, so they need not import networkx.
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(table.n))
    a = table.alive
    counted = table._sums is not None
    strong = table.strong_seen if counted else table.strength >= strong_threshold
    graph.add_edges_from(
        (
            int(s),
            int(d),
            {
                "strength": float(w),
                "closeness": float(c),
                "household": bool(h),
                "bridging": bool(b),
                "strong": bool(st),
            },
        )
        for s, d, w, c, h, b, st in zip(
            table.src[a],
            table.dst[a],
            table.strength[a],
            table.closeness[a],
            table.household[a],
            table.bridging[a],
            strong[a],
            strict=True,
        )
    )
    return graph
