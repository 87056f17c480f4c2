"""Property-based run of the OpenAPI spec with schemathesis's checks: no server error, every status
code, content type and response shape as documented (so also the one 422 shape).

``PEACEWATCH_SCHEMATHESIS_EXAMPLES`` sets the examples per operation (default 8, quick enough for
CI; run with 100 or more before a release)."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from peacewatch.registry.api import create_app
from peacewatch.registry.service import Registry
from peacewatch.registry.settings import SecuritySettings

from .conftest import API

EXAMPLES = int(os.environ.get("PEACEWATCH_SCHEMATHESIS_EXAMPLES", "8"))


def test_openapi_spec_lists_every_route(client):
    spec = client.get("/openapi.json").json()
    assert f"{API}/cases/{{case_id}}/transitions" in spec["paths"]
    assert {"HTTPBearer", "APIKeyCookie"} <= set(spec["components"]["securitySchemes"])


def test_schemathesis_finds_no_server_error_or_undocumented_answer(engine, people):
    # Limits high enough that generated traffic is not refused for its volume.
    roomy = SecuritySettings(
        login_per_client="100000/minute",
        login_per_account="100000/minute",
        intake_per_client="100000/minute",
        intake_per_network="100000/minute",
        intake_overall="100000/minute",
        lookup_per_client="100000/minute",
        lookup_overall="100000/minute",
    )
    app = create_app(registry=Registry(engine=engine), settings=roomy)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = people.headers("coord")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            try:
                # positive_data_acceptance is left out: business rules the schema cannot express
                # (e.g. only a liaison has a TCC, a receipt has 20 digits) rightly answer 422.
                case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
            except Exception as exc:  # noqa: BLE001 - collect every operation's failures
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:400]}")

        check()
    assert not failures, "\n".join(failures[:10])
