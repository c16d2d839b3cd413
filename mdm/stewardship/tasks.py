"""The review queue: list, read, claim, assign and decide review tasks.

A task is a pair of records that matching scored inside the review band. A steward's
decision is data the next run reads: ``match`` writes a ``must_link`` row, ``no_match`` a
``cannot_link`` row (with the task id, who and why), and an audit entry records the
task before and after. Changes use optimistic concurrency on ``review_task.version``:
a change names the version it was based on, and a stale version is a
:class:`~mdm.errors.ConflictError` (HTTP 409), so of two stewards deciding one task
exactly one wins. Callers run these functions inside the server's write transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from mdm.errors import ConflictError, InputError, NotFoundError
from mdm.pii import Masker
from mdm.pipeline.scoped import Rebuild, rebuild_scope
from mdm.roles import Role
from mdm.stewardship import audit
from mdm.stewardship.auth import Principal

Decision = Literal["match", "no_match"]
TaskStatus = Literal["open", "decided"]

#: fixed columns of ``record`` (everything else is a dictionary attribute)
RECORD_FIELDS = ("source", "source_id", "batch_id", "row_number", "updated_at", "ingested_at")


@dataclass(frozen=True)
class Task:
    task_id: int
    status: str
    created_at: dt.datetime
    run_id: int | None
    unique_id_l: str
    unique_id_r: str
    match_probability: float | None
    match_weight: float | None
    version: int
    assignee: str | None
    decision: str | None
    reason: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    band: str
    cluster_l: str | None
    cluster_r: str | None

    def audit_view(self) -> dict[str, Any]:
        return {"status": self.status, "version": self.version, "assignee": self.assignee,
                "decision": self.decision, "reason": self.reason, "decided_by": self.decided_by}


_SELECT = """
    SELECT t.task_id, t.status, t.created_at, t.run_id, t.unique_id_l, t.unique_id_r, t.match_probability,
           t.match_weight, t.version, t.assignee, t.decision, t.reason, t.decided_by, t.decided_at,
           coalesce(p.band, 'unscored') AS band, cl.cluster_id AS cluster_l, cr.cluster_id AS cluster_r
    FROM review_task t
    LEFT JOIN match_pair p ON p.unique_id_l = t.unique_id_l AND p.unique_id_r = t.unique_id_r
    LEFT JOIN cluster_member cl ON cl.unique_id = t.unique_id_l
    LEFT JOIN cluster_member cr ON cr.unique_id = t.unique_id_r
"""


def _task(row: tuple[Any, ...]) -> Task:
    return Task(*row)


@dataclass(frozen=True)
class TaskFilter:
    status: TaskStatus | None = None
    band: str | None = None
    assignee: str | None = None
    cluster: str | None = None
    source: str | None = None           # either record comes from this source
    differs: str | None = None          # an attribute both records hold with different standardised values
    older_than_days: int | None = None  # opened at least this many days ago


#: queue orders: most likely first, oldest first, biggest first (records in the two clusters)
SORTS = {"probability": "t.match_probability DESC NULLS LAST, t.task_id",
         "age": "t.created_at, t.task_id",
         "impact": "impact DESC, t.match_probability DESC NULLS LAST, t.task_id"}
Sort = Literal["probability", "age", "impact"]


def _std_value(side: str, attribute: str) -> str:
    """The standardised value of one side's record (``attribute`` is a checked column name)."""
    return (f"(SELECT CAST(s.\"{attribute}\" AS VARCHAR) FROM record_std s WHERE s.source_id = "
            f"split_part(t.unique_id_{side}, ':', 2) AND s.source = split_part(t.unique_id_{side}, ':', 1))")


