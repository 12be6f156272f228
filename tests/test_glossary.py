"""One Korean rendering per concept (issue 16): the glossary data, its page, and the Korean text that uses it.

Policy: the preferred rendering (`ko`) everywhere; an `aka` only once per chapter, marked, where the chapter
first uses the term (`기울기 폭발(다른 책에서는 기울기 폭주)`); `rejected` variants never; and the second
checked list, `nnbook/book/usage.yml` (one word per meaning, native sentences), never matched.
To list what a chapter breaks: python -m nnbook.book.glossary --check chapters/ko/*.ipynb
"""
import re
from pathlib import Path

import pytest

import nnbook
from nnbook.book.glossary import (MARK, aka_uses, check_notebook, korean_texts, load_glossary, load_usage,
                                  prose, rejected_uses, render_page, usage_uses)
from notebooks import CHAPTERS, load, notebooks

ENTRIES = load_glossary()
RULES = load_usage()
BY_EN = {e["en"]: e for e in ENTRIES}


def test_entries_are_unique_and_consistent():
    kos = [e["ko"] for e in ENTRIES]
    ens = [e["en"] for e in ENTRIES]
    assert len(set(kos)) == len(kos), "a Korean rendering is used for two concepts"
    assert len(set(ens)) == len(ens), "an English term appears twice"
    for e in ENTRIES:
        assert 1 <= e["chapter"] <= 6
        akas = [a["term"] for a in e["aka"]]
        for variant in e["rejected"]:
            assert variant not in akas, f"{variant!r} is both an aka and rejected"
            for other in ENTRIES:
                assert variant not in other["ko"], f"rejected {variant!r} is part of accepted {other['ko']!r}"
        for aka in akas:
            assert aka != e["ko"]
            for other in ENTRIES:
                assert aka != other["ko"], f"aka {aka!r} of {e['en']!r} is the preferred term of {other['en']!r}"


def test_required_terms_are_there():
    """The decisions of issue 16 (the project's term notes): preferred terms, with their aka."""
    for en, ko, aka in [
            ("convolution", "합성곱", []), ("stride", "스트라이드", []), ("padding", "패딩", []),
            ("pooling", "풀링", []), ("hidden state", "은닉 상태", []), ("cell state", "셀 상태", []),
            ("gate", "게이트", []), ("vanishing gradient", "기울기 소실", []), ("sequence", "시퀀스", []),
            ("exploding gradient", "기울기 폭발", ["기울기 폭주"]),
            ("backpropagation through time (BPTT)", "시간에 따른 역전파", ["시간 역전파"]),
            ("feature map", "특징 맵", ["특성 맵"]), ("feature", "특징", ["특성"]),
            ("cross-correlation", "상호 상관", ["교차 상관"]), ("parameter", "파라미터", ["매개변수"]),
            ("fully connected layer", "완전연결 계층", ["완전 연결 계층"]),
            ("backpropagation", "역전파", ["오차역전파"]),
            ("time step", "시간 단계", ["타임 스텝", "시각"]),
            ("update gate", "업데이트 게이트", ["갱신 게이트"]), ("reset gate", "리셋 게이트", []),
            ("overfitting", "과적합", ["오버피팅"]), ("epoch", "에포크", ["에폭"])]:
        e = BY_EN[en]
        assert e["ko"] == ko, en
        assert [a["term"] for a in e["aka"]] == aka, en


def test_departures_from_the_references_say_why():
    for en in ["parameter", "time step", "backpropagation", "overfitting", "epoch"]:
        assert len(BY_EN[en]["why"]) > 20, f"{en}: the book departs from the main Korean references; say why"


def test_rejected_uses_finds_a_variant():
    assert rejected_uses("RNN의 히든 스테이트는", ENTRIES) == [("히든 스테이트", "은닉 상태")]
    assert rejected_uses("RNN의 은닉 상태는", ENTRIES) == []


def _nb(*cells):
    return {"cells": [{"cell_type": kind, "source": src} for kind, src in cells]}


def test_an_aka_only_marked_at_first_use():
    ok = _nb(("markdown", "# 3.5\n이것이 [기울기 폭발](../glossary.md#term-exploding-gradient)"
                          f"({MARK} 기울기 폭주)이다."),
             ("markdown", "기울기 폭발은 클리핑으로 막는다."))
    assert aka_uses(korean_texts(ok), ENTRIES) == []
    with_english = _nb(("markdown", f"기울기 폭발(exploding gradient, {MARK} 기울기 폭주)이다."))
    assert aka_uses(korean_texts(with_english), ENTRIES) == []
    unmarked = _nb(("markdown", "기울기 폭주가 일어난다."))
    assert aka_uses(korean_texts(unmarked), ENTRIES) == ["cell 0: '기울기 폭주' unmarked -> '기울기 폭발'"]
    late = _nb(("markdown", "기울기 폭발이 일어난다."), ("markdown", f"기울기 폭발({MARK} 기울기 폭주)"))
    assert any("not at its first use" in f for f in aka_uses(korean_texts(late), ENTRIES))
    twice = _nb(("markdown", f"기울기 폭발({MARK} 기울기 폭주)"), ("markdown", f"기울기 폭발({MARK} 기울기 폭주)"))
    assert any("more than once" in f for f in aka_uses(korean_texts(twice), ENTRIES))
    wrong_term = _nb(("markdown", f"기울기 소실({MARK} 기울기 폭주)"))
    assert any("does not follow" in f for f in aka_uses(korean_texts(wrong_term), ENTRIES))


