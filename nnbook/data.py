"""Data the chapters use, offline by default.

The default image data is scikit-learn's bundled handwritten digits (1,797 images, 8x8, ten
classes), which ship with the package: nothing is downloaded.
"""
import numpy as np

__all__ = ["load_digits_split"]


def load_digits_split(test_size=0.25, seed=0):
    """The digits, split into train and test, stratified by class.

    Returns X_train, X_test: float32 (N, 1, 8, 8) with values in [0, 1], and
    y_train, y_test: int64 (N,) labels 0-9. 25% held out, seed 0, as everywhere in the book.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed)
    return X_train, X_test, y_train, y_test
