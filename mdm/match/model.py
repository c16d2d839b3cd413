"""Training the match model once, saving it as Splink JSON, and reusing it.

A model directory holds ``model.json`` (the trained Splink settings: comparisons with
their m and u probabilities, the prior, blocking rules, exactly what
``Linker(df, "model.json")`` reads) and ``manifest.json`` (what it was trained on and
how: data fingerprint, rules hash, the active comparisons, when, the parameter
estimates, EM sessions that failed, levels that were never observed). A later run
reuses the model unless the rules changed (their hash, or which comparisons the loaded
sources make usable) or the caller asks to retrain.

Training follows Splink's recipe, every parameter learnt from the data: the prior from
deterministic rules and their assumed recall, u from random pairs, m by EM in several
blocked sessions. It never crashes a run: an EM session that fails (Splink 5 refuses an
m probability of 0, which EM reaches when a level occurs only among clear non-matches)
is recorded and skipped, and a level no session could train gets a neutral weight
(m = u) instead of Splink's arbitrary default; u for a level random sampling never saw is
bounded by one over the pairs sampled.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from splink import Linker

from mdm import progress
from mdm.atomic import write_text
from mdm.match.engine import Engine
from mdm.match.features import fingerprint
from mdm.match.prior import estimate_prior, floor_prior, is_probability, rules_recall, sane_prior
from mdm.match.rules import MatchRules
from mdm.match.settings import Compiled, CrossColumnBound, blocking_rule_creator, cross_column_bounds
from mdm.match.thresholds import FLOOR_PROBABILITY

log = logging.getLogger("mdm.match")

MODEL_FILE = "model.json"
MANIFEST_FILE = "manifest.json"
MANIFEST_VERSION = 1


@dataclass
class MatchModel:
    """A trained model: the Splink settings dict and its manifest."""

    settings: dict[str, Any]
    manifest: dict[str, Any]
    directory: Path | None = None
    reused: bool = False

    @property
    def prior(self) -> float:
        return float(self.settings["probability_two_random_records_match"])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        _write_json(directory / MODEL_FILE, self.settings)
        _write_json(directory / MANIFEST_FILE, self.manifest)
        self.directory = directory


def _write_json(path: Path, doc: Any) -> None:
    write_text(path, json.dumps(doc, indent=2, default=str))


def load_model(directory: Path) -> MatchModel | None:
    """The model saved in ``directory``, or None when there is none (or it is unreadable)."""
    try:
        settings = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return MatchModel(settings=settings, manifest=manifest, directory=directory, reused=True)


def needs_training(saved: MatchModel | None, rules: MatchRules, compiled: Compiled) -> str | None:
    """Why the saved model cannot be reused (None: it can)."""
    if saved is None:
        return "no saved model"
    m = saved.manifest
    if m.get("manifest_version") != MANIFEST_VERSION:
        return "manifest version changed"
    if m.get("rules_hash") != rules.model_hash:
        return "match rules changed"
    if m.get("active") != compiled.signature:
        return "the usable comparisons or blocking rules changed (sources carry other attributes)"
    saved_names = [c.get("output_column_name") for c in saved.settings.get("comparisons", [])]
    if saved_names != compiled.comparisons:  # e.g. a model saved by a training that lost comparisons
        return "the saved model lacks comparisons the rules make"
    return None


def load_or_train(features: pa.Table, rules: MatchRules, compiled: Compiled, model_dir: Path, engine: Engine,
                  *, retrain: bool = False) -> MatchModel:
    """Reuse the model in ``model_dir`` when it still fits the rules, else train and save one."""
    saved = load_model(model_dir)
    reason = "retrain requested" if retrain else needs_training(saved, rules, compiled)
    if reason is None and saved is not None:
        log.info("match model reused from %s (trained %s)", model_dir, saved.manifest.get("created_at"))
        for text in saved.manifest.get("notes", []):
            log.warning("%s", text)
        return saved
    log.info("training the match model: %s", reason)
    model = train(features, rules, compiled, engine)
    model.manifest["trained_because"] = reason
    model.save(model_dir)
    return model


# --------------------------------------------------------------------------- training


class _Capture(logging.Handler):
    """Collect Splink's warnings (levels not observed, ...) for the manifest."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().replace("WARNING:", "").split()))


@contextmanager
def _splink_warnings() -> Iterator[_Capture]:
    """Splink's own warnings go to the manifest and the mdm.match log, not to stderr."""
    splink_log = logging.getLogger("splink")
    handler = _Capture()
    old = splink_log.propagate
    splink_log.addHandler(handler)
    splink_log.propagate = False
    try:
        yield handler
    finally:
        splink_log.removeHandler(handler)
        splink_log.propagate = old


