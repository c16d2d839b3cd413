"""The cluster stage: pairwise predictions + steward links -> ``unique_id, cluster_id``.

Each input is a table or view name in the given DuckDB connection, a parenthesised SQL
subquery (``"(SELECT * FROM match_pair WHERE run_id = 7)"``), a DuckDB relation, or a
pandas / Arrow table (registered as a temporary view). Extra columns are ignored, so the
hub's ``match_pair``, ``must_link`` and ``cannot_link`` tables can be passed as they are:

* ``records``: ``unique_id`` (every record; one without pairs is a singleton), and
  optionally ``national_id`` and ``birth_date`` (standardised, NULL when invalid);
* ``pairs``: ``unique_id_l, unique_id_r, match_probability`` and optionally
  ``match_weight`` (Splink's predictions; rows below the auto-match threshold are ignored)
  and ``band`` (when present, only ``match`` rows are edges: the matcher also asks for
  enough agreeing evidence, see :mod:`mdm.match.thresholds`);
* ``must_link`` / ``cannot_link``: ``unique_id_l, unique_id_r`` (steward decisions;
  links naming records that no longer exist are ignored and counted).

Work split: DuckDB maps ids to dense ints (in ``unique_id`` order, so the smallest id of a
cluster is its smallest int) and dedupes edges; numpy finds connected components and
the few components that need splitting (a cannot-link pair, two distinct national ids
or birth dates, or a possible weak bridge); only those go through the per-component
Python splitter in :mod:`mdm.cluster.constrained`. ``cluster_id`` is the smallest
``unique_id`` of the cluster, so the output does not depend on input row order.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mdm.cluster.constrained import Component, Edge, split_component
from mdm.cluster.graph import connected_components
from mdm.cluster.report import ClusterReport, Cut, MustLinkConflict, OversizedCluster
from mdm.cluster.settings import ClusterSettings
from mdm.errors import InputError
from mdm.hub.register import register

__all__ = ["ClusterResult", "TableInput", "cluster_records"]

#: a table/view name or parenthesised subquery in the connection, a DuckDB relation, or a pandas/Arrow table
TableInput = Any

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ClusterResult:
    """``assignments``: Arrow table ``unique_id, cluster_id`` sorted by ``unique_id``."""

    assignments: pa.Table
    report: ClusterReport

    def to_pandas(self) -> Any:
        return self.assignments.to_pandas()


class _Inputs:
    """Names for the inputs inside the connection; frames are registered as views."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tag = uuid.uuid4().hex[:10]
        self.views: list[str] = []
        self.tables: list[str] = []

    def name(self, role: str, table: TableInput) -> str:
        if isinstance(table, str):
            return table
        view = f"__mdm_cluster_{role}_{self.tag}"
        register(self.con, view, table)
        self.views.append(view)
        return view

    def temp(self, role: str) -> str:
        name = f"__mdm_cluster_{role}_{self.tag}"
        self.tables.append(name)
        return name

    def columns(self, name: str) -> set[str]:
        return {d[0] for d in self.con.execute(f"SELECT * FROM {name} LIMIT 0").description}

    def close(self) -> None:
        for name in self.tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        for view in self.views:
            self.con.unregister(view)


@contextmanager
def _inputs(con: duckdb.DuckDBPyConnection) -> Iterator[_Inputs]:
    inputs = _Inputs(con)
    try:
        yield inputs
    finally:
        inputs.close()


def _require(inputs: _Inputs, name: str, role: str, needed: tuple[str, ...]) -> set[str]:
    have = inputs.columns(name)
    missing = [c for c in needed if c not in have]
    if missing:
        raise InputError(f"cluster input {role} lacks column(s) {', '.join(missing)}; "
                         f"it has {', '.join(sorted(have))}. Expected {', '.join(needed)}")
    return have


