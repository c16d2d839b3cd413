"""Pages of the web UI under ``/ui/``: login, the review queue, a task with its waterfall,
golden records (search, a record with lineage, members, history and overrides) and conflicts.

Pages use the same services as the API (:mod:`mdm.stewardship.tasks`) and the same role
checks, from the session cookie instead of a bearer header. Every POST checks the
session's CSRF token and answers with a redirect (post/redirect/get).
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from mdm.errors import MdmError
from mdm.pipeline.scoped import rebuild_for
from mdm.stewardship import auth, golden, tasks
from mdm.stewardship.deps import (
    Cursor,
    State,
    UiAnyone,
    UiGoldenReader,
    UiGoldenSteward,
    UiTaskDecider,
    UiTaskReader,
)
from mdm.stewardship.errors import AuthenticationError
from mdm.stewardship.routers.tasks import task_detail
from mdm.stewardship.ui import compare, session, waterfall
from mdm.stewardship.ui.render import HERE, page
from mdm.survivorship import resolve_golden_id

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)

PAGE_SIZE = 25
TaskId = Annotated[int, Path(ge=1, le=2**62)]


def _safe_next(target: str | None) -> str:
    """Only local UI paths: a login link must not send people elsewhere."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/tasks"


def mount_static(app: FastAPI) -> None:
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")


@router.get("/")
def home(ui: UiAnyone) -> RedirectResponse:
    return RedirectResponse("/ui/tasks", status_code=303)


@router.get("/login")
def login_form(request: Request, state: State,
               next: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    token = session.login_csrf(request)
    response = page(request, "login.html", next=_safe_next(next), csrf=token, error=None, session=None)
    session.set_login_csrf(response, request, token, state.settings)
    return response


@router.post("/login", response_model=None)
def login(request: Request, state: State, api_key: Annotated[str, Form(max_length=200)],
          csrf: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=500)] = "/ui/tasks") -> HTMLResponse | RedirectResponse:
    session.check_csrf(request.cookies.get(session.LOGIN_CSRF_COOKIE), csrf)
    try:
        with state.access.cursor() as cur:
            principal = auth.authenticate(cur, api_key)
    except AuthenticationError as exc:
        token = session.login_csrf(request)
        response = page(request, "login.html", status_code=401, next=_safe_next(next), csrf=token,
                        error=exc.message, session=None)
        session.set_login_csrf(response, request, token, state.settings)
        return response
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    session.start_session(redirect, request, state.settings, state.sessions.begin(principal))
    return redirect


