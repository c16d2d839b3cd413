"""Golden records for stewards and integrations: read, search, xref, conflicts; merge, split
and override.

Reads resolve through :mod:`mdm.survivorship.read`. Changes are steward decisions stored
as data the next run reads, then rebuilt at once (:mod:`mdm.pipeline.scoped`):

- **merge** writes a ``must_link`` between the smallest member of each record;
- **split** writes ``cannot_link`` rows between the split-off records and the rest (and a
  ``must_link`` chain inside the split-off part, so it stays one record);
- **override** adds an active ``attribute_override`` row; deleting it sets ``active`` false.

Every change is reversible by a later decision: a decision removes the earlier link rows
it contradicts (a split removes the ``must_link`` rows crossing it, a merge the
``cannot_link`` rows between the two records), so ``must_link`` / ``cannot_link`` always
hold the decisions in force and the next pipeline run agrees with the server; the removed
rows are kept in the audit entry's ``before``. Changes name the golden ``version`` they
were based on: a stale version is a 409, as for review tasks. Callers run the changing
functions inside the server's write transaction.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Collection
from typing import Any

import duckdb
import pandas as pd

from mdm.config import Dictionary, SourceMapping
from mdm.errors import ConflictError, InputError, NotFoundError
from mdm.hub import search as search_index
from mdm.hub.sql import ident
from mdm.ingest.validate import validate_frame
from mdm.pii import Masker
from mdm.pipeline.scoped import Rebuild, rebuild_scope
from mdm.standardise.names import canonical_given_name
from mdm.stewardship import audit
from mdm.stewardship.auth import Principal
from mdm.stewardship.tasks import record_side, split_unique_id
from mdm.survivorship import golden_as_of, resolve_golden_id

MAX_MEMBERS_SHOWN = 200


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _mask_value(attribute: str | None, value: Any, pii: Collection[str], masked: bool) -> Any:
    """One value as the caller may see it: :mod:`mdm.pii` decides."""
    return Masker.of(pii, masked).value(attribute, value)


def _mask_record(record: dict[str, Any], pii: Collection[str], masked: bool) -> dict[str, Any]:
    return Masker.of(pii, masked).record(record)


def golden_row(con: duckdb.DuckDBPyConnection, golden_id: str) -> dict[str, Any]:
    cur = con.execute("""SELECT golden_id, status, merged_into, version, confidence, member_count, created_at,
                                updated_at, CAST(record AS VARCHAR) AS record FROM golden WHERE golden_id = ?""",
                      [golden_id])
    row = cur.fetchone()
    if row is None:
        raise NotFoundError(f"golden record {golden_id!r} not found", code="golden.not_found")
    out = dict(zip([d[0] for d in cur.description], row, strict=True))
    out["record"] = _loads(out["record"]) or {}
    return out


def members_of(con: duckdb.DuckDBPyConnection, golden_id: str) -> list[str]:
    """The current members (``source:source_id``) of a golden record, sorted."""
    rows = con.execute("""SELECT source || ':' || source_id FROM xref WHERE golden_id = ? AND valid_to IS NULL
                          ORDER BY 1""", [golden_id]).fetchall()
    return [str(r[0]) for r in rows]


def detail(con: duckdb.DuckDBPyConnection, golden_id: str, *, as_of: dt.datetime | None, attributes: list[str],
           pii: Collection[str], masked: bool) -> dict[str, Any]:
    """A golden record (now, or as it was at ``as_of``): attributes, lineage, member source
    records, versions, change events and overrides. ``golden_id`` is not resolved here: the
    caller redirects merged-away ids."""
    row = golden_row(con, golden_id)
    version = golden_as_of(con, golden_id, as_of) if as_of is not None or row["status"] != "merged" else None
    record = (version or {}).get("record") or row["record"]
    view = Masker.of(pii, masked)
    lineage = view.lineage((version or {}).get("lineage") or [])
    members = [str(m) for m in (version or {}).get("members") or []]
    member_sides = [record_side(con, uid, attributes, pii=pii, masked=masked) for uid in members[:MAX_MEMBERS_SHOWN]]
    versions = con.execute("""SELECT version, valid_from, valid_to, status, merged_into, confidence,
                                     json_array_length(members) FROM golden_version WHERE golden_id = ?
                              ORDER BY version DESC LIMIT 100""", [golden_id]).fetchall()
    events = con.execute("""SELECT seq, type, occurred_at, actor, CAST(changes AS VARCHAR), CAST(related AS VARCHAR)
                            FROM golden_event WHERE golden_id = ? ORDER BY seq DESC LIMIT 100""",
                         [golden_id]).fetchall()
    return {
        "golden_id": golden_id, "status": row["status"], "merged_into": row["merged_into"],
        "version": row["version"], "confidence": row["confidence"], "member_count": row["member_count"],
        "created_at": row["created_at"], "updated_at": row["updated_at"], "as_of": as_of,
        "version_shown": (version or {}).get("version", row["version"]),
        "record": view.record({a: record.get(a) for a in attributes if a in record} or dict(record)),
        "lineage": lineage,
        "members": member_sides, "members_total": len(members),
        "versions": [{"version": v[0], "valid_from": v[1], "valid_to": v[2], "status": v[3], "merged_into": v[4],
                      "confidence": v[5], "member_count": v[6]} for v in versions],
        "events": [{"seq": e[0], "type": e[1], "occurred_at": e[2], "actor": e[3],
                    "changes": view.changes(_loads(e[4])), "related": view.tree(_loads(e[5]))}
                   for e in events],
        "overrides": overrides(con, golden_id, pii=pii, masked=masked),
        "masked": view.masked,
    }


def overrides(con: duckdb.DuckDBPyConnection, golden_id: str, *, pii: Collection[str], masked: bool,
              active_only: bool = True) -> list[dict[str, Any]]:
    rows = con.execute(f"""SELECT override_id, golden_id, attribute, value, reason, created_by, created_at, active
                           FROM attribute_override WHERE golden_id = ? {'AND active' if active_only else ''}
                           ORDER BY override_id""", [golden_id]).fetchall()
    return [{"override_id": r[0], "golden_id": r[1], "attribute": r[2],
             "value": _mask_value(r[2], r[3], pii, masked), "reason": r[4], "created_by": r[5], "created_at": r[6],
             "active": r[7]} for r in rows]


# --- search ---------------------------------------------------------------------------

#: at most this many words per filter are looked up
MAX_WORDS = 8
NAME_FIELDS = ("name", "nickname")
#: a nickname's canonical (Bill -> william) counts this much of the word itself
NICKNAME_FACTOR = 0.6
#: a phone number typed with separators (+1 (415) 555-2671) is one word: its digits
_PHONE_RUN = re.compile(r"(?<!\w)\+?\(?\d[\d ().\-]{5,}\d(?!\w)")


def _join_phone_runs(text: str) -> str:
    return _PHONE_RUN.sub(lambda m: re.sub(r"\D", "", m.group()) if len(re.sub(r"\D", "", m.group())) >= 7
                          else m.group(), text)


def _word_groups(con: duckdb.DuckDBPyConnection, text: str | None, fields: tuple[str, ...] | None
                 ) -> list[list[search_index.Term]]:
    """One group per word: a punctuated word (``o'brien``, ``crm:c1``, ``john.smith``) whole
    when some token starts with it, else one group per part; a part (or a given name's
    nickname canonical) matches a token or its start."""
    words = _join_phone_runs(text or "").split()[:MAX_WORDS]
    groups: list[list[search_index.Term]] = []
    for whole, parts in search_index.fold_words(con, words):
        if not whole:
            continue
        if parts != [whole] and search_index.has_prefix(con, whole, fields):
            groups.append([search_index.Term(whole, True, fields)])
            continue
        for part in parts or [whole]:
            terms = [search_index.Term(part, search_index.prefix_ok(part), fields)]
            if part.isalpha() and (fields is None or "nickname" in fields):
                canonical = canonical_given_name(part)
                if canonical != part:
                    terms.append(search_index.Term(canonical, False, NAME_FIELDS, NICKNAME_FACTOR))
            groups.append(terms)
    return groups


def search(con: duckdb.DuckDBPyConnection, *, attributes: list[str], pii: Collection[str], masked: bool,
           q: str | None = None, name: str | None = None, email: str | None = None, phone: str | None = None,
           postal_code: str | None = None, limit: int = 20, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Active golden records matching every given filter, best first, through the search index
    (:mod:`mdm.hub.search`: the golden record's values and every member's raw and standardised
    values, ids, e-mail parts, phone suffixes, nickname canonicals).

    Each word of ``q`` (any field) and ``name`` (the name attributes, nickname-aware: Bill finds
    William) must match a whole token, or the start of one when it has 3 characters or more;
    ``email`` matches the address or its start (with ``@``) else its words; ``phone`` by its
    digits, the whole number or its end (so without country code) or the start of that;
    ``postal_code`` by prefix ignoring spaces and case. Ranked by score (exact over prefix,
    ids and names over other fields, the golden record's own values over a member's, more
    fields matched higher), then golden id. Without filters: every active record by golden id."""
    groups = _word_groups(con, q, None) + _word_groups(con, name, NAME_FIELDS)
    if email is not None and email.strip():
        if "@" in email:
            ((whole, _),) = search_index.fold_words(con, [email.strip()])
            groups.append([search_index.Term(whole, True, ("email",))])
        else:
            groups += _word_groups(con, email, ("email",))
    if phone is not None:
        digits = re.sub(r"\D", "", phone)
        if not digits:
            raise InputError("phone must contain digits", code="golden.search")
        groups.append([search_index.Term(digits, search_index.prefix_ok(digits), ("phone",))])
    if postal_code is not None and postal_code.strip():
        ((folded, _),) = search_index.fold_words(con, [postal_code.replace(" ", "")])
        groups.append([search_index.Term(folded, True, ("postal",))])
    columns = "golden_id, status, version, confidence, member_count, CAST(record AS VARCHAR)"
    if groups:
        # the page's ids and scores from the index alone (it holds active records only), then
        # those records by primary key: no pass over the golden table
        ranked, params = search_index.ranked_sql(groups)
        page = con.execute(f"""WITH ranked AS ({ranked})
                               SELECT golden_id, score, count(*) OVER () FROM ranked
                               ORDER BY score DESC, golden_id LIMIT ? OFFSET ?""", [*params, limit, offset]).fetchall()
        if page:
            total = int(page[0][2])
        else:
            row = con.execute(f"WITH ranked AS ({ranked}) SELECT count(*) FROM ranked", params).fetchone()
            total = int(row[0]) if row else 0
        marks = ", ".join("?" for _ in page)
        fetched = {r[0]: r for r in con.execute(
            f"SELECT {columns} FROM golden WHERE golden_id IN ({marks}) AND status = 'active'",
            [p[0] for p in page]).fetchall()} if page else {}
        rows = [(*fetched[gid], score) for gid, score, _ in page if gid in fetched]
    else:
        rows = [(*r, None) for r in con.execute(f"""SELECT {columns} FROM golden WHERE status = 'active'
                                                   ORDER BY golden_id LIMIT ? OFFSET ?""", [limit, offset]).fetchall()]
        row = con.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone()
        total = int(row[0]) if row else 0
    found = [{"golden_id": r[0], "status": r[1], "version": r[2], "confidence": r[3], "member_count": r[4],
              "record": _mask_record(_loads(r[5]) or {}, pii, masked),
              "score": round(float(r[6]), 3) if r[6] is not None else None} for r in rows]
    return found, total


def xref(con: duckdb.DuckDBPyConnection, source: str, source_id: str) -> dict[str, Any]:
    """The golden record of one source record now (resolved through merges) and its history."""
    rows = con.execute("""SELECT golden_id, valid_from, valid_to FROM xref WHERE source = ? AND source_id = ?
                          ORDER BY valid_from DESC, golden_id""", [source, source_id]).fetchall()
    current = next((r for r in rows if r[2] is None), None)
    if current is None:
        raise NotFoundError(f"no golden record for {source}:{source_id}", code="xref.not_found")
    resolved = resolve_golden_id(con, str(current[0]))
    return {"source": source, "source_id": source_id, "golden_id": resolved,
            "resolved_from": str(current[0]) if resolved != current[0] else None,
            "history": [{"golden_id": r[0], "valid_from": r[1], "valid_to": r[2]} for r in rows]}


# --- conflicts ------------------------------------------------------------------------

def conflicts(con: duckdb.DuckDBPyConnection, *, attributes: list[str], pii: Collection[str], masked: bool,
              attribute: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Active golden records whose member records disagree on an attribute: one row per (golden
    record, attribute) with its version, each value and the member records that assert it.

    Values are compared as standardised, with case, accents and spacing folded away
    (``González`` and ``gonzalez`` are one value, not a conflict); each value lists the spellings
    folded into it and ``raw``, the first asserting record's own value as its source wrote it:
    what "use this value" makes the golden value (through the validated override)."""
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    cols = [a for a in attributes if a in have and (attribute is None or a == attribute)]
    if not cols:
        return [], 0
    raw_have = {r[0] for r in con.execute("DESCRIBE record").fetchall()}
    select = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in cols)
    raw_select = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" if c in raw_have
                           else f"CAST(NULL AS VARCHAR) AS {ident(c)}" for c in cols)
    on = ", ".join(ident(c) for c in cols)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gc_values AS
        SELECT x.golden_id, g.version, u.attribute, u.value, u.source || ':' || u.source_id AS unique_id,
               nullif(trim(regexp_replace(strip_accents(lower(u.value)), '\\s+', ' ', 'g')), '') AS folded,
               CASE WHEN trim(r.value) <> '' THEN r.value END AS raw
        FROM (UNPIVOT (SELECT source, source_id, {select} FROM record_std) ON {on}
              INTO NAME attribute VALUE value) u
        JOIN xref x ON x.source = u.source AND x.source_id = u.source_id AND x.valid_to IS NULL
        JOIN golden g ON g.golden_id = x.golden_id AND g.status = 'active'
        LEFT JOIN (UNPIVOT (SELECT source, source_id, {raw_select} FROM record) ON {on}
                   INTO NAME attribute VALUE value) r
          ON r.source = u.source AND r.source_id = u.source_id AND r.attribute = u.attribute
        WHERE u.value IS NOT NULL AND u.value <> ''""")
    try:
        disputed = """SELECT golden_id, attribute FROM _gc_values GROUP BY ALL HAVING count(DISTINCT folded) > 1"""
        total = con.execute(f"SELECT count(*) FROM ({disputed})").fetchone()
        rows = con.execute(f"""
            WITH d AS ({disputed} ORDER BY golden_id, attribute LIMIT ? OFFSET ?)
            SELECT v.golden_id, any_value(v.version), v.attribute, min(v.value),
                   list(v.unique_id ORDER BY v.unique_id), list(DISTINCT v.value ORDER BY v.value),
                   arg_min(v.raw, v.unique_id)
            FROM _gc_values v JOIN d USING (golden_id, attribute)
            GROUP BY v.golden_id, v.attribute, v.folded ORDER BY v.golden_id, v.attribute, min(v.value)""",
                           [limit, offset]).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _gc_values")
    out: list[dict[str, Any]] = []
    for golden_id, version, attr, value, sources, spellings, raw in rows:
        if not out or (out[-1]["golden_id"], out[-1]["attribute"]) != (golden_id, attr):
            out.append({"golden_id": golden_id, "version": int(version), "attribute": attr, "values": []})
        out[-1]["values"].append({"value": _mask_value(attr, value, pii, masked), "records": list(sources),
                                  "spellings": [_mask_value(attr, v, pii, masked) for v in spellings],
                                  "raw": _mask_value(attr, raw, pii, masked)})
    return out, int(total[0]) if total else 0


# --- changes --------------------------------------------------------------------------

def _active(con: duckdb.DuckDBPyConnection, golden_id: str, version: int | None = None) -> dict[str, Any]:
    row = golden_row(con, golden_id)
    if row["status"] != "active":
        target = f"; it was merged into {row['merged_into']}" if row["merged_into"] else ""
        raise ConflictError(f"golden record {golden_id} is {row['status']}{target}", code="golden.inactive")
    if version is not None and row["version"] != version:
        raise ConflictError(f"golden record {golden_id} changed since you read it (it is at version "
                            f"{row['version']}, you sent {version}); reload it and try again", code="golden.version")
    return row


def _audit_view(con: duckdb.DuckDBPyConnection, golden_id: str) -> dict[str, Any]:
    row = golden_row(con, golden_id)
    return {"golden_id": golden_id, "status": row["status"], "merged_into": row["merged_into"],
            "version": row["version"], "record": row["record"], "members": members_of(con, golden_id)}


def _links_between(con: duckdb.DuckDBPyConnection, table: str, left: list[str], right: list[str]
                   ) -> list[dict[str, Any]]:
    """Delete the rows of ``table`` linking a record of ``left`` with one of ``right`` (either
    orientation); returns them."""
    con.execute("CREATE OR REPLACE TEMP TABLE _gl_l (u VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE _gl_r (u VARCHAR)")
    for name, ids in (("_gl_l", left), ("_gl_r", right)):
        if ids:
            con.executemany(f"INSERT INTO {name} VALUES (?)", [(u,) for u in ids])
    cond = """((unique_id_l IN (SELECT u FROM _gl_l) AND unique_id_r IN (SELECT u FROM _gl_r))
               OR (unique_id_l IN (SELECT u FROM _gl_r) AND unique_id_r IN (SELECT u FROM _gl_l)))"""
    rows = con.execute(f"""SELECT unique_id_l, unique_id_r, created_at, created_by, reason, task_id FROM {table}
                           WHERE {cond}""").fetchall()
    con.execute(f"DELETE FROM {table} WHERE {cond}")
    con.execute("DROP TABLE _gl_l")
    con.execute("DROP TABLE _gl_r")
    return [{"table": table, "unique_id_l": r[0], "unique_id_r": r[1], "created_at": r[2], "created_by": r[3],
             "reason": r[4], "task_id": r[5]} for r in rows]


def _add_links(con: duckdb.DuckDBPyConnection, table: str, pairs: list[tuple[str, str]], *, by: Principal,
               reason: str, now: dt.datetime) -> list[dict[str, Any]]:
    if not pairs:
        return []
    con.executemany(f"INSERT INTO {table} (unique_id_l, unique_id_r, created_at, created_by, reason, task_id) "
                    "VALUES (?, ?, ?, ?, ?, NULL)", [(min(a, b), max(a, b), now, by.name, reason) for a, b in pairs])
    return [{"table": table, "unique_id_l": min(a, b), "unique_id_r": max(a, b)} for a, b in pairs]


def merge(con: duckdb.DuckDBPyConnection, golden_id: str, other: str, *, version: int, reason: str,
          by: Principal, rebuild: Rebuild) -> dict[str, Any]:
    """Merge ``other`` into ``golden_id``'s record (the older id survives, as in every merge)."""
    _active(con, golden_id, version)
    if other == golden_id:
        raise InputError("a golden record cannot be merged with itself; name another one in 'other'",
                         code="golden.merge_self")
    _active(con, other)
    before = {"golden": _audit_view(con, golden_id), "other": _audit_view(con, other)}
    left, right = members_of(con, golden_id), members_of(con, other)
    if not left or not right:
        raise ConflictError("both golden records need members to merge", code="golden.no_members")
    now = dt.datetime.now()
    removed = _links_between(con, "cannot_link", left, right)
    added = _add_links(con, "must_link", [(left[0], right[0])], by=by, reason=reason, now=now)
    counts = rebuild_scope(con, rebuild, left + right, actor=by.actor)
    survivor, other_now = resolve_golden_id(con, golden_id), resolve_golden_id(con, other)
    if survivor != other_now:
        raise ConflictError(f"clustering keeps {golden_id} and {other} apart (e.g. distinct national ids or "
                            "birth dates); nothing was changed", code="golden.merge_refused")
    result = {"golden_id": survivor, "affected": sorted({golden_id, other}), "links_added": added,
              "links_removed": removed, "counts": counts}
    audit.append(con, actor=by.actor, action="golden.merge", target=f"golden:{golden_id}",
                 before={**before, "reason": reason},
                 after={"golden": _audit_view(con, survivor), "links_added": added, "links_removed": removed})
    return result


def evidence_neighbours(con: duckdb.DuckDBPyConnection, records: list[str], auto_match: float) -> list[str]:
    """Records that ``records`` auto-match (a scored pair at or above ``auto_match``), whatever
    cluster they sit in: the clusters a split-off record may rejoin when its evidence says so."""
    if not records:
        return []
    marks = ", ".join("?" for _ in records)
    rows = con.execute(f"""SELECT DISTINCT CASE WHEN unique_id_l IN ({marks}) THEN unique_id_r ELSE unique_id_l END
                           FROM match_pair WHERE (unique_id_l IN ({marks}) OR unique_id_r IN ({marks}))
                             AND match_probability >= ? ORDER BY 1""",
                       [*records, *records, *records, auto_match]).fetchall()
    return [str(r[0]) for r in rows if r[0] not in records]


def split(con: duckdb.DuckDBPyConnection, golden_id: str, records: list[str], *, version: int, reason: str,
          by: Principal, rebuild: Rebuild, action: str = "golden.split") -> dict[str, Any]:
    """Split ``records`` (``source:source_id``) out of a golden record.

    The split-off part stays together (a must-link chain) and is kept apart from the rest
    (cannot-links). It becomes a golden record of its own, or rejoins the golden record its
    evidence supports: the clusters of the records it auto-matches are re-clustered with it,
    as the next full run would do."""
    _active(con, golden_id, version)
    members = members_of(con, golden_id)
    part = list(dict.fromkeys(records))
    strangers = [r for r in part if r not in members]
    if strangers:
        raise InputError(f"{strangers[0]!r} is not a member of {golden_id}; its members are "
                         f"{', '.join(members[:10])}{' ...' if len(members) > 10 else ''}", code="golden.not_member")
    rest = [m for m in members if m not in part]
    if not rest:
        raise InputError("a split must leave at least one record behind; name fewer records",
                         code="golden.split_all")
    before = _audit_view(con, golden_id)
    now = dt.datetime.now()
    removed = _links_between(con, "must_link", part, rest) + _links_between(con, "cannot_link", part, part)
    added = _add_links(con, "cannot_link", [(p, r) for p in part for r in rest], by=by, reason=reason, now=now)
    added += _add_links(con, "must_link", list(itertools.pairwise(part)), by=by, reason=reason, now=now)
    scope = members + evidence_neighbours(con, part, rebuild.auto_match)
    counts = rebuild_scope(con, rebuild, scope, actor=by.actor)
    source, source_id = split_unique_id(part[0])
    split_off = resolve_golden_id(con, _current_golden(con, source, source_id))
    remaining = resolve_golden_id(con, _current_golden(con, *split_unique_id(rest[0])))
    result = {"golden_id": remaining, "split_off": split_off, "affected": sorted({golden_id, split_off, remaining}),
              "links_added": added, "links_removed": removed, "counts": counts}
    audit.append(con, actor=by.actor, action=action, target=f"golden:{golden_id}",
                 before={"golden": before, "records": part, "reason": reason},
                 after={"golden": _audit_view(con, remaining), "split_off": _audit_view(con, split_off),
                        "links_added": added, "links_removed": removed})
    return result


def unmerge(con: duckdb.DuckDBPyConnection, golden_id: str, record: str, *, version: int, reason: str,
            by: Principal, rebuild: Rebuild) -> dict[str, Any]:
    """Take one member record out of a golden record: a :func:`split` of that record alone (it
    becomes its own golden record or rejoins the one its evidence supports)."""
    return split(con, golden_id, [record], version=version, reason=reason, by=by, rebuild=rebuild,
                 action="golden.unmerge")


def _current_golden(con: duckdb.DuckDBPyConnection, source: str, source_id: str) -> str:
    row = con.execute("SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_to IS NULL",
                      [source, source_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no golden record for {source}:{source_id}", code="xref.not_found")
    return str(row[0])


def check_override(dictionary: Dictionary, attribute: str, value: str | None) -> None:
    """Refuse an override value the dictionary's validation would flag in a source (type,
    pattern, allowed values, dates and their range, lengths): the same checks ingest runs,
    so a value no source could bring in cannot come in by hand either. Blank is allowed
    unless the attribute is required."""
    mapping = SourceMapping(source="steward", trust=100, id_column="id", columns={attribute: attribute})
    frame = pd.DataFrame({"_row": [0], attribute: [value]})
    findings = validate_frame(frame, dictionary, mapping)
    if len(findings):
        first = findings.iloc[0]
        shown = "blank" if value is None else repr(value[:60])
        raise InputError(f"{attribute}: {shown} {first['message']}", code="golden.invalid_override")


def add_override(con: duckdb.DuckDBPyConnection, golden_id: str, *, attribute: str, value: str | None,
                 version: int, reason: str, by: Principal, rebuild: Rebuild) -> dict[str, Any]:
    """Override one attribute of a golden record (it wins over every source until deleted)."""
    _active(con, golden_id, version)
    if attribute not in rebuild.dictionary.names:
        raise InputError(f"unknown attribute {attribute[:60]!r}; the dictionary has: "
                         f"{', '.join(rebuild.dictionary.names)}", code="golden.unknown_attribute")
    check_override(rebuild.dictionary, attribute, value)
    before = _audit_view(con, golden_id)
    row = con.execute("SELECT coalesce(max(override_id), 0) + 1 FROM attribute_override").fetchone()
    override_id = int(row[0]) if row else 1
    con.execute("INSERT INTO attribute_override VALUES (?, ?, ?, ?, ?, ?, ?, TRUE)",
                [override_id, golden_id, attribute, value, reason, by.name, dt.datetime.now()])
    counts = rebuild_scope(con, rebuild, members_of(con, golden_id), actor=by.actor, recluster_first=False)
    audit.append(con, actor=by.actor, action="golden.override.add", target=f"golden:{golden_id}",
                 before=before, after={"golden": _audit_view(con, golden_id),
                                       "override": {"override_id": override_id, "attribute": attribute,
                                                    "value": value, "reason": reason}})
    return {"golden_id": golden_id, "override_id": override_id, "affected": [golden_id], "counts": counts}


def delete_override(con: duckdb.DuckDBPyConnection, golden_id: str, override_id: int, *, version: int,
                    by: Principal, rebuild: Rebuild) -> dict[str, Any]:
    """Revert an override: it stops applying (the row stays, inactive) and the record is rebuilt."""
    _active(con, golden_id, version)
    row = con.execute("SELECT attribute, value, reason FROM attribute_override WHERE override_id = ? "
                      "AND golden_id = ? AND active", [override_id, golden_id]).fetchone()
    if row is None:
        raise NotFoundError(f"golden record {golden_id} has no active override {override_id}",
                            code="golden.override_not_found")
    before = _audit_view(con, golden_id)
    con.execute("UPDATE attribute_override SET active = FALSE WHERE override_id = ?", [override_id])
    counts = rebuild_scope(con, rebuild, members_of(con, golden_id), actor=by.actor, recluster_first=False)
    audit.append(con, actor=by.actor, action="golden.override.delete", target=f"golden:{golden_id}",
                 before={"golden": before, "override": {"override_id": override_id, "attribute": row[0],
                                                        "value": row[1], "reason": row[2]}},
                 after={"golden": _audit_view(con, golden_id)})
    return {"golden_id": golden_id, "override_id": override_id, "affected": [golden_id], "counts": counts}
