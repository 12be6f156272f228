"""nnbook.cnn.models and nnbook.cnn.training_plots: shapes, the summary table, shift augmentation, training
determinism, evaluation, the copy into nnbook.scratch, and a CNN trained on the fake CIFAR-10 through
torchvision's CIFAR10 class (no network anywhere)."""
import copy

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torchvision import transforms  # noqa: E402

from nnbook.cnn import models as cm  # noqa: E402
from nnbook.cnn import training_plots as cp  # noqa: E402
import nnbook  # noqa: E402
from nnbook import scratch  # noqa: E402
from nnbook.cnn.data import load_cifar10, make_fake_cifar10  # noqa: E402


@pytest.mark.parametrize("k", [1, 3, 5, 7])
def test_models_keep_size_and_give_logits(k):
    x = torch.zeros(4, 1, 8, 8)
    assert cm.seed_cnn(kernel_size=k)(x).shape == (4, 10)
    assert cm.bn_cnn(kernel_size=k, channels=(8, 16), hidden=32)(x).shape == (4, 10)
    assert cm.seed_cnn(in_channels=3, image_size=32, kernel_size=5)(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="odd"):
        cm.seed_cnn(kernel_size=4)


def test_summary_rows_match_shapes_and_parameter_counts(capsys):
    model = cm.seed_cnn()
    rows = cm.summary(model, (1, 8, 8))
    out = capsys.readouterr().out
    assert "Total params: 19,754" in out and "Conv2d-1" in out
    names = [r[0].split("-")[0] for r in rows]
    assert names == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten",
                     "Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert rows[0][1] == (-1, 6, 8, 8) and rows[2][1] == (-1, 6, 4, 4) and rows[5][1] == (-1, 16, 2, 2)
    assert rows[6][1] == (-1, 64)
    assert [r[2] for r in rows if r[2]] == [60, 880, 7800, 10164, 850]
    assert sum(r[2] for r in rows) == nnbook.count_params(model) == 19754
    assert model.training                                    # summary restores the mode


def test_random_shift_moves_content_and_fills_background():
    x = torch.zeros(200, 1, 8, 8)
    x[:, :, 3:5, 3:5] = 1.0
    torch.manual_seed(0)
    out = cm.RandomShift(max_shift=1, fill=-1.0)(x)
    assert out.shape == x.shape
    assert torch.all(out.sum(dim=(1, 2, 3)) >= -15)          # the 2x2 blob always survives a 1-pixel shift
    assert torch.allclose((out == 1).sum(dim=(1, 2, 3)).float(), torch.full((200,), 4.0))
    moved = ~(out == x).flatten(1).all(1)
    assert 0.7 < moved.float().mean() < 0.95                 # 8 of 9 offsets move the image
    filled = (out == -1).flatten(1).any(1)
    assert torch.equal(filled, moved)                        # only moved images get the fill value
    torch.manual_seed(0)
    half = cm.RandomShift(max_shift=1, fill=-1.0, p=0.5)(x)
    frac = (~(half == x).flatten(1).all(1)).float().mean()
    assert 0.25 < frac < 0.6
    single = cm.RandomShift(2)(x[0])
    assert single.shape == (1, 8, 8)
    with pytest.raises(ValueError):
        cm.RandomShift(1, p=1.5)


