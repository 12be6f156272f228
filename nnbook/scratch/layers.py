"""Layer classes in the style of 밑바닥부터 시작하는 딥러닝 (common/layers.py), and a sequential net.

Each layer keeps its parameters in `params` and, after `backward`, their gradients in `grads`
(dicts with the same keys, 'W' and 'b'); `forward` caches what `backward` needs. The functional
core (conv2d_forward, ...) does the work.
"""
import numpy as np

from ._checks import pair
from .basic import (flatten_backward, flatten_forward, linear_backward, linear_forward,
                    relu_backward, relu_forward, softmax_cross_entropy)
from .conv import conv2d_backward, conv2d_forward
from .pool import avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "Flatten", "Linear", "Sequential",
           "load_torch_state_dict"]


def _he_normal(rng, shape, fan_in, dtype):
    """He (Kaiming) initialisation for ReLU nets: normal with std sqrt(2 / fan_in)."""
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


class Conv2d:
    """Convolution layer. x: (N, C, H, W) -> (N, F, Ho, Wo); params W: (F, C, KH, KW), b: (F,)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 rng=None, dtype=np.float32):
        rng = np.random.default_rng(0) if rng is None else rng
        KH, KW = pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride, self.padding = stride, padding
        fan_in = in_channels * KH * KW
        self.params = {"W": _he_normal(rng, (out_channels, in_channels, KH, KW), fan_in, dtype),
                       "b": np.zeros(out_channels, dtype=dtype)}
        self.grads = {}
        self.cache = None

    def forward(self, x):
        out, self.cache = conv2d_forward(x, self.params["W"], self.params["b"], self.stride, self.padding)
        return out

    def backward(self, dout):
        dx, self.grads["W"], self.grads["b"] = conv2d_backward(dout, self.cache)
        return dx

    def __repr__(self):
        F, C, KH, KW = self.params["W"].shape
        return f"Conv2d({C}, {F}, kernel_size=({KH}, {KW}), stride={self.stride}, padding={self.padding})"


class Linear:
    """Fully connected layer ('Affine'). x: (N, D) -> (N, M); params W: (D, M), b: (M,)."""

    def __init__(self, in_features, out_features, rng=None, dtype=np.float32):
        rng = np.random.default_rng(0) if rng is None else rng
        self.params = {"W": _he_normal(rng, (in_features, out_features), in_features, dtype),
                       "b": np.zeros(out_features, dtype=dtype)}
        self.grads = {}
        self.cache = None

    def forward(self, x):
        out, self.cache = linear_forward(x, self.params["W"], self.params["b"])
        return out

    def backward(self, dout):
        dx, self.grads["W"], self.grads["b"] = linear_backward(dout, self.cache)
        return dx

    def __repr__(self):
        D, M = self.params["W"].shape
        return f"Linear({D}, {M})"


class _NoParams:
    """Base of the layers without parameters: empty params and grads."""

    def __init__(self):
        self.params, self.grads, self.cache = {}, {}, None

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(_NoParams):
    """ReLU layer, any shape -> same shape."""

    def forward(self, x):
        out, self.cache = relu_forward(x)
        return out

    def backward(self, dout):
        return relu_backward(dout, self.cache)


class MaxPool2d(_NoParams):
    """Max pooling layer. x: (N, C, H, W) -> (N, C, Ho, Wo); stride None = kernel_size."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        out, self.cache = max_pool2d_forward(x, self.kernel_size, self.stride)
        return out

    def backward(self, dout):
        return max_pool2d_backward(dout, self.cache)

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class AvgPool2d(MaxPool2d):
    """Average pooling layer. x: (N, C, H, W) -> (N, C, Ho, Wo); stride None = kernel_size."""

    def forward(self, x):
        out, self.cache = avg_pool2d_forward(x, self.kernel_size, self.stride)
        return out

    def backward(self, dout):
        return avg_pool2d_backward(dout, self.cache)

    def __repr__(self):
        return f"AvgPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class Flatten(_NoParams):
    """Flatten layer. x: (N, C, H, W) -> (N, C*H*W)."""

    def forward(self, x):
        out, self.cache = flatten_forward(x)
        return out

    def backward(self, dout):
        return flatten_backward(dout, self.cache)


