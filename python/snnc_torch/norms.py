"""SNN normalisations in their inference form (docs/SEMANTICS.md §2-§3), one time step per call.

    TdBN   y = γ·α·V_th·(x − μ)/sqrt(σ² + ε) + β                       parameters [C]
    BNTT   y_t = γ_t·(x − μ_t)/sqrt(σ_t² + ε)                            [T, C], no β
    TEBN   y_t = p_t·(γ·(x − μ)/sqrt(σ² + ε) + β)                        [C]; p [T] or [T, C]
    TAB    y_t = γ̂_t·(x − μ_{1:t})/sqrt(σ²_{1:t} + ε) + β̂_t              [T, C], statistics accumulated
    PSPNorm (bn) y = γ·x/sqrt(E[x²] + λ)                                 [C]

Per-step norms count their calls: step t uses row t; `reset_state()` starts again at step 0, and a
call beyond the rows they hold is an error. x is [N, C, H, W] or [N, C].
"""

from __future__ import annotations

import torch
from torch import nn

from ._onnx_op import exporting, f32, snnc_node


def _c(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A [C] tensor shaped to broadcast over the channel axis of x."""
    return t.reshape((1, -1) + (1,) * (x.dim() - 2))


class TdBN(nn.Module):
    def __init__(self, num_features: int, alpha: float = 1.0, v_threshold: float = 1.0, eps: float = 1e-5):
        super().__init__()
        self.alpha, self.v_threshold, self.eps = f32(alpha), f32(v_threshold), f32(eps)
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if exporting():
            attrs = {"alpha": self.alpha, "v_threshold": self.v_threshold, "epsilon": self.eps}
            return snnc_node("TdBN", x, attrs, [self.weight, self.bias, self.running_mean, self.running_var])
        f = self.alpha * self.v_threshold
        return _c(f * self.weight, x) * (x - _c(self.running_mean, x)) / _c(
            torch.sqrt(self.running_var + self.eps), x
        ) + _c(self.bias, x)


class _PerStep(nn.Module):
    """Counts time steps; `timesteps` rows of parameters."""

    def __init__(self, timesteps: int, eps: float):
        super().__init__()
        self.timesteps, self.eps, self.t = int(timesteps), f32(eps), 0

    def reset_state(self) -> None:
        self.t = 0

    def _step(self) -> int:
        t = self.t
        if t >= self.timesteps:
            raise RuntimeError(f"{type(self).__name__} holds {self.timesteps} steps; call reset_state() per sample")
        self.t += 1
        return t

    def onnx_attrs(self) -> dict:
        return {"timesteps": self.timesteps, "epsilon": self.eps}


class BNTT(_PerStep):
    def __init__(self, num_features: int, timesteps: int, eps: float = 1e-5):
        super().__init__(timesteps, eps)
        self.weight = nn.Parameter(torch.ones(timesteps, num_features))
        self.register_buffer("running_mean", torch.zeros(timesteps, num_features))
        self.register_buffer("running_var", torch.ones(timesteps, num_features))

    def forward(self, x):
        if exporting():
            return snnc_node("BNTT", x, self.onnx_attrs(), [self.weight, self.running_mean, self.running_var])
        t = self._step()
        g, m, v = self.weight[t], self.running_mean[t], self.running_var[t]
        return _c(g, x) * (x - _c(m, x)) / _c(torch.sqrt(v + self.eps), x)


class TEBN(_PerStep):
    def __init__(self, num_features: int, timesteps: int, eps: float = 1e-5, per_channel_p: bool = False):
        super().__init__(timesteps, eps)
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.p = nn.Parameter(torch.ones((timesteps, num_features) if per_channel_p else (timesteps,)))

    def forward(self, x):
        if exporting():
            params = [self.weight, self.bias, self.running_mean, self.running_var, self.p]
            return snnc_node("TEBN", x, self.onnx_attrs(), params)
        t = self._step()
        y = _c(self.weight, x) * (x - _c(self.running_mean, x)) / _c(
            torch.sqrt(self.running_var + self.eps), x
        ) + _c(self.bias, x)
        p = self.p[t]
        return (_c(p, x) if p.dim() == 1 else p) * y


class TAB(_PerStep):
    def __init__(self, num_features: int, timesteps: int, eps: float = 1e-5):
        super().__init__(timesteps, eps)
        self.gamma_hat = nn.Parameter(torch.ones(timesteps, num_features))
        self.beta_hat = nn.Parameter(torch.zeros(timesteps, num_features))
        self.register_buffer("moving_mean_acc", torch.zeros(timesteps, num_features))
        self.register_buffer("moving_var_acc", torch.ones(timesteps, num_features))

    def forward(self, x):
        if exporting():
            params = [self.gamma_hat, self.beta_hat, self.moving_mean_acc, self.moving_var_acc]
            return snnc_node("TAB", x, self.onnx_attrs(), params)
        t = self._step()
        g, b = self.gamma_hat[t], self.beta_hat[t]
        m, v = self.moving_mean_acc[t], self.moving_var_acc[t]
        return _c(g, x) * (x - _c(m, x)) / _c(torch.sqrt(v + self.eps), x) + _c(b, x)


class PSPNorm(nn.Module):
    """mode "bn": per-channel, running E[x²]. mode "ln" is written to ONNX but cannot run at
    inference (its statistics span the sample's own future steps); snnc refuses it too."""

    def __init__(self, num_features: int, mode: str = "bn", lam: float = 1e-4):
        super().__init__()
        if mode not in ("bn", "ln"):
            raise ValueError(f"PSPNorm mode must be 'bn' or 'ln', got {mode!r}")
        self.mode, self.lam = mode, f32(lam)
        if mode == "bn":
            self.weight = nn.Parameter(torch.ones(num_features))
            self.register_buffer("running_sq_mean", torch.ones(num_features))

    def forward(self, x):
        if exporting():
            params = [self.weight, self.running_sq_mean] if self.mode == "bn" else []
            return snnc_node("PSPNorm", x, {"mode": self.mode, "lambda": self.lam}, params)
        if self.mode == "ln":
            raise RuntimeError("PSPNorm mode 'ln' is not an inference-time layer")
        return _c(self.weight, x) * x / _c(torch.sqrt(self.running_sq_mean + self.lam), x)
