"""nnbook.cnn.data: the digits split, the digits Dataset with torchvision transforms, and the CIFAR-10 path
(tested on a tiny fake CIFAR-10 written in the real on-disk format, read by torchvision's own class)."""
import os
import pickle

import numpy as np
import pytest
import torch
from torchvision import transforms
from torchvision.datasets import CIFAR10

from nnbook.cnn.data import (CIFAR10_CLASSES, DigitsDataset, digits_to_uint8, load_cifar10, load_digits_split,
                         make_fake_cifar10, validation_split)


def test_digits_split_shapes_and_stratification():
    X_train, X_test, y_train, y_test = load_digits_split()
    assert X_train.shape == (1347, 1, 8, 8) and X_test.shape == (450, 1, 8, 8)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    # stratified: every class has 17-18% more or less the same share in train and test
    assert np.abs(np.bincount(y_train) / len(y_train) - np.bincount(y_test) / len(y_test)).max() < 0.01
    again = load_digits_split()
    assert np.array_equal(again[0], X_train) and np.array_equal(again[3], y_test)


def test_validation_split_is_stratified_disjoint_and_fixed():
    _, _, y_train, _ = load_digits_split()
    tr, val = validation_split(y_train, val_size=347, seed=0)
    assert len(tr) == 1000 and len(val) == 347
    assert np.array_equal(np.sort(np.concatenate([tr, val])), np.arange(1347))      # disjoint, covers all
    assert np.all(np.diff(tr) > 0) and np.all(np.diff(val) > 0)                      # sorted
    assert np.abs(np.bincount(y_train[val]) / 347 - np.bincount(y_train) / 1347).max() < 0.01
    again = validation_split(torch.from_numpy(y_train), val_size=347, seed=0)        # tensors work too
    assert np.array_equal(again[1], val)
    assert not np.array_equal(validation_split(y_train, val_size=347, seed=1)[1], val)
    with pytest.raises(ValueError, match="val_size"):
        validation_split(y_train, val_size=1347)
    with pytest.raises(ValueError, match="shape"):
        validation_split(y_train.reshape(-1, 1))


def test_digits_dataset_works_like_cifar10_with_transforms():
    X_train, X_test, y_train, y_test = load_digits_split()
    ds = DigitsDataset(train=False, transform=transforms.ToTensor())
    assert len(ds) == 450 and ds.classes == [str(k) for k in range(10)]
    x, t = ds[3]
    assert isinstance(x, torch.Tensor) and x.shape == (1, 8, 8) and x.dtype == torch.float32
    assert t == int(y_test[3])
    assert np.abs(x.numpy() - X_test[3]).max() < 1 / 255       # uint8 storage, within one grey level
    raw, _ = DigitsDataset(train=True)[0]
    assert raw.mode == "L" and raw.size == (8, 8)              # a PIL image, as CIFAR10 returns
    norm = DigitsDataset(train=True, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]))
    x, _ = norm[0]
    assert x.min() >= -1 and x.max() <= 1 and x.min() == -1    # background 0 -> -1
    batch_x, batch_y = next(iter(torch.utils.data.DataLoader(norm, batch_size=16)))
    assert batch_x.shape == (16, 1, 8, 8) and batch_y.dtype == torch.int64


def test_digits_to_uint8_rejects_wrong_shape():
    with pytest.raises(ValueError, match="expected"):
        digits_to_uint8(np.zeros((3, 8, 8)))


def test_fake_cifar10_goes_through_torchvision(tmp_path):
    checksums = make_fake_cifar10(tmp_path, n_train=23, n_test=7, seed=1)
    folder = tmp_path / "cifar-10-batches-py"
    assert sorted(os.listdir(folder)) == sorted(
        [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"])
    with open(folder / "data_batch_1", "rb") as f:
        entry = pickle.load(f, encoding="latin1")                  # as torchvision reads it
    assert entry["data"].dtype == np.uint8 and entry["data"].shape[1] == 3072
    # torchvision's own class checks md5s against the real files: it must refuse the fake ones
    with pytest.raises(RuntimeError, match="not found or corrupted"):
        CIFAR10(root=tmp_path, train=True, download=False)
    train = load_cifar10(tmp_path, train=True, checksums=checksums, transform=transforms.ToTensor())
    test = load_cifar10(tmp_path, train=False, checksums=checksums)
    assert isinstance(train, CIFAR10) and len(train) == 23 and len(test) == 7
    assert train.classes == CIFAR10_CLASSES and train.data.shape == (23, 32, 32, 3)
    x, t = train[0]
    assert x.shape == (3, 32, 32) and 0 <= t < 10
    img, _ = test[0]
    assert img.size == (32, 32) and img.mode == "RGB"
    # pixel layout: data row = 1024 red, 1024 green, 1024 blue values, row by row
    assert np.array_equal(np.asarray(img)[..., 1].ravel(), pickle.load(
        open(folder / "test_batch", "rb"), encoding="latin1")["data"][0, 1024:2048])
    loader = torch.utils.data.DataLoader(train, batch_size=8, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    xb, yb = next(iter(loader))
    assert xb.shape == (8, 3, 32, 32) and yb.shape == (8,)


def test_load_cifar10_needs_every_checksum(tmp_path):
    checksums = make_fake_cifar10(tmp_path, n_train=5, n_test=1)
    checksums.pop("batches.meta")
    with pytest.raises(ValueError, match="batches.meta"):
        load_cifar10(tmp_path, checksums=checksums)
