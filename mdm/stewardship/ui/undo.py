"""Undo pages of the web UI (issue 19.1): unmerge a record, split a golden record by picking
members, merge two golden records, reopen a decided task.

Each is a GET confirmation page, which shows the effect (:func:`mdm.stewardship.effects.preview`
runs the very change and rolls it back), and a POST that makes it through the same service as
the API (:mod:`mdm.stewardship.golden`, :mod:`mdm.stewardship.tasks`), with the session's CSRF
token and a reason, answering with a redirect (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mdm.errors import MdmError
from mdm.pipeline.scoped import rebuild_for
from mdm.stewardship import golden, tasks
from mdm.stewardship.deps import Cursor, State, UiGoldenSteward, UiSession, UiTaskDecider
from mdm.stewardship.effects import Effect, preview
from mdm.stewardship.ui import session
from mdm.stewardship.ui.render import page

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)

GoldenId = Annotated[str, Path(min_length=1, max_length=200)]
TaskId = Annotated[int, Path(ge=1, le=2**62)]
Record = Annotated[str, Query(min_length=3, max_length=300)]
Csrf = Annotated[str, Form(max_length=200)]
Reason = Annotated[str, Form(max_length=2000)]
Version = Annotated[int, Form(ge=1, le=2**31 - 1)]
Message = Annotated[str | None, Query(max_length=300)]


def _to(path: str, **query: str) -> RedirectResponse:
    q = {k: v[:300] for k, v in query.items() if v}
    return RedirectResponse(path + ("?" + urlencode(q) if q else ""), status_code=303)


def _local(target: str | None, fallback: str) -> str:
    """A UI path to go back to (never another site)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def summary(effect: Effect) -> list[str]:
    """The effect in plain words, one line per golden record it changes."""
    before = {g.golden_id: g for g in effect.before}
    lines: list[str] = []
    for g in effect.after:
        old = before.get(g.golden_id)
        n = len(g.members)
        if g.status == "merged":
            lines.append(f"{g.golden_id} is merged into {g.merged_into}; its id will lead there")
        elif old is None:
            lines.append(f"a new golden record {g.golden_id} is made of {', '.join(g.members)}")
        elif set(old.members) != set(g.members):
            gained = sorted(set(g.members) - set(old.members))
            lost = sorted(set(old.members) - set(g.members))
            parts = [f"{g.golden_id} goes from {len(old.members)} to {n} record{'' if n == 1 else 's'}"]
            if lost:
                parts.append(f"loses {', '.join(lost)}")
            if gained:
                parts.append(f"gains {', '.join(gained)}")
            lines.append("; ".join(parts))
    if not lines and effect.error is None:
        lines.append("no golden record changes: the records already sit where this decision puts them")
    return lines


def _confirm(request: Request, ui: UiSession, effect: Effect, *, title: str, action: str, hidden: dict[str, Any],
             back: str, error: str | None) -> HTMLResponse:
    return page(request, "confirm.html", session=ui, effect=effect, lines=summary(effect), title=title,
                action=action, hidden=hidden, back=back, error=error)


def _golden_preview(state: State, ui: UiSession, gid: str, records: list[str],
                    change: Callable[[duckdb.DuckDBPyConnection], dict[str, Any] | None], what: str,
                    other: str | None = None) -> Effect:
    return preview(state.access, change, golden_ids=[gid, *([other] if other else [])], records=records,
                   attributes=state.attributes, pii=state.pii, masked=not ui.principal.sees_pii, what=what)


def _version(cur: Cursor, gid: str) -> int:
    return int(golden.golden_row(cur, gid)["version"])


# --- split and unmerge ------------------------------------------------------------------

@router.get("/golden/{golden_id}/split")
def split_confirm(request: Request, golden_id: GoldenId, ui: UiGoldenSteward, state: State, cur: Cursor,
                  records: Annotated[list[str], Query(min_length=1, max_length=1000)],
                  error: Message = None) -> HTMLResponse:
    version = _version(cur, golden_id)
    part = list(dict.fromkeys(records))
    effect = _golden_preview(state, ui, golden_id, part, lambda c: golden.split(
        c, golden_id, part, version=version, reason="preview", by=ui.principal,
        rebuild=rebuild_for(state.settings.project)), "previewing the split")
    return _confirm(request, ui, effect, title=f"Split {len(part)} record{'' if len(part) == 1 else 's'} off "
                    f"{golden_id}", action=f"/ui/golden/{golden_id}/split",
                    hidden={"version": version, "records": part}, back=f"/ui/golden/{golden_id}", error=error)


