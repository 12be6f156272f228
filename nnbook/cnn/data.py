"""Data the chapters use, offline by default.

The default image data is scikit-learn's bundled handwritten digits (1,797 images, 8x8, ten
classes), which ship with the package: nothing is downloaded.

- `load_digits_split()`: the digits as NumPy arrays (N, 1, 8, 8) in [0, 1], 25% held out.
- `validation_split(y, val_size)`: indices that set a stratified validation part aside from the
  training images, so that choices are made without looking at the test set.
- `DigitsDataset`: the same split as a `torch.utils.data.Dataset` that returns PIL images and
  takes torchvision transforms, exactly like `torchvision.datasets.CIFAR10`.
- `load_cifar10(root, train, download=False)`: CIFAR-10 (the seed post's data) through
  torchvision's own class, for readers with a network or a downloaded copy.
- `make_fake_cifar10(root, ...)`: a tiny random CIFAR-10 in the real on-disk format, so the
  CIFAR-10 path can be tested without a network.
"""
import hashlib
import os
import pickle

import numpy as np
from torch.utils.data import Dataset

__all__ = ["load_digits_split", "validation_split", "DigitsDataset", "digits_to_uint8", "load_cifar10", "make_fake_cifar10",
           "CIFAR10_CLASSES"]

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


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


def validation_split(y, val_size=347, seed=0):
    """Indices (train_idx, val_idx) that hold out a stratified validation part of a training set.

    y: (N,) labels (NumPy array, list or tensor); val_size: number of validation images (an int) or a
    fraction in (0, 1). Both index arrays are sorted int64 NumPy arrays; together they cover 0..N-1
    once. The default takes 347 of the 1,347 training digits, leaving 1,000 to train on.
    """
    from sklearn.model_selection import train_test_split

    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"validation_split: y must be a 1-D array of labels, got shape {y.shape}")
    if isinstance(val_size, (int, np.integer)) and not 0 < val_size < len(y):
        raise ValueError(f"validation_split: val_size {val_size} must be between 1 and {len(y) - 1}")
    train_idx, val_idx = train_test_split(np.arange(len(y)), test_size=val_size, stratify=y, random_state=seed)
    return np.sort(train_idx), np.sort(val_idx)


def digits_to_uint8(X):
    """X: (N, 1, 8, 8) floats in [0, 1] -> uint8 (N, 8, 8) in 0..255, the way images are stored on disk.

    The digits' 17 grey levels 0..16 become round(16 * x * 255 / 16); `ToTensor` divides by 255 again,
    so a pixel comes back within 0.002 of its value in `load_digits_split`.
    """
    X = np.asarray(X)
    if X.ndim != 4 or X.shape[1] != 1:
        raise ValueError(f"digits_to_uint8: expected (N, 1, H, W), got shape {X.shape}")
    return np.rint(np.clip(X[:, 0], 0.0, 1.0) * 255).astype(np.uint8)


class DigitsDataset(Dataset):
    """The digits split as a `torch.utils.data.Dataset`, used exactly like `torchvision.datasets.CIFAR10`.

    train: the 75% training part (1,347 images) or the 25% test part (450 images) of
    `load_digits_split(seed=seed)`. `ds[i]` is `(image, label)`: the image is a greyscale PIL image
    (8x8, mode "L"), as CIFAR10 returns a PIL RGB image, so `transform=transforms.Compose(
    [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])` gives a float tensor (1, 8, 8).
    Attributes like CIFAR10's: `data` uint8 (N, 8, 8), `targets` list of int, `classes` ["0", ..., "9"].
    """

    def __init__(self, train=True, transform=None, target_transform=None, seed=0):
        X_train, X_test, y_train, y_test = load_digits_split(seed=seed)
        X, y = (X_train, y_train) if train else (X_test, y_test)
        self.train = train
        self.data = digits_to_uint8(X)
        self.targets = [int(t) for t in y]
        self.classes = [str(k) for k in range(10)]
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        from PIL import Image

        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __repr__(self):
        split = "Train" if self.train else "Test"
        return f"DigitsDataset\n    Number of datapoints: {len(self)}\n    Split: {split}"


