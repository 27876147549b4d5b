"""Browser tests: pytest-playwright driving Debian's chromium (never `playwright install`)
against Django's live server, on a 360 x 740 phone screen, with axe-core on every page."""

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.test import Client

from notifications.gateways import get_gateway

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls, as in any live-server test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
# Every control, and every link that stands alone, must be at least 44 x 44 px to tap;
# links inside a sentence are exempt (as in WCAG 2.5.5), and so is the skip link until focused.
SMALL_TARGETS = """() => {
    const controls = "button, input:not([type=hidden]), select, textarea, summary, "
        + "a.blether-tap, a.govuk-back-link, a.blether-header__link, a.blether-header__name, "
        + "a.govuk-button, .blether-meal__title a";
    return [...document.querySelectorAll(controls)]
        .filter(el => el.getClientRects().length && !el.closest(".govuk-skip-link"))
        .map(el => ({el, box: el.getBoundingClientRect()}))
        .filter(({box}) => box.height < 43.5 || box.width < 43.5)
        .map(({el, box}) => `${el.tagName.toLowerCase()}.${el.className} "${
            (el.innerText || el.name || "").trim().slice(0, 30)}" ${
            Math.round(box.width)}x${Math.round(box.height)}`);
}"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session", autouse=True)
def _live_server_closes_its_connections():
    """The live server answers each request on a thread of its own; with persistent
    connections (CONN_MAX_AGE) those threads would leave sessions open on the test database."""
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    for conn in connections.all():
        conn.settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _the_live_server_queues_with_blethers_celery_app():
    """Texts a page writes are queued through Blether's Celery app (eager in tests), even in
    eager mode by way of its producer pool. Start each browser test with that app as the
    default of every thread (the live server answers on threads of its own) and with fresh
    pools, whatever an earlier test pointed them at and closed: kombu keeps one pool per
    broker URL for the whole process, and a test that force-closes it (tests/faults) leaves
    every later publish, even an eager one, failing with "Acquire on closed pool"."""
    from celery import _state
    from kombu import pools

    from api.celery import app

    before = _state.default_app
    app.set_default()
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    yield
    _state.set_default_app(before)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup.sh --with-browser`")
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "viewport": PHONE, "base_url": live_server.url}


def axe_violations(page) -> list[dict]:
    """What axe-core finds wrong on the page as it is now, under AXE_TAGS."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))
            }));
        }""",
        AXE_TAGS,
    )


class Audit:
    """Runs axe-core on a page and remembers every server error the browser saw."""

    def __init__(self, page):
        self.page = page
        self.server_errors: list[str] = []
        self.script_errors: list[str] = []
        self.pages_checked: list[str] = []
        page.on(
            "response",
            lambda r: self.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def __call__(self, label: str = "") -> None:
        """Check the page as it is now: 0 axe violations, no server or script error so far."""
        page = self.page
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        where = f"{label or page.url}"
        assert violations == [], f"axe violations on {where}: {violations}"
        small = page.evaluate(SMALL_TARGETS)
        assert small == [], f"tap targets under 44 px on {where}: {small}"
        assert self.server_errors == [], f"server errors by {where}: {self.server_errors}"
        assert self.script_errors == [], f"script errors by {where}: {self.script_errors}"
        self.pages_checked.append(where)


@pytest.fixture
def audit(page):
    return Audit(page)


@pytest.fixture
def sent_texts():
    """Texts the console gateway has 'sent' in this test (the live server shares the process)."""
    return get_gateway().sent


def sign_in_as(context, live_server, user) -> None:
    """Put a signed-in session's cookie into the browser, as if they had signed in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


# A Wednesday afternoon in London, after the real date (so cookies set from it are live in
# the browser): what a page shows never depends on the hour or day the tests run.
PINNED = dt.datetime(2027, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def clock():
    """The clock pinned to PINNED, ticking on from there; `clock.move_to(when)` jumps."""
    with time_machine.travel(PINNED, tick=True) as traveller:
        yield traveller
