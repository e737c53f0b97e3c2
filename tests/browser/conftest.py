"""Browser-test harness: the Extranet started once per run, one Chromium, a page per test.

Run: `.venv/bin/python -m pytest -m browser` (Debian's Chromium at /usr/bin/chromium, or set
CHROMIUM_PATH). A failed test leaves a screenshot, the page HTML and the browser console in its
pytest temporary folder and prints where.

The backend runs inside this pytest process, so the environment (database, documents folder,
fast bcrypt) is set before the app module is imported, and the cached settings and engine are
cleared. The demo data comes from the real `python -m extranet_app.cli demo` command.

By default the app runs as in production (AppHarnessProd: static build served beside the
backend); EXTRANET_BROWSER_HARNESS=dev runs Reflex's dev server instead (AppHarness).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    WebSocket,
    expect,
    sync_playwright,
)

from tests.conftest import migrate_to_head
from tests.smtp_support import SmtpServer
from tools.node_shims import install_node_shims

if TYPE_CHECKING:
    from reflex.testing import AppHarness

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "extranet_app"
DEMO_PASSWORD = "Demo-Extranet-2026"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous for a cold first compile on 2 cores; each assertion waits at most this long.
EXPECT_TIMEOUT_MS = 10_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

_failure_dir_key = pytest.StashKey[Path]()
_console_key = pytest.StashKey[list[str]]()
_timings_key = pytest.StashKey[list[str]]()


@dataclass(frozen=True)
class RunningExtranet:
    """Where the app under test answers."""

    frontend_url: str
    backend_url: str
    database_url: str

    def url(self, path: str) -> str:
        """The absolute frontend address of `path` (e.g. "/connexion")."""
        return self.frontend_url.rstrip("/") + path


# --- The database and the environment -------------------------------------------------------


def _load_demo_data(environment: dict[str, str]) -> None:
    """Run the real demo command on the test database, failing loudly with its output."""
    result = subprocess.run(
        [sys.executable, "-m", "extranet_app.cli", "demo"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`python -m extranet_app.cli demo` failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _clear_app_caches() -> None:
    from extranet_app import db
    from extranet_app.settings import get_settings

    get_settings.cache_clear()
    db.get_engine.cache_clear()


def _record_timing(config: pytest.Config, what: str, started: float) -> None:
    """Note how long a set-up step took; printed at the end of the run."""
    timings = config.stash.setdefault(_timings_key, [])
    timings.append(f"{what} in {time.monotonic() - started:.1f} s")


@contextmanager
def _restored_environ() -> Iterator[None]:
    """Give back os.environ exactly as it was (the harness also sets variables of its own)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# The app, the database and Chromium live as long as the tests/browser package: started once,
# and gone before the other tests run in the same pytest process (Playwright's sync API keeps an
# event loop running in the main thread, and the harness changes Reflex's config and variables).
@pytest.fixture(scope="package")
def mail_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback: the app under test sends its e-mails there."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser_environment(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config, mail_server: SmtpServer
) -> Iterator[dict[str, str]]:
    """A migrated SQLite database with the demo data, and the environment pointing at it."""
    started = time.monotonic()
    folder = tmp_path_factory.mktemp("browser-app")
    environment = {
        "REFLEX_DB_URL": f"sqlite:///{folder / 'extranet.db'}",
        "DOCUMENTS_DIR": str(folder / "documents"),
        "MAIL_OUTBOX_DIR": str(folder / "mail-outbox"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_server.port),
        "MAIL_FROM": "extranet@agence.test",
        "BCRYPT_ROUNDS": "4",
        "EXTRANET_ENV": "test",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    with _restored_environ():
        os.environ.update(environment)
        node_bin = install_node_shims(folder / "node-bin")
        os.environ["PATH"] = f"{node_bin}{os.pathsep}{os.environ['PATH']}"
        _clear_app_caches()
        migrate_to_head(environment["REFLEX_DB_URL"])
        _load_demo_data(environment)
        _record_timing(pytestconfig, "database migrated and demo data loaded", started)
        yield environment
    _clear_app_caches()


# --- The running app --------------------------------------------------------------------------


def _harness_class() -> type[AppHarness]:
    """The production build by default; EXTRANET_BROWSER_HARNESS=dev for the dev server.

    Both start in 20-35 s here and pass reliably, but the whole suite takes about 60 s with the
    production build against 85 s with the dev server, which compiles each page on its first
    visit. The production build is also what users get.
    """
    from reflex.testing import AppHarness, AppHarnessProd

    mode = os.environ.get("EXTRANET_BROWSER_HARNESS", "prod")
    return AppHarness if mode == "dev" else AppHarnessProd


@pytest.fixture(scope="package")
def extranet(
    browser_environment: dict[str, str], pytestconfig: pytest.Config
) -> Iterator[RunningExtranet]:
    """The Extranet, started once for the whole browser suite."""
    import reflex.utils.exec as reflex_exec
    from reflex.config import get_config

    from extranet_app.api.hardening import harden

    # In production the backend serves the pages through `harden`; the harness serves them from
    # a separate static app: wrap it the same way so the pages run under the real CSP.
    # The static app runs in a thread of its own, which does not see the harness's config:
    # tell it where the backend is once the harness has started it.
    started_backend = {"url": ""}
    serve_pages = reflex_exec._frontend_prod_app
    reflex_exec._frontend_prod_app = lambda: harden(
        serve_pages(), backend_url=lambda: started_backend["url"]
    )
    harness_class = _harness_class()
    harness = harness_class.create(root=PROJECT_ROOT, app_name=APP_NAME)
    started = time.monotonic()
    try:
        with harness:
            _record_timing(pytestconfig, f"app started ({harness_class.__name__})", started)
            backend_url = get_config().api_url  # the harness points it at its own backend
            started_backend["url"] = backend_url
            yield RunningExtranet(
                frontend_url=_same_site_frontend_url(harness.frontend_url, backend_url),
                backend_url=backend_url,
                database_url=browser_environment["REFLEX_DB_URL"],
            )
    finally:
        reflex_exec._frontend_prod_app = serve_pages


def _same_site_frontend_url(frontend_url: str | None, backend_url: str) -> str:
    """The frontend address on the backend's host, so the session cookie is same-site.

    The dev server announces http://localhost:PORT but the backend listens on 127.0.0.1: two
    different sites, so the SameSite=Lax cookie set by the login route would not go with the
    websocket. The dev server listens on every address (`--host`), so use 127.0.0.1 for both,
    and tell the backend (its redirects and its Origin check use `deploy_url`). The production
    harness already serves the pages on 127.0.0.1: then nothing changes.
    """
    from reflex.config import get_config

    assert frontend_url is not None, "the frontend did not start"
    host = urlsplit(backend_url).hostname
    parts = urlsplit(frontend_url)
    same_site = parts._replace(netloc=f"{host}:{parts.port}").geturl()
    get_config().deploy_url = same_site.rstrip("/")
    return same_site


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: the quick tests report first, and never share the process
    with a running app (the sort is stable, so the order within each group is kept)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    if Path(CHROMIUM_PATH).exists():
        return
    if os.environ.get("EXTRANET_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium is required but missing at {CHROMIUM_PATH}.")
    # A developer's machine without Chromium still runs everything else; CI requires it.
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM_PATH} (apt-get install -y chromium)")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for timing in terminalreporter.config.stash.get(_timings_key, []):
        terminalreporter.write_line(f"browser harness: {timing}")


