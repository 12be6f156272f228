"""Helpers of the LSTM chapters (5: LSTM theory, 6: LSTM code). The layers themselves are in `nnbook.scratch`.

    counter_task    chapter 5: the counting task, a tiny NumPy LSTM trained on it, gate records, parameter counts
    theory_figures  chapter 5: the cell diagram, gradient norms, gate-by-gate frames, parameter plot
    models          chapter 6: the PyTorch LSTM models and tasks (long-range memory, word task), training
    training_plots  chapter 6: loss and accuracy curves
"""
