"""The matcher: one record against the hub, from its keys to scored, explained candidates."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from mdm.config import Project
from mdm.hub.sql import ident, literal
from mdm.match.features import feature_sql
from mdm.match.model import MatchModel, load_model
from mdm.match.realtime.keys import (
    MAX_BLOCK,
    MAX_CANDIDATES,
    RealtimeError,
    compile_for_hub,
    hub_columns,
    key_expressions,
)
from mdm.match.realtime.mirror import py_features, py_keys, py_recovered, python_features
from mdm.match.realtime.scoring import (
    Candidate,
    GoldenCandidate,
    MatchResult,
    ScoringModel,
    band,
    probability,
)
from mdm.match.repair import (
    recovered,
)
from mdm.match.rules import MatchRules, load_match_rules
from mdm.match.settings import Compiled
from mdm.match.thresholds import effective

log = logging.getLogger("mdm.match")


#: keys of at most this many hub records are always looked up; a lookup reads at most
#: LOOKUP_ROWS_PER_CANDIDATE match_key rows per candidate it may score (``max_candidates``)
SMALL_BLOCK, LOOKUP_ROWS_PER_CANDIDATE = 20, 4

#: ``(raw record, source) -> record_std columns``, as the batch stage standardises a row of that source:
#: the pipeline (or the server) hands one in (:class:`mdm.standardise.record.RecordStandardiser`); the
#: match stage never imports the standardise stage
Standardiser = Callable[[Mapping[str, Any], str | None], dict[str, Any]]


def _as_text(v: object) -> str | None:
    return None if v is None else (str(v).lower() if isinstance(v, bool) else str(v))


class Matcher:
    """Scores one record against the hub. Load once per server (:meth:`load`); thread-compatible
    when each thread passes its own hub cursor (the matcher's private DuckDB is guarded)."""

    def __init__(self, *, model: MatchModel, rules: MatchRules, compiled: Compiled, features: pa.Table,
                 standardiser: Standardiser | None = None, max_candidates: int = MAX_CANDIDATES,
                 max_block: int = MAX_BLOCK) -> None:
        import threading

        self.model = model
        self.rules = rules
        # the cut-offs the last run chose (models/thresholds.json), so real time cuts where batch did
        self.thresholds = effective(rules.thresholds, model.directory)
        self.compiled = compiled
        self.standardiser = standardiser
        self.max_candidates = max_candidates
        self.max_block = max_block
        #: keys whose block holds more than ``max_block`` hub records (read at load)
        self.huge_keys: frozenset[str] = frozenset()
        #: hub records per key, for keys of more than SMALL_BLOCK records (read at load)
        self.block_sizes: dict[str, int] = {}
        self.scoring = ScoringModel(model.settings)
        self.columns = [c for c in features.column_names if c not in ("unique_id", "source_dataset")]
        self._features = features.combine_chunks()
        self._row: dict[str, int] = {u: i for i, u in enumerate(self._features.column("unique_id").to_pylist())}
        self._tf_counts: dict[str, dict[str, int]] = {}
        self._tf_totals: dict[str, int] = {}
        for col in self.scoring.tf_columns:
            self._count_tf(col, self._features.column(col).to_pylist())
        self._lock = threading.Lock()
        self._mem = duckdb.connect(":memory:", config={"threads": 1})
        self._key_exprs = key_expressions(compiled.blocking)
        self._std_columns: list[str] = []
        self._std_types: dict[str, str] = {}
        #: columns of the hub's ``record`` table that :func:`recovered` reads (the raw one-line address)
        self._raw_columns: list[str] = []
        self._prepared = False
        self._pair_names: list[str] = []
        self.use_python_features = python_features(compiled.columns, rules)
        self._golden: dict[str, str] = {}
        #: False (default): golden ids from the in-memory copy of xref (kept current through
        #: :meth:`set_golden` / :meth:`reload_goldens`); True: read ``xref`` per request (a scan:
        #: DuckDB does not use the compound ``xref_key`` index for lookups)
        self.goldens_from_hub = False

    # ---- construction

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, project: Project, *, model_dir: Path | None = None,
             standardiser: Standardiser | None = None, max_candidates: int = MAX_CANDIDATES,
             max_block: int = MAX_BLOCK) -> Matcher:
        """Model from ``model_dir`` (default: the pipeline's ``<hub folder>/models``), features of every
        hub record, term frequencies. Costs one scan of ``record_std``. ``standardiser`` reads raw
        records (:meth:`standardise`); without one only standardised records can be matched."""
        model_dir = model_dir or project.hub.parent / "models"
        model = load_model(model_dir)
        if model is None:
            raise RealtimeError(f"no trained match model in {model_dir}: run the pipeline (`mdm run`) first")
        rules = load_match_rules(project.match_rules)
        compiled = compile_for_hub(con, rules)
        active = model.manifest.get("active")
        if active is not None and active != compiled.signature:
            raise RealtimeError("the saved match model does not fit the hub's data or rules: run `mdm run` to "
                                "retrain before real-time matching")
        table_cols = hub_columns(con, "record_std")
        with recovered(con, "record_std") as source:   # the hub's features exactly as batch built them
            features = con.sql(feature_sql(compiled.columns, rules, source, table_cols)).to_arrow_table()
        m = cls(model=model, rules=rules, compiled=compiled, features=features, standardiser=standardiser,
                max_candidates=max_candidates, max_block=max_block)
        m._std_columns = [c for c in table_cols if c not in ("source", "source_id")]
        m._std_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE record_std").fetchall()}
        m._raw_columns = [c for c in ("street_address",) if c in hub_columns(con, "record")]
        m.block_sizes = {str(k): int(n) for k, n in con.execute(
            "SELECT key, count(*) FROM match_key GROUP BY key HAVING count(*) > ?",
            [min(SMALL_BLOCK, max_block)]).fetchall()}
        m.huge_keys = frozenset(k for k, n in m.block_sizes.items() if n > max_block)
        if m.use_python_features and not m.check_python_features(con):
            log.warning("real-time matching: the Python mirror of the feature SQL disagrees with batch on this "
                        "hub's records; using the SQL (slower) for incoming records")
            m.use_python_features = False
        m.reload_goldens(con)
        return m

    @property
    def _std_columns_all(self) -> list[str]:
        return ["source", "source_id", *self._std_columns]

    def check_python_features(self, con: duckdb.DuckDBPyConnection, sample: int = 300) -> bool:
        """Whether the Python mirror gives this hub's records the features batch gave them.

        Checked on up to ``sample`` records of each kind batch repairs (Han-script names, a
        whole name in ``first_name``, no postal code) and ``sample`` others, against the
        features :meth:`load` read through the batch SQL, and their keys against the key SQL.
        """
        have = set(self._std_columns_all)
        kinds = ["true"]
        for col in ("first_name", "middle_name", "last_name", "full_name"):
            if col in have:
                kinds.append(f"regexp_matches({ident(col)}, '\\p{{Han}}')")
        if {"first_name", "last_name"} <= have:
            kinds.append("(last_name IS NULL OR trim(last_name) = '') AND regexp_matches(trim(first_name), '\\s')")
        if {"first_name", "last_name", "email__local"} <= have:
            kinds.append("email__local IS NOT NULL AND ((first_name IS NULL OR trim(first_name) = '') "
                         "<> (last_name IS NULL OR trim(last_name) = ''))")
        if "postal_code" in have:
            kinds.append("postal_code IS NULL")
        raw = ", ".join(f"r.{ident(c)} AS {ident('raw:' + c)}" for c in self._raw_columns)
        join = ("LEFT JOIN record r ON r.source = s.source AND r.source_id = s.source_id"
                if self._raw_columns else "")
        picks = " UNION ".join(f"(SELECT source || ':' || source_id AS u FROM record_std WHERE {k} "
                               f"ORDER BY hash(source, source_id) LIMIT {int(sample)})" for k in kinds)
        cur = con.execute(f"SELECT s.*{', ' + raw if raw else ''} FROM record_std s {join} "
                          f"WHERE s.source || ':' || s.source_id IN ({picks})")
        names = [d[0] for d in cur.description or []]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if not rows:
            return True
        got: list[dict[str, Any]] = []
        for row in rows:
            uid = f"{row['source']}:{row['source_id']}"
            if uid not in self._row:
                continue
            raw_row = {c[4:]: v for c, v in row.items() if c.startswith("raw:")}
            feats, keys = self.features_of(row, uid, raw_row)
            i = self._row[uid]
            if any(feats.get(c) != self._features.column(c)[i].as_py() for c in self.columns):
                return False
            got.append({"unique_id": uid, **{f"key:{k}": v for k, v in keys.items()}})
        # the keys, by the batch key SQL over the features load() read
        sample_ids = pa.array([g["unique_id"] for g in got], pa.string())
        idx = pa.array([self._row[u] for u in sample_ids.to_pylist()], pa.int64())
        sel = ", ".join(f"{e} AS {ident('key:' + k)}" for k, e in self._key_exprs.items())
        with self._lock:
            self._mem.register("_kf", self._features.take(idx))
            try:
                kc = self._mem.execute(f"SELECT unique_id, {sel} FROM _kf")
                knames = [d[0] for d in kc.description or []]
                want = {r[0]: {n[4:]: v for n, v in zip(knames[1:], r[1:], strict=True) if v is not None}
                        for r in kc.fetchall()}
            finally:
                self._mem.unregister("_kf")
        return all(want.get(g["unique_id"]) == {k[4:]: v for k, v in g.items() if k.startswith("key:")}
                   for g in got)

    def _count_tf(self, col: str, values: Iterable[Any]) -> None:
        counts = self._tf_counts.setdefault(col, {})
        n = 0
        for v in values:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
                n += 1
        self._tf_totals[col] = self._tf_totals.get(col, 0) + n

    @property
    def records(self) -> int:
        return len(self._row)

    def add_records(self, con: duckdb.DuckDBPyConnection, unique_ids: Iterable[str]) -> int:
        """Take records newly written to ``record_std`` into the matcher (features, term frequencies).

        Call after :func:`add_match_keys`; records already known are replaced."""
        ids = [u for u in dict.fromkeys(unique_ids)]
        if not ids:
            return 0
        con.execute("CREATE OR REPLACE TEMP TABLE _rt_new AS SELECT * FROM record_std WHERE source || ':' || "
                    "source_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        try:
            with recovered(con, "_rt_new") as source:   # repaired as load() reads every record
                sql = feature_sql(self.compiled.columns, self.rules, source, hub_columns(con, "record_std"))
                got: pa.Table = con.sql(sql).to_arrow_table()
        finally:
            con.execute("DROP TABLE IF EXISTS _rt_new")
        new = got.select(self._features.column_names).cast(self._features.schema)
        with self._lock:
            for u in new.column("unique_id").to_pylist():  # a changed record: its old values stop counting
                i = self._row.get(u)
                if i is not None:
                    for col in self.scoring.tf_columns:
                        old = self._features.column(col)[i].as_py()
                        if old is not None:
                            self._tf_counts[col][old] -= 1
                            self._tf_totals[col] -= 1
            for col in self.scoring.tf_columns:
                self._count_tf(col, new.column(col).to_pylist())
            start = self._features.num_rows
            self._features = pa.concat_tables([self._features, new]).combine_chunks()
            for j, u in enumerate(new.column("unique_id").to_pylist()):
                self._row[u] = start + j
        return int(new.num_rows)

    # ---- per request

    def standardise(self, record: Mapping[str, Any], source: str | None = None) -> dict[str, Any]:
        """The record_std columns of a raw record, by the standardiser the matcher was given."""
        if self.standardiser is None:
            raise RealtimeError("this matcher was loaded without a record standardiser: it matches only "
                                "standardised records")
        return self.standardiser(record, source)

    def _prepare(self) -> None:
        """Create the one-row tables and the pairs table, and compile the per-request statements once
        (binding the gamma SQL costs more than running it)."""
        if self._prepared:
            return
        types = self._std_types
        cols = ["source", "source_id", *self._std_columns]
        # the incoming record as a one-row record_std (and its raw line as a one-row record), so the
        # batch SQL -- recovered() and feature_sql() -- runs over it unchanged
        self._mem.execute("CREATE TEMP TABLE record_std (" + ", ".join(
            f"{ident(c)} {types.get(c, 'VARCHAR')}" for c in cols) + ")")
        one = ", ".join(f"CAST(j->>{literal(c)} AS {types.get(c, 'VARCHAR')}) AS {ident(c)}" for c in cols)
        self._mem.execute(f"PREPARE rt_load AS INSERT INTO record_std SELECT {one} FROM "
                          f"(SELECT CAST($1 AS JSON) AS j)")
        if self._raw_columns:
            self._mem.execute("CREATE TEMP TABLE record (source VARCHAR, source_id VARCHAR, " + ", ".join(
                f"{ident(c)} VARCHAR" for c in self._raw_columns) + ")")
        self._mem.execute("CREATE TEMP TABLE _rec AS SELECT * FROM record_std")
        feats = feature_sql(self.compiled.columns, self.rules, "_rec", cols)
        keys = ", ".join(f"{expr} AS {ident('key:' + label)}" for label, expr in self._key_exprs.items())
        self._mem.execute(f"PREPARE rt_features AS WITH _f AS ({feats}) SELECT *, {keys} FROM _f")
        schema = self._features.schema
        pair_types = [("unique_id_r", schema.field("unique_id").type),
                      *((f"{c}_l", schema.field(c).type) for c in self.columns),
                      *((f"{c}_r", schema.field(c).type) for c in self.columns)]
        self._pair_names = [name for name, _ in pair_types]
        self._mem.execute("CREATE TEMP TABLE _pairs (" + ", ".join(
            f"{ident(n)} {_duck_type(t)}" for n, t in pair_types) + ")")
        self._mem.execute(f"PREPARE rt_score AS {self.scoring.gamma_sql('_pairs')}")
        self._prepared = True

    def features_of(self, std: Mapping[str, Any], unique_id: str = "incoming:0",
                    raw: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
        """Match features and blocking keys of one standardised record, repaired as batch repairs hub
        records; ``raw``: the record as sent (batch recovers a postal code from its one-line address).

        The Python mirror when it covers the rules and agreed with the batch SQL on this hub's
        records at load (:meth:`check_python_features`), else the batch SQL itself.
        """
        if self.use_python_features:
            line = None if raw is None or raw.get("street_address") is None else str(raw["street_address"])
            fixed = py_recovered(std, line, self._std_columns_all, bool(self._raw_columns))
            feats = py_features(fixed, self.compiled.columns, unique_id, unique_id.partition(":")[0])
            return feats, py_keys(feats, self.compiled.blocking)
        return self.sql_features_of(std, unique_id, raw)

    def sql_features_of(self, std: Mapping[str, Any], unique_id: str = "incoming:0",
                        raw: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
        """Match features and blocking keys of one standardised record, by the batch SQL.

        The record becomes a one-row ``record_std`` (``raw``, the record as sent, a one-row
        ``record``) in the matcher's private DuckDB, read through :func:`recovered` and
        :func:`feature_sql` exactly as batch reads the hub: Han-script names romanised, a
        whole name in ``first_name`` split, the postal code recovered from a one-line
        address (only with ``raw``: batch takes it from the raw record too).
        """
        source, _, source_id = unique_id.partition(":")
        doc = {c: std.get(c) for c in self._std_columns}
        doc.update(source=source, source_id=source_id)
        line = [None if raw is None or raw.get(c) is None else str(raw[c]) for c in self._raw_columns]
        with self._lock:
            self._prepare()
            mem = self._mem
            mem.execute("DELETE FROM record_std")
            mem.execute(f"EXECUTE rt_load({literal(json.dumps(doc, default=str))})")
            if self._raw_columns:
                mem.execute("DELETE FROM record")
                mem.execute(f"INSERT INTO record VALUES (?, ?{', ?' * len(line)})", [source, source_id, *line])
            mem.execute("DELETE FROM _rec")
            with recovered(mem, "record_std") as src:
                mem.execute(f"INSERT INTO _rec SELECT * FROM {src}")
            cur = mem.execute("EXECUTE rt_features")
            names = [d[0] for d in cur.description or []]
            row = cur.fetchall()[0]
        values = dict(zip(names, row, strict=True))
        out_keys = {n[4:]: v for n, v in values.items() if n.startswith("key:") and v is not None}
        feats_out = {n: v for n, v in values.items() if not n.startswith("key:")}
        return feats_out, out_keys

    def candidates(self, con: duckdb.DuckDBPyConnection, keys: Mapping[str, str], exclude: str | None = None
                   ) -> tuple[list[str], int]:
        """Hub records sharing a blocking key, most shared keys first, capped; and how many there were.

        Bounded work per call: one index scan for all keys (``key IN (...)``), at most
        ``max_candidates`` scored; keys of more than ``max_block`` records (:attr:`huge_keys`:
        a common name in a big postal code, placeholders) are never looked up, and the larger
        blocks only within a row budget (:meth:`_within_budget`). Batch blocking would pair the
        record with every member; its other keys still find its duplicates.
        """
        wanted = self._within_budget([k for k in dict.fromkeys(keys.values()) if k not in self.huge_keys])
        if not wanted:
            return [], 0
        rows = con.execute(
            f"SELECT unique_id, count(*) AS n, count(*) OVER () AS total FROM match_key "
            f"WHERE key IN ({', '.join('?' * len(wanted))}) AND unique_id <> ? "
            f"GROUP BY unique_id ORDER BY n DESC, unique_id LIMIT {int(self.max_candidates)}",
            [*wanted, exclude or ""]).fetchall()
        total = int(rows[0][2]) if rows else 0
        return [str(r[0]) for r in rows], total

    def _within_budget(self, keys: list[str]) -> list[str]:
        """Small blocks always; larger ones smallest first while their rows stay within
        LOOKUP_ROWS_PER_CANDIDATE x ``max_candidates`` (a lookup costs ~40 ms per 1,000 rows at 1M;
        duplicates share the specific keys, e-mail, phone, street, name + birth date: small blocks)."""
        budget = LOOKUP_ROWS_PER_CANDIDATE * self.max_candidates
        small = [k for k in keys if k not in self.block_sizes]
        used = SMALL_BLOCK * len(small)
        chosen = list(small)
        for key in sorted((k for k in keys if k in self.block_sizes), key=lambda k: (self.block_sizes[k], k)):
            used += self.block_sizes[key]
            if used > budget:
                break
            chosen.append(key)
        return chosen

    def score(self, incoming: Mapping[str, Any], unique_ids: Sequence[str]) -> list[tuple[str, float,
                                                                                           list[dict[str, Any]]]]:
        """(unique_id, match_weight, explanation) of the incoming features against known hub records.

        The pairs (incoming features repeated beside each candidate's) are built in Arrow and
        copied into a temporary table the prepared gamma statement reads: binding the gamma
        SQL costs ~4 ms, running it ~3 ms (measured at 100k; a prepared statement over a
        registered Arrow table would keep reading the table it was prepared with).
        """
        with self._lock:
            self._prepare()
            rows = [self._row[u] for u in unique_ids if u in self._row]
            if not rows:
                return []
            right = self._features.take(rows)
            n, schema = len(rows), self._features.schema
            arrays = [right.column("unique_id"), *(_repeat(incoming.get(c), schema.field(c).type, n)
                                                   for c in self.columns),
                      *(right.column(c) for c in self.columns)]
            pairs = pa.Table.from_arrays(arrays, names=self._pair_names)
            self._mem.execute("DELETE FROM _pairs")
            # not register(): a view added or dropped makes DuckDB bind the prepared statement again
            self._mem.from_arrow(pairs).insert_into("_pairs")
            got = self._mem.execute("EXECUTE rt_score").fetchall()
        tf = {c: self._tf(c, incoming.get(c)) for c in self.scoring.tf_columns}
        seen: dict[tuple[int, ...], tuple[float, list[dict[str, Any]]]] = {}
        out = []
        for row in got:
            gammas = tuple(int(g) for g in row[1:])
            hit = seen.get(gammas)
            if hit is None:
                hit = seen[gammas] = self.scoring.weigh(gammas, tf)
            out.append((str(row[0]), hit[0], hit[1]))
        return out

    def reload_goldens(self, con: duckdb.DuckDBPyConnection) -> int:
        """Re-read unique_id -> golden_id from ``xref`` (after a run, a merge or a split)."""
        rows = con.execute("SELECT source || ':' || source_id, golden_id FROM xref WHERE valid_to IS NULL"
                           ).fetchall()
        with self._lock:
            self._golden = {str(u): str(g) for u, g in rows}
        return len(rows)

    def set_golden(self, unique_id: str, golden_id: str | None) -> None:
        """Record one xref change made by the server (attach, create, merge, split)."""
        with self._lock:
            if golden_id is None:
                self._golden.pop(unique_id, None)
            else:
                self._golden[unique_id] = golden_id

    def golden_ids(self, con: duckdb.DuckDBPyConnection, unique_ids: Sequence[str]) -> dict[str, str]:
        if self.goldens_from_hub:
            return _golden_ids(con, unique_ids)
        with self._lock:
            return {u: g for u in unique_ids if (g := self._golden.get(u)) is not None}

    def _tf(self, col: str, value: Any) -> float | None:
        if value is None:
            return None
        count = self._tf_counts.get(col, {}).get(value, 0)
        total = self._tf_totals.get(col, 0)
        return count / total if count and total else None

    def match(self, con: duckdb.DuckDBPyConnection, record: Mapping[str, Any], *, source: str | None = None,
              source_id: str | None = None, limit: int = 10, standardised: bool = False,
              raw: Mapping[str, Any] | None = None) -> MatchResult:
        """Score one record (raw attribute -> value, or ``standardised`` record_std columns) against the hub.

        ``source``/``source_id``: where the record comes from (its standardisation context; a
        record already in the hub under that id is not its own candidate). ``raw``: with a
        ``standardised`` record, the record as sent (batch recovers a postal code from its
        one-line address).
        """
        std = dict(record) if standardised else self.standardise(record, source)
        uid = f"{source}:{source_id}" if source and source_id else None
        feats, keys = self.features_of(std, uid or "incoming:0", raw if standardised else record)
        ids, found = self.candidates(con, keys, exclude=uid)
        scored = self.score(feats, ids)
        scored.sort(key=lambda t: (-t[1], t[0]))
        goldens = self.golden_ids(con, [u for u, _, _ in scored])
        records = [Candidate(u, goldens.get(u), w, probability(w), band(probability(w), self.thresholds), e)
                   for u, w, e in scored]
        best: dict[str, GoldenCandidate] = {}
        for c in records:
            if c.golden_id is None:
                continue
            g = best.get(c.golden_id)
            if g is None:
                best[c.golden_id] = GoldenCandidate(c.golden_id, c.match_weight, c.match_probability, c.band,
                                                    c.unique_id, [c.unique_id], c.explanation)
            else:
                g.members_matched.append(c.unique_id)
        ranked = sorted(best.values(), key=lambda g: (-g.match_weight, g.golden_id))[:limit]
        return MatchResult(goldens=ranked, records=records[:limit], candidates_found=found,
                           candidates_scored=len(scored), standardised=std)


def _repeat(value: Any, t: pa.DataType, n: int) -> pa.Array:
    """``value`` ``n`` times as an Arrow array of type ``t`` (a value of another type via its text)."""
    try:
        return pa.array([value] * n, t)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([_as_text(value)] * n, pa.string()).cast(t, safe=False)


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    return "VARCHAR"


def _golden_ids(con: duckdb.DuckDBPyConnection, unique_ids: Sequence[str]) -> dict[str, str]:
    """unique_id -> current golden id, from ``xref``."""
    if not unique_ids:
        return {}
    pairs = [u.partition(":") for u in unique_ids]
    rows = con.execute(
        "SELECT x.source || ':' || x.source_id, x.golden_id FROM xref x "
        "SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS s, unnest(?::VARCHAR[]) AS i) q "
        "ON x.source = q.s AND x.source_id = q.i WHERE x.valid_to IS NULL",
        [[p[0] for p in pairs], [p[2] for p in pairs]]).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}
