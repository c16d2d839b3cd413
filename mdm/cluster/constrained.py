"""Split one connected component so that no constraint is violated and weak bridges go.

The algorithm is constrained Kruskal, i.e. greedy agglomeration from the strongest edge
down: every record starts alone; must-link edges are joined first, then match edges in
descending match weight (ties by node ids, so the result never depends on row order).
An edge whose two groups conflict (a cannot-link pair across them, or strong
identifiers no single person can have) is refused and recorded as a cut. Identifier
values that an edge itself joins are not a conflict: the edge's score already weighed
the difference (see ``_aliases``). And a conflict is weighed, not a veto
(``settings.weigh_conflicts``): the groups are joined anyway when the model's evidence
across them, conflicting pairs counted against, favours it (``_Agglomeration.outweighed``),
so duplicates with two typos in an id or a typo and a swap in a birth date stay together
while household members, whose own pairs score as different people, are kept apart. Conflicts only
grow as groups grow, so a refused edge stays cut and every split falls on the weakest
edges that separate the conflicting records: the strong edges inside each person's
records are kept, the bridges between family members are the ones that go.

Then each resulting group is checked for weak bridges: an edge below
``settings.weak_bridge_cutoff`` that is the only connection between two parts of at least
``weak_bridge_min_side`` records is cut, weakest first, and the parts are checked again.

Must-link versus cannot-link: a steward's cannot-link always wins. A must-link that
would put a cannot-link pair in one cluster (directly or through other must-links) is
dropped and reported as a :class:`MustLinkConflict`; the steward resolves it. Must-links
do win over strong-identifier conflicts (the steward has seen the records) and are
never cut as weak bridges; a group a must-link gave two incompatible identifiers then
refuses every record that disagrees with either of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from mdm.cluster.graph import UnionFind, bridges
from mdm.cluster.identifiers import birth_dates_compatible, national_ids_compatible
from mdm.cluster.settings import ClusterSettings

__all__ = ["Component", "ComponentResult", "Edge", "split_component"]

REASON_CANNOT_LINK = "cannot_link"
REASON_NATIONAL_ID = "national_id"
REASON_BIRTH_DATE = "birth_date"
REASON_WEAK_BRIDGE = "weak_bridge"
MUST_LINK_WEIGHT = float("inf")


class Edge(NamedTuple):
    """An undirected edge ``a < b``; must-links carry ``must=True`` and infinite weight."""

    a: int
    b: int
    weight: float
    probability: float
    must: bool = False


@dataclass(frozen=True)
class Component:
    """One connected component: its nodes, edges and constraints, as ints."""

    nodes: Sequence[int]
    edges: Sequence[Edge]
    cannot_link: Sequence[tuple[int, int]] = ()
    national_id: Mapping[int, str] = field(default_factory=dict)
    birth_date: Mapping[int, str] = field(default_factory=dict)
    #: scored pairs below the cut-off ``(a, b) -> match weight``, a < b: evidence, not edges
    evidence: Mapping[tuple[int, int], float] = field(default_factory=dict)


@dataclass
class ComponentResult:
    groups: list[list[int]]
    cuts: list[tuple[Edge, str]] = field(default_factory=list)
    must_link_conflicts: list[tuple[Edge, tuple[int, int]]] = field(default_factory=list)


def _any_incompatible_pair(xs: set[str], ys: set[str], compatible: Callable[[str, str], bool]) -> bool:
    """Some value of one side cannot be the same as some value of the other.

    "Any" (not "no compatible pair") keeps conflicts monotone: a group only gains values,
    so two groups that conflict keep conflicting and a refused edge stays cut. It also
    scored slightly better on the generator's data than the permissive reading.
    """
    return not all(compatible(x, y) for x in xs for y in ys)


def _all_compatible(values: set[str], compatible: Callable[[str, str], bool]) -> bool:
    ordered = sorted(values)
    return all(compatible(x, y) for i, x in enumerate(ordered) for y in ordered[i + 1:])


def _merge_into(store: dict[int, set[str]], root: int, gone: int) -> None:
    moved = store.pop(gone, None)
    if moved:
        if root in store:
            store[root] |= moved
        else:
            store[root] = moved


class _Agglomeration:
    """Groups under construction; per-group state is sparse (most records carry no constraint)."""

    def __init__(self, comp: Component, settings: ClusterSettings) -> None:
        self.settings = settings
        self.uf = UnionFind(comp.nodes)
        self.ids: dict[int, set[str]] = {x: {v} for x, v in comp.national_id.items()} \
            if settings.split_on_national_id else {}
        self.dates: dict[int, set[str]] = {x: {v} for x, v in comp.birth_date.items()} \
            if settings.split_on_birth_date else {}
        self.partners: dict[int, dict[int, int]] = {}  # root -> {cannot-link partner: member naming it}
        for a, b in comp.cannot_link:
            self.partners.setdefault(a, {}).setdefault(b, a)
            self.partners.setdefault(b, {}).setdefault(a, b)
        allow = settings.national_id_typos
        def id_ok(x: str, y: str) -> bool:
            return national_ids_compatible(x, y, allow_typo=allow)
        date_ok: Callable[[str, str], bool] = (
            birth_dates_compatible if settings.birth_date_typos else lambda x, y: x == y)
        self.id_ok = _with_aliases(id_ok, _aliases(comp, comp.national_id, id_ok))
        self.date_ok = _with_aliases(date_ok, _aliases(comp, comp.birth_date, date_ok))
        self.weigh = settings.weigh_conflicts
        self.nid, self.dob = comp.national_id, comp.birth_date
        self.members: dict[int, list[int]] = {x: [x] for x in comp.nodes}
        self.cut_w = _weight(settings.auto_match_probability)
        self.unscored_w = _weight(settings.unscored_conflict_probability)
        self.scored: dict[int, dict[int, float]] = {}
        for e in comp.edges:
            if not e.must:
                self.scored.setdefault(e.a, {})[e.b] = e.weight
                self.scored.setdefault(e.b, {})[e.a] = e.weight
        for (a, b), w in comp.evidence.items():
            self.scored.setdefault(a, {})[b] = w
            self.scored.setdefault(b, {})[a] = w

    def blocking_cannot_link(self, ra: int, rb: int) -> tuple[int, int] | None:
        """A cannot-link pair with one record in each group, if any."""
        pa, pb = self.partners.get(ra), self.partners.get(rb)
        if not pa or not pb:
            return None
        if len(pa) > len(pb):
            ra, rb, pa, pb = rb, ra, pb, pa
        for partner in sorted(pa):
            if self.uf.find(partner) == rb:
                member = pa[partner]
                return (min(member, partner), max(member, partner))
        return None

    def conflict(self, ra: int, rb: int) -> str | None:
        if self.blocking_cannot_link(ra, rb) is not None:
            return REASON_CANNOT_LINK
        reason = None
        ia, ib = self.ids.get(ra), self.ids.get(rb)
        if ia and ib and _any_incompatible_pair(ia, ib, self.id_ok):
            reason = REASON_NATIONAL_ID
        else:
            da, db = self.dates.get(ra), self.dates.get(rb)
            if da and db and _any_incompatible_pair(da, db, self.date_ok):
                reason = REASON_BIRTH_DATE
        if reason is not None and self.weigh and self.outweighed(ra, rb):
            return None
        return reason

    def outweighed(self, ra: int, rb: int) -> bool:
        """Does the model's evidence across the two groups favour joining them despite the conflict?

        Sum, over record pairs across the groups that the model scored or whose identifiers
        conflict, of the pair's weight minus the cut-off's weight (an unscored conflicting
        pair counts at the keep threshold's weight): positive means the groups are more
        alike than the cut-off asks, conflict included. Households stay apart: their members'
        own pairs weigh against them.
        """
        small, big = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        big_set = set(self.members[big])
        if len(self.members[small]) * len(big_set) > 40_000:
            return False  # too large to weigh pair by pair: the conflict stands
        total = 0.0
        for x in self.members[small]:
            near = self.scored.get(x, {})
            for y in big_set:
                w = near.get(y)
                if w is None:
                    if not self._conflicting(x, y):
                        continue
                    w = self.unscored_w
                total += w - self.cut_w
        return total > 0

    def _conflicting(self, x: int, y: int) -> bool:
        nx, ny = self.nid.get(x), self.nid.get(y)
        if nx is not None and ny is not None and not self.id_ok(nx, ny):
            return True
        bx, by = self.dob.get(x), self.dob.get(y)
        return bx is not None and by is not None and not self.date_ok(bx, by)

    def merge(self, ra: int, rb: int) -> None:
        root = self.uf.union(ra, rb)
        gone = rb if root == ra else ra
        self.members[root] = self.members[root] + self.members.pop(gone)
        _merge_into(self.ids, root, gone)
        _merge_into(self.dates, root, gone)
        moved = self.partners.pop(gone, None)
        if moved:
            kept = self.partners.setdefault(root, {})
            for partner, member in moved.items():
                kept.setdefault(partner, member)

    def can_conflict(self, comp: Component) -> bool:
        """False when no two groups could ever conflict, so agglomeration would keep everything."""
        if comp.cannot_link:
            return True
        ids = set().union(*self.ids.values()) if self.ids else set()
        dates = set().union(*self.dates.values()) if self.dates else set()
        return not (_all_compatible(ids, self.id_ok) and _all_compatible(dates, self.date_ok))


def _aliases(comp: Component, values: Mapping[int, str], compatible: Callable[[str, str], bool]
             ) -> frozenset[frozenset[str]]:
    """Value pairs that the match model itself scored as one person despite the difference.

    An edge is a pair at or above the auto-match cut-off; its score already counts the
    identifier comparison (two typos in a national id, a birth date with a typo and a
    swap), so the rest of the evidence outweighed the difference. Such a pair of values
    is not a conflict anywhere in the component: a split happens only where the conflict
    outweighs the evidence, never between records the model put together.
    """
    if not values:
        return frozenset()
    found: set[frozenset[str]] = set()
    for e in comp.edges:
        if e.must:
            continue
        x, y = values.get(e.a), values.get(e.b)
        if x is not None and y is not None and x != y and not compatible(x, y):
            found.add(frozenset((x, y)))
    return frozenset(found)


def _with_aliases(compatible: Callable[[str, str], bool], aliases: frozenset[frozenset[str]]
                  ) -> Callable[[str, str], bool]:
    if not aliases:
        return compatible
    return lambda x, y: compatible(x, y) or frozenset((x, y)) in aliases


def _weight(p: float) -> float:
    """Match weight (log2 odds) of a probability; +inf at 1."""
    return math.inf if p >= 1.0 else math.log2(p / (1.0 - p))


def _edge_order(e: Edge) -> tuple[float, int, int]:
    return (-e.weight, e.a, e.b)


def split_component(comp: Component, settings: ClusterSettings) -> ComponentResult:
    """Partition ``comp.nodes``: constraints first, then weak bridges (see module doc)."""
    agg = _Agglomeration(comp, settings)
    result = ComponentResult(groups=[])
    if not agg.can_conflict(comp):  # the component is connected: it stays whole, bar weak bridges
        groups = [sorted(comp.nodes)]
        if settings.weak_bridge_cutoff is not None:
            groups = _cut_weak_bridges(groups, list(comp.edges), settings, result)
        result.groups = sorted(groups, key=lambda g: g[0])
        return result
    kept: list[Edge] = []
    must = sorted((e for e in comp.edges if e.must), key=lambda e: (e.a, e.b))
    scored = sorted((e for e in comp.edges if not e.must), key=_edge_order)
    for e in must:
        ra, rb = agg.uf.find(e.a), agg.uf.find(e.b)
        if ra == rb:
            kept.append(e)
            continue
        blocking = agg.blocking_cannot_link(ra, rb)
        if blocking is not None:
            result.must_link_conflicts.append((e, blocking))
            continue
        agg.merge(ra, rb)
        kept.append(e)
    for e in scored:
        ra, rb = agg.uf.find(e.a), agg.uf.find(e.b)
        if ra != rb:
            reason = agg.conflict(ra, rb)
            if reason is not None:
                result.cuts.append((e, reason))
                continue
            agg.merge(ra, rb)
        kept.append(e)
    groups = agg.uf.groups()
    if settings.weak_bridge_cutoff is not None:
        groups = _cut_weak_bridges(groups, kept, settings, result)
    result.groups = sorted(groups, key=lambda g: g[0])
    return result


def _cut_weak_bridges(groups: list[list[int]], kept: list[Edge], settings: ClusterSettings,
                      result: ComponentResult) -> list[list[int]]:
    """Cut weak bridges weakest first; a bridge is cut when both its sides (in the graph as
    it stands after the weaker cuts) hold at least ``weak_bridge_min_side`` records.

    Bridges are found once per group (removing a bridge never makes another edge a bridge
    or stop one being one); each side is then measured by a breadth-first search from both
    ends at once that stops as soon as both sides are big enough or one is exhausted, so a
    group costs O(edges) plus O(min_side) per candidate, whatever its size.
    """
    threshold = settings.weak_bridge_cutoff
    min_side = settings.weak_bridge_min_side
    assert threshold is not None
    where = {x: i for i, g in enumerate(groups) for x in g}
    by_group: dict[int, list[Edge]] = {}
    for e in kept:
        by_group.setdefault(where[e.a], []).append(e)
    out: list[list[int]] = []
    for i, nodes in enumerate(groups):
        edges = by_group.get(i, [])
        if len(nodes) < 2 * min_side or not any(not e.must and e.probability < threshold for e in edges):
            out.append(nodes)
            continue
        candidates = sorted(
            (k for k, _, _ in bridges(nodes, [(e.a, e.b) for e in edges])
             if not edges[k].must and edges[k].probability < threshold),
            key=lambda k: (edges[k].weight, edges[k].a, edges[k].b))
        if not candidates:
            out.append(nodes)
            continue
        adjacency: dict[int, list[tuple[int, int]]] = {x: [] for x in nodes}
        for k, e in enumerate(edges):
            adjacency[e.a].append((e.b, k))
            adjacency[e.b].append((e.a, k))
        removed: set[int] = set()
        for k in candidates:
            removed.add(k)
            if _both_sides_reach(adjacency, removed, edges[k].a, edges[k].b, min_side):
                result.cuts.append((edges[k], REASON_WEAK_BRIDGE))
            else:
                removed.discard(k)
        if not removed:
            out.append(nodes)
            continue
        uf = UnionFind(nodes)
        for k, e in enumerate(edges):
            if k not in removed:
                uf.union(e.a, e.b)
        out.extend(uf.groups())
    return out


def _both_sides_reach(adjacency: Mapping[int, list[tuple[int, int]]], removed: set[int], a: int, b: int,
                      need: int) -> bool:
    """Do the (disjoint) parts holding ``a`` and ``b`` both have ``need`` nodes or more?"""
    seen = [{a}, {b}]
    frontier = [[a], [b]]
    while True:
        done = [len(seen[s]) >= need for s in (0, 1)]
        if all(done):
            return True
        for s in (0, 1):
            if done[s]:
                continue
            if not frontier[s]:
                return False  # this side is exhausted below ``need``
            nxt: list[int] = []
            for x in frontier[s]:
                for y, k in adjacency[x]:
                    if k not in removed and y not in seen[s]:
                        seen[s].add(y)
                        nxt.append(y)
            frontier[s] = nxt
