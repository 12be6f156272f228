"""Argument checks shared by the CNN layers: every bad input gets a ValueError that names it."""
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
