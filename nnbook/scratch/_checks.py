"""Argument checks shared by the layers: every bad input gets a ValueError that names it."""
import numpy as np


def as_float_arrays(fn, *arrays):
    """The arrays as NumPy arrays of one common float dtype (float32 stays float32).

    Integers become float64; mixing float32 and float64 gives float64, as NumPy would.
    """
    arrays = [np.asarray(a) for a in arrays]
    dtype = np.result_type(*arrays)
    if not np.issubdtype(dtype, np.floating):
        if not all(np.issubdtype(a.dtype, np.number) for a in arrays):
            raise ValueError(f"{fn}: expected numeric arrays, got dtypes {[str(a.dtype) for a in arrays]}")
        dtype = np.float64
    return [a.astype(dtype, copy=False) for a in arrays]


def check_ndim(fn, name, a, ndim, layout):
    """Raise unless `a` has `ndim` dimensions; `layout` is the expected shape, e.g. '(N, C, H, W)'."""
    if a.ndim != ndim:
        raise ValueError(f"{fn}: {name} must be {ndim}-D {layout}, got shape {a.shape}")


def pair(fn, name, value, minimum):
    """An int or a pair of ints as a pair (vertical, horizontal), each at least `minimum`."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
        pair_ = tuple(value)
    else:
        pair_ = (value, value)
    for v in pair_:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
        if v < minimum:
            what = "at least 1" if minimum == 1 else "non-negative"
            raise ValueError(f"{fn}: {name} must be {what}, got {value!r}")
    return int(pair_[0]), int(pair_[1])


# ---------------------------------------------------------------- recurrent layers
def as_float(fn, **arrays):
    """The arrays converted to one common float dtype (float32 stays float32, ints become float64)."""
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    for name, a in arrays.items():
        if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise ValueError(f"{fn}: {name} must be a real numeric array, got dtype {a.dtype}")
    dtype = np.result_type(*arrays.values())
    if not np.issubdtype(dtype, np.floating):
        dtype = np.float64
    return [a.astype(dtype, copy=False) for a in arrays.values()]


def check_sequence_args(fn, x, Wx, Wh, b, gates=1):
    """Check x: (N, T, D), Wx: (D, G*H), Wh: (H, G*H), b: (G*H,) with G = `gates`; return N, T, D, H.

    G is 1 for the plain RNN and 4 for the LSTM (gates i, f, g, o side by side).
    """
    if x.ndim != 3:
        raise ValueError(f"{fn}: x must be 3-D (N, T, D), got shape {x.shape}")
    N, T, D = x.shape
    if T == 0:
        raise ValueError(f"{fn}: x has no time steps (T = 0), shape {x.shape}")
    cols = "H" if gates == 1 else f"{gates}H"
    if Wx.ndim != 2:
        raise ValueError(f"{fn}: Wx must be 2-D (D, {cols}), got shape {Wx.shape}")
    if Wx.shape[0] != D:
        raise ValueError(f"{fn}: Wx has {Wx.shape[0]} rows but x has D={D} features")
    if Wh.ndim != 2:
        raise ValueError(f"{fn}: Wh must be 2-D (H, {cols}), got shape {Wh.shape}")
    H = Wh.shape[0]
    if gates == 1 and Wh.shape[1] != H:
        raise ValueError(f"{fn}: Wh must be square (H, H), got shape {Wh.shape}")
    if gates != 1 and Wh.shape[1] != gates * H:
        raise ValueError(f"{fn}: Wh must be (H, {cols}) = ({H}, {gates * H}) for H={H}, got shape {Wh.shape}")
    if Wx.shape[1] != gates * H:
        raise ValueError(f"{fn}: Wx has {Wx.shape[1]} columns but Wh says {cols} = {gates * H} (H={H})")
    if b.shape != (gates * H,):
        raise ValueError(f"{fn}: b must have shape ({cols},) = ({gates * H},), got {b.shape}")
    return N, T, D, H


def check_state(fn, name, s, N, H):
    """Check an initial state h0 or c0: (N, H)."""
    if s.ndim != 2:
        raise ValueError(f"{fn}: {name} must be 2-D (N, H), got shape {s.shape}")
    if s.shape[0] != N:
        raise ValueError(f"{fn}: {name} has batch {s.shape[0]} but x has N={N}")
    if s.shape[1] != H:
        raise ValueError(f"{fn}: {name} has {s.shape[1]} features but the hidden size is H={H}")


def check_dout(fn, name, d, shape):
    d = np.asarray(d)
    if d.shape != shape:
        raise ValueError(f"{fn}: {name} must have shape {shape} (like the forward output), got {d.shape}")
    return d
