"""The "plain Splink" baseline: what a careful Splink user does without mdm.

Reads the four generated source files with pandas, keeps the columns the source mappings
(``dictionary/sources/*.yaml``) name, and prepares them the tutorial way: lower-case and
trim, empty -> NULL. Nothing else is standardised. Two things are done only because the
columns would not exist otherwise: dates are parsed with each mapping's own
``date_formats`` into ISO text (Splink's DOB comparison needs one format), and the
single name field of ERP and legacy records is split naively (``"last, first ..."`` or
``"first ... last"``). Phones, emails, addresses and names stay as typed; legacy
addresses stay one line in ``street_address``.

Model (Splink 5 tutorial style): ``link_and_dedupe`` over the four sources;
NameComparison on first and last name, DateOfBirthComparison, EmailComparison,
Levenshtein on postal code and street, exact city (with term frequencies) and exact
phone; blocking on a few obvious keys; the prior from deterministic rules, u by random
sampling, m by EM on two blocking rules; predict; connected components at 0.95.

Splink 5's EM can fail with "m_probability value 0.0 is below the minimum allowed value"
when a level's weight underflows; a failed EM call leaves the linker mutated, so the
model is snapshotted before each EM session, rebuilt from the snapshot (probabilities
clamped away from 0) and that session retried once, then skipped. Notes say what happened.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

__all__ = ["BaselineResult", "load_records", "run_plain_splink"]

SOURCES: dict[str, str] = {"crm": "crm.csv", "erp": "erp.csv", "web": "web.jsonl", "legacy": "legacy.csv"}
MAPPINGS = Path(__file__).resolve().parent.parent / "dictionary" / "sources"
COLUMNS = ("first_name", "last_name", "birth_date", "email", "phone", "postal_code", "city", "street_address")
#: read but not compared by the baseline model (constrained clustering uses them; see bench.accuracy)
EXTRA_COLUMNS = ("national_id",)
_READ: dict[str, dict[str, Any]] = {
    "crm": {"sep": ",", "encoding": "utf-8"},
    "erp": {"sep": ";", "encoding": "utf-8-sig"},
    "legacy": {"sep": "\t", "encoding": "gb18030"},
}
_FLOOR = 1e-10


@dataclass
class BaselineResult:
    """``clusters``: ``unique_id, cluster_id``; ``pairs``: predictions at or above ``predict_threshold``."""

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    records: pd.DataFrame
    timings: dict[str, float]
    peak_rss_mb: float | None = None
    notes: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------- reading


def _mapping(source: str) -> dict[str, Any]:
    import yaml

    doc: dict[str, Any] = yaml.safe_load((MAPPINGS / f"{source}.yaml").read_text(encoding="utf-8"))
    return doc


def _read_raw(path: Path, source: str) -> pd.DataFrame:
    if path.suffix == ".jsonl":  # values as text, so ids never turn into floats around a missing one
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return pd.DataFrame([{k: None if v is None else str(v) for k, v in r.items()} for r in rows], dtype=object)
    return pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip", **_READ[source])


def _clean(s: pd.Series) -> pd.Series:
    out = s.astype("string").str.strip().str.lower()
    return out.mask(out == "")


def _dates(s: pd.Series, formats: Sequence[str]) -> pd.Series:
    text = s.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for fmt in formats:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        out = out.fillna(parsed)
    return out.dt.strftime("%Y-%m-%d").astype("string")


_COMMA = re.compile(r"^\s*([^,]+),\s*(\S+)")


def _split_full_name(full: pd.Series) -> tuple[pd.Series, pd.Series]:
    first: list[str | None] = []
    last: list[str | None] = []
    for value in full.tolist():
        if not isinstance(value, str) or not value.strip():
            first.append(None)
            last.append(None)
            continue
        m = _COMMA.match(value)
        if m:
            last.append(m.group(1))
            first.append(m.group(2))
            continue
        parts = value.split()
        first.append(parts[0] if len(parts) > 1 else None)
        last.append(parts[-1])
    return pd.Series(first, index=full.index, dtype="string"), pd.Series(last, index=full.index, dtype="string")


def load_records(data_dir: Path) -> pd.DataFrame:
    """The four sources as one frame: ``unique_id`` (``source:source_id``), ``source_dataset``, COLUMNS
    and EXTRA_COLUMNS (raw, lower-cased)."""
    frames = []
    for source, name in SOURCES.items():
        mapping = _mapping(source)
        raw = _read_raw(data_dir / name, source)
        cols: dict[str, str] = mapping["columns"]
        ids = raw[mapping["id_column"]].astype("string").str.strip()
        out = pd.DataFrame({"unique_id": source + ":" + ids, "source_dataset": source}, index=raw.index)
        for attr in COLUMNS + EXTRA_COLUMNS:
            if attr == "birth_date" and attr in cols:
                out[attr] = _dates(raw[cols[attr]], mapping.get("date_formats") or ["%Y-%m-%d"])
            elif attr in cols:
                out[attr] = _clean(raw[cols[attr]])
            else:
                out[attr] = pd.Series(pd.NA, index=raw.index, dtype="string")
        if "full_name" in cols and "first_name" not in cols:
            out["first_name"], out["last_name"] = _split_full_name(_clean(raw[cols["full_name"]]))
        out = out[ids.notna() & (ids != "")].drop_duplicates("unique_id", keep="first")
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------------------------- model


def _settings() -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_and_dedupe",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.EmailComparison("email"),
            cl.LevenshteinAtThresholds("postal_code", 1),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("street_address", [1, 3]),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "birth_date"),
            block_on("first_name", "birth_date"),
            block_on("email"),
            block_on("phone"),
            block_on("postal_code", "last_name"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _clamp(model: dict[str, Any]) -> dict[str, Any]:
    model = copy.deepcopy(model)
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            for key in ("m_probability", "u_probability"):
                if isinstance(level.get(key), float) and level[key] < _FLOOR:
                    level[key] = _FLOOR
    return model


def _safe_em(linker: Any, inputs: list[Any], rule: Any, notes: list[str]) -> Any:
    """One EM session; on Splink's m/u underflow error rebuild from a snapshot, retry, then skip."""
    from splink import Linker

    snapshot = linker.misc.save_model_to_json()
    for attempt in (1, 2):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
            # rebuild clamped after every session so the next one cannot underflow on our leftovers
            return Linker(inputs, _clamp(linker.misc.save_model_to_json()), log_level=None)
        except ValueError as exc:
            if "below the minimum allowed" not in str(exc):
                raise
            notes.append(f"EM on {rule.get_blocking_rule('duckdb').blocking_rule_sql} failed "
                         f"(attempt {attempt}): {str(exc).splitlines()[0][:160]}")
            linker = Linker(inputs, _clamp(snapshot), log_level=None)
    notes.append(f"EM on {rule.get_blocking_rule('duckdb').blocking_rule_sql} skipped")
    return linker


