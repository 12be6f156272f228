"""PyTorch CNNs for chapter 2: the seed post's network adapted to 8x8 digits, its improved variants,
a training loop, evaluation, a torchsummary-style table and shift augmentation.

    model = seed_cnn()                                   # conv-pool-conv-pool-fc-fc-fc, as in the seed
    history = train_model(model, train_loader, test_loader, epochs=10, lr=0.05)
    result = evaluate(model, test_loader)                # accuracy, per-class accuracy, confusion matrix
    summary(model, (1, 8, 8))                            # layer, output shape, parameter count

Every function takes a `device` (default: the model's own), so the same code runs on a CPU or a GPU.
"""
import copy
import math
import time

import numpy as np
import torch
from torch import nn

from ..config import count_params, num_threads

__all__ = ["seed_cnn", "bn_cnn", "RandomShift", "tensors_from_dataset", "make_loader", "train_model",
           "evaluate", "predict", "summary", "model_device", "default_device",
           "train_over_seeds", "at_epoch", "curves_from_states", "mean_sd", "receptive_field"]


def default_device():
    """"cuda" when a GPU is present, else "cpu" (the device-agnostic idiom)."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_device(model):
    """The device of a model's first parameter (cpu for a model without parameters)."""
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def _conv_block(cin, cout, kernel_size, batch_norm):
    """conv ('same' padding) - [BatchNorm2d] - ReLU - 2x2 max pool; no conv bias before batch norm."""
    pad = kernel_size // 2
    if batch_norm:
        return [nn.Conv2d(cin, cout, kernel_size, padding=pad, bias=False), nn.BatchNorm2d(cout),
                nn.ReLU(), nn.MaxPool2d(2)]
    return [nn.Conv2d(cin, cout, kernel_size, padding=pad), nn.ReLU(), nn.MaxPool2d(2)]


def seed_cnn(in_channels=1, image_size=8, kernel_size=3, channels=(6, 16), hidden=(120, 84), n_classes=10,
             batch_norm=False):
    """The seed post's network (conv-pool-conv-pool-fc-fc-fc, LeNet-5's pattern) adapted to small images.

    The seed used Conv2d(3, 6, 5) - pool - Conv2d(6, 16, 5) - pool - fc 400-120-84-10 on 3x32x32 CIFAR-10.
    Here the convolutions are padded (padding = kernel_size // 2, odd kernel sizes) so that an 8x8 digit
    keeps its size through each convolution and each 2x2 max pooling halves it: 8 -> 4 -> 2.
    x: (N, in_channels, image_size, image_size) -> logits (N, n_classes).
    channels: filters of the two convolutions; hidden: sizes of the hidden fully connected layers (any
    number, each followed by ReLU; (120, 84) as in the seed, (128,) for one hidden layer).
    batch_norm=True puts a BatchNorm2d after each convolution (conv-BN-ReLU-pool; the convolution then
    needs no bias, BN's shift replaces it); the fully connected head stays as it is, so that switching
    batch norm on changes one thing.
    Without batch norm and with two hidden layers the layer order is that of
    `nnbook.scratch.build_digits_cnn`, so `nnbook.scratch.load_torch_state_dict` copies its weights.
    """
    if kernel_size % 2 != 1:
        raise ValueError(f"seed_cnn: kernel_size must be odd to keep the size with padding, got {kernel_size}")
    c1, c2 = channels
    side = image_size // 4
    if side < 1:
        raise ValueError(f"seed_cnn: image_size {image_size} is too small for two 2x2 poolings")
    head, width = [], c2 * side * side
    for h in hidden:
        head += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return nn.Sequential(*_conv_block(in_channels, c1, kernel_size, batch_norm),
                         *_conv_block(c1, c2, kernel_size, batch_norm), nn.Flatten(),
                         *head, nn.Linear(width, n_classes))


def bn_cnn(in_channels=1, image_size=8, kernel_size=3, channels=(32, 64), hidden=128, n_classes=10,
           batch_norm=True):
    """The seed network made wider, with batch normalization after each convolution and one hidden layer.

    conv-BN-ReLU-pool - conv-BN-ReLU-pool - flatten - fc-ReLU - fc; x: (N, C, H, W) -> logits (N, n_classes).
    The convolutions have no bias when followed by BN (BN's learned shift does its job).
    batch_norm=False gives the same net without the BatchNorm2d layers, for comparison.
    """
    if kernel_size % 2 != 1:
        raise ValueError(f"bn_cnn: kernel_size must be odd to keep the size with padding, got {kernel_size}")
    c1, c2 = channels
    side = image_size // 4
    return nn.Sequential(*_conv_block(in_channels, c1, kernel_size, batch_norm),
                         *_conv_block(c1, c2, kernel_size, batch_norm), nn.Flatten(),
                         nn.Linear(c2 * side * side, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))


