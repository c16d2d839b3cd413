"""The match stage: rules -> Splink settings, training, prediction, explanations, review band.

Public entry points (see each module):

* :func:`load_match_rules` (:mod:`mdm.match.rules`): ``rules/match.yaml`` as frozen models.
* :func:`match_records` (:mod:`mdm.match.stage`): ``record_std`` -> trained/reused model -> pairs.
* :func:`prepare`, :func:`build_features`, :func:`compile_settings` for the steps one by one.
* :func:`load_or_train`, :func:`train`, :func:`estimate_m_from_labels` (:mod:`mdm.match.model`).
* :func:`predict_pairs`, :func:`review_pairs` (:mod:`mdm.match.predict`).
"""

from __future__ import annotations

from mdm.match.engine import Engine, EngineError, engine_for, open_engine
from mdm.match.features import build_features, census, feature_sql
from mdm.match.model import MatchModel, estimate_m_from_labels, load_model, load_or_train, train
from mdm.match.predict import PAIR_COLUMNS, explain, predict_pairs, review_pairs
from mdm.match.rules import MatchRules, load_match_rules
from mdm.match.settings import Compiled, compile_settings, referenced_columns
from mdm.match.stage import MatchResult, match_records, prepare

__all__ = [
    "PAIR_COLUMNS", "Compiled", "Engine", "EngineError", "MatchModel", "MatchResult", "MatchRules",
    "build_features", "census", "compile_settings", "engine_for", "estimate_m_from_labels", "explain",
    "feature_sql", "load_match_rules", "load_model", "load_or_train", "match_records", "open_engine",
    "predict_pairs", "prepare", "referenced_columns", "review_pairs", "train",
]