def _load_nodes(inputs: _Inputs, records: str) -> str:
    have = _require(inputs, records, "records", ("unique_id",))
    nid = "nullif(trim(national_id::VARCHAR), '')" if "national_id" in have else "NULL::VARCHAR"
    dob = "nullif(trim(birth_date::VARCHAR), '')" if "birth_date" in have else "NULL::VARCHAR"
    nodes = inputs.temp("nodes")
    inputs.con.execute(f"""
        CREATE TEMP TABLE {nodes} AS
        SELECT unique_id::VARCHAR AS unique_id, (row_number() OVER (ORDER BY unique_id::VARCHAR) - 1)::BIGINT AS idx,
               {nid} AS national_id, {dob} AS birth_date
        FROM {records}""")
    row = inputs.con.execute(
        f"SELECT count(*), count(unique_id), count(DISTINCT unique_id) FROM {nodes}").fetchone()
    assert row is not None
    total, non_null, distinct = row
    if non_null < total:
        raise InputError(f"cluster input records has {total - non_null} row(s) without unique_id; "
                         "every record needs its 'source:source_id' id")
    if distinct < total:
        dup = inputs.con.execute(
            f"SELECT unique_id FROM {nodes} GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1").fetchone()
        raise InputError(f"cluster input records has {total - distinct} duplicate unique_id(s), e.g. "
                         f"{dup[0] if dup else '?'}; pass each record once")
    return nodes


def _load_links(inputs: _Inputs, table: TableInput | None, role: str, nodes: str) -> tuple[IntArray, IntArray, int]:
    """Steward links as ``(a, b)`` int arrays with ``a < b``; also the count of links ignored."""
    if table is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    name = inputs.name(role, table)
    _require(inputs, name, role, ("unique_id_l", "unique_id_r"))
    got = inputs.con.execute(f"""
        WITH m AS (
            SELECT l.idx AS x, r.idx AS y FROM {name} t
            LEFT JOIN {nodes} l ON l.unique_id = t.unique_id_l::VARCHAR
            LEFT JOIN {nodes} r ON r.unique_id = t.unique_id_r::VARCHAR)
        SELECT least(x, y) AS a, greatest(x, y) AS b, count(*) AS n FROM m
        WHERE x IS NOT NULL AND y IS NOT NULL AND x <> y GROUP BY ALL ORDER BY a, b""").fetchnumpy()
    row = inputs.con.execute(f"SELECT count(*) FROM {name}").fetchone()
    used = int(np.asarray(got["n"]).sum())
    ignored = (int(row[0]) if row else 0) - used
    return np.asarray(got["a"], np.int64), np.asarray(got["b"], np.int64), ignored


def _load_edges(inputs: _Inputs, pairs: TableInput, nodes: str, must: str | None,
                threshold: float) -> tuple[dict[str, Any], str]:
    name = inputs.name("pairs", pairs)
    have = _require(inputs, name, "pairs", ("unique_id_l", "unique_id_r", "match_probability"))
    p = "match_probability::DOUBLE"
    from_p = f"CASE WHEN {p} >= 1 THEN 'inf'::DOUBLE ELSE log2({p} / (1 - {p})) END"
    weight = f"coalesce(match_weight::DOUBLE, {from_p})" if "match_weight" in have else from_p
    scored = f"""
        SELECT l.idx AS x, r.idx AS y, {weight} AS w, {p} AS p, false AS must,
               t.unique_id_l::VARCHAR AS id_l, t.unique_id_r::VARCHAR AS id_r FROM {name} t
        LEFT JOIN {nodes} l ON l.unique_id = t.unique_id_l::VARCHAR
        LEFT JOIN {nodes} r ON r.unique_id = t.unique_id_r::VARCHAR
        WHERE {p} >= {float(threshold)!r}{" AND t.band = 'match'" if "band" in have else ""}"""
    edges = inputs.temp("edges")
    inputs.con.execute(f"CREATE TEMP TABLE {edges} AS {scored}")
    # only edges that are used must name known records: a pair below the threshold is never read
    bad = inputs.con.execute(f"""
        SELECT count(*), min(CASE WHEN x IS NULL THEN id_l ELSE id_r END) FROM {edges}
        WHERE x IS NULL OR y IS NULL""").fetchone()
    if bad and bad[0]:
        raise InputError(f"cluster input pairs names {bad[0]} unique_id(s) missing from records, e.g. {bad[1]}; "
                         "pass every record that appears in a pair at or above the auto-match threshold")
    union_must = f"UNION ALL SELECT a, b, 'inf'::DOUBLE, 1.0, true FROM {must}" if must else ""
    return inputs.con.execute(f"""
        SELECT least(x, y) AS a, greatest(x, y) AS b, max(w) AS w, max(p) AS p, bool_or(must) AS must
        FROM (SELECT x, y, w, p, must FROM {edges} {union_must}) WHERE x <> y
        GROUP BY ALL ORDER BY a, b""").fetchnumpy(), name


