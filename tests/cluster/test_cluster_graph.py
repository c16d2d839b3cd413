"""Graph primitives against brute-force references."""

from __future__ import annotations

import numpy as np

from mdm.cluster.graph import UnionFind, bridges, connected_components


def _reference_components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    uf = UnionFind(range(n))
    for a, b in edges:
        uf.union(a, b)
    label = [0] * n
    for group in uf.groups():
        for x in group:
            label[x] = group[0]
    return label


def test_connected_components_match_union_find() -> None:
    rng = np.random.default_rng(3)
    for n, m in [(1, 0), (10, 5), (200, 150), (1000, 900), (500, 2000)]:
        a = rng.integers(0, n, m)
        b = rng.integers(0, n, m)
        got = connected_components(n, a, b).tolist()
        assert got == _reference_components(n, list(zip(a.tolist(), b.tolist(), strict=True)))


def test_connected_components_long_chain_is_labelled_by_its_minimum() -> None:
    n = 10_000
    perm = np.random.default_rng(1).permutation(n)
    labels = connected_components(n, perm[:-1], perm[1:])
    assert set(labels.tolist()) == {0}


def test_bridges_of_two_triangles_joined_by_one_edge() -> None:
    edges = [(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]
    found = bridges(range(6), edges)
    assert [(k, size) for k, _, size in found] == [(3, 3)]


def test_bridges_chain_and_parallel_edges() -> None:
    assert sorted(k for k, _, _ in bridges([0, 1, 2], [(0, 1), (1, 2)])) == [0, 1]
    assert bridges([0, 1], [(0, 1), (0, 1)]) == []  # a doubled edge is not a bridge


def test_bridges_against_brute_force() -> None:
    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(2, 12))
        edges = sorted({(int(a), int(b)) for a, b in rng.integers(0, n, (n + 2, 2)) if a != b})
        base = len(set(_reference_components(n, edges)))
        brute = {k for k in range(len(edges))
                 if len(set(_reference_components(n, edges[:k] + edges[k + 1:]))) > base}
        assert {k for k, _, _ in bridges(range(n), edges)} == brute
