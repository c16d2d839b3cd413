"""The pipeline commands: run, profile, validate, export, publish, audit decay, cleanse, demo."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mdm.atomic import write_text
from mdm.errors import InputError, printable

if TYPE_CHECKING:
    from mdm.config import Project
from mdm.cli.app import DEFAULT_CONFIG, ConfigOpt, _file_and_mapping, _project, _writable_hub, app, err, out
from mdm.cli.console import _progress


@app.command()
def run(config: ConfigOpt = DEFAULT_CONFIG,
        retrain: Annotated[bool, typer.Option("--retrain", help="train the match model again")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="print the run summary as JSON on stdout "
                                                             "(for schedulers)")] = False) -> None:
    """Ingest every source in mdm.yaml and carry it through the pipeline."""
    from mdm import pipeline

    project = _project(config)
    _check_sources(project)
    with _progress(_log_file(project), quiet=quiet or as_json) as progress:
        result = pipeline.run(project, progress=progress, retrain=retrain)
    if as_json:
        sys.stdout.write(pipeline.dump_json(_run_summary(result)) + "\n")
    elif not quiet:
        _print_run(result)


def _log_file(project: Project) -> Path:
    """Where a project's commands log (library warnings, match sub-steps): beside its hub."""
    return project.hub.parent / "logs" / "mdm.log"


def _run_summary(result: object) -> dict[str, object]:
    from mdm.pipeline import RunResult

    assert isinstance(result, RunResult)
    x = result.extra
    return {"started_at": result.started_at, "finished_at": result.finished_at, "totals": result.totals(),
            "sources": [b.summary() for b in result.batches],
            "pairs": x.get("pairs"), "match": x.get("match"), "review_tasks_opened": x.get("review_tasks_opened"),
            "records": x.get("records"), "clusters": x.get("clusters"),
            "duplicates_removed": x.get("duplicates_removed"), "golden": x.get("golden"),
            "stage_seconds": x.get("stage_seconds"), "report": str(result.report) if result.report else None}


def _check_sources(project: Project) -> None:
    """Every source file named in mdm.yaml exists, before the run takes the hub."""
    for i, (mapping, path) in enumerate(project.sources):
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "not found"
            raise InputError(f"{path}: {what} (source '{mapping.source}', key 'sources.{i}.path' of "
                             f"{project.path or 'mdm.yaml'}); fix the path or remove the source",
                             code="input.file_missing")


def _print_run(result: object) -> None:
    from rich.table import Table

    from mdm.pipeline import RunResult

    assert isinstance(result, RunResult)
    table = Table(title="sources")
    for col in ("source", "status", "read", "accepted", "quarantined", "flagged", "encoding"):
        table.add_column(col, justify="right" if col in {"read", "accepted", "quarantined", "flagged"} else "left")
    for b in result.batches:
        s = b.summary()
        table.add_row(s["source"], s["status"], str(s["rows_read"]), str(s["accepted"]), str(s["quarantined"]),
                      str(s["flagged"]), s["encoding"])
    out.print(table)
    t = result.totals()
    out.print(f"rows read {t['rows_read']}, accepted {t['accepted']}, quarantined {t['quarantined']}, "
              f"values flagged {t['flagged']}")
    x = result.extra
    if "pairs" in x:
        match = x.get("match", {})
        out.print(f"pairs scored {x['pairs']} (match {match.get('match', 0)}, review {match.get('review', 0)}), "
                  f"review tasks opened {x['review_tasks_opened']}, customers {x['clusters']} from "
                  f"{x['records']} records, duplicates removed {x['duplicates_removed']}"
                  f"{' (model reused)' if match.get('model_reused') else ''}")
        cut = match.get("thresholds")
        if cut:
            out.print(f"auto-match cut-off {cut['auto_match']:.4f}, review band from {cut['review'][0]:.4f} "
                      f"({str(cut['method']).replace('_', ' ')})")
        for note in match.get("notes", []):
            out.print(f"note: {printable(note)}")
    else:
        out.print("no source changed: matching skipped, nothing to do")
    golden = x.get("golden") if x else None
    if golden:
        out.print(f"golden records {golden['golden_active']} (created {golden['created']}, updated "
                  f"{golden['updated']}, merged {golden['merged']}, split {golden['split']}, retired "
                  f"{golden['retired']}; {golden['events']} change events)")
    if result.report:
        out.print(f"report: {result.report}")


