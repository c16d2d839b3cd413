"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis),
against a real server on its own copy of the demo: no 5xx, and responses that match the
documented status codes, content types and schemas, for schema-valid and hostile
(schema-violating) requests alike. Bounded (a few examples per operation and mode)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from steward_e2e import Served

EXAMPLES = 8


@pytest.fixture(scope="module")
def fuzz_server(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("fuzz")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_api_holds_up_under_fuzzing(fuzz_server: Served, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    auth = {"Authorization": f"Bearer {fuzz_server.keys['admin']}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call(headers=auth)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
            case.validate_response(response, headers=auth)

        try:
            fuzz()
        except Unsatisfiable:  # e.g. no way to violate the schema of GET /health
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations >= 10
    assert not failures, "\n\n".join(failures)
