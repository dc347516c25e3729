"""Spiking neurons with snnc's semantics (docs/SEMANTICS.md §1), one time step per call.

    h = decay·v + gain·c + bias        IF: decay 1; LIF: decay tau; PLIF: 1-1/τm, 1/τm, v_reset/τm
    m = k·(h − μ) + β                   with MPBN (k = γ/sqrt(σ²+ε)), else m = h
    s_0 = m ⋈ θ,  s_i = m ⋈ (θ + Δ_i)   ⋈ is > ("gt") or >= ("ge")
    hard reset: v = h·(1−s_0) + v_reset·s_0;  soft reset: v = h − θ·s_0
    output: s_0, or s_sum = s_0 + Σ s_i for MultiThresholdLIF

The membrane `v` lives in the module between calls: call `reset_state()` (or
`snnc_torch.reset_state(model)`) before each sample. Float hyperparameters are stored as the
float32 values an ONNX attribute holds, so PyTorch computes with exactly what snnc reads.
"""

from __future__ import annotations

import torch
from torch import nn

from ._onnx_op import exporting, f32, snnc_node


def _per_channel(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A [C] parameter shaped to broadcast over the channel axis of x ([N, C, ...])."""
    return t.reshape((1, -1) + (1,) * (x.dim() - 2))


class MPBN(nn.Module):
    """Membrane-potential BN owned by a neuron (MPBN Eq. 7-10, 13), inference form.

    mode "channel": parameters [C] (per channel of a conv output, or per feature after a Linear);
    mode "element": parameters of the activation's shape without batch ([C, H, W] or [F]).
    """

    def __init__(self, shape, mode: str = "channel", eps: float = 1e-5):
        super().__init__()
        if mode not in ("channel", "element"):
            raise ValueError(f"MPBN mode must be 'channel' or 'element', got {mode!r}")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if mode == "channel" and len(shape) != 1:
            raise ValueError("channel-wise MPBN takes the number of channels")
        self.mode = mode
        self.eps = f32(eps)
        self.weight = nn.Parameter(torch.ones(shape))
        self.bias = nn.Parameter(torch.zeros(shape))
        self.register_buffer("running_mean", torch.zeros(shape))
        self.register_buffer("running_var", torch.ones(shape))

    def params(self) -> list:
        return [self.weight, self.bias, self.running_mean, self.running_var]

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        k = self.weight / torch.sqrt(self.running_var + self.eps)
        if self.mode == "channel":
            return _per_channel(k, h) * (h - _per_channel(self.running_mean, h)) + _per_channel(self.bias, h)
        return k.unsqueeze(0) * (h - self.running_mean.unsqueeze(0)) + self.bias.unsqueeze(0)


class _SpikeFn(torch.autograd.Function):
    """Heaviside step with a sigmoid surrogate gradient (slope 4), for fine-tuning."""

    @staticmethod
    def forward(ctx, margin, ge: bool):
        ctx.save_for_backward(margin)
        return (margin >= 0 if ge else margin > 0).to(margin.dtype)

    @staticmethod
    def backward(ctx, grad):
        (margin,) = ctx.saved_tensors
        sg = torch.sigmoid(4.0 * margin)
        return grad * 4.0 * sg * (1 - sg), None


class _Neuron(nn.Module):
    """Shared state, firing and reset of every neuron type."""

    onnx_op = ""

    def __init__(self, v_threshold: float, reset: str = "hard", v_reset: float = 0.0, fire: str = "gt", mpbn=None):
        super().__init__()
        if reset not in ("hard", "soft"):
            raise ValueError(f"reset must be 'hard' or 'soft', got {reset!r}")
        if fire not in ("gt", "ge"):
            raise ValueError(f"fire must be 'gt' or 'ge', got {fire!r}")
        self.v_threshold = f32(v_threshold)
        self.reset = reset
        self.v_reset = f32(v_reset)
        self.fire = fire
        self.mpbn = mpbn
        self.deltas: list = []
        self.v = None

    def reset_state(self) -> None:
        self.v = None

    # Subclasses: h from the previous membrane v and the input current c.
    def charge(self, v: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def onnx_attrs(self) -> dict:
        attrs = {"v_threshold": self.v_threshold, "reset": self.reset, "v_reset": self.v_reset, "fire": self.fire}
        if self.mpbn is not None:
            attrs.update(mpbn_mode=self.mpbn.mode, mpbn_epsilon=self.mpbn.eps)
        return attrs

    def onnx_a(self):
        return None

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        if exporting():
            params = [self.onnx_a()] + (self.mpbn.params() if self.mpbn is not None else [])
            return snnc_node(self.onnx_op, c, self.onnx_attrs(), params)
        v = self.v if self.v is not None else torch.zeros_like(c)
        h = self.charge(v, c)
        m = self.mpbn(h) if self.mpbn is not None else h
        ge = self.fire == "ge"
        s0 = _SpikeFn.apply(m - self.v_threshold, ge)
        out = s0
        for d in self.deltas:
            out = out + _SpikeFn.apply(m - (self.v_threshold + d), ge)
        if self.reset == "hard":
            self.v = h * (1 - s0) + self.v_reset * s0
        else:
            self.v = h - self.v_threshold * s0
        return out


class IF(_Neuron):
    """Integrate-and-fire: h = v + c."""

    onnx_op = "IF"

    def charge(self, v, c):
        return v + c


class LIF(_Neuron):
    """Leaky integrate-and-fire: h = tau·v + c, tau ∈ (0, 1] the decay factor (1 = IF)."""

    onnx_op = "LIF"

    def __init__(self, tau: float, v_threshold: float = 1.0, **kw):
        super().__init__(v_threshold, **kw)
        if not 0 < tau <= 1:
            raise ValueError(f"tau {tau} is a decay factor in (0, 1] (τ_m = 2 is tau = 0.5)")
        self.tau = f32(tau)

    def charge(self, v, c):
        return self.tau * v + c

    def onnx_attrs(self):
        return {"tau": self.tau, **super().onnx_attrs()}


class PLIF(_Neuron):
    """Parametric LIF (MT-SNN Eq. 6/8): τm = 1 + exp(−a), h = (1−1/τm)·v + (1/τm)·c + v_reset/τm."""

    onnx_op = "PLIF"

    def __init__(self, a: float = 0.0, v_threshold: float = 1.0, **kw):
        super().__init__(v_threshold, **kw)
        self.a = nn.Parameter(torch.tensor(float(a)))

    def charge(self, v, c):
        tau_m = 1 + torch.exp(-self.a)
        return (1 - 1 / tau_m) * v + (1 / tau_m) * c + self.v_reset / tau_m

    def onnx_a(self):
        return self.a


class MultiThresholdLIF(_Neuron):
    """MT-LIF (MT-SNN Eq. 10-11) over a LIF (`tau`) or PLIF (`a`) base; output s_sum."""

    onnx_op = "MultiThresholdLIF"

    def __init__(self, deltas, v_threshold: float = 1.0, tau: float | None = None, a: float | None = None, **kw):
        super().__init__(v_threshold, **kw)
        if (tau is None) == (a is None):
            raise ValueError("MultiThresholdLIF takes exactly one of tau (LIF base) or a (PLIF base)")
        if not deltas:
            raise ValueError("MultiThresholdLIF needs at least one delta")
        self.deltas = [f32(d) for d in deltas]
        self.neuron = "LIF" if tau is not None else "PLIF"
        self.tau = f32(tau) if tau is not None else None
        self.a = nn.Parameter(torch.tensor(float(a))) if a is not None else None

    def charge(self, v, c):
        if self.a is None:
            return self.tau * v + c
        tau_m = 1 + torch.exp(-self.a)
        return (1 - 1 / tau_m) * v + (1 / tau_m) * c + self.v_reset / tau_m

    def onnx_attrs(self):
        attrs = {"neuron": self.neuron, "deltas": self.deltas, **super().onnx_attrs()}
        if self.tau is not None:
            attrs["tau"] = self.tau
        return attrs

    def onnx_a(self):
        return self.a
