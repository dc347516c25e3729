"""The networks behind fixtures/onnx-*: small SpikingJelly-style models built from snnc_torch.

Each builder returns (model, notes). Parameters come from torch.manual_seed in
export_fixtures.py; thresholds are set so every spiking layer fires some but not all of the time
on the fixture's input. Hyperparameters are float32-exact (and so are θ + Δ of MT planes), so the
values PyTorch computes with are the ones the ONNX attributes hold.
"""

from __future__ import annotations

import torch
from torch import nn

from snnc_torch import BNTT, IF, LIF, MPBN, PLIF, TAB, TEBN, MultiThresholdLIF, PSPNorm, Readout, TdBN


def _uniform(t: torch.Tensor, lo: float, hi: float) -> None:
    with torch.no_grad():
        t.copy_(torch.rand(t.shape) * (hi - lo) + lo)


def randomize_norms(model: nn.Module) -> None:
    """Running statistics and affine parameters that are not the identity."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, TdBN, MPBN, TEBN)):
            _uniform(m.weight, 0.6, 1.4)
            _uniform(m.bias, -0.2, 0.2)
            _uniform(m.running_mean, -0.2, 0.2)
            _uniform(m.running_var, 0.5, 1.5)
        if isinstance(m, BNTT):
            _uniform(m.weight, 0.6, 1.4)
            _uniform(m.running_mean, -0.2, 0.2)
            _uniform(m.running_var, 0.5, 1.5)
        if isinstance(m, TEBN):
            _uniform(m.p, 0.7, 1.3)
        if isinstance(m, TAB):
            _uniform(m.gamma_hat, 0.6, 1.4)
            _uniform(m.beta_hat, -0.2, 0.2)
            _uniform(m.moving_mean_acc, -0.2, 0.2)
            _uniform(m.moving_var_acc, 0.5, 1.5)
        if isinstance(m, PSPNorm) and m.mode == "bn":
            _uniform(m.weight, 0.6, 1.4)
            _uniform(m.running_sq_mean, 0.3, 1.2)


def set_values(t: torch.Tensor, values) -> None:
    with torch.no_grad():
        t.copy_(torch.as_tensor(values, dtype=t.dtype).reshape(t.shape))


class ConvBnMpbn(nn.Module):
    """conv + BN + channel MPBN + LIF; Pad+AveragePool pair; conv + BN + LIF; Linear + IF (ge) + readout."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.lif1 = LIF(tau=0.75, v_threshold=0.5, mpbn=MPBN(4, "channel"))
        self.pool = nn.AvgPool2d(2, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=2)
        self.bn2 = nn.BatchNorm2d(6)
        self.lif2 = LIF(tau=0.5, v_threshold=0.25)
        self.flat = nn.Flatten()
        self.fc1 = nn.Linear(6 * 2 * 2, 10)
        self.if3 = IF(v_threshold=1.0, fire="ge")
        self.fc2 = nn.Linear(10, 3)
        self.readout = Readout()

    def forward(self, x):
        y = self.pool(self.lif1(self.bn1(self.conv1(x))))
        y = self.lif2(self.bn2(self.conv2(y)))
        return self.readout(self.fc2(self.if3(self.fc1(self.flat(y)))))


class TdbnMt(nn.Module):
    """tdBN + MT-LIF (deltas of both signs, LIF and PLIF bases, one with MPBN); MaxPool."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.tdbn1 = TdBN(4, alpha=1.0, v_threshold=0.5)
        self.mt1 = MultiThresholdLIF([0.5, -0.25], v_threshold=0.5, tau=0.5, fire="ge")
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.tdbn2 = TdBN(4, alpha=0.5, v_threshold=1.0)
        self.mt2 = MultiThresholdLIF([1.0, -0.5], v_threshold=0.5, a=0.25, mpbn=MPBN(4, "channel"))
        self.fc = nn.Linear(4 * 4 * 4, 3)
        self.readout = Readout()

    def forward(self, x):
        y = self.pool(self.mt1(self.tdbn1(self.conv1(x))))
        y = self.mt2(self.tdbn2(self.conv2(y)))
        return self.readout(self.fc(torch.flatten(y, 1)))


class BnttSoft(nn.Module):
    """BNTT after a conv and after a Linear, LIF / IF with soft reset, readout "sum"."""

    def __init__(self, timesteps: int):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bntt1 = BNTT(4, timesteps)
        self.lif1 = LIF(tau=0.875, v_threshold=0.5, reset="soft")
        self.pool = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(4 * 4 * 4, 8)
        self.bntt2 = BNTT(8, timesteps)
        self.if2 = IF(v_threshold=0.5, reset="soft")
        self.fc2 = nn.Linear(8, 3)
        self.readout = Readout("sum")

    def forward(self, x):
        y = self.pool(self.lif1(self.bntt1(self.conv(x))))
        y = self.if2(self.bntt2(self.fc1(torch.flatten(y, 1))))
        return self.readout(self.fc2(y))


class Tab(nn.Module):
    """TAB holding 6 steps while the model runs 4; global average pooling."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.tab1 = TAB(4, 6)
        self.lif1 = LIF(tau=0.5, v_threshold=0.5)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.tab2 = TAB(4, 6)
        self.lif2 = LIF(tau=0.5, v_threshold=0.5)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 3)
        self.readout = Readout()

    def forward(self, x):
        y = self.lif2(self.tab2(self.conv2(self.lif1(self.tab1(self.conv1(x))))))
        return self.readout(self.fc(torch.flatten(self.gap(y), 1)))


