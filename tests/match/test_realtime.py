"""Real-time matching on a small hub built by the real pipeline: it agrees with batch to
1e-6, finds a known duplicate's golden record first, finds nothing for a new person,
and survives hostile input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mdm import pipeline
from mdm.config import BUNDLED_ROOT, Project, load_project
from mdm.demo.generator import generate
from mdm.match import realtime
from mdm.match.features import feature_sql
from mdm.match.realtime import (
    Matcher,
    add_match_keys,
    decide,
    key_expressions,
    probability,
    refresh_match_keys,
)
from mdm.match.repair import recovered
from mdm.standardise.record import RecordStandardiser, standardise_record

SOURCES = ("crm", "erp", "web", "legacy")


def _write_project(folder: Path, sample: Path) -> Path:
    lines = ["hub: hub.duckdb", "sources:"]
    for name in SOURCES:
        data = next(p for p in sample.iterdir() if p.stem == name and p.suffix != ".yaml")
        shutil.copyfile(data, folder / data.name)
        shutil.copyfile(BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml", folder / f"{name}.yaml")
        lines += [f"  - mapping: {name}.yaml", f"    path: {data.name}"]
    (folder / "mdm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "mdm.yaml"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    sample = tmp_path_factory.mktemp("sample")
    generate(sample, n_records=800, seed=11)
    folder = tmp_path_factory.mktemp("hub")
    project = load_project(_write_project(folder, sample))
    pipeline.run(project)
    con = duckdb.connect(str(project.hub))
    try:
        assert refresh_match_keys(con, project.match_rules) > 0
    finally:
        con.close()
    return project, project.hub


@pytest.fixture(scope="module")
def con(hub: tuple[Project, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(hub[1]))
    yield c
    c.close()


@pytest.fixture(scope="module")
def matcher(hub: tuple[Project, Path], con: duckdb.DuckDBPyConnection) -> Matcher:
    return Matcher.load(con, hub[0], standardiser=RecordStandardiser.for_project(hub[0], con))


def _std_row(con: duckdb.DuckDBPyConnection, unique_id: str) -> dict[str, Any]:
    source, _, source_id = unique_id.partition(":")
    cur = con.execute("SELECT * FROM record_std WHERE source = ? AND source_id = ?", [source, source_id])
    names = [d[0] for d in cur.description or []]
    row = cur.fetchone()
    assert row is not None
    return dict(zip(names, row, strict=True))


def _raw_row(con: duckdb.DuckDBPyConnection, unique_id: str) -> dict[str, Any]:
    source, _, source_id = unique_id.partition(":")
    cur = con.execute("SELECT * FROM record WHERE source = ? AND source_id = ?", [source, source_id])
    names = [d[0] for d in cur.description or []]
    row = cur.fetchone()
    assert row is not None
    skip = {"source", "source_id", "batch_id", "row_number", "updated_at", "ingested_at"}
    return {k: v for k, v in zip(names, row, strict=True) if k not in skip and v is not None}


def test_match_keys_cover_every_blocking_rule(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    rules = {r[0] for r in con.execute("SELECT DISTINCT rule FROM match_key").fetchall()}
    assert rules == {b.label for b in matcher.compiled.blocking}
    # a batch pair of the review or match band shares at least one key (blocking is the same)
    missing = con.execute("""
        SELECT count(*) FROM match_pair p WHERE NOT EXISTS (
            SELECT 1 FROM match_key a JOIN match_key b ON a.rule = b.rule AND a.key = b.key
            WHERE a.unique_id = p.unique_id_l AND b.unique_id = p.unique_id_r)""").fetchone()
    assert missing == (0,)


def test_scores_agree_with_batch(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    """Every batch pair re-scored in real time: same match weight (1e-6) and the same explanation."""
    pairs = con.execute("SELECT unique_id_l, unique_id_r, match_weight, match_probability, explanation "
                        "FROM match_pair ORDER BY unique_id_l, unique_id_r").fetchall()
    assert len(pairs) > 100
    for uid_l, uid_r, weight, prob, expl in pairs:
        feats, _ = matcher.features_of(_std_row(con, uid_l), uid_l, _raw_row(con, uid_l))
        assert _hub_features(matcher, uid_l) == {c: feats.get(c) for c in matcher.columns}, uid_l
        [(uid, rt_weight, rt_expl)] = matcher.score(feats, [uid_r])
        assert uid == uid_r
        assert rt_weight == pytest.approx(weight, abs=1e-6), (uid_l, uid_r)
        assert probability(rt_weight) == pytest.approx(prob, abs=1e-9)
        if expl is None:
            continue   # below the review band batch keeps no explanation; the weight agreed above
        batch = json.loads(expl)
        assert [(e["comparison"], e["level"], e["gamma"]) for e in rt_expl] == \
            [(e["comparison"], e["level"], e["gamma"]) for e in batch]
        for a, b in zip(rt_expl, batch, strict=True):
            assert a["weight"] == pytest.approx(b["weight"], abs=1e-6)


def _hub_features(matcher: Matcher, unique_id: str) -> dict[str, object]:
    row = matcher._row[unique_id]
    return {c: matcher._features.column(c)[row].as_py() for c in matcher.columns}


def test_incoming_records_are_repaired_like_batch(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    """Every hub record sent as an incoming one (standardised row plus the raw record) gets the
    features and blocking keys batch gave it, repairs included (romanised Han names, split
    whole names, postal codes recovered from one-line addresses)."""
    ids = [r[0] for r in con.execute("SELECT source || ':' || source_id FROM record_std ORDER BY 1").fetchall()]
    stored: dict[str, set[str]] = {}
    for uid, key in con.execute("SELECT unique_id, key FROM match_key").fetchall():
        stored.setdefault(uid, set()).add(key)
    differ, keys_differ = [], []
    for u in ids:
        feats, keys = matcher.features_of(_std_row(con, u), u, _raw_row(con, u))
        if _hub_features(matcher, u) != {c: feats.get(c) for c in matcher.columns}:
            differ.append(u)
        if set(keys.values()) != stored.get(u, set()):
            keys_differ.append(u)
    assert differ == []
    assert keys_differ == []
    # the repairs were exercised: some hub records' features differ from the plain (unrepaired) SQL
    cols = [r[0] for r in con.execute("DESCRIBE record_std").fetchall()]
    cur = con.execute(feature_sql(matcher.compiled.columns, matcher.rules, "record_std", cols))
    names = [d[0] for d in cur.description or []]
    plain = {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    repaired = [u for u in ids if {c: plain[u][c] for c in matcher.columns} != _hub_features(matcher, u)]
    assert repaired, "no record of the sample needed a repair"


def test_match_finds_every_batch_pair_partner(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    """Candidate lookup through match_key finds what Splink's blocking found (same probability)."""
    pairs = con.execute("SELECT unique_id_l, unique_id_r, match_probability FROM match_pair "
                        "WHERE band <> 'low' ORDER BY 1, 2 LIMIT 200").fetchall()
    for uid_l, uid_r, prob in pairs:
        source, _, source_id = uid_l.partition(":")
        result = matcher.match(con, _std_row(con, uid_l), source=source, source_id=source_id, limit=1000,
                               standardised=True, raw=_raw_row(con, uid_l))
        got = {c.unique_id: c.match_probability for c in result.records}
        assert uid_l not in got
        assert got[uid_r] == pytest.approx(prob, abs=1e-6)


