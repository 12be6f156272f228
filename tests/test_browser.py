"""The built HTML book as a reader sees it, in headless Chromium with the network cut.

Builds the book (`jupyter-book build . -W -n --keep-going --all`: any Sphinx warning fails), serves
`_build/html` on 127.0.0.1, opens every chapter page with every request to any other origin blocked,
and fails on: a console error, a blocked request, math left unrendered, a wrong `<html lang>`, no link to
the twin page, a broken internal link, and
* a slider control that does not show its own frame for each of its values, that arrow keys do not move,
  or a frame without alt text (every control of every slider on every page is moved through all values);
* a Hangul character, in prose or in math (`\\text{입력}`), drawn with any font but the book's NanumGothic
  (Chromium reports the fonts it used for each text node: a fallback box or a missing glyph shows up as
  another font), or drawn with no width;
* a link or button to a placeholder repository, or any repository/Colab/Binder button while
  `repository.url` in `_config.yml` is empty;
* overlapping header elements at 1024, 1280 and 1920 pixels wide (screenshots of each).
Screenshots go to `_build/screenshots/` (the top of each chapter page; the whole page with
NNBOOK_FULL_SCREENSHOTS=1, which takes about 3 s more per page). The machine has no Korean system font (check: `fc-list :lang=ko`
prints nothing), so the Hangul check shows what a reader without one sees.
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
OTHER_PAGES = ["chapters/index", "chapters/glossary", "chapters/references"]
WIDTHS = [1024, 1280, 1920]
FULL_SCREENSHOTS = bool(os.environ.get("NNBOOK_FULL_SCREENSHOTS"))
# What test_chapter_page_in_a_browser counted on each Korean page: the \text{…} runs with Hangul that
# MathJax typeset (test_korean_math_uses_the_book_font opens only the pages missing here).
_MATH_HANGUL = {}
_COUNT_MATH_HANGUL = r"""() => Array.from(document.querySelectorAll('mjx-container mjx-utext'))
    .filter(e => /[\uac00-\ud7a3]/.test(e.textContent)).length"""

sys.path.insert(0, str(ROOT))
from nnbook.book.repository import PLACEHOLDERS, configured_repository  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason=SKIP_MESSAGE)]


@pytest.fixture(scope="module")
def built_book():
    jb = Path(sys.executable).with_name("jupyter-book")
    # --all: pages not changed since the last build are written again with the current machinery.
    proc = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all"],
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


def _open(browser, server, page_path, width=1280, height=900):
    """A page with every request outside the book blocked; returns (page, blocked, console_errors)."""
    blocked, console_errors = [], []
    page = browser.new_page(viewport={"width": width, "height": height})

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
    if page.locator(".math").count() > 0:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("MathJax.startup.promise")
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.math')).every(e => e.querySelector('mjx-container'))",
            timeout=20000)
    # The fonts, then the book's re-shaping of the text (nnbook.js: a frame and a task after loading).
    page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100))))")
    return page, blocked, console_errors


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


# -- sliders ---------------------------------------------------------------------------------------

_SHOWN = "e => Array.from(e.querySelectorAll('.nnbook-slider-frame')).filter(f => !f.hidden).map(f => f.id)"
_OUTPUTS = "e => Array.from(e.querySelectorAll('output')).map(o => o.textContent).join(' | ')"
_FRAME_OK = ("e => { const f = Array.from(e.querySelectorAll('.nnbook-slider-frame')).find(f => !f.hidden);"
             " const im = f && f.querySelector('img');"
             " return !!im && im.complete && im.naturalWidth > 0 && im.getBoundingClientRect().width > 0; }")


def check_sliders(page):
    """Every control of every slider: each value shows its own frame (with the others held), the image
    loads, the value shown changes; arrow keys move a control; every frame has alt text. [problems]"""
    problems = []
    sliders = page.locator(".nnbook-slider")
    for i in range(sliders.count()):
        s = sliders.nth(i)
        name = s.get_attribute("id") or f"slider {i}"
        if not (name.startswith("nnbook-slider-")):
            problems.append(f"{name}: id is not nnbook-slider-<key>")
        s.scroll_into_view_if_needed()
        n_frames = s.locator(".nnbook-slider-frame").count()
        alts = s.evaluate("e => Array.from(e.querySelectorAll('.nnbook-slider-frame img')).map(i => (i.alt || '').trim())")
        if n_frames < 2 or len(alts) != n_frames or not all(alts):
            problems.append(f"{name}: {n_frames} frames, {sum(map(bool, alts))} with alt text")
        controls = s.locator("input[type=range]")
        if controls.count() == 0:
            problems.append(f"{name}: no range input")
        product = 1
        for j in range(controls.count()):
            c = controls.nth(j)
            start = c.input_value()
            lo, hi = int(c.get_attribute("min") or 0), int(c.get_attribute("max") or 0)
            product *= hi - lo + 1
            seen = {}
            for v in range(lo, hi + 1):
                c.fill(str(v))                    # fires input and change events
                shown = s.evaluate(_SHOWN)
                if len(shown) != 1:
                    problems.append(f"{name} control {j} = {v}: {len(shown)} frames shown")
                    continue
                if not s.evaluate(_FRAME_OK):
                    problems.append(f"{name} control {j} = {v}: the frame's image did not load")
                seen[v] = (shown[0], s.evaluate(_OUTPUTS))
            frames = [f for f, _ in seen.values()]
            if len(set(frames)) != hi - lo + 1:
                problems.append(f"{name} control {j}: {hi - lo + 1} values show {len(set(frames))} different frames")
            if len({o for _, o in seen.values()}) != hi - lo + 1:
                problems.append(f"{name} control {j}: the value shown does not follow the control")
            # Keyboard: from the first value, ArrowRight moves to the next value and frame; ArrowLeft back.
            c.fill(str(lo))
            before = s.evaluate(_SHOWN)
            c.focus()
            page.keyboard.press("ArrowRight")
            after = s.evaluate(_SHOWN)
            if c.input_value() != str(lo + 1) or after == before:
                problems.append(f"{name} control {j}: ArrowRight did not move the slider to its next frame")
            page.keyboard.press("ArrowLeft")
            if c.input_value() != str(lo) or s.evaluate(_SHOWN) != before:
                problems.append(f"{name} control {j}: ArrowLeft did not move the slider back")
            c.fill(start)
        if controls.count() and product != n_frames:
            problems.append(f"{name}: {n_frames} frames for {product} combinations of the controls")
    return problems


# -- Hangul ----------------------------------------------------------------------------------------

_MARK_HANGUL = r"""() => {
  const H = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/g;
  let k = 0, zero = [], measured = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden' || el.closest('mjx-assistive-mml')) continue;
    let n = 0;
    for (const t of el.childNodes) {
      if (t.nodeType !== 3) continue;
      const m = t.textContent.match(H);
      if (!m) continue;
      n += m.length;
      const r = document.createRange(); r.selectNodeContents(t);
      if (r.getBoundingClientRect().width <= 0 && !el.closest('mjx-assistive-mml')) zero.push(t.textContent.trim().slice(0, 30));
    }
    if (!n) continue;
    el.setAttribute('data-nnbook-hangul', String(n));
    k++;
    // MathJax sets the width of \text{...} from its own measurement: it must match the drawn text.
    if (el.tagName === 'MJX-UTEXT' && el.style.width) {
      const r = document.createRange(); r.selectNodeContents(el);
      measured.push([el.textContent, parseFloat(el.style.width), r.getBoundingClientRect().width]);
    }
  }
  return {count: k, zero: zero, measured: measured};
}"""


def check_hangul(page):
    """Every rendered Hangul character is drawn with NanumGothic and has width. [problems], count."""
    problems = []
    info = page.evaluate(_MARK_HANGUL)
    problems += [f"Hangul drawn with no width: {t!r}" for t in info["zero"]]
    # The text fits the room MathJax made for it (no overlap with the next symbol). In a subscript
    # (an underbrace label) MathJax 3 makes room at the unscaled size: up to 1/0.707 too wide, not too narrow.
    for text, declared, drawn in info["measured"]:
        if drawn > declared + 2 or drawn < 0.6 * declared:
            problems.append(f"math text {text!r}: MathJax made room for {declared:.0f}px, the text is {drawn:.0f}px")
    if info["count"] and not page.evaluate("document.fonts.check('16px NanumGothic', '한글')"):
        problems.append("the NanumGothic web font is not loaded")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-nnbook-hangul]"})["nodeIds"]
    for nid in ids:
        attrs = cdp.send("DOM.getAttributes", {"nodeId": nid})["attributes"]
        need = int(dict(zip(attrs[::2], attrs[1::2]))["data-nnbook-hangul"])
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": nid})["fonts"]
        nanum = sum(f["glyphCount"] for f in fonts if f["familyName"].replace(" ", "").startswith("NanumGothic"))
        if nanum < need:
            node = cdp.send("DOM.getOuterHTML", {"nodeId": nid})["outerHTML"]
            other = ", ".join(f"{f['familyName']} ×{f['glyphCount']}" for f in fonts)
            problems.append(f"{need} Hangul, {nanum} drawn in NanumGothic ({other}): {node[:120]!r}")
    cdp.detach()
    return problems, len(ids)


# -- buttons ---------------------------------------------------------------------------------------

def check_buttons(page):
    """No link to a placeholder repository anywhere; without a configured repository no repository, Colab
    or Binder button; with one, the page's buttons lead to it. [problems]"""
    url, _ = configured_repository(ROOT)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    problems = [f"link to a placeholder: {h}" for h in hrefs if any(h.startswith(p) for p in PLACEHOLDERS)]
    buttons = page.eval_on_selector_all(
        ".bd-header-article a[href], .bd-sidebar-primary .navbar-icon-links a[href], "
        "a[href*='colab.research.google.com'], a[href*='mybinder.org']", "els => els.map(e => e.href)")
    external = [h for h in buttons if urlparse(h).hostname not in (None, "127.0.0.1")]
    if not url and external:
        problems.append(f"repository/launch buttons with no repository configured: {external[:3]}")
    if url:
        slug = url.split("://")[-1].split("/", 1)[-1]
        problems += [f"a button leads elsewhere than {url}: {h}" for h in external if slug not in h]
        if not any(slug in h for h in external):
            problems.append(f"no button leads to the configured repository {url}")
    return problems