def run_plain_splink(data_dir: Path, *, threshold: float = 0.95, predict_threshold: float = 0.5,
                     u_max_pairs: float = 5e6, seed: int = 42, threads: int | None = None) -> BaselineResult:
    """Train, predict and cluster the plain-Splink baseline on a generated folder."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    records = load_records(Path(data_dir))
    timings["read"] = time.perf_counter() - t0

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    db = DuckDBAPI(connection=con)
    inputs = []
    for source in SOURCES:
        part = records[records["source_dataset"] == source].drop(columns=["source_dataset"])
        table = f"plain_{source}"
        con.register("__frame", part)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM __frame")
        con.unregister("__frame")
        inputs.append(db.register(table, dataset_display_name=source))

    t0 = time.perf_counter()
    linker = Linker(inputs, _settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_date"), block_on("email")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    for rule in (block_on("first_name", "last_name"), block_on("birth_date")):
        linker = _safe_em(linker, inputs, rule, notes)
    timings["train"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=predict_threshold, warning_mode="never")
    pairs = con.sql(f"""SELECT unique_id_l, unique_id_r, match_probability, match_weight
                        FROM {predictions.physical_name}""").df()
    timings["predict"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold)
    clusters = con.sql(f"SELECT unique_id, cluster_id FROM {clustered.physical_name}").df()
    timings["cluster"] = time.perf_counter() - t0

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return BaselineResult(clusters=clusters, pairs=pairs, records=records, timings=timings,
                          peak_rss_mb=peak if sys.platform.startswith("linux") else None, notes=notes,
                          model=linker.misc.save_model_to_json())
