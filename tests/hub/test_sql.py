"""One way to quote SQL names and constants (issue 17.4): mdm/hub/sql.py, checked against DuckDB
itself, and no other module writes its own quoting."""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from mdm.hub.sql import ident, literal

ROOT = Path(__file__).resolve().parents[2]
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_a_literal_reads_back_as_the_same_text(text: str) -> None:
    con = duckdb.connect()
    assert con.execute(f"SELECT {literal(text)}").fetchone() == (text,)


@settings(max_examples=100, deadline=None)
@given(TEXT.filter(lambda s: s.strip() != ""))
def test_an_identifier_names_exactly_that_column(name: str) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({ident(name)} INTEGER)")
    con.execute(f"INSERT INTO t ({ident(name)}) VALUES (1)")
    assert [d[0] for d in con.execute("SELECT * FROM t").description] == [name]


def test_no_other_module_quotes_sql_itself() -> None:
    quoting = ("replace('\"', '\"\"')", 'replace("\'", "\'\'")')   # the two quoting idioms
    found = [str(p.relative_to(ROOT)) for folder in ("mdm", "bench") for p in (ROOT / folder).rglob("*.py")
             if p != ROOT / "mdm" / "hub" / "sql.py" and any(q in p.read_text(encoding="utf-8") for q in quoting)]
    assert not found, f"quote SQL with mdm.hub.sql.ident / literal: {found}"
