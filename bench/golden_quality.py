"""Golden-record correctness against the generator's truth: is every surviving value the
customer's real, current one?

Each active golden record is judged against its *true entity*: the entity most of its
usable members belong to (``truth.csv``), whose current values are in
``truth_entities.csv``. Per attribute, over golden records whose entity has a true value:

* ``correct``: share whose golden value equals the truth (case and whitespace ignored);
* ``reachable``: share where at least one member, in the form survivorship would publish
  it (``mdm.survivorship.choose.build_base``), held the truth: the best any chooser could do;
* ``ratio``: correct / reachable, counted over the reachable records only (a golden value
  that is right where no member held it would be luck, and is not counted);
* ``baseline``: the same three for plain "most recent from the most trusted source"
  (highest source trust, then newest ``updated_at``), on the same members.

CLI::

    python -m bench.golden_quality --records 20000          # generate, run mdm, measure, write JSON
    python -m bench.golden_quality --hub DIR --data DIR     # measure an existing hub (DIR/hub.duckdb)

Results go to ``bench/results/golden_quality.json`` (one run per record count).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from mdm.hub.sql import ident

#: attributes the generator's truth carries, in the dictionary's order
TRUTH_ATTRIBUTES = ("first_name", "middle_name", "last_name", "birth_date", "gender", "national_id", "email",
                    "phone", "street_address", "address_line2", "city", "state", "postal_code", "country",
                    "company_name", "job_title")
#: the attributes the issue's target (ratio >= 0.98) is set for
TARGET_ATTRIBUTES = ("email", "street_address", "last_name", "first_name", "city", "postal_code", "phone",
                     "birth_date")
TARGET_RATIO = 0.98



def _norm(expr: str) -> str:
    """Case and whitespace ignored; national ids compared without separators."""
    return f"nullif(lower(trim(regexp_replace(CAST({expr} AS VARCHAR), '\\s+', ' ', 'g'))), '')"


def _id_norm(expr: str) -> str:
    return f"nullif(regexp_replace(upper(CAST({expr} AS VARCHAR)), '[^0-9A-Z]', '', 'g'), '')"


def measure_hub(con: duckdb.DuckDBPyConnection, data_dir: Path, *, trust: dict[str, int] | None = None,
                dictionary_path: Path | None = None, rules_path: Path | None = None,
                attributes: Sequence[str] | None = None) -> dict[str, Any]:
    """Figures per attribute for the hub open on ``con`` (see the module docstring); ``attributes``:
    those ``truth_entities.csv`` carries (default: all of :data:`TRUTH_ATTRIBUTES`)."""
    from mdm.config import load_dictionary
    from mdm.survivorship.choose import build_base
    from mdm.survivorship.rules import load_survivorship_rules, plan

    dictionary = load_dictionary(dictionary_path)
    rules = load_survivorship_rules(rules_path)
    if trust is None:
        from mdm.config import BUNDLED_ROOT, load_mapping

        trust = {}
        for path in sorted((BUNDLED_ROOT / "dictionary" / "sources").glob("*.yaml")):
            m = load_mapping(path, dictionary)
            trust[m.source] = m.trust
    truth = data_dir / "truth.csv"
    entities = data_dir / "truth_entities.csv"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gq_truth AS
                    SELECT source || ':' || source_id AS unique_id, entity_id
                    FROM read_csv('{truth}', all_varchar = true, header = true)
                    WHERE coalesce(unusable, '') = ''""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gq_entity AS
                    SELECT * FROM read_csv('{entities}', all_varchar = true, header = true)""")
    # every golden record and its true entity (most of its usable members; ties: smallest id)
    con.execute("""CREATE OR REPLACE TEMP TABLE _gq_member AS
                   SELECT x.golden_id, x.source || ':' || x.source_id AS unique_id, t.entity_id
                   FROM xref x JOIN golden g ON g.golden_id = x.golden_id AND g.status = 'active'
                   LEFT JOIN _gq_truth t ON t.unique_id = x.source || ':' || x.source_id
                   WHERE x.valid_to IS NULL""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _gq_owner AS
                   SELECT golden_id, entity_id FROM (
                       SELECT golden_id, entity_id, count(*) AS n FROM _gq_member
                       WHERE entity_id IS NOT NULL GROUP BY ALL)
                   QUALIFY row_number() OVER (PARTITION BY golden_id ORDER BY n DESC, entity_id) = 1""")
    # the members' candidate values, exactly as survivorship forms them
    present = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    attrs = [a for a in TRUTH_ATTRIBUTES if a in dictionary.attributes and a in present
             and (attributes is None or a in attributes)]
    the_plan = plan(rules, dictionary, set(attrs))
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_cm AS
                   SELECT m.unique_id, m.golden_id AS cluster_id FROM _gq_member m""")
    build_base(con, dictionary, the_plan, trust)
    out: dict[str, Any] = {}
    for a in attrs:
        v = ident("v__" + a)
        norm = _id_norm if dictionary.attributes[a].standardiser == "national_id" else _norm
        row = con.execute(f"""
            WITH gold AS (
                SELECT o.golden_id, {norm('e.' + ident(a))} AS truth,
                       {norm("json_extract_string(g.record, '$.' || " + "'" + a + "'" + ")")} AS golden
                FROM _gq_owner o JOIN _gq_entity e USING (entity_id) JOIN golden g USING (golden_id)),
            cand AS (
                SELECT b.cluster_id AS golden_id, {norm('b.' + v)} AS value, b.trust, b.asserted_at,
                       b.source, b.source_id
                FROM _sv_base b WHERE b.{v} IS NOT NULL),
            held AS (
                SELECT c.golden_id, bool_or(c.value = g.truth) AS held
                FROM cand c JOIN gold g USING (golden_id) GROUP BY ALL),
            plain AS (
                SELECT golden_id, value FROM cand
                QUALIFY row_number() OVER (PARTITION BY golden_id
                                           ORDER BY trust DESC, asserted_at DESC NULLS LAST, source, source_id) = 1)
            SELECT count(*) AS n,
                   count(*) FILTER (WHERE g.golden = g.truth) AS correct,
                   count(*) FILTER (WHERE h.held) AS reachable,
                   count(*) FILTER (WHERE h.held AND g.golden = g.truth) AS correct_reachable,
                   count(*) FILTER (WHERE p.value = g.truth) AS plain_correct,
                   count(*) FILTER (WHERE h.held AND p.value = g.truth) AS plain_correct_reachable
            FROM gold g LEFT JOIN held h USING (golden_id) LEFT JOIN plain p USING (golden_id)
            WHERE g.truth IS NOT NULL""").fetchone()
        assert row is not None
        n, correct, reachable, correct_r, plain, plain_r = (int(x or 0) for x in row)

        def share(x: int, of: int) -> float | None:
            return round(x / of, 4) if of else None

        out[a] = {
            "golden_records": n,
            "correct": share(correct, n), "reachable": share(reachable, n), "ratio": share(correct_r, reachable),
            "baseline_most_recent_most_trusted": {"correct": share(plain, n), "ratio": share(plain_r, reachable)},
        }
    for table in ("_gq_truth", "_gq_entity", "_gq_member", "_gq_owner", "_sv_cm", "_sv_base", "_sv_trust"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return out


def examples(con: duckdb.DuckDBPyConnection, data_dir: Path, attribute: str, limit: int = 20) -> list[tuple[Any, ...]]:
    """Golden values that differ from the truth although a member held it (for diagnosis)."""
    truth = data_dir / "truth.csv"
    entities = data_dir / "truth_entities.csv"
    a = ident(attribute)
    return con.execute(f"""
        WITH t AS (SELECT source || ':' || source_id AS unique_id, entity_id
                   FROM read_csv('{truth}', all_varchar = true, header = true) WHERE coalesce(unusable, '') = ''),
             e AS (SELECT * FROM read_csv('{entities}', all_varchar = true, header = true)),
             m AS (SELECT x.golden_id, t.entity_id FROM xref x JOIN t ON t.unique_id = x.source || ':' || x.source_id
                   WHERE x.valid_to IS NULL),
             o AS (SELECT golden_id, entity_id FROM (SELECT golden_id, entity_id, count(*) n FROM m GROUP BY ALL)
                   QUALIFY row_number() OVER (PARTITION BY golden_id ORDER BY n DESC, entity_id) = 1)
        SELECT o.golden_id, e.{a} AS truth, json_extract_string(g.record, '$.{attribute}') AS golden, ga.rule
        FROM o JOIN e USING (entity_id) JOIN golden g USING (golden_id)
        LEFT JOIN golden_attribute ga ON ga.golden_id = o.golden_id AND ga.attribute = '{attribute}'
        WHERE e.{a} <> '' AND lower(e.{a}) IS DISTINCT FROM lower(json_extract_string(g.record, '$.{attribute}'))
        ORDER BY o.golden_id LIMIT {int(limit)}""").fetchall()


def run_pipeline(data_dir: Path, work: Path) -> float:
    """The whole mdm pipeline on a generated folder, hub in ``work``; returns seconds."""
    from mdm import pipeline
    from mdm.config import BUNDLED_ROOT, load_project

    lines = ["hub: hub.duckdb", "sources:"]
    for name in ("crm", "erp", "web", "legacy"):
        path = next(p for p in data_dir.iterdir() if p.stem == name and p.suffix != ".yaml")
        mapping = BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml"
        lines += [f"  - mapping: {mapping}", f"    path: {path}"]
    (work / "mdm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    pipeline.run(load_project(work / "mdm.yaml"))
    return time.perf_counter() - started


def summary(figures: dict[str, Any]) -> dict[str, Any]:
    ratios = {a: figures[a]["ratio"] for a in TARGET_ATTRIBUTES if a in figures}
    worst = min((r for r in ratios.values() if r is not None), default=None)
    return {"target": f"ratio >= {TARGET_RATIO} for {', '.join(TARGET_ATTRIBUTES)}", "worst_target_ratio": worst,
            "target_met": worst is not None and worst >= TARGET_RATIO}


def format_table(figures: dict[str, Any]) -> str:
    lines = [f"{'attribute':<16}{'n':>8}{'correct':>9}{'reachable':>10}{'ratio':>8}   plain: correct  ratio"]
    for a, f in figures.items():
        b = f["baseline_most_recent_most_trusted"]
        lines.append(f"{a:<16}{f['golden_records']:>8}{f['correct'] or 0:>9.4f}{f['reachable'] or 0:>10.4f}"
                     f"{f['ratio'] or 0:>8.4f}   {b['correct'] or 0:>14.4f}{b['ratio'] or 0:>7.4f}")
    return "\n".join(lines)


def bench_golden_quality(sizes: Sequence[int], seed: int = 7) -> Path:
    from bench.common import dataset, write_result

    runs = []
    for n in sizes:
        data = dataset(n, seed)
        work = Path(tempfile.mkdtemp(prefix="mdm-bench-gq-"))
        try:
            seconds = run_pipeline(data, work)
            con = duckdb.connect(str(work / "hub.duckdb"))
            try:
                figures = measure_hub(con, data)
            finally:
                con.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"golden quality {n:,} records (pipeline {seconds:.0f} s):\n{format_table(figures)}", flush=True)
        runs.append({"records": n, "seed": seed, "pipeline_seconds": round(seconds, 1), **summary(figures),
                     "attributes": figures})
    return write_result("golden_quality", {
        "what": "per attribute: share of golden values equal to the generator's truth (correct), share where "
                "some member held the truth (reachable), correct/reachable over reachable records (ratio); "
                "beside it plain 'most recent from the most trusted source'",
        "command": "python -m bench.golden_quality --records " + ",".join(str(n) for n in sizes),
        "runs": runs})


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.golden_quality", description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", default="20000", help="comma-separated generator record counts (default 20000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--hub", type=Path, help="measure this existing work folder (its hub.duckdb) instead")
    ap.add_argument("--data", type=Path, help="the generator folder the --hub was built from")
    ap.add_argument("--examples", metavar="ATTRIBUTE", help="with --hub: list wrong golden values of ATTRIBUTE")
    args = ap.parse_args(argv)
    if args.hub is not None:
        if args.data is None:
            ap.error("--hub needs --data (the generator folder with truth.csv and truth_entities.csv)")
        con = duckdb.connect(str(args.hub / "hub.duckdb"))
        try:
            if args.examples:
                for row in examples(con, args.data, args.examples, 40):
                    print(*row, sep=" | ")
                return 0
            print(format_table(measure_hub(con, args.data)))
        finally:
            con.close()
        return 0
    try:
        sizes = [int(s) for s in args.records.split(",") if s.strip()]
    except ValueError:
        ap.error(f"--records must be comma-separated integers, got {args.records!r}")
    if not sizes or min(sizes) < 1:
        ap.error("--records must list positive record counts")
    print("wrote", bench_golden_quality(sizes, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
