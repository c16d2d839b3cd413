"""Versioned DDL of the hub.

Fixed tables are created by numbered migrations; the ``record`` table additionally
gets one VARCHAR column per dictionary attribute (raw values as read), added on demand
so users extend the dictionary by editing YAML, not code.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from mdm.errors import HubError
from mdm.hub import search

SCHEMA_VERSION = 8
#: record_std is created by the standardise stage (its columns follow the dictionary); its
#: lookup index is made with it, and by open_hub for hubs made before v6
RECORD_STD_INDEX = "CREATE INDEX IF NOT EXISTS record_std_source_id ON record_std (source_id)"

#: steward decisions as constraints the next run reads (must_link, cannot_link): never
#: undone by a re-run
_LINK_DDL = """CREATE TABLE IF NOT EXISTS {table} (
            unique_id_l VARCHAR NOT NULL,
            unique_id_r VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            created_by VARCHAR,
            reason VARCHAR,
            task_id BIGINT
        )"""

#: DDL, or a step that needs more than DDL (filling a new table from the hub's data)
MIGRATIONS: dict[int, list[str | Callable[[duckdb.DuckDBPyConnection], None]]] = {
    1: [
        "CREATE SEQUENCE IF NOT EXISTS batch_id_seq START 1",
        """CREATE TABLE IF NOT EXISTS batch (
            batch_id BIGINT PRIMARY KEY,
            source VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            format VARCHAR,
            encoding VARCHAR,
            delimiter VARCHAR,
            rows_read BIGINT,
            rows_accepted BIGINT,
            rows_quarantined BIGINT,
            values_flagged BIGINT,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            status VARCHAR NOT NULL,
            message VARCHAR,
            mapping_fingerprint VARCHAR
        )""",
        """CREATE TABLE IF NOT EXISTS record (
            source VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            batch_id BIGINT NOT NULL,
            row_number BIGINT NOT NULL,
            updated_at TIMESTAMP,
            ingested_at TIMESTAMP NOT NULL,
            PRIMARY KEY (source, source_id)
        )""",
        """CREATE TABLE IF NOT EXISTS record_flag (
            source VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            batch_id BIGINT NOT NULL,
            attribute VARCHAR NOT NULL,
            reason_code VARCHAR NOT NULL,
            message VARCHAR,
            value VARCHAR
        )""",
        """CREATE TABLE IF NOT EXISTS quarantine (
            batch_id BIGINT NOT NULL,
            source VARCHAR NOT NULL,
            row_number BIGINT,
            line BIGINT,
            source_id VARCHAR,
            raw_row VARCHAR,
            reason_codes VARCHAR[] NOT NULL,
            messages VARCHAR[] NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS scorecard (
            batch_id BIGINT NOT NULL,
            source VARCHAR NOT NULL,
            attribute VARCHAR NOT NULL,
            tier VARCHAR NOT NULL,
            rows BIGINT NOT NULL,
            missing_rate DOUBLE NOT NULL,
            invalid_rate DOUBLE NOT NULL,
            duplicate_rate DOUBLE NOT NULL,
            completeness DOUBLE NOT NULL,
            validity DOUBLE NOT NULL,
            uniqueness DOUBLE NOT NULL,
            governance DOUBLE NOT NULL,
            score DOUBLE NOT NULL,
            retirement_candidate BOOLEAN NOT NULL,
            notes VARCHAR[],
            computed_at TIMESTAMP NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS profile (
            batch_id BIGINT NOT NULL,
            source VARCHAR NOT NULL,
            document JSON NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS record_flag_key ON record_flag (source, source_id)",
    ],
    2: [
        "CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS task_id_seq START 1",
        """CREATE TABLE IF NOT EXISTS run (
            run_id BIGINT PRIMARY KEY,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            status VARCHAR NOT NULL,
            summary JSON
        )""",
        # scored candidate pairs of the latest run; explanation = per-comparison contributions
        """CREATE TABLE IF NOT EXISTS match_pair (
            run_id BIGINT NOT NULL,
            unique_id_l VARCHAR NOT NULL,
            unique_id_r VARCHAR NOT NULL,
            match_weight DOUBLE NOT NULL,
            match_probability DOUBLE NOT NULL,
            band VARCHAR NOT NULL,
            explanation JSON
        )""",
        """CREATE TABLE IF NOT EXISTS review_task (
            task_id BIGINT PRIMARY KEY,
            status VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            run_id BIGINT,
            unique_id_l VARCHAR NOT NULL,
            unique_id_r VARCHAR NOT NULL,
            match_probability DOUBLE,
            match_weight DOUBLE,
            explanation JSON,
            version INTEGER NOT NULL DEFAULT 1,
            assignee VARCHAR,
            decision VARCHAR,
            reason VARCHAR,
            decided_by VARCHAR,
            decided_at TIMESTAMP
        )""",
        _LINK_DDL.format(table="must_link"),
        _LINK_DDL.format(table="cannot_link"),
        """CREATE TABLE IF NOT EXISTS cluster_member (
            unique_id VARCHAR PRIMARY KEY,
            cluster_id VARCHAR NOT NULL,
            run_id BIGINT NOT NULL
        )""",
    ],
    # golden records (survivorship), their lineage and history, the cross-reference and
    # the change feed. Attribute values live in ``record`` JSON (attribute -> value) so a
    # dictionary extended in YAML needs no DDL; lineage is one row per attribute.
    3: [
        """CREATE TABLE IF NOT EXISTS golden (
            golden_id VARCHAR PRIMARY KEY,
            status VARCHAR NOT NULL,            -- active | merged | retired
            merged_into VARCHAR,                -- survivor when status = merged
            version INTEGER NOT NULL,
            confidence DOUBLE,
            member_count INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            run_id BIGINT,
            record JSON NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS golden_attribute (
            golden_id VARCHAR NOT NULL,
            attribute VARCHAR NOT NULL,
            value VARCHAR,
            source VARCHAR,
            source_id VARCHAR,
            rule VARCHAR NOT NULL,
            asserted_at TIMESTAMP,              -- when the source last asserted the value
            chosen_at TIMESTAMP NOT NULL,
            PRIMARY KEY (golden_id, attribute)
        )""",
        # every version of every golden record: valid_to IS NULL is the current one
        """CREATE TABLE IF NOT EXISTS golden_version (
            golden_id VARCHAR NOT NULL,
            version INTEGER NOT NULL,
            valid_from TIMESTAMP NOT NULL,
            valid_to TIMESTAMP,
            status VARCHAR NOT NULL,
            merged_into VARCHAR,
            confidence DOUBLE,
            record JSON NOT NULL,
            lineage JSON NOT NULL,
            members JSON NOT NULL,
            PRIMARY KEY (golden_id, version)
        )""",
        """CREATE TABLE IF NOT EXISTS xref (
            source VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            golden_id VARCHAR NOT NULL,
            valid_from TIMESTAMP NOT NULL,
            valid_to TIMESTAMP,                 -- NULL: current
            run_id BIGINT
        )""",
        "CREATE INDEX IF NOT EXISTS xref_key ON xref (source, source_id)",
        "CREATE INDEX IF NOT EXISTS xref_golden ON xref (golden_id)",
        # the change feed: seq is gap-free and strictly increasing (assigned max+1 inside
        # the writing transaction; the primary key makes concurrent writers retry)
        """CREATE TABLE IF NOT EXISTS golden_event (
            seq BIGINT PRIMARY KEY,
            type VARCHAR NOT NULL,              -- created | updated | merged | split | retired
            golden_id VARCHAR NOT NULL,
            occurred_at TIMESTAMP NOT NULL,
            run_id BIGINT,
            actor VARCHAR,
            changes JSON,                       -- attribute -> {before, after}
            record JSON,                        -- the full new record
            related JSON                        -- e.g. merged_into / split_from / members
        )""",
        "CREATE INDEX IF NOT EXISTS golden_event_golden ON golden_event (golden_id)",
        # steward overrides: always first in survivorship; active = not yet reverted
        """CREATE TABLE IF NOT EXISTS attribute_override (
            override_id BIGINT PRIMARY KEY,
            golden_id VARCHAR NOT NULL,
            attribute VARCHAR NOT NULL,
            value VARCHAR,
            reason VARCHAR NOT NULL,
            created_by VARCHAR,
            created_at TIMESTAMP NOT NULL,
            active BOOLEAN NOT NULL
        )""",
    ],
    # stewardship: API keys (only a hash of each key is kept), the append-only audit log
    # (each row's hash chains the previous row's, so an edited or deleted row shows) and
    # the pipeline runs started through the server
    4: [
        "CREATE SEQUENCE IF NOT EXISTS api_key_id_seq START 1",
        """CREATE TABLE IF NOT EXISTS api_key (
            key_id BIGINT PRIMARY KEY,
            prefix VARCHAR NOT NULL UNIQUE,     -- public part of the key, for lookup
            key_hash VARCHAR NOT NULL,          -- sha256 of the whole key; the key itself is never stored
            name VARCHAR NOT NULL,
            role VARCHAR NOT NULL,              -- reader | steward | admin | system
            created_at TIMESTAMP NOT NULL,
            created_by VARCHAR,
            revoked_at TIMESTAMP
        )""",
        """CREATE TABLE IF NOT EXISTS audit_log (
            seq BIGINT PRIMARY KEY,
            occurred_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            target VARCHAR NOT NULL,
            before JSON,
            after JSON,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS server_run (
            job_id BIGINT PRIMARY KEY,
            status VARCHAR NOT NULL,            -- running | succeeded | failed
            requested_by VARCHAR NOT NULL,
            retrain BOOLEAN NOT NULL,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            progress VARCHAR,
            summary JSON,
            report VARCHAR,
            error VARCHAR
        )""",
    ],
    # publishing to CRM/ERP: what each target received last, so the next publish sends
    # only what changed since (by change-feed sequence)
    5: [
        """CREATE TABLE IF NOT EXISTS publish_log (
            target VARCHAR NOT NULL,
            published_at TIMESTAMP NOT NULL,
            seq_from BIGINT NOT NULL,
            seq_to BIGINT NOT NULL,
            full_export BOOLEAN NOT NULL,
            upserts BIGINT NOT NULL,
            merges BIGINT NOT NULL,
            files JSON
        )""",
        # decay audits: one summary per audit and its per-attribute figures (quality history)
        "CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1",
        """CREATE TABLE IF NOT EXISTS audit (
            audit_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL,
            as_of DATE NOT NULL,
            run_at TIMESTAMP NOT NULL,
            threshold DOUBLE NOT NULL,
            summary JSON NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS audit_attribute (
            audit_id BIGINT NOT NULL,
            attribute VARCHAR NOT NULL,
            tier VARCHAR NOT NULL,
            decay_rate_monthly DOUBLE NOT NULL,
            "values" BIGINT NOT NULL,
            stale BIGINT NOT NULL,
            stale_share DOUBLE NOT NULL,
            mean_probability_valid DOUBLE,
            median_age_months DOUBLE
        )""",
        # scheduled jobs (mdm.yaml schedules:): when each last ran and runs next
        """CREATE TABLE IF NOT EXISTS schedule_state (
            name VARCHAR PRIMARY KEY,
            job VARCHAR NOT NULL,
            cron VARCHAR NOT NULL,
            last_run TIMESTAMP,
            last_status VARCHAR,
            last_message VARCHAR,
            next_run TIMESTAMP
        )""",
        # webhooks: subscriptions (cursor = last event enqueued) and their deliveries, which
        # live here so a restart loses nothing
        "CREATE SEQUENCE IF NOT EXISTS webhook_id_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS delivery_id_seq START 1",
        """CREATE TABLE IF NOT EXISTS webhook_subscription (
            subscription_id BIGINT PRIMARY KEY,
            url VARCHAR NOT NULL,
            event_types VARCHAR[] NOT NULL,
            secret VARCHAR NOT NULL,
            max_attempts INTEGER NOT NULL,
            active BOOLEAN NOT NULL,
            cursor_seq BIGINT NOT NULL,
            created_at TIMESTAMP NOT NULL,
            created_by VARCHAR
        )""",
        """CREATE TABLE IF NOT EXISTS webhook_delivery (
            delivery_id BIGINT PRIMARY KEY,
            subscription_id BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            golden_id VARCHAR NOT NULL,
            idempotency_key VARCHAR NOT NULL,
            status VARCHAR NOT NULL,            -- pending | delivered | dead
            attempts INTEGER NOT NULL,
            next_attempt_at TIMESTAMP NOT NULL,
            last_status_code INTEGER,
            last_error VARCHAR,
            created_at TIMESTAMP NOT NULL,
            delivered_at TIMESTAMP
        )""",
        "CREATE INDEX IF NOT EXISTS webhook_delivery_due ON webhook_delivery (status, next_attempt_at)",
        # real-time matching: every record's blocking keys (rule name + key value), indexed, so an
        # incoming record's candidates are looked up instead of scanning the hub
        """CREATE TABLE IF NOT EXISTS match_key (
            rule VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            unique_id VARCHAR NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS match_key_lookup ON match_key (rule, key)",
    ],
    # single-column lookups: DuckDB 2.0 uses an index for "col = ?" but scans the whole table
    # for "source = ? AND source_id = ?", even with the (source, source_id) primary key
    6: [
        "CREATE INDEX IF NOT EXISTS record_source_id ON record (source_id)",
        "CREATE INDEX IF NOT EXISTS golden_version_golden ON golden_version (golden_id)",
        "CREATE INDEX IF NOT EXISTS attribute_override_golden ON attribute_override (golden_id)",
    ],
    # web-UI sessions, server-side so they can be ended: the cookie carries a random token, the
    # hub only its sha256; logout, a revoked key or a changed role sets revoked_at
    7: [
        """CREATE TABLE IF NOT EXISTS ui_session (
            session_id VARCHAR PRIMARY KEY,     -- sha256 of the cookie's token; the token is never stored
            key_id BIGINT NOT NULL,
            role VARCHAR NOT NULL,              -- the key's role at login: a changed role ends the session
            created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP,
            revoked_reason VARCHAR              -- logout | key revoked | role changed
        )""",
        "CREATE INDEX IF NOT EXISTS ui_session_key ON ui_session (key_id)",
    ],
    # the search index of golden records (issue 19.4, mdm/hub/search.py), built from the hub's
    # golden records and their members' values for a hub made before it
    8: [*search.DDL, search.migrate],
}


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; refuses a hub newer than this code."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    current = int(row[0]) if row and row[0] is not None else 0
    if current > SCHEMA_VERSION:
        raise HubError(
            f"hub schema version {current} is newer than this mdm understands ({SCHEMA_VERSION}); "
            "upgrade mdm", code="hub.schema_newer",
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        for ddl in MIGRATIONS[version]:
            if isinstance(ddl, str):
                con.execute(ddl)
            else:
                ddl(con)
        con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
    return SCHEMA_VERSION


def ensure_attribute_columns(con: duckdb.DuckDBPyConnection, attributes: list[str]) -> None:
    """Add a raw VARCHAR column to ``record`` for each attribute it lacks."""
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'record' AND schema_name = 'main'"
    ).fetchall()}
    for name in attributes:
        if name not in have:
            con.execute(f'ALTER TABLE record ADD COLUMN "{name}" VARCHAR')
