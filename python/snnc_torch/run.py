"""Running a network over T time steps and recording what every spiking layer did."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .neurons import _Neuron
from .norms import _PerStep
from .readout import Readout


def reset_state(model: nn.Module) -> None:
    """Forget every membrane, per-step counter and readout sum (call before each sample)."""
    for m in model.modules():
        if isinstance(m, (_Neuron, _PerStep, Readout)):
            m.reset_state()


@dataclass
class Record:
    """Per module name: a [T, ...] tensor per step (batch axis dropped when it is 1)."""

    spikes: dict = field(default_factory=dict)
    currents: dict = field(default_factory=dict)
    readouts: dict = field(default_factory=dict)
    outputs: list = field(default_factory=list)


def run(model: nn.Module, x: torch.Tensor, timesteps: int, per_step: bool = False) -> Record:
    """Run `model` for `timesteps` steps and record per-layer spikes and input currents.

    x is presented at every step (direct encoding), or, with per_step=True, x[t] at step t
    (spike-frame inputs). Spikes are each neuron's output (s_sum for MultiThresholdLIF);
    currents are what each neuron received. Runs under torch.no_grad().
    """
    rec = Record()
    names = {m: n for n, m in model.named_modules() if isinstance(m, _Neuron)}
    spikes = {n: [] for n in names.values()}
    currents = {n: [] for n in names.values()}

    def hook(m, inputs, output):
        currents[names[m]].append(inputs[0].detach().clone())
        spikes[names[m]].append(output.detach().clone())

    handles = [m.register_forward_hook(hook) for m in names]
    reset_state(model)
    try:
        with torch.no_grad():
            for t in range(timesteps):
                rec.outputs.append(model(x[t] if per_step else x))
    finally:
        for h in handles:
            h.remove()
    squeeze = (lambda s: s.squeeze(1)) if (x.shape[1 if per_step else 0] == 1) else (lambda s: s)
    rec.spikes = {n: squeeze(torch.stack(v)) for n, v in spikes.items()}
    rec.currents = {n: squeeze(torch.stack(v)) for n, v in currents.items()}
    rec.readouts = {n: m.value() for n, m in model.named_modules() if isinstance(m, Readout) and m.acc is not None}
    reset_state(model)
    return rec
