"""The small pieces around the convolutions: ReLU, fully connected (linear) layer, flatten, softmax loss."""
import numpy as np

from ._checks import as_float_arrays, check_ndim

__all__ = [
    "relu_forward", "relu_backward",
    "linear_forward", "linear_backward",
    "flatten", "flatten_forward", "flatten_backward",
    "softmax", "softmax_cross_entropy",
]


def relu_forward(x):
    """ReLU, max(0, x) elementwise. x: any shape. Returns out (same shape) and cache for `relu_backward`."""
    (x,) = as_float_arrays("relu_forward", x)
    mask = x > 0
    return np.maximum(x, 0), mask


def relu_backward(dout, cache):
    """Backward of ReLU: the gradient passes where x > 0 and is 0 elsewhere (also at x == 0, as in PyTorch).

    dout: same shape as x. Returns dx.
    """
    mask = cache
    dout = np.asarray(dout)
    if dout.shape != mask.shape:
        raise ValueError(f"relu_backward: dout has shape {dout.shape} but x had shape {mask.shape}")
    return np.where(mask, dout, np.zeros((), dtype=dout.dtype))


def linear_forward(x, W, b):
    """Fully connected layer out = x @ W + b (the 밑바닥부터 'Affine' layer).

    x: (N, D), W: (D, M), b: (M,). Returns out: (N, M) and cache for `linear_backward`.
    PyTorch's nn.Linear stores weight as (M, D), i.e. W = weight.T.
    """
    x, W, b = as_float_arrays("linear_forward", x, W, b)
    check_ndim("linear_forward", "x", x, 2, "(N, D)")
    check_ndim("linear_forward", "W", W, 2, "(D, M)")
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"linear_forward: x has {x.shape[1]} features but W expects {W.shape[0]} "
                         f"(W must be (D, M) = (in, out); did you pass PyTorch's (out, in) weight?)")
    if b.shape != (W.shape[1],):
        raise ValueError(f"linear_forward: b must have shape ({W.shape[1]},), got {b.shape}")
    return x @ W + b, (x, W)


def linear_backward(dout, cache):
    """Backward of `linear_forward`. dout: (N, M). Returns dx: (N, D), dW: (D, M), db: (M,)."""
    x, W = cache
    dout = np.asarray(dout)
    if dout.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"linear_backward: dout must have shape {(x.shape[0], W.shape[1])}, got {dout.shape}")
    dout = dout.astype(W.dtype, copy=False)
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def flatten(x):
    """x: (N, C, H, W) (or any (N, ...)) -> (N, C*H*W): one row per example, for a linear layer."""
    x = np.asarray(x)
    if x.ndim < 1:
        raise ValueError(f"flatten: x needs a batch axis, got a scalar")
    return x.reshape(x.shape[0], -1)


def flatten_forward(x):
    """`flatten` with a cache: returns out: (N, D) and the input shape for `flatten_backward`."""
    return flatten(x), np.shape(x)


def flatten_backward(dout, cache):
    """Backward of flatten: reshape dout: (N, D) back to the input shape."""
    dout = np.asarray(dout)
    if dout.size != int(np.prod(cache)):
        raise ValueError(f"flatten_backward: dout has shape {dout.shape}, cannot go back to {cache}")
    return dout.reshape(cache)


def softmax(logits):
    """Row-wise softmax of logits: (N, K), computed stably (the row maximum is subtracted first)."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy loss of softmax(logits) against integer labels, and its gradient.

    logits: (N, K) scores; labels: (N,) integers in [0, K).
    loss = -mean_n log softmax(logits)[n, labels[n]]; the gradient is (softmax - onehot) / N.
    Returns loss (a Python float) and dlogits: (N, K), the dtype of logits.
    Same as torch.nn.functional.cross_entropy(logits, labels).
    """
    (logits,) = as_float_arrays("softmax_cross_entropy", logits)
    check_ndim("softmax_cross_entropy", "logits", logits, 2, "(N, K)")
    labels = np.asarray(labels)
    N, K = logits.shape
    if labels.shape != (N,):
        raise ValueError(f"softmax_cross_entropy: labels must have shape ({N},), one per row of logits, "
                         f"got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"softmax_cross_entropy: labels must be integers (class indices), got dtype {labels.dtype}")
    if N and (labels.min() < 0 or labels.max() >= K):
        raise ValueError(f"softmax_cross_entropy: labels must be in [0, {K}), got values from "
                         f"{labels.min()} to {labels.max()}")
    if N == 0:
        raise ValueError("softmax_cross_entropy: empty batch (N = 0)")
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(N)
    loss = -log_p[rows, labels].mean()
    dlogits = np.exp(log_p)
    dlogits[rows, labels] -= 1
    dlogits /= N
    return float(loss), dlogits
