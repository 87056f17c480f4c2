"""Property-based run of the OpenAPI spec: no generated request may cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from peacewatch.registry.api import create_app
from peacewatch.registry.service import Registry

from .conftest import API


def test_openapi_spec_lists_every_route(client):
    spec = client.get("/openapi.json").json()
    assert f"{API}/cases/{{case_id}}/transitions" in spec["paths"]
    assert {"HTTPBearer", "APIKeyCookie"} <= set(spec["components"]["securitySchemes"])


def test_schemathesis_finds_no_server_error(engine, people):
    app = create_app(registry=Registry(engine=engine))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = people.headers("coord")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

        check()
    assert not failures, "\n".join(failures[:10])