def _toy_data(n=96, seed=0):
    """Two classes that a CNN separates quickly: a bright vertical or horizontal bar."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    X = -torch.ones(n, 1, 8, 8)
    for i in range(n):
        j = int(torch.randint(1, 7, (1,), generator=g))
        if y[i] == 0:
            X[i, 0, :, j] = 1.0
        else:
            X[i, 0, j, :] = 1.0
    return X, y


def test_train_model_learns_is_deterministic_and_evaluates():
    X, y = _toy_data()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = cm.bn_cnn(channels=(4, 8), hidden=16, n_classes=2)
        hist = cm.train_model(model, cm.make_loader(X, y, batch_size=32, seed=0),
                              cm.make_loader(X, y, batch_size=96, shuffle=False), epochs=4, lr=1e-2,
                              optimizer="adam", schedule="onecycle", augment=cm.RandomShift(1, fill=-1.0))
        runs.append((hist, model))
    (h1, m1), (h2, m2) = runs
    assert h1["loss"] == h2["loss"] and h1["test_acc"] == h2["test_acc"]
    assert h1["loss"][-1] < h1["loss"][0] and h1["test_acc"][-1] >= 0.95
    assert len(h1["lr"]) == 4 and h1["lr"][-1] < 1e-3          # the schedule ends near 0
    result = cm.evaluate(m1, cm.make_loader(X, y, batch_size=40, shuffle=False), n_classes=2)
    assert result["confusion"].sum() == 96 and result["confusion"].shape == (2, 2)
    assert result["accuracy"] == pytest.approx(np.trace(result["confusion"]) / 96)
    assert np.allclose(result["per_class"], np.diag(result["confusion"]) / result["confusion"].sum(1))
    assert not m1.training                                      # evaluate switched to eval mode
    with pytest.raises(ValueError, match="schedule"):
        cm.train_model(m1, cm.make_loader(X, y), epochs=1, schedule="bogus")


def test_seed_cnn_weights_load_into_scratch_and_agree():
    torch.manual_seed(0)
    model = cm.seed_cnn(channels=(6, 16)).eval()
    np_model = scratch.build_digits_cnn(channels=(6, 16), hidden=(120, 84))
    scratch.load_torch_state_dict(np_model, model.state_dict())
    x = torch.randn(5, 1, 8, 8)
    with torch.no_grad():
        ref = model(x).numpy()
    assert np.abs(np_model.forward(x.numpy()) - ref).max() < 1e-5


def test_cnn_on_fake_cifar10_through_torchvision(tmp_path):
    checksums = make_fake_cifar10(tmp_path, n_train=20, n_test=8, seed=0)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    train = load_cifar10(tmp_path, train=True, transform=tf, checksums=checksums)
    test = load_cifar10(tmp_path, train=False, transform=tf, checksums=checksums)
    X, y = cm.tensors_from_dataset(train)
    assert X.shape == (20, 3, 32, 32) and y.shape == (20,)
    torch.manual_seed(0)
    model = cm.seed_cnn(in_channels=3, image_size=32, kernel_size=5)
    hist = cm.train_model(model, torch.utils.data.DataLoader(train, batch_size=10, shuffle=True,
                                                              generator=torch.Generator().manual_seed(0)),
                          torch.utils.data.DataLoader(test, batch_size=8), epochs=1, lr=0.01)
    assert len(hist["test_acc"]) == 1 and 0.0 <= hist["test_acc"][0] <= 1.0


def test_plots_draw_titled_figures():
    X, y = _toy_data(16)
    figs = [cp.sample_grid(X, y, n=8, cols=4), cp.confusion_matrix(np.eye(10, dtype=int) * 3),
            cp.misclassified(X, y.numpy(), (1 - y).numpy(), max_n=4),
            cp.filters(torch.randn(16, 1, 3, 3)),
            cp.feature_maps(X[0], [("a", torch.rand(4, 8, 8)), ("b", torch.rand(4, 4, 4))], max_n=4),
            cp.training_curves({"loss": [1.0, 0.5], "train_acc": [0.5, 0.9], "test_acc": [0.5, 0.8]}),
            cp.show_image_values([np.zeros((8, 8))], ["x"], "values")]
    for fig in figs:
        assert fig._suptitle is not None or any(ax.get_title() for ax in fig.axes)
        plt.close(fig)


def test_seed_cnn_options_change_one_thing():
    plain, bn = cm.seed_cnn(), cm.seed_cnn(batch_norm=True)
    kinds = lambda m: [type(layer).__name__ for layer in m]
    assert kinds(bn)[:4] == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    assert [k for k in kinds(bn) if k != "BatchNorm2d"] == kinds(plain)      # only the BN layers added
    assert "BatchNorm1d" not in kinds(bn)                                    # the head is unchanged
    one = cm.seed_cnn(hidden=(128,))
    assert [layer.out_features for layer in one if isinstance(layer, torch.nn.Linear)] == [128, 10]
    assert cm.seed_cnn(hidden=())(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    rows = cm.summary(cm.seed_cnn().double(), (1, 8, 8), print_table=False)   # float64 model: summary works
    assert rows[-1][1] == (-1, 10)


def test_receptive_field_follows_the_layers():
    assert [cm.receptive_field(cm.seed_cnn(kernel_size=k)) for k in (1, 3, 5, 7)] == [4, 10, 16, 22]
    assert cm.receptive_field(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3), torch.nn.Conv2d(1, 1, 3))) == 5
    assert cm.receptive_field(torch.nn.Sequential(torch.nn.Linear(2, 2))) == 1


def test_mean_sd_formats_the_sample_standard_deviation():
    assert cm.mean_sd([0.98, 0.99]) == "98.50 ± 0.71"
    assert cm.mean_sd([0.5]) == "50.00 ± 0.00"
    with pytest.raises(ValueError):
        cm.mean_sd([])


def test_train_over_seeds_is_reproducible_and_at_epoch_cuts_a_constant_rate_run():
    X, y = _toy_data(64)
    X = X.double()
    build = lambda: cm.seed_cnn(channels=(2, 4), hidden=(8,), n_classes=2)
    kw = dict(epochs=3, lr=0.05, optimizer="sgd")
    a = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, **kw)
    b = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, **kw)
    assert a["curves"].shape == (2, 3) and a["train_curves"].shape == (2, 3) and len(a["models"]) == 2
    assert np.array_equal(a["curves"], b["curves"]) and np.array_equal(a["acc"], a["curves"][:, -1])
    assert next(a["models"][0].parameters()).dtype == torch.float64
    short = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, **{**kw, "epochs": 2})
    cut = cm.at_epoch(a, 2)
    assert np.array_equal(cut["acc"], short["acc"]) and np.array_equal(cut["train_acc"], short["train_acc"])
    with pytest.raises(ValueError, match="epoch"):
        cm.at_epoch(a, 4)
    assert "models" not in cut                                  # a's models trained past epoch 2


def test_train_over_seeds_keeps_states_and_measures_at_the_end_only_when_asked():
    X, y = _toy_data(64)
    X = X.double()
    build = lambda: cm.seed_cnn(channels=(2, 4), hidden=(8,), n_classes=2)
    kw = dict(epochs=3, lr=0.05, optimizer="sgd")
    full = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, keep_states=True, **kw)
    assert len(full["states"]) == 2 and len(full["states"][0]) == 3
    short = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, **{**kw, "epochs": 2})
    cut = cm.at_epoch(full, 2)
    for early, trained in zip(cut["models"], short["models"]):     # the weights of a 2-epoch run, exactly
        for (name, a), (_, b) in zip(early.state_dict().items(), trained.state_dict().items()):
            assert torch.equal(a, b), name
    assert not torch.equal(cut["models"][0][0].weight, full["models"][0][0].weight)   # a copy, not the 3-epoch model
    ref = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, **kw)   # train_curves=True
    assert np.array_equal(cm.curves_from_states(full, (X, y)), ref["train_curves"])   # afterwards, the same numbers
    last = cm.train_over_seeds(build, (X, y), (X[:32], y[:32]), seeds=[0, 1], batch_size=16, train_curves=False, **kw)
    assert "train_curves" not in last and np.array_equal(last["train_acc"], full["train_acc"])
    assert np.array_equal(last["acc"], full["acc"])
    with pytest.raises(ValueError, match="train_curves"):
        cm.at_epoch(last, 2)
    with pytest.raises(ValueError, match="keep_states"):
        cm.curves_from_states(last, (X, y))
    only = cm.train_over_seeds(build, (X, y), None, seeds=[0, 1], batch_size=16, **kw)
    assert set(only) == {"seconds", "models"}
    for a, b in zip(only["models"], full["models"]):               # training alone: the same models
        assert torch.equal(a[0].weight, b[0].weight)


def test_make_loader_gives_the_batches_of_a_plain_dataloader():
    X, y = torch.randn(50, 1, 8, 8, dtype=torch.float64), torch.arange(50) % 10
    plain = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16, shuffle=True,
                                        generator=torch.Generator().manual_seed(4))
    ours = cm.make_loader(X, y, batch_size=16, seed=4)
    for _ in range(2):                                              # two epochs: the same generator state
        pairs = list(zip(plain, ours))
        assert len(pairs) == 4
        for (xa, ya), (xb, yb) in pairs:
            assert torch.equal(xa, xb) and torch.equal(ya, yb)
    with pytest.raises(ValueError, match="items"):
        cm.make_loader(X, y[:10])
    full = cm.make_loader(X, y, batch_size=16, seed=4, drop_last=True)      # 50 = 3 * 16 + 2: the 2 are left out
    assert [len(yb) for _, yb in full] == [16, 16, 16]


def test_chapter_two_figures_draw():
    rng = np.random.default_rng(0)
    figs = [cp.ladder(["a", "b"], rng.random((2, 5)), rng.random((2, 5))),
            cp.overfitting_curves(rng.random((5, 4)), rng.random((5, 4)), chosen=2),
            cp.kernel_frame(torch.randn(6, 1, 3, 3), 3, (1, 3), rng.random((2, 5)), [100, 200], [4, 10])]
    for fig in figs:
        assert fig._suptitle is not None or any(ax.get_title() for ax in fig.axes)
        plt.close(fig)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_train_model_gives_the_numbers_of_a_plain_per_parameter_loop(optimizer):
    X, y = _toy_data(48)
    X = X.double()
    torch.manual_seed(0)
    ours = cm.seed_cnn(channels=(2, 4), hidden=(8,), n_classes=2, batch_norm=True).double()
    plain = copy.deepcopy(ours)
    lr = 0.05 if optimizer == "sgd" else 3e-3
    cm.train_model(ours, cm.make_loader(X, y, batch_size=16, seed=1), epochs=2, lr=lr, optimizer=optimizer)
    opt = (torch.optim.SGD(plain.parameters(), lr=lr, momentum=0.9, foreach=False) if optimizer == "sgd"
           else torch.optim.Adam(plain.parameters(), lr=lr, foreach=False))
    _plain_loop(plain, opt, cm.make_loader(X, y, batch_size=16, seed=1), epochs=2)
    for (name, a), (_, b) in zip(ours.state_dict().items(), plain.state_dict().items()):
        assert torch.equal(a, b), name


def _plain_loop(model, opt, loader, epochs):
    """The textbook loop with plain cross-entropy, one thread: the reference for cm.train_model."""
    model.train()
    with nnbook.one_thread():
        for _ in range(epochs):
            for xb, yb in loader:                            # one loader: a new order every epoch
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()


def test_label_smoothing_loss_is_the_hand_formula_and_zero_is_the_old_loss():
    X, y = _toy_data(48)
    X = X.double()
    torch.manual_seed(0)
    start = cm.seed_cnn(channels=(2, 4), hidden=(8,), n_classes=2, batch_norm=True).double()
    plain, zero, smooth = copy.deepcopy(start), copy.deepcopy(start), copy.deepcopy(start)
    eps = 0.1
    # the loss of the first batch, by the hand formula (1 - eps) * CE + eps * mean_k(-log p_k)
    xb, yb = next(iter(cm.make_loader(X, y, batch_size=16, seed=1)))
    probe = copy.deepcopy(start).train()
    with torch.no_grad():
        logp = torch.log_softmax(probe(xb), dim=1)
    by_hand = ((1 - eps) * -logp[torch.arange(len(yb)), yb] + eps * -logp.mean(dim=1)).mean()
    hist = cm.train_model(smooth, cm.make_loader(X, y, batch_size=16, seed=1), epochs=1, lr=0.0,
                          label_smoothing=eps)
    first = hist["loss"][0]                                  # lr 0: every batch's loss of the same weights
    losses = []
    probe = copy.deepcopy(start).train()
    with torch.no_grad():
        for xb2, yb2 in cm.make_loader(X, y, batch_size=16, seed=1):
            lp = torch.log_softmax(probe(xb2), dim=1)
            losses.append(((1 - eps) * -lp[torch.arange(len(yb2)), yb2] + eps * -lp.mean(dim=1)).sum().item())
    assert abs(first - sum(losses) / len(y)) < 1e-12
    assert abs(losses[0] / len(yb) - by_hand.item()) < 1e-12
    plain_loss = cm.train_model(copy.deepcopy(start), cm.make_loader(X, y, batch_size=16, seed=1), epochs=1,
                                lr=0.0)["loss"][0]
    assert first > plain_loss                                # smoothing adds the mean over wrong classes
    # label_smoothing=0.0 is the old loss, bit for bit: the same weights as a plain cross-entropy loop
    opt = torch.optim.SGD(plain.parameters(), lr=0.05, momentum=0.9, foreach=False)
    _plain_loop(plain, opt, cm.make_loader(X, y, batch_size=16, seed=1), epochs=2)
    cm.train_model(zero, cm.make_loader(X, y, batch_size=16, seed=1), epochs=2, lr=0.05, label_smoothing=0.0)
    for (name, a), (_, b) in zip(plain.state_dict().items(), zero.state_dict().items()):
        assert torch.equal(a, b), name
    with pytest.raises(ValueError, match="label_smoothing"):
        cm.train_model(copy.deepcopy(start), cm.make_loader(X, y, batch_size=16, seed=1), epochs=1,
                       label_smoothing=1.5)
