"""PII masking across every GET route x every role x every PII attribute, on a real server
(issue 15.6: a ``system`` key saw national ids, e-mails, phones and birth dates in clear on
``/api/v1/events`` while ``/golden`` masked them for the same key).

Ground truth comes from the data, not from the server's code: the PII attributes are the
ones ``dictionary/customer.yaml`` flags, and the raw values are every value the demo hub
holds for them (source records as read and standardised, every golden version), read from the
pristine demo hub before any server touches its copy. The spec: reader and system never see a
PII value in clear; steward and admin do.

The walk reads the routes off ``/openapi.json`` (a new GET route joins the walk by itself, and
one with a path parameter the walk cannot fill fails it), asks each with every role's key, and
checks, per PII attribute:

- a masked role's answer holds none of the attribute's raw values (as a JSON string, inside a
  JSON string, or as a word of any string);
- a seeing role's answer to the same request differs from the masked role's only where it holds
  a raw PII value and the masked one a masked form (at most the first character, then stars);
- the seeing roles do get the raw values: of the chosen golden record on its page and in the
  change feed, and of a review task's two records on the task page.

Webhook deliveries to a real receiver are checked as a ``system`` answer, against the admin's
view of the same events; the web UI's GET pages (from the app's route table, not in OpenAPI) are
searched the same way, in their text and attribute values, after a real login per role.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import httpx
import pytest
from fastapi.routing import APIRoute
from steward_e2e import ROLES, Served, wait_for
from webhook_receiver import Receiver

from mdm.config import load_project
from mdm.stewardship.app import create_app, iter_routes, route_roles
from mdm.stewardship.settings import ServerSettings

#: the spec (DESIGN 3.2a, issue 15.6): who sees personal data in clear
SEEING = ("steward", "admin")
MASKED = ("reader", "system")
#: a masked value: at most its first character, then stars
MASKED_SHAPE = re.compile(r"^[^*]?\*+$")
#: words of any string in an answer (an e-mail, an E.164 phone, an id, a date are one word each)
WORD = re.compile(r"[\w.+@-]+")
#: words shorter than this are not searched inside longer strings ("Li", "NY" occur in many words)
MIN_WORD = 6
OVERRIDE_EMAIL = "pii.matrix.override@example.org"


# --- ground truth from the data -------------------------------------------------------------

def hub_values(hub: Path, attributes: list[str]) -> dict[str, set[str]]:
    """attribute -> every value the hub holds for it: source records raw and standardised, every
    golden version's record and lineage."""
    values: dict[str, set[str]] = defaultdict(set)
    con = duckdb.connect(str(hub), read_only=True)
    try:
        for table in ("record", "record_std"):
            have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
            for a in attributes:
                if a in have:
                    rows = con.execute(f'SELECT DISTINCT CAST("{a}" AS VARCHAR) FROM {table} '
                                       f'WHERE "{a}" IS NOT NULL').fetchall()
                    values[a].update(str(r[0]) for r in rows)
        for record, lineage in con.execute("SELECT CAST(record AS VARCHAR), CAST(lineage AS VARCHAR) "
                                           "FROM golden_version").fetchall():
            for a, v in (json.loads(record) or {}).items():
                if v is not None:
                    values[a].add(str(v))
            for entry in json.loads(lineage or "[]") or []:
                if entry.get("value") is not None:
                    values[entry["attribute"]].add(str(entry["value"]))
    finally:
        con.close()
    for found in values.values():
        found.discard("")
    return values


