"""Optimizers in the style of 밑바닥부터 시작하는 딥러닝 (common/optimizer.py): `update(params, grads)`.

params, grads: dicts with the same keys (e.g. `net.params`, `net.gradient(x, t)`). The arrays in
params are changed in place. The update rules are PyTorch's (torch.optim.SGD and Adam), so the
same start and the same gradients give the same steps.
"""
import numpy as np

__all__ = ["SGD", "Adam"]


def _check_keys(name, params, grads):
    if params.keys() != grads.keys():
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise ValueError(f"{name}.update: params and grads have different keys "
                         f"(no gradient for {missing}, gradient without parameter for {extra}); "
                         f"call backward before update")


class SGD:
    """Stochastic gradient descent with momentum.

    v <- momentum * v + grad;  param <- param - lr * v      (momentum=0: plain SGD, param -= lr * grad)
    weight_decay adds weight_decay * param to grad first (L2 regularisation), as in PyTorch.
    """

    def __init__(self, lr=0.01, momentum=0.0, weight_decay=0.0):
        if lr <= 0:
            raise ValueError(f"SGD: lr must be positive, got {lr}")
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.v = {}

    def update(self, params, grads):
        _check_keys("SGD", params, grads)
        for key, p in params.items():
            g = grads[key]
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                if key not in self.v:
                    self.v[key] = np.array(g, dtype=p.dtype, copy=True)
                else:
                    self.v[key] *= self.momentum
                    self.v[key] += g
                g = self.v[key]
            p -= (self.lr * g).astype(p.dtype, copy=False)


class Adam:
    """Adam (Kingma & Ba, 2015): momentum on the gradient and on its square, with bias correction.

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  t <- t + 1
    param <- param - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    weight_decay adds weight_decay * param to g first (L2 regularisation), as torch.optim.Adam does.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        if lr <= 0:
            raise ValueError(f"Adam: lr must be positive, got {lr}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.weight_decay = weight_decay
        self.m, self.v, self.t = {}, {}, 0

    def update(self, params, grads):
        _check_keys("Adam", params, grads)
        self.t += 1
        c1 = 1 - self.beta1 ** self.t
        c2 = 1 - self.beta2 ** self.t
        for key, p in params.items():
            g = grads[key]
            if self.weight_decay:
                g = g + self.weight_decay * p
            if key not in self.m:
                self.m[key] = np.zeros_like(p)
                self.v[key] = np.zeros_like(p)
            m, v = self.m[key], self.v[key]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= (self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)).astype(p.dtype, copy=False)
