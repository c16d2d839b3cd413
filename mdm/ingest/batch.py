"""Ingesting one source file into the hub as one batch, in one transaction.

The batch row, the accepted records (upserted by ``(source, source_id)``), their flags,
the quarantine, the profile and the scorecard are written together or not at all.
Re-ingesting a file whose sha256 was already loaded for that source is a no-op that
says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from mdm.config import Dictionary, SourceMapping
from mdm.hub.connection import transaction
from mdm.hub.register import register
from mdm.hub.schema import ensure_attribute_columns
from mdm.hub.sql import ident
from mdm.ingest.profile import profile_staged
from mdm.ingest.readers import sha256_of
from mdm.ingest.scorecard import ScoreRow, scorecard
from mdm.ingest.stage import Staged, count_flagged, stage_file

#: Called between staging and profiling with the connection and the staged file. It may
#: add rows to ``_findings`` (counted as invalid by the profile and scorecard) and leave a
#: ``_std`` table keyed by ``_row``, which is persisted as ``record_std``. The pipeline
#: passes the standardise stage here; ingest itself knows nothing of it.
Enrich = Callable[[duckdb.DuckDBPyConnection, Staged, SourceMapping], None]


@dataclass
class BatchResult:
    source: str
    file: str
    sha256: str
    batch_id: int | None
    status: str  # "loaded" | "unchanged"
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    values_flagged: int = 0
    encoding: str | None = None
    message: str = ""
    profile: dict[str, Any] = field(default_factory=dict)
    scorecard: list[ScoreRow] = field(default_factory=list)

    @property
    def quarantine_share(self) -> float:
        return self.rows_quarantined / self.rows_read if self.rows_read else 0.0

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "file": self.file, "status": self.status, "rows_read": self.rows_read,
                "accepted": self.rows_accepted, "quarantined": self.rows_quarantined,
                "flagged": self.values_flagged, "encoding": self.encoding or "", "batch_id": self.batch_id}


def pii_attributes(dictionary: Dictionary) -> set[str]:
    """The attributes whose top values a stored profile masks (the dictionary's ``pii`` flag)."""
    return set(dictionary.pii)


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, mapping: SourceMapping, dictionary: Dictionary,
                *, today: dt.date | None = None, force: bool = False, own_transaction: bool = True,
                enrich: Enrich | None = None) -> BatchResult:
    """Load ``path`` for ``mapping.source`` into the hub behind ``con``.

    With ``own_transaction`` (the default) the batch is its own transaction; a pipeline
    run passes ``False`` and wraps all its stages in one.
    """
    path = Path(path)
    digest = sha256_of(path)
    if not force:
        prior = con.execute(
            "SELECT batch_id FROM batch WHERE source = ? AND sha256 = ? AND status = 'loaded' "
            "ORDER BY batch_id DESC LIMIT 1", [mapping.source, digest]).fetchone()
        if prior is not None:
            return BatchResult(source=mapping.source, file=str(path), sha256=digest, batch_id=int(prior[0]),
                               status="unchanged",
                               message=f"{path} was already loaded for source {mapping.source} "
                                       f"(batch {prior[0]}, same sha256); nothing to do")
    if own_transaction:
        with transaction(con):
            return _ingest(con, path, digest, mapping, dictionary, today, enrich)
    return _ingest(con, path, digest, mapping, dictionary, today, enrich)