@dataclass
class _Report:
    planned: int = 0  # training steps planned (prior, u, each EM session): the progress bar's total
    steps: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def step(self, name: str, started: float, **extra: Any) -> None:
        self.steps.append({"step": name, "seconds": round(time.perf_counter() - started, 3), **extra})
        progress.count("training", len(self.steps), self.planned or None, "steps", note=f"{name} done")


def train(features: pa.Table, rules: MatchRules, compiled: Compiled, engine: Engine) -> MatchModel:
    """Estimate prior, u and m from ``features``; never raises for data that cannot fill a level."""
    plan = rules.training
    report = _Report(planned=2 + len(compiled.em_rules))
    t_all = time.perf_counter()
    frame = engine.register(features)
    linker = Linker(frame, compiled.settings, log_level=None)
    with _splink_warnings() as warnings:
        t = time.perf_counter()
        prior_note, recall_used = estimate_prior(linker, compiled, plan.prior.start_recall, report.failures)
        linker, floored = floor_prior(linker, frame, features.num_rows)
        if floored is not None:
            prior_note += f"; no deterministic match seen: prior floored at {floored:.3g} (< 1 match in all pairs)"
        report.step("prior", t, note=prior_note)

        t = time.perf_counter()
        linker.training.estimate_u_using_random_sampling(max_pairs=plan.u_max_pairs, seed=plan.seed,
                                                         num_chunks=plan.u_chunks)
        report.step("u", t, max_pairs=plan.u_max_pairs)

        sessions = 0
        for rule in compiled.em_rules:
            t = time.perf_counter()
            before = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    blocking_rule_creator(rule), max_pairs=plan.em_max_pairs)
            except Exception as exc:
                # data) is not public API; any failed session is reported in the manifest and skipped.
                # Splink deactivates the comparisons a session blocks on in the linker's own settings
                # and restores them only when the session succeeds: after a failure the linker carries
                # on without them (three failed sessions left a model of no comparison at all, whose
                # prediction SQL ``cast(w as float8) +  as match_weight`` does not parse). Start again
                # from the model as it was before the session.
                linker = Linker(frame, before, log_level=None)
                msg = " ".join(str(exc).split())[:500]
                log.warning("EM session blocked on %s failed and is skipped: %s", rule.label, msg)
                report.failures.append({"session": rule.label, "error": msg})
                report.step(f"em {rule.label}", t, ok=False)
                continue
            sessions += 1
            report.step(f"em {rule.label}", t, ok=True)
        if sessions == 0 and not compiled.prior_rules:
            log.warning("no prior rule and no EM session succeeded: the prior stays at Splink's default")
        settings = sane_prior(linker.misc.save_model_to_json())
    restored = _keep_comparisons(settings, compiled)
    fixes = _bound_cross_column_u(settings, cross_column_bounds(rules))
    fixes += _complete_parameters(settings, plan.u_max_pairs)
    prior_recall: dict[str, Any] = {"configured": plan.prior.recall, "assumed": recall_used}
    if plan.prior.recall == "auto" and recall_used is not None and floored is None:
        filled = {c: 1.0 - features.column(c).null_count / max(features.num_rows, 1)
                  for c in features.column_names}
        learnt = rules_recall(settings, rules, compiled.prior_rules, fixes, filled)
        if learnt is not None:
            prior = float(settings["probability_two_random_records_match"])
            settings["probability_two_random_records_match"] = min(prior * recall_used / learnt, 0.5)
            prior_recall["learnt"] = round(learnt, 4)
            step = next(st for st in report.steps if st["step"] == "prior")
            step["note"] = (f"deterministic rules at recall {learnt:.3g}, the share of matches the "
                                       "trained model expects them to catch (first estimated at "
                                       f"{recall_used:g})")
    summary = parameter_summary(settings)
    never = [f for f in fixes if f["fix"] == "m_neutral"]
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine.name,
        "rules_hash": rules.model_hash,
        "rules_path": str(rules.path) if rules.path else None,
        "data_fingerprint": fingerprint(features),
        "u_max_pairs": plan.u_max_pairs,
        "records": features.num_rows,
        "active": compiled.signature,
        "skipped": compiled.notes,
        "prior": settings["probability_two_random_records_match"],
        "prior_recall": prior_recall,
        "training": report.steps,
        "em_failures": report.failures,
        "levels_never_observed": never,
        "parameter_fixes": fixes,
        "splink_warnings": sorted(set(warnings.messages)),
        "parameters": summary,
        "seconds": round(time.perf_counter() - t_all, 3),
    }
    # adaptive cut-offs go as low as even odds: only a model that cannot reach that has too little evidence
    lowest = FLOOR_PROBABILITY if rules.thresholds.adaptive else rules.thresholds.auto_match
    notes = _evidence_notes(sessions, len(compiled.em_rules), settings, lowest, restored)
    manifest["evidence"] = "sufficient" if not notes else "insufficient"
    manifest["notes"] = notes
    for text in notes:
        log.warning("%s", text)
    for note in never:
        log.info("level %s / %s was never observed in training; it gets a neutral weight",
                 note["comparison"], note["level"])
    return MatchModel(settings=settings, manifest=manifest)


