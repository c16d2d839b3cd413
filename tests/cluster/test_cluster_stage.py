"""Constrained clustering: steward links, identifier conflicts, weak bridges, determinism."""

from __future__ import annotations

import time

import duckdb
import numpy as np
import pandas as pd
import pytest

from mdm.cluster import ClusterSettings, cluster_records
from mdm.errors import InputError


def _records(ids: list[str], nid: dict[str, str] | None = None, dob: dict[str, str] | None = None) -> pd.DataFrame:
    nid, dob = nid or {}, dob or {}
    return pd.DataFrame({"unique_id": ids, "national_id": [nid.get(i) for i in ids],
                         "birth_date": [dob.get(i) for i in ids]})


def _pairs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    p = np.array([r[2] for r in rows], dtype=float)
    return pd.DataFrame({"unique_id_l": [r[0] for r in rows], "unique_id_r": [r[1] for r in rows],
                         "match_probability": p, "match_weight": np.log2(p / (1 - p))})


def _links(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"unique_id_l": [r[0] for r in rows], "unique_id_r": [r[1] for r in rows]})


def _clusters(result: object) -> dict[str, str]:
    frame = result.to_pandas()  # type: ignore[attr-defined]
    return dict(zip(frame["unique_id"], frame["cluster_id"], strict=True))


def _groups(mapping: dict[str, str]) -> set[frozenset[str]]:
    out: dict[str, set[str]] = {}
    for uid, cid in mapping.items():
        out.setdefault(cid, set()).add(uid)
    return {frozenset(g) for g in out.values()}


def test_singletons_and_cluster_id_is_smallest_member() -> None:
    recs = _records(["crm:3", "crm:1", "web:9", "erp:5"])
    result = cluster_records(recs, _pairs([("crm:3", "web:9", 0.99), ("crm:1", "erp:5", 0.5)]))
    got = _clusters(result)
    assert got == {"crm:1": "crm:1", "crm:3": "crm:3", "erp:5": "erp:5", "web:9": "crm:3"}
    assert result.report.n_singletons == 2
    assert result.report.size_distribution == {1: 2, 2: 1}
    assert list(result.assignments.column("unique_id").to_pylist()) == sorted(got)


def test_cannot_link_splits_along_weakest_edge() -> None:
    # a - b strong, b - c weaker, c - d strong; steward says a and d are different people
    recs = _records(["a", "b", "c", "d"])
    pairs = _pairs([("a", "b", 0.999), ("b", "c", 0.96), ("c", "d", 0.999)])
    result = cluster_records(recs, pairs, cannot_link=_links([("d", "a")]))
    assert _groups(_clusters(result)) == {frozenset("ab"), frozenset("cd")}
    assert [(c.unique_id_l, c.unique_id_r, c.reason) for c in result.report.cuts] == [("b", "c", "cannot_link")]
    assert result.report.components_split == 1


def test_cannot_link_never_co_clustered_random() -> None:
    rng = np.random.default_rng(11)
    ids = [f"s:{i:03d}" for i in range(120)]
    rows = [(ids[a], ids[b], float(p)) for a, b, p in zip(rng.integers(0, 120, 400), rng.integers(0, 120, 400),
                                                          rng.uniform(0.95, 0.9999, 400), strict=True) if a != b]
    cannot = [(ids[a], ids[b]) for a, b in zip(rng.integers(0, 120, 60), rng.integers(0, 120, 60), strict=True)
              if a != b]
    must = [(ids[a], ids[b]) for a, b in zip(rng.integers(0, 120, 30), rng.integers(0, 120, 30), strict=True)
            if a != b]
    result = cluster_records(_records(ids), _pairs(rows), must_link=_links(must), cannot_link=_links(cannot))
    got = _clusters(result)
    assert all(got[a] != got[b] for a, b in cannot)
    dropped = {(c.unique_id_l, c.unique_id_r) for c in result.report.must_link_conflicts}
    for a, b in must:
        if (min(a, b), max(a, b)) not in dropped:
            assert got[a] == got[b]