def _load_evidence(inputs: _Inputs, pairs: str, nodes: str, threshold: float, labels: IntArray, cand: IntArray
                   ) -> dict[int, dict[tuple[int, int], float]]:
    """Scored pairs below the cut-off inside the candidate components, by component label.

    They are not edges, but they are evidence: two groups whose records the model scored
    as different people are not joined because their identifiers are close (see
    :mod:`mdm.cluster.constrained`).
    """
    if not len(cand):
        return {}
    chosen = np.zeros(len(labels), bool)
    chosen[cand] = True
    idx = np.flatnonzero(chosen[labels])
    view = inputs.name("cand_nodes", pa.table({"idx": pa.array(idx, pa.int64())}))
    have = inputs.columns(pairs)
    p = "match_probability::DOUBLE"
    from_p = f"CASE WHEN {p} >= 1 THEN 'inf'::DOUBLE WHEN {p} <= 0 THEN '-inf'::DOUBLE ELSE log2({p} / (1 - {p})) END"
    weight = f"coalesce(match_weight::DOUBLE, {from_p})" if "match_weight" in have else from_p
    below = f"{p} < {float(threshold)!r}" + (" OR t.band IS DISTINCT FROM 'match'" if "band" in have else "")
    got = inputs.con.execute(f"""
        SELECT least(l.idx, r.idx) AS a, greatest(l.idx, r.idx) AS b, max({weight}) AS w FROM {pairs} t
        JOIN {nodes} l ON l.unique_id = t.unique_id_l::VARCHAR
        JOIN {nodes} r ON r.unique_id = t.unique_id_r::VARCHAR
        WHERE ({below}) AND l.idx IN (SELECT idx FROM {view}) AND r.idx IN (SELECT idx FROM {view})
          AND l.idx <> r.idx
        GROUP BY ALL""").fetchnumpy()
    out: dict[int, dict[tuple[int, int], float]] = {}
    a = np.asarray(got["a"], np.int64)
    b = np.asarray(got["b"], np.int64)
    w = np.asarray(got["w"], np.float64)
    same = labels[a] == labels[b]
    for x, y, v, lab in zip(a[same].tolist(), b[same].tolist(), w[same].tolist(), labels[a[same]].tolist(),
                            strict=True):
        out.setdefault(int(lab), {})[(x, y)] = v
    return out


def _codes(inputs: _Inputs, nodes: str, column: str) -> tuple[IntArray, list[str]]:
    """Per node (by idx) the dense code of ``column`` (-1 when NULL) and the distinct values (by code)."""
    got = inputs.con.execute(f"""
        SELECT CASE WHEN {column} IS NULL THEN -1
                    ELSE dense_rank() OVER (ORDER BY {column} NULLS LAST) - 1 END::BIGINT AS code
        FROM {nodes} ORDER BY idx""").fetchnumpy()
    values = [r[0] for r in inputs.con.execute(
        f"SELECT DISTINCT {column} FROM {nodes} WHERE {column} IS NOT NULL ORDER BY 1").fetchall()]
    return np.asarray(got["code"], np.int64), values


def _labels_with_several(labels: IntArray, codes: IntArray) -> IntArray:
    """Component labels whose members carry two or more distinct non-NULL codes."""
    known = codes >= 0
    if not known.any():
        return np.zeros(0, np.int64)
    lab, code = labels[known], codes[known]
    keys = np.unique(lab * (int(code.max()) + 1) + code)  # one (label, code) per key; labels, codes < 2**31
    lab_of_key = keys // (int(code.max()) + 1)
    uniq, count = np.unique(lab_of_key, return_counts=True)
    return np.asarray(uniq[count > 1], np.int64)


def _candidates(labels: IntArray, edges: dict[str, Any], same_cl: IntArray, nid_codes: IntArray,
                dob_codes: IntArray, settings: ClusterSettings) -> IntArray:
    """Labels of the components that may need splitting; every other component is final."""
    found = [same_cl]
    if settings.split_on_national_id:
        found.append(_labels_with_several(labels, nid_codes))
    if settings.split_on_birth_date:
        found.append(_labels_with_several(labels, dob_codes))
    cutoff = settings.weak_bridge_cutoff
    if cutoff is not None and len(edges["a"]):
        sizes = np.bincount(labels, minlength=len(labels))
        weak = ~np.asarray(edges["must"], bool) & (np.asarray(edges["p"]) < cutoff)
        lab = labels[np.asarray(edges["a"], np.int64)[weak]]
        found.append(lab[sizes[lab] >= 2 * settings.weak_bridge_min_side])
    return np.unique(np.concatenate(found).astype(np.int64))