def _keep_comparisons(settings: dict[str, Any], compiled: Compiled) -> list[str]:
    """Every compiled comparison in the saved model, whatever Splink left out; returns those put back.

    A comparison Splink dropped comes back untrained (neutral weights after
    :func:`_complete_parameters`), so prediction always has a term per comparison.
    """
    have = {c["output_column_name"] for c in settings["comparisons"]}
    restored = []
    for comp in compiled.settings["comparisons"]:
        name = comp["output_column_name"]
        if name not in have:
            settings["comparisons"].append(json.loads(json.dumps(comp, default=str)))
            restored.append(name)
    if restored:
        order = {c["output_column_name"]: i for i, c in enumerate(compiled.settings["comparisons"])}
        settings["comparisons"].sort(key=lambda c: order.get(c["output_column_name"], len(order)))
        log.warning("the trained model had lost comparison(s) %s; they are back, untrained", ", ".join(restored))
    return restored


def best_probability(settings: dict[str, Any]) -> float:
    """The match probability of a pair agreeing at every comparison's strongest level (no term
    frequencies): what the model can say at most, given the evidence it was trained on."""
    prior = float(settings["probability_two_random_records_match"])
    weight = math.log2(prior / (1 - prior))
    for comp in settings["comparisons"]:
        weights = [math.log2(lv["m_probability"] / lv["u_probability"]) for lv in comp["comparison_levels"]
                   if not lv.get("is_null_level") and is_probability(lv.get("m_probability"))
                   and is_probability(lv.get("u_probability"))]
        weight += max(weights, default=0.0)
    return 1.0 / (1.0 + 2.0 ** -weight) if weight > -1000 else 0.0


REACH_PREFIX = "too little evidence in the match model:"


def reach_note(best: float, auto_match: float) -> str:
    """The note for a model whose best pair cannot reach the auto-match cut-off."""
    return (f"{REACH_PREFIX} a pair agreeing on every comparison scores at "
            f"most {best:.3g} (the auto-match cut-off is {auto_match:g} or more): few or no duplicates, "
            "or too few attributes to tell people apart; records stay their own golden records unless a "
            "steward links them")


def _evidence_notes(sessions: int, planned: int, settings: dict[str, Any], auto_match: float,
                    restored: list[str]) -> list[str]:
    """Why the model cannot tell matches from non-matches, in words for the run summary (empty: it can)."""
    notes = []
    best = best_probability(settings)
    if planned and sessions == 0:
        notes.append(f"too little evidence to train the match model: none of its {planned} EM session(s) could "
                     "run on this data (too few records share a blocking key, or no likely duplicates); "
                     "untrained levels weigh nothing, so every record stays its own golden record unless a "
                     "steward links it")
    elif best < auto_match:
        notes.append(reach_note(best, auto_match))
    if restored:
        notes.append(f"comparison(s) {', '.join(restored)} were lost in training and kept untrained")
    return notes


def _bound_cross_column_u(settings: dict[str, Any], bounds: list[CrossColumnBound]) -> list[dict[str, Any]]:
    """Cap each name-swap level's u at the chance of a coincidence in both parts (see
    :class:`mdm.match.settings.CrossColumnBound`): random sampling otherwise takes the few true
    duplicates written the other way round for chance, and a swapped name then weighs as
    little as one agreeing part."""
    comps = {c["output_column_name"]: c for c in settings["comparisons"]}

    def u_of(comparison: str, labels: tuple[str, ...]) -> float | None:
        levels = {lv.get("label_for_charts"): lv for lv in comps.get(comparison, {}).get("comparison_levels", [])}
        us = [levels[label].get("u_probability") for label in labels if label in levels]
        if not us or not all(is_probability(u) for u in us):
            return None
        return float(sum(us))

    fixes: list[dict[str, Any]] = []
    for bound in bounds:
        factors = [u_of(comparison, labels) for comparison, labels in bound.factors]
        level = next((lv for lv in comps.get(bound.comparison, {}).get("comparison_levels", [])
                      if lv.get("label_for_charts") == bound.level), None)
        if level is None or any(f is None for f in factors) or not is_probability(level.get("u_probability")):
            continue
        cap = math.prod(f for f in factors if f is not None)
        if 0 < cap < level["u_probability"]:
            fixes.append({"comparison": bound.comparison, "level": bound.level, "fix": "u_cross_column",
                          "value": cap, "was": level["u_probability"]})
            level["u_probability"] = cap
    return fixes