class RandomShift:
    """Shift images by a random whole number of pixels in [-max_shift, max_shift] along x and y.

    x: (C, H, W) or (N, C, H, W) tensor -> same shape; pixels shifted in from outside get `fill`
    (the background: 0 for [0, 1] images, -1 after Normalize((0.5,), (0.5,))). Each image of a batch
    gets its own shift; with probability 1 - p an image is left as it is (p=1: every image shifted,
    although a shift of (0, 0) can be drawn). Randomness from torch's global generator (seed it with
    torch.manual_seed). On PIL images torchvision's `transforms.RandomCrop(size, padding=max_shift)` does
    the same thing for p=1; this version works on a whole batch of tensors at once, which is much faster
    for tiny images than a per-image transform.
    """

    def __init__(self, max_shift=1, fill=0.0, p=1.0):
        if max_shift < 0 or not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomShift: need max_shift >= 0 and 0 <= p <= 1, got {max_shift}, {p}")
        self.max_shift, self.fill, self.p = int(max_shift), float(fill), float(p)

    def __call__(self, x):
        single = x.dim() == 3
        if single:
            x = x.unsqueeze(0)
        m = self.max_shift
        n, _, h, w = x.shape
        padded = torch.nn.functional.pad(x, (m, m, m, m), value=self.fill)
        dy = torch.randint(0, 2 * m + 1, (n,))
        dx = torch.randint(0, 2 * m + 1, (n,))
        keep = torch.rand(n) >= self.p
        dy[keep], dx[keep] = m, m                       # offset m in the padded image = no shift
        dy, dx = dy.tolist(), dx.tolist()
        out = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
        return out[0] if single else out

    def __repr__(self):
        return f"RandomShift(max_shift={self.max_shift}, fill={self.fill}, p={self.p})"


def tensors_from_dataset(dataset):
    """All items of a map-style dataset, transformed once: (X (N, C, H, W) float tensor, y (N,) int64)."""
    loader = torch.utils.data.DataLoader(dataset, batch_size=len(dataset), shuffle=False, num_workers=0)
    X, y = next(iter(loader))
    return X, y


class _BatchTensorDataset(torch.utils.data.TensorDataset):
    """A TensorDataset that hands a DataLoader a whole mini-batch by one indexing, X[indices].

    A plain TensorDataset is read one item at a time and `default_collate` stacks the items again; the
    rows are the same, only slower (for 1,000 images of 8x8 the per-item reads cost as much as the
    training). The DataLoader calls `__getitems__` with the batch's indices when a dataset has it.
    """

    def __getitems__(self, indices):
        index = torch.as_tensor(indices, dtype=torch.int64)
        return tuple(t[index] for t in self.tensors)


def _as_batch(batch):
    return batch                                 # `__getitems__` already built the batch (x, y)


def make_loader(X, y, batch_size=64, shuffle=True, seed=0, drop_last=False):
    """A DataLoader over tensors X: (N, C, H, W), y: (N,), shuffled by a generator seeded with `seed`.

    It yields the same mini-batches, in the same order, as
    DataLoader(TensorDataset(X, y), batch_size, shuffle, generator=torch.Generator().manual_seed(seed)),
    but indexes each batch at once instead of item by item. drop_last=True leaves out the last, smaller
    batch of each epoch (N % batch_size items, other ones every epoch when shuffled): with batch norm a
    batch of a few images gives a noisy mean and variance.
    """
    if len(X) != len(y):
        raise ValueError(f"make_loader: X has {len(X)} items but y has {len(y)}")
    ds = _BatchTensorDataset(X, y)
    return torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=shuffle, num_workers=0,
                                       collate_fn=_as_batch, drop_last=drop_last,
                                       generator=torch.Generator().manual_seed(seed) if shuffle else None)


def _lr_factor(schedule, step, total):
    """Multiplier of the base learning rate at optimizer step `step` of `total`."""
    if schedule is None or schedule == "constant":
        return 1.0
    if schedule == "cosine":                      # from 1 down to 0 along half a cosine
        return 0.5 * (1.0 + math.cos(math.pi * step / total))
    if schedule == "onecycle":                    # linear warm-up for 20% of the steps, then cosine to 0
        warm = max(1, int(0.2 * total))
        if step < warm:
            return (step + 1) / warm
        return 0.5 * (1.0 + math.cos(math.pi * (step - warm) / max(1, total - warm)))
    raise ValueError(f"train_model: unknown schedule {schedule!r}; use None, 'cosine' or 'onecycle'")


