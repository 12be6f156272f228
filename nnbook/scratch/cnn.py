"""CNN layers in plain NumPy (issue 3): everything chapter 1 and 2 call, re-exported from small modules.

- conv_reference.py: conv_output_size, conv2d_forward/backward_naive (loops), im2col, col2im,
                   conv2d_forward/backward_im2col (one matrix product): the readable versions
- conv.py:      conv2d_forward/backward, the fast version the layers use
- pool.py:      max_pool2d_forward/backward, avg_pool2d_forward/backward
- basic.py:     relu, linear (x @ W + b), flatten, softmax, softmax_cross_entropy
- layers.py:    Conv2d, MaxPool2d, AvgPool2d, ReLU, Flatten, Linear, Sequential, load_torch_state_dict
- optim.py:     SGD (with momentum), Adam
- train_cnn.py: build_digits_cnn, train_digits_cnn, random_shift, validation_split, DIGITS_NET
"""
from .basic import (flatten, flatten_backward, flatten_forward, linear_backward, linear_forward,
                    relu_backward, relu_forward, softmax, softmax_cross_entropy)
from .conv import conv2d_backward, conv2d_forward
from .conv_reference import (col2im, conv2d_backward_im2col, conv2d_backward_naive, conv2d_forward_im2col,
                             conv2d_forward_naive, conv_output_size, im2col)
from .layers import (AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential,
                     load_torch_state_dict)
from .optim import SGD, Adam
from .pool import avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward
from .train_cnn import DIGITS_NET, build_digits_cnn, random_shift, train_digits_cnn, validation_split

__all__ = [
    # convolution
    "conv_output_size", "conv2d_forward_naive", "conv2d_backward_naive",
    "im2col", "col2im", "conv2d_forward_im2col", "conv2d_backward_im2col", "conv2d_forward", "conv2d_backward",
    # pooling
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
    # activations, fully connected, loss
    "relu_forward", "relu_backward", "linear_forward", "linear_backward",
    "flatten", "flatten_forward", "flatten_backward", "softmax", "softmax_cross_entropy",
    # layer classes and the net
    "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "Flatten", "Linear", "Sequential", "load_torch_state_dict",
    # optimizers
    "SGD", "Adam",
    # training on the digits
    "build_digits_cnn", "train_digits_cnn", "random_shift", "validation_split", "DIGITS_NET",
]