def test_must_link_joins_records_without_a_pair_and_survives_conflicts() -> None:
    recs = _records(["a", "b", "c"], nid={"a": "111-11-1111", "b": "999-99-9999"})
    result = cluster_records(recs, _pairs([("b", "c", 0.99)]), must_link=_links([("a", "b")]))
    # steward's must-link wins over the identifier conflict
    assert _groups(_clusters(result)) == {frozenset("abc")}


def test_must_link_is_never_cut_as_a_weak_bridge() -> None:
    recs = _records(["a1", "a2", "b1", "b2"])
    pairs = _pairs([("a1", "a2", 0.999), ("b1", "b2", 0.999), ("a2", "b1", 0.96)])
    assert len(_groups(_clusters(cluster_records(recs, pairs)))) == 2  # the weak bridge is cut
    result = cluster_records(recs, pairs, must_link=_links([("a2", "b1")]))
    assert len(_groups(_clusters(result))) == 1


def test_must_link_against_cannot_link_cannot_wins_and_is_reported() -> None:
    recs = _records(["a", "b", "c"])
    result = cluster_records(recs, _pairs([]), must_link=_links([("a", "b"), ("b", "c")]),
                             cannot_link=_links([("a", "c")]))
    got = _clusters(result)
    assert got["a"] != got["c"]
    assert got["a"] == got["b"]  # must-links are applied in id order; the one that closes the conflict goes
    conflicts = result.report.must_link_conflicts
    assert [(c.unique_id_l, c.unique_id_r, c.cannot_link_l, c.cannot_link_r) for c in conflicts] == [
        ("b", "c", "a", "c")]


def test_family_chain_is_split_into_people() -> None:
    """Parent, child and the child's twin: same surname and address, high bridge edges."""
    ids = ["crm:p", "web:p", "crm:c", "erp:c", "crm:t", "web:t"]
    recs = _records(
        ids,
        nid={"crm:c": "222-33-4444", "erp:c": "222334444", "crm:t": "555-66-7777"},
        dob={"crm:p": "1962-04-18", "crm:c": "1995-03-04", "erp:c": "1995-04-03", "crm:t": "1995-03-04",
             "web:t": "1995-03-04"},
    )
    pairs = _pairs([
        ("crm:p", "web:p", 0.998),  # the parent's two records
        ("crm:c", "erp:c", 0.999),  # the child's two records (day/month swapped in ERP)
        ("crm:t", "web:t", 0.997),  # the twin's two records
        ("web:p", "crm:c", 0.985),  # parent's web sign-up has no dob: bridges to the child
        ("web:p", "erp:c", 0.97),
        ("erp:c", "crm:t", 0.99),  # twins: same birth date, surname, address
        ("crm:c", "web:t", 0.975),
    ])
    result = cluster_records(recs, pairs)
    assert _groups(_clusters(result)) == {
        frozenset({"crm:p", "web:p"}), frozenset({"crm:c", "erp:c"}), frozenset({"crm:t", "web:t"})}
    plain = cluster_records(recs, pairs, settings=ClusterSettings(
        split_on_national_id=False, split_on_birth_date=False, weak_bridges=False))
    assert len(_groups(_clusters(plain))) == 1  # what plain connected components would do
    # parent | child: birth dates far apart; child | twin: same birth date, different national ids
    assert result.report.cuts_by_reason == {"birth_date": 2, "national_id": 2}


def test_birth_date_typo_does_not_split() -> None:
    recs = _records(["a", "b"], dob={"a": "1985-03-12", "b": "1958-03-12"})
    assert _groups(_clusters(cluster_records(recs, _pairs([("a", "b", 0.99)])))) == {frozenset("ab")}


