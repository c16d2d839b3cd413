"""The standardise stage over tables: cache, keys, name parts, regions, flags, findings."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdm.config import Dictionary
from mdm.standardise.base import Context
from mdm.standardise.keys import KEY_SQL, key_sql
from mdm.standardise.registry import get
from mdm.standardise.stage import standardise

REAL_WORLD = {
    "phone": ["(415) 555-2671", "415.555.2671", "2024561111.0", " +12024561111.00 ", "\t2024561111.0\n",
              "+1 415 555 2671", "1-415-555-2671", "+44 20 7946 0958",
              "0049 221 4405074", "555-1234 x12", "415 555 2671 ext. 9", "1-800-FLOWERS", "12", "  4155552671  ",
              "0/0", "0 0", "(1) 2"],
    "email": [" John.Smith+news@GMail.com ", "ANN@ACME.IO", "bad@", "none@none.com", "Zoë@exämple.de"],
    "address": ["123 North Main Street Apt 4B", "123  n.  main st.", "PO Box 12", "One World Trade Center",
                "Lindenstraße 55", "广州市朝阳区建国路81号", "Calle Mayor 5, 3º B", "深圳市南山区科技路１２号"],
    "city": ["new  york", "San Francisco", "münchen"],
    "state": ["Calif.", "new york", "ny", "Bavaria"],
    "country": ["u.s.a.", "Deutschland", "中国", "United  Kingdom"],
    "postal_code": ["2134", "94105-1234", "sw1a 1aa", "k1a0b6"],
    "full_name": ["SMITH, John", "Dr. Jane Q. Doe", "JOHN  SMITH JR.", "王小明", "WANG, Xiaoming", "O'BRIEN, Mary-Kate",
                  "Mr. and Mrs. John Smith", "N/A", "José ÁLVAREZ", "SHEN Peng", "Peng  SHEN", "Peng\nSHEN",
                  "Zhang Wei", "O'B Pat", "DR Li Na"],
    "person_name": ["Bobby", "BOBBY", "McDonald", "O'Neil", "DR", "Zoë", "unknown"],
    "company": ["ACME, Inc.", "Smith & Sons LLC", "THE HOME DEPOT", "N/A", "Müller GmbH"],
    "national_id": ["123-45-6789", "123 45 6789", "ab-12.cd", "078-05-1120", "---", "X" * 1200 + "-" * 300,
                    "1" * 990 + "-" * 20, "110105491231002", "11010519491231002x"],
}


def _key(std_name: str, value: str) -> str | None:
    con = duckdb.connect()
    row = con.execute(f"SELECT nullif({key_sql(std_name, '$1')}, '')", [value]).fetchone()
    return None if row is None else row[0]


@pytest.mark.parametrize(("std_name", "value"), [(k, v) for k, vs in REAL_WORLD.items() for v in vs])
def test_cache_key_does_not_change_the_result(std_name: str, value: str) -> None:
    for region in ("US", "DE", "GB", "CN"):
        ctx = Context(default_region=region)
        f = get(std_name).func
        assert f(_key(std_name, value), ctx) == f(value, ctx)


@settings(max_examples=150, deadline=None)
@given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
       std_name=st.sampled_from(sorted(KEY_SQL)))
def test_cache_key_property(value: str, std_name: str) -> None:
    f = get(std_name).func
    assert f(_key(std_name, value), Context()) == f(value, Context())


def _table(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    con.register("_in_df", pd.DataFrame(rows))
    con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM _in_df")
    con.unregister("_in_df")


def test_stage_end_to_end(dictionary: Dictionary) -> None:
    con = duckdb.connect()
    _table(con, [
        {"k": 1, "source": "crm", "first_name": "Bobby", "last_name": "SMITH", "full_name": None,
         "phone": "(415) 555-2671", "country": "US", "email": "Bob@Acme.io", "birth_date": "1980-01-31"},
        {"k": 2, "source": "legacy", "first_name": None, "last_name": None, "full_name": "WANG, Xiaoming",
         "phone": "021 6234 5678", "country": "China", "email": "bad@", "birth_date": "31.01.1980"},
        {"k": 3, "source": "legacy", "first_name": None, "last_name": None, "full_name": "王小明",
         "phone": "415.555.2671", "country": None, "email": "x@acme.io", "birth_date": "30.02.1980"},
    ])
    con.execute("CREATE TABLE flags AS SELECT 1 AS k, 'email' AS attribute")
    contexts = {"crm": Context(default_region="US", date_formats=("%Y-%m-%d",)),
                "legacy": Context(default_region="US", date_formats=("%d.%m.%Y",))}
    first = standardise(con, "t", "k", dictionary, contexts, source_column="source", flags="flags")
    cur = con.execute("SELECT * FROM _std ORDER BY k")
    names = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    assert rows[1]["first_name"] == "bobby" and rows[1]["first_name__nickname_canonical"] == "robert"
    assert rows[1]["phone"] == "+14155552671"
    assert rows[1]["email"] is None  # validation flagged it: left out of matching
    assert rows[2]["first_name"] == "xiaoming" and rows[2]["last_name"] == "wang"  # split from full_name
    assert rows[2]["phone"] == "+862162345678"  # read in the record's own country, not the source's
    assert rows[3]["last_name"] == "王" and rows[3]["first_name"] == "小明"  # CJK passes through
    assert rows[3]["phone"] == "+14155552671"  # no country: the source's region
    assert rows[2]["birth_date"] == "1980-01-31"  # the source's day-first format
    assert rows[3]["birth_date"] is None and rows[3]["birth_date__valid"] is False
    findings = set(con.execute("SELECT key, attribute, code FROM _std_findings").fetchall())
    assert (3, "birth_date", "date.impossible") in findings
    assert (2, "email", "email.syntax") in findings
    assert first.new_values > 0
    again = standardise(con, "t", "k", dictionary, contexts, source_column="source", flags="flags")
    assert again.new_values == 0 and again.cached_values == first.new_values + first.cached_values


def _stage_output(workers: int, rows: list[dict[str, object]], dictionary: Dictionary) -> tuple[list[tuple], ...]:
    con = duckdb.connect()
    _table(con, rows)
    contexts = {"crm": Context(default_region="US", date_formats=("%Y-%m-%d",)),
                "legacy": Context(default_region="GB", date_formats=("%d.%m.%Y",))}
    standardise(con, "t", "k", dictionary, contexts, source_column="source", workers=workers)
    return (con.execute("SELECT * FROM _std ORDER BY k").fetchall(),
            con.execute("SELECT * FROM _std_findings ORDER BY ALL").fetchall(),
            *(con.execute(f"SELECT * FROM {t} ORDER BY ctx, raw").fetchall()
              for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'std_cache__%' "
                                      "ORDER BY 1").fetchall()))


def test_pool_gives_the_serial_result(dictionary: Dictionary, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks on the fork pool, several standardisers queued at once: the same tables as one process."""
    import mdm.standardise.stage as stage
    import mdm.standardise.workers as workers

    streets = ["Main Street", "N Oak Ave", "Elm St Apt 4", "Pine Road", "PO Box"]
    rows = [{"k": i, "source": "crm" if i % 3 else "legacy", "first_name": ["Bob", None, "Ann", "J."][i % 4],
             "last_name": ["Smith", None, "O'Brien"][i % 3], "full_name": [None, "Dr. Jane Q. Doe", "LI, Wei"][i % 3],
             "phone": f"(415) 555-{i % 97:04d}" if i % 5 else f"+44 20 7946 {i % 89:04d}",
             "street_address": f"{i % 61} {streets[i % 5]}", "country": ["US", "GB", None, "Deutschland"][i % 4],
             "email": f"user{i % 71}@Example{i % 3}.com", "birth_date": f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}",
             "company_name": ["Acme Inc.", "ACME, Inc", None][i % 3], "postal_code": f"{i % 999:05d}"}
            for i in range(600)]
    serial = _stage_output(1, rows, dictionary)
    monkeypatch.setattr(stage, "PARALLEL_MIN_VALUES", 10)
    monkeypatch.setattr(workers, "_CHUNK", 7)
    assert _stage_output(2, rows, dictionary) == serial