def load_cifar10(root, train=True, download=False, transform=None, checksums=None):
    """CIFAR-10 through `torchvision.datasets.CIFAR10(root, train, transform, download)`.

    root: a folder holding (or that will hold) `cifar-10-batches-py/`. download=True fetches the
    170 MB archive from the University of Toronto (the book never does: it needs a network).
    Each item is (PIL RGB image 32x32, label 0-9); with `transforms.ToTensor()` a tensor (3, 32, 32).

    checksums: None for the real data set (torchvision checks each file's md5 against the real
    files' md5s). The fake set of `make_fake_cifar10` has other md5s, which torchvision rightly
    rejects; pass the dict `make_fake_cifar10` returns and a subclass of CIFAR10 is used whose
    only change is those expected md5s: the reading of the pickles is torchvision's own code.
    """
    from torchvision.datasets import CIFAR10

    cls = CIFAR10
    if checksums is not None:
        missing = [name for name in _CIFAR10_FILES if name not in checksums]
        if missing:
            raise ValueError(f"load_cifar10: checksums has no md5 for {missing}")
        cls = type("CIFAR10WithChecksums", (CIFAR10,), {
            "train_list": [[name, checksums[name]] for name, _ in CIFAR10.train_list],
            "test_list": [[name, checksums[name]] for name, _ in CIFAR10.test_list],
            "meta": dict(CIFAR10.meta, md5=checksums[CIFAR10.meta["filename"]]),
        })
    return cls(root=root, train=train, transform=transform, download=download)


_CIFAR10_FILES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"]


def _md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def make_fake_cifar10(root, n_train=50, n_test=10, seed=0):
    """Write a tiny random CIFAR-10 in the real on-disk format; return {file name: md5}.

    Files written under root/cifar-10-batches-py/, as in the real archive: data_batch_1 .. data_batch_5
    (the n_train images split over five batches), test_batch (n_test images) and batches.meta. Each
    batch is a pickled dict with 'batch_label', 'labels' (list of int), 'data' (uint8 (n, 3072): the
    1024 red, then green, then blue values of a 32x32 image, row by row) and 'filenames'; the meta
    dict has 'label_names'. Pixels and labels are random (np.random.default_rng(seed)): this is for
    testing the loading path without a network, not for training.

    torchvision's CIFAR10 checks the md5 of every file against the real files' md5s, so it refuses
    these files; `load_cifar10(root, checksums=make_fake_cifar10(root))` accepts them (see there).
    """
    if n_train < 5 or n_test < 1:
        raise ValueError(f"make_fake_cifar10: need n_train >= 5 (five batches) and n_test >= 1, "
                         f"got {n_train}, {n_test}")
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)

    def write(name, obj):
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(obj, f, protocol=2)

    def batch(label, n, first):
        return {"batch_label": label,
                "labels": [int(t) for t in rng.integers(0, 10, size=n)],
                "data": rng.integers(0, 256, size=(n, 3 * 32 * 32), dtype=np.uint8),
                "filenames": [f"fake_{first + i:05d}.png" for i in range(n)]}

    sizes = [len(part) for part in np.array_split(np.arange(n_train), 5)]
    first = 0
    for i, n in enumerate(sizes, start=1):
        write(f"data_batch_{i}", batch(f"training batch {i} of 5", n, first))
        first += n
    write("test_batch", batch("testing batch 1 of 1", n_test, first))
    write("batches.meta", {"num_cases_per_batch": max(sizes), "label_names": list(CIFAR10_CLASSES),
                           "num_vis": 3 * 32 * 32})
    return {name: _md5(os.path.join(folder, name)) for name in _CIFAR10_FILES}
