"""Fuzz every operation of the served OpenAPI schema, in-process, as a signed-in person.

Operations are discovered from `/api/schema/` at collection time, so each endpoint a later
issue adds is fuzzed without touching this file. Each operation gets a bounded, derandomised
run: no 5xx, and status codes, bodies and content types as the schema says (every status the
server answers must be documented for that operation). Nothing is excluded: the Twilio
webhooks are fuzzed too, each generated form post signed as Twilio would sign it.
"""

import io
from urllib.parse import parse_qsl

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from api.wsgi import application
from tests.factories import MembershipFactory, VenueFactory

MAX_EXAMPLES = 12

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261123,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "mode": "all",
            # We send a real person's token; generated Authorization headers would only 401.
            "with-security-parameters": False,
        },
        # The coverage phase is unbounded by max-examples; keep the run's cost per operation flat.
        "phases": {"coverage": {"enabled": False}},
    }
)

FUZZ_TWILIO_TOKEN = "fuzz-twilio-auth-token"


def signing_twilio(app):
    """Sign each form post exactly as sent, as Twilio signs its webhooks, so /api/sms/ is
    fuzzed past the signature check instead of answering every example with 403."""

    def signed_app(environ, start_response):
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = MultiDict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            url = django_settings.PUBLIC_BASE_URL + environ["PATH_INFO"]
            if environ.get("QUERY_STRING"):
                url += "?" + environ["QUERY_STRING"]
            signature = RequestValidator(FUZZ_TWILIO_TOKEN).compute_signature(url, form)
            environ["HTTP_X_TWILIO_SIGNATURE"] = signature
        return app(environ, start_response)

    return signed_app


schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
schema.app = signing_twilio(application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


@pytest.fixture
def _keep_test_connection():
    """As Django's test client does: the WSGI app must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(db, _keep_test_connection, settings):
    """Signed in as a person with the app who is staff of an organisation that runs a venue."""
    settings.TWILIO_AUTH_TOKEN = FUZZ_TWILIO_TOKEN
    membership = MembershipFactory(role="staff")
    VenueFactory(organisation=membership.organisation)
    access = RefreshToken.for_user(membership.person).access_token
    return {"Authorization": f"Bearer {access}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_operation_conforms_to_schema(case, fuzz_headers):
    response = case.call(headers=fuzz_headers)
    case.validate_response(response, checks=CHECKS, headers=fuzz_headers)
