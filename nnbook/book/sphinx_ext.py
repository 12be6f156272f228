"""A small Sphinx extension for the book's HTML (listed in `_config.yml`).

* Korean pages (chapters/ko/...) get `<html lang="ko">`, the others `lang="en"`.
* Korean text needs a Korean font on every reader's machine, with no web-font service: NanumGothic
  (SIL Open Font License), shipped inside the koreanize-matplotlib package, is copied into
  `_static/fonts/` (a WOFF subset) and used for Hangul only (`unicode-range`), in prose, headings and code.
* The color mode starts as light (an empty one is a console error of the theme).
* The Thebe scripts are dropped: Thebe runs code on a remote Binder kernel from a CDN, which this
  offline book does not use (the Colab/Binder launch buttons are plain links). Jupyter Book
  also registers Thebe's inline config twice, which is a console error in the browser.
* Buttons that work, or none: the repository button and the Colab/Binder launch buttons are shown only
  when `repository.url` in `_config.yml` names a real repository (`repository.py`); Colab and Binder
  open GitHub repositories only, so they need a GitHub URL.
* Fonts: `nnbook.js` makes Chromium shape the text again once the web fonts have loaded (otherwise
  some Hangul laid out while NanumGothic was loading stays drawn as boxes).
* Header: on screens >= 960 px the theme's top bar (only a second search button, floating over the
  book title) is hidden; the sidebar keeps the title and its search field.
* Math: `_config.yml` sets MathJax's `mtextInheritFont`, so `\text{입력}` inside a formula is drawn in
  the page's font, NanumGothic for Hangul (MathJax's own fonts have no Hangul); `nnbook.js`
  makes MathJax typeset once that font is loaded, so that it measures the text in the font it is drawn in.
"""
from pathlib import Path

from ..config import korean_font_path
from .repository import real_url

BINDER, COLAB = "https://mybinder.org", "https://colab.research.google.com"

HANGUL = "U+1100-11FF, U+3000-303F, U+3130-318F, U+AC00-D7AF, U+FF00-FFEF"
FONT_CSS = """/* nnbook: NanumGothic (OFL) for Hangul, served from the book itself. */
@font-face { font-family: "NanumGothic"; font-weight: 400; font-display: swap;
  src: url("fonts/NanumGothic.woff") format("woff"); unicode-range: %(range)s; }
@font-face { font-family: "NanumGothic"; font-weight: 700; font-display: swap;
  src: url("fonts/NanumGothicBold.woff") format("woff"); unicode-range: %(range)s; }
html:root {
  --pst-font-family-base: -apple-system, "Segoe UI", "Helvetica Neue", Arial, "NanumGothic", sans-serif;
  --pst-font-family-heading: -apple-system, "Segoe UI", "Helvetica Neue", Arial, "NanumGothic", sans-serif;
  --pst-font-family-monospace: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace, "NanumGothic";
}
/* Header (issue 18.3): on wide screens the primary sidebar has the book title and its own search field;
   the theme's top bar held only a second, floating search button over the title. Hide that bar there;
   narrow screens (sidebar as a drawer, < 960px) keep it. */
@media (min-width: 960px) { .bd-header { display: none !important; } }
.nnbook-slider { margin: 0.5em 0 1em; }
.nnbook-slider input[type=range] { width: 18em; vertical-align: middle; }
.nnbook-slider figure { margin: 0.5em 0; }
.nnbook-slider figcaption { font-size: 0.9em; color: var(--pst-color-text-muted); }
""" % {"range": HANGUL}


def _buttons(app, config):
    """Repository and launch buttons from the one setting `repository.url` (see the module docstring)."""
    options = dict(config.html_theme_options or {})
    url = real_url(options.get("repository_url", ""))
    options["repository_url"] = url
    options["use_repository_button"] = bool(url)
    options["use_issues_button"] = options["use_edit_page_button"] = False
    launch = {"notebook_interface": "classic"}
    if url.startswith("https://github.com/"):
        launch.update(binderhub_url=BINDER, colab_url=COLAB)
    options["launch_buttons"] = launch
    config.html_theme_options = options