def test_standardise_record_reproduces_record_std(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    """Raw values from ``record`` standardised one at a time give record_std's match features."""
    ids = [r[0] for r in con.execute(
        "SELECT source || ':' || source_id FROM record_std s WHERE NOT EXISTS (SELECT 1 FROM record_flag f "
        "WHERE f.source = s.source AND f.source_id = s.source_id) ORDER BY 1 LIMIT 150").fetchall()]
    assert ids
    reader = matcher.standardiser
    assert isinstance(reader, RecordStandardiser)
    for uid in ids:
        source = uid.partition(":")[0]
        std = standardise_record(_raw_row(con, uid), reader.dictionary, reader.context_for(source))
        rt, rt_keys = matcher.features_of(std, uid)
        batch, batch_keys = matcher.features_of(_std_row(con, uid), uid)
        assert rt == batch, uid
        assert rt_keys == batch_keys


HOSTILE_NAMES = ["", " ", "Ünïcødé Ærøskøbing", "İstanbul ǅemal", "o'brien--smith  jr.", "ß straße", "🙂 emoji 🙃",
                 "\u0301combining first", "a\u0301e\u0300", "Ｆｕｌｌｗｉｄｔｈ", "李 小龍", "محمد علي", "ǈ ǋ ǲ",
                 "x" * 2000, "١٢٣ arabic digits", "tab\tand\nnewline", "Ⅻ roman numeral", "ﬁ ligature"]


ODD_RECORDS = [("王刚", None, None), ("kenneth richter", None, None), ("李 小龍", "", None),
               ("Maria", None, "14 MAPLE TRL, GLENDALE, AZ 85301"), (None, "Cox", "9 High St, Leeds LS1 4DY"),
               ("Ann", "Lee", "430310 武汉市洪山区"), ("张", "伟", "1 Main St, Toronto, ON M5V 2T6")]


ODD_EMAIL_NAMES = [
    ("amy", None, "amycarter91"),
    (None, "Wilson", "marcus.wilson"),
    ("Élodie", " ", "elodie_martin"),
    ("amy", None, "a.c"),
    ("amy lee", None, "amy.lee"),  # a whole name in first_name: split, not read from the address
    (None, None, "john.smith"),
    ("王刚", None, "wang.gang"),
    ("bob", "jones", "bob.jones"),
]


def test_features_of_equal_the_batch_sql_on_odd_strings(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    """Odd and hostile names and one-line addresses: real-time features and keys equal the batch SQL
    (``recovered`` + ``feature_sql`` + the key expressions) over a table of the same records."""
    first = con.execute("SELECT source || ':' || source_id FROM record_std ORDER BY 1").fetchone()
    assert first is not None
    base = _std_row(con, str(first[0]))
    rows: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for i, (a, b) in enumerate(zip(HOSTILE_NAMES, reversed(HOSTILE_NAMES), strict=True)):
        std = {**base, "first_name": a, "last_name": b, "phone": a, "postal_code": b[:5],
               "street_address__number": a or None, "birth_date": b}
        rows.append((f"t:h{i}", std, {"street_address": a + ", " + b}))
    for i, (first, last, line) in enumerate(ODD_RECORDS):
        std = {**base, "first_name": first, "last_name": last, "postal_code": None}
        rows.append((f"t:o{i}", std, {"street_address": line}))
    # one name part and an e-mail address that spells both: the other part is read from it
    for i, (first, last, local) in enumerate(ODD_EMAIL_NAMES):
        std = {**base, "first_name": first, "last_name": last, "email__local": local}
        rows.append((f"t:e{i}", std, {"street_address": None}))
    std_cols = con.execute("DESCRIBE record_std").fetchall()
    mem = duckdb.connect()
    try:
        mem.execute("CREATE TABLE record_std (" + ", ".join(f'"{c}" {t}' for c, t, *_ in std_cols) + ")")
        mem.execute("CREATE TABLE record (source VARCHAR, source_id VARCHAR, street_address VARCHAR)")
        names = [str(c[0]) for c in std_cols]
        for uid, std, raw in rows:
            src, _, sid = uid.partition(":")
            mem.execute(f"INSERT INTO record_std VALUES ({', '.join('?' * len(names))})",
                        [{"source": src, "source_id": sid}.get(c, std.get(c)) for c in names])
            mem.execute("INSERT INTO record VALUES (?, ?, ?)", [src, sid, raw["street_address"]])
        key_cols = ", ".join(f'{e} AS "key:{k}"' for k, e in key_expressions(matcher.compiled.blocking).items())
        with recovered(mem, "record_std") as source:
            sql = feature_sql(matcher.compiled.columns, matcher.rules, source, names)
            cur = mem.execute(f"SELECT *, {key_cols} FROM ({sql})")
            cols = [d[0] for d in cur.description or []]
            batch = {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
    finally:
        mem.close()
    assert matcher.use_python_features
    for uid, std, raw in rows:
        want = batch[uid]
        for feats, keys in (matcher.features_of(std, uid, raw), matcher.sql_features_of(std, uid, raw)):
            assert feats == {c: v for c, v in want.items() if not c.startswith("key:")}, (uid, std["first_name"])
            assert keys == {c[4:]: v for c, v in want.items() if c.startswith("key:") and v is not None}, uid
    # the odd records were repaired: the Han name compares as pinyin, the whole name was split,
    # the postal codes came back from the lines
    assert batch["t:o0"]["first_name_key"] == "wanggang"
    assert batch["t:o3"]["postal_area"] == "85301"  # the postal code (US: postal_area is the postal code)
    assert batch["t:o1"]["last_name_key"] == "richter"
    assert batch["t:e0"]["last_name_key"] == "carter"
    assert batch["t:e1"]["first_name_key"] == "marcus"
    assert batch["t:e2"]["last_name_key"] == "martin"
    assert batch["t:e3"]["last_name_key"] is None  # initials only: nothing to read


def test_a_mirror_that_disagrees_with_batch_is_not_used(hub: tuple[Project, Path], con: duckdb.DuckDBPyConnection,
                                                       matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """Matcher.load checks the Python mirror on the hub's own records and falls back to the batch SQL."""
    assert matcher.check_python_features(con)
    monkeypatch.setattr(realtime.mirror, "py_postal_from_line", lambda line: None)   # a mirror gone stale
    assert not matcher.check_python_features(con)
    stale = Matcher.load(con, hub[0], standardiser=RecordStandardiser.for_project(hub[0], con))
    assert not stale.use_python_features
    uid = con.execute("SELECT source || ':' || source_id FROM record_std s WHERE postal_code IS NULL AND EXISTS "
                      "(SELECT 1 FROM record r WHERE r.source = s.source AND r.source_id = s.source_id AND "
                      "regexp_matches(r.street_address, '\\d{5}\\s*$')) ORDER BY 1 LIMIT 1").fetchone()
    assert uid is not None
    feats, _ = stale.features_of(_std_row(con, uid[0]), uid[0], _raw_row(con, uid[0]))
    assert feats["postal_area"] is not None
    assert {c: feats.get(c) for c in stale.columns} == _hub_features(stale, uid[0])


def test_keys_of_huge_blocks_are_not_looked_up(hub: tuple[Project, Path], con: duckdb.DuckDBPyConnection,
                                               matcher: Matcher) -> None:
    """A key shared by more than ``max_block`` records costs no lookup; below it, every member is found."""
    row = con.execute("SELECT key, count(*) AS n FROM match_key GROUP BY key ORDER BY n DESC, key LIMIT 1").fetchone()
    assert row is not None and row[1] >= 3
    key, n = str(row[0]), int(row[1])
    members = {str(u) for (u,) in con.execute("SELECT unique_id FROM match_key WHERE key = ?", [key]).fetchall()}
    assert not matcher.huge_keys   # the defaults cap nothing on a small hub
    ids, found = matcher.candidates(con, {"rule": key})
    assert set(ids) == members and found == n
    capped = Matcher.load(con, hub[0], max_block=n - 1,
                          standardiser=RecordStandardiser.for_project(hub[0], con))
    assert key in capped.huge_keys
    assert capped.candidates(con, {"rule": key}) == ([], 0)
    other = con.execute("SELECT key FROM match_key GROUP BY key HAVING count(*) = 2 ORDER BY key LIMIT 1").fetchone()
    assert other is not None   # keys of ordinary blocks are still looked up
    assert capped.candidates(con, {"rule": key, "other": str(other[0])})[1] == 2


def test_known_duplicate_finds_its_golden_record_first(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    # a customer with two source records in one golden record: send one of them (as raw values,
    # from another system, with a typo in the first name) and expect the golden record first
    row = con.execute("""
        SELECT x.source, x.source_id, x.golden_id FROM xref x
        JOIN (SELECT golden_id FROM xref WHERE valid_to IS NULL GROUP BY 1 HAVING count(*) >= 2) g USING (golden_id)
        WHERE x.valid_to IS NULL ORDER BY x.golden_id, x.source, x.source_id LIMIT 1""").fetchone()
    assert row is not None
    source, source_id, golden_id = row
    rec = _raw_row(con, f"{source}:{source_id}")
    result = matcher.match(con, rec, source=source)
    assert result.goldens, "no candidates"
    assert result.goldens[0].golden_id == golden_id
    assert result.goldens[0].match_probability >= matcher.thresholds.auto_match
    assert decide(result, matcher.thresholds).action == "attach"
    top = result.goldens[0].to_dict()
    assert top["explanation"][0]["comparison"] == "prior"
    assert sum(e["weight"] for e in top["explanation"]) == pytest.approx(top["match_weight"], abs=1e-9)


def test_new_person_finds_nothing_above_review(con: duckdb.DuckDBPyConnection, matcher: Matcher) -> None:
    rec = {"first_name": "Zebulon", "last_name": "Quackenbush-Ytterberg", "birth_date": "1931-02-17",
           "email": "zq.unique.person@example.org", "phone": "907-555-0199", "street_address": "1 Nowhere Loop",
           "city": "Nome", "state": "AK", "postal_code": "99762", "country": "US"}
    result = matcher.match(con, rec, source="crm")
    low = matcher.thresholds.review[0]
    assert all(g.match_probability < low for g in result.goldens)
    assert decide(result, matcher.thresholds).action == "create"


@pytest.mark.parametrize("record", [
    {},
    {"first_name": None, "email": ""},
    {"first_name": "x" * 10_000, "last_name": "y" * 10_000, "email": ("a" * 10_000) + "@example.com"},
    {"first_name": "🙂🙃", "last_name": "🔥" * 50, "street_address": "🏠 12 Main St", "phone": "☎️ 555"},
    {"first_name": "Robert'); DROP TABLE match_key;--", "last_name": "O'Brien \\ \" \x00 \u202e"},
    {"birth_date": "not a date", "postal_code": "?????", "country": "Atlantis", "unknown_attribute": 5},
    {"first_name": 12345, "last_name": ["a", "list"], "birth_date": 19800101},
])
def test_hostile_input_does_not_crash(con: duckdb.DuckDBPyConnection, matcher: Matcher,
                                      record: dict[str, Any]) -> None:
    result = matcher.match(con, record)
    json.dumps(result.to_dict())
    assert result.candidates_scored <= matcher.max_candidates
    assert con.execute("SELECT count(*) FROM match_key").fetchone() != (0,)


def test_add_records_makes_a_new_record_findable(hub: tuple[Project, Path], con: duckdb.DuckDBPyConnection,
                                                 matcher: Matcher) -> None:
    # copy an existing record whose postal code batch recovered from its one-line address under a new
    # id into record and record_std, add its keys and features: repaired like the original
    uid = con.execute("SELECT source || ':' || source_id FROM record_std s WHERE postal_code IS NULL AND EXISTS "
                      "(SELECT 1 FROM record r WHERE r.source = s.source AND r.source_id = s.source_id AND "
                      "regexp_matches(r.street_address, '\\d{5}\\s*$')) ORDER BY 1 LIMIT 1").fetchone()
    assert uid is not None
    src, _, sid = uid[0].partition(":")
    new = f"{src}:RT-NEW-1"
    for table in ("record_std", "record"):
        con.execute(f"CREATE TEMP TABLE _copy AS SELECT * FROM {table} WHERE source = ? AND source_id = ?", [src, sid])
        con.execute("UPDATE _copy SET source_id = 'RT-NEW-1'")
        con.execute(f"INSERT INTO {table} SELECT * FROM _copy")
        con.execute("DROP TABLE _copy")
    try:
        assert add_match_keys(con, [new], hub[0].match_rules) > 0
        assert matcher.add_records(con, [new]) == 1
        assert _hub_features(matcher, new)["postal_area"] is not None
        assert _hub_features(matcher, new) == _hub_features(matcher, uid[0])
        keys = {k for u, k in con.execute("SELECT unique_id, key FROM match_key WHERE unique_id IN (?, ?)",
                                          [uid[0], new]).fetchall() if u == new}
        assert keys == {k for (k,) in con.execute("SELECT key FROM match_key WHERE unique_id = ?", [uid[0]]).fetchall()}
        result = matcher.match(con, _std_row(con, uid[0]), source=src, source_id=sid, standardised=True,
                               raw=_raw_row(con, uid[0]), limit=1000)
        assert new in {c.unique_id for c in result.records}
    finally:
        for table in ("record_std", "record"):
            con.execute(f"DELETE FROM {table} WHERE source = ? AND source_id = 'RT-NEW-1'", [src])
        con.execute("DELETE FROM match_key WHERE unique_id = ?", [new])


def test_refresh_joins_the_callers_transaction(hub: tuple[Project, Path], con: duckdb.DuckDBPyConnection) -> None:
    before = con.execute("SELECT count(*), sum(hash(rule, key, unique_id)) FROM match_key").fetchall()
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM match_key")
    assert refresh_match_keys(con, hub[0].match_rules, own_transaction=False) == before[0][0]
    con.execute("DELETE FROM match_key")
    con.execute("ROLLBACK")  # the caller's rollback undoes the refresh too
    assert con.execute("SELECT count(*), sum(hash(rule, key, unique_id)) FROM match_key").fetchall() == before


def test_large_blocks_are_looked_up_only_within_the_row_budget(hub: tuple[Project, Path],
                                                               con: duckdb.DuckDBPyConnection) -> None:
    """Keys of small blocks are always looked up; larger ones smallest first while their rows stay
    within LOOKUP_ROWS_PER_CANDIDATE x max_candidates (a lookup's cost grows with the rows it reads)."""
    from mdm.match.realtime.matcher import LOOKUP_ROWS_PER_CANDIDATE, SMALL_BLOCK

    fresh = Matcher.load(con, hub[0], max_candidates=20, standardiser=RecordStandardiser.for_project(hub[0], con))
    budget = LOOKUP_ROWS_PER_CANDIDATE * 20   # 80 rows: one small block (counted at 20) and mid fit, big does not
    rows = con.execute("SELECT key, count(*) AS n FROM match_key GROUP BY key HAVING count(*) >= 2 "
                       "ORDER BY n DESC, key LIMIT 3").fetchall()
    (big, _), (mid, _), (small, n_small) = rows
    fresh.block_sizes = {big: budget, mid: SMALL_BLOCK + 1}   # as a hub with these blocks would have them
    assert fresh._within_budget([big, mid, small]) == [small, mid]   # big would overrun the budget
    members = {str(u) for (u,) in con.execute("SELECT unique_id FROM match_key WHERE key IN (?, ?)",
                                              [small, mid]).fetchall()}
    ids, found = fresh.candidates(con, {"a": big, "b": mid, "c": small})
    assert set(ids) <= members and found == len(members) and n_small >= 2
    fresh.block_sizes = {}
    assert set(fresh._within_budget([big, mid, small])) == {big, mid, small}   # small blocks: all looked up