@app.command()
def profile(
    file: Annotated[Path, typer.Argument(help="source file to profile")],
    source: Annotated[str, typer.Option("--source", "-s", help="source name from mdm.yaml")],
    config: ConfigOpt = DEFAULT_CONFIG,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="report.html or report.json")] = None,
    mask: Annotated[bool, typer.Option("--mask", help="mask the top values of PII attributes (for a report "
                                                      "you pass on); your own file is shown in clear")] = False,
) -> None:
    """Profile one file (completeness, validity, patterns, scorecard) without touching the hub."""
    from mdm.pipeline import dump_json, profile_file

    if out_path is not None and out_path.suffix.lower() not in (".json", ".html", ".htm"):
        raise InputError(f"--out {out_path}: use a .html or .json file name", code="input.bad_option")
    project, mapping = _file_and_mapping(file, source, config)
    doc, scores, summary = profile_file(file, mapping, project.dictionary, mask=mask)
    if out_path is None or out_path.suffix.lower() == ".json":
        text = dump_json({"summary": summary, "profile": doc, "scorecard": scores})
        if out_path is None:
            sys.stdout.write(text + "\n")
        else:
            write_text(out_path, text)
            out.print(f"profile written to {out_path}")
        return
    if out_path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--out {out_path}: use a .html or .json file name", code="input.bad_option")
    from mdm.reports.html import write_report
    from mdm.reports.profile import render_profile_report

    write_report(out_path, render_profile_report([doc], [scores], title=f"Profile of {file.name}",
                                                 summary=[summary], dictionary=project.dictionary))
    out.print(f"profile report written to {out_path}")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="source file to validate")],
    source: Annotated[str, typer.Option("--source", "-s", help="source name from mdm.yaml")],
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Validate one file; exit 1 when its quarantine share exceeds the source's tolerance."""
    from mdm.pipeline import profile_file

    project, mapping = _file_and_mapping(file, source, config)
    _, scores, summary = profile_file(file, mapping, project.dictionary)
    share, tol = summary["quarantine_share"], summary["quarantine_tolerance"]
    reasons = ", ".join(f"{c} {n}" for c, n in summary["quarantine_reasons"].items()) or "none"
    out.print(f"{file}: {summary['rows_read']} rows read, {summary['accepted']} accepted, "
              f"{summary['quarantined']} quarantined ({share:.1%}; tolerance {tol:.1%}), "
              f"{summary['flagged']} values flagged; quarantine reasons: {reasons}")
    weak = [s for s in scores if s["retirement_candidate"]]
    if weak:
        out.print("retirement candidates: " + ", ".join(s["attribute"] for s in weak))
    if share > tol:
        err.print(f"error: {file}: quarantine share {share:.1%} exceeds the tolerance {tol:.1%} of source "
                  f"{mapping.source}", markup=False, highlight=False)
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    kind: Annotated[str, typer.Argument(help="golden | xref | quarantine | tasks | flags")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="file to write")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="csv | parquet | jsonl (default: from --out)")]
    = None,
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Export golden records, the cross-reference, the quarantine, review tasks or flagged values."""
    from mdm.export import KINDS, export, format_for
    from mdm.hub import open_hub

    if kind not in KINDS:
        raise InputError(f"cannot export {kind!r}; choose one of {', '.join(KINDS)}", code="export.kind")
    fmt = format_for(out_path, fmt)
    project = _project(config)
    with open_hub(project.hub, read_only=True, memory_limit=project.memory_limit) as hub:
        rows = export(hub.con, kind, out_path, project.dictionary, fmt)
    out.print(f"{rows} {kind} rows written to {out_path} ({fmt})")


@app.command()
def publish(
    target: Annotated[str, typer.Option("--target", "-t", help="source system to publish to (e.g. crm)")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="folder for the upsert and merge files")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv | parquet | jsonl")] = "csv",
    full: Annotated[bool, typer.Option("--full", help="everything, not only changes since the last publish")]
    = False,
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Write the upsert and merge files a CRM or ERP imports to take the golden records back."""
    from mdm.hub import transaction
    from mdm.publish import publish_files

    project = _project(config)
    with _writable_hub(project) as hub, transaction(hub.con):
        result = publish_files(hub.con, project, target, out_dir, fmt=fmt, full=full)
    _print_publish(result)


def _print_publish(result: object) -> None:
    from mdm.publish import PublishResult

    assert isinstance(result, PublishResult)
    since = "everything" if result.full else f"changes after event {result.seq_from}"
    out.print(f"publish to {result.target} ({since}, up to event {result.seq_to}): {result.upserts} record updates, "
              f"{result.merges} merges of duplicates")
    for kind, path in result.files.items():
        out.print(f"  {kind}: {path}")


audit_app = typer.Typer(no_args_is_help=True, help="Data-quality audits.")
app.add_typer(audit_app, name="audit")


