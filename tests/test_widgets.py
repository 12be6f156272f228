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


# ----------------------------------------------------------------------------- several controls
def draw2(K, S):
    calls.append((K, S))
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(range(K), [S] * K)
    return fig, f"K = {K}, S = {S}"


def test_several_controls_precompute_every_combination():
    from nnbook.widgets import sliders

    view = sliders([("K", "kernel", [1, 3, 5]), ("S", "stride", [1, 2])], draw2, "t-multi", initial={"S": 2})
    html = view.to_html()
    assert len(re.findall(r'class="nnbook-slider-frame"', html)) == 6
    assert len(re.findall(r'<input type="range"', html)) == 2
    assert 'id="nnbook-slider-t-multi-input-0"' in html and 'id="nnbook-slider-t-multi-input-1"' in html
    # the shown frame is K = 3 (middle), S = 2: index 1 * 2 + 1 = 3, the last control varying fastest
    shown = re.search(r'<figure class="nnbook-slider-frame" id="nnbook-slider-t-multi-frame-(\d+)">', html)
    assert shown.group(1) == "3" and 'alt="kernel = 3, stride = 2"' in html
    assert "<figcaption>K = 3, S = 2</figcaption>" in html


def test_several_controls_recompute_once_per_move():
    from nnbook.widgets import sliders

    view = sliders([("K", "kernel", [1, 3]), ("S", "stride", [1, 2])], draw2, "t-multi-live")
    k_slider, s_slider, image, text = view.widget().children
    calls.clear()
    s_slider.value = 1
    assert calls == [(3, 1)] and text.value == "K = 3, S = 1"
    k_slider.value = 1
    assert calls == [(3, 1), (1, 1)]


@pytest.mark.parametrize("bad", [dict(controls=[]), dict(controls=[("K", "k", [])]),
                                 dict(controls=[("K", "k", [1]), ("K", "k", [2])]),
                                 dict(controls=[("not a name", "k", [1])]),
                                 dict(initial={"S": 1}), dict(controls=[("K", "k", list(range(65)))])])
def test_several_controls_bad_arguments_raise(bad):
    from nnbook.widgets import sliders

    args = dict(controls=[("K", "kernel", [1, 3])], render=lambda K: draw(K), key="t-bad2")
    args.update(bad)
    with pytest.raises(ValueError):
        sliders(**args)


def test_frames_are_palette_pngs():
    from PIL import Image
    import io

    png, _ = slider([1, 2], draw, "k", "t-png").frames[0]
    assert Image.open(io.BytesIO(png)).mode == "P"
