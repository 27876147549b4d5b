"""Browser tests of the admin: the web front end's harness (Debian's chromium, axe-core, the
live server), on a laptop screen instead of a phone."""

import pytest

from tests.web.browser.conftest import (  # noqa: F401  (fixtures, used by name)
    _live_server_closes_its_connections,
    _the_live_server_queues_with_blethers_celery_app,
    axe_violations,
    browser_type_launch_args,
    clock,
)
from tests.web.conftest import safety_catalogue  # noqa: F401

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "viewport": LAPTOP, "base_url": live_server.url}


class AdminAudit:
    """axe-core on the page as it is, no server error so far, and nothing wider than the
    window: the admin's pages must fit a laptop without scrolling sideways."""

    def __init__(self, page):
        self.page = page
        self.server_errors: list[str] = []
        page.on(
            "response",
            lambda r: self.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )

    def __call__(self, label: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        assert violations == [], f"axe violations on {label}: {violations}"
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{label} scrolls sideways: {widths}"
        assert self.server_errors == [], f"server errors by {label}: {self.server_errors}"


@pytest.fixture
def admin_audit(page):
    return AdminAudit(page)
