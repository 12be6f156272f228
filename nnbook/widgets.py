"""Sliders that move both in Jupyter (live, with a kernel) and in the HTML book (without one).

One control:

    nnbook.widgets.slider(values=[1, 3, 5, 7], render=draw, label="kernel size", key="ch1-kernel")

Several controls driving one figure:

    nnbook.widgets.sliders([("K", "kernel size", [1, 3, 5]), ("S", "stride", [1, 2])],
                           render=draw, key="ch1-arithmetic")      # draw(K=3, S=1)

`render` draws one state of the figure and returns `(fig, caption)` (or just `fig`).
The cell's output is a single display bundle with two views of the same controls:

* `application/vnd.jupyter.widget-view+json`: ipywidgets sliders. In Jupyter each move calls
  `render` once with the current values, so what you see is recomputed by nnbook.
* `text/html`: every combination of values drawn once in advance (a compact palette PNG each), one
  range input per control and a few lines of our own JavaScript with fixed ids. The book's HTML shows
  this view (the `_config.yml` sets `nb_mime_priority_overrides` so), and it needs no kernel, no
  widget manager and no other server. Range inputs move with the arrow keys; each frame has alt text.

Jupyter shows the widget view when it can and the HTML view otherwise; nbval skips the widget
view (its model id is random) and compares the HTML (ids, labels, captions, alt texts).
"""
import base64
import html
import io
import itertools
import json
import re

__all__ = ["slider", "sliders", "SliderView", "figure_to_png"]

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_FRAMES = 64


