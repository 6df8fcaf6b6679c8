"""Schemathesis over the OpenAPI document, in-process (the WSGI app, no server): for generated
requests to every operation, no server error and every answer as the document says (status,
content type, headers, body). Examples are capped to keep the suite fast; the concept in the path
is the Bochum demo's, so that the answers carry data. Left out is only the check that every
schema-valid request is accepted: some rules are not expressible in OpenAPI (a quarter id must be
one of the concept's, a bbox's minimum lies before its maximum) and are 400s with a message."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from isek.config.wsgi import application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app itself, which closes the database connection at the end of
    each request (request_finished); inside a test's transaction that would end it. Django's test
    client does the same as this."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@hypothesis_settings(max_examples=12, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, bochum):
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = "bochum-innenstadt"
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    # the WSGI client asks for gzip but does not unpack it (public JSON is compressed, issue 22;
    # tests/api/test_json_gzip.py): the document describes the content, so ask for it unpacked
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance])
