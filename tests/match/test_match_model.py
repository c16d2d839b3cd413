"""Training, model files, reuse vs retrain, EM failures, labels."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from splink import DuckDBAPI, Linker

import mdm.match.model as model_mod
from mdm.match.engine import engine_for
from mdm.match.model import MANIFEST_FILE, MODEL_FILE, estimate_m_from_labels, load_or_train, train
from mdm.match.rules import MatchRules
from mdm.match.stage import match_records, prepare

from .conftest import fast_rules, make_record_std


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_record_std(400, seed=11)


@pytest.fixture
def con(data: tuple[pd.DataFrame, pd.DataFrame], hub_con: Callable[..., duckdb.DuckDBPyConnection]
        ) -> duckdb.DuckDBPyConnection:
    return hub_con(data[0])


def test_training_writes_splink_json_and_manifest(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rules = fast_rules()
    result = match_records(con, rules, tmp_path)
    assert not result.model.reused
    settings = json.loads((tmp_path / MODEL_FILE).read_text())
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert settings["link_type"] == "link_and_dedupe"
    assert 0 < settings["probability_two_random_records_match"] < 1
    for comp in settings["comparisons"]:  # every level has trained (or explicitly completed) m and u
        for level in comp["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["m_probability"] <= 1 and 0 < level["u_probability"] <= 1
    assert manifest["rules_hash"] == rules.model_hash
    assert manifest["records"] == result.features.num_rows
    assert manifest["data_fingerprint"] and manifest["created_at"]
    assert {"prior", "u"} <= {s["step"] for s in manifest["training"]}
    assert any(p["comparison"] == "first_name" and p["level"] == "exact" and p["weight"] > 0
               for p in manifest["parameters"])
    # the saved model is plain Splink JSON: a fresh Linker reads it
    db = DuckDBAPI()
    linker = Linker(db.register(result.features), str(tmp_path / MODEL_FILE), log_level=None)
    assert linker.misc.save_model_to_json()["comparisons"][0]["output_column_name"] == "first_name"


def test_model_is_reused_until_rules_change_or_retrain(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rules = fast_rules()
    first = match_records(con, rules, tmp_path)
    created = first.model.manifest["created_at"]
    calls: list[str] = []
    real_train = model_mod.train

    def counting_train(*args: object, **kwargs: object) -> model_mod.MatchModel:
        calls.append("train")
        return real_train(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model_mod, "train", counting_train)

    again = match_records(con, rules, tmp_path)
    assert again.model.reused and calls == []
    assert again.model.manifest["created_at"] == created
    assert again.pairs.num_rows == first.pairs.num_rows

    # thresholds are not part of the model: still reused, bands follow the new thresholds
    looser = rules.model_copy(update={"thresholds": rules.thresholds.model_copy(update={"review": (0.2, 0.99)})})
    assert match_records(con, looser, tmp_path).model.reused and calls == []

    # a rules change (here: one comparison fewer) changes the hash and retrains
    changed = rules.model_copy(update={"comparisons": tuple(c for c in rules.comparisons if c.name != "gender")})
    retrained = match_records(con, changed, tmp_path)
    assert not retrained.model.reused and calls == ["train"]
    assert retrained.model.manifest["trained_because"] == "match rules changed"
    assert json.loads((tmp_path / MANIFEST_FILE).read_text())["rules_hash"] == changed.model_hash

    # retrain=True always trains
    forced = match_records(con, changed, tmp_path, retrain=True)
    assert not forced.model.reused and calls == ["train", "train"]
    assert forced.model.manifest["trained_because"] == "retrain requested"


def test_new_attributes_in_the_sources_retrain(data: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path,
                                               hub_con: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    rules = fast_rules()
    without = data[0].drop(columns=["national_id"])
    assert not match_records(hub_con(without), rules, tmp_path).model.reused
    result = match_records(hub_con(data[0]), rules, tmp_path)
    assert not result.model.reused
    assert "sources carry other attributes" in result.model.manifest["trained_because"]


def test_a_level_never_observed_is_reported_and_neutral(
        hub_con: Callable[..., duckdb.DuckDBPyConnection], tmp_path: Path) -> None:
    df, _ = make_record_std(300, seed=5)
    # nobody's first and last name are ever swapped: the swap level cannot be observed
    swapped = df["first_name"].isin(df["last_name"]) | df["last_name"].isin(df["first_name"])
    df = df[~swapped]
    rules = fast_rules()
    result = match_records(hub_con(df), rules, tmp_path)  # completes
    never = result.model.manifest["levels_never_observed"]
    swap = [n for n in never if n["comparison"] == "first_name" and n["level"].startswith("swapped")]
    assert swap, never
    level = next(lv for c in result.model.settings["comparisons"] if c["output_column_name"] == "first_name"
                 for lv in c["comparison_levels"] if lv.get("label_for_charts", "").startswith("swapped"))
    assert level["m_probability"] == level["u_probability"]  # Bayes factor 1: no evidence either way
    assert result.pairs.num_rows > 0


def test_em_session_that_hits_m_zero_is_skipped_and_recorded(con: duckdb.DuckDBPyConnection) -> None:
    """Splink 5 raises ``m_probability value 0.0 is below the minimum`` when EM drives a level's
    m to zero (it sees the level only among pairs it is certain are non-matches). Training
    carries on without that session and the manifest says what happened."""
    rules = fast_rules()
    compiled, features = prepare(con, rules)
    # start EM with "anything else" all but impossible for matches on two comparisons: pairs at
    # both levels get match weights below -1000, their match probability underflows to 0.0,
    # and the next m for those levels is exactly 0
    broken = copy.deepcopy(compiled)
    for comp in broken.settings["comparisons"]:
        if comp["output_column_name"] in ("email", "contact"):
            comp["comparison_levels"][-1]["m_probability"] = 1e-250
    with engine_for(rules) as engine:
        model = train(features, rules, broken, engine)
    failures = model.manifest["em_failures"]
    assert failures and all("below the minimum" in f["error"] for f in failures)
    assert {f["session"] for f in failures} <= {r.label for r in compiled.em_rules}
    assert any(s["step"].startswith("em ") and s["ok"] is False for s in model.manifest["training"])
    for comp in model.settings["comparisons"]:
        for level in comp["comparison_levels"]:
            if not level.get("is_null_level"):
                assert level["m_probability"] > 0 and level["u_probability"] > 0


def test_estimate_m_from_steward_labels(con: duckdb.DuckDBPyConnection, data: tuple[pd.DataFrame, pd.DataFrame],
                                        tmp_path: Path) -> None:
    rules: MatchRules = fast_rules()
    compiled, features = prepare(con, rules)
    truth = data[1]
    pairs = truth.merge(truth, on="entity_id").query("unique_id_x < unique_id_y").head(60)
    labels = pd.DataFrame({"unique_id_l": pairs["unique_id_x"], "unique_id_r": pairs["unique_id_y"],
                           "decision": "match"})
    labels.loc[len(labels)] = [truth.unique_id[0], truth.unique_id[5], "no_match"]
    with engine_for(rules) as engine:
        model = load_or_train(features, rules, compiled, tmp_path, engine)
        refined = estimate_m_from_labels(model, features, labels, engine)
    assert refined.manifest["labels"]["pairs"] == 60
    assert refined.settings != model.settings
    saved = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert saved["labels"]["pairs"] == 60


def test_prior_rules_recall_is_read_from_the_trained_model(con: duckdb.DuckDBPyConnection,
                                                          data: tuple[pd.DataFrame, pd.DataFrame],
                                                          tmp_path: Path) -> None:
    """recall: auto puts the deterministic rules' recall where the truth has it (not at a constant)."""
    rules = fast_rules()
    assert rules.training.prior.recall == "auto"
    result = match_records(con, rules, tmp_path)
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    learnt = manifest["prior_recall"]["learnt"]
    # the share of true pairs that agree on at least one prior rule, counted on the truth
    feats = result.features.to_pandas().set_index("unique_id")
    entity = data[1].set_index("unique_id")["entity_id"]
    pairs = [(a, b) for _, g in entity.groupby(entity) for i, a in enumerate(g.index) for b in g.index[i + 1:]]

    def agrees(a: str, b: str) -> bool:
        return any(all(feats.at[a, c] is not None and feats.at[a, c] == feats.at[b, c] for c in rule.columns)
                   for rule in result.compiled.prior_rules)

    actual = sum(agrees(a, b) for a, b in pairs) / len(pairs)
    assert abs(learnt - actual) < 0.1, (learnt, actual)
    step = next(s for s in manifest["training"] if s["step"] == "prior")
    assert "trained model expects" in step["note"]
    fixed = match_records(con, fast_rules().model_copy(update={"training": rules.training.model_copy(
        update={"prior": rules.training.prior.model_copy(update={"recall": 0.6})})}), tmp_path / "fixed")
    ratio = result.model.prior / fixed.model.prior
    assert ratio == pytest.approx(0.6 / learnt, rel=0.05)


