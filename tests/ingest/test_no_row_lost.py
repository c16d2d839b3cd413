"""Property: for arbitrary CSV content every row is accepted or quarantined, exactly once."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdm.config import Dictionary, SourceMapping
from mdm.ingest.stage import stage_file

MARK = "Ⓘ"
cell = st.text(alphabet=st.characters(blacklist_characters=MARK, blacklist_categories=("Cs",)), max_size=12)
row = st.tuples(st.booleans(), st.lists(cell, min_size=3, max_size=3), st.integers(min_value=-1, max_value=1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=25), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       crlf=st.booleans())
def test_rows_read_equals_accepted_plus_quarantined(rows: list[tuple[bool, list[str], int]], delimiter: str,
                                                    crlf: bool, dictionary: Dictionary,
                                                    make_mapping: Callable[..., SourceMapping]) -> None:
    mapping = make_mapping(updated_at_column=None, delimiter=delimiter)
    buf = io.StringIO()
    terminator = "\r\n" if crlf else "\n"
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=terminator)
    # csv only quotes a bare CR when CR is part of the line terminator; a well-formed file quotes it
    quote_all = csv.writer(buf, delimiter=delimiter, lineterminator=terminator, quoting=csv.QUOTE_ALL)
    writer.writerow(["id", "name", "mail", "dob"])
    ids = []
    for i, (has_id, cells, ragged) in enumerate(rows):
        rid = f"{MARK}{i}{MARK}" if has_id else ""
        ids.append(rid or f"anon{i}")
        fields = [rid, *cells]
        if ragged > 0:
            fields.append("extra")
        elif ragged < 0:
            fields = fields[:-1]
        (quote_all if any("\r" in f for f in fields) else writer).writerow(fields)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.csv"
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        con = duckdb.connect()
        staged = stage_file(con, path, mapping, dictionary)
        accepted = [r[0] for r in con.execute(
            "SELECT source_id FROM _mapped WHERE _row NOT IN (SELECT _row FROM _quarantine WHERE _row IS NOT NULL)"
        ).fetchall()]
        quarantined_text = " ".join(str(r[0]) for r in con.execute(
            "SELECT coalesce(raw_row, '') FROM _quarantine").fetchall())
        q_rows = con.execute("SELECT count(*) FROM _quarantine").fetchone()
    assert staged.rows_read == staged.rows_accepted + staged.rows_quarantined
    assert q_rows is not None and staged.rows_quarantined == q_rows[0]
    assert staged.rows_accepted == len(accepted)
    # every id'd row is somewhere, and never twice among the accepted
    counts = Counter(accepted)
    assert all(n == 1 for n in counts.values())
    seen_in_quarantine = Counter(re.findall(f"{MARK}\\d+{MARK}", quarantined_text))
    for rid in ids:
        if rid.startswith(MARK):
            assert counts[rid.strip()] + seen_in_quarantine[rid] >= 1, f"row {rid} lost"
    # rows the writer made structurally sound and with an id are accepted
    for rid, (has_id, _cells, ragged) in zip(ids, rows, strict=True):
        if has_id and ragged == 0:
            assert counts[rid] == 1
    assert staged.rows_read == len(rows)
