"""Sign in with the code from the console gateway's text, with JavaScript on and off."""

import re

import pytest
from playwright.sync_api import expect

from people.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from(texts, phone: str) -> str:
    bodies = [t["body"] for t in texts if t["to"] == phone]
    assert len(bodies) == 1, bodies
    return re.search(r"\b([0-9]{6})\b", bodies[0]).group(1)


def sign_in(page, audit, sent_texts) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobile number")
    audit("sign in")

    page.get_by_label("Mobile number").fill("01294 123456")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a mobile number")
    expect(page.get_by_label("Mobile number")).to_have_value("01294 123456")
    audit("sign in, with errors")
    assert sent_texts == []

    page.get_by_label("Mobile number").fill("07700 900123")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Code from the text")
    audit("code from the text")

    page.get_by_label("Code from the text").fill("12345")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is 6 digits.")
    audit("code, with errors")

    page.get_by_label("Code from the text").fill(code_from(sent_texts, "+447700900123"))
    page.get_by_role("button", name="Sign in").click()

    # A first sign-in asks only for a first name.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your first name")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your first name.")
    audit("welcome, with errors")
    page.get_by_label("Your first name").fill("Morag")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meals near me")
    audit("signed in")
    person = User.objects.get(phone="+447700900123")
    assert (person.display_name, person.has_app) == ("Morag", True)


def test_sign_in_with_the_code_from_the_text_and_sign_out(
    page, live_server, audit, clock, sent_texts
):
    sign_in(page, audit, sent_texts)
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert (session["httpOnly"], session["sameSite"]) == (True, "Lax")

    with page.expect_response(lambda r: r.request.method == "POST") as out:
        page.get_by_role("button", name="Sign out").click()
    assert out.value.all_headers()["clear-site-data"] == '"cache", "cookies", "storage"'
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobile number")
    assert [c["name"] for c in page.context.cookies() if c["name"] == "sessionid"] == []
