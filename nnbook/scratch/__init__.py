"""nnbook.scratch: neural-network layers in plain NumPy, forward and backward.

Where to start reading. Every layer the chapters derive comes twice: first as it is written in the
chapter (loops and one matrix product per step, a few lines each), then as a fast version that the
layer classes and the training code call. Read the reference modules first; the fast ones compute
the same numbers (the tests check both against PyTorch and against each other):

    layer        read first (the reference)                     fast version (what the layers call)
    convolution  conv_reference.py: conv2d_forward_naive /      conv.py: conv2d_forward / conv2d_backward
                 conv2d_backward_naive (loops), im2col, col2im,
                 conv2d_forward_im2col / conv2d_backward_im2col
    plain RNN    rnn_reference.py: rnn_step_forward /           recurrent.py: rnn_forward / rnn_backward
                 rnn_step_backward, rnn_forward_naive /
                 rnn_backward_naive (a loop over the steps)
    LSTM         lstm_reference.py: lstm_step_forward /         lstm.py: lstm_forward / lstm_backward
                 lstm_step_backward, lstm_forward_naive /
                 lstm_backward_naive (a loop over the steps)

The other layers have one version each, short enough to read as they are: pool.py (max and average
pooling), basic.py (ReLU, fully connected, softmax cross-entropy), layers.py (layer classes and
Sequential), optim.py (SGD, Adam), seq_layers.py (TimeRNN, TimeLSTM, ...), train_cnn.py (the
digits CNN), gradcheck.py (numerical gradients). _threads.py splits a batch over the CPU cores.

Everything here imports NumPy only (and threadpoolctl, to read and limit NumPy's BLAS threads);
PyTorch is used by the tests as the oracle. Everything is re-exported here: `from nnbook import
scratch; scratch.conv2d_forward(...)`.
"""
from .gradcheck import gradcheck, numerical_gradient, rel_error  # noqa: F401

# --- CNN layers (issue 3): conv, pooling, relu, linear, softmax loss, layer classes, optimizers
from .cnn import *  # noqa: F401,F403

# --- RNN / LSTM (issue 4)
from .rnn import *  # noqa: F401,F403