def pick_subjects(hub: Path, pii: list[str]) -> dict[str, Any]:
    """A golden record with the most PII attributes filled (national id, e-mail, phone and birth
    date among them) and several members, one of its members, and an open review task."""
    con = duckdb.connect(str(hub), read_only=True)
    try:
        rows = con.execute("SELECT golden_id, member_count, CAST(record AS VARCHAR) FROM golden "
                           "WHERE status = 'active' ORDER BY golden_id").fetchall()
        must = ("national_id", "email", "phone", "birth_date")
        best = max((r for r in rows if r[1] >= 2 and all(json.loads(r[2]).get(a) for a in must)),
                   key=lambda r: (sum(1 for a in pii if json.loads(r[2]).get(a)), r[1], r[0]))
        golden_id, record = best[0], json.loads(best[2])
        member = con.execute("SELECT source, source_id FROM xref WHERE golden_id = ? AND valid_to IS NULL "
                             "ORDER BY source, source_id LIMIT 1", [golden_id]).fetchone()
        other = next(r[0] for r in rows if r[0] != golden_id)
        task = con.execute("SELECT task_id, unique_id_l, unique_id_r FROM review_task WHERE status = 'open' "
                           "ORDER BY task_id LIMIT 1").fetchone()
        assert member is not None and task is not None
        task_values: dict[str, set[str]] = defaultdict(set)
        for uid in task[1:]:
            source, _, source_id = str(uid).partition(":")
            cur = con.execute("SELECT * FROM record WHERE source = ? AND source_id = ?", [source, source_id])
            row = dict(zip([d[0] for d in cur.description], cur.fetchone() or (), strict=False))
            for a in pii:
                if row.get(a):
                    task_values[a].add(str(row[a]))
        raw = con.execute("SELECT * FROM record WHERE source = ? AND source_id = ?", list(member))
        member_row = dict(zip([d[0] for d in raw.description], raw.fetchone() or (), strict=False))
    finally:
        con.close()
    return {"golden_id": golden_id, "golden": {a: str(v) for a, v in record.items() if v is not None and a in pii},
            "source": member[0], "source_id": member[1], "other_golden_id": other, "task_id": int(task[0]),
            "task": dict(task_values),
            "member_record": {a: str(member_row[a]) for a in pii if member_row.get(a)}}


# --- searching answers ------------------------------------------------------------------------

