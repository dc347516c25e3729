"""Multi-step training layers: each takes the whole sequence [T, N, ...] and trains with batch statistics.

The snnc_torch modules are inference forms (one step per call, running statistics only). Training
needs the statistics each technique computes over a batch:

    BN2d / BN1d   over T·N (and H, W) jointly, per channel (how multi-step SNN code applies BN)
    TdBN          the same statistics, scaled by α·V_th (Zheng et al. 2021)
    BNTT          per step t over N (and H, W); γ_t per step and channel, no β (BNTT Eq. 9)
    TAB           per step t, μ_{1:t} and σ²_{1:t} the means of the per-step batch statistics of
                  steps 1..t (TAB Eq. 5-6); γ̂_t, β̂_t per step and channel
    PSPNorm (bn)  E[x²] over T·N·H·W per channel (no mean subtracted, PSP-norm Eq. 19)
    MPBN          on the membrane h inside the neuron, per step over N (and H, W for "channel"),
                  one parameter set for all steps (MPBN Eq. 7)

Every layer's `to_snnc()` returns the snnc_torch module holding the same parameters and running
statistics, so the exported network computes exactly the eval-mode forward of the trained one.
Spikes use snnc_torch's step function (sigmoid surrogate gradient).
"""

from __future__ import annotations

import torch
from torch import nn

from snnc_torch import BNTT, IF, LIF, MPBN, PLIF, TAB, MultiThresholdLIF, PSPNorm, Readout, TdBN
from snnc_torch.neurons import _SpikeFn

MOMENTUM = 0.1