def _complete_parameters(settings: dict[str, Any], u_pairs: float) -> list[dict[str, Any]]:
    """Give every level an m and a u, so the saved model never falls back to arbitrary defaults.

    - u never observed among random pairs: bounded by 1 / pairs sampled.
    - m never trained (no EM session saw the level, or every session that could failed):
      neutral, m = u (Bayes factor 1): the data gave no evidence for this level.
    """
    fixes: list[dict[str, Any]] = []
    u_floor = 1.0 / max(u_pairs, 1.0)
    for comp in settings["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = level.get("label_for_charts", level["sql_condition"])
            if not is_probability(level.get("u_probability")):
                level["u_probability"] = u_floor
                fixes.append({"comparison": comp["output_column_name"], "level": label, "fix": "u_floor",
                              "value": u_floor})
            if not is_probability(level.get("m_probability")):
                level["m_probability"] = level["u_probability"]
                fixes.append({"comparison": comp["output_column_name"], "level": label, "fix": "m_neutral",
                              "value": level["u_probability"]})
        fixes += _floor_at_else(comp)
    return fixes


def _floor_at_else(comp: dict[str, Any]) -> list[dict[str, Any]]:
    """No level weighs less than "anything else" (the last level).

    Levels are ordered best first, so a partial agreement is never stronger evidence
    *against* a match than no agreement at all. EM can break this for a level it only
    ever sees among clear non-matches: it drives that level's m towards 0 (weights of
    -80 and below), and one such pair in prediction would then be vetoed outright.
    """
    levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
    if len(levels) < 2:
        return []
    last = levels[-1]
    floor = last["m_probability"] / last["u_probability"]
    fixes = []
    for level in levels[:-1]:
        if level.get("fix_m_probability"):
            continue
        if level["m_probability"] / level["u_probability"] < floor:
            fixes.append({"comparison": comp["output_column_name"],
                          "level": level.get("label_for_charts", level["sql_condition"]),
                          "fix": "m_floor_at_else", "value": floor * level["u_probability"],
                          "was": level["m_probability"]})
            level["m_probability"] = floor * level["u_probability"]
    return fixes


def parameter_summary(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per comparison level: m, u and the match weight log2(m/u)."""
    rows = []
    for comp in settings["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if is_probability(m) and is_probability(u) else None
            rows.append({"comparison": comp["output_column_name"],
                         "level": level.get("label_for_charts", level["sql_condition"]),
                         "m": m, "u": u, "weight": None if weight is None else round(weight, 4)})
    return rows


# --------------------------------------------------------------------------- labels


def estimate_m_from_labels(model: MatchModel, features: pa.Table, labels: pd.DataFrame | pa.Table, engine: Engine,
                           *, save: bool = True) -> MatchModel:
    """Refine m from steward labels (Splink's estimation from pairwise labels).

    ``labels``: columns ``unique_id_l``, ``unique_id_r`` and ``decision`` (``match`` /
    ``no_match``; without it every row counts as a match). Splink learns m from the
    matching pairs only; no-match labels are kept out (they are constraints for
    clustering, not evidence about m). The refined model is saved over the old one.
    """
    df = labels.to_pandas() if isinstance(labels, pa.Table) else labels.copy()
    if "decision" in df.columns:
        df = df[df["decision"].astype(str).str.lower() == "match"]
    df = df[["unique_id_l", "unique_id_r"]].drop_duplicates()
    if df.empty:
        log.info("no match labels: the model is unchanged")
        return model
    sources = features.select(["unique_id", "source_dataset"]).to_pandas().set_index("unique_id")["source_dataset"]
    df = df[df["unique_id_l"].isin(sources.index) & df["unique_id_r"].isin(sources.index)]
    df = df.assign(source_dataset_l=df["unique_id_l"].map(sources), source_dataset_r=df["unique_id_r"].map(sources))
    frame = engine.register(features)
    linker = Linker(frame, model.settings, log_level=None)
    labels_frame = engine.register(pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False))
    with _splink_warnings() as warnings:
        linker.training.estimate_m_from_pairwise_labels(labels_frame)  # type: ignore[no-untyped-call]
        settings = sane_prior(linker.misc.save_model_to_json())
    fixes = _complete_parameters(settings, float(model.manifest.get("u_max_pairs", 1e7)))
    manifest = dict(model.manifest)
    manifest.update({
        "labels": {"pairs": len(df), "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        "parameters": parameter_summary(settings),
        "parameter_fixes": manifest.get("parameter_fixes", []) + fixes,
        "splink_warnings": sorted(set(manifest.get("splink_warnings", [])) | set(warnings.messages)),
    })
    refined = MatchModel(settings=settings, manifest=manifest, directory=model.directory)
    if save and model.directory is not None:
        refined.save(model.directory)
    return refined