def strings(node: Any) -> Iterator[str]:
    """Every string value of a JSON document, and those of JSON documents kept inside strings."""
    if isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node
        if node[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                yield from strings(json.loads(node))


def raw_values_in(doc: Any, clear: dict[str, set[str]]) -> dict[str, set[str]]:
    """attribute -> the raw values of it that ``doc`` holds (whole strings, or words of strings)."""
    found = set(strings(doc))
    found |= {w for s in list(found) for w in WORD.findall(s) if len(w) >= MIN_WORD}
    return {a: hits for a, vals in clear.items() if (hits := found & vals)}


def differences(seen: Any, masked: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Where two answers to the same request differ: (path, seeing role's leaf, masked role's leaf)."""
    if isinstance(seen, dict) and isinstance(masked, dict):
        if set(seen) != set(masked):
            yield path, sorted(seen), sorted(masked)
            return
        for k in seen:
            yield from differences(seen[k], masked[k], f"{path}/{k}")
    elif isinstance(seen, list) and isinstance(masked, list):
        if len(seen) != len(masked):
            yield path, len(seen), len(masked)
            return
        for i, (a, b) in enumerate(zip(seen, masked, strict=True)):
            yield from differences(a, b, f"{path}/{i}")
    elif seen != masked:
        yield path, seen, masked


def unexplained(seen: Any, masked: Any, pii_values: set[str]) -> list[tuple[str, Any, Any]]:
    """Differences that are not 'a raw PII value here, its masked form there' (or the masked flag)."""
    out = []
    for path, a, b in differences(seen, masked):
        if path.endswith("/masked") and (a, b) == (False, True):
            continue
        if isinstance(a, str) and a in pii_values and isinstance(b, str) and MASKED_SHAPE.match(b):
            continue
        out.append((path, a, b))
    return out


class _Text(HTMLParser):
    """A page's text nodes and attribute values, unescaped, as a list of strings."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.found.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(v for _k, v in attrs if v)


def page_strings(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.found


# --- the walk ---------------------------------------------------------------------------------

def get_routes(doc: dict[str, Any], fill: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    """(template, url, query, roles) for every GET operation of the OpenAPI document; a ``limit``
    query parameter is sent at its maximum, so pages hold as many records as they can."""
    out = []
    for template, ops in sorted(doc["paths"].items()):
        op = ops.get("get")
        if op is None:
            continue
        url, query = template, {}
        for p in op.get("parameters", []):
            if p["in"] == "path":
                if p["name"] not in fill:
                    pytest.fail(f"GET {template}: the PII walk cannot fill the path parameter {p['name']!r}; "
                                "add a value for it to the walk")
                url = url.replace("{" + p["name"] + "}", str(fill[p["name"]]))
            elif p["in"] == "query" and p["name"] == "limit" and "maximum" in p.get("schema", {}):
                query["limit"] = p["schema"]["maximum"]
            elif p.get("required"):
                pytest.fail(f"GET {template}: required query parameter {p['name']!r} unknown to the PII walk")
        out.append((template, url, query, set(op.get("x-roles", []))))
    return out


def ui_pages(served: Served, fill: dict[str, Any]) -> list[tuple[str, str, set[str]]]:
    """(template, url, roles) for every GET page of the web UI, read off the app's route table."""
    app = create_app(ServerSettings(project=load_project(served.config)))
    out = []
    for route in iter_routes(app.routes):
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()) or not route.path.startswith("/ui/"):
            continue
        roles = route_roles(route)
        if roles is None:  # the login page
            continue
        url = route.path
        for name in re.findall(r"\{([^}]+)\}", route.path):
            if name not in fill:
                pytest.fail(f"GET {route.path}: the PII walk cannot fill the path parameter {name!r}")
            url = url.replace("{" + name + "}", str(fill[name]))
        # confirmation pages (split, unmerge, merge) need their subject in the query: they preview it
        query = []
        for param in route.dependant.query_params:
            if param.field_info.is_required():
                if param.alias not in fill:
                    pytest.fail(f"GET {route.path}: the PII walk cannot fill the query parameter {param.alias!r}")
                query.append((param.alias, str(fill[param.alias])))
        out.append((route.path, url + ("?" + urlencode(query) if query else ""), set(roles)))
    return out


def ui_login(served: Served, role: str) -> httpx.Client:
    c = served.client()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text)
    assert token
    resp = c.post("/ui/login", data={"api_key": served.keys[role], "csrf": token.group(1), "next": "/ui/"})
    assert resp.status_code == 303, resp.text
    return c


@pytest.fixture(scope="module")
def walked(serve_copy: Callable[[str], Served], demo_dir: Path) -> Iterator[dict[str, Any]]:
    project = load_project(demo_dir / "mdm.yaml")
    pii = sorted(n for n, a in project.dictionary.attributes.items() if a.pii)
    values = hub_values(demo_dir / "hub.duckdb", project.dictionary.names)
    subjects = pick_subjects(demo_dir / "hub.duckdb", pii)
    receiver = Receiver()
    served = serve_copy("pii")
    try:
        admin, steward = served.client("admin"), served.client("steward")
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "from_seq": 1})
        assert hook.status_code == 201, hook.text
        run = admin.post("/api/v1/runs", json={"retrain": False})
        assert run.status_code == 202, run.text
        run_id = run.json()["run_id"]
        wait_for(lambda: admin.get(f"/api/v1/runs/{run_id}").json()["status"] != "running", "the run")
        assert admin.get(f"/api/v1/runs/{run_id}").json()["status"] == "succeeded"
        gid = subjects["golden_id"]
        version = admin.get(f"/api/v1/golden/{gid}").json()["version"]
        override = steward.post(f"/api/v1/golden/{gid}/overrides", json={
            "attribute": "email", "value": OVERRIDE_EMAIL, "version": version, "reason": "pii matrix"})
        assert override.status_code == 201, override.text
        values["email"].add(OVERRIDE_EMAIL)
        subjects["golden"]["email"] = OVERRIDE_EMAIL
        match = {role: served.client(role).post("/api/v1/match", json={"record": subjects["member_record"]})
                 for role in ROLES}
        member = f"{subjects['source']}:{subjects['source_id']}"
        fill = {"golden_id": gid, "task_id": subjects["task_id"], "source": subjects["source"],
                "source_id": subjects["source_id"], "run_id": run_id, "records": member, "record": member,
                "other": subjects["other_golden_id"],
                "webhook_id": hook.json()["subscription_id"]}
        routes = get_routes(httpx.get(f"{served.url}/openapi.json").json(), fill)
        answers: dict[tuple[str, str], httpx.Response] = {}
        for template, url, query, _roles in routes:
            for role in ROLES:
                answers[template, role] = served.client(role).get(url, params=query)
        pages: dict[tuple[str, str], httpx.Response] = {}
        ui = ui_pages(served, fill)
        for role in ROLES:
            browser = ui_login(served, role)
            for template, url, roles in ui:
                if role in roles:
                    pages[template, role] = browser.get(url)
        last = max(e["seq"] for e in answers["/api/v1/events", "admin"].json()["events"])
        wait_for(lambda: {d.event["seq"] for d in receiver.requests if d.status == 200} >= set(range(1, last + 1)),
                 "webhook deliveries of every event")
        yield {"pii": pii, "values": values, "subjects": subjects, "routes": routes, "answers": answers,
               "match": match, "ui": ui, "pages": pages,
               "deliveries": [d.event for d in receiver.requests if d.status == 200]}
    finally:
        receiver.close()


