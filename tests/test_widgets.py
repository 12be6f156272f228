"""The slider: one display bundle with a live widget view and a deterministic static view."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nnbook.widgets import slider  # noqa: E402

calls = []


def draw(k):
    calls.append(k)
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(range(k + 1))
    return fig, f"k = {k}"


def test_static_view_has_one_frame_per_value_and_fixed_ids():
    view = slider([1, 3, 5], draw, "kernel", "t-kernel")
    html = view.to_html()
    assert 'id="nnbook-slider-t-kernel"' in html
    assert len(re.findall(r'class="nnbook-slider-frame"', html)) == 3
    assert re.findall(r'<figure[^>]*hidden', html).__len__() == 2   # only the initial frame is shown
    assert 'value="1"' in html                                       # index of the middle value, 3
    assert "<script>" in html and "addEventListener" in html
    assert "http" not in html                                       # no request to any server


def test_static_view_is_deterministic():
    assert slider([1, 2], draw, "k", "t-det").to_html() == slider([1, 2], draw, "k", "t-det").to_html()


def test_bundle_has_both_views_and_a_short_text():
    bundle = slider([1, 2], draw, "k", "t-bundle")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="nnbook-slider"')
    assert bundle["text/plain"] == "slider 't-bundle': k over [1, 2]"


def test_live_widget_recomputes_on_move():
    view = slider([1, 2, 3], draw, "k", "t-live", initial=1)
    box = view.widget()
    sl, image, text = box.children
    before = image.value
    calls.clear()
    sl.value = 3
    assert calls == [3]
    assert image.value != before and text.value == "k = 3"


@pytest.mark.parametrize("bad", [dict(values=[]), dict(key="Bad Key"), dict(initial=9)])
def test_bad_arguments_raise(bad):
    args = dict(values=[1, 2], render=draw, label="k", key="t-bad")
    args.update(bad)
    with pytest.raises(ValueError):
        slider(**args)
