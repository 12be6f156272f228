"""nnbook.cnn.images: the sample photo, the classic kernels, and filter_image against PyTorch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.cnn import images as im
from nnbook.scratch import conv_output_size


def test_to_gray_uses_luma_weights_for_uint8_and_float():
    rgb = np.zeros((1, 3, 3), dtype=np.uint8)
    for c in range(3):
        rgb[0, c, c] = 255
    assert np.allclose(im.to_gray(rgb)[0], im.GRAY_WEIGHTS)
    assert np.allclose(im.to_gray(rgb / 255.0), im.to_gray(rgb))
    with pytest.raises(ValueError):
        im.to_gray(np.zeros((4, 4)))


def test_downsample_averages_blocks_and_cuts_the_rest():
    x = np.arange(5 * 7, dtype=float).reshape(5, 7)
    y = im.downsample(x, 2)
    assert y.shape == (2, 3)
    assert y[0, 0] == np.mean([0, 1, 7, 8])
    assert im.downsample(np.ones((6, 6, 3)), 3).shape == (2, 2, 3)
    for bad in (0, 2.0, 10):
        with pytest.raises(ValueError):
            im.downsample(x, bad)


def test_load_photo_is_small_and_in_range():
    gray = im.load_photo()
    assert gray.shape == (106, 160) and gray.dtype == np.float64
    assert 0.0 <= gray.min() and gray.max() <= 1.0 and gray.std() > 0.1
    assert im.load_photo(gray=False).shape == (106, 160, 3)


def test_kernels():
    for k in (1, 3, 7):
        assert np.isclose(im.box_kernel(k).sum(), 1.0) and im.box_kernel(k).shape == (k, k)
        g = im.gaussian_kernel(k)
        assert np.isclose(g.sum(), 1.0) and np.allclose(g, g.T) and np.allclose(g, g[::-1, ::-1])
        assert g[k // 2, k // 2] == g.max()
    assert np.array_equal(im.gaussian_kernel(1), [[1.0]])
    for bad in (0, 4):
        with pytest.raises(ValueError):
            im.gaussian_kernel(bad)
    sx, sy = im.sobel_kernel("x"), im.sobel_kernel("y")
    assert sx.sum() == 0 and np.array_equal(sy, sx.T) and sx[1, 2] == 2
    with pytest.raises(ValueError):
        im.sobel_kernel("z")
    assert im.sharpen_kernel().sum() == 1 and im.identity_kernel(5).sum() == 1


@pytest.mark.parametrize("K,S,P", [(3, 1, 0), (3, 2, 1), (5, 1, 2), (4, 3, 0)])
def test_filter_image_matches_torch(K, S, P):
    rng = np.random.default_rng(0)
    img, ker = rng.standard_normal((13, 17)), rng.standard_normal((K, K))
    out = im.filter_image(img, ker, padding=P, stride=S)
    ref = F.conv2d(torch.from_numpy(img)[None, None], torch.from_numpy(ker)[None, None], stride=S, padding=P)[0, 0]
    assert out.shape == (conv_output_size(13, K, S, P), conv_output_size(17, K, S, P))
    assert np.abs(out - ref.numpy()).max() < 1e-12


def test_filter_image_simple_cases():
    img = np.random.default_rng(1).random((9, 9))
    assert np.allclose(im.filter_image(img, im.identity_kernel(3), padding=1), img)
    assert np.allclose(im.filter_image(np.ones((6, 6)), im.sobel_kernel("x")), 0)   # flat: no edge
    with pytest.raises(ValueError):
        im.filter_image(img[None], im.box_kernel(3))


def test_shift_image_and_convolution_commute_away_from_the_border():
    img = im.load_photo()
    k = im.sobel_kernel("x")
    a = im.filter_image(im.shift_image(img, 2, 3), k)
    b = im.shift_image(im.filter_image(img, k), 2, 3)
    assert np.abs(a - b)[6:-6, 6:-6].max() < 1e-12
    assert np.abs(a - b).max() > 0.1          # the wrapped border does differ
    assert im.toy_image().sum() == 64


def test_exercise_5_shift_kernel_moves_the_image_one_pixel_right():
    # chapter 1, exercise 5: with cross-correlation the 1 sits in the LEFT cell to move the image RIGHT
    photo = im.load_photo()
    w = np.zeros((3, 3))
    w[1, 0] = 1
    out = im.filter_image(photo, w, padding=1)
    assert out.shape == photo.shape
    assert np.abs(out - im.shift_image(photo, 0, 1))[1:-1, 1:-1].max() == 0
