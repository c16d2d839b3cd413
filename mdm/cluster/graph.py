"""Graph primitives over integer node ids: components, union-find, bridges.

``connected_components`` is vectorised (numpy hooking + pointer jumping, O(E log V)
array work, no Python loop per edge), so a million nodes and two million edges take
well under a second. The per-component helpers (:class:`UnionFind`, :func:`bridges`)
are plain Python: they only ever run on the few components that need splitting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["UnionFind", "bridges", "connected_components"]

IntArray = npt.NDArray[np.int64]


def connected_components(n_nodes: int, left: IntArray, right: IntArray) -> IntArray:
    """Label every node ``0..n_nodes-1`` with the smallest node id of its component.

    Shiloach-Vishkin style: hook the larger root of every edge onto the smaller one,
    then compress every pointer to its root; repeat until no edge joins two roots.
    Parents only ever decrease, so there are no cycles and the final root of each
    component is its minimum node.
    """
    parent = np.arange(n_nodes, dtype=np.int64)
    if len(left) == 0:
        return parent
    u = np.asarray(left, dtype=np.int64)
    v = np.asarray(right, dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        pu, pv = pu[differ], pv[differ]
        u, v = u[differ], v[differ]  # edges already inside one component never matter again
        low = np.minimum(pu, pv)
        np.minimum.at(parent, np.maximum(pu, pv), low)
        while True:  # pointer jumping until every node points at a root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


class UnionFind:
    """Union-find over arbitrary hashable int ids, with path halving and union by size."""

    __slots__ = ("_parent", "_size")

    def __init__(self, nodes: Iterable[int]) -> None:
        self._parent = {x: x for x in nodes}
        self._size = dict.fromkeys(self._parent, 1)

    def find(self, x: int) -> int:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Join the sets of ``a`` and ``b``; return the surviving root."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        return ra

    def size(self, x: int) -> int:
        return self._size[self.find(x)]

    def groups(self) -> list[list[int]]:
        """The sets, each sorted, ordered by their smallest member."""
        out: dict[int, list[int]] = {}
        for x in self._parent:
            out.setdefault(self.find(x), []).append(x)
        return sorted((sorted(g) for g in out.values()), key=lambda g: g[0])


def bridges(nodes: Sequence[int], edges: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Bridges of an undirected graph (parallel edges are not bridges).

    Returns ``(edge_index, child, subtree_size)`` for each bridge: removing edge
    ``edges[edge_index]`` cuts off ``subtree_size`` nodes (the DFS subtree hanging from
    ``child``) from the rest of that node's connected component. Iterative Tarjan, so
    deep chains do not hit the recursion limit.
    """
    adjacency: dict[int, list[tuple[int, int]]] = {x: [] for x in nodes}
    for k, (a, b) in enumerate(edges):
        if a != b:
            adjacency[a].append((b, k))
            adjacency[b].append((a, k))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    size: dict[int, int] = {}
    out: list[tuple[int, int, int]] = []
    for root in nodes:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        size[root] = 1
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]  # node, edge used to reach it, next neighbour index
        while stack:
            node, via, i = stack[-1]
            neighbours = adjacency[node]
            if i < len(neighbours):
                stack[-1] = (node, via, i + 1)
                nxt, k = neighbours[i]
                if k == via:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = len(order)
                    size[nxt] = 1
                    stack.append((nxt, k, 0))
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                size[parent] += size[node]
                if low[node] > order[parent]:
                    out.append((via, node, size[node]))
    return out
