"""Open a local page in Debian's chromium through Playwright, with the network blocked.

Shared by the browser tests, the end-to-end test and the screenshot script::

    from .browser import open_page         # in a test module
    from tests.browser import open_page    # in a script run from the repository root

    with open_page(Path("output/graph.html")) as (page, console_errors, page_errors, requests):
        page.screenshot(path="graph.png")

Every request that is not ``file://`` is aborted and recorded in ``requests``; any
dialog (``alert``, ``confirm``, ...) is dismissed and recorded in ``page_errors``.
Tests that open many pages share one browser process (a new context per page)::

    with chromium() as browser, open_page(path, browser=browser) as session: ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

CHROMIUM = os.environ.get("ENTITY_GRAPH_CHROMIUM", "/usr/bin/chromium")
"""The browser binary; Playwright's own downloads are never used."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class PageSession(NamedTuple):
    """An open page and what went wrong while it ran."""

    page: Any
    """The Playwright ``Page``."""
    console_errors: list[str]
    """Text of every console message of type ``error``."""
    page_errors: list[str]
    """Uncaught exceptions, and any dialog the page opened."""
    requests: list[str]
    """URLs of blocked (non-``file://``) requests."""


def browser_unavailable() -> str | None:
    """Why the browser cannot be used here, or None if it can."""
    if not Path(CHROMIUM).exists():
        return f"chromium not found at {CHROMIUM} (install Debian's chromium package)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; no browser download needed)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch Debian's chromium once, for several ``open_page(..., browser=...)`` calls."""
    reason = browser_unavailable()
    if reason:
        raise RuntimeError(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(
    path: Path,
    *,
    wait_ready: bool = True,
    viewport: tuple[int, int] = (1280, 800),
    browser: Any = None,
) -> Iterator[PageSession]:
    """Open ``path`` via file:// and yield ``(page, console_errors, page_errors, requests)``.

    With ``wait_ready`` it waits until the viewer has drawn the network once
    (``window.entityGraph.ready``). Each call gets a fresh browser context; pass a
    ``browser`` from :func:`chromium` to share one browser process between calls.
    """
    if browser is None:
        with chromium() as own, open_page(path, wait_ready=wait_ready, viewport=viewport,
                                          browser=own) as session:
            yield session
        return

    session = PageSession(None, [], [], [])

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            session.requests.append(r.request.url)
            r.abort()

    def dialog(d: Any) -> None:
        session.page_errors.append(f"unexpected {d.type} dialog: {d.message}")
        d.dismiss()

    def console(message: Any) -> None:
        if message.type == "error":
            session.console_errors.append(message.text)

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  accept_downloads=True)
    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda err: session.page_errors.append(str(err)))
        page.on("dialog", dialog)
        page.goto(Path(path).resolve().as_uri())
        if wait_ready:
            page.wait_for_function(
                "() => window.entityGraph && window.entityGraph.ready", timeout=30_000
            )
        yield session._replace(page=page)
    finally:
        context.close()
