"""Pages of the web UI under ``/ui/``: login, the review queue and a task with its waterfall.

Pages use the same services as the API (:mod:`mdm.stewardship.tasks`) and the same role
checks, from the session cookie instead of a bearer header. Every POST checks the
session's CSRF token and answers with a redirect (post/redirect/get).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from mdm.errors import MdmError
from mdm.stewardship import auth, tasks
from mdm.stewardship.deps import Cursor, State, UiAnyone, UiTaskDecider, UiTaskReader
from mdm.stewardship.errors import AuthenticationError
from mdm.stewardship.routers.tasks import task_detail
from mdm.stewardship.ui import session, waterfall
from mdm.stewardship.ui.render import HERE, page

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
    session.set_login_csrf(response, token, state.settings)
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
        session.set_login_csrf(response, token, state.settings)
        return response
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    session.start_session(redirect, state.settings, principal.key_id)
    return redirect


@router.post("/logout")
def logout(ui: UiAnyone, csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    session.check_csrf(ui.csrf, csrf)
    response = RedirectResponse("/ui/login", status_code=303)
    session.end_session(response)
    return response


@router.get("/tasks")
def queue(request: Request, ui: UiTaskReader, cur: Cursor,
          status: Annotated[tasks.TaskStatus | None, Query()] = "open",
          band: Annotated[str | None, Query(max_length=20)] = None,
          mine: Annotated[bool, Query()] = False,
          decided: Annotated[int | None, Query(ge=1, le=2**62)] = None,
          page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> HTMLResponse:
    where = tasks.TaskFilter(status=status, band=band or None, assignee=ui.principal.name if mine else None)
    found, total = tasks.list_tasks(cur, where, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))

    def link(p: int) -> str:
        q = {"status": status or "", "band": band or "", "page": p, **({"mine": "true"} if mine else {})}
        return "/ui/tasks?" + urlencode(q)

    return page(request, "tasks.html", session=ui, tasks=found, total=total, status=status, band=band or "",
                mine=mine, decided=decided, page_no=page_no, pages=pages,
                prev=link(page_no - 1) if page_no > 1 else None,
                next_link=link(page_no + 1) if page_no < pages else None)


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: TaskId, ui: UiTaskReader, state: State, cur: Cursor,
              error: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    detail = task_detail(state, cur, task_id, masked=not ui.principal.sees_pii)
    chart = waterfall.build([e.model_dump() for e in detail.explanation])
    attrs = [a for a in state.attributes if a in detail.left.attributes or a in detail.right.attributes]
    return page(request, "task.html", session=ui, d=detail, chart=chart, attributes=attrs, error=error,
                can_decide=ui.principal.can(auth.Permission.tasks_decide))


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
            tasks.decide(cur, task_id, decision=decision, version=version, reason=reason.strip(), by=ui.principal)
    except MdmError as exc:
        if exc.code.startswith("task.") and exc.code != "task.not_found":
            return RedirectResponse(f"/ui/tasks/{task_id}?" + urlencode({"error": exc.message[:300]}),
                                    status_code=303)
        raise
    return RedirectResponse("/ui/tasks?" + urlencode({"status": "open", "decided": task_id}), status_code=303)


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
