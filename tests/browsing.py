"""Chromium fixtures shared by every test folder: Debian's Chromium driven by Playwright.

Loaded as a pytest plugin from tests/conftest.py. One browser per test session: Playwright's
sync API allows one running instance per thread.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("KBM_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core" / "axe.min.js"
# Without these flags Chromium phones home (updates, sync, QUIC) and, as root, refuses to start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_RUN = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
    });
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)
    }));
}"""
# Reports every Content-Security-Policy violation of a page (its own console message aside).
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) => console.error(
    `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}` +
    ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`));"""


@pytest.fixture(scope="session")
def browser():
    """Start headless Chromium once per session (skip, or fail under `make test`, if absent)."""
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}; `make test` installs it (package chromium)"
        if os.environ.get("KBM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class RecordingPage:
    """A page that records every request it makes, every console error and CSP violation."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        page.add_init_script(CSP_LISTENER)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self.record_console)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def record_console(self, msg) -> None:
        """Keep console errors; those about the Content-Security-Policy also as violations."""
        if msg.type != "error":
            return
        self.console_errors.append(msg.text)
        if msg.text.startswith("CSP violation:") or "Content Security Policy" in msg.text:
            self.csp_violations.append(msg.text)

    def foreign_requests(self) -> list[str]:
        """Return the requests that went anywhere but 127.0.0.1 (data: URLs aside)."""
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:", "about:"))
            and urlsplit(url).hostname != "127.0.0.1"
        ]

    def axe_violations(self) -> list[dict]:
        """Run axe-core (WCAG 2.1 A/AA rules) on the page and return its violations.

        axe is evaluated rather than injected as a script tag, so pages with a strict
        Content-Security-Policy (the staff area) can be checked too.
        """
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        return self.page.evaluate(AXE_RUN)


@pytest.fixture()
def page(browser):
    """Open a fresh browser context and page that record their requests."""
    context = browser.new_context(locale="de-DE")
    recording = RecordingPage(context.new_page())
    yield recording
    context.close()