def _c(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A [C] tensor shaped to broadcast over the channel axis of x ([N, C, ...])."""
    return t.reshape((1, -1) + (1,) * (x.dim() - 2))


def _stats(x: torch.Tensor, dims) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Batch mean, biased variance (for normalising) and unbiased variance (for running statistics)."""
    mean = x.mean(dims)
    var = x.var(dims, unbiased=False)
    n = x.numel() // mean.numel()
    return mean, var, var * n / max(n - 1, 1)


def _update(buf: torch.Tensor, value: torch.Tensor) -> None:
    with torch.no_grad():
        buf.mul_(1 - MOMENTUM).add_(MOMENTUM * value.detach())


def _copy(dst: torch.Tensor, src: torch.Tensor) -> None:
    with torch.no_grad():
        dst.copy_(src.detach())


class Seq(nn.Module):
    """A one-step module (Conv2d, Linear, pooling, Flatten) applied to every step of [T, N, ...]."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x):
        T, N = x.shape[:2]
        y = self.module(x.flatten(0, 1))
        return y.reshape(T, N, *y.shape[1:])

    def to_snnc(self) -> nn.Module:
        return self.module


class SeqBN(nn.Module):
    """nn.BatchNorm over T·N jointly; exported as the plain BatchNorm (a BN node in ONNX)."""

    def __init__(self, num_features: int, spatial: bool = True):
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features) if spatial else nn.BatchNorm1d(num_features)

    def forward(self, x):
        T, N = x.shape[:2]
        return self.bn(x.flatten(0, 1)).reshape(x.shape)

    def to_snnc(self) -> nn.Module:
        return self.bn


class TrainTdBN(nn.Module):
    def __init__(self, num_features: int, alpha: float = 1.0, v_threshold: float = 1.0, eps: float = 1e-5):
        super().__init__()
        self.snnc = TdBN(num_features, alpha=alpha, v_threshold=v_threshold, eps=eps)

    def forward(self, x):
        m = self.snnc
        flat = x.flatten(0, 1)
        if self.training:
            dims = [0] + list(range(2, flat.dim()))
            mean, var, unbiased = _stats(flat, dims)
            _update(m.running_mean, mean)
            _update(m.running_var, unbiased)
        else:
            mean, var = m.running_mean, m.running_var
        f = m.alpha * m.v_threshold
        y = _c(f * m.weight, flat) * (flat - _c(mean, flat)) / _c(torch.sqrt(var + m.eps), flat) + _c(m.bias, flat)
        return y.reshape(x.shape)

    def to_snnc(self) -> nn.Module:
        return self.snnc


class TrainBNTT(nn.Module):
    def __init__(self, num_features: int, timesteps: int, eps: float = 1e-5):
        super().__init__()
        self.snnc = BNTT(num_features, timesteps, eps=eps)

    def forward(self, x):
        m = self.snnc
        out = []
        for t in range(x.shape[0]):
            xt = x[t]
            if self.training:
                mean, var, unbiased = _stats(xt, [0] + list(range(2, xt.dim())))
                _update(m.running_mean[t], mean)
                _update(m.running_var[t], unbiased)
            else:
                mean, var = m.running_mean[t], m.running_var[t]
            out.append(_c(m.weight[t], xt) * (xt - _c(mean, xt)) / _c(torch.sqrt(var + m.eps), xt))
        return torch.stack(out)

    def to_snnc(self) -> nn.Module:
        return self.snnc


class TrainTAB(nn.Module):
    def __init__(self, num_features: int, timesteps: int, eps: float = 1e-5):
        super().__init__()
        self.snnc = TAB(num_features, timesteps, eps=eps)

    def forward(self, x):
        m = self.snnc
        out = []
        means, vars_, unb = [], [], []
        for t in range(x.shape[0]):
            xt = x[t]
            if self.training:
                mean, var, unbiased = _stats(xt, [0] + list(range(2, xt.dim())))
                means.append(mean)
                vars_.append(var)
                unb.append(unbiased)
                acc_mean = torch.stack(means).mean(0)  # μ_{1:t} (TAB Eq. 5)
                acc_var = torch.stack(vars_).mean(0)  # σ²_{1:t}
                _update(m.moving_mean_acc[t], acc_mean)
                _update(m.moving_var_acc[t], torch.stack(unb).mean(0))
            else:
                acc_mean, acc_var = m.moving_mean_acc[t], m.moving_var_acc[t]
            y = _c(m.gamma_hat[t], xt) * (xt - _c(acc_mean, xt)) / _c(torch.sqrt(acc_var + m.eps), xt)
            out.append(y + _c(m.beta_hat[t], xt))
        return torch.stack(out)

    def to_snnc(self) -> nn.Module:
        return self.snnc


class TrainPSPNorm(nn.Module):
    """PSPNorm "bn": γ·x/sqrt(E[x²]+λ) with E[x²] over T·N·H·W per channel."""

    def __init__(self, num_features: int, lam: float = 1e-4):
        super().__init__()
        self.snnc = PSPNorm(num_features, "bn", lam=lam)

    def forward(self, x):
        m = self.snnc
        flat = x.flatten(0, 1)
        if self.training:
            sq = (flat * flat).mean([0] + list(range(2, flat.dim())))
            _update(m.running_sq_mean, sq)
        else:
            sq = m.running_sq_mean
        return (_c(m.weight, flat) * flat / _c(torch.sqrt(sq + m.lam), flat)).reshape(x.shape)

    def to_snnc(self) -> nn.Module:
        return self.snnc


class TrainMPBN(nn.Module):
    """MPBN on the membrane: batch statistics per call (one call per step) while training."""

    def __init__(self, shape, mode: str = "channel", eps: float = 1e-5):
        super().__init__()
        self.snnc = MPBN(shape, mode, eps)

    def forward(self, h):
        m = self.snnc
        if not self.training:
            return m(h)
        dims = [0] + list(range(2, h.dim())) if m.mode == "channel" else [0]
        mean, var, unbiased = _stats(h, dims)
        _update(m.running_mean, mean)
        _update(m.running_var, unbiased)
        k = m.weight / torch.sqrt(var + m.eps)
        if m.mode == "channel":
            return _c(k, h) * (h - _c(mean, h)) + _c(m.bias, h)
        return k.unsqueeze(0) * (h - mean.unsqueeze(0)) + m.bias.unsqueeze(0)


class SeqNeuron(nn.Module):
    """Runs a snnc_torch neuron over the steps of [T, N, ...] (its own equations), MPBN trained by batch."""

    def __init__(self, neuron, mpbn: TrainMPBN | None = None):
        super().__init__()
        self.neuron = neuron
        self.train_mpbn = mpbn
        if mpbn is not None:
            neuron.mpbn = mpbn.snnc

    def forward(self, x):
        n = self.neuron
        v = torch.zeros_like(x[0])
        ge = n.fire == "ge"
        out = []
        for t in range(x.shape[0]):
            h = n.charge(v, x[t])
            m = self.train_mpbn(h) if self.train_mpbn is not None else h
            s0 = _SpikeFn.apply(m - n.v_threshold, ge)
            s = s0
            for d in n.deltas:
                s = s + _SpikeFn.apply(m - (n.v_threshold + d), ge)
            v = h * (1 - s0) + n.v_reset * s0 if n.reset == "hard" else h - n.v_threshold * s0
            out.append(s)
        return torch.stack(out)

    def to_snnc(self) -> nn.Module:
        return self.neuron


class SeqReadout(nn.Module):
    """Readout over the run: mean or sum over T of its input current; returns [N, classes]."""

    def __init__(self, mode: str = "mean"):
        super().__init__()
        self.mode = mode

    def forward(self, x):
        return x.mean(0) if self.mode == "mean" else x.sum(0)

    def to_snnc(self) -> nn.Module:
        return Readout(self.mode)


def lif(tau=0.5, v_threshold=1.0, mpbn=None, **kw) -> SeqNeuron:
    return SeqNeuron(LIF(tau=tau, v_threshold=v_threshold, **kw), mpbn)


def if_(v_threshold=1.0, **kw) -> SeqNeuron:
    return SeqNeuron(IF(v_threshold=v_threshold, **kw))


def plif(a=0.0, v_threshold=1.0, mpbn=None, **kw) -> SeqNeuron:
    return SeqNeuron(PLIF(a=a, v_threshold=v_threshold, **kw), mpbn)


def mt_lif(deltas, v_threshold=1.0, mpbn=None, **kw) -> SeqNeuron:
    return SeqNeuron(MultiThresholdLIF(deltas, v_threshold=v_threshold, **kw), mpbn)