class Sequential:
    """Layers applied in order, ending in logits; the loss is softmax cross-entropy.

    params / grads: dicts keyed '<layer index>.<name>' (e.g. '0.W', '0.b'), holding the layers' own
    arrays, so an optimizer's in-place update changes the layers. Usage, as in 밑바닥부터:
        grads = net.gradient(x, t)          # forward, loss, backward
        optimizer.update(net.params, grads)
    """

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        self.layers = list(layers)
        self.logits = self.dlogits = self.last_loss = None

    @property
    def params(self):
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    @property
    def grads(self):
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()}

    def forward(self, x):
        """x: (N, ...) -> logits (N, K), keeping every layer's cache for `backward`."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    predict = forward

    def backward(self, dout):
        """dout: gradient of the loss with respect to the logits; fills every layer's grads, returns dx."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def loss(self, x, t):
        """Mean softmax cross-entropy of the logits of x against labels t: (N,); keeps dlogits for backward."""
        self.logits = self.forward(x)
        loss, self.dlogits = softmax_cross_entropy(self.logits, t)
        return loss

    def gradient(self, x, t):
        """Forward, loss and backward on one batch; returns grads (loss and logits: self.last_loss, self.logits)."""
        self.last_loss = self.loss(x, t)
        self.backward(self.dlogits)
        return self.grads

    def accuracy(self, x, t, batch_size=512):
        """Fraction of x: (N, ...) whose predicted class (argmax of the logits) equals t: (N,)."""
        t = np.asarray(t)
        hits = 0
        for i in range(0, len(x), batch_size):
            hits += int((self.predict(x[i:i + batch_size]).argmax(axis=1) == t[i:i + batch_size]).sum())
        return hits / len(x)

    def __repr__(self):
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


def load_torch_state_dict(model, state_dict):
    """Copy a PyTorch model's weights into a Sequential of Conv2d / Linear layers (in place).

    state_dict: `torch_model.state_dict()` of a net with the same layers in the same order (its
    '*.weight' / '*.bias' entries are matched in order to the Conv2d and Linear layers here).
    Conv weights are (F, C, KH, KW) in both libraries; nn.Linear's weight is (M, D), so it is
    transposed into W: (D, M). Values are cast to the dtype of the NumPy parameters. Returns model.
    Only NumPy is used: tensors are converted with .detach().cpu().numpy().
    """
    def to_numpy(v):
        if hasattr(v, "detach"):
            v = v.detach().cpu().numpy()
        return np.asarray(v)

    entries = [(k, to_numpy(v)) for k, v in state_dict.items()
               if k.endswith(".weight") or k.endswith(".bias")]
    layers = [layer for layer in model.layers if isinstance(layer, (Conv2d, Linear))]
    if len(entries) != 2 * len(layers):
        raise ValueError(f"load_torch_state_dict: the state dict has {len(entries)} weight/bias entries "
                         f"but the model has {len(layers)} Conv2d/Linear layers ({2 * len(layers)} arrays)")
    for layer, (kw, w), (kb, b) in zip(layers, entries[0::2], entries[1::2]):
        if not (kw.endswith(".weight") and kb.endswith(".bias")):
            raise ValueError(f"load_torch_state_dict: expected a weight then a bias, got {kw!r}, {kb!r}")
        if isinstance(layer, Linear):
            w = w.T
        for name, new, key in (("W", w, kw), ("b", b, kb)):
            old = layer.params[name]
            if new.shape != old.shape:
                raise ValueError(f"load_torch_state_dict: {key} has shape {new.shape} "
                                 f"but {layer!r} needs {old.shape}")
            old[...] = new                       # in place: optimizers and params dicts stay valid
    return model
