"""Helpers of the RNN chapters (3: RNN theory, 4: RNN code). The layers themselves are in `nnbook.scratch`.

    theory_figures  chapter 3: unrolled diagrams, hidden-state heat maps, gradient norms over time
    text_data       chapter 4: the Zen of Python text, its vocabulary, unigram entropy
    models          chapter 4: the PyTorch character RNN and sine RNN, training, sampling
    training_plots  chapter 4: loss curves, clipping, hidden states, sine predictions
"""
