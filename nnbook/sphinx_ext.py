"""A small Sphinx extension for the book's HTML (listed in `_config.yml`).

* Korean pages (chapters/ko/...) get `<html lang="ko">`, the others `lang="en"`.
"""


def _page_language(app, pagename, templatename, context, doctree):
    context["language"] = "ko" if pagename.startswith("chapters/ko/") else "en"


def setup(app):
    app.connect("html-page-context", _page_language)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