def _slices(keys: IntArray) -> tuple[IntArray, dict[int, tuple[int, int]]]:
    """Stable order grouping ``keys`` and each key's ``(start, stop)`` in that order."""
    order = np.argsort(keys, kind="stable")
    uniq, start, count = np.unique(keys[order], return_index=True, return_counts=True)
    bounds = {int(k): (int(s), int(s + c)) for k, s, c in zip(uniq.tolist(), start.tolist(), count.tolist(),
                                                               strict=True)}
    return np.asarray(order, np.int64), bounds


def cluster_records(
    records: TableInput,
    pairs: TableInput,
    *,
    must_link: TableInput | None = None,
    cannot_link: TableInput | None = None,
    settings: ClusterSettings | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    output_table: str | None = None,
) -> ClusterResult:
    """Cluster ``records`` from ``pairs`` at the auto-match threshold, honouring steward links.

    String arguments are table or view names in ``con``; pandas / Arrow tables are
    registered as temporary views. With ``output_table`` the assignments are also written
    to that table in ``con`` (replacing it). See :mod:`mdm.cluster.constrained` for the
    splitting rules and :class:`ClusterReport` for what is reported.
    """
    settings = settings or ClusterSettings()
    if con is not None:
        return _cluster(con, records, pairs, must_link, cannot_link, settings, output_table)
    if any(isinstance(t, str) for t in (records, pairs, must_link, cannot_link)):
        raise InputError("cluster_records got a table name but no connection; pass con= or DataFrames")
    own = duckdb.connect()
    try:
        return _cluster(own, records, pairs, must_link, cannot_link, settings, output_table)
    finally:
        own.close()


