"""Helpers of the CNN chapters (1: CNN theory, 2: CNN code). The layers themselves are in `nnbook.scratch`.

    images          chapter 1: the sample photo, classic kernels, filter_image, shift_image
    theory_figures  chapter 1: every figure of the theory chapter (grids, windows, pipelines)
    data            chapter 2: the 8x8 digits split and Dataset, CIFAR-10 (or its offline stand-in)
    models          chapter 2: the PyTorch CNNs, their training loop and evaluation
    training_plots  chapter 2: loss/accuracy curves, learned filters, feature maps
"""
