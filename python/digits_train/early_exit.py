"""Training for BNTT's temporal early exit (BNTT §3.4).

BNTT's early exit reads the learned γ_t: once every layer's mean γ_t stays below a threshold, the
later steps contribute little and inference stops there. In the paper γ_t of late steps falls by
itself (Poisson inputs, many steps). With direct encoding and few steps every step sees the same
image and γ_t stays near 1, so training adds a decay term on γ that grows with the step:

    Σ_layers Σ_t (t / T) · mean_c |γ_{t,c}|

which lets the loss keep the γ_t it needs and pulls the rest towards zero, the later steps first.
After every optimiser step γ is projected onto γ ≥ GAMMA_FLOOR: the exact lowering of a per-step
norm rescales the neuron's state by 1/a_t with a_t = γ_t/sqrt(σ_t²+ε) and needs a_t > 0
(docs/SEMANTICS.md §3), which a γ_t left to oscillate around zero would break.
"""

from __future__ import annotations

import torch
from torch import nn

from snnc_torch import BNTT


def gamma_decay_loss(model: nn.Module) -> torch.Tensor:
    terms = []
    for m in model.modules():
        if isinstance(m, BNTT):
            T = m.weight.shape[0]
            w = torch.arange(1, T + 1, dtype=m.weight.dtype) / T
            terms.append((w * m.weight.abs().mean(1)).sum())
    return torch.stack(terms).sum()


GAMMA_FLOOR = 0.01


def clamp_gamma(model: nn.Module) -> None:
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, BNTT):
                m.weight.clamp_(min=GAMMA_FLOOR)


def mean_gamma(model: nn.Module) -> dict:
    """Per BNTT layer: mean γ_t over channels, t = 1..T."""
    return {
        n: [round(v, 4) for v in m.weight.detach().mean(1).tolist()]
        for n, m in model.named_modules()
        if isinstance(m, BNTT)
    }
