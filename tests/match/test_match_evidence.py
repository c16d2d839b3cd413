"""Too little evidence to match is a note and singleton golden records, never a crash.

A small clean file (ids, names, birth dates, e-mails; 200 people, no duplicates) used to stop
``mdm run`` with Splink's ``cast(-10.71 as float8) +  as match_weight``: every EM session
failed (no deterministic match, so a prior of 0; no pair sharing an e-mail), and Splink
leaves a failed session's blocked-on comparisons deactivated in the linker, so after three
failures the saved model had no comparison left.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from mdm.match.model import MODEL_FILE, MatchModel, best_probability, load_model, needs_training
from mdm.match.rules import load_match_rules

from .conftest import FIRST, LAST

MDM = str(Path(sys.executable).parent / "mdm")
MAPPING = """source: crm
trust: 60
id_column: id
columns:
  first_name: first
  last_name: last
  birth_date: dob
  email: email
"""


def clean_file(folder: Path, duplicates: int = 0, seed: int = 1, n: int = 200) -> Path:
    """``n`` rows of distinct people, the first ``duplicates`` of them repeated under new ids."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    seen: set[tuple[str, str, str]] = set()
    while len(rows) < n - duplicates:
        first, last = rng.choice(FIRST).title(), rng.choice(LAST).title()
        dob = f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if (first, last, dob) in seen:
            continue
        seen.add((first, last, dob))
        mail = f"{first.lower()}.{last.lower()}{rng.randint(1, 9999)}@{rng.choice(['gmail.com', 'proton.me'])}"
        rows.append([f"C{len(rows) + 1:04d}", first, last, dob, mail])
    rows += [[f"D{k:04d}", *rows[k][1:]] for k in range(duplicates)]
    with (folder / "crm.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "first", "last", "dob", "email"])
        out.writerows(rows)
    (folder / "crm.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: crm.yaml, path: crm.csv}\n",
                                     encoding="utf-8")
    return folder / "mdm.yaml"


def mdm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MDM, *args], capture_output=True, text=True, timeout=600, check=False)


def xref(config: Path) -> dict[str, str]:
    out = config.parent / "xref.csv"
    done = mdm("export", "xref", "--config", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as fh:
        return {r["source_id"]: r["golden_id"] for r in csv.DictReader(fh)}


def test_a_clean_file_runs_to_singletons_with_a_note(tmp_path: Path) -> None:
    config = clean_file(tmp_path)
    done = mdm("run", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "too little evidence" in " ".join(done.stdout.split())
    golden = xref(config)
    assert len(golden) == 200 and len(set(golden.values())) == 200  # every record its own golden record
    model = load_model(tmp_path / "models")
    assert model is not None
    names = [c["output_column_name"] for c in model.settings["comparisons"]]
    assert names == ["first_name", "last_name", "birth_date", "email"]  # none lost in training
    assert model.manifest["evidence"] == "insufficient" and model.manifest["notes"]
    run = json.loads(subprocess.run(
        [sys.executable, "-c", "import duckdb,sys; print(duckdb.connect(sys.argv[1], read_only=True).execute("
         "'SELECT summary FROM run ORDER BY run_id DESC LIMIT 1').fetchone()[0])", str(tmp_path / "hub.duckdb")],
        capture_output=True, text=True, check=True).stdout)
    assert any("too little evidence" in n for n in run["match"]["notes"])  # in the run summary too
    again = mdm("run", "--config", str(config), "--retrain")  # a re-run, model reused or not, is no crash
    assert again.returncode == 0, again.stderr


def test_a_few_duplicates_are_still_found(tmp_path: Path) -> None:
    config = clean_file(tmp_path, duplicates=3)
    done = mdm("run", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    golden = xref(config)
    assert len(golden) == 200
    for k in range(3):
        assert golden[f"D{k:04d}"] == golden[f"C{k + 1:04d}"]
    assert len(set(golden.values())) == 197


def test_a_saved_model_without_comparisons_is_trained_again(tmp_path: Path) -> None:
    """A model.json an earlier (crashed) run left behind with no comparison is not reused."""
    config = clean_file(tmp_path, duplicates=3)
    assert mdm("run", "--config", str(config)).returncode == 0
    model_dir = tmp_path / "models"
    saved = json.loads((model_dir / MODEL_FILE).read_text(encoding="utf-8"))
    saved["comparisons"] = []
    (model_dir / MODEL_FILE).write_text(json.dumps(saved), encoding="utf-8")
    broken = load_model(model_dir)
    assert broken is not None
    rules = load_match_rules(None)
    from mdm.match.settings import Compiled

    names = ["first_name", "last_name", "birth_date", "email"]
    compiled = Compiled(settings={}, comparisons=names, levels={n: [] for n in names}, blocking=[], prior_rules=[],
                        em_rules=[], columns=[])
    broken.manifest.update(rules_hash=rules.model_hash, active=compiled.signature)
    assert needs_training(broken, rules, compiled) == "the saved model lacks comparisons the rules make"
    (tmp_path / "crm.csv").write_text((tmp_path / "crm.csv").read_text(encoding="utf-8") + "X1,Ann,Lee,1990-01-01,"
                                      "ann.lee@gmail.com\n", encoding="utf-8")
    done = mdm("run", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "model reused" not in done.stdout
    assert len(json.loads((model_dir / MODEL_FILE).read_text(encoding="utf-8"))["comparisons"]) == 4


@pytest.mark.parametrize(("prior", "weights", "expected"), [
    (0.001, [], 0.001),
    (0.5, [[3.0, 0.0], [1.0]], 1 / (1 + 2 ** -4)),
])
def test_best_probability(prior: float, weights: list[list[float]], expected: float) -> None:
    def level(w: float) -> dict[str, float]:
        return {"m_probability": 2 ** w * 0.01, "u_probability": 0.01}

    settings = {"probability_two_random_records_match": prior,
                "comparisons": [{"comparison_levels": [{"is_null_level": True}, *map(level, ws)]} for ws in weights]}
    assert best_probability(settings) == pytest.approx(expected)
    assert MatchModel(settings=settings, manifest={}).prior == prior


def test_one_record_left_after_quarantine_is_no_crash(tmp_path: Path) -> None:
    """Two rows, one unreadable (a JSON line escaping a lone surrogate): one record, no pair to
    estimate the prior from (Splink divides by zero there); a note, one golden record, exit 0."""
    (tmp_path / "web.jsonl").write_text('{"id":"1","first":"Ann","last":"Lee","dob":"\\ud800"}\n'
                                        '{"id":"2","first":"Bo","last":"Kim","dob":"1980-01-02"}\n', encoding="utf-8")
    (tmp_path / "web.yaml").write_text("source: web\ntrust: 50\nid_column: id\ncolumns:\n  first_name: first\n"
                                       "  last_name: last\n  birth_date: dob\n", encoding="utf-8")
    config = tmp_path / "mdm.yaml"
    config.write_text("hub: hub.duckdb\nsources:\n  - {mapping: web.yaml, path: web.jsonl}\n", encoding="utf-8")
    done = mdm("run", "--config", str(config))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "too little evidence" in " ".join(done.stdout.split())
    assert set(xref(config)) == {"2"}  # the quarantined row has no golden record (yet)
