"""The six trained digit classifiers (8×8×1 input, direct encoding), one per seed technique.

Each builder returns a Sequential of training layers (layers.py) named as the exported ONNX nodes
will be (module `lif1` becomes node `lif1/LIF`). `to_snnc(model)` gives the one-step network of
snnc_torch modules with the same parameters, which `snnc_torch.export` writes.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from . import layers as L


def _seq(*named) -> nn.Sequential:
    return nn.Sequential(OrderedDict(named))


def conv(cin: int, cout: int, bias: bool = True):
    return L.Seq(nn.Conv2d(cin, cout, 3, padding=1, bias=bias))


def pool():
    return L.Seq(nn.AvgPool2d(2))


def flatten():
    return L.Seq(nn.Flatten())


def fc(fin: int, fout: int):
    return L.Seq(nn.Linear(fin, fout))


def conv_bn_mpbn(T: int) -> nn.Sequential:
    """(a) conv + BN + channel MPBN + LIF (hard reset), two conv layers."""
    return _seq(
        ("conv1", conv(1, 8)),
        ("bn1", L.SeqBN(8)),
        ("lif1", L.lif(0.5, 1.0, mpbn=L.TrainMPBN(8, "channel"))),
        ("pool1", pool()),
        ("conv2", conv(8, 16)),
        ("bn2", L.SeqBN(16)),
        ("lif2", L.lif(0.5, 1.0, mpbn=L.TrainMPBN(16, "channel"))),
        ("pool2", pool()),
        ("flatten", flatten()),
        ("fc", fc(16 * 2 * 2, 10)),
        ("readout", L.SeqReadout("mean")),
    )


def tdbn_mt(T: int) -> nn.Sequential:
    """(b) tdBN + MT-LIF with deltas of both signs (θ+Δ exact in float32), fire on ≥ (MT-SNN)."""
    return _seq(
        ("conv1", conv(1, 8, bias=False)),
        ("tdbn1", L.TrainTdBN(8, alpha=1.0, v_threshold=1.0)),
        ("mt1", L.mt_lif([0.5, -0.5], 1.0, tau=0.5, fire="ge")),
        ("pool1", pool()),
        ("flatten", flatten()),
        ("fc1", fc(8 * 4 * 4, 32)),
        ("tdbn2", L.TrainTdBN(32, alpha=1.0, v_threshold=1.0)),
        ("mt2", L.mt_lif([0.5, -0.5], 1.0, a=0.0, fire="ge")),
        ("fc2", fc(32, 10)),
        ("readout", L.SeqReadout("mean")),
    )


def bntt_soft(T: int) -> nn.Sequential:
    """(c) BNTT (γ_t per step, no β) with soft reset; readout sums the output current (BNTT §3.2)."""
    return _seq(
        ("conv1", conv(1, 8, bias=False)),
        ("bntt1", L.TrainBNTT(8, T)),
        ("lif1", L.lif(0.875, 1.0, reset="soft")),
        ("pool1", pool()),
        ("flatten", flatten()),
        ("fc1", fc(8 * 4 * 4, 32)),
        ("bntt2", L.TrainBNTT(32, T)),
        ("lif2", L.lif(0.875, 1.0, reset="soft")),
        ("fc2", fc(32, 10)),
        ("readout", L.SeqReadout("sum")),
    )


def tab(T: int) -> nn.Sequential:
    """(d) TAB: accumulated statistics μ_{1:t}, σ²_{1:t} and per-step γ̂_t, β̂_t."""
    return _seq(
        ("conv1", conv(1, 8, bias=False)),
        ("tab1", L.TrainTAB(8, T)),
        ("lif1", L.lif(0.5, 1.0)),
        ("pool1", pool()),
        ("flatten", flatten()),
        ("fc1", fc(8 * 4 * 4, 32)),
        ("tab2", L.TrainTAB(32, T)),
        ("lif2", L.lif(0.5, 1.0)),
        ("fc2", fc(32, 10)),
        ("readout", L.SeqReadout("mean")),
    )


def plif_mpbn_element(T: int) -> nn.Sequential:
    """(e) PLIF (learned τ_m) with element-wise MPBN ([C, H, W] after a conv, [F] after a Linear)."""
    return _seq(
        ("conv1", conv(1, 8)),
        ("plif1", L.plif(0.0, 1.0, mpbn=L.TrainMPBN((8, 8, 8), "element"))),
        ("pool1", pool()),
        ("flatten", flatten()),
        ("fc1", fc(8 * 4 * 4, 32)),
        ("plif2", L.plif(0.0, 1.0, mpbn=L.TrainMPBN(32, "element"))),
        ("fc2", fc(32, 10)),
        ("readout", L.SeqReadout("mean")),
    )


def psp_bn(T: int) -> nn.Sequential:
    """(f) PSP-BN: each spiking layer's output normalised by its running E[x²] before the next linear layer."""
    return _seq(
        ("conv1", conv(1, 8)),
        ("lif1", L.lif(0.5, 1.0)),
        ("psp1", L.TrainPSPNorm(8)),
        ("pool1", pool()),
        ("flatten", flatten()),
        ("fc1", fc(8 * 4 * 4, 32)),
        ("lif2", L.lif(0.5, 1.0)),
        ("psp2", L.TrainPSPNorm(32)),
        ("fc2", fc(32, 10)),
        ("readout", L.SeqReadout("mean")),
    )


def to_snnc(model: nn.Sequential) -> nn.Sequential:
    """The one-step snnc_torch network holding the trained parameters (shared, not copied)."""
    return nn.Sequential(OrderedDict((name, m.to_snnc()) for name, m in model.named_children())).eval()
