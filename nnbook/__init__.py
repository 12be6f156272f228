"""nnbook: the helper package of the nnbook Jupyter Book (CNN, RNN and LSTM from theory to code).

What a notebook imports, in three layers (each imports only the ones below it):

    nnbook.scratch   the from-scratch library: NumPy layers with forward and backward passes
                     (convolution, pooling, RNN, LSTM), readable versions first, then the fast ones
    nnbook.cnn       helpers of chapters 1-2: images, data, PyTorch models, figures
    nnbook.rnn       helpers of chapters 3-4
    nnbook.lstm      helpers of chapters 5-6
    nnbook.widgets   sliders that work live in Jupyter and as precomputed frames in the HTML book
    nnbook.config    setup(lang=...), tr(ko, en): language, seeds, threads, figure style;
                     one_thread(), count_params(model), pad(text, width) for tables, shared by the chapters

`nnbook.book` holds the machinery that builds and checks the book (Sphinx extension, notebook
execution, glossary page); no notebook imports it.
"""
from .config import count_params, fmt_time, get_lang, num_threads, one_thread, pad, setup, tr  # noqa: F401

__version__ = "0.1.0"
