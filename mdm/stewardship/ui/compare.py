"""Side-by-side comparison of 2..N records for the task and golden pages (issue 19.3).

Per attribute, a row with one cell per record: the value split into segments that are equal to
or differ from the other records' value at character level (difflib), and the row's state:

* ``same``: every record holds the same value;
* ``same_std``: the values are written differently but standardise to the same one
  (``(415) 555-2671`` and ``+1 415 555 2671``): equal for matching;
* ``differ``: they differ even after standardisation;
* ``missing``: some records have no value, the others agree.

``explain`` turns a pair's per-comparison weights into plain sentences ("same phone and
address", "first names differ: Michael vs Charlie", "birth date missing on one side").
Values are whatever the page may show: masked values are compared masked.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: a run of characters and whether it differs from the record it is compared with
Segment = tuple[str, bool]


@dataclass(frozen=True)
class Cell:
    raw: str | None
    standardised: str | None
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Row:
    attribute: str
    state: str  # same | same_std | differ | missing
    cells: tuple[Cell | None, ...]

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


STATE_LABELS = {"same": "same", "same_std": "equal after standardisation", "differ": "differs",
                "missing": "missing on some records"}


def segments(value: str, other: str) -> tuple[Segment, ...]:
    """``value`` cut into runs equal to ``other`` (False) and runs that differ (True)."""
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, other, value, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if j2 > j1:
            text, changed = value[j1:j2], tag != "equal"
            if out and out[-1][1] == changed:
                out[-1] = (out[-1][0] + text, changed)
            else:
                out.append((text, changed))
    return tuple(out)


def _value(side: Mapping[str, Any], attribute: str, kind: str) -> str | None:
    v = (side.get("attributes") or {}).get(attribute)
    value = v.get(kind) if isinstance(v, Mapping) else None
    return None if value is None or str(value) == "" else str(value)


def compare(sides: Sequence[Mapping[str, Any]], attributes: Sequence[str]) -> dict[str, Row]:
    """attribute -> its row, for attributes at least one record holds (``record_side`` shapes)."""
    rows: dict[str, Row] = {}
    for a in attributes:
        raws = [_value(s, a, "raw") for s in sides]
        stds = [_value(s, a, "standardised") for s in sides]
        present = [r for r in raws if r is not None]
        if not present:
            continue
        distinct = list(dict.fromkeys(present))
        std_present = [s if s is not None else r for s, r in zip(stds, raws, strict=True) if r is not None]
        if len(distinct) == 1:
            state = "same" if len(present) == len(sides) else "missing"
        elif len(set(std_present)) == 1:
            state = "same_std" if len(present) == len(sides) else "missing"
        else:
            state = "differ"
        cells: list[Cell | None] = []
        for raw, std in zip(raws, stds, strict=True):
            if raw is None:
                cells.append(None)
                continue
            # each value against the most common other value (the first record's, on a tie)
            others = [r for r in present if r != raw]
            if not others or state == "same_std":
                cut: tuple[Segment, ...] = ((raw, False),)
            else:
                reference = max(dict.fromkeys(others), key=others.count)
                cut = segments(raw, reference)
            cells.append(Cell(raw=raw, standardised=std, segments=cut))
        rows[a] = Row(attribute=a, state=state, cells=tuple(cells))
    return rows


# --- plain words for the weights ----------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    text: str
    kind: str  # agree | similar | differ | missing
    weight: float


def _words(comparison: str) -> str:
    return {"email": "e-mail", "national_id": "national id", "contact": "contact details"}.get(
        comparison, comparison.replace("_", " "))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(explanation: Sequence[Mapping[str, Any]], left: Mapping[str, Any], right: Mapping[str, Any]
            ) -> list[Reason]:
    """Plain sentences for a pair's comparisons (``explanation`` entries: comparison, level,
    gamma, weight), strongest evidence first; exact agreements are gathered in one sentence."""
    same: list[tuple[str, float]] = []
    out: list[Reason] = []
    for e in explanation:
        comparison, level = str(e.get("comparison") or ""), str(e.get("level") or "")
        if comparison in ("", "prior"):
            continue
        w = e.get("weight")
        weight = float(w) if isinstance(w, int | float) else 0.0
        gamma = e.get("gamma")
        name = _words(comparison)
        if gamma == -1 or level.endswith(" is NULL") or " is NULL)" in level:
            lv, rv = _value(left, comparison, "raw"), _value(right, comparison, "raw")
            where = "on both sides" if lv is None and rv is None else "on one side"
            out.append(Reason(f"{name} missing {where}", "missing", weight))
        elif level == "exact":
            same.append((name, weight))
        elif level == "anything else":
            lv, rv = _value(left, comparison, "raw"), _value(right, comparison, "raw")
            plural = name if name.endswith("s") else name + "s"
            detail = f": {lv} vs {rv}" if lv is not None and rv is not None else ""
            out.append(Reason(f"{plural} differ{detail}", "differ", weight))
        elif level.startswith("same "):   # contact levels read as sentences already
            out.append(Reason(level, "agree", weight))
        else:
            out.append(Reason(f"{name}: {level}", "similar" if weight > 0 else "differ", weight))
    if same:
        out.append(Reason("same " + _join([n for n, _ in same]), "agree", sum(w for _, w in same)))
    return sorted(out, key=lambda r: -abs(r.weight))