# -- the tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("page_path", PAGES)
def test_chapter_page_in_a_browser(server, browser, page_path):
    lang = page_path.split("/")[1]
    other = "en" if lang == "ko" else "ko"
    page, blocked, console_errors = _open(browser, server, page_path)

    assert page.evaluate("document.documentElement.lang") == lang
    twin = page_path.replace(f"/{lang}/", f"/{other}/").split("/")[-1]
    assert page.locator(f"article a[href*='{other}/{twin}']").count() > 0 or \
        page.locator(f"article a[href$='{twin}.html']").count() > 0, "no visible link to the twin page"

    slider_problems = check_sliders(page)
    # No empty or frozen live-widget boxes in the static book.
    assert page.locator(".jupyter-widgets, .widget-slider").count() == 0

    hangul_problems, n_hangul = check_hangul(page) if lang == "ko" else ([], None)
    if lang == "ko":
        _MATH_HANGUL[page_path] = page.evaluate(_COUNT_MATH_HANGUL)
    button_problems = check_buttons(page)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    broken = _internal_links_ok(HTML / (page_path + ".html"), hrefs)

    bad_fonts = page.evaluate("Array.from(document.fonts).filter(f => f.status === 'error').map(f => f.family)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (page_path.replace("chapters/", "").replace("/", "_") + ".png")),
                    full_page=FULL_SCREENSHOTS)
    page.close()

    assert not blocked, f"requests outside the book were made: {blocked[:5]}"
    assert not console_errors, f"console errors: {console_errors[:5]}"
    assert not broken, f"broken internal links: {broken[:10]}"
    assert not bad_fonts, f"fonts that failed to load: {bad_fonts}"
    assert not slider_problems, "sliders:\n" + "\n".join(slider_problems)
    assert n_hangul is None or n_hangul > 50, f"only {n_hangul} elements with Hangul found on a Korean page"
    assert not hangul_problems, "Hangul:\n" + "\n".join(hangul_problems[:20])
    assert not button_problems, "buttons:\n" + "\n".join(button_problems[:10])