def clear_values(walked: dict[str, Any]) -> dict[str, set[str]]:
    """PII attribute -> its raw values, less any value a non-PII attribute also holds (a city named
    like a surname may be shown: it is the city; so may a word of one: "Francisco" of "San Francisco")
    and numbers of under four digits (a junk phone "0" identifies nobody, and pages show counts), and
    single characters (a middle initial "j" identifies nobody; the queue shows its keyboard keys)."""
    values, pii = walked["values"], walked["pii"]
    public = set().union(*(v for a, v in values.items() if a not in pii))
    public |= {w for v in public for w in WORD.findall(v)}
    return {a: {v for v in values[a] - public if not (v.isdigit() and len(v) < 4) and len(v) > 1} for a in pii}


def test_every_route_answers_each_role_as_the_route_table_says(walked: dict[str, Any]) -> None:
    # x-roles [] is a public route (/health)
    wrong = [(template, role, r.status_code) for template, _u, _q, roles in walked["routes"] for role in ROLES
             if (r := walked["answers"][template, role]).status_code != (200 if role in roles or not roles else 403)]
    assert not wrong, wrong
    walked_paths = {t for t, *_ in walked["routes"]}
    assert {"/api/v1/events", "/api/v1/golden", "/api/v1/golden/{golden_id}", "/api/v1/golden/conflicts",
            "/api/v1/tasks/{task_id}", "/api/v1/xref/{source}/{source_id}", "/api/v1/audit"} <= walked_paths


def test_masked_roles_never_receive_a_raw_pii_value(walked: dict[str, Any]) -> None:
    clear = clear_values(walked)
    leaks = {}
    for template, _u, _q, roles in walked["routes"]:
        for role in MASKED:
            if role in roles:
                found = raw_values_in(walked["answers"][template, role].json(), clear)
                leaks.update({(template, role, a): sorted(v)[:3] for a, v in found.items()})
    for role in MASKED:
        answer = walked["match"][role]
        if answer.status_code == 200:
            leaks.update({("POST /api/v1/match", role, a): sorted(v)[:3]
                          for a, v in raw_values_in(answer.json(), clear).items()})
    assert not leaks, f"raw PII reached a role that must not see it: {leaks}"
    allowed = {t for t, _u, _q, roles in walked["routes"] if "system" in roles}
    assert {"/api/v1/events", "/api/v1/golden/{golden_id}"} <= allowed, "the system role's routes were walked"


def test_seeing_roles_get_what_masked_roles_get_but_in_clear(walked: dict[str, Any]) -> None:
    everything = set().union(*(walked["values"][a] for a in walked["pii"]))
    compared, problems = 0, {}
    for template, _u, _q, roles in walked["routes"]:
        if template == "/api/v1/me":  # answers who is asking: differs by key, not by masking
            continue
        for seer in (r for r in SEEING if r in roles):
            for hider in (r for r in MASKED if r in roles):
                found = unexplained(walked["answers"][template, seer].json(),
                                    walked["answers"][template, hider].json(), everything)
                compared += 1
                if found:
                    problems[template, seer, hider] = found[:5]
    assert not problems, problems
    assert compared >= 10


