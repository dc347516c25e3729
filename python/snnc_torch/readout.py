"""Non-spiking output (docs/SEMANTICS.md §1): integrates its input current over the run."""

from __future__ import annotations

import torch
from torch import nn

from ._onnx_op import exporting, snnc_node


class Readout(nn.Module):
    """o = (1/T)·Σ_t c[t] ("mean") or Σ_t c[t] ("sum"). Each call returns its input unchanged and
    accumulates it; `value()` is the readout after the steps run so far."""

    def __init__(self, mode: str = "mean"):
        super().__init__()
        if mode not in ("mean", "sum"):
            raise ValueError(f"Readout mode must be 'mean' or 'sum', got {mode!r}")
        self.mode = mode
        self.acc = None
        self.steps = 0

    def reset_state(self) -> None:
        self.acc, self.steps = None, 0

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        if exporting():
            return snnc_node("Readout", c, {"mode": self.mode}, [])
        self.acc = c.detach().clone() if self.acc is None else self.acc + c.detach()
        self.steps += 1
        return c

    def value(self) -> torch.Tensor:
        if self.acc is None:
            raise RuntimeError("Readout has not run")
        return self.acc / self.steps if self.mode == "mean" else self.acc
