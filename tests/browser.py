"""Open a local page in Debian's chromium through Playwright, with the network blocked.

Shared by the browser tests, the end-to-end test and the screenshot script::

    from .browser import open_page         # in a test module
    from tests.browser import open_page    # in a script run from the repository root

    with open_page(Path("output/graph.html")) as (page, console_errors, page_errors, requests):
        page.screenshot(path="graph.png")

Every request that is not ``file://`` is aborted and recorded in ``requests``; any
dialog (``alert``, ``confirm``, ...) is dismissed and recorded in ``page_errors``.
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
def open_page(
    path: Path, *, wait_ready: bool = True, viewport: tuple[int, int] = (1280, 800)
) -> Iterator[PageSession]:
    """Open ``path`` via file:// and yield ``(page, console_errors, page_errors, requests)``.

    With ``wait_ready`` it waits until the viewer has drawn the network once
    (``window.entityGraph.ready``).
    """
    reason = browser_unavailable()
    if reason:
        raise RuntimeError(reason)
    from playwright.sync_api import sync_playwright

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

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}
            )
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: m.type == "error"
                    and session.console_errors.append(m.text))
            page.on("pageerror", lambda err: session.page_errors.append(str(err)))
            page.on("dialog", dialog)
            page.goto(Path(path).resolve().as_uri())
            if wait_ready:
                page.wait_for_function(
                    "() => window.entityGraph && window.entityGraph.ready", timeout=30_000
                )
            yield session._replace(page=page)
        finally:
            browser.close()
