"""What a command shows while it works: stage lines and Rich progress bars on a terminal, plain
lines in a pipe, all kept in the log file; the consoles commands print on."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from mdm.errors import printable

if TYPE_CHECKING:
    from mdm.progress import Count

# no Rich markup: file names, column names and notes carry user text, which is printed as it is
# soft_wrap: a sentence is one line in a pipe or a log, never cut at 80 columns
out = Console(markup=False, soft_wrap=True)
err = Console(stderr=True, soft_wrap=True, markup=False)


class _StageLog(logging.Handler):
    """mdm's log records (INFO and up) during a command: the sub-step of the stage on the status
    line, every record in the project's log file; never dumped on stderr (``-v`` shows them)."""

    def __init__(self, show: Callable[[str], None], counted: Callable[[Count], None] | None = None,
                 summarised: Callable[[str], None] | None = None) -> None:
        super().__init__(logging.INFO)
        self.show, self.counted, self.summarised = show, counted, summarised

    def emit(self, record: logging.LogRecord) -> None:
        from mdm import progress

        try:
            count, summary = progress.of(record), progress.summary_of(record)
            if count is not None and self.counted is not None:
                self.counted(count)
            elif summary is not None and self.summarised is not None:
                self.summarised(printable(summary))
            else:
                self.show(printable(" ".join(record.getMessage().split())))
        except Exception:  # pragma: no cover - a status line must never fail a run
            self.handleError(record)


@contextmanager
def _logging(log_file: Path | None, show: Callable[[str], None], counted: Callable[[Count], None] | None = None,
             summarised: Callable[[str], None] | None = None) -> Iterator[None]:
    """Route the ``mdm`` and ``splink`` loggers for one command: sub-steps to ``show`` (progress
    counts to ``counted``, stage summaries to ``summarised``), records to ``log_file`` (appended),
    and with ``-v`` to stderr; library warnings never reach stderr unasked."""
    handlers: list[logging.Handler] = [_StageLog(show, counted, summarised)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(file_handler)
    if _VERBOSE:
        handlers.append(logging.StreamHandler(sys.stderr))
    loggers = [logging.getLogger(n) for n in ("mdm", "splink")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.propagate = False
        for h in handlers:
            lg.addHandler(h)
    try:
        yield
    finally:
        for lg, (level, propagate) in zip(loggers, saved, strict=True):
            for h in handlers:
                lg.removeHandler(h)
            lg.setLevel(level)
            lg.propagate = propagate
        for h in handlers[1:]:
            h.close()


_VERBOSE = False


def set_verbose(on: bool) -> None:
    """``mdm --verbose``: log records go to stderr too."""
    global _VERBOSE
    _VERBOSE = on


def _rate(done: int, seconds: float, unit: str) -> str:
    if seconds < 0.05 or not done:
        return ""
    per_second = done / seconds
    return f"{per_second:,.0f} {unit}/s" if per_second >= 1 else f"{seconds / done:,.1f} s each"


def _eta(done: int, total: int | None, seconds: float) -> str:
    if total is None or not done or done >= total or seconds < 0.5:
        return ""
    left = int(seconds * (total - done) / done)
    return f"ETA {left // 60}:{left % 60:02d}"


@contextmanager
def _progress(log_file: Path | None = None, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Stages on a terminal (Rich): per stage a line with a bar when the stage counts its work
    (values standardised, training steps), the count, its rate and the time left, the current
    sub-step and the elapsed time; then one line per finished stage with what it did and how long
    it took. Nothing in pipes and CI (the command's summary is all a pipe gets), nothing with
    ``--quiet``."""
    import time

    if quiet or not err.is_terminal:
        with _logging(log_file, lambda msg: None):
            yield lambda msg: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=24),
               TextColumn("{task.fields[counts]}"), TextColumn("[cyan]{task.fields[rate]}"),
               TextColumn("[cyan]{task.fields[eta]}"), TimeElapsedColumn(), TextColumn("[dim]{task.fields[step]}"))
    with Progress(*columns, console=err, transient=True) as bar:
        state: dict[str, Any] = {"task": None, "stage": "", "t0": time.perf_counter(), "summary": "",
                                 "what": None, "t_what": 0.0}
        width = max(20, err.width - 60)

        def finish() -> None:
            if state["task"] is not None:
                took = time.perf_counter() - float(state["t0"])
                said = f": {state['summary']}" if state["summary"] else ""
                bar.console.print(f"done  {state['stage']}{said} ({took:.1f}s)", markup=False, highlight=False)
                bar.remove_task(state["task"])

        def stage(msg: str) -> None:
            finish()
            state.update(stage=printable(msg), t0=time.perf_counter(), summary="", what=None,
                         task=bar.add_task(printable(msg), total=None, step="", counts="", rate="", eta=""))

        def step(msg: str) -> None:
            if state["task"] is not None:
                bar.update(state["task"], step=msg[:width])

        def counted(c: Count) -> None:
            if state["task"] is None:
                return
            now = time.perf_counter()
            if c.what != state["what"]:  # a new count within the stage: its own rate and ETA, timed
                # from the stage's start for its first count, from its first report for later ones
                state.update(what=c.what, t_what=state["t0"] if state["what"] is None else now)
            seconds = now - float(state["t_what"])
            of = f"/{c.total:,}" if c.total is not None else ""
            bar.update(state["task"], completed=c.done, total=c.total, counts=f"{c.what} {c.done:,}{of} {c.unit}",
                       rate=_rate(c.done, seconds, c.unit), eta=_eta(c.done, c.total, seconds),
                       step=(c.note or "")[:width])

        def summarised(text: str) -> None:
            state["summary"] = text

        with _logging(log_file, step, counted, summarised):
            yield stage
        finish()