def _cluster(con: duckdb.DuckDBPyConnection, records: TableInput, pairs: TableInput, must_link: TableInput | None,
             cannot_link: TableInput | None, settings: ClusterSettings, output_table: str | None) -> ClusterResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with _inputs(con) as inputs:
        nodes = _load_nodes(inputs, inputs.name("records", records))
        ml_a, ml_b, ml_ignored = _load_links(inputs, must_link, "must_link", nodes)
        cl_a, cl_b, cl_ignored = _load_links(inputs, cannot_link, "cannot_link", nodes)
        must = None
        if len(ml_a):
            must = inputs.name("must_ints", pa.table({"a": ml_a, "b": ml_b}))
        edges, pairs_name = _load_edges(inputs, pairs, nodes, must, settings.auto_match_probability)
        nid_codes, nid_values = _codes(inputs, nodes, "national_id")
        dob_codes, dob_values = _codes(inputs, nodes, "birth_date")
        ordered: Any = con.sql(f"SELECT unique_id FROM {nodes} ORDER BY idx").to_arrow_table()
        uid = ordered.column("unique_id").combine_chunks()
        n = len(uid)
        timings["load"] = time.perf_counter() - started

        t0 = time.perf_counter()
        ea = np.asarray(edges["a"], np.int64)
        eb = np.asarray(edges["b"], np.int64)
        labels = connected_components(n, ea, eb)
        same_cl = labels[cl_a][labels[cl_a] == labels[cl_b]]
        cand = _candidates(labels, edges, same_cl, nid_codes, dob_codes, settings)
        timings["components"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        evidence = _load_evidence(inputs, pairs_name, nodes, settings.auto_match_probability, labels, cand) \
            if settings.weigh_conflicts and (settings.split_on_national_id or settings.split_on_birth_date) else {}
        timings["evidence"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sizes0 = np.bincount(labels, minlength=n)
    n_components = int((sizes0 > 1).sum())
    cuts: list[Cut] = []
    conflicts: list[MustLinkConflict] = []
    split = 0
    if len(cand):
        split, cuts, conflicts = _split(labels, cand, ea, eb, edges, cl_a, cl_b, nid_codes, nid_values,
                                        dob_codes, dob_values, uid, settings, evidence)
    timings["split"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    assignments = pa.table({"unique_id": uid, "cluster_id": uid.take(pa.array(labels))})
    counts = np.bincount(labels, minlength=n)
    sizes, freq = np.unique(counts[counts > 0], return_counts=True)
    big = np.flatnonzero(counts > settings.max_cluster_size)
    oversized = tuple(OversizedCluster(str(uid[int(i)].as_py()), int(counts[i])) for i in big.tolist())
    if output_table is not None:
        view = f"__mdm_cluster_out_{uuid.uuid4().hex[:10]}"
        register(con, view, assignments)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {output_table} AS SELECT * FROM {view}")
        finally:
            con.unregister(view)
    timings["output"] = time.perf_counter() - t0
    report = ClusterReport(
        n_records=n, n_clusters=int((counts > 0).sum()), n_singletons=int((counts == 1).sum()),
        size_distribution={int(s): int(f) for s, f in zip(sizes.tolist(), freq.tolist(), strict=True)},
        components=n_components, components_split=split, cuts=tuple(cuts), must_link_conflicts=tuple(conflicts),
        oversized=oversized, max_cluster_size=settings.max_cluster_size,
        constraints_ignored=ml_ignored + cl_ignored, seconds=time.perf_counter() - started, timings=timings,
    )
    return ClusterResult(assignments=assignments, report=report)


def _split(labels: IntArray, cand: IntArray, ea: IntArray, eb: IntArray, edges: dict[str, Any],
           cl_a: IntArray, cl_b: IntArray, nid_codes: IntArray, nid_values: list[str], dob_codes: IntArray,
           dob_values: list[str], uid: pa.Array, settings: ClusterSettings,
           evidence: dict[int, dict[tuple[int, int], float]] | None = None,
           ) -> tuple[int, list[Cut], list[MustLinkConflict]]:
    """Run the splitter on every candidate component; relabel ``labels`` in place."""
    chosen = np.zeros(len(labels), bool)
    chosen[cand] = True
    node_idx = np.flatnonzero(chosen[labels])
    node_order, node_bounds = _slices(labels[node_idx])
    nodes_sorted = node_idx[node_order].tolist()
    edge_idx = np.flatnonzero(chosen[labels[ea]])
    edge_order, edge_bounds = _slices(labels[ea[edge_idx]])
    sel = edge_idx[edge_order]
    e_a, e_b = ea[sel].tolist(), eb[sel].tolist()
    e_w = np.asarray(edges["w"], np.float64)[sel].tolist()
    e_p = np.asarray(edges["p"], np.float64)[sel].tolist()
    e_m = np.asarray(edges["must"], bool)[sel].tolist()
    cl_idx = np.flatnonzero(chosen[labels[cl_a]] & (labels[cl_a] == labels[cl_b]))
    cl_order, cl_bounds = _slices(labels[cl_a[cl_idx]])
    c_sel = cl_idx[cl_order]
    c_a, c_b = cl_a[c_sel].tolist(), cl_b[c_sel].tolist()
    nid_list, dob_list = nid_codes.tolist(), dob_codes.tolist()

    split = 0
    relabel_nodes: list[int] = []
    relabel_to: list[int] = []
    cut_edges: list[tuple[Edge, str]] = []
    ml_conflicts: list[tuple[Edge, tuple[int, int]]] = []
    for label in cand.tolist():
        lo, hi = node_bounds[label]
        members = nodes_sorted[lo:hi]
        elo, ehi = edge_bounds.get(label, (0, 0))
        clo, chi = cl_bounds.get(label, (0, 0))
        comp = Component(
            nodes=members,
            edges=[Edge(e_a[k], e_b[k], e_w[k], e_p[k], e_m[k]) for k in range(elo, ehi)],
            cannot_link=list(zip(c_a[clo:chi], c_b[clo:chi], strict=True)),
            national_id={x: nid_values[nid_list[x]] for x in members if nid_list[x] >= 0},
            birth_date={x: dob_values[dob_list[x]] for x in members if dob_list[x] >= 0},
            evidence=(evidence or {}).get(label, {}),
        )
        result = split_component(comp, settings)
        if len(result.groups) > 1:
            split += 1
            for group in result.groups:
                relabel_nodes.extend(group)
                relabel_to.extend([group[0]] * len(group))
        cut_edges.extend(result.cuts)
        ml_conflicts.extend(result.must_link_conflicts)
    labels[np.asarray(relabel_nodes, np.int64)] = np.asarray(relabel_to, np.int64)
    # look up only the ids that are reported, in one vectorised take
    wanted = sorted({x for e, _ in cut_edges for x in (e.a, e.b)}
                    | {x for e, (c, d) in ml_conflicts for x in (e.a, e.b, c, d)})
    name = dict(zip(wanted, uid.take(pa.array(wanted, pa.int64())).to_pylist(), strict=True))
    cuts = [Cut(name[e.a], name[e.b], e.probability, e.weight, reason) for e, reason in cut_edges]
    conflicts = [MustLinkConflict(name[e.a], name[e.b], name[c], name[d]) for e, (c, d) in ml_conflicts]
    return split, cuts, conflicts