def test_threshold_and_order_independence() -> None:
    rng = np.random.default_rng(2)
    ids = [f"crm:{i:04d}" for i in range(300)]
    dob = {i: f"19{int(rng.integers(40, 99))}-0{int(rng.integers(1, 9))}-1{int(rng.integers(0, 9))}"
           for i in ids if rng.random() < 0.5}
    recs = _records(ids, dob=dob)
    rows = [(ids[a], ids[b], float(p)) for a, b, p in zip(rng.integers(0, 300, 500), rng.integers(0, 300, 500),
                                                          rng.uniform(0.9, 0.9999, 500), strict=True) if a != b]
    pairs = _pairs(rows)
    cannot = _links([(ids[i], ids[i + 7]) for i in range(0, 280, 13)])
    first = _clusters(cluster_records(recs, pairs, cannot_link=cannot))
    for seed in range(3):
        shuffle = np.random.default_rng(seed).permutation
        swapped = pairs.rename(columns={"unique_id_l": "unique_id_r", "unique_id_r": "unique_id_l"})
        again = cluster_records(recs.iloc[shuffle(len(recs))], swapped.iloc[shuffle(len(pairs))],
                                cannot_link=cannot.iloc[shuffle(len(cannot))])
        assert _clusters(again) == first


def test_oversized_clusters_are_flagged() -> None:
    ids = [f"crm:{i:02d}" for i in range(12)]
    rows = [(ids[i], ids[j], 0.999) for i in range(12) for j in range(i + 1, 12)]
    result = cluster_records(_records(ids), _pairs(rows), settings=ClusterSettings(max_cluster_size=10))
    assert [(o.cluster_id, o.size) for o in result.report.oversized] == [("crm:00", 12)]
    assert result.report.to_dict()["n_oversized"] == 1


def test_tables_in_a_connection_and_output_table() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE recs AS SELECT * FROM (VALUES ('a', NULL, NULL), ('b', NULL, NULL)) "
                "t(unique_id, national_id, birth_date)")
    con.execute("CREATE TABLE prs AS SELECT 'a' AS unique_id_l, 'b' AS unique_id_r, 0.99 AS match_probability")
    result = cluster_records("recs", "prs", con=con, output_table="clusters")
    assert con.execute("SELECT unique_id, cluster_id FROM clusters ORDER BY 1").fetchall() == [("a", "a"), ("b", "a")]
    assert result.report.n_clusters == 1
    assert {r[0] for r in con.execute("SHOW TABLES").fetchall()} == {"recs", "prs", "clusters"}


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(InputError, match="duplicate unique_id"):
        cluster_records(_records(["a", "a"]), _pairs([]))
    with pytest.raises(InputError, match="missing from records"):
        cluster_records(_records(["a"]), _pairs([("a", "zz", 0.99)]))
    with pytest.raises(InputError, match="lacks column"):
        cluster_records(_records(["a"]), pd.DataFrame({"unique_id_l": ["a"]}))
    result = cluster_records(_records(["a"]), _pairs([]), cannot_link=_links([("a", "gone")]))
    assert result.report.constraints_ignored == 1