BOOK_JS = """/* nnbook (nnbook/book/sphinx_ext.py). */
(function () {
  /* Chromium keeps the fallback fonts it chose for text laid out while the NanumGothic web font was
     still loading (boxes instead of Hangul, seen in the sidebar's part captions and bold links), even
     after the font has arrived: they are cached per font description. Each time fonts finish loading,
     give the page a font description it has not used yet (an OpenType feature no font has, which
     changes nothing drawn), so that all text gets its fonts chosen again. */
  var f = document.fonts, n = 0;
  function refresh() {
    requestAnimationFrame(function () {
      setTimeout(function () {
        n = (n + 1) % 1000;
        document.documentElement.style.setProperty("font-feature-settings", '"n' + ("00" + n).slice(-3) + '"');
      }, 0);
    });
  }
  if (f && f.addEventListener) {
    f.addEventListener("loadingdone", refresh);
    window.addEventListener("load", function () { f.ready.then(refresh); });
  }
})();
/* Typeset the math once the Hangul web font is loaded, so that MathJax measures \\text{입력}
   (drawn in the page's font: mtextInheritFont) with the font it is drawn in. */
(function () {
  var mj = window.MathJax = window.MathJax || {};
  mj.startup = mj.startup || {};
  mj.startup.pageReady = function () {
    var f = document.fonts, wait = Promise.resolve();
    if (f && f.load) {
      wait = Promise.all([f.load("16px NanumGothic", "\\uD55C"), f.load("bold 16px NanumGothic", "\\uD55C")])
        .catch(function () {});
    }
    return wait.then(function () { return MathJax.startup.defaultPageReady(); });
  };
})();
"""


def _page_context(app, pagename, templatename, context, doctree):
    context["language"] = "ko" if pagename.startswith("chapters/ko/") else "en"
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    # Fetch the Hangul font early, so that MathJax measures \text{입력} with it (mtextInheritFont).
    pathto = context.get("pathto")
    if pathto is not None:
        href = pathto("_static/fonts/NanumGothic.woff", 1)
        context["metatags"] = context.get("metatags", "") + (
            f'\n<link rel="preload" href="{href}" as="font" type="font/woff" crossorigin>')
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def _is_thebe(script):
    body = getattr(script, "attributes", {}).get("body", "") or ""
    return "thebe" in str(script) or "THEBE_JS_URL" in body


def _web_font(src, dst):
    """A WOFF subset of a TTF: Hangul and Latin only, no hinting, no VTT source tables.

    The shipped TTF carries Visual TrueType source tables (TSI*) that Chromium's font sanitiser
    rejects, and 4.7 MB is a lot for a page; the subset is about 1 MB.
    """
    if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
        return
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.drop_tables += ["DSIG", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    font = subset.load_font(str(src), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_unicodes("U+0020-007E, " + HANGUL))
    subsetter.subset(font)
    subset.save_font(font, str(dst), options)


def _unicodes(ranges):
    out = []
    for part in ranges.split(","):
        lo, _, hi = part.strip()[2:].partition("-")
        out.extend(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


def _copy_static(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    (static / "fonts").mkdir(parents=True, exist_ok=True)
    font = korean_font_path()
    if font is None:
        raise RuntimeError("NanumGothic not found: install koreanize-matplotlib (requirements.txt)")
    for name in ("NanumGothic", "NanumGothicBold"):
        _web_font(font.parent / f"{name}.ttf", static / "fonts" / f"{name}.woff")
    (static / "nnbook.css").write_text(FONT_CSS, encoding="utf-8")
    (static / "nnbook.js").write_text(BOOK_JS, encoding="utf-8")


def setup(app):
    app.add_css_file("nnbook.css")
    app.add_js_file("nnbook.js", priority=600)   # after MathJax's inline config, before MathJax runs (defer)
    app.connect("config-inited", _buttons)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