def test_rules_recall_counts_each_agreement_pattern_once() -> None:
    from mdm.match.prior import rules_recall
    from mdm.match.rules import BlockingRule

    def comp(name: str, m: float) -> dict[str, object]:
        return {"output_column_name": name, "comparison_levels": [
            {"is_null_level": True}, {"label_for_charts": "exact", "m_probability": m, "u_probability": 0.01},
            {"label_for_charts": "anything else", "m_probability": 1 - m, "u_probability": 0.99}]}

    settings = {"comparisons": [comp("first_name", 0.6), comp("last_name", 0.8), comp("birth_date", 0.5),
                                comp("email", 0.5)]}
    rules = fast_rules()
    one = [BlockingRule(on=("first_name_key", "last_name_key", "birth_date"))]
    assert rules_recall(settings, rules, one) == pytest.approx(0.6 * 0.8 * 0.5)
    two = [*one, BlockingRule(on=("email", "first_name_key"))]  # shares first_name_key with the first
    assert rules_recall(settings, rules, two) == pytest.approx(0.6 * (1 - (1 - 0.4) * (1 - 0.5)))
    assert rules_recall(settings, rules, [BlockingRule(on=("phone",))]) is None  # no trained exact level
    untrained = [{"comparison": "email", "level": "exact", "fix": "m_neutral"}]
    assert rules_recall(settings, rules, two, untrained) is None
