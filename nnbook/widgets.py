"""Sliders that move both in Jupyter (live, with a kernel) and in the HTML book (without one).

One call, one slider for the reader:

    nnbook.widgets.slider(values=[1, 3, 5, 7], render=draw, label="kernel size", key="ch1-kernel")

`render(value)` draws one state of the figure and returns `(fig, caption)` (or just `fig`).
The cell's output is a single display bundle with two views of the same slider:

* `application/vnd.jupyter.widget-view+json`: an ipywidgets slider. In Jupyter each move calls
  `render` again, so what you see is recomputed by nnbook.
* `text/html`: every value's frame drawn once in advance (PNG), a range input and a few lines of
  our own JavaScript with fixed ids. The book's HTML shows this view (the `_config.yml` sets
  `nb_mime_priority_overrides` so), and it needs no kernel, no widget manager and no other server.

Jupyter shows the widget view when it can and the HTML view otherwise; nbval skips the widget
view (its model id is random) and compares the HTML, which is deterministic.
"""
import base64
import html
import io
import re

__all__ = ["slider", "SliderView", "figure_to_png"]

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def figure_to_png(fig, dpi=None):
    """PNG bytes of a matplotlib figure, without the volatile 'Software' metadata; closes it."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _frame(result):
    """Split what `render` returned into (png bytes, caption text)."""
    fig, caption = (result if isinstance(result, tuple) else (result, ""))
    return figure_to_png(fig), str(caption)


_SCRIPT = """<script>
(function () {
  var root = document.getElementById("nnbook-slider-%(key)s");
  if (!root || root.dataset.ready) { return; }
  root.dataset.ready = "1";
  var input = root.querySelector("input[type=range]");
  var out = root.querySelector("output");
  var frames = root.querySelectorAll(".nnbook-slider-frame");
  var labels = JSON.parse(root.dataset.values);
  function show() {
    var k = Number(input.value);
    for (var i = 0; i < frames.length; i++) { frames[i].hidden = (i !== k); }
    out.textContent = labels[k];
  }
  input.addEventListener("input", show);
  show();
})();
</script>"""


class SliderView:
    """A slider over `values` with a live ipywidgets view and a static precomputed HTML view."""

    def __init__(self, values, render, label, key, initial=None):
        values = list(values)
        if not values:
            raise ValueError("slider: values is empty")
        if not _KEY.match(key):
            raise ValueError(f"slider: key {key!r} must be lowercase letters, digits and '-'")
        if initial is None:
            initial = values[len(values) // 2]
        if initial not in values:
            raise ValueError(f"slider: initial value {initial!r} is not one of {values}")
        self.values, self.render, self.label, self.key = values, render, label, key
        self.initial = initial
        self.frames = [_frame(render(v)) for v in values]
        self._widget = None

    # -- static view ---------------------------------------------------------------------
    def to_html(self):
        """The precomputed view: a range input, one <figure> per value, a small script."""
        import json

        k = self.key
        start = self.values.index(self.initial)
        labels = [str(v) for v in self.values]
        parts = [
            f'<div class="nnbook-slider" id="nnbook-slider-{k}" '
            f"data-values='{html.escape(json.dumps(labels), quote=True)}'>",
            f'<label for="nnbook-slider-{k}-input">{html.escape(self.label)}: '
            f'<output id="nnbook-slider-{k}-value">{html.escape(labels[start])}</output></label> ',
            f'<input type="range" id="nnbook-slider-{k}-input" min="0" max="{len(labels) - 1}" '
            f'step="1" value="{start}" aria-label="{html.escape(self.label)}">',
        ]
        for i, (png, caption) in enumerate(self.frames):
            data = base64.b64encode(png).decode("ascii")
            hidden = "" if i == start else " hidden"
            parts.append(
                f'<figure class="nnbook-slider-frame" id="nnbook-slider-{k}-frame-{i}"{hidden}>'
                f'<img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(self.label)} = {html.escape(labels[i])}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</div>")
        parts.append(_SCRIPT % {"key": k})
        return "\n".join(parts)

    # -- live view -----------------------------------------------------------------------
    def widget(self):
        """The ipywidgets view: the slider recomputes the frame with `render` on every move."""
        if self._widget is None:
            import ipywidgets as w

            start = self.values.index(self.initial)
            png, caption = self.frames[start]
            slider = w.SelectionSlider(options=self.values, value=self.initial,
                                       description=self.label, continuous_update=False,
                                       style={"description_width": "initial"},
                                       layout=w.Layout(width="28em"))
            image = w.Image(value=png, format="png")
            text = w.HTML(value=html.escape(caption))

            def update(change):
                png, caption = _frame(self.render(change["new"]))
                image.value, text.value = png, html.escape(caption)

            slider.observe(update, names="value")
            self._widget = w.VBox([slider, image, text])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            bundle = dict(self.widget()._repr_mimebundle_())   # the live view
        except ImportError:   # no ipywidgets: the static view alone still works
            bundle = {}
        # A short text instead of the widget's long repr, and the precomputed static view.
        bundle["text/plain"] = f"slider '{self.key}': {self.label} over {self.values}"
        bundle["text/html"] = self.to_html()
        return bundle


def slider(values, render, label, key, initial=None):
    """A slider shown once, live in Jupyter and precomputed in the HTML book.

    values: the slider positions (e.g. kernel sizes [1, 3, 5, 7]).
    render: value -> (matplotlib Figure, caption str) or a Figure; must be deterministic.
    label: text beside the slider, in the notebook's language. key: a fixed id, e.g. "ch1-kernel",
    unique within the book. initial: the starting value (default: the middle one).
    """
    return SliderView(values, render, label, key, initial=initial)
