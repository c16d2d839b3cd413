"""Progress counts of long steps, for whoever is watching (the CLI's bars, the server's run page).

A stage reports how far it is with :func:`count` (``done`` of ``total`` ``unit``; ``total`` None
when it is not known yet). The report is a log record of the ``mdm.progress`` logger carrying
the numbers as :data:`FIELD`, so stages need nothing but the standard library to report and
stay unaware of who shows it: ``mdm run`` on a terminal draws a bar with the rate and the time
left, the log file keeps the line, and without a listener it costs one disabled log call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger("mdm.progress")

#: the attributes of a progress log record that hold its :class:`Count` / its summary text
FIELD = "mdm_count"
SUMMARY = "mdm_summary"


@dataclass(frozen=True)
class Count:
    """``done`` of ``total`` ``unit`` (``total`` None: not known yet); ``what``: the step counted."""

    what: str
    done: int
    total: int | None
    unit: str
    note: str = ""

    def text(self) -> str:
        of = f" of {self.total:,}" if self.total is not None else ""
        return f"{self.what}: {self.done:,}{of} {self.unit}" + (f" ({self.note})" if self.note else "")


def count(what: str, done: int, total: int | None = None, unit: str = "rows", note: str = "") -> None:
    """Report that step ``what`` has done ``done`` of ``total`` ``unit`` (``note``: the part just done)."""
    if log.isEnabledFor(logging.INFO):
        c = Count(what, int(done), None if total is None else int(total), unit, note)
        log.info("%s", c.text(), extra={FIELD: c})


def summary(text: str) -> None:
    """Report what the current stage did, in one line (``1,200 rows read, 10 quarantined``)."""
    log.info("%s", text, extra={SUMMARY: text})


def summary_of(record: logging.LogRecord) -> str | None:
    """The stage summary a log record carries, if it is one."""
    found = getattr(record, SUMMARY, None)
    return found if isinstance(found, str) else None


def of(record: logging.LogRecord) -> Count | None:
    """The count a log record carries, if it is a progress report."""
    found = getattr(record, FIELD, None)
    return found if isinstance(found, Count) else None
