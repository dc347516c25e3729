"""Training for BNTT's temporal early exit (BNTT §3.4): weight decay on the per-step γ_t.

BNTT's early exit reads the learned γ_t: a step after which every layer's mean γ_t stays below a
threshold contributes little and can be cut. The paper trains with weight decay, which pulls
towards zero the γ_t of steps the loss does not need. `gamma_decay_loss` is that L2 term on the
γ_t of every BNTT layer alone (Σ γ²), added to the loss with a small factor.
"""

from __future__ import annotations

import torch
from torch import nn

from snnc_torch import BNTT


def gamma_decay_loss(model: nn.Module) -> torch.Tensor:
    terms = [(m.weight**2).sum() for m in model.modules() if isinstance(m, BNTT)]
    return torch.stack(terms).sum()


def mean_gamma(model: nn.Module) -> dict:
    """Per BNTT layer: mean γ_t over channels, t = 1..T."""
    return {n: [round(v, 4) for v in m.weight.detach().mean(1).tolist()] for n, m in model.named_modules() if isinstance(m, BNTT)}
