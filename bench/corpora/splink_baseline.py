"""Plain Splink on any corpus folder, the way a careful Splink user sets it up without mdm.

Generic version of :mod:`bench.plain_splink` (same house style, same EM guard): the
sources are read through the folder's own ``mdm.yaml`` and mappings, values are
lower-cased and trimmed (empty -> NULL), dates parsed with each mapping's
``date_formats`` into ISO text, and a single ``full_name`` split naively (``"last, first"``
or ``"first ... last"``). Nothing else is standardised.

Comparisons are chosen from the attributes present: NameComparison for first and last
name, DateOfBirthComparison, EmailComparison, Levenshtein for national id, postal code
and street, exact city (term frequencies) and exact phone. Blocking on obvious pairs of
those; the prior from deterministic rules, u by random sampling, m by EM on two or three
rules; predict; Splink's ``cluster_pairwise_predictions_at_threshold`` at 0.95.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
import yaml

from bench.plain_splink import _clean, _safe_em, _split_full_name

__all__ = ["BaselineRun", "load_folder", "plain_splink"]

ATTRIBUTES = ("first_name", "last_name", "birth_date", "email", "phone", "postal_code", "city", "street_address",
              "national_id")


@dataclass
class BaselineRun:
    clusters: pd.DataFrame  # unique_id, cluster_id at the fixed threshold
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight
    records: pd.DataFrame  # unique_id, source_dataset, ATTRIBUTES present
    threshold: float
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)
    comparisons: list[str] = field(default_factory=list)


def _dates(s: pd.Series, formats: list[str]) -> pd.Series:
    """ISO text by the first format that reads the value; a value none reads (or no real
    calendar date, such as 31/02) is NULL. Years 1-9999 pass, as :func:`datetime.strptime`
    reads them (``pandas.to_datetime`` at nanoseconds cannot hold 1085 or 9185)."""
    def one(v: Any) -> str | None:
        if not isinstance(v, str) or not v.strip():
            return None
        for fmt in formats:
            try:
                return dt.datetime.strptime(v.strip(), fmt).date().isoformat()
            except ValueError:
                continue
        return None

    text = s.astype(object).where(s.notna(), None)
    cache = {v: one(v) for v in set(text.tolist())}
    return pd.Series([cache[v] for v in text.tolist()], index=s.index, dtype="string")


def _read(path: Path, mapping: dict[str, Any]) -> pd.DataFrame:
    enc = mapping.get("encoding", "auto")
    raw = path.read_bytes()
    if enc in ("auto", None):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
    else:
        text = raw.decode("utf-8-sig" if enc.lower().replace("_", "-") in ("utf-8", "utf8") else enc)
    if path.suffix in (".jsonl", ".ndjson"):
        rows = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
        return pd.DataFrame([{k: None if v is None else str(v) for k, v in r.items()} for r in rows], dtype=object)
    head = text.split("\n", 1)[0]
    sep = mapping.get("delimiter") or max((",", ";", "\t", "|"), key=head.count)
    import io

    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, on_bad_lines="skip")


def load_folder(folder: Path) -> pd.DataFrame:
    """Every source of ``folder/mdm.yaml`` as one frame: ``unique_id``, ``source_dataset``, ATTRIBUTES."""
    cfg = yaml.safe_load((folder / "mdm.yaml").read_text(encoding="utf-8"))
    frames = []
    for ref in cfg["sources"]:
        mapping = yaml.safe_load((folder / ref["mapping"]).read_text(encoding="utf-8"))
        raw = _read(folder / ref["path"], mapping)
        cols: dict[str, str] = mapping["columns"]
        ids = raw[mapping["id_column"]].astype("string").str.strip()
        src = mapping["source"]
        out = pd.DataFrame({"unique_id": src + ":" + ids, "source_dataset": src}, index=raw.index)
        for attr in ATTRIBUTES:
            column = cols.get(attr)
            if column is None or column not in raw.columns:
                out[attr] = pd.Series(pd.NA, index=raw.index, dtype="string")
            elif attr == "birth_date":
                out[attr] = _dates(raw[column], mapping.get("date_formats") or ["%Y-%m-%d"])
            else:
                out[attr] = _clean(raw[column])
        if "full_name" in cols and "first_name" not in cols and cols["full_name"] in raw.columns:
            out["first_name"], out["last_name"] = _split_full_name(_clean(raw[cols["full_name"]]))
        frames.append(out[ids.notna() & (ids != "")].drop_duplicates("unique_id", keep="first"))
    records = pd.concat(frames, ignore_index=True)
    present = [a for a in ATTRIBUTES if records[a].notna().any()]
    return records[["unique_id", "source_dataset", *present]]


def _settings(have: set[str], link_type: Literal["dedupe_only", "link_and_dedupe"]) -> tuple[Any, list[str]]:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons: list[Any] = []
    names: list[str] = []

    def add(col: str, comparison: Any) -> None:
        if col in have:
            comparisons.append(comparison)
            names.append(col)

    add("first_name", cl.NameComparison("first_name"))
    add("last_name", cl.NameComparison("last_name"))
    add("birth_date", cl.DateOfBirthComparison("birth_date", input_is_string=True))
    add("email", cl.EmailComparison("email"))
    add("national_id", cl.LevenshteinAtThresholds("national_id", [1, 2]))
    add("postal_code", cl.LevenshteinAtThresholds("postal_code", 1))
    add("city", cl.ExactMatch("city").configure(term_frequency_adjustments=True))
    add("street_address", cl.LevenshteinAtThresholds("street_address", [1, 3]))
    add("phone", cl.ExactMatch("phone"))
    candidates = [("first_name", "last_name"), ("last_name", "birth_date"), ("first_name", "birth_date"),
                  ("email",), ("phone",), ("national_id",), ("postal_code", "last_name"), ("street_address",)]
    blocking: list[Any] = [block_on(*c) for c in candidates if set(c) <= have]
    settings = SettingsCreator(link_type=link_type, unique_id_column_name="unique_id", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking, retain_matching_columns=False,
                               retain_intermediate_calculation_columns=False)
    return settings, names


def plain_splink(folder: Path, *, threshold: float = 0.95, predict_threshold: float = 0.5,
                 u_max_pairs: float = 2e6, seed: int = 42) -> BaselineRun:
    """Train, predict and cluster plain Splink on a corpus folder."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    records = load_folder(Path(folder))
    timings["read"] = round(time.perf_counter() - t0, 2)
    have = set(records.columns) - {"unique_id", "source_dataset"}
    sources = list(dict.fromkeys(records["source_dataset"]))

    con = duckdb.connect()
    db = DuckDBAPI(connection=con)
    inputs = []
    for i, source in enumerate(sources):
        part = records[records["source_dataset"] == source].drop(columns=["source_dataset"])
        table = f"plain_{i}"
        con.register("__frame", part)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM __frame")
        con.unregister("__frame")
        inputs.append(db.register(table, dataset_display_name=source))

    t0 = time.perf_counter()
    settings, compared = _settings(have, "dedupe_only" if len(sources) == 1 else "link_and_dedupe")
    linker = Linker(inputs, settings, log_level=None)
    exact = (("first_name", "last_name", "birth_date"), ("national_id",), ("email",))
    deterministic: list[Any] = [block_on(*c) for c in exact if set(c) <= have]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    # the house's two EM rules; a third (national id) only when one of them cannot be used. Not postal code:
    # its blocks are mostly households, and EM then learns "same address, different person" as a match
    em = [c for c in (("first_name", "last_name"), ("birth_date",)) if set(c) <= have]
    if len(em) < 2 and "national_id" in have:
        em.append(("national_id",))
    for cols in em:
        try:
            linker = _safe_em(linker, inputs, block_on(*cols), notes)
        except Exception as exc:  # e.g. a rule that leaves no comparison to train: the user moves on
            notes.append(f"EM on {cols} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    timings["train"] = round(time.perf_counter() - t0, 2)

    t0 = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=predict_threshold, warning_mode="never")
    pairs = con.sql(f"SELECT unique_id_l, unique_id_r, match_probability, match_weight "
                    f"FROM {predictions.physical_name}").df()
    timings["predict"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold)
    clusters = con.sql(f"SELECT unique_id, cluster_id FROM {clustered.physical_name}").df()
    timings["cluster"] = round(time.perf_counter() - t0, 2)
    con.close()
    return BaselineRun(clusters=clusters, pairs=pairs, records=records[["unique_id"]], threshold=threshold,
                       timings=timings, notes=notes, comparisons=compared)
