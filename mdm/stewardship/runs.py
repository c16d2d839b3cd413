"""Pipeline runs started through the server, in a background thread of the server.

The server owns the hub, so ``POST /api/v1/runs`` is how a run happens while it serves:
:class:`RunManager` starts :func:`mdm.pipeline.run` in a thread that holds the server's
write lock for the whole run (API reads go on; API writes wait a little, then get 503),
records the run in ``server_run`` and keeps its latest progress message in memory.
One run at a time; a second request while one runs is a conflict (409). A run that was
running when the server stopped is marked failed at the next start (the pipeline's own
transaction already left the hub as it was).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from mdm.config import Project
from mdm.errors import ConflictError, MdmError, NotFoundError
from mdm.hub import transaction
from mdm.stewardship import audit
from mdm.stewardship.auth import Principal
from mdm.stewardship.hubaccess import HubAccess

log = logging.getLogger("mdm.stewardship.runs")


@dataclass(frozen=True)
class RunJob:
    job_id: int
    status: str
    requested_by: str
    retrain: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    progress: str | None
    summary: dict[str, Any] | None
    report: str | None
    error: str | None


_COLUMNS = ("job_id, status, requested_by, retrain, started_at, finished_at, progress, CAST(summary AS VARCHAR), "
            "report, error")


def _job(row: tuple[Any, ...]) -> RunJob:
    job_id, status, by, retrain, started, finished, progress, summary, report, error = row
    return RunJob(int(job_id), status, by, bool(retrain), started, finished, progress,
                  json.loads(summary) if summary else None, report, error)


class RunManager:
    """Starts runs in a thread and answers what they are doing."""

    def __init__(self, access: HubAccess, project: Project) -> None:
        self.access = access
        self.project = project
        self._lock = threading.Lock()
        self._running: int | None = None
        self._progress: dict[int, str] = {}
        self._thread: threading.Thread | None = None

    def recover(self) -> None:
        """Mark runs a stopped server left 'running' as failed."""
        with self.access.writer(what="recovering interrupted runs") as cur:
            cur.execute("UPDATE server_run SET status = 'failed', finished_at = now(), "
                        "error = 'interrupted: the server stopped during the run' WHERE status = 'running'")

    def start(self, by: Principal, *, retrain: bool = False) -> RunJob:
        with self._lock:
            if self._running is not None:
                raise ConflictError(f"run {self._running} is still running; wait for it (GET /api/v1/runs/"
                                    f"{self._running})", code="run.running")
            with self.access.writer(what="starting a run") as cur:
                row = cur.execute("SELECT coalesce(max(job_id), 0) + 1 FROM server_run").fetchone()
                assert row is not None
                job_id = int(row[0])
                cur.execute("INSERT INTO server_run VALUES (?, 'running', ?, ?, ?, NULL, 'queued', NULL, NULL, "
                            "NULL)", [job_id, by.name, retrain, dt.datetime.now()])
                audit.append(cur, actor=by.actor, action="run.start", target=f"run:{job_id}", before=None,
                             after={"retrain": retrain})
            self._running = job_id
            self._progress[job_id] = "queued"
            self._thread = threading.Thread(target=self._work, args=(job_id, retrain), name=f"mdm-run-{job_id}",
                                            daemon=True)
            self._thread.start()
        return self.get(job_id)

    def _work(self, job_id: int, retrain: bool) -> None:
        from mdm import pipeline

        status, summary, report, error = "failed", None, None, None
        with self.access.write_lock:
            try:
                def progress(message: str) -> None:
                    self._progress[job_id] = message

                progress("running")
                result = pipeline.run(self.project, progress=progress, retrain=retrain)
                summary = {"totals": result.totals(), "sources": [b.summary() for b in result.batches],
                           **{k: v for k, v in result.extra.items() if k != "cluster"}}
                report = str(result.report) if result.report else None
                status = "succeeded"
            except MdmError as exc:
                error = exc.message
            except Exception as exc:  # a bug: keep the server alive, log it, show the run failed
                log.exception("run %s failed", job_id)
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            finally:
                self._progress[job_id] = "finished" if status == "succeeded" else "failed"
                try:
                    with self.access.cursor() as cur, transaction(cur):
                        cur.execute("UPDATE server_run SET status = ?, finished_at = ?, progress = ?, summary = ?, "
                                    "report = ?, error = ? WHERE job_id = ?",
                                    [status, dt.datetime.now(), self._progress[job_id],
                                     json.dumps(summary, default=str) if summary is not None else None, report,
                                     error, job_id])
                finally:
                    with self._lock:
                        self._running = None

    def get(self, job_id: int) -> RunJob:
        with self.access.cursor() as cur:
            row = cur.execute(f"SELECT {_COLUMNS} FROM server_run WHERE job_id = ?", [job_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no run {job_id}", code="run.not_found")
        job = _job(row)
        if job.status == "running" and job_id in self._progress:
            job = RunJob(**{**job.__dict__, "progress": self._progress[job_id]})
        return job

    def list(self, *, limit: int, offset: int) -> tuple[list[RunJob], int]:
        with self.access.cursor() as cur:
            rows = cur.execute(f"SELECT {_COLUMNS} FROM server_run ORDER BY job_id DESC LIMIT ? OFFSET ?",
                               [limit, offset]).fetchall()
            total = cur.execute("SELECT count(*) FROM server_run").fetchone()
        return [self.get(int(r[0])) if r[1] == "running" else _job(r) for r in rows], int(total[0]) if total else 0

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current run (if any) has finished; for shutdown and tests."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
