"""The built HTML book as a reader sees it, in headless Chromium with the network cut.

Builds the book (`jupyter-book build . -W -n --keep-going`: any Sphinx warning fails), serves
`_build/html` on 127.0.0.1, opens every chapter page with every request to any other origin blocked,
and fails on: a console error, a blocked request, math left unrendered, a slider that does not change
what is shown when moved, a broken internal link, a wrong `<html lang>`, no link to the twin page.
A screenshot of each page is saved under `_build/screenshots/`.
"""
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest

from browser_deps import SKIP_MESSAGE, find_browser

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = find_browser()
# CI sets NNBOOK_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
if CHROMIUM is None and os.environ.get("NNBOOK_REQUIRE_BROWSER"):
    raise RuntimeError("NNBOOK_REQUIRE_BROWSER is set but no Chromium or Chrome was found")
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")
PAGES = re.findall(r"file: (chapters/(?:ko|en)/\d\d_\w+)", TOC)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason=SKIP_MESSAGE)]


@pytest.fixture(scope="module")
def built_book():
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0 and not warnings, "book build failed:\n" + "\n".join(warnings or log.splitlines()[-30:])
    return HTML


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _internal_links_ok(html_file, hrefs):
    """Relative links of a page point to files (and ids) that exist in the built book."""
    broken = []
    for href in hrefs:
        url, frag = urldefrag(href)
        if urlparse(href).scheme or href.startswith(("mailto:", "javascript:")):
            continue
        target = (html_file.parent / unquote(url)).resolve() if url else html_file
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(href)
        elif frag and target.suffix == ".html":
            text = target.read_text(encoding="utf-8")
            if f'id="{unquote(frag)}"' not in text:
                broken.append(href)
    return broken


@pytest.mark.parametrize("page_path", PAGES)
def test_chapter_page_in_a_browser(server, browser, page_path):
    lang = page_path.split("/")[1]
    other = "en" if lang == "ko" else "ko"
    blocked, console_errors = [], []
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(urljoin(server, page_path + ".html"), wait_until="load")

    # Math: wait for MathJax, then every math element has been typeset.
    has_math = page.locator(".math").count() > 0
    if has_math:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("MathJax.startup.promise")
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.math')).every(e => e.querySelector('mjx-container'))",
            timeout=20000)

    assert page.evaluate("document.documentElement.lang") == lang
    twin = page_path.replace(f"/{lang}/", f"/{other}/").split("/")[-1]
    assert page.locator(f"article a[href*='{other}/{twin}']").count() > 0 or \
        page.locator(f"article a[href$='{twin}.html']").count() > 0, "no visible link to the twin page"

    # Sliders: moving each one changes the frame and the value shown.
    sliders = page.locator(".nnbook-slider")
    for i in range(sliders.count()):
        s = sliders.nth(i)
        s.scroll_into_view_if_needed()
        shown = s.evaluate("e => Array.from(e.querySelectorAll('.nnbook-slider-frame')).filter(f => !f.hidden).map(f => f.id)")
        n = s.locator(".nnbook-slider-frame").count()
        assert len(shown) == 1 and n >= 2, f"slider {i}: {len(shown)} frames shown of {n}"
        current = int(s.locator("input[type=range]").input_value())
        target = 0 if current != 0 else n - 1
        s.locator("input[type=range]").fill(str(target))   # fires input and change events
        after = s.evaluate("e => Array.from(e.querySelectorAll('.nnbook-slider-frame')).filter(f => !f.hidden).map(f => f.id)")
        assert after != shown and len(after) == 1, f"slider {i} did not change the frame when moved"
        img_ok = s.evaluate("e => { const f = Array.from(e.querySelectorAll('.nnbook-slider-frame')).find(f => !f.hidden);"
                            " const im = f.querySelector('img'); return im.complete && im.naturalWidth > 0; }")
        assert img_ok, f"slider {i}: the frame's image did not load"

    # No empty or frozen live-widget boxes in the static book.
    assert page.locator(".jupyter-widgets, .widget-slider").count() == 0

    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    broken = _internal_links_ok(HTML / (page_path + ".html"), hrefs)

    page.evaluate("document.fonts.ready.then(() => true)")
    bad_fonts = page.evaluate("Array.from(document.fonts).filter(f => f.status === 'error').map(f => f.family)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (page_path.replace("chapters/", "").replace("/", "_") + ".png")), full_page=True)
    page.close()

    assert not blocked, f"requests outside the book were made: {blocked[:5]}"
    assert not console_errors, f"console errors: {console_errors[:5]}"
    assert not broken, f"broken internal links: {broken[:10]}"
    assert not bad_fonts, f"fonts that failed to load: {bad_fonts}"


def test_landing_page_offers_both_languages(server, browser):
    page = browser.new_page()
    page.goto(server + "index.html")          # redirects to the landing page
    page.wait_for_url("**/chapters/index.html")
    page.wait_for_load_state("load")
    hrefs = page.eval_on_selector_all("article a[href]", "els => els.map(e => e.getAttribute('href'))")
    page.close()
    assert any("ko/" in h for h in hrefs) and any("en/" in h for h in hrefs)
