"""Admin pages of the web UI (issue 19.6): API keys, pipeline runs, webhooks and schedules.

Each page calls the very functions the JSON API's routers call (:mod:`mdm.stewardship.routers.keys`,
``runs``, ``webhooks``, ``audits``), so a key created, a key revoked, a run started or dead letters
re-driven here behave as through the API and leave the same audit entries. Every page needs the
permission its API counterpart needs (``keys:manage``, ``runs:manage``, ``webhooks:manage``,
``schedules:read``; see :data:`mdm.stewardship.auth.PERMISSIONS`), every POST checks the session's
CSRF token, and a destructive one (revoking a key) goes through a confirmation first.

A new key is shown once, in the answer to the POST that made it (never in a URL, a redirect or a
log); webhook secrets are never shown here at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from mdm.errors import MdmError
from mdm.roles import Role
from mdm.stewardship.auth import Permission
from mdm.stewardship.deps import Cursor, State, UiRoleCheck, UiSession
from mdm.stewardship.routers import audits as audits_api
from mdm.stewardship.routers import keys as keys_api
from mdm.stewardship.routers import runs as runs_api
from mdm.stewardship.routers import webhooks as webhooks_api
from mdm.stewardship.schemas import MAX_ID, KeyCreate, RedriveCreate, RunCreate
from mdm.stewardship.ui import session
from mdm.stewardship.ui.render import page

router = APIRouter(prefix="/ui/admin", tags=["ui"], include_in_schema=False)

UiKeyAdmin = Annotated[UiSession, Depends(UiRoleCheck(Permission.keys_manage))]
UiRunAdmin = Annotated[UiSession, Depends(UiRoleCheck(Permission.runs_manage))]
UiWebhookAdmin = Annotated[UiSession, Depends(UiRoleCheck(Permission.webhooks_manage))]
UiScheduleReader = Annotated[UiSession, Depends(UiRoleCheck(Permission.schedules_read))]

KeyId = Annotated[int, Path(ge=1, le=2**62)]
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID)]
Csrf = Annotated[str, Form(max_length=200)]
Message = Annotated[str | None, Query(max_length=300)]

RUNS_PAGE = 25
DELIVERIES_SHOWN = 100


def _to(path: str, **query: str) -> RedirectResponse:
    q = {k: v[:300] for k, v in query.items() if v}
    return RedirectResponse(path + ("?" + urlencode(q) if q else ""), status_code=303)


def when(value: dt.datetime | None) -> str:
    """A timestamp as pages show it (server local time, to the second)."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _invalid(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()[:3])


def _render(request: Request, name: str, ui: UiSession, status_code: int = 200, **context: Any) -> HTMLResponse:
    return page(request, name, status_code=status_code, session=ui, when=when, **context)


# --- the section's entry ---------------------------------------------------------------------

@router.get("")
def admin_home(ui: UiKeyAdmin) -> RedirectResponse:
    return RedirectResponse("/ui/admin/keys", status_code=303)


# --- API keys ----------------------------------------------------------------------------------

def last_used(cur: duckdb.DuckDBPyConnection) -> dict[int, dt.datetime]:
    """key id -> the last time the hub recorded the key in use: a web login or an audited action
    (the audit log names every actor as ``name (key N, role)``). Plain API reads leave no trace."""
    rows = cur.execute(r"""
        SELECT key_id, max(used_at) FROM (
            SELECT key_id, created_at AS used_at FROM ui_session
            UNION ALL
            SELECT TRY_CAST(regexp_extract(actor, '\(key ([0-9]+), ', 1) AS BIGINT), occurred_at AS used_at
            FROM audit_log WHERE actor LIKE '%(key %')
        WHERE key_id IS NOT NULL GROUP BY key_id""").fetchall()
    return {int(k): at for k, at in rows}