def figure_to_png(fig, dpi=None, palette=False):
    """PNG bytes of a matplotlib figure, without the volatile 'Software' metadata; closes it.

    palette=True stores at most 256 colors (a figure of lines, text and a few color maps reads the
    same, at a third of the size or less): what the slider frames use.
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    if not palette:
        return buf.getvalue()
    from PIL import Image

    image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _frame(result):
    """Split what `render` returned into (png bytes, caption text)."""
    fig, caption = (result if isinstance(result, tuple) else (result, ""))
    return figure_to_png(fig, palette=True), str(caption)


_SCRIPT = """<script>
(function () {
  var root = document.getElementById("nnbook-slider-%(key)s");
  if (!root || root.dataset.ready) { return; }
  root.dataset.ready = "1";
  var labels = JSON.parse(root.dataset.values);
  var inputs = [], outs = [];
  for (var j = 0; j < labels.length; j++) {
    inputs.push(document.getElementById("nnbook-slider-%(key)s-input-" + j));
    outs.push(document.getElementById("nnbook-slider-%(key)s-value-" + j));
  }
  var frames = root.querySelectorAll(".nnbook-slider-frame");
  function show() {
    var k = 0;
    for (var j = 0; j < inputs.length; j++) {
      var v = Number(inputs[j].value);
      k = k * labels[j].length + v;
      outs[j].textContent = labels[j][v];
    }
    for (var i = 0; i < frames.length; i++) { frames[i].hidden = (i !== k); }
  }
  for (var j = 0; j < inputs.length; j++) { inputs[j].addEventListener("input", show); }
  show();
})();
</script>"""


class SliderView:
    """Controls over lists of values, a live ipywidgets view and a static precomputed HTML view.

    controls: list of (name, label, values); render(**{name: value}) -> Figure or (Figure, caption).
    Frames are precomputed for every combination (the last control varies fastest).
    """

    def __init__(self, controls, render, key, initial=None):
        controls = [(name, label, list(values)) for name, label, values in controls]
        if not controls:
            raise ValueError("sliders: no controls")
        if not _KEY.match(key):
            raise ValueError(f"sliders: key {key!r} must be lowercase letters, digits and '-'")
        initial = dict(initial or {})
        for name, label, values in controls:
            if not _NAME.match(name):
                raise ValueError(f"sliders: control name {name!r} must be a Python identifier")
            if not values:
                raise ValueError(f"sliders: control {name!r} has no values")
            initial.setdefault(name, values[len(values) // 2])
            if initial[name] not in values:
                raise ValueError(f"sliders: initial value {initial[name]!r} of {name!r} is not one of {values}")
        names = [c[0] for c in controls]
        if len(set(names)) != len(names) or set(initial) - set(names):
            raise ValueError(f"sliders: control names {names} must be unique and cover `initial` {sorted(initial)}")
        combos = list(itertools.product(*[values for _, _, values in controls]))
        if len(combos) > MAX_FRAMES:
            raise ValueError(f"sliders: {len(combos)} combinations; at most {MAX_FRAMES} frames keep the page light")
        self.controls, self.render, self.key, self.initial = controls, render, key, initial
        self.combos = combos
        self.frames = [_frame(render(**dict(zip(names, combo)))) for combo in combos]
        self._widget = None

    @property
    def names(self):
        return [name for name, _, _ in self.controls]

    def _alt(self, combo):
        return ", ".join(f"{label} = {value}" for (_, label, _), value in zip(self.controls, combo))

    # -- static view ---------------------------------------------------------------------
    def to_html(self):
        """The precomputed view: one range input per control, one <figure> per combination, a small script."""
        k = self.key
        labels = [[str(v) for v in values] for _, _, values in self.controls]
        start_combo = tuple(self.initial[name] for name in self.names)
        start = self.combos.index(start_combo)
        parts = [f'<div class="nnbook-slider" id="nnbook-slider-{k}" '
                 f"data-values='{html.escape(json.dumps(labels), quote=True)}'>"]
        for j, (name, label, values) in enumerate(self.controls):
            pos = values.index(self.initial[name])
            parts.append(
                f'<div class="nnbook-slider-control"><label for="nnbook-slider-{k}-input-{j}">'
                f'{html.escape(label)}: <output id="nnbook-slider-{k}-value-{j}">{html.escape(labels[j][pos])}'
                f'</output></label> <input type="range" id="nnbook-slider-{k}-input-{j}" min="0" '
                f'max="{len(values) - 1}" step="1" value="{pos}" aria-label="{html.escape(label)}"></div>')
        for i, ((png, caption), combo) in enumerate(zip(self.frames, self.combos)):
            data = base64.b64encode(png).decode("ascii")
            hidden = "" if i == start else " hidden"
            parts.append(
                f'<figure class="nnbook-slider-frame" id="nnbook-slider-{k}-frame-{i}"{hidden}>'
                f'<img src="data:image/png;base64,{data}" alt="{html.escape(self._alt(combo))}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</div>")
        parts.append(_SCRIPT % {"key": k})
        return "\n".join(parts)

    # -- live view -----------------------------------------------------------------------
    def widget(self):
        """The ipywidgets view: each move recomputes the frame with `render`, once."""
        if self._widget is None:
            import ipywidgets as w

            start = self.combos.index(tuple(self.initial[name] for name in self.names))
            png, caption = self.frames[start]
            controls = []
            for name, label, values in self.controls:
                controls.append(w.SelectionSlider(options=values, value=self.initial[name], description=label,
                                                  continuous_update=False, style={"description_width": "initial"},
                                                  layout=w.Layout(width="28em")))
            image = w.Image(value=png, format="png")
            text = w.HTML(value=html.escape(caption))

            def update(change):
                png, caption = _frame(self.render(**{n: c.value for n, c in zip(self.names, controls)}))
                image.value, text.value = png, html.escape(caption)

            for control in controls:
                control.observe(update, names="value")
            self._widget = w.VBox([*controls, image, text])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            bundle = dict(self.widget()._repr_mimebundle_())   # the live view
        except ImportError:   # no ipywidgets: the static view alone still works
            bundle = {}
        # A short text instead of the widget's long repr, and the precomputed static view.
        over = "; ".join(f"{label} over {values}" for _, label, values in self.controls)
        bundle["text/plain"] = f"slider '{self.key}': {over}"
        bundle["text/html"] = self.to_html()
        return bundle


def sliders(controls, render, key, initial=None):
    """Several controls driving one figure, live in Jupyter and precomputed in the HTML book.

    controls: list of (name, label, values), e.g. [("K", "kernel size", [1, 3, 5]), ("S", "stride", [1, 2])];
    label is shown in the notebook's language. render(**{name: value}) -> Figure or (Figure, caption),
    deterministic. key: a fixed id unique within the book, e.g. "ch1-arithmetic". initial: {name: value}
    (default: the middle value of each control). At most 64 combinations (keep pages light).
    """
    return SliderView(controls, render, key, initial=initial)


def slider(values, render, label, key, initial=None):
    """One slider, live in Jupyter and precomputed in the HTML book.

    values: the slider positions (e.g. kernel sizes [1, 3, 5, 7]).
    render: value -> (matplotlib Figure, caption str) or a Figure; must be deterministic.
    label: text beside the slider, in the notebook's language. key: a fixed id, e.g. "ch1-kernel",
    unique within the book. initial: the starting value (default: the middle one).
    """
    values = list(values)
    if not values:
        raise ValueError("slider: values is empty")
    if initial is not None and initial not in values:
        raise ValueError(f"slider: initial value {initial!r} is not one of {values}")
    return SliderView([("value", label, values)], lambda value: render(value), key,
                      initial=None if initial is None else {"value": initial})
