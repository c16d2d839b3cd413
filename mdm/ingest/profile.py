"""Profiling: per-attribute statistics of a staged source, computed in DuckDB.

Works on the ``_mapped`` and ``_findings`` temp tables that :func:`mdm.ingest.stage.stage_file`
leaves behind and returns a JSON-ready document::

    {"source", "file", "rows", "generated_at", "attributes": [{"attribute", "count", "nulls",
     "blanks", "null_rate", "blank_rate", "missing_rate", "distinct", "uniqueness",
     "duplicate_rate", "min_length", "max_length", "mean_length", "invalid", "invalid_rate",
     "top_values": [[value, n], ...], "patterns": [[shape, n], ...],
     "invalid_reasons": [[code, n], ...],  (code "a+b": a value with both; the n add up to invalid)
     "worst_values": [[value, codes, n, an example source_id], ...]}, ...],  (most frequent invalid values)
     "worst_records": [{"source_id", "row", "flagged", "quarantined",
                        "values": [{"attribute", "value", "codes"}, ...]}, ...]}  (most flagged values first)

Invalid values are the findings other than ``*.missing``, as the ``invalid`` counts; worst records
count them per record (one per attribute), rows quarantined for other reasons included and marked.
Values of the attributes in ``mask`` are masked in top values, worst values and worst records alike.

Patterns are character shapes: upper-case ASCII letter -> ``A``, lower-case -> ``a``, digit -> ``9``,
any non-ASCII character (é, CJK) -> ``L``, everything else kept, truncated to 40 characters.
Attributes with more than PATTERN_SAMPLE distinct values get their patterns from a
deterministic hash sample of them (``patterns_sample_share`` says how much).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from mdm.hub.sql import ident, literal
from mdm.pii import mask

TOP_N = 10
#: patterns are computed over at most this many distinct values per attribute (a
#: deterministic hash sample beyond it; counts stay weighted by occurrences)
PATTERN_SAMPLE = 100_000


def profile_staged(con: duckdb.DuckDBPyConnection, attributes: list[str], *, source: str, file: str,
                   mask: set[str] | None = None) -> dict[str, Any]:
    """Profile ``_mapped`` over ``attributes``; values of attributes in ``mask`` are masked in top values."""
    mask = mask or set()
    rows_row = con.execute("SELECT count(*) FROM _mapped").fetchone()
    rows = int(rows_row[0]) if rows_row else 0
    doc: dict[str, Any] = {"source": source, "file": file, "rows": rows,
                           "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           "attributes": []}
    if not attributes:
        return doc
    unpivot_cols = ", ".join(ident(a) for a in attributes)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _pvals AS
            SELECT attribute, value, count(*) AS n FROM (
                UNPIVOT (SELECT {unpivot_cols} FROM _mapped) ON {unpivot_cols}
                INTO NAME attribute VALUE value)
            GROUP BY attribute, value"""
    )
    stats = {r[0]: r[1:] for r in con.execute(
        """SELECT attribute,
                  sum(n) FILTER (WHERE trim(value) = '') AS blanks,
                  count(*) FILTER (WHERE trim(value) <> '') AS distinct_values,
                  sum(n) FILTER (WHERE trim(value) <> '') AS nonblank,
                  sum(n) FILTER (WHERE trim(value) <> '' AND n > 1) AS repeated,
                  min(length(value)) FILTER (WHERE trim(value) <> ''),
                  max(length(value)) FILTER (WHERE trim(value) <> ''),
                  sum(length(value) * n) FILTER (WHERE trim(value) <> '')
                    / nullif(sum(n) FILTER (WHERE trim(value) <> ''), 0)
           FROM _pvals GROUP BY attribute"""
    ).fetchall()}
    top: dict[str, list[list[Any]]] = {}
    # max_by(..., (n, value)) keeps a small heap per attribute (no sort of every distinct value);
    # the value in the key makes ties at the cut-off deterministic
    for attr, pairs in con.execute(
        f"""SELECT attribute, max_by(struct_pack(v := value, n := n), struct_pack(n := n, v := value), {TOP_N})
            FROM _pvals
            WHERE trim(value) <> '' GROUP BY attribute"""
    ).fetchall():
        ranked = sorted(((p["v"], int(p["n"])) for p in pairs), key=lambda x: (-x[1], x[0]))
        top[attr] = [[_mask(v) if attr in mask else v, n] for v, n in ranked]
    patterns: dict[str, list[list[Any]]] = {}
    rates = {a: min(1.0, PATTERN_SAMPLE / max(1, int(st[1] or 0))) for a, st in stats.items()}
    rate_case = " ".join(f"WHEN {literal(a)} THEN {int(r * 1_000_000)}" for a, r in rates.items())
    for attr, pairs in con.execute(
        f"""WITH shapes AS (
                SELECT attribute, n, translate(value,
                        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
                        'AAAAAAAAAAAAAAAAAAAAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaa9999999999') AS shape
                FROM _pvals WHERE trim(value) <> ''
                  AND hash(value) % 1000000 < (CASE attribute {rate_case or "WHEN '' THEN 0"} ELSE 1000000 END)),
            grouped AS (
                -- non-ASCII characters (bytes > chars) are rare: only those values pay for a regex
                SELECT attribute, left(CASE WHEN strlen(shape) = length(shape) THEN shape
                                            ELSE regexp_replace(shape, '[^\\x00-\\x7F]', 'L', 'g') END, 40) AS shape,
                       sum(n) AS n
                FROM shapes GROUP BY ALL)
            SELECT attribute, max_by(struct_pack(s := shape, n := n), struct_pack(n := n, s := shape), {TOP_N})
            FROM grouped GROUP BY attribute"""
    ).fetchall():
        ranked = sorted(((p["s"], int(p["n"])) for p in pairs), key=lambda x: (-x[1], x[0]))
        patterns[attr] = [[sh, n] for sh, n in ranked]
    invalid: dict[str, int] = {}
    reasons: dict[str, list[list[Any]]] = {}
    for attr, code, n in con.execute(
        # one entry per invalid value: a value with several codes counts once, under all of them
        # joined by '+', so an attribute's reasons add up to its invalid count
        """SELECT attribute, codes, count(*) FROM (
               SELECT attribute, _row, string_agg(DISTINCT code, '+' ORDER BY code) AS codes FROM _findings
               WHERE code NOT LIKE '%.missing' GROUP BY attribute, _row)
           GROUP BY attribute, codes ORDER BY attribute, 3 DESC, codes"""
    ).fetchall():
        reasons.setdefault(attr, []).append([code, int(n)])
    for attr, n in con.execute(
        "SELECT attribute, count(DISTINCT _row) FROM _findings WHERE code NOT LIKE '%.missing' GROUP BY attribute"
    ).fetchall():
        invalid[attr] = int(n)
    # where to fix: the most frequent invalid values of each attribute, with their codes and rows
    worst: dict[str, list[list[Any]]] = {}
    for attr, value, codes, n, first in con.execute(
        f"""SELECT attribute, value, codes, count(*) AS n, min(source_id) AS example_id FROM (
                SELECT f.attribute, f._row, any_value(f.value) AS value, any_value(m.source_id) AS source_id,
                       string_agg(DISTINCT f.code, '+' ORDER BY f.code) AS codes
                FROM _findings f LEFT JOIN _mapped m USING (_row)
                WHERE f.code NOT LIKE '%.missing' AND f.value IS NOT NULL GROUP BY f.attribute, f._row)
            GROUP BY attribute, value, codes
            QUALIFY row_number() OVER (PARTITION BY attribute ORDER BY n DESC, value) <= {WORST_VALUES}
            ORDER BY attribute, n DESC, value"""
    ).fetchall():
        worst.setdefault(attr, []).append([_mask(value) if attr in mask else value, codes, int(n),
                                           None if first is None else str(first)])
    doc["worst_records"] = _worst_records(con, attributes, mask)
    con.execute("DROP TABLE _pvals")

    for attr in attributes:
        rate = rates.get(attr, 1.0)
        blanks, distinct, nonblank, repeated, mn, mx, mean = stats.get(attr, (0, 0, 0, 0, None, None, None))
        blanks, distinct, nonblank, repeated = (int(x or 0) for x in (blanks, distinct, nonblank, repeated))
        nulls = rows - blanks - nonblank
        bad = invalid.get(attr, 0)
        doc["attributes"].append({
            "attribute": attr,
            "count": nonblank,
            "nulls": nulls,
            "blanks": blanks,
            "null_rate": _rate(nulls, rows),
            "blank_rate": _rate(blanks, rows),
            "missing_rate": _rate(nulls + blanks, rows),
            "distinct": distinct,
            "uniqueness": _rate(distinct, nonblank),
            "duplicate_rate": _rate(nonblank - distinct, nonblank),
            "repeated_value_rate": _rate(repeated, nonblank),
            "min_length": mn,
            "max_length": mx,
            "mean_length": round(float(mean), 2) if mean is not None else None,
            "invalid": bad,
            "invalid_rate": _rate(bad, nonblank),
            "top_values": top.get(attr, []),
            "patterns": patterns.get(attr, []),
            "patterns_sample_share": round(rate, 6),
            "invalid_reasons": reasons.get(attr, []),
            "worst_values": worst.get(attr, []),
        })
    return doc