def train_model(model, train_loader, test_loader=None, epochs=10, lr=0.05, optimizer="sgd", momentum=0.9,
                weight_decay=0.0, schedule=None, augment=None, device=None, threads=1, verbose=False,
                train_eval_loader=None, on_epoch=None, label_smoothing=0.0):
    """Train with cross-entropy: for each mini-batch, zero_grad -> forward -> loss -> backward -> step.

    train_loader yields (x (B, C, H, W), y (B,)); augment: a callable applied to every training batch
    x (e.g. RandomShift). optimizer: "sgd" (with momentum, as in the seed post) or "adam".
    schedule: None (constant learning rate), "cosine" or "onecycle" (warm-up then cosine), updated
    every step. threads: CPU threads while training (`nnbook.config.num_threads`; None: as set; the book's
    networks are tiny, and one thread is faster than two for them). The model is put in train mode for
    training and eval mode for measuring.
    label_smoothing: epsilon of nn.CrossEntropyLoss(label_smoothing=epsilon): the one-hot target becomes
    (1 - epsilon) on the true class plus epsilon / K on each of the K classes, so the loss of one image is
    (1 - epsilon) * (-log p_y) + epsilon * mean over the K classes of (-log p_k) (0.0: plain cross-entropy).
    Returns history: dict of per-epoch lists "loss" (mean training loss over the epoch's batches, with the
    smoothed targets if label_smoothing),
    "train_acc" (accuracy on the training batches as they were trained on: augmented, in train mode),
    "test_acc" (accuracy on test_loader after each epoch, eval mode: pass the validation data while
    choosing), "eval_train_acc" (if train_eval_loader: accuracy on it after each epoch, eval mode, no
    augmentation), "lr" (at the end of the epoch), and "seconds" (total training time, evaluations included).
    on_epoch: a function called as on_epoch(model) after each epoch (e.g. to keep a copy of the weights).
    """
    with num_threads(threads):
        return _train(model, train_loader, test_loader, epochs, lr, optimizer, momentum, weight_decay, schedule,
                      augment, device, verbose, train_eval_loader, on_epoch, label_smoothing)


def _train(model, train_loader, test_loader, epochs, lr, optimizer, momentum, weight_decay, schedule, augment,
           device, verbose, train_eval_loader=None, on_epoch=None, label_smoothing=0.0):
    device = torch.device(device) if device is not None else model_device(model)
    model.to(device)
    # foreach=True: one call per operation for all parameters together, the same numbers as the default
    # per-parameter loop on a CPU but fewer steps in Python (the book's networks are small, so it shows)
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay, foreach=True)
    elif optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay, foreach=True)
    else:
        raise ValueError(f"train_model: optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"train_model: label_smoothing must be between 0 and 1, got {label_smoothing}")
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    total = epochs * len(train_loader)
    history = {"loss": [], "train_acc": [], "test_acc": [], "eval_train_acc": [], "lr": []}
    step = 0
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        loss_sum, hits, seen = 0.0, 0, 0
        for x, y in train_loader:
            for group in opt.param_groups:
                group["lr"] = lr * _lr_factor(schedule, step, total)
            x, y = x.to(device), y.to(device)
            if augment is not None:
                x = augment(x)
            opt.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item() * len(y)
            hits += (logits.argmax(1) == y).sum().item()
            seen += len(y)
        history["loss"].append(loss_sum / seen)
        history["train_acc"].append(hits / seen)
        history["lr"].append(opt.param_groups[0]["lr"])
        if test_loader is not None:
            history["test_acc"].append(evaluate(model, test_loader, device=device)["accuracy"])
        if train_eval_loader is not None:
            history["eval_train_acc"].append(evaluate(model, train_eval_loader, device=device)["accuracy"])
        if on_epoch is not None:
            on_epoch(model)
        if verbose:
            test = f"  test acc {history['test_acc'][-1]:.4f}" if test_loader is not None else ""
            print(f"epoch {len(history['loss']):2d}  loss {history['loss'][-1]:.4f}  "
                  f"train acc {history['train_acc'][-1]:.4f}{test}")
    history["seconds"] = time.perf_counter() - start
    return history


@torch.no_grad()
def predict(model, loader, device=None, threads=1):
    """(predicted labels (N,), true labels (N,)) as NumPy int arrays, the model in eval mode."""
    device = torch.device(device) if device is not None else model_device(model)
    model.eval()
    preds, trues = [], []
    with num_threads(threads):
        for x, y in loader:
            preds.append(model(x.to(device)).argmax(1).cpu())
            trues.append(y.cpu())
    return torch.cat(preds).numpy(), torch.cat(trues).numpy()


def evaluate(model, loader, n_classes=10, device=None):
    """Accuracy of the model on a loader: dict(accuracy=float, per_class=(K,) array,
    confusion=(K, K) int array with rows = true class, columns = predicted class,
    pred=(N,), true=(N,))."""
    pred, true = predict(model, loader, device=device)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (true, pred), 1)
    per_class = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    return {"accuracy": float((pred == true).mean()), "per_class": per_class, "confusion": confusion,
            "pred": pred, "true": true}


