"""Copy weights between `torch.nn.RNN` / `torch.nn.LSTM` and the NumPy functions, both ways.

PyTorch keeps weight_ih_l0: (G*H, D), weight_hh_l0: (G*H, H) and two biases bias_ih_l0, bias_hh_l0
(G = 1 for the RNN, 4 for the LSTM, gates in the order i, f, g, o). `nnbook.scratch` uses the
row-vector convention x @ Wx, so Wx = weight_ih_l0.T, Wh = weight_hh_l0.T, b = bias_ih_l0 + bias_hh_l0:
the two biases are always added together, so one is enough.

Nothing here imports torch: the functions only read and write the module's parameters.
"""
import numpy as np

__all__ = [
    "rnn_weights_from_torch", "rnn_weights_to_torch",
    "lstm_weights_from_torch", "lstm_weights_to_torch",
]


def _check_module(fn, module, kind):
    name = type(module).__name__
    if name != kind:
        raise ValueError(f"{fn}: expected a torch.nn.{kind}, got {name}")
    if getattr(module, "num_layers", 1) != 1:
        raise ValueError(f"{fn}: only one layer is supported, the module has num_layers={module.num_layers}")
    if getattr(module, "bidirectional", False):
        raise ValueError(f"{fn}: bidirectional modules are not supported")
    if kind == "RNN" and getattr(module, "nonlinearity", "tanh") != "tanh":
        raise ValueError(f"{fn}: only nonlinearity='tanh' is supported, got {module.nonlinearity!r}")
    if kind == "LSTM" and getattr(module, "proj_size", 0):
        raise ValueError(f"{fn}: proj_size is not supported, got {module.proj_size}")


def _numpy(p):
    return p.detach().cpu().numpy().copy()


def _from_torch(fn, module, kind):
    _check_module(fn, module, kind)
    Wx = _numpy(module.weight_ih_l0).T.copy()
    Wh = _numpy(module.weight_hh_l0).T.copy()
    if module.bias:
        b = _numpy(module.bias_ih_l0) + _numpy(module.bias_hh_l0)
    else:
        b = np.zeros(Wx.shape[1], dtype=Wx.dtype)
    return Wx, Wh, b


def _to_torch(fn, module, kind, Wx, Wh, b):
    _check_module(fn, module, kind)
    shapes = {"Wx": module.weight_ih_l0.T.shape, "Wh": module.weight_hh_l0.T.shape,
              "b": (module.weight_ih_l0.shape[0],)}
    arrays = {"Wx": np.asarray(Wx), "Wh": np.asarray(Wh), "b": np.asarray(b)}
    for name, a in arrays.items():
        if a.shape != tuple(shapes[name]):
            raise ValueError(f"{fn}: {name} has shape {a.shape} but the module needs {tuple(shapes[name])}")
    import torch  # only here: the rest of nnbook.scratch runs without PyTorch

    def put(p, a):
        p.copy_(torch.as_tensor(np.ascontiguousarray(a), dtype=p.dtype, device=p.device))

    with torch.no_grad():
        put(module.weight_ih_l0, arrays["Wx"].T)
        put(module.weight_hh_l0, arrays["Wh"].T)
        if module.bias:
            put(module.bias_ih_l0, arrays["b"])
            module.bias_hh_l0.zero_()
        elif np.any(arrays["b"] != 0):
            raise ValueError(f"{fn}: the module was built with bias=False but b is not zero")
    return module


def rnn_weights_from_torch(module):
    """(Wx: (D, H), Wh: (H, H), b: (H,)) from a one-layer tanh `torch.nn.RNN`, in its dtype."""
    return _from_torch("rnn_weights_from_torch", module, "RNN")


def rnn_weights_to_torch(module, Wx, Wh, b):
    """Write Wx: (D, H), Wh: (H, H), b: (H,) into a `torch.nn.RNN` (b goes to bias_ih_l0, bias_hh_l0
    is zeroed). Returns the module."""
    return _to_torch("rnn_weights_to_torch", module, "RNN", Wx, Wh, b)


def lstm_weights_from_torch(module):
    """(Wx: (D, 4H), Wh: (H, 4H), b: (4H,)) from a one-layer `torch.nn.LSTM`, gates (i, f, g, o)."""
    return _from_torch("lstm_weights_from_torch", module, "LSTM")


def lstm_weights_to_torch(module, Wx, Wh, b):
    """Write Wx: (D, 4H), Wh: (H, 4H), b: (4H,) into a `torch.nn.LSTM` (b goes to bias_ih_l0,
    bias_hh_l0 is zeroed). Returns the module."""
    return _to_torch("lstm_weights_to_torch", module, "LSTM", Wx, Wh, b)
