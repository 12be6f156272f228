"""Images for the CNN chapters: the sample photograph, classic filter kernels, filtering with nnbook.scratch.

    photo = load_photo()                                   # (106, 160) grayscale in [0, 1]
    blurred = filter_image(photo, gaussian_kernel(5))      # (102, 160 - 4) = (102, 156)

The photograph is scikit-learn's bundled `china.jpg` (427 x 640 x 3, no download). The kernels are
the hand-made filters of image processing; a CNN learns kernels like them from data.
"""
import numpy as np

from .. import scratch

__all__ = [
    "GRAY_WEIGHTS", "to_gray", "downsample", "load_photo", "toy_image",
    "box_kernel", "gaussian_kernel", "sobel_kernel", "sharpen_kernel", "identity_kernel",
    "filter_image", "shift_image",
]

GRAY_WEIGHTS = (0.299, 0.587, 0.114)   # ITU-R BT.601 luma: green looks brightest to the eye


def to_gray(rgb):
    """Grayscale of a color image: rgb (H, W, 3), uint8 0-255 or float 0-1 -> (H, W) float64 in [0, 1]."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"to_gray: expected an (H, W, 3) image, got shape {rgb.shape}")
    x = rgb.astype(np.float64)
    if np.issubdtype(rgb.dtype, np.integer):
        x = x / 255.0
    return x @ np.array(GRAY_WEIGHTS)


def downsample(img, factor):
    """Shrink an image by averaging factor x factor blocks (the rest at the bottom/right is cut off).

    img: (H, W) or (H, W, C) -> (H // factor, W // factor) or (H // factor, W // factor, C).
    The mean of each block keeps the image smooth (taking every factor-th pixel would alias).
    """
    img = np.asarray(img, dtype=np.float64)
    if not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"downsample: factor must be a positive int, got {factor!r}")
    H, W = img.shape[0] // factor, img.shape[1] // factor
    if H < 1 or W < 1:
        raise ValueError(f"downsample: factor {factor} is larger than the image {img.shape[:2]}")
    x = img[:H * factor, :W * factor]
    x = x.reshape(H, factor, W, factor, *img.shape[2:])
    return x.mean(axis=(1, 3))


def load_photo(name="china.jpg", factor=4, gray=True):
    """scikit-learn's sample photograph, small and as floats in [0, 1].

    name: "china.jpg" or "flower.jpg" (both 427 x 640, shipped with scikit-learn, nothing downloaded).
    factor: block-averaging factor (4 gives 106 x 160). Returns (H, W) if gray, else (H, W, 3).
    """
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image(name).astype(np.float64) / 255.0
    img = to_gray(rgb) if gray else rgb
    return downsample(img, factor) if factor > 1 else img


def toy_image(size=16, lo=4, hi=12):
    """A white square on black: (size, size) float64, ones in rows and columns lo..hi-1.

    Its four sides are two vertical and two horizontal edges, the smallest test of edge filters.
    """
    img = np.zeros((size, size))
    img[lo:hi, lo:hi] = 1.0
    return img


# ------------------------------------------------------------------ classic kernels, (K, K) float64
def box_kernel(k):
    """Box blur: the plain average of a k x k neighborhood, all weights 1 / k^2."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"box_kernel: k must be a positive int, got {k!r}")
    return np.full((k, k), 1.0 / (k * k))


def gaussian_kernel(k, sigma=None):
    """Gaussian blur: weights exp(-(u^2 + v^2) / (2 sigma^2)) around the center, normalized to sum 1.

    k: odd size; sigma: spread in pixels (default k / 4, so the bell fits inside the window).
    """
    if not isinstance(k, (int, np.integer)) or k < 1 or k % 2 == 0:
        raise ValueError(f"gaussian_kernel: k must be a positive odd int, got {k!r}")
    sigma = k / 4 if sigma is None else sigma
    u = np.arange(k) - (k - 1) / 2
    g = np.exp(-(u[:, None] ** 2 + u[None, :] ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def sobel_kernel(axis="x"):
    """Sobel edge kernel (3, 3). axis="x": responds to left-right change, i.e. vertical edges;
    axis="y": responds to top-bottom change, i.e. horizontal edges. Weights sum to 0, so flat
    regions give 0."""
    kx = np.array([[-1.0, 0.0, 1.0],
                   [-2.0, 0.0, 2.0],
                   [-1.0, 0.0, 1.0]])
    if axis == "x":
        return kx
    if axis == "y":
        return kx.T.copy()
    raise ValueError(f"sobel_kernel: axis must be 'x' or 'y', got {axis!r}")


def sharpen_kernel():
    """Sharpen (3, 3): 5 x center minus the four neighbors (= identity + a Laplacian edge boost); sums to 1."""
    return np.array([[0.0, -1.0, 0.0],
                     [-1.0, 5.0, -1.0],
                     [0.0, -1.0, 0.0]])


def identity_kernel(k=3):
    """Identity (k, k): 1 in the center, 0 elsewhere; filtering only crops (or, with padding, copies)."""
    if not isinstance(k, (int, np.integer)) or k < 1 or k % 2 == 0:
        raise ValueError(f"identity_kernel: k must be a positive odd int, got {k!r}")
    w = np.zeros((k, k))
    w[k // 2, k // 2] = 1.0
    return w


# ------------------------------------------------------------------ filtering
def filter_image(img, kernel, padding=0, stride=1):
    """One grayscale image through one kernel with `nnbook.scratch.conv2d_forward` (cross-correlation).

    img: (H, W), kernel: (KH, KW) -> (Ho, Wo), Ho = floor((H + 2*padding - KH) / stride) + 1.
    The image becomes a batch of one single-channel image, (1, 1, H, W), and the kernel one filter
    with one channel, (1, 1, KH, KW), with bias 0.
    """
    img = np.asarray(img, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if img.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"filter_image: expected a 2-D image and a 2-D kernel, got {img.shape} and {kernel.shape}")
    out, _ = scratch.conv2d_forward(img[None, None], kernel[None, None], np.zeros(1),
                                    stride=stride, padding=padding)
    return out[0, 0]


def shift_image(img, dy, dx):
    """img shifted down by dy and right by dx pixels, circularly (np.roll): what leaves one side comes back
    on the other, so no new pixels enter.

    img: (..., H, W) -> same shape. Away from the wrapped border this is a plain translation.
    """
    return np.roll(np.asarray(img), shift=(dy, dx), axis=(-2, -1))
