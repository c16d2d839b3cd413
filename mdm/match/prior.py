"""The prior of the match model: ``probability_two_random_records_match``.

Estimated the way Splink does it, from deterministic rules and their recall, with two
guards (a prior of 0 or 1 has no match weight; a prior of 0 makes every EM session fail)
and one refinement: ``recall: auto`` reads the rules' recall from the trained model
(:func:`rules_recall`) instead of assuming a constant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from splink import Linker

from mdm.match.rules import BlockingRule, MatchRules
from mdm.match.settings import Compiled, blocking_rule_creator


def floor_prior(linker: Linker, frame: Any, records: int) -> tuple[Linker, float | None]:
    """A prior of 0 (deterministic rules that saw no match: clean data, tiny data) makes every EM
    session fail (log of 0); it becomes fewer than one match among all pairs instead."""
    settings = linker.misc.save_model_to_json()
    prior = settings.get("probability_two_random_records_match")
    if isinstance(prior, int | float) and 0 < prior < 1:
        return linker, None
    pairs = max(records * (records - 1) / 2, 1.0)
    floor = min(max(1.0 / (pairs + 1), 1e-9), 0.5)
    settings["probability_two_random_records_match"] = floor
    return Linker(frame, settings, log_level=None), floor


def sane_prior(settings: dict[str, Any]) -> dict[str, Any]:
    """Tiny or pair-less data can estimate a prior of exactly 0 (or 1), which has no match weight."""
    prior = float(settings.get("probability_two_random_records_match") or 0.0)
    settings["probability_two_random_records_match"] = min(max(prior, 1e-9), 1 - 1e-9)
    return settings


def estimate_prior(linker: Linker, compiled: Compiled, recall: float, failures: list[dict[str, str]]
                   ) -> tuple[str, float | None]:
    """(note, the recall the prior was estimated at; None when it was not estimated from the rules)."""
    if not compiled.prior_rules:
        return "no usable prior rule: the prior is estimated from the EM sessions", None
    creators = [blocking_rule_creator(r) for r in compiled.prior_rules]
    for attempt in (recall, 1.0):
        try:
            linker.training.estimate_probability_two_random_records_match(creators, recall=attempt)
            return f"deterministic rules at recall {attempt:g}", attempt
        except (ValueError, ZeroDivisionError) as exc:  # more matches than the recall allows; no pairs at all
            failures.append({"session": "prior", "error": " ".join(str(exc).split())})
    return "prior estimation failed: Splink's default prior kept", None


#: the least recall the trained model may claim for the prior rules: below it the m estimates
#: behind it are too uncertain to divide by
MIN_LEARNT_RECALL = 0.05


def rules_recall(settings: dict[str, Any], rules: MatchRules, prior_rules: Iterable[BlockingRule],
                 fixes: Iterable[Mapping[str, Any]] = (), filled: Mapping[str, float] | None = None
                 ) -> float | None:
    """The share of true matches that agree on at least one of ``prior_rules``, as the trained
    model sees it: each rule column agrees exactly when both records carry it (``filled``: the
    share of records with a value, squared; all of them when not given) and then with its
    comparison's ``m`` of the ``exact`` level; columns independent given a match (the model's own
    assumption), summed over every agree/disagree pattern of the rules' columns in which some
    rule agrees throughout.

    A constant recall guessed for the deterministic rules puts the prior, and with it every
    match probability, off by the factor it is wrong by: heavily corrupted registers catch a
    third of their duplicates with exact name and birth date, clean CRM extracts nearly all.
    None when a rule column has no trained exact level (a substring key, a comparison never
    trained, a level given a neutral weight) or the result is implausibly small.
    """
    untrained = {(f.get("comparison"), f.get("level")) for f in fixes if f.get("fix") == "m_neutral"}
    by_name = {c["output_column_name"]: c for c in settings["comparisons"]}
    exact: dict[str, float] = {}
    for spec in rules.comparisons:
        column = getattr(spec, "column", None)
        comp = by_name.get(spec.name)
        if not isinstance(column, str) or comp is None or (spec.name, "exact") in untrained:
            continue
        for level in comp["comparison_levels"]:
            if level.get("label_for_charts") == "exact" and is_probability(level.get("m_probability")):
                both = 1.0 if filled is None else filled.get(column, 1.0) ** 2
                exact.setdefault(column, both * float(level["m_probability"]))
    needs: list[tuple[str, ...]] = []
    for rule in prior_rules:
        if any(k.substr is not None or k.column not in exact for k in rule.keys):
            return None
        needs.append(tuple(rule.columns))
    columns = sorted({c for cols in needs for c in cols})
    if not needs or len(columns) > 16:
        return None
    total = 0.0
    for mask in range(1 << len(columns)):
        agree = {c for i, c in enumerate(columns) if mask >> i & 1}
        if any(set(cols) <= agree for cols in needs):
            p = 1.0
            for c in columns:
                p *= exact[c] if c in agree else 1.0 - exact[c]
            total += p
    return total if total >= MIN_LEARNT_RECALL else None


def is_probability(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