@router.get("/keys")
def keys_page(request: Request, ui: UiKeyAdmin, cur: Cursor,
              revoke: Annotated[int | None, Query(ge=1, le=2**62)] = None,
              notice: Message = None, error: Message = None) -> HTMLResponse:
    """Every key with its role, prefix, dates and last use; a form to create one. ``?revoke=ID``
    shows the confirmation of revoking that key."""
    listed = keys_api.list_keys(ui.principal, cur, include_revoked=True).keys
    confirm = None
    if revoke is not None:
        confirm = next((k for k in listed if k.key_id == revoke), None)
        if confirm is None:
            error = f"no API key with id {revoke}"
        elif confirm.revoked_at is not None:
            error, confirm = f"API key {revoke} is already revoked", None
    return _render(request, "admin_keys.html", ui, keys=listed, last_used=last_used(cur), roles=[r.value for r in Role],
                   confirm=confirm, notice=notice, error=error, created=None)


@router.post("/keys", response_model=None)
def create_key(request: Request, ui: UiKeyAdmin, state: State, csrf: Csrf = "",
               name: Annotated[str, Form(max_length=64)] = "",
               role: Annotated[str, Form(max_length=20)] = "") -> HTMLResponse | RedirectResponse:
    """Create a key through the API's own function; the answer (not a redirect) shows the key, this once."""
    session.check_csrf(ui.csrf, csrf)
    try:
        body = KeyCreate.model_validate({"name": name.strip(), "role": role})
    except ValidationError as exc:
        return _to("/ui/admin/keys", error=f"the key was not created: {_invalid(exc)}")
    try:
        created = keys_api.create_key(body, ui.principal, state)
    except MdmError as exc:
        return _to("/ui/admin/keys", error=f"the key was not created: {exc.message}")
    with state.access.cursor() as cur:
        listed = keys_api.list_keys(ui.principal, cur, include_revoked=True).keys
        used = last_used(cur)
    return _render(request, "admin_keys.html", ui, keys=listed, last_used=used,
                   roles=[r.value for r in Role], confirm=None, notice=None, error=None, created=created)


@router.post("/keys/{key_id}/revoke")
def revoke_key(key_id: KeyId, ui: UiKeyAdmin, state: State, csrf: Csrf = "") -> RedirectResponse:
    """Revoke a key through the API's own function: its API calls get 401 and its web sessions end."""
    session.check_csrf(ui.csrf, csrf)
    try:
        row = keys_api.revoke_key(key_id, ui.principal, state)
    except MdmError as exc:
        return _to("/ui/admin/keys", error=exc.message)
    return _to("/ui/admin/keys", notice=f"key {row.key_id} ({row.name}, mdm_{row.prefix}_…) revoked: it no "
               "longer works and its web sessions have ended")


# --- pipeline runs -----------------------------------------------------------------------------