def test_an_aka_with_another_meaning_is_matched_in_its_sense_only():
    """시각 is an aka of 시간 단계 (밑바닥 2) but also means 'visual': only the time-step sense counts."""
    visual = _nb(("markdown", "시각 데이터를 다루는 torchvision, 시각화"))
    assert aka_uses(korean_texts(visual), ENTRIES) == []
    time = _nb(("markdown", "정방향은 마지막 시각, 역방향은 시각 $T$의 출력이다."))
    assert aka_uses(korean_texts(time), ENTRIES) == ["cell 0: '시각' ×2 unmarked -> '시간 단계'"]
    inside = _nb(("markdown", "특성 맵이 있다."))          # 특성 inside 특성 맵 counts once, for 특징 맵
    assert aka_uses(korean_texts(inside), ENTRIES) == ["cell 0: '특성 맵' unmarked -> '특징 맵'"]


@pytest.mark.parametrize("text, hit", [
    ("행벡터 표기를 쓴다", "행벡터"), ("열벡터", "열벡터"), ("행렬곱 한 번", "행렬곱"),
    ("훈련 데이터", "훈련"), ("감정 분류", "감정 분류"), ("Sobel 필터를 쓴다", "Sobel"),
    ("첫 층의 필터", "층"), ("곱받는다", "곱받"), ("찍기보다 낫다", "찍기"), ("값을 찍어 본다", "찍어"),
    ("시드를 탄다", "시드를 탄"), ("남는 파라미터", "남는 파라미터"), ("평범한 RNN", "평범한 RNN"),
    ("그림이 보여준다", "보여준"), ("실행한다 (4.1)", "다 ("), ("**요점.** 끝", "요점"),
    ("로그-로그 축에서 기울기 2", "축에서 기울기"), ("업데이트 단계 500번", "업데이트 단계"),
    ("행렬의 계수가 1", "행렬의 계수"), ("## 1.9 요약", "## 1.9 요약"),
    ("밑바닥부터 시작하는 딥러닝 2에서", "밑바닥부터 시작하는 딥러닝"), ("**왜.** 이유", "**왜.**")])
def test_usage_rules_catch(text, hit):
    found = usage_uses(korean_texts(_nb(("markdown", text))), RULES)
    assert found and repr(hit) in found[0], found


@pytest.mark.parametrize("text", [
    "행 벡터 규약", "열 벡터", "행렬 곱", "학습 데이터", "감성 분류", "소벨(Sobel) 필터", "첫 계층", "곱해진다",
    "무작위 추측", "점을 찍어 표시한다", "기본 RNN", "보여 준다", "실행한다(4.1)", "사진을 (6, 10)픽셀 옮긴다", "기울기는 (도착한 기울기) × (게이트)",
    "**정리.** 끝", "로그-로그 축에서 경사 2", "업데이트 500번", "랭크가 1인 행렬", "## 정리",
    "『밑바닥부터 시작하는 딥러닝 2』", "심층 신경망", "코드 `Sobel()`과 식 $\\text{훈련}$"])
def test_usage_rules_pass(text):
    assert usage_uses(korean_texts(_nb(("markdown", text))), RULES) == []


def test_prose_drops_math_code_and_urls():
    text = prose("식 $a (b)$와 `f (x)`, [링크](../glossary.md#term-x) 그리고\n```python\n훈련\n```\n끝")
    assert "$" not in text and "`" not in text and "glossary.md" not in text and "훈련" not in text


def test_glossary_page_is_up_to_date():
    page = (CHAPTERS / "glossary.md").read_text(encoding="utf-8")
    assert page == render_page(ENTRIES, CHAPTERS), "run: python -m nnbook.book.glossary > chapters/glossary.md"


def test_glossary_page_shows_aka_and_why():
    page = render_page(ENTRIES, CHAPTERS)
    assert re.search(r"### 기울기 폭발 · exploding gradient\n\n다른 책에서는 · also called: 기울기 폭주", page)
    assert "이 책의 선택 · why: " in page and "한 뜻에 한 낱말" in page


@pytest.mark.parametrize("path", notebooks("ko"), ids=lambda p: p.name)
def test_korean_notebooks_follow_the_glossary(path):
    """No rejected variant; an aka only marked at first use; nothing usage.yml forbids."""
    found = check_notebook(path, ENTRIES, RULES)
    lines = [f"{kind}: {item}" for kind, items in found.items() for item in items]
    assert not lines, f"{path.name}: {len(lines)} breaches:\n" + "\n".join(lines)


def test_nnbook_korean_labels_use_only_glossary_renderings():
    found = []
    for py in Path(nnbook.__file__).parent.rglob("*.py"):
        if py.parent.name == "book" and py.name == "glossary.py":
            continue
        for variant, ko in rejected_uses(py.read_text(encoding="utf-8"), ENTRIES):
            found.append(f"{py.name}: {variant!r} -> use {ko!r}")
    assert not found, "; ".join(found)


def test_nnbook_korean_labels_follow_the_usage_list():
    """Figure labels and printed Korean text of the package use the preferred terms (no aka: a label has
    no room for the marked form) and nothing usage.yml forbids."""
    from nnbook.book.glossary import code_korean

    found = []
    for py in sorted(Path(nnbook.__file__).parent.rglob("*.py")):
        if py.parent.name == "book":
            continue
        said = "\n".join(line for line in code_korean(py.read_text(encoding="utf-8")).splitlines()
                         if re.search("[가-힣]", line))
        texts = [(0, "comments", said)]
        found += [f"{py.relative_to(Path(nnbook.__file__).parent)}: {f.split(': ', 1)[1]}"
                  for f in usage_uses(texts, RULES) + aka_uses(texts, ENTRIES)]
    assert not found, "\n".join(found)