class TebnPsp(nn.Module):
    """TEBN with p [T] and [T, C]; PSPNorm "bn" before a conv."""

    def __init__(self, timesteps: int):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.tebn1 = TEBN(4, timesteps)
        self.lif1 = LIF(tau=0.75, v_threshold=0.5)
        self.psp = PSPNorm(4, "bn", lam=1e-4)
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2, padding=1)
        self.lif2 = LIF(tau=0.75, v_threshold=0.25)
        self.fc1 = nn.Linear(4 * 4 * 4, 8)
        self.tebn2 = TEBN(8, timesteps, per_channel_p=True)
        self.lif3 = LIF(tau=0.75, v_threshold=0.5)
        self.fc2 = nn.Linear(8, 3)
        self.readout = Readout()

    def forward(self, x):
        y = self.psp(self.lif1(self.tebn1(self.conv1(x))))
        y = torch.flatten(self.lif2(self.conv2(y)), 1)
        return self.readout(self.fc2(self.lif3(self.tebn2(self.fc1(y)))))


class PlifElement(nn.Module):
    """PLIF with element-wise MPBN ([C,H,W], mixed signs and zeros inside channels) and [F] after a Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.plif1 = PLIF(a=0.5, v_threshold=0.25, v_reset=0.0, mpbn=MPBN((3, 8, 8), "element"))
        self.pool = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(3 * 4 * 4, 8)
        self.plif2 = PLIF(a=-0.5, v_threshold=0.25, fire="ge", mpbn=MPBN(8, "element"))
        self.fc2 = nn.Linear(8, 3)
        self.readout = Readout()

    def forward(self, x):
        y = self.pool(self.plif1(self.conv(x)))
        return self.readout(self.fc2(self.plif2(self.fc1(torch.flatten(y, 1)))))


class Residual(nn.Module):
    """A residual block (conv-BN-LIF-conv-BN + identity, Add, LIF), ZeroPad2d, padded MaxPool on
    spikes, Dropout, scaling by a constant."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.lif1 = LIF(tau=0.5, v_threshold=0.5)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(4)
        self.lif2 = LIF(tau=0.5, v_threshold=0.5)
        self.conv3 = nn.Conv2d(4, 4, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(4)
        self.lif3 = LIF(tau=0.5, v_threshold=0.75, fire="ge")
        self.pad = nn.ZeroPad2d((1, 0, 1, 0))
        self.pool = nn.MaxPool2d(2, stride=2, padding=1)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(4 * 5 * 5, 3)
        self.readout = Readout()

    def forward(self, x):
        s1 = self.lif1(self.bn1(self.conv1(x)))
        y = self.bn3(self.conv3(self.lif2(self.bn2(self.conv2(s1)))))
        y = self.lif3(y + s1)
        y = self.drop(self.pool(self.pad(y)))
        return self.readout(self.fc(torch.flatten(y, 1) * 0.5))


class Pair(nn.Module):
    """The model written both as ONNX and as a TF.js layers-model (conv, BN, channel MPBN, pooling)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4, eps=1e-3)
        self.lif1 = LIF(tau=0.75, v_threshold=0.5, mpbn=MPBN(4, "channel"))
        self.pool = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(4 * 4 * 4, 8)
        self.lif2 = LIF(tau=0.5, v_threshold=0.5, reset="soft")
        self.fc2 = nn.Linear(8, 3)
        self.readout = Readout()

    def forward(self, x):
        y = self.pool(self.lif1(self.bn1(self.conv1(x))))
        return self.readout(self.fc2(self.lif2(self.fc1(torch.flatten(y, 1)))))