@audit_app.command("decay")
def audit_decay(
    as_of: Annotated[str | None, typer.Option("--as-of", help="audit date YYYY-MM-DD (default: today)")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="worklist file .csv or .jsonl; the HTML "
                                                                      "report is written beside it")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="stale below this probability of still being "
                                                                 "valid")] = 0.75,
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Estimate which golden values have decayed; write a prioritised re-verification worklist."""
    import datetime as dt

    from mdm.export import format_for
    from mdm.hub import transaction
    from mdm.jobs import audits_folder, decay_audit_job

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a date; use YYYY-MM-DD", code="input.date") from None
    if not 0.0 < threshold < 1.0:
        raise InputError(f"--threshold {threshold} must be between 0 and 1", code="input.threshold")
    project = _project(config)
    out_path = out_path or audits_folder(project) / f"decay-{day.isoformat()}.csv"
    fmt = format_for(out_path, None)
    if fmt == "parquet" or out_path.suffix.lower() not in (".csv", ".jsonl", ".ndjson"):
        raise InputError(f"--out {out_path}: the worklist is written as .csv or .jsonl", code="input.format")
    with _writable_hub(project) as hub, transaction(hub.con):
        done = decay_audit_job(hub.con, project, as_of=day, threshold=threshold, worklist=out_path, fmt=fmt)
    audit, report = done.audit, done.report
    s = audit.summary
    out.print(f"decay audit {audit.audit_id} as of {day}: {s['stale']} of {s['values']} golden values stale "
              f"({s['stale_share']:.1%}); {s['records_with_stale_critical_value']} of {s['golden_records']} records "
              "have a stale critical value")
    for t in s["tiers"]:
        out.print(f"  {t['tier']}: {t['stale']} of {t['values']} stale ({t['stale_share']:.1%})")
    out.print(f"worklist: {out_path}")
    out.print(f"report: {report}")


@app.command("cleanse")
def cleanse_cmd(
    file: Annotated[Path, typer.Argument(help="legacy export to cleanse")],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="source mapping YAML for the file")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="folder for the cleansed files")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv | parquet | jsonl")] = "csv",
    dictionary: Annotated[Path | None, typer.Option("--dictionary", help="data dictionary (default: bundled)")]
    = None,
) -> None:
    """One-shot migration cleanse of one legacy file in a temporary hub (no project needed)."""
    from mdm.cleanse import cleanse

    with _progress() as progress:
        result = cleanse(file, mapping, out_dir, fmt=fmt, dictionary_path=dictionary, progress=progress)
    out.print(f"{file}: {result.rows_in} rows in = {result.accepted} accepted + {result.quarantined} quarantined; "
              f"{result.golden_records} cleansed customers ({result.duplicates_merged} duplicates merged)")
    for kind, path in result.files.items():
        out.print(f"  {kind}: {path}")


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option("--workdir", "-w", help="folder for data, mdm.yaml and hub")] = Path(
        "mdm-demo"),
    records: Annotated[int, typer.Option("--records", help="sample size")] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 42,
    serve: Annotated[bool, typer.Option("--serve", help="start the stewardship server afterwards")] = False,
) -> None:
    """Write the bundled multi-source sample to WORKDIR and run the whole pipeline on it."""
    from mdm import pipeline
    from mdm.config import BUNDLED_ROOT, load_project
    from mdm.demo.generator import generate

    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    generated = generate(data, n_records=records, seed=seed)
    maps = workdir / "mappings"
    maps.mkdir(exist_ok=True)
    lines = ["# written by `mdm demo`: the bundled sample sources", "hub: hub.duckdb", "sources:"]
    for name in ("crm", "erp", "web", "legacy"):
        shutil.copyfile(BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml", maps / f"{name}.yaml")
        src = generated.sources[name]
        rel = Path(os.path.relpath(src.resolve(), workdir.resolve())).as_posix()
        lines += [f"  - mapping: mappings/{name}.yaml", f"    path: {rel}"]
    config = workdir / "mdm.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hub = workdir / "hub.duckdb"
    for stale in (hub, hub.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    project = load_project(config)
    with _progress(_log_file(project)) as progress:
        result = pipeline.run(project, progress=progress)
    _print_run(result)
    from mdm.hub import transaction
    from mdm.publish import publish_files

    with _writable_hub(project) as opened, transaction(opened.con):
        published = publish_files(opened.con, project, "crm", workdir / "publish", full=True)
    out.print(f"the sample CRM would receive {published.upserts} record updates and {published.merges} merges "
              f"(files in {workdir / 'publish'})")
    out.print(f"config: {config}  (try: mdm profile {data}/crm.csv --source crm --config {config})")
    if serve:
        from mdm.apikeys import create_key
        from mdm.hub import transaction

        with _writable_hub(project) as held, transaction(held.con):
            key, _ = create_key(held.con, name="demo-admin", role="admin", created_by="mdm demo --serve")
        out.print(f"demo admin key (shown once; log in at http://127.0.0.1:8000/ui/ with it): {key}",
                  markup=False, highlight=False, soft_wrap=True)
        from mdm.cli.server import _serve  # here: server registers its commands after these

        _serve(config, "127.0.0.1", 8000)