#: invalid values listed per attribute ("worst values"): the most frequent first
WORST_VALUES = 10
#: records listed per source ("worst records"): the most flagged values first
WORST_RECORDS = 10


def _worst_records(con: duckdb.DuckDBPyConnection, attributes: list[str], mask: set[str]) -> list[dict[str, Any]]:
    """The records with the most invalid values, each with its values and reason codes (file order on ties)."""
    order = {a: i for i, a in enumerate(attributes)}
    out: list[dict[str, Any]] = []
    for row, source_id, n, quarantined, values in con.execute(
        f"""WITH flagged AS (
                SELECT _row, attribute, any_value(value) AS value,
                       string_agg(DISTINCT code, '+' ORDER BY code) AS codes
                FROM _findings WHERE code NOT LIKE '%.missing' GROUP BY _row, attribute),
            worst AS (
                SELECT _row, count(*) AS n FROM flagged GROUP BY _row ORDER BY n DESC, _row LIMIT {WORST_RECORDS})
            SELECT w._row, any_value(m.source_id), any_value(w.n),
                   any_value(w._row IN (SELECT _row FROM _quarantine WHERE _row IS NOT NULL)),
                   list(struct_pack(a := f.attribute, v := f.value, c := f.codes))
            FROM worst w JOIN flagged f USING (_row) LEFT JOIN _mapped m USING (_row)
            GROUP BY w._row ORDER BY any_value(w.n) DESC, w._row"""
    ).fetchall():
        cells = sorted(values, key=lambda v: (order.get(v["a"], len(order)), v["a"]))
        out.append({
            "source_id": None if source_id is None else str(source_id), "row": int(row), "flagged": int(n),
            "quarantined": bool(quarantined),
            "values": [{"attribute": v["a"],
                        "value": None if v["v"] is None else (_mask(v["v"]) if v["a"] in mask else str(v["v"])),
                        "codes": v["c"]} for v in cells],
        })
    return out



def _rate(n: int, d: int) -> float:
    return round(n / d, 6) if d else 0.0


def _mask(value: object) -> str:
    """A PII top value as every hub answer masks it (:func:`mdm.pii.mask`)."""
    return mask(str(value)) or ""
