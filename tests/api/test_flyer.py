"""GET /api/meals/{id}/flyer.pdf: the host's PDF, and JSON errors whatever the client accepts
(who may have it is in tests/api/test_permissions_meals.py)."""

import io

import pytest
from pypdf import PdfReader

from tests.factories import MealFactory

pytestmark = pytest.mark.django_db


def flyer_path(meal) -> str:
    return f"/api/meals/{meal.pk}/flyer.pdf"


@pytest.mark.clock("14:00")
def test_the_host_gets_the_pdf_to_print(host, host_client, settings):
    settings.SMS_PUBLIC_NUMBER = "07700 900001"
    meal = MealFactory(host=host, title="Tea on Glebe Street")

    response = host_client.get(flyer_path(meal), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="blether-{meal.code}.pdf"'
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    text = " ".join(page.extract_text().split())
    assert f"Text JOIN {meal.code} to 07700 900001" in text
    assert text.endswith(f"blether.test/m/{meal.code}")


@pytest.mark.clock("14:00")
@pytest.mark.parametrize("accept", ["application/pdf", "application/json", "text/html", "*/*"])
def test_a_refusal_is_json_whatever_the_client_accepts(host, host_client, resident_client, accept):
    draft = MealFactory(host=host, status="draft")
    published = MealFactory(host=host)

    refused = host_client.get(flyer_path(draft), HTTP_ACCEPT=accept)
    not_host = resident_client.get(flyer_path(published), HTTP_ACCEPT=accept)
    unknown = host_client.get("/api/meals/999999/flyer.pdf", HTTP_ACCEPT=accept)

    assert (refused.status_code, refused["Content-Type"], refused.json()) == (
        409,
        "application/json",
        {"detail": "Publish the meal first: a flyer is for a published meal."},
    )
    assert (not_host.status_code, not_host.json()) == (
        403,
        {"detail": "Only the host can print a flyer for this meal."},
    )
    assert (unknown.status_code, unknown["Content-Type"]) == (404, "application/json")