# --- Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the suite (Debian's: Playwright cannot download its own)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The window size; a test overrides it (e.g. a phone) with `@pytest.mark.parametrize`."""
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(
    browser: Browser,
    extranet: RunningExtranet,
    viewport: dict[str, int],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[Page]:
    """A fresh browser context (no cookies, no storage) and page, at the app's address."""
    context = browser.new_context(base_url=extranet.frontend_url, viewport=viewport, locale="fr-FR")
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(_describe_console(message)))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    request.node.stash[_failure_dir_key] = tmp_path
    request.node.stash[_console_key] = console
    yield page
    context.close()
    violations = [line for line in console if "Content Security Policy" in line]
    assert violations == [], "the page broke its Content-Security-Policy:\n" + "\n".join(violations)


def _describe_console(message: ConsoleMessage) -> str:
    return f"{message.type}: {message.text}"


def open_live(page: Page, path: str) -> None:
    """Open `path` and wait until the page is running: hydrated and talking to the backend.

    Reflex opens its websocket from an effect, i.e. once React has taken over the server-rendered
    HTML; typing into the form before that could be lost if React re-renders it.
    """
    # Any event socket of the new page will do: Reflex may reconnect once right after a
    # navigation, and the first socket can close before it receives anything.
    frames: list[int] = []

    def watch(socket: WebSocket) -> None:
        if "/_event" in socket.url:
            socket.on("framereceived", lambda _payload: frames.append(1))

    page.on("websocket", watch)
    try:
        page.goto(path)
        deadline = time.monotonic() + EXPECT_TIMEOUT_MS / 1000
        while not frames:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: the page never heard from the backend")
            page.wait_for_timeout(50)
    finally:
        page.remove_listener("websocket", watch)


def fill_login_form(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Open the login page and type the credentials, without submitting."""
    open_live(page, "/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)


def login_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Se connecter")


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form; the caller checks where the browser lands."""
    fill_login_form(page, email, password)
    login_button(page).click()
    page.wait_for_url(_left_login_form)


def _left_login_form(url: str) -> bool:
    # Either the login succeeded (another page) or it came back with an error in the query.
    return "/connexion" not in url or "erreur=" in url


_WATCH_SCRIPT = """
window.__shownTexts = [];
const watched = %s;
new MutationObserver(() => {
  const text = document.body ? document.body.innerText : "";
  for (const target of watched) {
    if (text.includes(target) && !window.__shownTexts.includes(target)) {
      window.__shownTexts.push(target);
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def watch_for_texts(page: Page, texts: list[str]) -> None:
    """From the next page load on, remember which of `texts` the page ever displays.

    A final-state check misses private data that flashes on screen before a redirect.
    """
    page.add_init_script(_WATCH_SCRIPT % json.dumps(texts))


def texts_shown(page: Page) -> list[str]:
    """Which watched texts the current document has displayed since it was loaded."""
    return page.evaluate("window.__shownTexts")


# --- Output of a failed test ------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failed browser test, save a screenshot and the page HTML and say where they are."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and isinstance(page, Page):
        report.sections.append(("browser", _capture_failure(item, page)))
    return report


def _capture_failure(item: pytest.Item, page: Page) -> str:
    folder = item.stash[_failure_dir_key]
    lines = [f"URL at failure: {page.url}"]
    try:
        page.screenshot(path=folder / "failure.png", full_page=True)
        (folder / "failure.html").write_text(page.content(), encoding="utf-8")
        lines.append(f"Screenshot: {folder / 'failure.png'}")
        lines.append(f"HTML: {folder / 'failure.html'}")
    except Exception as error:  # the page may have crashed: keep the original failure
        lines.append(f"(could not capture the page: {error})")
    console = item.stash.get(_console_key, [])
    if console:
        lines.append("Browser console:\n  " + "\n  ".join(console[-30:]))
    return "\n".join(lines)