def list_tasks(con: duckdb.DuckDBPyConnection, where: TaskFilter, *, limit: int, offset: int,
               sort: Sort = "probability") -> tuple[list[Task], int]:
    """One page of tasks (most likely matches first, or ``sort``) and the number the filter selects."""
    clauses: list[str] = ["TRUE"]
    params: list[object] = []
    if where.source is not None:
        clauses.append("(split_part(t.unique_id_l, ':', 1) = ? OR split_part(t.unique_id_r, ':', 1) = ?)")
        params += [where.source, where.source]
    if where.older_than_days is not None:
        clauses.append("t.created_at <= now()::TIMESTAMP - to_days(CAST(? AS INTEGER))")
        params.append(where.older_than_days)
    if where.differs is not None:
        try:
            have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
        except duckdb.CatalogException:
            have = set()
        if where.differs not in have or where.differs in RECORD_FIELDS:
            raise InputError(f"unknown attribute {where.differs[:60]!r} to compare", code="task.filter")
        left, right = _std_value("l", where.differs), _std_value("r", where.differs)
        clauses.append(f"({left} IS NOT NULL AND {right} IS NOT NULL AND {left} <> {right})")
    if where.status is not None:
        clauses.append("t.status = ?")
        params.append(where.status)
    if where.band is not None:
        clauses.append("coalesce(p.band, 'unscored') = ?")
        params.append(where.band)
    if where.assignee is not None:
        clauses.append("t.assignee = ?")
        params.append(where.assignee)
    if where.cluster is not None:
        clauses.append("(cl.cluster_id = ? OR cr.cluster_id = ?)")
        params += [where.cluster, where.cluster]
    sql = f"{_SELECT} WHERE {' AND '.join(clauses)}"
    total = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    order = SORTS[sort]
    if sort == "impact":
        sizes = ("(SELECT count(*) FROM cluster_member m WHERE m.cluster_id = cl.cluster_id) + "
                 "(SELECT count(*) FROM cluster_member m WHERE m.cluster_id = cr.cluster_id AND "
                 "cr.cluster_id IS DISTINCT FROM cl.cluster_id)")
        sql = sql.replace("SELECT t.task_id,", f"SELECT {sizes} AS impact, t.task_id,", 1)
        rows = con.execute(f"SELECT * EXCLUDE (impact) FROM ({sql} ORDER BY {order} LIMIT ? OFFSET ?)",
                           [*params, limit, offset]).fetchall()
    else:
        rows = con.execute(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    return [_task(r) for r in rows], int(total[0]) if total else 0


def next_open(con: duckdb.DuckDBPyConnection, *, after: int | None, by: Principal) -> int | None:
    """The open task to work on next, in queue order (most likely first): the first after task
    ``after`` (skip), else from the top; tasks someone else claimed are passed over."""
    rows = con.execute("""SELECT task_id, match_probability FROM review_task
                          WHERE status = 'open' AND (assignee IS NULL OR assignee = ?)
                          ORDER BY match_probability DESC NULLS LAST, task_id""", [by.name]).fetchall()
    ids = [int(r[0]) for r in rows]
    if after is not None:
        here = con.execute("SELECT match_probability FROM review_task WHERE task_id = ?", [after]).fetchone()
        if here is not None:
            key = (-(here[0] if here[0] is not None else -1.0), after)
            for task_id, p in rows:
                if (-(p if p is not None else -1.0), int(task_id)) > key:
                    return int(task_id)
    return next((i for i in ids if i != after), None)


def get_task(con: duckdb.DuckDBPyConnection, task_id: int) -> Task:
    row = con.execute(f"{_SELECT} WHERE t.task_id = ?", [task_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no review task {task_id}", code="task.not_found")
    return _task(row)


def explanation(con: duckdb.DuckDBPyConnection, task_id: int) -> list[dict[str, Any]]:
    """The task's per-comparison explanation (prior first), as :mod:`mdm.match.predict` wrote it."""
    row = con.execute("SELECT CAST(explanation AS VARCHAR) FROM review_task WHERE task_id = ?", [task_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no review task {task_id}", code="task.not_found")
    parsed = json.loads(row[0]) if row[0] else []
    return [dict(e) for e in parsed] if isinstance(parsed, list) else []


def split_unique_id(unique_id: str) -> tuple[str, str]:
    source, _, source_id = unique_id.partition(":")
    return source, source_id


def _source_row(con: duckdb.DuckDBPyConnection, table: str, source: str, source_id: str
                ) -> dict[str, Any] | None:
    """One row of ``record``/``record_std`` by its source key, as a dict.

    Looked up on ``source_id`` alone, which the hub indexes: DuckDB 2.0 scans the whole table
    for ``source = ? AND source_id = ?`` even with a composite key, and an id is shared by a
    handful of sources at most, so the source is picked here."""
    try:
        cur = con.execute(f"SELECT * FROM {table} WHERE source_id = ?", [source_id])  # table: a literal name
    except duckdb.CatalogException:  # no record_std before the first run
        return None
    names = [d[0] for d in cur.description or []]
    for row in cur.fetchall():
        found = dict(zip(names, row, strict=True))
        if found.get("source") == source:
            return found
    return None


def record_side(con: duckdb.DuckDBPyConnection, unique_id: str, attributes: list[str], *, pii: Collection[str],
                masked: bool) -> dict[str, Any]:
    """One record of a pair: its raw values (``record``) and standardised ones (``record_std``)."""
    source, source_id = split_unique_id(unique_id)
    view = Masker.of(pii, masked)
    values: dict[str, dict[str, str | None]] = {}
    meta: dict[str, Any] | None = None
    for table, kind in (("record", "raw"), ("record_std", "standardised")):
        row = _source_row(con, table, source, source_id)
        if row is None:
            continue
        if table == "record":
            meta = row
        for col in attributes:
            if col not in row:
                continue
            raw = row[col]
            value = None if raw is None else str(raw).lower() if isinstance(raw, bool) else str(raw)
            shown = view.value(col, value)
            values.setdefault(col, {"raw": None, "standardised": None})[kind] = shown
    return {"unique_id": unique_id, "source": source, "source_id": source_id,
            "found": meta is not None, "updated_at": meta["updated_at"] if meta else None,
            "attributes": {a: values[a] for a in attributes if a in values}}


def _check_version(task: Task, version: int) -> None:
    if task.version != version:
        raise ConflictError(f"task {task.task_id} changed since you read it (it is at version {task.version}, "
                            f"you sent {version}); reload it and try again", code="task.version")


def _check_open(task: Task) -> None:
    if task.status != "open":
        raise ConflictError(f"task {task.task_id} was already decided ({task.decision}) by {task.decided_by}",
                            code="task.decided")


def _bump(con: duckdb.DuckDBPyConnection, task: Task, sets: str, params: list[Any]) -> None:
    """Apply a change only to the version the caller read; a lost race is a conflict, never a double write."""
    done = con.execute(f"UPDATE review_task SET {sets}, version = version + 1 "
                       "WHERE task_id = ? AND version = ? AND status = 'open' RETURNING task_id",
                       [*params, task.task_id, task.version]).fetchall()
    if not done:
        raise ConflictError(f"task {task.task_id} changed while you were changing it; reload it and try again",
                            code="task.version")


def claim(con: duckdb.DuckDBPyConnection, task_id: int, *, by: Principal) -> Task:
    """Take an open task for yourself; a task someone else holds stays theirs (409)."""
    task = get_task(con, task_id)
    _check_open(task)
    if task.assignee == by.name:
        return task
    if task.assignee is not None:
        raise ConflictError(f"task {task_id} is already claimed by {task.assignee}", code="task.claimed")
    _bump(con, task, "assignee = ?", [by.name])
    after = get_task(con, task_id)
    audit.append(con, actor=by.actor, action="task.claim", target=f"task:{task_id}", before=task.audit_view(),
                 after=after.audit_view())
    return after


def assign(con: duckdb.DuckDBPyConnection, task_id: int, *, assignee: str | None, version: int,
           by: Principal) -> Task:
    """Give an open task to someone (or to nobody with ``None``), based on ``version``."""
    task = get_task(con, task_id)
    _check_open(task)
    _check_version(task, version)
    if task.assignee not in (None, by.name) and by.role is not Role.admin:
        raise ConflictError(f"task {task_id} is claimed by {task.assignee}; only they or an admin may reassign it",
                            code="task.claimed")
    _bump(con, task, "assignee = ?", [assignee])
    after = get_task(con, task_id)
    audit.append(con, actor=by.actor, action="task.assign", target=f"task:{task_id}", before=task.audit_view(),
                 after=after.audit_view())
    return after


def decide(con: duckdb.DuckDBPyConnection, task_id: int, *, decision: Decision, version: int, reason: str,
           by: Principal, rebuild: Rebuild | None = None) -> Task:
    """Decide a task: mark it, write the must-link / cannot-link row and the audit entry, then
    call :func:`on_links_changed` for the two records (which rebuilds their golden records when
    ``rebuild`` is given, as the server does)."""
    task = get_task(con, task_id)
    _check_open(task)
    _check_version(task, version)
    if task.assignee not in (None, by.name) and by.role is not Role.admin:
        raise ConflictError(f"task {task_id} is claimed by {task.assignee}; only they or an admin may decide it",
                            code="task.claimed")
    now = dt.datetime.now()
    _bump(con, task, "status = 'decided', decision = ?, reason = ?, decided_by = ?, decided_at = ?",
          [decision, reason, by.name, now])
    table = "must_link" if decision == "match" else "cannot_link"
    con.execute(f"INSERT INTO {table} (unique_id_l, unique_id_r, created_at, created_by, reason, task_id) "
                "VALUES (?, ?, ?, ?, ?, ?)", [task.unique_id_l, task.unique_id_r, now, by.name, reason, task_id])
    after = get_task(con, task_id)
    audit.append(con, actor=by.actor, action=f"task.decide.{decision}", target=f"task:{task_id}",
                 before=task.audit_view(),
                 after={**after.audit_view(), "link": {"table": table, "unique_id_l": task.unique_id_l,
                                                       "unique_id_r": task.unique_id_r}})
    on_links_changed(con, [task.unique_id_l, task.unique_id_r], rebuild=rebuild, actor=by.actor)
    return after


def reopen(con: duckdb.DuckDBPyConnection, task_id: int, *, version: int, reason: str, by: Principal,
           rebuild: Rebuild | None = None) -> Task:
    """Undo a decision: the task is open again (unassigned, undecided) and the must-link or
    cannot-link row it wrote is removed, so the pair's records are clustered on their evidence
    alone (at once with ``rebuild``, and by every later run). The audit entry keeps the
    decision and the removed row."""
    task = get_task(con, task_id)
    if task.status != "decided":
        raise ConflictError(f"task {task_id} is open: there is no decision to reopen", code="task.open")
    _check_version(task, version)
    removed: list[dict[str, Any]] = []
    for table in ("must_link", "cannot_link"):
        rows = con.execute(f"DELETE FROM {table} WHERE task_id = ? RETURNING unique_id_l, unique_id_r, created_at, "
                           "created_by, reason", [task_id]).fetchall()
        removed += [{"table": table, "unique_id_l": r[0], "unique_id_r": r[1], "created_at": r[2],
                     "created_by": r[3], "reason": r[4]} for r in rows]
    done = con.execute("""UPDATE review_task SET status = 'open', decision = NULL, reason = NULL, decided_by = NULL,
                                 decided_at = NULL, assignee = NULL, version = version + 1
                          WHERE task_id = ? AND version = ? AND status = 'decided' RETURNING task_id""",
                       [task_id, task.version]).fetchall()
    if not done:
        raise ConflictError(f"task {task_id} changed while you were changing it; reload it and try again",
                            code="task.version")
    after = get_task(con, task_id)
    audit.append(con, actor=by.actor, action="task.reopen", target=f"task:{task_id}",
                 before={**task.audit_view(), "reason_to_reopen": reason},
                 after={**after.audit_view(), "links_removed": removed})
    on_links_changed(con, [task.unique_id_l, task.unique_id_r], rebuild=rebuild, actor=by.actor)
    return after


@dataclass(frozen=True)
class LinksChanged:
    """What a steward decision touched: the records, the clusters they sit in now, and the
    survivorship counts when the golden records were rebuilt."""

    unique_ids: tuple[str, ...]
    clusters: tuple[str, ...]
    rebuilt: bool = False
    counts: dict[str, Any] | None = None


def on_links_changed(con: duckdb.DuckDBPyConnection, unique_ids: list[str], *, rebuild: Rebuild | None = None,
                     actor: str | None = None) -> LinksChanged:
    """Hook run inside a decision's transaction after a must-link / cannot-link row was written.

    With ``rebuild`` the clusters holding ``unique_ids`` are re-clustered under the new
    constraint (only those: their records, with ``match_pair`` and the steward links among
    them) and their golden records rebuilt at once, emitting change-feed events as ``actor``
    (:mod:`mdm.pipeline.scoped`). Without it nothing is rebuilt and the next ``mdm run``
    honours the constraint (the resolve step reads ``must_link`` / ``cannot_link``).
    """
    counts = rebuild_scope(con, rebuild, unique_ids, actor=actor or "steward") if rebuild is not None else None
    placeholders = ", ".join("?" for _ in unique_ids) or "NULL"
    rows = con.execute(f"SELECT DISTINCT cluster_id FROM cluster_member WHERE unique_id IN ({placeholders}) "
                       "ORDER BY cluster_id", list(unique_ids)).fetchall()
    return LinksChanged(unique_ids=tuple(unique_ids), clusters=tuple(str(r[0]) for r in rows),
                        rebuilt=counts is not None, counts=counts)
