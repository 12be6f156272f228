"""The glossary: one Korean rendering per concept, kept in `glossary.yml` beside this file, and the
second checked list, `usage.yml` (one word per meaning, native sentences).

    python -m nnbook.book.glossary > chapters/glossary.md     # re-render the glossary page
    python -m nnbook.book.glossary --check chapters/ko/*.ipynb # list what a Korean notebook breaks

The policy (issue 16): each concept has a preferred Korean rendering (`ko`); mainstream alternatives
(`aka`) may appear in a chapter only once, marked, where the chapter first uses the term —
`기울기 폭발(다른 책에서는 기울기 폭주)`; `rejected` variants never appear; a `usage.yml` pattern never
matches. `rejected_uses(text)`, `aka_uses(cells)` and `usage_uses(cells)` find the breaches; the tests
run them over every Korean notebook (and `rejected_uses` over nnbook's own Korean labels).
"""
import io
import json
import re
import sys
import tokenize
from pathlib import Path

import yaml

__all__ = ["load_glossary", "load_usage", "rejected_uses", "aka_uses", "usage_uses", "korean_texts",
           "check_notebook", "render_page", "term_anchor", "heading_slug", "MARK"]

MARK = "다른 책에서는"
# The marked form: (다른 책에서는 …), or with the English term first: (exploding gradient, 다른 책에서는 …).
_MARKED = re.compile(r"\((?:[^()]*?, )?" + MARK + r" [^()]*\)")

SEPARATOR = " · "

CHAPTERS = {1: "01_cnn_theory", 2: "02_cnn_code", 3: "03_rnn_theory", 4: "04_rnn_code",
            5: "05_lstm_theory", 6: "06_lstm_code"}


def load_glossary():
    """The entries as a list of dicts with keys en, ko, chapter, rejected, aka, why.

    aka is normalized to a list of {"term": str, "match": regex str}; why is "" where the book
    follows the main Korean references.
    """
    entries = yaml.safe_load((Path(__file__).with_name("glossary.yml")).read_text(encoding="utf-8"))
    for e in entries:
        if not {"en", "ko", "chapter", "rejected"} <= set(e):
            raise ValueError(f"glossary entry {e} lacks one of en, ko, chapter, rejected")
        if set(e) - {"en", "ko", "chapter", "rejected", "aka", "why"}:
            raise ValueError(f"glossary entry {e['en']!r} has unknown keys {set(e) - {'en', 'ko', 'chapter', 'rejected', 'aka', 'why'}}")
        e["why"] = e.get("why") or ""
        e["aka"] = [_aka(a, e["en"]) for a in e.get("aka") or []]
    return entries


def _aka(a, en):
    if isinstance(a, str):
        return {"term": a, "match": r"(?<![가-힣])" + re.escape(a)}
    if not isinstance(a, dict) or set(a) != {"term", "match"}:
        raise ValueError(f"glossary entry {en!r}: an aka is a string or {{term, match}}, not {a!r}")
    re.compile(a["match"])
    return dict(a)


def load_usage():
    """The rules of usage.yml: dicts with not, pattern, use, why, in (a list of "prose"/"comments")."""
    rules = yaml.safe_load((Path(__file__).with_name("usage.yml")).read_text(encoding="utf-8"))
    for r in rules:
        if not {"not", "pattern", "use", "why"} <= set(r):
            raise ValueError(f"usage rule {r} lacks one of not, pattern, use, why")
        re.compile(r["pattern"])
        r["in"] = list(r.get("in") or ["prose", "comments"])
    return rules


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


# -- the Korean text of a notebook ---------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$\n]+\$")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK_URL = re.compile(r"\]\((?!" + MARK + r")[^)\s]*\)")
_HTML_TAG = re.compile(r"<[^>\n]+>")


def prose(markdown):
    """Markdown text a reader reads as prose: code blocks, math, inline code, link targets and HTML tags
    replaced by "∎" (so that what surrounds them stays apart)."""
    text = markdown
    for pattern, repl in ((_FENCE, "∎"), (_DISPLAY_MATH, "∎"), (_INLINE_CODE, "∎"), (_INLINE_MATH, "∎"),
                          (_LINK_URL, "]"), (_HTML_TAG, "")):
        text = pattern.sub(repl, text)
    return text


def code_korean(code):
    """The comments and string literals of a code cell, one per line (what it says in words)."""
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code
    return "\n".join(t.string for t in toks if t.type in (tokenize.COMMENT, tokenize.STRING))


def korean_texts(nb):
    """[(cell index, kind, text)] of a notebook dict; kind is "prose" (Markdown) or "comments" (code)."""
    out = []
    for i, cell in enumerate(nb["cells"]):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if cell["cell_type"] == "markdown":
            out.append((i, "prose", prose(src)))
        elif cell["cell_type"] == "code":
            out.append((i, "comments", code_korean(src)))
    return out


def _ko_pattern(ko):
    return re.compile(r"(?<![가-힣])" + re.escape(ko))