@router.post("/golden/{golden_id}/split")
def split(golden_id: GoldenId, ui: UiGoldenSteward, state: State, version: Version,
          records: Annotated[list[str], Form(min_length=1, max_length=1000)], reason: Reason = "",
          csrf: Csrf = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    again = f"/ui/golden/{golden_id}/split?" + urlencode([("records", r) for r in records])
    if not reason.strip():
        return RedirectResponse(again + "&" + urlencode({"error": "say why: a split needs a reason"}), 303)
    try:
        with state.access.writer(what="splitting the golden record") as cur:
            done = golden.split(cur, golden_id, records, version=version, reason=reason.strip(), by=ui.principal,
                                rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code == "golden.not_found":
            raise
        return RedirectResponse(again + "&" + urlencode({"error": exc.message[:300]}), 303)
    return _to(f"/ui/golden/{done['golden_id']}", notice=f"split: {', '.join(records)[:200]} now in "
               f"{done['split_off']}")


@router.get("/golden/{golden_id}/unmerge")
def unmerge_confirm(request: Request, golden_id: GoldenId, ui: UiGoldenSteward, state: State, cur: Cursor,
                    record: Record, back: Annotated[str | None, Query(max_length=300)] = None,
                    error: Message = None) -> HTMLResponse:
    version = _version(cur, golden_id)
    effect = _golden_preview(state, ui, golden_id, [record], lambda c: golden.unmerge(
        c, golden_id, record, version=version, reason="preview", by=ui.principal,
        rebuild=rebuild_for(state.settings.project)), "previewing the unmerge")
    return _confirm(request, ui, effect, title=f"Unmerge {record} from {golden_id}",
                    action=f"/ui/golden/{golden_id}/unmerge", hidden={"version": version, "record": record,
                                                                     "back": back or ""},
                    back=_local(back, f"/ui/golden/{golden_id}"), error=error)


@router.post("/golden/{golden_id}/unmerge")
def unmerge(golden_id: GoldenId, ui: UiGoldenSteward, state: State, version: Version,
            record: Annotated[str, Form(min_length=3, max_length=300)], reason: Reason = "", csrf: Csrf = "",
            back: Annotated[str, Form(max_length=300)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    again = f"/ui/golden/{golden_id}/unmerge"
    if not reason.strip():
        return _to(again, record=record, back=back, error="say why: an unmerge needs a reason")
    try:
        with state.access.writer(what="unmerging the record") as cur:
            done = golden.unmerge(cur, golden_id, record, version=version, reason=reason.strip(), by=ui.principal,
                                  rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code == "golden.not_found":
            raise
        return _to(again, record=record, back=back, error=exc.message)
    notice = f"{record} unmerged: it is now in {done['split_off']}"
    target = _local(back or None, f"/ui/golden/{done['golden_id']}")
    if target.startswith("/ui/tasks/"):
        return _to(target, notice=notice)
    return _to(f"/ui/golden/{done['golden_id']}", notice=notice)


# --- merge ------------------------------------------------------------------------------

@router.get("/golden/{golden_id}/merge")
def merge_confirm(request: Request, golden_id: GoldenId, ui: UiGoldenSteward, state: State, cur: Cursor,
                  other: Annotated[str, Query(min_length=1, max_length=200)],
                  back: Annotated[str | None, Query(max_length=300)] = None,
                  error: Message = None) -> HTMLResponse:
    version = _version(cur, golden_id)
    other = other.strip()
    effect = _golden_preview(state, ui, golden_id, [], lambda c: golden.merge(
        c, golden_id, other, version=version, reason="preview", by=ui.principal,
        rebuild=rebuild_for(state.settings.project)), "previewing the merge", other=other)
    return _confirm(request, ui, effect, title=f"Merge {other} into {golden_id}",
                    action=f"/ui/golden/{golden_id}/merge",
                    hidden={"version": version, "other": other, "back": back or ""},
                    back=_local(back, f"/ui/golden/{golden_id}"), error=error)


@router.post("/golden/{golden_id}/merge")
def merge(golden_id: GoldenId, ui: UiGoldenSteward, state: State, version: Version,
          other: Annotated[str, Form(min_length=1, max_length=200)], reason: Reason = "", csrf: Csrf = "",
          back: Annotated[str, Form(max_length=300)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    again = f"/ui/golden/{golden_id}/merge"
    if not reason.strip():
        return _to(again, other=other, back=back, error="say why: a merge needs a reason")
    try:
        with state.access.writer(what="merging golden records") as cur:
            done = golden.merge(cur, golden_id, other.strip(), version=version, reason=reason.strip(),
                                by=ui.principal, rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code == "golden.not_found" and exc.message.startswith(f"golden record {golden_id!r}"):
            raise
        return _to(again, other=other, back=back, error=exc.message)
    notice = f"{' and '.join(done['affected'])} merged into {done['golden_id']}"
    target = _local(back or None, "")
    if target.startswith("/ui/tasks/"):
        return _to(target, notice=notice)
    return _to(f"/ui/golden/{done['golden_id']}", notice=notice)


# --- reopen a decided task ----------------------------------------------------------------

@router.get("/tasks/{task_id}/reopen")
def reopen_confirm(request: Request, task_id: TaskId, ui: UiTaskDecider, state: State, cur: Cursor,
                   error: Message = None) -> HTMLResponse:
    task = tasks.get_task(cur, task_id)
    pair = [task.unique_id_l, task.unique_id_r]

    def change(c: duckdb.DuckDBPyConnection) -> None:
        tasks.reopen(c, task_id, version=task.version, reason="preview", by=ui.principal,
                     rebuild=rebuild_for(state.settings.project))

    effect = preview(state.access, change, golden_ids=[], records=pair, attributes=state.attributes, pii=state.pii,
                     masked=not ui.principal.sees_pii, what="previewing the reopen")
    was = f"{task.decision} by {task.decided_by}" if task.decision else "not decided"
    return _confirm(request, ui, effect, title=f"Reopen task #{task_id} ({was})", action=f"/ui/tasks/{task_id}/reopen",
                    hidden={"version": task.version}, back=f"/ui/tasks/{task_id}", error=error)


@router.post("/tasks/{task_id}/reopen")
def reopen(task_id: TaskId, ui: UiTaskDecider, state: State, version: Version, reason: Reason = "",
           csrf: Csrf = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    if not reason.strip():
        return _to(f"/ui/tasks/{task_id}/reopen", error="say why: reopening needs a reason")
    try:
        with state.access.writer(what="reopening the task") as cur:
            tasks.reopen(cur, task_id, version=version, reason=reason.strip(), by=ui.principal,
                         rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code == "task.not_found":
            raise
        return _to(f"/ui/tasks/{task_id}/reopen", error=exc.message)
    return _to(f"/ui/tasks/{task_id}", notice=f"task {task_id} reopened: its decision no longer applies")
