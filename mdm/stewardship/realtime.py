"""Real-time matching inside the server: ``POST /api/v1/match`` and search-before-create
``POST /api/v1/records``.

The :class:`~mdm.match.realtime.Matcher` is loaded on first use and dropped after every
pipeline run (its features, term frequencies and golden ids then come from the new hub
state). An upsert is one write transaction, whose steps :func:`mdm.pipeline.upsert.upsert_record`
takes in the order a run would (this service adds the audit entry): the record and its
standardised form are written, its blocking keys added, and then

- probability >= ``auto_match``: it joins the best candidate's cluster (a ``match_pair``
  row keeps the link for later re-clustering) and that golden record is rebuilt;
- inside the review band: it becomes a golden record of its own and a review task opens
  against the best candidate;
- otherwise: a new golden record.

An existing (source, source_id) is updated in place and its golden record rebuilt.
Every upsert is in the audit log and emits change events like any other rebuild.

An upserted record is checked as a batch row is: the dictionary's validation (the same
schema, :func:`mdm.ingest.validate.validate_frame`) and the standardisers' findings become
``record_flag`` rows, a flagged value is left out of matching and survivorship, and an
``updated_at`` no system can have written (year 0001, 9185, ...) is flagged
``updated_at.range`` and not stored. Any text is accepted; only a rule of severity
``reject`` refuses the record (422), as batch would quarantine it.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import duckdb

from mdm.config import Project, SourceMapping
from mdm.errors import NotFoundError
from mdm.match.realtime import Matcher
from mdm.pipeline.scoped import rebuild_for
from mdm.pipeline.upsert import upsert_record
from mdm.standardise.record import RecordStandardiser
from mdm.stewardship import audit
from mdm.stewardship.auth import Principal
from mdm.stewardship.hubaccess import HubAccess


class RealtimeService:
    def __init__(self, access: HubAccess, project: Project) -> None:
        self.access = access
        self.project = project
        self._matcher: Matcher | None = None
        self._run = -1
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Drop the loaded matcher (after a pipeline run changed the hub)."""
        with self._lock:
            self._matcher = None

    def matcher(self, cur: duckdb.DuckDBPyConnection) -> Matcher:
        """The loaded matcher; loaded again when a pipeline run finished since (new records,
        clusters, model)."""
        row = cur.execute("SELECT coalesce(max(run_id), 0) FROM run").fetchone()
        latest = int(row[0]) if row else 0
        with self._lock:
            if self._matcher is None or latest != self._run:
                self._matcher = Matcher.load(cur, self.project,
                                             standardiser=RecordStandardiser.for_project(self.project, cur))
                self._run = latest
            return self._matcher

    def match(self, cur: duckdb.DuckDBPyConnection, record: dict[str, Any], *, source: str | None,
              limit: int) -> dict[str, Any]:
        if source is not None:
            self._mapping(source)
        result = self.matcher(cur).match(cur, record, source=source, limit=limit)
        return result.to_dict()

    def upsert(self, by: Principal, source: str, source_id: str, record: dict[str, Any],
               updated_at: dt.datetime | None) -> dict[str, Any]:
        mapping = self._mapping(source)
        attrs = self.project.dictionary.names
        ignored = sorted(set(record) - set(attrs))   # fields the dictionary does not define: said, not stored
        record = {k: v for k, v in record.items() if k in attrs}
        with self.access.writer(what="upserting the record") as cur:
            matcher = self.matcher(cur)
            done = upsert_record(cur, matcher, rebuild_for(self.project), mapping, self.project.match_rules,
                                 source, source_id, record, updated_at, actor=by.actor)
            audit.append(cur, actor=by.actor, action=f"record.{done.action}", target=done.unique_id, before=None,
                         after={"golden_id": done.golden_id, "candidate": done.candidate})
        matcher.set_golden(done.unique_id, done.golden_id)
        return {"unique_id": done.unique_id, "action": done.action, "golden_id": done.golden_id,
                "review_against": done.candidate if done.action == "review" else None, "events": done.events,
                "candidates": done.candidates, "ignored": ignored}

    def _mapping(self, source: str) -> SourceMapping:
        known = {m.source: m for m, _ in self.project.sources}
        if source not in known:
            raise NotFoundError(f"unknown source {source!r}; this hub's sources are {', '.join(sorted(known))}",
                                code="record.unknown_source")
        return known[source]
