"""Fixtures for the match stage: small synthetic ``record_std`` tables with a known truth,
fast rules derived from the bundled ones, and (for the slower tests) the demo sample."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from mdm.match.rules import MatchRules, load_match_rules


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: needs pyspark and a local Spark session (slow)")


FIRST = ["james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "william", "elizabeth",
         "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen",
         "wei", "li", "ana", "jose", "maria", "luis", "carmen", "jorge", "sofia", "diego"]
LAST = ["smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
        "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson"]
STREETS = ["MAIN", "OAK", "PINE", "MAPLE", "CEDAR", "ELM", "WASHINGTON", "LAKE", "HILL", "PARK"]
NICK = {"william": "bill", "robert": "bob", "elizabeth": "liz", "richard": "rick", "joseph": "joe",
        "michael": "mike", "james": "jim", "thomas": "tom", "charles": "chuck", "patricia": "pat"}

RECORD_STD_COLUMNS = [
    "source", "source_id", "first_name", "first_name__nickname_canonical", "first_name__metaphone", "last_name",
    "last_name__metaphone", "birth_date", "gender", "email", "email__local", "phone", "national_id",
    "street_address", "street_address__number", "street_address__street_name", "postal_code",
]


def _typo(rng: random.Random, s: str) -> str:
    i = rng.randrange(len(s))
    return s[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + s[i + 1:]


def make_record_std(n_persons: int = 300, seed: int = 7, sources: tuple[str, ...] = ("crm", "web"),
                    dup_rate: float = 0.6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(record_std rows, truth ``unique_id, entity_id``) for ``n_persons`` people.

    Every person has one record in a random source; with ``dup_rate`` a second (noisy) one
    in another. Noise: typos, nicknames, missing values, a swapped name now and then.
    """
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    truth: list[tuple[str, str]] = []
    for p in range(n_persons):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        dob = f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        person = {
            "first_name": first, "last_name": last, "birth_date": dob, "gender": rng.choice("MF"),
            "email": f"{first}.{last}{rng.randint(1, 999)}@example.com",
            "phone": f"+1555{rng.randint(1000000, 9999999)}",
            "national_id": f"{rng.randint(100000000, 999999999)}",
            "street_address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)} ST",
            "postal_code": f"{rng.randint(10000, 99999)}",
        }
        n_rec = 2 if rng.random() < dup_rate else 1
        chosen = rng.sample(list(sources), k=min(n_rec, len(sources))) if len(sources) > 1 else [sources[0]] * n_rec
        for k, source in enumerate(chosen):
            rec = dict(person)
            if k > 0:  # the duplicate is noisier
                r = rng.random()
                if r < 0.15:
                    rec["first_name"] = _typo(rng, rec["first_name"])
                elif r < 0.25 and first in NICK:
                    rec["first_name"] = NICK[first]
                elif r < 0.28:
                    rec["first_name"], rec["last_name"] = rec["last_name"], rec["first_name"]
                for attr in ("email", "phone", "birth_date", "national_id", "street_address"):
                    if rng.random() < 0.2:
                        rec[attr] = None
            sid = f"{source[0].upper()}{p:05d}{k}"
            rows.append({"source": source, "source_id": sid, **rec})
            truth.append((f"{source}:{sid}", f"E{p:05d}"))
    df = pd.DataFrame(rows)
    nick_back = {v: k for k, v in NICK.items()}

    def derive(col: str, fn: Callable[[str], str]) -> list[str | None]:
        return [fn(x) if isinstance(x, str) else None for x in df[col]]

    df["first_name__nickname_canonical"] = derive("first_name", lambda x: nick_back.get(x, x))
    df["first_name__metaphone"] = derive("first_name", lambda x: x[:3].upper())
    df["last_name__metaphone"] = derive("last_name", lambda x: x[:3].upper())
    df["email__local"] = derive("email", lambda x: x.split("@")[0])
    df["street_address__number"] = derive("street_address", lambda x: x.split(" ")[0])
    df["street_address__street_name"] = derive("street_address", lambda x: x.split(" ")[1])
    df = df.astype(object).where(df.notna(), None)
    return df[RECORD_STD_COLUMNS], pd.DataFrame(truth, columns=["unique_id", "entity_id"])


@pytest.fixture
def hub_con() -> Callable[..., duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding ``record_std`` built from a DataFrame."""
    cons: list[duckdb.DuckDBPyConnection] = []

    def make(df: pd.DataFrame) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.register("_df", df)
        con.execute("CREATE TABLE record_std AS SELECT * FROM _df")
        con.unregister("_df")
        cons.append(con)
        return con

    yield make
    for con in cons:
        con.close()


def fast_rules(rules: MatchRules | None = None, **training: Any) -> MatchRules:
    """The bundled rules with small sample sizes, so a test trains in a second or two."""
    rules = rules or load_match_rules()
    plan = rules.training.model_copy(update={"u_max_pairs": 2e5, "em_max_pairs": 2e5, "u_chunks": 1, **training})
    return rules.model_copy(update={"training": plan, "duckdb": rules.duckdb.model_copy(update={"threads": 2})})


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2,000-record demo sample (``mdm demo``), ingested and standardised: its folder."""
    workdir = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, "-m", "mdm", "demo", "--workdir", str(workdir), "--records", "2000"],
                   check=True, capture_output=True)
    return workdir


def pairwise_f1(clusters: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 of ``unique_id, cluster_id`` against ``unique_id, entity_id``."""
    con = duckdb.connect()
    try:
        con.register("c", clusters)
        con.register("t", truth)
        tp, fp, fn = con.execute("""
            WITH j AS (SELECT t.unique_id, t.entity_id, coalesce(c.cluster_id, t.unique_id) AS cid
                       FROM t LEFT JOIN c USING (unique_id)),
                 p AS (SELECT a.entity_id = b.entity_id AS same_e, a.cid = b.cid AS same_c
                       FROM j a JOIN j b ON a.unique_id < b.unique_id AND (a.entity_id = b.entity_id OR a.cid = b.cid))
            SELECT count(*) FILTER (same_e AND same_c), count(*) FILTER (same_c AND NOT same_e),
                   count(*) FILTER (same_e AND NOT same_c) FROM p""").fetchall()[0]
    finally:
        con.close()
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def connected_components(pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """``unique_id, cluster_id`` from pairs at or above ``threshold`` (union-find; test helper)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b in pairs.loc[pairs["match_probability"] >= threshold, ["unique_id_l", "unique_id_r"]].itertuples(
            index=False):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    ids = set(parent) | set(pairs["unique_id_l"]) | set(pairs["unique_id_r"])
    return pd.DataFrame({"unique_id": sorted(ids), "cluster_id": [find(i) for i in sorted(ids)]})
