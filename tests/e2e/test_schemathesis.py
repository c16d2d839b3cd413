"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis),
against a real server on its own copy of the demo: no 5xx, and responses that match the
documented status codes, content types and schemas, for schema-valid and hostile
(schema-violating) requests alike; schema-valid requests are accepted and schema-violating
ones refused, so the document and the server agree.

Two phases per operation and mode, both bounded: schemathesis's *coverage* cases (boundary
and type-confusion values chosen from the schema: ``{"as_of": 0}``, ``true`` inside a match
record, a naive date-time, a reason of ``"\\u00a0"``...) and a few Hypothesis examples.

Webhook targets stay on this machine: in every generated ``POST /api/v1/webhooks`` body, a
``url`` the document allows is replaced by a loopback URL on a port nothing listens on (one
valid URL for another: the case stays as valid or invalid as it was drawn; an invalid URL is
kept, and refused). The server also runs with every proxy variable pointing at that dead
port, so not even a subscription that slipped through could deliver off this machine, and at
the end every subscription is checked to be a loopback one.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from steward_e2e import Served

EXAMPLES = 8          # Hypothesis examples per operation and mode
COVERAGE_CASES = 60   # coverage cases per operation and mode (most operations have fewer)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="module")
def dead_port() -> Iterator[int]:
    """A loopback port that is bound but never listens: a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fuzz_server(serve_copy: Callable[[str], Served], dead_port: int) -> Served:
    saved = {k: os.environ.get(k) for k in (*PROXY_VARS, "NO_PROXY", "no_proxy")}
    loopback = "127.0.0.1,localhost,::1"  # reached directly (the start-up probe too); anything else: dead port
    os.environ.update({k: f"http://127.0.0.1:{dead_port}" for k in PROXY_VARS}
                      | {"NO_PROXY": loopback, "no_proxy": loopback})
    try:
        return serve_copy("fuzz")   # the server (and its webhook worker) inherits the proxy variables
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def schema(fuzz_server: Served) -> Any:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    schema.config.update(base_url=fuzz_server.url)
    return schema


def _on_loopback(case: Any, dead_port: int) -> None:
    """Point a webhook URL the document allows at the dead loopback port (see the module docstring)."""
    if case.operation.label != "POST /api/v1/webhooks" or not isinstance(case.body, dict):
        return
    url, spec = case.body.get("url"), case.operation.schema.raw_schema["components"]["schemas"]["WebhookCreate"]
    rule = spec["properties"]["url"]
    if isinstance(url, str) and len(url) <= rule["maxLength"] and re.search(rule["pattern"], url):
        case.body = {**case.body, "url": f"http://127.0.0.1:{dead_port}/hook"}


def _domain_rejection(response: Any) -> bool:
    """A 422 that is not the request validator's: the server knows more than a schema can say
    (``golden.not_member``: the record is not in that golden record; an attribute the dictionary
    lacks). A schema-valid request refused as ``request.invalid`` is a contract gap."""
    if response.status_code != 422:
        return False
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(code, str) and code != "request.invalid"


def _check(case: Any, auth: dict[str, str], failures: list[str], dead_port: int) -> None:
    _on_loopback(case, dead_port)
    response = case.call(headers=auth)
    if response.status_code >= 500:
        failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
    excluded = [positive_data_acceptance] if _domain_rejection(response) else []
    case.validate_response(response, headers=auth, excluded_checks=excluded)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_api_holds_up_under_fuzzing(fuzz_server: Served, schema: Any, dead_port: int, mode: GenerationMode) -> None:
    auth = {"Authorization": f"Bearer {fuzz_server.keys['admin']}"}
    failures: list[str] = []
    operations = coverage_cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        generation = schema.config.generation_for(operation=operation, phase="coverage")
        for n, case in enumerate(schema.iter_coverage_cases(operation, generation_modes=[mode],
                                                            generation_config=generation)):
            if n >= COVERAGE_CASES:
                break
            coverage_cases += 1
            try:
                _check(case, auth, failures, dead_port)
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, then report them all
                failures.append(f"{operation.label} (coverage) {case.body!r:.300}: {str(exc)[:600]}")

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def fuzz(case: Any) -> None:
            _check(case, auth, failures, dead_port)

        try:
            fuzz()
        except Unsatisfiable:  # e.g. no way to violate the schema of GET /health
            assert mode is GenerationMode.NEGATIVE, operation.label
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations >= 10 and coverage_cases >= operations
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    hooks = fuzz_server.client("admin").get("/api/v1/webhooks").json()["webhooks"]
    assert all(h["url"].startswith("http://127.0.0.1:") for h in hooks), [h["url"] for h in hooks]
