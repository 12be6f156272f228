"""nnbook.scratch: neural-network layers in plain NumPy, forward and backward.

Everything here imports NumPy only; PyTorch is used by the tests as the oracle.
"""
from .gradcheck import gradcheck, numerical_gradient, rel_error  # noqa: F401

# --- CNN layers (issue 3): conv, pooling, relu, linear, softmax loss, layer classes, optimizers
from .cnn import *  # noqa: F401,F403

# --- RNN / LSTM (issue 4)
from .rnn import *  # noqa: F401,F403