def _hangul_text_in_math():
    """How many \\text{…} with Hangul the Korean chapters put inside math."""
    import json

    n = 0
    for path in sorted((ROOT / "chapters" / "ko").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for math in re.findall(r"\$\$.*?\$\$|\$[^$\n]+\$", src, re.S):
                n += len(re.findall(r"\\text\{[^}]*[가-힣][^}]*\}", math))
    return n


def test_korean_math_uses_the_book_font(server, browser):
    """Every \\text{…} with Hangul in the Korean chapters' math is typeset. Whether it is drawn in
    NanumGothic and fits its room, check_hangul asks on every Korean page (in test_chapter_page_in_a_browser,
    which also counts the runs; a page that test did not open is opened and checked here)."""
    found, problems = 0, []
    for page_path in [p for p in PAGES if "/ko/" in p]:
        if page_path not in _MATH_HANGUL:
            page, _, _ = _open(browser, server, page_path)
            _MATH_HANGUL[page_path] = page.evaluate(_COUNT_MATH_HANGUL)
            problems += [f"{page_path}: {p}" for p in check_hangul(page)[0] if "math" in p or "mjx" in p]
            page.close()
        found += _MATH_HANGUL[page_path]
    assert not problems, "\n".join(problems)
    expected = _hangul_text_in_math()
    assert found >= expected, f"{found} Hangul runs typeset in math; the notebooks have {expected}"


@pytest.mark.parametrize("page_path", OTHER_PAGES)
def test_other_pages(server, browser, page_path):
    page, blocked, console_errors = _open(browser, server, page_path)
    hangul_problems, _ = check_hangul(page)
    button_problems = check_buttons(page)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    broken = _internal_links_ok(HTML / (page_path + ".html"), hrefs)
    page.close()
    assert not blocked and not console_errors, (blocked[:5], console_errors[:5])
    assert not broken, f"broken internal links: {broken[:10]}"
    assert not hangul_problems, "Hangul:\n" + "\n".join(hangul_problems[:20])
    assert not button_problems, "buttons:\n" + "\n".join(button_problems[:10])


_HEADER = """() => {
  const sel = {title: '.bd-sidebar-primary .navbar-brand', sidebar_search: '.bd-sidebar-primary .search-button-field',
               header_search: '.bd-header .search-button-field', header_toggle: '.bd-header .sidebar-toggle',
               article_buttons: '.bd-header-article .article-header-buttons',
               article_toggle: '.bd-header-article .primary-toggle', heading: 'article h1',
               toc: '.bd-sidebar-secondary .page-toc', twin_link: 'article section > p a'};
  const out = [];
  for (const [name, s] of Object.entries(sel)) {
    const e = document.querySelector(s);
    if (!e) continue;
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    if (r.width <= 0 || r.height <= 0 || cs.visibility === 'hidden' || r.bottom <= 0 || r.top >= innerHeight) continue;
    // Is the element on top where it is drawn? (the centre of its visible part)
    const y = Math.min(Math.max(r.top, 0) + 4, r.bottom - 1), x = r.left + r.width / 2;
    const hit = document.elementFromPoint(x, y);
    out.push({name: name, box: [r.left, r.top, r.right, r.bottom], on_top: !!hit && (e === hit || e.contains(hit))});
  }
  return out;
}"""


def test_header_layout(server, browser):
    """Nothing in the header area overlaps at 1024, 1280 and 1920 px, at the top of the page and scrolled down."""
    problems = []
    for page_path in ["chapters/ko/01_cnn_theory", "chapters/en/04_rnn_code"]:
        page, _, _ = _open(browser, server, page_path, width=WIDTHS[0], height=900)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for scroll in (0, 1500):
                page.evaluate(f"window.scrollTo(0, {scroll})")
                page.wait_for_timeout(300)
                shot = SHOTS / f"header_{width}_{page_path.split('/')[1]}_{scroll}.png"
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
                boxes = page.evaluate(_HEADER)
                names = [b["name"] for b in boxes]
                if scroll == 0 and not {"title", "article_buttons"} <= set(names):
                    problems.append(f"{page_path} {width}px: the title or the page buttons are not visible ({names})")
                for b in boxes:
                    if not b["on_top"]:
                        problems.append(f"{page_path} {width}px scroll {scroll}: {b['name']} is covered by something else")
                for i, a in enumerate(boxes):
                    for b in boxes[i + 1:]:
                        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
                        if min(ax1, bx1) - max(ax0, bx0) > 1 and min(ay1, by1) - max(ay0, by0) > 1:
                            problems.append(f"{page_path} {width}px scroll {scroll}: {a['name']} overlaps {b['name']}")
        page.close()
    assert not problems, "\n".join(problems)


def test_landing_page_offers_both_languages(server, browser):
    page = browser.new_page()
    page.goto(server + "index.html")          # redirects to the landing page
    page.wait_for_url("**/chapters/index.html")
    page.wait_for_load_state("load")
    hrefs = page.eval_on_selector_all("article a[href]", "els => els.map(e => e.getAttribute('href'))")
    page.close()
    assert any("ko/" in h for h in hrefs) and any("en/" in h for h in hrefs)
