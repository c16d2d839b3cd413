"""``mdm cleanse``: one legacy export through the whole pipeline in a throwaway hub.

For migration projects: no project file and no hub to keep. The output folder gets

- ``golden.<fmt>``: the cleansed, de-duplicated customers (golden id + attributes),
- ``xref.<fmt>``: legacy id -> golden id for every accepted legacy row,
- ``quarantine.<fmt>``: rows that could not be used, with reason codes and the raw row,
- ``reconciliation.json``: rows in = golden members + quarantined, checked, and quality before and after,
- ``report.html``: the cleanse report (reconciliation, quality before and after per attribute,
  entity resolution, profile, scorecard; no review tasks: they would die with the throwaway hub).

Quality before and after: the raw feed's scorecard beside the scorecard of the golden output,
profiled and validated by the same code as the feed (:func:`mdm.pipeline.profile_file`) and scored
with the source's governance, so the difference is what cleansing, standardising and merging did.

The same input gives byte-identical output: ids come from the clusters, rows are
sorted, model training is seeded, and the files carry no wall-clock time.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mdm.config import (
    BUNDLED_MATCH_RULES,
    BUNDLED_SURVIVORSHIP_RULES,
    Dictionary,
    Project,
    SourceMapping,
    load_dictionary,
    load_mapping,
)
from mdm.errors import InputError
from mdm.export import write_query
from mdm.hub import open_hub

FORMATS = ("csv", "parquet", "jsonl")


@dataclass
class CleanseResult:
    rows_in: int
    accepted: int
    quarantined: int
    golden_records: int
    duplicates_merged: int
    out_dir: Path
    files: dict[str, Path]


def cleanse(file: Path, mapping_path: Path, out_dir: Path, *, fmt: str = "csv", dictionary_path: Path | None = None,
            today: dt.date | None = None, progress: Callable[[str], None] | None = None) -> CleanseResult:
    from mdm import pipeline

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", code="input.format")
    if not file.is_file():
        raise InputError(f"{file}: no such file", code="input.missing")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file; --out takes a folder", code="input.out")
    dictionary = load_dictionary(dictionary_path)
    mapping = load_mapping(mapping_path, dictionary)
    work = Path(tempfile.mkdtemp(prefix="mdm-cleanse-"))
    try:
        project = Project(path=None, root=work, hub=work / "hub.duckdb", dictionary=dictionary,
                          match_rules=BUNDLED_MATCH_RULES, survivorship_rules=BUNDLED_SURVIVORSHIP_RULES,
                          sources=((mapping, file.resolve()),))
        result = pipeline.run(project, report_dir=work / "reports", today=today,
                              progress=progress or (lambda _msg: None))
        staging = work / "out"
        staging.mkdir()
        files = _write_outputs(project, dictionary, mapping.source, staging, fmt)
        totals = result.totals()
        with open_hub(project.hub, read_only=True, memory_limit=project.memory_limit) as hub:
            row = hub.con.execute("""SELECT (SELECT count(*) FROM golden WHERE status = 'active'),
                                            (SELECT count(*) FROM xref WHERE valid_to IS NULL)""").fetchone()
            figures = pipeline.resolution_figures(hub.con, dictionary, result.extra)
        golden, members = (int(x) for x in row or (0, 0))
        recon = {
            "file": file.name, "source": mapping.source, "rows_in": totals["rows_read"],
            "accepted": totals["accepted"], "quarantined": totals["quarantined"], "golden_members": members,
            "golden_records": golden, "duplicates_merged": members - golden,
            "balanced": totals["rows_read"] == members + totals["quarantined"],
        }
        if not recon["balanced"]:
            raise InputError(f"{file}: reconciliation failed: {recon['rows_in']} rows in but {members} golden "
                             f"members + {totals['quarantined']} quarantined", code="cleanse.unbalanced")
        before = [s.as_dict() for b in result.batches for s in b.scorecard]
        after = _golden_scores(files["golden"], mapping, dictionary, today)
        recon["quality"] = [{"attribute": b["attribute"], "before": b["score"], "after": after[b["attribute"]]["score"],
                             "before_band": b["band"], "after_band": after[b["attribute"]]["band"]}
                            for b in before if b["attribute"] in after]
        (staging / "reconciliation.json").write_text(json.dumps(recon, indent=2) + "\n", encoding="utf-8")
        files["reconciliation"] = staging / "reconciliation.json"
        report = pipeline.write_run_report(project, result.batches, staging, figures, name="report.html",
                                           timeless=True, title=f"mdm cleanse report: {file.name}",
                                           reconciliation=recon, kind="cleanse")
        files["report"] = report
        out_dir.mkdir(parents=True, exist_ok=True)
        final = {}
        for kind, path in files.items():
            target = out_dir / path.name
            shutil.move(str(path), target)
            final[kind] = target
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return CleanseResult(rows_in=totals["rows_read"], accepted=totals["accepted"], quarantined=totals["quarantined"],
                         golden_records=golden, duplicates_merged=members - golden, out_dir=out_dir, files=final)


def _golden_scores(golden: Path, mapping: SourceMapping, dictionary: Dictionary,
                   today: dt.date | None) -> dict[str, dict[str, object]]:
    """The golden output's scorecard per attribute the source maps: profiled like the feed, scored
    with the source's own governance (the golden file carries no updated_at column)."""
    from mdm.ingest.scorecard import scorecard
    from mdm.pipeline import profile_file

    as_source = SourceMapping(source=mapping.source, trust=mapping.trust, id_column="golden_id",
                              default_region=mapping.default_region, quarantine_tolerance=1.0,
                              columns={a: a for a in dictionary.names if a in mapping.columns})
    doc, _, _ = profile_file(golden, as_source, dictionary, today=today)
    return {s.attribute: s.as_dict() for s in scorecard(doc, dictionary, mapping)}


def _write_outputs(project: Project, dictionary: Dictionary, source: str, out: Path, fmt: str) -> dict[str, Path]:
    attrs = ", ".join(f"record->>'{a}' AS \"{a}\"" for a in dictionary.names)
    queries = {
        "golden": f"""SELECT golden_id, {attrs}, confidence, member_count FROM golden WHERE status = 'active'
                      ORDER BY golden_id""",
        "xref": """SELECT source_id, golden_id FROM xref WHERE valid_to IS NULL ORDER BY source_id""",
        "quarantine": """SELECT row_number, line, source_id, array_to_string(reason_codes, ';') AS reason_codes,
                                array_to_string(messages, ' | ') AS messages, raw_row
                         FROM quarantine ORDER BY row_number NULLS LAST, line NULLS LAST""",
    }
    files = {}
    with open_hub(project.hub, read_only=True, memory_limit=project.memory_limit) as hub:
        for kind, query in queries.items():
            path = out / f"{kind}.{fmt}"
            # xref is a machine file (legacy ids exactly); golden and quarantine are opened by people
            write_query(hub.con, query, path, fmt, reader="machine" if kind == "xref" else "human")
            files[kind] = path
    return files
