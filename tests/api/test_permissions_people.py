"""Who may call the auth and me endpoints: anonymous callers get 401 wherever a token is needed."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import client_for
from tests.permissions import Rule, check_matrix

PUBLIC_AUTH = [
    # Public: the body decides (bad input -> 400), never the caller's identity.
    Rule("POST", "/api/auth/code/", "anonymous", 400, body={"phone": "not a phone"}),
    Rule("POST", "/api/auth/code/", "resident", 400, body={"phone": "not a phone"}),
    Rule("POST", "/api/auth/token/", "anonymous", 400, body={"phone": "07700 900123"}),
    Rule("POST", "/api/auth/token/", "resident", 400, body={"phone": "07700 900123"}),
    Rule("POST", "/api/auth/token/refresh/", "anonymous", 401, body={"refresh": "junk"}),
    Rule("POST", "/api/auth/token/refresh/", "resident", 401, body={"refresh": "junk"}),
    Rule("GET", "/healthz", "anonymous", 200),
    Rule("GET", "/api/schema/", "anonymous", 200),
    Rule("GET", "/api/docs/", "anonymous", 200),
]

PROTECTED = [
    Rule("POST", "/api/auth/logout/", "anonymous", 401, body={"refresh": "junk"}),
    Rule("POST", "/api/auth/logout/", "resident", 400, body={"refresh": "junk"}),
    Rule("GET", "/api/me/", "anonymous", 401),
    Rule("GET", "/api/me/", "resident", 200),
    Rule("GET", "/api/me/", "staff", 200),
    Rule("PATCH", "/api/me/", "anonymous", 401, body={"display_name": "Anon"}),
    Rule("PATCH", "/api/me/", "resident", 200, body={"display_name": "Morag"}),
    Rule("GET", "/api/me/export/", "anonymous", 401),
    Rule("GET", "/api/me/export/", "resident", 200),
    Rule("POST", "/api/me/home/", "anonymous", 401, body={"postcode": "KA21 5AB"}),
    Rule("POST", "/api/me/home/", "resident", 200, body={"postcode": "KA21 5AB"}),
    Rule("DELETE", "/api/me/", "anonymous", 401),
    Rule("GET", "/api/me/", "expired", 401),
    Rule("GET", "/api/me/", "garbage", 401),
    Rule("DELETE", "/api/me/", "resident", 204),
    # Once anonymised, the same access token is refused.
    Rule("GET", "/api/me/", "resident", 401),
]


def _client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.fixture
def clients(resident, staff_member):
    expired = AccessToken.for_user(resident)
    expired.set_exp(lifetime=-expired.lifetime)
    return {
        "anonymous": APIClient(),
        "resident": client_for(resident),
        "staff": client_for(staff_member.person),
        "expired": _client_with(f"Bearer {expired}"),
        "garbage": _client_with("Bearer not.a.token"),
    }


@pytest.mark.django_db
def test_public_auth_endpoints_are_open_to_everyone(clients):
    check_matrix(PUBLIC_AUTH, clients=clients, ids={})


@pytest.mark.django_db
def test_protected_people_endpoints_need_a_live_token(clients):
    check_matrix(PROTECTED, clients=clients, ids={})
