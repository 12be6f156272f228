"""One Korean rendering per concept: the glossary data, its page, and the Korean text that uses it."""
from pathlib import Path

import pytest

import nnbook
from nnbook.book.glossary import load_glossary, rejected_uses, render_page
from notebooks import CHAPTERS, cell_source, load, notebooks

ENTRIES = load_glossary()


def test_entries_are_unique_and_consistent():
    kos = [e["ko"] for e in ENTRIES]
    ens = [e["en"] for e in ENTRIES]
    assert len(set(kos)) == len(kos), "a Korean rendering is used for two concepts"
    assert len(set(ens)) == len(ens), "an English term appears twice"
    for e in ENTRIES:
        assert 1 <= e["chapter"] <= 6
        for variant in e["rejected"]:
            for other in ENTRIES:
                assert variant not in other["ko"], f"rejected {variant!r} is part of accepted {other['ko']!r}"


def test_required_terms_are_there():
    by_en = {e["en"]: e["ko"] for e in ENTRIES}
    for en, ko in [("convolution", "합성곱"), ("stride", "스트라이드"), ("padding", "패딩"),
                   ("feature map", "특성 맵"), ("pooling", "풀링"), ("hidden state", "은닉 상태"),
                   ("cell state", "셀 상태"), ("gate", "게이트"), ("vanishing gradient", "기울기 소실"),
                   ("sequence", "시퀀스"), ("backpropagation", "역전파")]:
        assert by_en.get(en) == ko


def test_rejected_uses_finds_a_variant():
    assert rejected_uses("RNN의 히든 스테이트는", ENTRIES) == [("히든 스테이트", "은닉 상태")]
    assert rejected_uses("RNN의 은닉 상태는", ENTRIES) == []


def test_glossary_page_is_up_to_date():
    page = (CHAPTERS / "glossary.md").read_text(encoding="utf-8")
    assert page == render_page(ENTRIES, CHAPTERS), "run: python -m nnbook.book.glossary > chapters/glossary.md"


@pytest.mark.parametrize("path", notebooks("ko"), ids=lambda p: p.name)
def test_korean_notebooks_use_only_glossary_renderings(path):
    found = []
    for i, cell in enumerate(load(path)["cells"]):
        for variant, ko in rejected_uses(cell_source(cell), ENTRIES):
            found.append(f"cell {i}: {variant!r} -> use {ko!r}")
    assert not found, f"{path.name}: " + "; ".join(found)


def test_nnbook_korean_labels_use_only_glossary_renderings():
    found = []
    for py in Path(nnbook.__file__).parent.rglob("*.py"):
        for variant, ko in rejected_uses(py.read_text(encoding="utf-8"), ENTRIES):
            found.append(f"{py.name}: {variant!r} -> use {ko!r}")
    assert not found, "; ".join(found)
