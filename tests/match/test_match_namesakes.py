"""Namesakes and same-name households do not teach EM that a different birth date is weak evidence.

Two people of one name (two John Smiths), and a father and son of one name at one address, fill a
block on names alone; EM run on that block took the pairs agreeing on phone and address for matches
and learnt "another birth date" as a mild -2 bits, so a namesake sharing one e-mail domain or a
Jr/Sr household reached the auto-match cut-off. The bundled names session blocks within the postal
area, where the same name is mostly the same person.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from mdm.match.rules import BlockingRule
from mdm.match.stage import match_records

from .conftest import STREETS, fast_rules, make_record_std


def _with_namesakes(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """make_record_std's people, then for half of the first names one more person of that name:
    mostly a same-name son living with them (same address, postal code and phone), one in five a
    namesake elsewhere."""
    rows, truth = make_record_std(500, seed=seed)
    rng = random.Random(seed)
    extra = []
    people = rows.drop_duplicates("first_name").sample(frac=0.5, random_state=seed)
    for i, (_, p) in enumerate(people.iterrows()):
        other = p.to_dict()
        other["birth_date"] = f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        other["email"] = f"{p['first_name']}{rng.randint(1000, 9999)}@example.org"
        other["national_id"] = f"{rng.randint(100000000, 999999999)}"
        if i % 5 == 0:  # a namesake somewhere else
            other["phone"] = f"+1555{rng.randint(1000000, 9999999)}"
            other["street_address"] = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} ST"
            other["street_address__number"], other["street_address__street_name"] = \
                other["street_address"].split(" ")[:2]
            other["postal_code"] = f"{rng.randint(10000, 99999)}"
        other["source"], other["source_id"] = "crm", f"N{i:05d}"
        extra.append(other)
    more = pd.DataFrame(extra)[rows.columns]
    ids = pd.DataFrame({"unique_id": "crm:" + more["source_id"], "entity_id": "N" + more["source_id"]})
    return pd.concat([rows, more], ignore_index=True), pd.concat([truth, ids], ignore_index=True)


def test_another_birth_date_weighs_strongly_against(hub_con: Callable[..., duckdb.DuckDBPyConnection],
                                                    tmp_path: Path) -> None:
    rows, truth = _with_namesakes()
    con = hub_con(rows)
    result = match_records(con, fast_rules(), tmp_path)
    weights = {(p["comparison"], p["level"]): p["weight"] for p in result.model.manifest["parameters"]}
    assert weights[("birth_date", "anything else")] < -5  # true share of matches with another date: ~0
    pairs = result.pairs.to_pandas()
    entity = dict(zip(truth["unique_id"], truth["entity_id"], strict=True))
    merged = pairs[pairs["band"] == "match"]
    wrong = [(a, b) for a, b in zip(merged["unique_id_l"], merged["unique_id_r"], strict=True)
             if entity[a] != entity[b]]
    assert len(wrong) <= 2, wrong  # namesakes and same-name sons are not auto-matched
    found = sum(entity[a] == entity[b] for a, b in zip(merged["unique_id_l"], merged["unique_id_r"], strict=True))
    assert found >= 200  # while the real duplicates still are


def test_names_only_em_is_what_went_wrong(hub_con: Callable[..., duckdb.DuckDBPyConnection], tmp_path: Path) -> None:
    """The same data under the old plan (names alone as an EM block) learns the weak weight: the
    test above measures the blocking of the names session, not the data."""
    rows, _ = _with_namesakes()
    con = hub_con(rows)
    rules = fast_rules()
    em = (BlockingRule(on=("first_name_key", "last_name_key")), *rules.training.em[1:])
    old = rules.model_copy(update={"training": rules.training.model_copy(update={"em": em})})
    result = match_records(con, old, tmp_path)
    weights = {(p["comparison"], p["level"]): p["weight"] for p in result.model.manifest["parameters"]}
    assert weights[("birth_date", "anything else")] > -5
