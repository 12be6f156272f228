"""Gradient checks shared by every from-scratch layer.

`numerical_gradient` is the centered difference (f(x + eps) - f(x - eps)) / (2 eps), one entry
at a time, so it is slow but obviously right; `rel_error` is CS231n's relative error. Use float64:
in float32 the difference quotient itself is only good to about 1e-3.
"""
import numpy as np

__all__ = ["numerical_gradient", "rel_error", "gradcheck"]


def numerical_gradient(f, x, eps=1e-6, dout=None):
    """Centered-difference gradient of `f` with respect to the array `x`.

    f: a function of no arguments that reads `x` (changed in place here) and returns an array
       or a scalar.
    x: the float array to perturb, any shape; it is restored before returning.
    dout: upstream gradient with the shape of f's output; the gradient of sum(f() * dout)
       is returned. None means f returns a scalar (dout = 1).
    Returns an array shaped like x.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"numerical_gradient: x must be a float array, got dtype {x.dtype}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = np.asarray(f(), dtype=np.float64)
        x[i] = old - eps
        minus = np.asarray(f(), dtype=np.float64)
        x[i] = old
        if dout is None:
            grad[i] = (plus - minus).sum() / (2 * eps)
        else:
            grad[i] = ((plus - minus) * dout).sum() / (2 * eps)
        it.iternext()
    return grad


def rel_error(a, b):
    """Largest relative error max |a - b| / max(1e-8, |a| + |b|), as in CS231n."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes {a.shape} and {b.shape} differ")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def gradcheck(f, x, analytic, eps=1e-6, dout=None):
    """Relative error between an analytic gradient and the numerical one.

    f, x, eps, dout: as in `numerical_gradient`. analytic: the gradient to check, shaped like x.
    Returns a float; in float64 a correct backward pass gives about 1e-8 or less.
    """
    return rel_error(analytic, numerical_gradient(f, x, eps=eps, dout=dout))