@router.get("/runs")
def runs_page(request: Request, ui: UiRunAdmin, state: State, notice: Message = None, error: Message = None,
              page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> HTMLResponse:
    listed = runs_api.list_runs(ui.principal, state, limit=RUNS_PAGE, offset=(page_no - 1) * RUNS_PAGE)
    pages = max(1, -(-listed.total // RUNS_PAGE))
    return _render(request, "admin_runs.html", ui, runs=listed.runs, total=listed.total, page_no=page_no,
                   pages=pages, notice=notice, error=error,
                   running=any(r.status == "running" for r in listed.runs))


@router.post("/runs")
def start_run(ui: UiRunAdmin, state: State, csrf: Csrf = "",
              retrain: Annotated[bool, Form()] = False) -> RedirectResponse:
    """Start a pipeline run through the API's own function, then follow it on its page."""
    session.check_csrf(ui.csrf, csrf)
    try:
        run = runs_api.start_run(RunCreate(retrain=retrain), ui.principal, state)
    except MdmError as exc:
        return _to("/ui/admin/runs", error=exc.message)
    return _to(f"/ui/admin/runs/{run.run_id}", notice=f"run {run.run_id} started")


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: RunId, ui: UiRunAdmin, state: State, notice: Message = None) -> HTMLResponse:
    """One run: status, latest progress message, error, summary (rows per source) and report path;
    the page reloads itself every two seconds while the run runs."""
    run = runs_api.get_run(run_id, ui.principal, state)
    summary = dict(run.summary or {})
    totals = summary.pop("totals", None) or {}
    sources = summary.pop("sources", None) or []
    return _render(request, "admin_run.html", ui, run=run, totals=totals, sources=sources, extra=summary,
                   notice=notice)


# --- webhooks ----------------------------------------------------------------------------------

@router.get("/webhooks")
def webhooks_page(request: Request, ui: UiWebhookAdmin, cur: Cursor, notice: Message = None) -> HTMLResponse:
    return _render(request, "admin_webhooks.html", ui, webhooks=webhooks_api.list_webhooks(ui.principal, cur).webhooks,
                   notice=notice)


def deliveries(cur: duckdb.DuckDBPyConnection, subscription_id: int, limit: int) -> tuple[list[dict[str, Any]],
                                                                                           dict[str, int]]:
    """A subscription's latest deliveries, newest first, and how many it has per status."""
    found = cur.execute("""SELECT delivery_id, seq, golden_id, status, attempts, last_status_code, last_error,
                                  created_at, delivered_at, next_attempt_at
                           FROM webhook_delivery WHERE subscription_id = ?
                           ORDER BY delivery_id DESC LIMIT ?""", [subscription_id, limit])
    cols = [d[0] for d in found.description]
    rows = [dict(zip(cols, r, strict=True)) for r in found.fetchall()]
    counts = {str(s): int(n) for s, n in cur.execute(
        "SELECT status, count(*) FROM webhook_delivery WHERE subscription_id = ? GROUP BY status",
        [subscription_id]).fetchall()}
    return rows, counts


@router.get("/webhooks/{webhook_id}")
def webhook_page(request: Request, webhook_id: WebhookId, ui: UiWebhookAdmin, cur: Cursor,
                 notice: Message = None, error: Message = None) -> HTMLResponse:
    """A subscription: its latest deliveries and its dead letters, each of which can be re-driven."""
    dead = webhooks_api.list_dead_letters(webhook_id, ui.principal, cur).dead_letters  # 404 for an unknown id
    sub = next(w for w in webhooks_api.list_webhooks(ui.principal, cur).webhooks if w.subscription_id == webhook_id)
    shown, counts = deliveries(cur, webhook_id, DELIVERIES_SHOWN)
    return _render(request, "admin_webhook.html", ui, sub=sub, dead=dead, deliveries=shown, counts=counts,
                   limit=DELIVERIES_SHOWN, notice=notice, error=error)


@router.post("/webhooks/{webhook_id}/redrive")
def redrive(webhook_id: WebhookId, ui: UiWebhookAdmin, state: State, csrf: Csrf = "",
            delivery: Annotated[list[int] | None, Form(max_length=10000)] = None) -> RedirectResponse:
    """Put dead letters back in the queue through the API's own function: the ``delivery`` ids
    given, or all of this subscription's."""
    session.check_csrf(ui.csrf, csrf)
    back = f"/ui/admin/webhooks/{webhook_id}"
    try:
        body = RedriveCreate.model_validate({"delivery_ids": delivery}) if delivery else None
    except ValidationError as exc:
        return _to(back, error=f"nothing re-driven: {_invalid(exc)}")
    try:
        done = webhooks_api.redrive(webhook_id, ui.principal, state, body)
    except MdmError as exc:
        if exc.code == "webhook.not_found":
            raise
        return _to(back, error=exc.message)
    n = done.redriven
    return _to(back, notice=f"{n} dead letter{'' if n == 1 else 's'} put back in the queue: the server delivers "
               "them again from their first attempt")


# --- schedules ---------------------------------------------------------------------------------

@router.get("/schedules")
def schedules_page(request: Request, ui: UiScheduleReader, cur: Cursor, state: State) -> HTMLResponse:
    listed = audits_api.list_schedules(ui.principal, cur, state).schedules
    return _render(request, "admin_schedules.html", ui, schedules=listed)
