"""What a steward change would do, shown before it is made (the confirmation pages).

:func:`preview` makes the change for real inside the server's write transaction, reads
the golden records it touched, then rolls the transaction back: the confirmation shows
exactly what the same services (:mod:`mdm.stewardship.golden`, :mod:`mdm.stewardship.tasks`)
and the scoped rebuild would do, with no second implementation to keep in agreement. Golden
ids and event numbers are allocated from the tables' maxima, so a rolled-back preview leaves
no gap; an id a preview calls new may differ if the hub changes before the steward confirms.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import duckdb

from mdm.errors import MdmError
from mdm.pii import Masker
from mdm.stewardship.hubaccess import HubAccess

#: attributes a confirmation shows for each golden record, when the dictionary has them
KEY_ATTRIBUTES = ("first_name", "last_name", "full_name", "company_name", "birth_date", "email", "phone",
                  "postal_code", "city")


@dataclass(frozen=True)
class GoldenState:
    golden_id: str
    status: str
    merged_into: str | None
    members: tuple[str, ...]
    values: dict[str, Any]


@dataclass(frozen=True)
class Effect:
    """Golden records before and after a change, and the events it would emit; or why it is refused."""

    before: list[GoldenState] = field(default_factory=list)
    after: list[GoldenState] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # (type, golden_id)
    error: str | None = None
    result: dict[str, Any] | None = None

    @property
    def new_ids(self) -> set[str]:
        old = {g.golden_id for g in self.before}
        return {g.golden_id for g in self.after if g.golden_id not in old}


class _RollBack(Exception):
    """Raised inside the transaction to undo a preview."""


def golden_states(con: duckdb.DuckDBPyConnection, golden_ids: Collection[str], *, attributes: list[str],
                  pii: Collection[str], masked: bool) -> list[GoldenState]:
    """The golden records ``golden_ids`` as they are in ``con``'s view of the hub."""
    view = Masker.of(pii, masked)
    shown = [a for a in KEY_ATTRIBUTES if a in attributes]
    out: list[GoldenState] = []
    for gid in sorted(set(golden_ids)):
        row = con.execute("""SELECT status, merged_into, CAST(record AS VARCHAR) FROM golden WHERE golden_id = ?""",
                          [gid]).fetchone()
        if row is None:
            continue
        record = json.loads(row[2]) if row[2] else {}
        members = con.execute("""SELECT source || ':' || source_id FROM xref WHERE golden_id = ? AND valid_to IS NULL
                                 ORDER BY 1""", [gid]).fetchall()
        out.append(GoldenState(golden_id=gid, status=str(row[0]), merged_into=row[1],
                               members=tuple(str(m[0]) for m in members),
                               values={a: view.value(a, record.get(a)) for a in shown if record.get(a) is not None}))
    return out


def _golden_of(con: duckdb.DuckDBPyConnection, unique_ids: Collection[str]) -> set[str]:
    if not unique_ids:
        return set()
    marks = ", ".join("?" for _ in unique_ids)
    rows = con.execute(f"""SELECT DISTINCT golden_id FROM xref WHERE valid_to IS NULL
                           AND source || ':' || source_id IN ({marks})""", list(unique_ids)).fetchall()
    return {str(r[0]) for r in rows}


def preview(access: HubAccess, change: Callable[[duckdb.DuckDBPyConnection], dict[str, Any] | None], *,
            golden_ids: Collection[str], records: Collection[str], attributes: list[str], pii: Collection[str],
            masked: bool, what: str) -> Effect:
    """Run ``change`` and roll it back; the golden records named, those holding ``records`` and those
    the change reports as affected, before and after. A refused change is an :class:`Effect`
    with its ``error`` (the message the steward would get on confirming)."""
    captured: dict[str, Effect] = {}
    try:
        with access.writer(what=what) as cur:
            before_ids = set(golden_ids) | _golden_of(cur, records)
            before = golden_states(cur, before_ids, attributes=attributes, pii=pii, masked=masked)
            members = {m for g in before for m in g.members} | set(records)
            seq = cur.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
            last = int(seq[0]) if seq else 0
            try:
                result = change(cur) or {}
            except MdmError as exc:
                captured["effect"] = Effect(before=before, error=exc.message)
                raise _RollBack from None
            events = [(str(t), str(g)) for t, g in cur.execute(
                "SELECT type, golden_id FROM golden_event WHERE seq > ? ORDER BY seq", [last]).fetchall()]
            after_ids = (before_ids | _golden_of(cur, members) | {g for _, g in events}
                         | {str(a) for a in result.get("affected", [])})
            after = golden_states(cur, after_ids, attributes=attributes, pii=pii, masked=masked)
            captured["effect"] = Effect(before=before, after=after, events=events, result=result)
            raise _RollBack
    except _RollBack:
        pass
    except MdmError as exc:  # the hub is busy: say so instead of a preview
        return Effect(error=exc.message)
    return captured["effect"]