def test_caches_hold_each_value_once(dictionary: Dictionary, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches have no key constraint: repeated stages, values shared by attributes of one
    standardiser (Lee as first and last name) and chunks on the pool still add each pair once."""
    import mdm.standardise.stage as stage
    import mdm.standardise.workers as workers

    monkeypatch.setattr(stage, "PARALLEL_MIN_VALUES", 10)
    monkeypatch.setattr(workers, "_CHUNK", 7)
    con = duckdb.connect()
    names = ["Lee", "Jordan", "Taylor", "Morgan", "Ann"]
    contexts = {"crm": Context(default_region="US"), "legacy": Context(default_region="GB")}

    def rows(n: int) -> list[dict[str, object]]:
        return [{"k": i, "source": "crm" if i % 2 else "legacy", "first_name": names[i % 5],
                 "last_name": names[(i + 1) % 5], "middle_name": names[(i + 2) % 5],
                 "full_name": f"{names[i % 5]} {names[(i + 3) % 5]}", "phone": f"415555{i % 50:04d}",
                 "email": f"u{i % 40}@x.io"} for i in range(n)]

    first = second = None
    for n in (40, 120):
        _table(con, rows(n))
        result = standardise(con, "t", "k", dictionary, contexts, source_column="source", workers=2)
        first, second = (result, second) if first is None else (first, result)
    assert first is not None and second is not None and second.cached_values > 0 and second.new_values > 0
    caches = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                        "WHERE table_name LIKE 'std_cache__%'").fetchall()]
    assert {"std_cache__person_name", "std_cache__phone", "std_cache__email"} <= set(caches)
    for table in caches:
        total, distinct = con.execute(f"SELECT count(*), count(DISTINCT (ctx, raw)) FROM {table}").fetchone()
        assert total == distinct > 0, table
    assert con.execute("SELECT count(*), count(DISTINCT k) FROM _std").fetchone() == (120, 120)


def test_shared_workers_keep_one_pool_across_stages(dictionary: Dictionary, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside shared_workers() every stage uses one pool (warm worker caches), with the serial
    result; the pool is closed when the block ends, and a stage outside it makes its own."""
    import mdm.standardise.stage as stage
    import mdm.standardise.workers as workers

    rows = [{"k": i, "source": "crm", "first_name": ["Bob", "Ann", "Li"][i % 3], "last_name": "Smith",
             "phone": f"(415) 555-{i:04d}", "street_address": f"{i} Main Street Apt {i % 7}",
             "email": f"u{i}@x.io"} for i in range(60)]
    contexts = {"crm": Context(default_region="US")}

    def run(n: int) -> list[tuple]:
        con = duckdb.connect()
        _table(con, rows[:n])
        standardise(con, "t", "k", dictionary, contexts, source_column="source", workers=2)
        return con.execute("SELECT * FROM _std ORDER BY k").fetchall()

    serial = [run(30), run(60)]
    monkeypatch.setattr(stage, "PARALLEL_MIN_VALUES", 10)
    monkeypatch.setattr(workers, "_CHUNK", 4)
    pools = []
    original = workers._new_pool

    def counted(workers: int):  # type: ignore[no-untyped-def]
        pools.append(original(workers))
        return pools[-1]

    monkeypatch.setattr(workers, "_new_pool", counted)
    with stage.shared_workers():
        shared = [run(30), run(60)]
        assert workers._SharedPool.pool is pools[0]
    assert shared == serial and len(pools) == 1
    assert workers._SharedPool.pool is None  # closed with the block
    assert run(30) == serial[0] and len(pools) == 2  # outside: a pool of its own


def test_context_hash_is_rebuilt_after_pickling() -> None:
    """Context caches its hash; a pickled copy (another process) recomputes it, and copies and
    replacements stay equal to, and hash like, a freshly made Context."""
    import copy
    import dataclasses
    import datetime as dt
    import pickle

    ctx = Context(default_region=" gb ", date_formats=("%d.%m.%Y",), today=dt.date(2026, 1, 2), is_birth_date=True)
    for other in (pickle.loads(pickle.dumps(ctx)), copy.copy(ctx), copy.deepcopy(ctx),
                  dataclasses.replace(ctx, default_region=" gb ")):
        assert other == ctx and hash(other) == hash(ctx) and other.region == "GB"
    moved = dataclasses.replace(ctx, default_region="us")
    assert moved.region == "US" and moved != ctx
    assert {ctx: 1}[Context(default_region=" gb ", date_formats=("%d.%m.%Y",), today=dt.date(2026, 1, 2),
                            is_birth_date=True)] == 1


def test_old_caches_are_rebuilt_not_trusted(dictionary: Dictionary) -> None:
    """A cache made by an older mdm (fewer address fields, or an older version of a standardiser's
    rules) is dropped and refilled: its rows would lack the new parts or carry the old reading."""
    from mdm.standardise.schema import CACHE_VERSIONS

    con = duckdb.connect()
    con.execute("CREATE TABLE std_cache__address (ctx VARCHAR, raw VARCHAR, value VARCHAR, valid BOOLEAN, "
                "reason VARCHAR, number VARCHAR)")
    con.execute("INSERT INTO std_cache__address VALUES ('DE|||', 'HAUPTSTRASSE 12', 'HAUPTSTRASSE 12', true, "
                "NULL, NULL)")
    con.execute("CREATE TABLE std_cache__gender (ctx VARCHAR, raw VARCHAR, value VARCHAR, valid BOOLEAN, "
                "reason VARCHAR)")
    con.execute("INSERT INTO std_cache__gender VALUES ('|||', 'm', 'M', true, NULL)")
    _table(con, [{"k": 1, "source": "erp", "street_address": "Hauptstraße 12", "gender": "m"}])
    standardise(con, "t", "k", dictionary, {"erp": Context(default_region="DE")}, source_column="source")
    row = con.execute("SELECT street_address__number, street_address__street_name FROM _std").fetchone()
    assert row == ("12", "HAUPT")
    assert con.execute("SELECT count(*) FROM std_cache__gender").fetchone() == (1,)  # same fields, version 1: kept
    versions = dict(con.execute("SELECT name, version FROM std_versions").fetchall())
    assert versions["address"].startswith(f"{CACHE_VERSIONS['address']}:value,valid,reason,")
    # a second stage trusts the cache it made
    again = standardise(con, "t", "k", dictionary, {"erp": Context(default_region="DE")}, source_column="source")
    assert again.new_values == 0


def test_a_source_with_han_names_reads_pinyin_family_first(dictionary: Dictionary) -> None:
    """"Zhang Wei" in a source that also carries 张伟 (or whose region is CN) splits family name first;
    in a US source without Han names it stays in western order."""
    con = duckdb.connect()
    names = [("crm", "张伟"), ("crm", "Zhang Wei"), ("web", "Zhang Wei"), ("erp", "Zhang Wei"), ("web", "SHEN Peng")]
    _table(con, [{"k": k, "source": s, "full_name": n} for k, (s, n) in enumerate(names, 1)])
    contexts = {"crm": Context(default_region="US"), "web": Context(default_region="US"),
                "erp": Context(default_region="CN")}
    standardise(con, "t", "k", dictionary, contexts, source_column="source")
    got = {k: (f, la) for k, f, la in con.execute("SELECT k, first_name, last_name FROM _std").fetchall()}
    assert got == {1: ("伟", "张"), 2: ("wei", "zhang"), 3: ("zhang", "wei"), 4: ("wei", "zhang"), 5: ("peng", "shen")}


_DYING: dict[str, object] = {}


def _dies_in_a_worker(name: str, ctx_key: str, values):  # type: ignore[no-untyped-def]
    """workers._apply_chunk, except that a pool worker given phones dies as a segfault would
    (no exception, no result); module level so the pool can pickle it by name."""
    import os

    if os.getpid() != _DYING["parent"] and name == "phone":
        os._exit(1)
    return _DYING["original"](name, ctx_key, values)  # type: ignore[operator]


def test_a_worker_that_dies_costs_time_not_the_run(dictionary: Dictionary, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A standardise worker killed mid-stage (a crash in a library it runs, the OOM killer) breaks
    the pool; its chunks, and any the stage still had to give it, are standardised in the parent,
    with a warning, and the output is the serial one. The next stage gets a fresh pool."""
    import os

    import mdm.standardise.stage as stage
    import mdm.standardise.workers as workers

    rows = [{"k": i, "source": "crm", "first_name": ["Bob", "Ann", "Li", "Zoë"][i % 4], "last_name": f"Smith{i % 9}",
             "phone": f"(415) 555-{i:04d}", "email": f"u{i}@x.io"} for i in range(80)]
    contexts = {"crm": Context(default_region="US")}

    def run() -> list[tuple]:
        con = duckdb.connect()
        _table(con, rows)
        standardise(con, "t", "k", dictionary, contexts, source_column="source", workers=2)
        return con.execute("SELECT * FROM _std ORDER BY k").fetchall()

    serial = run()
    original = workers._apply_chunk
    _DYING["parent"], _DYING["original"] = os.getpid(), original
    monkeypatch.setattr(stage, "PARALLEL_MIN_VALUES", 10)
    monkeypatch.setattr(workers, "_CHUNK", 7)
    monkeypatch.setattr(workers, "_apply_chunk", _dies_in_a_worker)
    with caplog.at_level("WARNING", logger="mdm.standardise.workers"), stage.shared_workers():
        assert run() == serial
        assert any("standardise worker stopped" in r.getMessage() for r in caplog.records)
        monkeypatch.setattr(workers, "_apply_chunk", original)
        assert run() == serial  # the broken shared pool was replaced