def summary(model, input_shape, device=None, print_table=True):
    """A torchsummary-style table: each leaf layer, its output shape and its number of parameters.

    input_shape: (C, H, W) of one image; a batch of 2 zeros is pushed through (eval mode) and the shape
    after each leaf module is recorded, -1 standing for the batch size. Returns the rows
    [(name, output shape tuple, parameter count)]; prints the table unless print_table=False.
    """
    device = torch.device(device) if device is not None else model_device(model)
    rows, hooks = [], []
    leaves = [(name, m) for name, m in model.named_modules() if len(list(m.children())) == 0]
    for name, module in leaves:
        def hook(mod, inp, out, name=name):
            rows.append((f"{type(mod).__name__}-{len(rows) + 1}", (-1,) + tuple(out.shape[1:]),
                         sum(p.numel() for p in mod.parameters())))
        hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            first = next(model.parameters(), None)          # the input takes the model's dtype (float64 nets)
            model(torch.zeros((2,) + tuple(input_shape), device=device, dtype=first.dtype if first is not None else None))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    if print_table:
        line = "-" * 56
        print(line)
        print(f"{'Layer (type)':>22}  {'Output Shape':>18}  {'Param #':>10}")
        print("=" * 56)
        for name, shape, n in rows:
            print(f"{name:>22}  {str(list(shape)):>18}  {n:>10,}")
        print("=" * 56)
        print(f"Total params: {count_params(model):,}")
        print(line)
    return rows


def train_over_seeds(build, train_data, eval_data=None, seeds=range(5), batch_size=64, train_curves=True,
                     keep_states=False, drop_last=False, **train_kwargs):
    """Train a fresh model once per seed; measure each on the training data and on eval_data.

    build: a function of no arguments returning a new model (called after torch.manual_seed(seed), so
    the seed fixes the initial weights); train_data, eval_data: (X (N, C, H, W), y (N,)) tensor pairs
    (eval_data: the validation data while choosing; None: train only, measure nothing, e.g. to retrain a
    chosen setting before its one test). The training mini-batches (batch_size) are shuffled with the same
    seed (drop_last: see `make_loader`); train_kwargs go to `train_model` (epochs, lr, optimizer, schedule,
    augment, label_smoothing, ...). The model takes the dtype of X (float64 inputs train a float64 model).
    train_curves=False measures the training data only after the last epoch instead of after every epoch
    (one forward pass over it per epoch saved; `at_epoch` then cannot cut the run). keep_states=True keeps
    a copy of every model's weights after every epoch, so that `at_epoch` can hand back the models of a
    shorter run.
    Returns dict: acc (S,) accuracy on eval_data after the last epoch, train_acc (S,) accuracy on the
    whole training data after the last epoch (eval mode, no augmentation), curves (S, epochs) the accuracy
    on eval_data after every epoch, train_curves (S, epochs) the same on the training data (if
    train_curves), seconds (S,) training times (NumPy arrays); models: the S trained models; states
    (if keep_states): states[s][e] the state_dict of model s after epoch e + 1. Without eval_data only
    seconds and models.
    """
    X_train, y_train = train_data
    eval_loader = make_loader(*eval_data, batch_size=len(eval_data[1]), shuffle=False) if eval_data else None
    train_eval = make_loader(X_train, y_train, batch_size=len(y_train), shuffle=False) if eval_data else None
    out = {"curves": [], "train_curves": [], "train_acc": [], "seconds": [], "models": [], "states": []}
    for seed in seeds:
        torch.manual_seed(seed)
        model = build().to(X_train.dtype)
        states = []
        keep = (lambda m: states.append(copy.deepcopy(m.state_dict()))) if keep_states else None
        loader = make_loader(X_train, y_train, batch_size=batch_size, seed=seed, drop_last=drop_last)
        history = train_model(model, loader,
                              eval_loader, train_eval_loader=train_eval if train_curves else None,
                              on_epoch=keep, **train_kwargs)
        out["curves"].append(history["test_acc"])
        out["train_curves"].append(history["eval_train_acc"])
        if eval_data and not train_curves:
            out["train_acc"].append(evaluate(model, train_eval)["accuracy"])
        out["seconds"].append(history["seconds"])
        out["models"].append(model)
        out["states"].append(states)
    out["seconds"] = np.array(out["seconds"])
    if not keep_states:
        del out["states"]
    if not eval_data:
        return {key: out[key] for key in ("seconds", "models", "states") if key in out}
    out["curves"] = np.array(out["curves"])
    out["acc"] = out["curves"][:, -1]
    if train_curves:
        out["train_curves"] = np.array(out["train_curves"])
        out["train_acc"] = out["train_curves"][:, -1]
    else:
        del out["train_curves"]
        out["train_acc"] = np.array(out["train_acc"])
    return out