def test_seeing_roles_receive_the_raw_values_the_data_holds(walked: dict[str, Any]) -> None:
    clear, subjects, answers = clear_values(walked), walked["subjects"], walked["answers"]
    golden = {a: v for a, v in subjects["golden"].items() if v in clear[a]}
    assert {"national_id", "email", "phone", "birth_date"} <= set(golden)
    for role in SEEING:
        shown = raw_values_in(answers["/api/v1/golden/{golden_id}", role].json(), clear)
        assert all(v in shown.get(a, set()) for a, v in golden.items()), (role, golden, shown)
        task = raw_values_in(answers["/api/v1/tasks/{task_id}", role].json(), clear)
        assert all(vals <= task.get(a, set()) for a, vals in subjects["task"].items() if vals <= clear[a]), role
        assert raw_values_in(answers["/api/v1/golden", role].json(), clear).keys() >= set(golden)
    feed = raw_values_in(answers["/api/v1/events", "admin"].json(), clear)
    assert all(v in feed.get(a, set()) for a, v in golden.items()), "the admin's feed holds the values in clear"
    audit = raw_values_in(answers["/api/v1/audit", "admin"].json(), clear)
    assert OVERRIDE_EMAIL in audit.get("email", set()), "the override's audit entry, in clear for the admin"


def test_masked_roles_see_each_pii_attribute_masked_not_missing(walked: dict[str, Any]) -> None:
    answers, golden = walked["answers"], walked["subjects"]["golden"]
    for role in MASKED:
        record = answers["/api/v1/golden/{golden_id}", role].json()["record"]
        assert all(MASKED_SHAPE.match(record[a]) for a in golden), (role, record)
    events = [e for e in answers["/api/v1/events", "system"].json()["events"]
              if e["golden_id"] == walked["subjects"]["golden_id"]]
    assert any(e["type"] == "updated" and "email" in e["changes"] for e in events), "the override's event"
    for e in events:
        assert all(MASKED_SHAPE.match(e["record"][a]) for a in golden if e["record"].get(a)), e
        for a, change in e["changes"].items():
            if a in golden:
                assert all(v is None or MASKED_SHAPE.match(v) for v in change.values()), (a, change)


def test_webhook_deliveries_are_masked_for_the_system_role(walked: dict[str, Any]) -> None:
    clear, deliveries = clear_values(walked), walked["deliveries"]
    leaks = {(d["seq"], a): sorted(v)[:3] for d in deliveries for a, v in raw_values_in(d, clear).items()}
    assert not leaks, f"webhook deliveries carried raw PII: {leaks}"
    everything = set().union(*(walked["values"][a] for a in walked["pii"]))
    admin = {e["seq"]: e for e in walked["answers"]["/api/v1/events", "admin"].json()["events"]}
    compared: set[int] = set()  # delivery is at least once: a retry after a slow answer repeats a seq
    for d in deliveries:
        if d["seq"] in admin:
            seen = {k: admin[d["seq"]][k] for k in ("changes", "record")}
            assert not unexplained(seen, {k: d[k] for k in ("changes", "record")}, everything), d["seq"]
            compared.add(d["seq"])
    assert compared == set(admin), "every event of the feed was delivered and compared"
    gid = walked["subjects"]["golden_id"]
    mine = [d for d in deliveries if d["golden_id"] == gid and d["record"]]
    assert mine and all(MASKED_SHAPE.match(d["record"]["email"]) for d in mine)


def test_ui_pages_mask_pii_for_reader_and_system_and_show_it_to_stewards(walked: dict[str, Any]) -> None:
    clear, pages = clear_values(walked), walked["pages"]
    assert {"/ui/golden/{golden_id}", "/ui/tasks/{task_id}", "/ui/golden", "/ui/conflicts"} <= {
        t for t, *_ in walked["ui"]}
    wrong = {k: r.status_code for k, r in pages.items() if r.status_code not in (200, 303)}  # /ui/ redirects
    assert not wrong, wrong
    leaks = {(template, role, a): sorted(v)[:3] for (template, role), r in pages.items() if role in MASKED
             for a, v in raw_values_in(page_strings(r.text), clear).items()}
    assert not leaks, f"raw PII on a web page of a role that must not see it: {leaks}"
    assert all(pages[t, role].status_code == 200 for t in ("/ui/golden/{golden_id}", "/ui/golden", "/ui/conflicts")
               for role in ROLES), "every role has the golden pages"
    golden = {a: v for a, v in walked["subjects"]["golden"].items() if v in clear[a]}
    for role in SEEING:
        shown = raw_values_in(page_strings(pages["/ui/golden/{golden_id}", role].text), clear)
        assert all(v in shown.get(a, set()) for a, v in golden.items()), (role, golden, shown)
