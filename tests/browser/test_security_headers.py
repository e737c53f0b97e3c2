"""The pages arrive with the production security headers, still work, and refuse injected code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, _console_key, login
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser


def test_pages_carry_the_policy_and_an_injected_script_does_not_run(
    page: Page, extranet: RunningExtranet, request: pytest.FixtureRequest
) -> None:
    response = page.goto(extranet.url("/connexion"))
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "'sha256-" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    login(page, "locataire@demo.extranet.fr")
    expect(page).to_have_url(path_pattern("/locataire"))
    ran = page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = 1'; document.body.appendChild(s);"
        " return window.__injected || 0 }"
    )
    assert ran == 0
    console = request.node.stash[_console_key]
    assert any("Content Security Policy" in line for line in console)
    # The violation was the point of this test: the fixture must not count it as a breakage.
    console.clear()