def aka_uses(texts, entries=None):
    """Breaches of the aka rule in one notebook's `korean_texts`: ["cell 12: ..."].

    An aka may appear only inside a marked parenthesis right after the preferred term,
    `기울기 폭발(다른 책에서는 기울기 폭주)` or `기울기 폭발(exploding gradient, 다른 책에서는 기울기 폭주)`,
    once per notebook, in the first Markdown cell that uses
    the preferred term.
    """
    entries = entries if entries is not None else load_glossary()
    found = []
    # Every aka match of every entry, so that 특성 inside 특성 맵 counts once (for 특징 맵).
    spans = {i: [(m.span(), e["en"]) for e in entries for a in e["aka"] for m in re.finditer(a["match"], t)]
             for i, _, t in texts}
    for e in entries:
        if not e["aka"]:
            continue
        ko = _ko_pattern(e["ko"])
        first_use = next((i for i, kind, t in texts if kind == "prose" and ko.search(_MARKED.sub("", t))), None)
        marked_in, unmarked = [], {}
        for i, kind, text in texts:
            marks = [m.span() for m in _MARKED.finditer(text)]
            for a in e["aka"]:
                for m in re.finditer(a["match"], text):
                    s0, s1 = m.span()
                    if any(o != e["en"] and o0 <= s0 and s1 <= o1 and (o0, o1) != (s0, s1)
                           for (o0, o1), o in spans[i]):
                        continue
                    inside = next((sp for sp in marks if sp[0] < s0 < sp[1]), None)
                    if inside is None:
                        unmarked[(i, a["term"])] = unmarked.get((i, a["term"]), 0) + 1
                        continue
                    before = re.sub(r"[\]*_\s]+$", "", text[:inside[0]])
                    if not before.endswith(e["ko"]):
                        found.append(f"cell {i}: marked {a['term']!r} does not follow {e['ko']!r}")
                    marked_in.append(i)
        for (i, term), n in unmarked.items():
            found.append(f"cell {i}: {term!r}{f' ×{n}' if n > 1 else ''} unmarked -> {e['ko']!r}")
        if len(set(marked_in)) > 1 or len(marked_in) > len(e["aka"]):
            found.append(f"cells {sorted(set(marked_in))}: {e['ko']!r} is marked more than once")
        if marked_in and first_use is not None and min(marked_in) != first_use:
            found.append(f"cell {min(marked_in)}: the marked form of {e['ko']!r} is not at its first use "
                         f"(cell {first_use})")
    return found


def usage_uses(texts, rules=None):
    """Breaches of usage.yml in one notebook's `korean_texts`: ["cell 3: '행렬곱' -> 행렬 곱"]."""
    rules = rules if rules is not None else load_usage()
    found = []
    for i, kind, text in texts:
        for r in rules:
            if kind not in r["in"]:
                continue
            for m in re.finditer(r["pattern"], text):
                context = text[max(0, m.start() - 12):m.end() + 12].replace("\n", " ")
                found.append(f"cell {i}: {m.group(0)!r} -> {r['use']} («{context}»)")
    return found


def check_notebook(path, entries=None, rules=None):
    """{"rejected": [...], "aka": [...], "usage": [...]} for one Korean notebook."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = entries if entries is not None else load_glossary()
    rejected = []
    for i, cell in enumerate(nb["cells"]):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        rejected += [f"cell {i}: {v!r} -> {ko!r}" for v, ko in rejected_uses(src, entries)]
    texts = korean_texts(nb)
    return {"rejected": rejected, "aka": aka_uses(texts, entries), "usage": usage_uses(texts, rules)}


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
        "이 책은 용어마다 한국어 번역어를 하나만 쓴다. 번역어는 『밑바닥부터 시작하는 딥러닝』 1·2권의 "
        "한국어판과 한국어판 d2l이 쓰는 말을 따르고, 따르지 않을 때는 그 이유를 적었다. 다른 책에서 널리 쓰는 "
        "번역어는 \"다른 책에서는\"에 적었다. 본문은 그 말을 용어가 처음 나오는 곳에서 한 번만 "
        f"`기울기 폭발({MARK} 기울기 폭주)`처럼 밝혀 적는다. \"쓰지 않는 말\"은 이 책 어디에도 나오지 않는다.",
        "",
        "This book uses exactly one Korean rendering for every term: the one the main Korean references use "
        "(the Korean editions of *Deep Learning from Scratch* 1 and 2, the Korean d2l), or, where the book "
        "departs from them, the reason why. Renderings common in other books are listed as "
        "\"also called\"; a chapter names one once, where the term first appears. The variants under "
        "\"not used\" appear nowhere in the book.",
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
            if e["aka"]:
                lines += [f"다른 책에서는 · also called: {', '.join(a['term'] for a in e['aka'])}", ""]
            if e["why"]:
                lines += [f"이 책의 선택 · why: {e['why']}", ""]
            if e["rejected"]:
                lines += [f"쓰지 않는 말 · not used: {', '.join(e['rejected'])}", ""]
    lines += ["## 한 뜻에 한 낱말 · One word per meaning", "",
              "책 전체에서 한 뜻에는 한 낱말을 쓴다(`nnbook/book/usage.yml`). "
              "Book-wide, one meaning takes one word; the test checks every Korean chapter against this list.", ""]
    for r in load_usage():
        lines.append(f"- **{r['use']}**, not {r['not']} — {r['why']}")
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] != ["--check"]:
        print(render_page(), end="")
        return 0
    entries, rules, total = load_glossary(), load_usage(), 0
    for path in argv[1:]:
        found = check_notebook(path, entries, rules)
        n = sum(len(v) for v in found.values())
        total += n
        print(f"{path}: {n} ({', '.join(f'{k} {len(v)}' for k, v in found.items())})")
        for kind, items in found.items():
            for item in items:
                print(f"  {kind}: {item}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
