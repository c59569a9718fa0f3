"""Schemathesis against /api/v1/openapi.json: every operation, generated requests with a real token; no server
error and every answer conforms to the description (status, content type, schema)."""
from tests import factories
from tests.integration.conftest import issue


def test_fuzzing_the_description_finds_no_server_error_and_no_nonconforming_answer(app, placed):
    # Imported here, not at the top: schemathesis and hypothesis take seconds to import, and every xdist worker
    # collects this module while only one runs it.
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi import checks

    checks_ = [checks.status_code_conformance, checks.content_type_conformance, checks.response_schema_conformance]
    factories.entity_draw(placed.current)
    _, raw = issue()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # identity: the app compresses large answers (faces/assets.py) and the WSGI transport does not decode them
    headers = {"Authorization": f"Bearer {raw}", "Accept-Encoding": "identity"}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.path, case.query, response.text[:300])
            case.validate_response(response, checks=checks_)

        fuzz()
        tried += 1
    assert tried == 15