def test_performance_smoke_200k_edges() -> None:
    rng = np.random.default_rng(0)
    n = 150_000
    ids = np.array([f"crm:{i:07d}" for i in range(n)])
    person = np.sort(rng.integers(0, n // 2, n))
    a = rng.integers(0, n - 1, 200_000)
    b = a + 1
    same = person[a] == person[b]
    p = np.where(same, 0.999, 0.96)  # some bridges between neighbouring people
    pairs = pd.DataFrame({"unique_id_l": ids[a], "unique_id_r": ids[b], "match_probability": p})
    dob = np.array([f"19{40 + x % 60:02d}-0{1 + x % 9}-1{x % 10}" for x in person.tolist()], dtype=object)
    dob[rng.random(n) < 0.5] = None
    recs = pd.DataFrame({"unique_id": ids, "national_id": None, "birth_date": dob})
    started = time.perf_counter()
    result = cluster_records(recs, pairs)
    assert time.perf_counter() - started < 10
    assert result.report.n_records == n


def _triangle(x: str) -> list[tuple[str, str, float]]:
    return [(f"{x}1", f"{x}2", 0.9999), (f"{x}2", f"{x}3", 0.9999), (f"{x}1", f"{x}3", 0.9999)]


def test_weak_bridge_between_dense_groups_is_cut() -> None:
    ids = ["a1", "a2", "a3", "b1", "b2", "b3", "c1"]
    rows = [*_triangle("a"), *_triangle("b"), ("a3", "b1", 0.97), ("b3", "c1", 0.96)]
    result = cluster_records(_records(ids), _pairs(rows))
    # a|b is cut (3 and 4 records either side); b|c is not (c1 alone is a weakly linked record, not a group)
    assert _groups(_clusters(result)) == {frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2", "b3", "c1"})}
    assert [(c.unique_id_l, c.unique_id_r, c.reason) for c in result.report.cuts] == [("a3", "b1", "weak_bridge")]
    # two independent weak edges between the groups: no bridge, nothing cut
    both = cluster_records(_records(ids), _pairs([*rows, ("a1", "b2", 0.97)]))
    assert len(_groups(_clusters(both))) == 1
    # a strong single edge is not weak
    strong = cluster_records(_records(ids), _pairs([*_triangle("a"), *_triangle("b"), ("a3", "b1", 0.9999)]))
    assert len(_groups(_clusters(strong))) == 2  # a+b together, c1 alone (no edge)


def test_settings_validate_and_derive_the_weak_bridge_cutoff() -> None:
    from mdm.errors import ConfigError

    assert ClusterSettings(auto_match_probability=0.95).weak_bridge_cutoff == pytest.approx(190 / 191)
    assert ClusterSettings(auto_match_probability=0.99).weak_bridge_cutoff == pytest.approx(990 / 991)
    assert ClusterSettings(weak_bridge_probability=0.97).weak_bridge_cutoff == 0.97
    assert ClusterSettings(weak_bridges=False).weak_bridge_cutoff is None
    with pytest.raises(ConfigError, match="auto_match_probability"):
        ClusterSettings(auto_match_probability=1.5)
    with pytest.raises(ConfigError, match="max_cluster_size"):
        ClusterSettings(max_cluster_size=0)


def test_duckdb_relations_and_subqueries_are_inputs() -> None:
    con = duckdb.connect()
    recs = con.sql("SELECT * FROM (VALUES ('a'), ('b')) t(unique_id)")
    prs = con.sql("SELECT 'a' AS unique_id_l, 'b' AS unique_id_r, 0.99 AS match_probability")
    assert _clusters(cluster_records(recs, prs, con=con)) == {"a": "a", "b": "a"}
    sub = "(SELECT 'b' AS unique_id_l, 'a' AS unique_id_r, 0.99 AS match_probability)"
    assert _clusters(cluster_records(recs, sub, con=con)) == {"a": "a", "b": "a"}


def test_no_cluster_holds_conflicting_identifiers_random() -> None:
    from mdm.cluster import birth_dates_compatible, national_ids_compatible

    rng = np.random.default_rng(21)
    ids = [f"s:{i:03d}" for i in range(200)]
    pool_dob = ["1960-01-02", "1960-01-03", "1960-01-13", "1975-06-30", "1990-12-01", "1990-01-12"]
    pool_nid = ["111-22-3334", "111-22-3335", "111-22-3353", "555-66-7778"]
    dob = {i: pool_dob[int(rng.integers(0, 6))] for i in ids if rng.random() < 0.6}
    nid = {i: pool_nid[int(rng.integers(0, 4))] for i in ids if rng.random() < 0.4}
    rows = [(ids[a], ids[b], float(p)) for a, b, p in zip(rng.integers(0, 200, 700), rng.integers(0, 200, 700),
                                                          rng.uniform(0.95, 0.99999, 700), strict=True) if a != b]
    result = cluster_records(_records(ids, nid=nid, dob=dob), _pairs(rows))
    # values an edge itself joins were weighed by the model (they are not conflicts); any other pair is
    joined_dob = {frozenset((dob[a], dob[b])) for a, b, _ in rows if a in dob and b in dob}
    joined_nid = {frozenset((nid[a], nid[b])) for a, b, _ in rows if a in nid and b in nid}
    for group in _groups(_clusters(result)):
        members = sorted(group)
        for k, x in enumerate(members):
            for y in members[k + 1:]:
                if x in dob and y in dob and frozenset((dob[x], dob[y])) not in joined_dob:
                    assert birth_dates_compatible(dob[x], dob[y]), (x, y)
                if x in nid and y in nid and frozenset((nid[x], nid[y])) not in joined_nid:
                    assert national_ids_compatible(nid[x], nid[y]), (x, y)
    refused = {(c.unique_id_l, c.unique_id_r) for c in result.report.cuts}
    got = _clusters(result)
    assert all(got[a] != got[b] for a, b in refused)  # a refused edge stays cut


def test_an_identifier_difference_the_model_outweighed_is_not_a_split() -> None:
    """Two typos in a national id (or a typo and a swap in a birth date) are weighed by the model: a pair it
    scores above the cut-off stays together, while the same kind of difference between records that no edge
    joins still keeps their groups apart (two people chained through a record without identifiers)."""
    ids = ["a1", "a2", "a3", "b1", "b2", "c"]
    nid = {"a1": "234-56-7891", "a2": "234-56-7891", "a3": "324-56-7981", "b1": "876-54-3219", "b2": "876-54-3219"}
    dob = {"a1": "1980-03-12", "a3": "1981-03-21", "b1": "1982-07-01"}  # a3: a slip in the year, the day swapped
    pairs = [("a1", "a2", 0.99999), ("a1", "a3", 0.9999), ("b1", "b2", 0.99999), ("c", "a2", 0.99999),
             ("c", "b1", 0.99998)]
    result = cluster_records(_records(ids, nid=nid, dob=dob), _pairs(pairs))
    got = _clusters(result)
    assert got["a1"] == got["a2"] == got["a3"]  # a1/a3 differ in id and birth date, but their own pair outweighed it
    assert got["b1"] == got["b2"] != got["a1"]  # a and b were joined only through c: their ids still conflict
    assert got["c"] == got["a1"]  # c joins the side of its strongest edge
    assert {cut.reason for cut in result.report.cuts} <= {"national_id", "birth_date"}


def test_a_conflict_is_weighed_against_the_evidence_across_the_groups() -> None:
    """Birth dates two slips apart (a typo and a swap) join when the records' own scores favour it; household
    members joined by one wrong edge stay apart because their other pairs score as different people."""
    ids = ["x1", "x2", "x3", "h1", "h2", "k1", "k2"]
    dob = {"x1": "1980-03-12", "x3": "1980-08-21", "h1": "1975-06-30", "h2": "1975-06-30",
           "k1": "2004-01-15", "k2": "2004-01-15"}
    pairs = [("x1", "x2", 0.99999), ("x2", "x3", 0.99999), ("x1", "x3", 0.9),  # x1-x3: scored, below the cut
             ("h1", "h2", 0.99999), ("k1", "k2", 0.99999), ("h2", "k1", 0.97),  # one wrong edge in a family
             ("h1", "k1", 0.001), ("h1", "k2", 0.001), ("h2", "k2", 0.002)]
    result = cluster_records(_records(ids, dob=dob), _pairs(pairs))
    got = _clusters(result)
    assert got["x1"] == got["x2"] == got["x3"]
    assert got["h1"] == got["h2"] != got["k1"] == got["k2"]
    vetoed = _clusters(cluster_records(_records(ids, dob=dob), _pairs(pairs),
                                       settings=ClusterSettings(weigh_conflicts=False)))
    assert vetoed["x3"] != vetoed["x1"]  # as a veto, the conflict splits the duplicates

