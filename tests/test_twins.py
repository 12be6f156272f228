"""Every Korean chapter has an English twin that runs the same code."""
import re

import pytest

from notebooks import CHAPTERS, NAMES, ROOT, cell_source, code_without_comments, load, notebooks

KO = {p.name: p for p in notebooks("ko")}
EN = {p.name: p for p in notebooks("en")}


def test_every_chapter_has_both_languages():
    assert set(KO) == set(EN), f"only in one language: {sorted(set(KO) ^ set(EN))}"
    assert KO, "no chapters yet"
    for name in KO:
        assert name[:-6] in NAMES, f"{name} is not one of the book's chapter names {NAMES}"


def test_toc_lists_every_chapter_in_both_parts():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for name in KO:
        for lang in ("ko", "en"):
            assert f"chapters/{lang}/{name[:-6]}" in toc


@pytest.mark.parametrize("name", sorted(KO))
def test_twins_run_the_same_code(name):
    def code(nb):
        return [code_without_comments(cell_source(c)) for c in nb["cells"] if c["cell_type"] == "code"]

    ko, en = code(load(KO[name])), code(load(EN[name]))
    assert len(ko) == len(en), f"{name}: {len(ko)} code cells in ko, {len(en)} in en"
    for i, (a, b) in enumerate(zip(ko, en)):
        a_en = [line.replace('"ko"', '"en"').replace("'ko'", "'en'") for line in a]
        assert a_en == b, f"{name}: code cell {i} differs beyond comments and the ko/en switch"


@pytest.mark.parametrize("name", sorted(KO))
def test_first_code_cell_sets_the_language(name):
    for lang, path in (("ko", KO[name]), ("en", EN[name])):
        # the first code cell after the bootstrap cell (nnbook/book/colab_cell.py: installs nnbook where it is missing)
        first = next(cell_source(c) for c in load(path)["cells"]
                     if c["cell_type"] == "code" and c.get("id") != "nnbook-bootstrap")
        assert f'nnbook.setup(lang="{lang}"' in first, f"{path.name} ({lang}) must call nnbook.setup(lang=\"{lang}\")"


@pytest.mark.parametrize("name", sorted(KO))
def test_each_page_links_to_its_twin_near_the_top(name):
    for lang, other, path in (("ko", "en", KO[name]), ("en", "ko", EN[name])):
        head = "".join(cell_source(c) for c in load(path)["cells"][:2] if c["cell_type"] == "markdown")
        assert f"../{other}/{name}" in head, f"{lang}/{name}: no link to ../{other}/{name} in its first cells"


@pytest.mark.parametrize("name", sorted(KO))
def test_twins_have_the_same_sections(name):
    def headings(nb):
        return [len(m.group(1)) for c in nb["cells"] if c["cell_type"] == "markdown"
                for m in re.finditer(r"^(#{1,4}) ", cell_source(c), re.M)]

    assert headings(load(KO[name])) == headings(load(EN[name])), f"{name}: heading structure differs"
