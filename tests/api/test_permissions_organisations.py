"""Who may read organisations and their reports."""

import pytest

from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, VenueFactory
from tests.permissions import Rule, check_matrix

pytestmark = pytest.mark.django_db

REPORT = "/api/organisations/{org}/report/?from=2026-10-01&to=2026-10-31"
CSV = REPORT + "&format=csv"

RULES = [
    Rule("GET", "/api/organisations/{org}/", "anonymous", 401),
    Rule("GET", "/api/organisations/{org}/", "resident", 200),
    Rule("GET", "/api/organisations/{org}/", "outsider", 200),
    Rule("GET", "/api/organisations/{org}/", "staff", 200),
    Rule("GET", "/api/organisations/{org}/", "admin", 200),
    Rule("GET", "/api/organisations/{missing}/", "staff", 404),
    Rule("GET", REPORT, "anonymous", 401),
    Rule("GET", REPORT, "resident", 403),
    Rule("GET", REPORT, "outsider", 403),
    Rule("GET", REPORT, "superuser", 403),
    Rule("GET", REPORT, "staff", 200),
    Rule("GET", REPORT, "admin", 200),
    Rule("GET", CSV, "anonymous", 401),
    Rule("GET", CSV, "outsider", 403),
    Rule("GET", CSV, "staff", 200),
    Rule("GET", "/api/organisations/{missing}/report/?from=2026-10-01&to=2026-10-31", "staff", 404),
    Rule("POST", "/api/organisations/{org}/", "admin", 405, body={}),
    Rule("PATCH", "/api/organisations/{org}/", "admin", 405, body={}),
    Rule("DELETE", "/api/organisations/{org}/", "admin", 405),
    Rule("GET", "/api/organisations/", "staff", 404),
]


def test_permission_matrix(api_client):
    org = OrganisationFactory()
    VenueFactory(organisation=org)
    clients = {
        "anonymous": api_client,
        "resident": client_for(UserFactory(has_app=True)),
        "outsider": client_for(MembershipFactory(role="admin").person),
        "superuser": client_for(UserFactory(is_staff=True, is_superuser=True)),
        "staff": client_for(MembershipFactory(organisation=org, role="staff").person),
        "admin": client_for(MembershipFactory(organisation=org, role="admin").person),
    }

    check_matrix(RULES, clients=clients, ids={"org": org.pk, "missing": org.pk + 1000})
