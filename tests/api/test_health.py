import pytest
from django.urls import path


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down(api_client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = api_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_schema_and_docs_are_public(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    assert api_client.get("/api/docs/").status_code == 200


# This module doubles as a URLconf wiring api.exceptions' handlers, as api/urls.py does.
handler400 = "api.exceptions.bad_request"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"


def _boom(request):
    raise RuntimeError("a bug outside any DRF view")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls(__name__)
def test_an_unknown_path_answers_json_404(client):
    response = client.get("/api/venues/1.5/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.urls(__name__)
def test_a_crash_outside_drf_answers_json_500(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Something went wrong on our side."}


def test_the_served_api_answers_json_404_for_unknown_paths(client):
    response = client.get("/api/meals/-1/messages/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