def _ingest(con: duckdb.DuckDBPyConnection, path: Path, digest: str, mapping: SourceMapping,
            dictionary: Dictionary, today: dt.date | None, enrich: Enrich | None) -> BatchResult:
    started = dt.datetime.now()
    ensure_attribute_columns(con, dictionary.names)
    row = con.execute("SELECT nextval('batch_id_seq')").fetchone()
    assert row is not None
    batch_id = int(row[0])
    staged = stage_file(con, path, mapping, dictionary, today=today)
    con.execute("DROP TABLE IF EXISTS _std")
    if enrich is not None:
        enrich(con, staged, mapping)
        staged = dataclasses.replace(staged, values_flagged=count_flagged(con))
    doc = profile_staged(con, staged.attributes, source=mapping.source, file=str(path),
                         mask=pii_attributes(dictionary))
    scores = scorecard(doc, dictionary, mapping)
    _write_records(con, staged, batch_id, mapping.source)
    _write_scorecard(con, scores, batch_id)
    con.execute("INSERT INTO profile VALUES (?, ?, ?)", [batch_id, mapping.source, json.dumps(doc)])
    con.execute(
        """INSERT INTO batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), 'loaded', NULL, ?)""",
        [batch_id, mapping.source, str(path), digest, staged.read.format, staged.read.encoding,
         staged.read.delimiter, staged.rows_read, staged.rows_accepted, staged.rows_quarantined,
         staged.values_flagged, started, mapping.fingerprint],
    )
    _drop_temp(con)
    return BatchResult(
        source=mapping.source, file=str(path), sha256=digest, batch_id=batch_id, status="loaded",
        rows_read=staged.rows_read, rows_accepted=staged.rows_accepted, rows_quarantined=staged.rows_quarantined,
        values_flagged=staged.values_flagged, encoding=staged.read.encoding, profile=doc, scorecard=scores,
        message=f"{path}: {staged.rows_read} read, {staged.rows_accepted} accepted, "
                f"{staged.rows_quarantined} quarantined, {staged.values_flagged} values flagged",
    )


def _write_records(con: duckdb.DuckDBPyConnection, staged: Staged, batch_id: int, source: str) -> None:
    attrs = staged.attributes
    cols = "".join(f", {ident(a)}" for a in attrs)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _accepted AS
           SELECT * FROM _mapped WHERE _row NOT IN (SELECT _row FROM _quarantine WHERE _row IS NOT NULL)"""
    )
    # an upsert: the newest batch's copy of a record replaces the older one
    con.execute("DELETE FROM record WHERE source = ? AND source_id IN (SELECT source_id FROM _accepted)", [source])
    con.execute("DELETE FROM record_flag WHERE source = ? AND source_id IN (SELECT source_id FROM _accepted)",
                [source])
    con.execute(
        f"""INSERT INTO record (source, source_id, batch_id, row_number, updated_at, ingested_at{cols})
            SELECT ?, source_id, ?, _row, updated_at, now(){cols} FROM _accepted""",
        [source, batch_id],
    )
    con.execute(
        """INSERT INTO record_flag
           SELECT ?, a.source_id, ?, f.attribute, f.code, f.message, f.value
           FROM _findings f JOIN _accepted a USING (_row) WHERE f.severity = 'flag'""",
        [source, batch_id],
    )
    con.execute(
        """INSERT INTO quarantine SELECT ?, ?, _row, line, source_id, raw_row, reason_codes, messages
           FROM _quarantine""",
        [batch_id, source],
    )
    if _exists(con, "_std"):
        _write_std(con, source)


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    return bool(row and row[0])


def _write_std(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Upsert the standardised values of the accepted records into ``record_std``."""
    con.execute("""CREATE TABLE IF NOT EXISTS record_std AS
                   SELECT CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS source_id,
                          * EXCLUDE (_row) FROM _std LIMIT 0""")
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    for name, typ, *_ in con.execute("DESCRIBE _std").fetchall():
        if name != "_row" and name not in have:
            con.execute(f"ALTER TABLE record_std ADD COLUMN {ident(name)} {typ}")
    con.execute("DELETE FROM record_std WHERE source = ? AND source_id IN (SELECT source_id FROM _accepted)",
                [source])
    con.execute(
        """INSERT INTO record_std BY NAME
           SELECT ? AS source, a.source_id, s.* EXCLUDE (_row) FROM _std s JOIN _accepted a USING (_row)""",
        [source],
    )


def _write_scorecard(con: duckdb.DuckDBPyConnection, scores: list[ScoreRow], batch_id: int) -> None:
    if not scores:
        return
    frame = pd.DataFrame([s.as_dict() for s in scores])
    frame.insert(0, "batch_id", batch_id)
    frame["computed_at"] = pd.Timestamp.now()
    register(con, "_scores_df", frame)
    con.execute(
        """INSERT INTO scorecard SELECT batch_id, source, attribute, tier, rows, missing_rate, invalid_rate,
           duplicate_rate, completeness, validity, uniqueness, governance, score, retirement_candidate,
           notes, computed_at FROM _scores_df"""
    )
    con.unregister("_scores_df")


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for t in ("_mapped", "_findings", "_quarantine", "_accepted", "_std", "_std_findings"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