def mean_sd(values, scale=100.0, digits=2):
    """'mean ± sd' of a list of numbers (sample standard deviation, ddof=1), times `scale`:
    mean_sd([0.98, 0.99]) -> '98.50 ± 0.71'. One value gives its sd as 0."""
    a = np.asarray(values, dtype=np.float64) * scale
    if a.size == 0:
        raise ValueError("mean_sd: no values")
    sd = a.std(ddof=1) if a.size > 1 else 0.0
    return f"{a.mean():.{digits}f} ± {sd:.{digits}f}"


def receptive_field(model):
    """Side of the input window that one output position of the last conv/pool layer depends on.

    Walks the model's Conv2d, MaxPool2d and AvgPool2d layers in order (square kernels): each layer with
    kernel k and stride s widens the field by (k - 1) * jump and multiplies the jump (the input pixels
    between neighboring positions) by s. For conv(3)-pool(2)-conv(3)-pool(2) this gives 10: each of
    the final 2x2 positions of an 8x8 digit depends on a 10x10 window (padding included).
    """
    field, jump = 1, 1
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            s = m.stride if isinstance(m.stride, int) else m.stride[0]
            field += (k - 1) * jump
            jump *= s
    return field


def curves_from_states(result, data):
    """Accuracy on data = (X (N, C, H, W), y (N,)) of every model of a `train_over_seeds` result after
    every epoch, from the weights it kept (keep_states=True): an (S, epochs) array.

    The same numbers as train_curves=True gives for the training data, computed afterwards and only for
    the run that needs them.
    """
    if "states" not in result:
        raise ValueError("curves_from_states: the run kept no states (train it with keep_states=True)")
    loader = make_loader(*data, batch_size=len(data[1]), shuffle=False)
    curves = []
    for model, states in zip(result["models"], result["states"]):
        probe = copy.deepcopy(model)
        curves.append([])
        for state in states:
            probe.load_state_dict(state)
            curves[-1].append(evaluate(probe, loader)["accuracy"])
    return np.array(curves)


def at_epoch(result, epoch):
    """A `train_over_seeds` result cut back to its first `epoch` epochs (1-based).

    With a constant learning rate (no schedule) the first e epochs of a longer run are exactly an e-epoch
    run, so one long run answers "how many epochs?" for every count up to its length. The result needs
    its train_curves; seconds are scaled by the share of epochs. The trained models kept training past
    `epoch`, so they are left out, unless the run kept its states (keep_states=True): then "models" are
    copies of the models with the weights they had after `epoch` epochs.
    """
    if "train_curves" not in result:
        raise ValueError("at_epoch: the run has no train_curves (it was trained with train_curves=False)")
    total = result["curves"].shape[1]
    if not 1 <= epoch <= total:
        raise ValueError(f"at_epoch: epoch must be between 1 and {total}, got {epoch}")
    out = {"curves": result["curves"][:, :epoch], "train_curves": result["train_curves"][:, :epoch],
           "seconds": result["seconds"] * epoch / total}
    out["acc"], out["train_acc"] = out["curves"][:, -1], out["train_curves"][:, -1]
    if "states" in result:
        out["models"] = []
        for model, states in zip(result["models"], result["states"]):
            earlier = copy.deepcopy(model)
            earlier.load_state_dict(states[epoch - 1])
            out["models"].append(earlier)
    return out
