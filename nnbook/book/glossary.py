"""The glossary: one Korean rendering per concept, kept in `glossary.yml` beside this file.

    python -m nnbook.book.glossary > chapters/glossary.md     # re-render the glossary page

`rejected_uses(text)` lists the rejected variants a Korean text uses; the tests run it over every
Korean notebook and over nnbook's own Korean labels.
"""
import re
from pathlib import Path

import yaml

__all__ = ["load_glossary", "rejected_uses", "render_page", "term_anchor", "heading_slug"]

SEPARATOR = " · "

CHAPTERS = {1: "01_cnn_theory", 2: "02_cnn_code", 3: "03_rnn_theory", 4: "04_rnn_code",
            5: "05_lstm_theory", 6: "06_lstm_code"}


def load_glossary():
    """The entries as a list of dicts with keys en, ko, chapter, rejected."""
    entries = yaml.safe_load((Path(__file__).with_name("glossary.yml")).read_text(encoding="utf-8"))
    for e in entries:
        if not {"en", "ko", "chapter", "rejected"} <= set(e):
            raise ValueError(f"glossary entry {e} lacks one of en, ko, chapter, rejected")
    return entries


def term_anchor(en):
    """The anchor of a term on the glossary page, e.g. 'hidden state' -> 'term-hidden-state'."""
    return "term-" + re.sub(r"[^a-z0-9]+", "-", en.lower()).strip("-")


def heading_slug(title):
    """MyST's heading-anchor function for the book (`myst_heading_slug_func` in _config.yml).

    A glossary heading "합성곱 · convolution" gets the anchor "term-convolution", so a chapter links
    to it as `[합성곱](../glossary.md#term-convolution)`; every other heading keeps MyST's default.
    """
    from myst_parser.mdit_to_docutils.base import default_slugify

    ko, sep, en = title.partition(SEPARATOR)
    if sep and en and ko and not SEPARATOR in en and _is_term(ko, en):
        return term_anchor(en)
    return default_slugify(title)


def _is_term(ko, en):
    return any(e["ko"] == ko and e["en"] == en for e in _cached_entries())


_CACHE = {}


def _cached_entries():
    if "entries" not in _CACHE:
        _CACHE["entries"] = load_glossary()
    return _CACHE["entries"]


def rejected_uses(text, entries=None):
    """[(variant, accepted Korean term)] for every rejected variant found in `text`."""
    entries = entries if entries is not None else load_glossary()
    found = []
    for e in entries:
        for variant in e["rejected"]:
            if variant in text:
                found.append((variant, e["ko"]))
    return found


def render_page(entries=None, chapters_dir=Path("chapters")):
    """The Markdown of chapters/glossary.md: one heading per term, grouped by chapter.

    Each term is a heading "ko · en" whose anchor is `term-<english>` (see `heading_slug`), so a
    chapter links to it as `[합성곱](../glossary.md#term-convolution)`. Chapters listed in the
    book's `_toc.yml` (beside `chapters_dir`) are linked; the others are named only.
    """
    entries = entries if entries is not None else load_glossary()
    toc_file = Path(chapters_dir).parent / "_toc.yml"
    toc = toc_file.read_text(encoding="utf-8") if toc_file.exists() else ""
    lines = [
        "# 용어집 · Glossary",
        "",
        "이 책은 용어마다 한국어 번역어를 하나만 쓴다. 아래 목록은 각 용어의 한국어 번역어, 영어 용어, "
        "처음 나오는 장, 그리고 이 책이 쓰지 않는 다른 번역어다.",
        "",
        "This book uses exactly one Korean rendering for every term. Each entry gives the Korean "
        "term, the English term, the chapter that introduces it, and the variants the book does not use.",
        "",
    ]
    titles = {1: ("합성곱 신경망 이론", "CNN theory"), 2: ("합성곱 신경망 코드", "CNN code"),
              3: ("순환 신경망 이론", "RNN theory"), 4: ("순환 신경망 코드", "RNN code"),
              5: ("장단기 메모리 이론", "LSTM theory"), 6: ("장단기 메모리 코드", "LSTM code")}
    for chapter in sorted({e["chapter"] for e in entries}):
        name = CHAPTERS[chapter]
        ko_title, en_title = titles[chapter]
        ko, en = f"{chapter}장 {ko_title}", f"Ch. {chapter} {en_title}"
        if f"chapters/ko/{name}" in toc:
            ko = f"[{ko}](ko/{name}.ipynb)"
        if f"chapters/en/{name}" in toc:
            en = f"[{en}](en/{name}.ipynb)"
        lines += [f"## {ko} · {en}", ""]
        for e in sorted((e for e in entries if e["chapter"] == chapter), key=lambda e: e["en"].lower()):
            lines += [f"### {e['ko']}{SEPARATOR}{e['en']}", ""]
            if e["rejected"]:
                lines += [f"쓰지 않는 말 · not used: {', '.join(e['rejected'])}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_page(), end="")