@router.post("/logout")
def logout(ui: UiAnyone, state: State, csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    """End the session in the hub (every copy of the cookie stops working), then drop the cookie."""
    session.check_csrf(ui.csrf, csrf)
    state.sessions.end(ui.token, actor=ui.principal.actor)
    response = RedirectResponse("/ui/login", status_code=303)
    session.end_session(response)
    return response


#: what the queue shows of each side of a pair (masked per role like every value)
QUEUE_ATTRIBUTES = ("first_name", "last_name", "full_name", "company_name", "birth_date", "email", "postal_code")
SOURCE_NAME = Annotated[str | None, Query(max_length=100)]


@router.get("/tasks")
def queue(request: Request, ui: UiTaskReader, state: State, cur: Cursor,
          status: Annotated[tasks.TaskStatus | None, Query()] = "open",
          band: Annotated[str | None, Query(max_length=20)] = None,
          source: SOURCE_NAME = None,
          differs: Annotated[str | None, Query(max_length=100)] = None,
          older_than: Annotated[str | None, Query(max_length=6, pattern=r"^[0-9]*$")] = None,
          sort: Annotated[tasks.Sort, Query()] = "probability",
          mine: Annotated[bool, Query()] = False,
          decided: Annotated[int | None, Query(ge=1, le=2**62)] = None,
          notice: Annotated[str | None, Query(max_length=300)] = None,
          error: Annotated[str | None, Query(max_length=300)] = None,
          page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> HTMLResponse:
    where = tasks.TaskFilter(status=status, band=band or None, assignee=ui.principal.name if mine else None,
                             source=source or None, differs=differs or None,
                             older_than_days=int(older_than) if older_than else None)
    try:
        found, total = tasks.list_tasks(cur, where, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, sort=sort)
    except MdmError as exc:
        found, total, error = [], 0, exc.message
    pages = max(1, -(-total // PAGE_SIZE))
    shown = [a for a in QUEUE_ATTRIBUTES if a in state.attributes]
    sides = {t.task_id: [tasks.record_side(cur, uid, shown, pii=state.pii, masked=not ui.principal.sees_pii)
                         for uid in (t.unique_id_l, t.unique_id_r)] for t in found}
    sources = [str(r[0]) for r in cur.execute("SELECT DISTINCT source FROM record ORDER BY 1").fetchall()]
    filters = {"status": status or "", "band": band or "", "source": source or "", "differs": differs or "",
               "older_than": older_than or "", "sort": sort}

    def link(p: int) -> str:
        q = {**{k: v for k, v in filters.items() if v}, "page": p, **({"mine": "true"} if mine else {})}
        return "/ui/tasks?" + urlencode(q)

    return page(request, "tasks.html", session=ui, tasks=found, total=total, status=status, band=band or "",
                filters=filters, sources=sources, attributes=state.attributes, sides=sides, shown=shown,
                mine=mine, decided=decided, notice=notice, error=error, page_no=page_no, pages=pages,
                here=str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
                can_decide=ui.principal.can(auth.Permission.tasks_decide),
                prev=link(page_no - 1) if page_no > 1 else None,
                next_link=link(page_no + 1) if page_no < pages else None)


@router.post("/tasks/bulk")
def bulk_decide(ui: UiTaskDecider, state: State, decision: Annotated[tasks.Decision, Form()],
                task: Annotated[list[str], Form(min_length=1, max_length=500)],
                reason: Annotated[str, Form(max_length=2000)] = "",
                back: Annotated[str, Form(max_length=1000)] = "/ui/tasks",
                csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    """Decide several tasks with one reason, all or nothing (each ``task`` is ``id:version``)."""
    session.check_csrf(ui.csrf, csrf)
    target = back if back.startswith("/ui/tasks") and not back.startswith("//") else "/ui/tasks"
    sep = "&" if "?" in target else "?"
    if not reason.strip():
        return RedirectResponse(target + sep + urlencode({"error": "say why: a decision needs a reason"}), 303)
    picked: list[tuple[int, int]] = []
    for item in task:
        tid, _, ver = item.partition(":")
        if not (re.fullmatch(r"[0-9]{1,15}", tid) and re.fullmatch(r"[0-9]{1,9}", ver)):
            return RedirectResponse(target + sep + urlencode({"error": f"not a task: {item[:40]!r}"}), 303)
        picked.append((int(tid), int(ver)))
    try:
        with state.access.writer(what="deciding the tasks") as cur:
            for task_id, version in picked:
                tasks.decide(cur, task_id, decision=decision, version=version, reason=reason.strip(),
                             by=ui.principal, rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        return RedirectResponse(target + sep + urlencode({"error": f"nothing decided: {exc.message}"[:300]}), 303)
    label = "match" if decision == "match" else "no match"
    return RedirectResponse(target + sep + urlencode({"notice": f"{len(picked)} tasks decided: {label}"}), 303)


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: TaskId, ui: UiTaskReader, state: State, cur: Cursor,
              error: Annotated[str | None, Query(max_length=300)] = None,
              notice: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    detail = task_detail(state, cur, task_id, masked=not ui.principal.sees_pii)
    chart = waterfall.build([e.model_dump() for e in detail.explanation])
    attrs = [a for a in state.attributes if a in detail.left.attributes or a in detail.right.attributes]
    following = tasks.next_open(cur, after=task_id, by=ui.principal)
    sides = [detail.left.model_dump(), detail.right.model_dump()]
    return page(request, "task.html", session=ui, d=detail, chart=chart, attributes=attrs, error=error, notice=notice,
                rows=compare.compare(sides, attrs), reasons=compare.explain(
                    [e.model_dump() for e in detail.explanation], *sides),
                skip=following if following != task_id else None,
                can_decide=ui.principal.can(auth.Permission.tasks_decide),
                golden_l=_golden_of(cur, detail.left.unique_id), golden_r=_golden_of(cur, detail.right.unique_id))


def _golden_of(cur: Cursor, unique_id: str) -> str | None:
    """The golden record a source record belongs to now, or None."""
    source, source_id = tasks.split_unique_id(unique_id)
    try:
        return str(golden.xref(cur, source, source_id)["golden_id"])
    except MdmError:
        return None


@router.post("/tasks/{task_id}/decision")
def decide(task_id: TaskId, ui: UiTaskDecider, state: State,
           decision: Annotated[tasks.Decision, Form()],
           version: Annotated[int, Form(ge=1, le=2**31 - 1)],
           reason: Annotated[str, Form(max_length=2000)] = "",
           csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    if not reason.strip():
        return RedirectResponse(f"/ui/tasks/{task_id}?" + urlencode({"error": "say why: a decision needs a reason"}),
                                status_code=303)
    try:
        with state.access.writer(what="deciding the task") as cur:
            tasks.decide(cur, task_id, decision=decision, version=version, reason=reason.strip(), by=ui.principal,
                         rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code.startswith("task.") and exc.code != "task.not_found":
            return RedirectResponse(f"/ui/tasks/{task_id}?" + urlencode({"error": exc.message[:300]}),
                                    status_code=303)
        raise
    with state.access.cursor() as cur:
        following = tasks.next_open(cur, after=task_id, by=ui.principal)
    if following is None:
        return RedirectResponse("/ui/tasks?" + urlencode({"status": "open", "decided": task_id}), status_code=303)
    return RedirectResponse(f"/ui/tasks/{following}?" + urlencode({"notice": f"task {task_id} decided; "
                                                                            "here is the next one"}), status_code=303)


@router.post("/tasks/{task_id}/claim")
def claim(task_id: TaskId, ui: UiTaskDecider, state: State,
          csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    try:
        with state.access.writer(what="claiming the task") as cur:
            tasks.claim(cur, task_id, by=ui.principal)
    except MdmError as exc:
        if exc.code.startswith("task.") and exc.code != "task.not_found":
            return RedirectResponse(f"/ui/tasks/{task_id}?" + urlencode({"error": exc.message[:300]}),
                                    status_code=303)
        raise
    return RedirectResponse(f"/ui/tasks/{task_id}", status_code=303)


# --- golden records -------------------------------------------------------------------

GoldenId = Annotated[str, Path(min_length=1, max_length=200)]
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/golden")
def golden_search(request: Request, ui: UiGoldenReader, state: State, cur: Cursor, q: Text = None,
                  name: Text = None, email: Text = None, phone: Annotated[str | None, Query(max_length=40)] = None,
                  postal_code: Annotated[str | None, Query(max_length=20)] = None,
                  page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> HTMLResponse:
    filters = {"q": q or "", "name": name or "", "email": email or "", "phone": phone or "",
               "postal_code": postal_code or ""}
    error = None
    try:
        found, total = golden.search(cur, attributes=state.attributes, pii=state.pii,
                                     masked=not ui.principal.sees_pii, q=q or None, name=name or None,
                                     email=email or None, phone=phone or None, postal_code=postal_code or None,
                                     limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    except MdmError as exc:
        found, total, error = [], 0, exc.message
    pages = max(1, -(-total // PAGE_SIZE))

    def link(p: int) -> str:
        return "/ui/golden?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": p})

    return page(request, "search.html", session=ui, found=found, total=total, filters=filters, error=error,
                page_no=page_no, pages=pages, prev=link(page_no - 1) if page_no > 1 else None,
                next_link=link(page_no + 1) if page_no < pages else None)


@router.get("/golden/{golden_id}", response_model=None)
def golden_page(request: Request, golden_id: GoldenId, ui: UiGoldenReader, state: State, cur: Cursor,
                error: Annotated[str | None, Query(max_length=300)] = None,
                notice: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse | RedirectResponse:
    survivor = resolve_golden_id(cur, golden_id)
    if survivor != golden_id:
        return RedirectResponse(f"/ui/golden/{survivor}?" + urlencode({"notice": f"{golden_id} was merged into "
                                                                                  f"{survivor}"}), status_code=303)
    d = golden.detail(cur, golden_id, as_of=None, attributes=state.attributes, pii=state.pii,
                      masked=not ui.principal.sees_pii)
    lineage = {e["attribute"]: e for e in d["lineage"]}
    overridden = {o["attribute"]: o for o in d["overrides"]}
    return page(request, "golden.html", session=ui, g=d, lineage=lineage, overridden=overridden,
                rows=compare.compare(d["members"], state.attributes),
                attributes=state.attributes, error=error, notice=notice,
                can_change=ui.principal.can(auth.Permission.golden_write))


def _back(golden_id: str, **message: str) -> RedirectResponse:
    return RedirectResponse(f"/ui/golden/{golden_id}?" + urlencode({k: v[:300] for k, v in message.items()}),
                            status_code=303)


@router.post("/golden/{golden_id}/overrides")
def golden_override(golden_id: GoldenId, ui: UiGoldenSteward, state: State,
                    attribute: Annotated[str, Form(max_length=100)],
                    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
                    value: Annotated[str, Form(max_length=2000)] = "",
                    reason: Annotated[str, Form(max_length=2000)] = "",
                    csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    if not reason.strip():
        return _back(golden_id, error="say why: an override needs a reason")
    try:
        with state.access.writer(what="overriding the attribute") as cur:
            golden.add_override(cur, golden_id, attribute=attribute, value=value.strip() or None, version=version,
                                reason=reason.strip(), by=ui.principal, rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code == "golden.not_found":
            raise
        return _back(golden_id, error=exc.message)
    return _back(golden_id, notice=f"{attribute} overridden")


@router.post("/golden/{golden_id}/overrides/{override_id}/delete")
def golden_override_delete(golden_id: GoldenId, override_id: Annotated[int, Path(ge=1, le=2**62)],
                           ui: UiGoldenSteward, state: State, version: Annotated[int, Form(ge=1, le=2**31 - 1)],
                           csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    try:
        with state.access.writer(what="deleting the override") as cur:
            golden.delete_override(cur, golden_id, override_id, version=version, by=ui.principal,
                                   rebuild=rebuild_for(state.settings.project))
    except MdmError as exc:
        if exc.code == "golden.not_found":
            raise
        return _back(golden_id, error=exc.message)
    return _back(golden_id, notice=f"override {override_id} reverted")


@router.get("/conflicts")
def conflicts_page(request: Request, ui: UiGoldenReader, state: State, cur: Cursor,
                   attribute: Annotated[str | None, Query(max_length=100)] = None,
                   page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> HTMLResponse:
    found, total = golden.conflicts(cur, attributes=state.attributes, pii=state.pii,
                                    masked=not ui.principal.sees_pii, attribute=attribute or None,
                                    limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))

    def link(p: int) -> str:
        return "/ui/conflicts?" + urlencode({**({"attribute": attribute} if attribute else {}), "page": p})

    return page(request, "conflicts.html", session=ui, found=found, total=total, attribute=attribute or "",
                attributes=state.attributes, page_no=page_no, pages=pages,
                can_change=ui.principal.can(auth.Permission.golden_write),
                prev=link(page_no - 1) if page_no > 1 else None,
                next_link=link(page_no + 1) if page_no < pages else None)
