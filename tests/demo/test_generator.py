"""The demo data generator: deterministic, parseable, and true to its own truth file."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mdm.demo import generator as gen

N = 3000
SEED = 42
REPO = Path(__file__).resolve().parents[2]
ATTRIBUTES = {
    "first_name", "middle_name", "last_name", "full_name", "birth_date", "gender", "national_id", "email",
    "phone", "street_address", "address_line2", "city", "state", "postal_code", "country", "company_name",
    "job_title",
}
MAPPING_KEYS = {"source", "trust", "id_column", "updated_at_column", "encoding", "columns", "date_formats",
                "default_region", "quarantine_tolerance", "description"}


@pytest.fixture(scope="module")
def gs(tmp_path_factory: pytest.TempPathFactory) -> gen.GeneratedSet:
    return gen.generate(tmp_path_factory.mktemp("demo"), N, SEED)


@pytest.fixture(scope="module")
def truth(gs: gen.GeneratedSet) -> pd.DataFrame:
    return pd.read_csv(gs.truth, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def entities(gs: gen.GeneratedSet) -> pd.DataFrame:
    return pd.read_csv(gs.entities, dtype=str, keep_default_na=False)


def _raw_rows(gs: gen.GeneratedSet, source: str) -> list[list[str]]:
    """Data rows as the csv module sees them (ragged rows included), or parsed JSON lines."""
    path = gs.sources[source]
    if source == "web":
        return [[json.loads(line)] for line in path.read_text(encoding="utf-8").splitlines()]
    enc, delim = {"crm": ("utf-8", ","), "erp": ("utf-8-sig", ";"), "legacy": ("gb18030", "\t")}[source]
    with path.open(encoding=enc, newline="") as f:
        rows = list(csv.reader(f, delimiter=delim))
    return rows[1:]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _tagged(truth: pd.DataFrame, source: str, tag: str) -> pd.Series:
    sub = truth[truth.source == source]
    return sub.noise.map(lambda s: tag in s.split(";"))


def _within(observed: float, expected: float, n: int, slack: float = 0.005) -> bool:
    sigma = math.sqrt(max(expected * (1 - expected), 1e-9) / n)
    return abs(observed - expected) <= 4 * sigma + slack


# ------------------------------------------------------------------ determinism and shape


def test_same_seed_gives_identical_bytes(gs: gen.GeneratedSet, tmp_path: Path) -> None:
    again = gen.generate(tmp_path / "again", N, SEED)
    assert _digest(again.out_dir) == _digest(gs.out_dir)
    other = gen.generate(tmp_path / "other", N, SEED + 1)
    assert _digest(other.out_dir)["crm.csv"] != _digest(gs.out_dir)["crm.csv"]


def test_cli_in_another_process_gives_identical_bytes(gs: gen.GeneratedSet, tmp_path: Path) -> None:
    """No dependence on hash randomisation or process state: run the entry point elsewhere."""
    env = {**os.environ, "PYTHONHASHSEED": "12345",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "mdm.demo.generator", str(out), "--records", str(N), "--seed", str(SEED)],
                   check=True, env=env, capture_output=True, timeout=120)
    assert _digest(out) == _digest(gs.out_dir)


def test_generated_set_counts(gs: gen.GeneratedSet, truth: pd.DataFrame, entities: pd.DataFrame) -> None:
    assert gs.n_records == N == len(truth)
    assert sum(gs.records_per_source.values()) == N
    assert set(gs.records_per_source) == set(gen.SOURCES)
    assert gs.n_entities == len(entities) == truth.entity_id.nunique()
    assert gs.n_households == entities.household_id.nunique()
    for source, path in gs.sources.items():
        assert path.is_file() and path.name == gen.SOURCE_FILES[source]


def test_tiny_and_cli(tmp_path: Path) -> None:
    small = gen.generate(tmp_path / "tiny", 5, 1)
    assert sum(small.records_per_source.values()) == 5
    assert gen.main([str(tmp_path / "cli"), "--records", "200", "--seed", "3"]) == 0
    assert len(pd.read_csv(tmp_path / "cli" / "truth.csv")) == 200
    with pytest.raises(ValueError):
        gen.generate(tmp_path / "none", 0)


# ------------------------------------------------------------------ files parse


def test_every_file_parses_with_pandas(gs: gen.GeneratedSet) -> None:
    crm = pd.read_csv(gs.crm, dtype=str, keep_default_na=False)
    bad: list[list[str]] = []
    erp = pd.read_csv(gs.erp, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      engine="python", on_bad_lines=lambda line: bad.append(line))
    web = pd.read_json(gs.web, lines=True, dtype=False)
    legacy = pd.read_csv(gs.legacy, sep="\t", dtype=str, keep_default_na=False, encoding="gb18030")
    counts = gs.records_per_source
    assert len(crm) == counts["crm"]
    assert len(erp) + len(bad) == counts["erp"] and len(bad) == 1  # the one ragged row
    assert len(web) == counts["web"]
    assert len(legacy) == counts["legacy"]
    assert gs.erp.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        gs.legacy.read_bytes().decode("utf-8")


def test_mappings_follow_the_contract_and_match_the_files(gs: gen.GeneratedSet) -> None:
    for source in gen.SOURCES:
        m = yaml.safe_load((REPO / "dictionary" / "sources" / f"{source}.yaml").read_text(encoding="utf-8"))
        assert set(m) <= MAPPING_KEYS
        assert m["source"] == source and m["trust"] == gen.TRUST[source]
        assert set(m["columns"]) <= ATTRIBUTES
        rows = _raw_rows(gs, source)
        if source == "web":
            header = set().union(*(r[0].keys() for r in rows))
        else:
            with gs.sources[source].open(encoding="gb18030" if source == "legacy" else "utf-8-sig") as f:
                header = set(next(csv.reader(f, delimiter={"crm": ",", "erp": ";", "legacy": "\t"}[source])))
        needed = {m["id_column"], m["updated_at_column"], *m["columns"].values()}
        assert needed <= header, needed - header
    legacy = yaml.safe_load((REPO / "dictionary" / "sources" / "legacy.yaml").read_text(encoding="utf-8"))
    assert legacy["encoding"] == "auto"


# ------------------------------------------------------------------ truth covers the files


def test_truth_covers_every_row(gs: gen.GeneratedSet, truth: pd.DataFrame) -> None:
    for source in gen.SOURCES:
        rows = _raw_rows(gs, source)
        t = truth[truth.source == source]
        assert len(t) == len(rows)
        assert t.row_number.astype(int).tolist() == list(range(1, len(rows) + 1))
        ids = [("" if r[0]["id"] is None else str(r[0]["id"])) if source == "web" else r[0] for r in rows]
        assert t.source_id.tolist() == ids
        assert (t.entity_id != "").all() and (t.household_id != "").all()


def test_unusable_rows_are_marked(gs: gen.GeneratedSet, truth: pd.DataFrame) -> None:
    for source in gen.SOURCES:
        t = truth[truth.source == source]
        reasons = t.unusable.value_counts().to_dict()
        assert reasons.get("missing_id", 0) >= 1 and reasons.get("duplicate_id", 0) >= 1
        assert (t[t.unusable == "missing_id"].source_id == "").all()
        dup_ids = t[t.unusable == "duplicate_id"].source_id
        assert all((t.source_id == i).sum() == 2 for i in dup_ids)
        usable = t[t.unusable == ""]
        assert usable.source_id.is_unique and (usable.source_id != "").all()
    erp = truth[truth.source == "erp"]
    ragged = erp[erp.unusable == "ragged_row"]
    assert len(ragged) == 1
    rows = _raw_rows(gs, "erp")
    widths = {len(r) for r in rows}
    assert len(rows[int(ragged.row_number.iloc[0]) - 1]) == max(widths) > min(widths)
    assert (truth[truth.source != "erp"].unusable != "ragged_row").all()


# ------------------------------------------------------------------ the world


def test_households_share_surname_and_address(entities: pd.DataFrame) -> None:
    size = entities.groupby("household_id").entity_id.transform("size")
    shared = (size > 1).mean()
    assert 0.15 <= shared <= 0.30
    assert size.max() <= 5
    multi = entities[size > 1].groupby("household_id")
    for col in ("last_name", "street_address", "address_line2", "city", "state", "postal_code"):
        assert (multi[col].nunique() == 1).all(), col
    assert (multi.first_name.nunique() == multi.size()).all()  # different first names, twins too
    assert (multi.email.nunique() == multi.size()).all()
    assert (multi.phone.nunique() < multi.size()).mean() > 0.2  # often a shared landline
    twins = entities[entities.traits.str.contains("twin")]
    assert len(twins) >= 2
    assert (twins.groupby("household_id").birth_date.nunique() == 1).all()


def test_same_name_different_people(entities: pd.DataFrame) -> None:
    by_name = entities.groupby(["first_name", "last_name"]).agg(n=("entity_id", "size"),
                                                                 dobs=("birth_date", "nunique"))
    assert (by_name.n > 1).sum() >= 10
    assert ((by_name.n > 1) & (by_name.dobs == by_name.n)).sum() >= 10
    assert entities.email.is_unique and entities.national_id.is_unique


def test_attributes_are_realistic(entities: pd.DataFrame) -> None:
    us = entities[entities.country == "US"]
    assert 0.90 <= len(us) / len(entities) <= 0.98
    assert us.postal_code.str.fullmatch(r"\d{5}").all()
    assert us.national_id.str.fullmatch(r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}").all()
    assert 0.30 <= (entities.company_name != "").mean() <= 0.50
    assert entities.company_name.str.contains(r"\b(?:Inc\.|LLC|Ltd|GmbH|Corp\.)").any()
    born = pd.to_datetime(entities.birth_date)
    assert born.min() >= pd.Timestamp("1920-01-01") and born.max() <= pd.Timestamp(gen.REFERENCE_DATE)
    assert {"GB", "DE", "CA", "CN"} <= set(entities.country) or len(entities) < 1500


def test_records_per_entity_and_sources(truth: pd.DataFrame) -> None:
    per = truth.groupby("entity_id").agg(n=("source", "size"), sources=("source", "nunique"))
    assert 1.6 <= len(truth) / len(per) <= 1.8
    assert per.sources.between(1, 4).all()
    assert set(per.sources) == {1, 2, 3, 4}
    same_source_twice = truth.groupby(["entity_id", "source"]).size()
    assert (same_source_twice > 1).sum() >= 20  # internal duplicates


# ------------------------------------------------------------------ noise


@pytest.mark.parametrize("source", gen.SOURCES)
def test_noise_rates_within_bands(source: str, truth: pd.DataFrame, entities: pd.DataFrame) -> None:
    cfg = gen.NOISE[source]
    t = truth[truth.source == source]
    n = len(t)

    def share(tag: str, mask: pd.Series | None = None) -> tuple[float, int]:
        hit = _tagged(truth, source, tag)
        if mask is not None:
            hit = hit[mask.values]
        return float(hit.mean()), len(hit)

    obs, k = share("internal_dup")
    assert _within(obs, cfg.internal_dup / (1 + cfg.internal_dup), k)
    for tag, rate in (("typo:first_name", cfg.typo_first), ("typo:last_name", cfg.typo_last)):
        obs, k = share(tag)
        assert obs <= rate + 4 * math.sqrt(rate / k) + 0.005, tag
        assert obs >= 0.7 * rate - 4 * math.sqrt(rate / k), tag
    nick = t.entity_id.map(entities.set_index("entity_id").nickname) != ""
    obs, k = share("nickname", nick)
    assert _within(obs, cfg.nickname, k, slack=0.03)
    for attr in ("email", "phone", "birth_date"):
        rate = cfg.missing.get(attr, 0.0)
        obs, k = share(f"missing:{attr}")
        assert obs <= rate + 4 * math.sqrt(rate * (1 - rate) / k) + 0.01, attr
        assert obs >= 0.8 * rate - 4 * math.sqrt(rate * (1 - rate) / k) - 0.01, attr
    obs, _ = share("case")
    assert _within(obs, cfg.case, n, slack=0.01)


def test_noise_differs_by_source_as_intended(truth: pd.DataFrame) -> None:
    def rate(source: str, tag: str) -> float:
        return float(_tagged(truth, source, tag).mean())

    assert rate("web", "nickname") > 2 * rate("crm", "nickname")
    assert rate("legacy", "moved") > 2 * rate("crm", "moved")  # the legacy export is stale
    assert rate("legacy", "old_email") > rate("crm", "old_email")
    assert rate("legacy", "native_script") > 0.02
    assert rate("erp", "phone_ext") > 0.02
    assert rate("web", "full_name_in_first") > 0


def test_invalid_values_are_really_invalid(gs: gen.GeneratedSet, truth: pd.DataFrame) -> None:
    crm = pd.read_csv(gs.crm, dtype=str, keep_default_na=False)
    t = truth[truth.source == "crm"].reset_index(drop=True)
    email_ok = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
    for kind, check in (
        ("invalid:email", lambda r: not email_ok.match(r.Email.strip())),
        ("invalid:birth_date", lambda r: _unparseable(r.DOB, "%Y-%m-%d")),
        ("invalid:birth_date_future", lambda r: datetime.strptime(r.DOB, "%Y-%m-%d").date() > gen.REFERENCE_DATE),
        ("invalid:phone", lambda r: sum(c.isdigit() for c in r.Phone) < 7),
        ("invalid:state", lambda r: r.State in ("XX", "ZZ", "QQ", "UU", "00")),
    ):
        rows = crm[t.noise.map(lambda s, k=kind: k in s.split(";"))]
        assert len(rows) >= 1, kind
        assert all(check(r) for r in rows.itertuples()), kind
    # and the other way round: every unparseable birth date is one that was meant to be
    unparseable = crm.DOB.map(lambda d: d != "" and _unparseable(d, "%Y-%m-%d"))
    meant = t.noise.map(lambda n: "invalid:birth_date" in n.split(";"))
    assert unparseable.tolist() == meant.tolist()
    leg = _raw_rows(gs, "legacy")
    lt = truth[truth.source == "legacy"].reset_index(drop=True)
    bad = [leg[i][2] for i in lt.index[lt.noise.str.contains("invalid:birth_date", regex=False)]]
    assert bad and all(re.fullmatch(r"\d\d[./]\d\d[./]\d{4}", d) for d in bad)
    leg_bad = [r[2] != "" and _unparseable(r[2].replace("/", "."), "%d.%m.%Y") for r in leg]
    tagged = [any(x == "invalid:birth_date" for x in n.split(";")) for n in lt.noise]
    assert leg_bad == tagged


def _unparseable(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return True
    return False


def test_source_formats(gs: gen.GeneratedSet) -> None:
    crm = pd.read_csv(gs.crm, dtype=str, keep_default_na=False)
    assert crm.DOB[crm.DOB != ""].str.fullmatch(r"\d{4}-\d\d-\d\d").mean() > 0.99
    assert pd.to_datetime(crm.Modified, format="%Y-%m-%dT%H:%M:%SZ").max() <= pd.Timestamp(gen.REFERENCE_DATE
                                                                                              ) + pd.Timedelta(days=1)
    erp = pd.read_csv(gs.erp, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      engine="python", on_bad_lines="skip")
    assert erp.GBDAT[erp.GBDAT != ""].str.fullmatch(r"\d\d/\d\d/\d{4}").mean() > 0.99
    assert erp.KUNNR[erp.KUNNR != ""].str.fullmatch(r"\d{10}").all()  # leading zeros kept
    assert erp.NAME1.str.contains(", ").mean() > 0.5
    phones = " ".join(erp.TELF1)
    assert "(" in phones and "." in phones and "+1 " in phones
    legacy = pd.read_csv(gs.legacy, sep="\t", dtype=str, keep_default_na=False, encoding="gb18030")
    dob = legacy.BIRTH_DT[legacy.BIRTH_DT != ""]
    assert dob.str.fullmatch(r"\d\d\.\d\d\.\d{4}").any() and dob.str.fullmatch(r"\d\d/\d\d/\d{4}").any()
    assert legacy.CUST_NAME.str.contains("[\u4e00-\u9fff]").mean() > 0.02
    assert (pd.to_datetime(legacy.UPD_DT.str.replace("/", "."), format="%d.%m.%Y") <= "2017-01-01").all()
    web = [json.loads(line) for line in gs.web.read_text(encoding="utf-8").splitlines()]
    assert sum("dob" not in r or not r["dob"] for r in web) / len(web) > 0.5
    emails = [r.get("email") or "" for r in web]
    assert any(e != e.strip() for e in emails) and any(e != e.lower() for e in emails)
    assert any("+" in e.split("@")[0] for e in emails)


def test_records_reflect_time(gs: gen.GeneratedSet, truth: pd.DataFrame, entities: pd.DataFrame) -> None:
    """A record tagged 'moved' was last updated before its household moved, and shows the old ZIP."""
    crm = pd.read_csv(gs.crm, dtype=str, keep_default_na=False)
    t = truth[truth.source == "crm"].reset_index(drop=True)
    ent = entities.set_index("entity_id")
    moved = t.index[t.noise.map(lambda s: "moved" in s.split(";"))]
    assert len(moved) > 0
    for i in moved:
        e = ent.loc[t.entity_id[i]]
        assert crm.Modified[i][:10] < e.moved_on
        zip_ = crm.Zip[i]
        assert zip_ in ("", e.previous_postal_code) or "typo:postal_code" in t.noise[i]
    assert date.fromisoformat(entities.moved_on[entities.moved_on != ""].max()) <= gen.REFERENCE_DATE
