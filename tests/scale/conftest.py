"""Scale-out smoke harness: the app in prod mode on PostgreSQL, Redis and 3 backend workers.

Run: `make test-scale` (or `pytest -m scale tests/scale`). It needs a PostgreSQL server
(TEST_POSTGRES_URL, by default postgres@127.0.0.1:5432 with trust auth), a Redis server
(SCALE_REDIS_URL, by default redis://127.0.0.1:6379) and Debian's Chromium. Other runs never
collect these tests: `make test` stays on SQLite without Redis.

Unlike tests/browser (the app inside the pytest process), the app runs here as it does in
production: `reflex run --env prod` in a process of its own, which builds the frontend and serves
it with the backend on one port through granian, GRANIAN_WORKERS processes sharing their state in
Redis. The database is a new PostgreSQL database, migrated to head and filled by the demo command.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.conftest import _new_postgres_database, migrate_to_head
from tests.smtp_support import SmtpServer
from tools.node_shims import install_node_shims

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCALE_DIR = Path(__file__).resolve().parent
REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379")
WORKERS = 3
# A cold prod build (npm install and vite) on 2 busy cores; a warm start takes about 30 s.
START_TIMEOUT_S = 420


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scale: prod mode on PostgreSQL + Redis with several workers (make test-scale)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave these tests out of every run that does not ask for them with `-m scale`."""
    if "scale" in (config.getoption("markexpr") or ""):
        return
    ours = [item for item in items if SCALE_DIR in Path(item.path).parents]
    if ours:
        config.hook.pytest_deselected(items=ours)
        items[:] = [item for item in items if item not in ours]


@dataclass(frozen=True)
class ScaledExtranet:
    """The running app: its address, its database and its server process."""

    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def worker_pids(self) -> set[int]:
        """The granian workers the server announced in its log and that still run under it."""
        log = self.log_path.read_text(errors="replace")
        announced = {int(pid) for pid in _SPAWNED.findall(log)}
        server = psutil.Process(self.process.pid)
        return announced & {child.pid for child in server.children(recursive=True)}

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's output, for failure messages."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# Granian's own line for each worker it starts (GRANIAN_LOG_LEVEL=info).
_SPAWNED = re.compile(r"Spawning worker-\d+ with PID: (\d+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis unavailable at {REDIS_URL}: {error}", pytrace=False)


def _run_checked(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 (our own command line)
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{command} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Wait for the login page to be served (frontend built, backend up), or fail with the log."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app stopped ({process.returncode}):\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=2) as ping:  # noqa: S310 (loopback)
                if ping.status == 200:
                    with urllib.request.urlopen(f"{url}/connexion", timeout=5) as page:  # noqa: S310
                        if page.status == 200:
                            return
        except urllib.error.HTTPError as error:
            if error.code >= 500:  # up, but broken: no use waiting
                pytest.fail(f"{error.url} answered {error.code}:\n{log_path.read_text()[-6000:]}")
        except OSError:
            pass  # not listening yet
        time.sleep(1)
    log = log_path.read_text()[-4000:]
    pytest.fail(f"the app did not answer within {START_TIMEOUT_S} s:\n{log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers: the process group this fixture started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="package")
def scaled_extranet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledExtranet]:
    """The Extranet in prod mode: PostgreSQL, Redis state manager, 3 granian workers."""
    _require_redis()
    folder = tmp_path_factory.mktemp("scale-app")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    mail_server = SmtpServer()
    mail_server.start()
    with _new_postgres_database(required=True) as database_url:
        environment = {
            **os.environ,
            "REFLEX_DB_URL": database_url,
            "REFLEX_REDIS_URL": REDIS_URL,
            "GRANIAN_WORKERS": str(WORKERS),
            "GRANIAN_LOG_LEVEL": "info",  # its log names each worker's PID
            # The browser talks to 127.0.0.1: the login cookie's site must be the same.
            "REFLEX_API_URL": url,
            "REFLEX_DEPLOY_URL": url,
            "PUBLIC_URL": url,
            "EXTRANET_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mail_server.port),
            "MAIL_FROM": "extranet@agence.test",
            "DOCUMENTS_DIR": str(folder / "documents"),
            "MAIL_OUTBOX_DIR": str(folder / "mail-outbox"),
            "BCRYPT_ROUNDS": "4",
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
        }
        node_bin = install_node_shims(folder / "node-bin")
        environment["PATH"] = f"{node_bin}{os.pathsep}{environment['PATH']}"
        migrate_to_head(database_url)
        # The demo command refuses to run in production, rightly: load it as the demo does.
        demo_environment = {**environment, "EXTRANET_ENV": "demo"}
        _run_checked([sys.executable, "-m", "extranet_app.cli", "demo"], demo_environment)
        log_path = folder / "reflex-run.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 (our own command line)
                [
                    sys.executable,
                    "-m",
                    "reflex",
                    "run",
                    "--env",
                    "prod",
                    "--single-port",
                    "--backend-host",
                    "127.0.0.1",
                    "--backend-port",
                    str(port),
                ],
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
            )
        try:
            _wait_until_serving(process, url, log_path)
            yield ScaledExtranet(url, database_url, process, log_path)
        finally:
            _stop(process)
            mail_server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's) for the smoke test."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
