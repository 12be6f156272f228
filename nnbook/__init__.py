"""nnbook: the helper package of the nnbook Jupyter Book (CNN, RNN and LSTM from theory to code).

Submodules, each findable from the name a chapter calls:
    nnbook.config   setup(lang=...), tr(ko, en): language, seeds, threads, figure style;
                    one_thread(), count_params(model), shared by the chapters
    nnbook.scratch  from-scratch NumPy layers with backward passes (conv, pooling, RNN, LSTM)
    nnbook.widgets  sliders that work live in Jupyter and as precomputed frames in the HTML book
    nnbook.glossary the one Korean rendering of every term
"""
from .config import count_params, fmt_time, get_lang, num_threads, one_thread, setup, tr  # noqa: F401

__version__ = "0.1.0"
