#!/usr/bin/env python3
"""Writes fixtures/onnx-*/: models exported by torch.onnx.export, with what PyTorch computed.

    /usr/bin/python3 python/export_fixtures.py [fixture-name ...]     (from the repository root)

Each folder gets
    model.onnx      torch's default eval export (Conv+BatchNorm fused by torch)
    model-bn.onnx   where the model has BatchNorm: BN kept as a node (no constant folding,
                    TrainingMode.PRESERVE)
    input.json      the input sample in snnc's layout ([H][W][C]); values are multiples of 1/32
    expected.json   what PyTorch (float32) produced on it, in snnc's layout (below)
and onnx-tfjs-pair also tfjs/model.json + tfjs/weights.bin (the same weights as a TF.js model).

expected.json: {"timesteps", "torch", "models": [...], "readout": [...], "layers": [{"module",
"node" (the snnc layer id), "shape" (H,W,C or F), "spikes_per_step", "raster"}], "currents":
[{"node", "shape", "f32"}]}. raster is `snnc run --json --raster`'s form: per step the flat
H,W,C-order indices that fired (repeated per spike of an MT layer). currents are each neuron's
input current at every step, float32 little-endian [T, ...] in base64.

Every fixture is also run in float64 by PyTorch; the script refuses a fixture whose float64
spikes differ from the float32 ones (a spike decided by rounding), so the committed spikes do not
depend on float32 rounding. Seeds are fixed: the same torch build writes the same files.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fixture_models as fm  # noqa: E402
from snnc_torch import export, run  # noqa: E402
from snnc_torch.neurons import _Neuron  # noqa: E402

ROOT = os.path.dirname(HERE)


def tweak_conv_bn_mpbn(m):
    fm.set_values(m.lif1.mpbn.weight, [1.2, -0.8, 0.0, 0.9])  # a negative and a zero γ


def tweak_tdbn_mt(m):
    fm.set_values(m.mt2.mpbn.weight, [1.1, -0.9, 0.7, 1.3])


def tweak_plif_element(m):
    g = torch.rand(3, 8, 8) * 0.8 + 0.6
    g[0, :4] *= -1  # negative γ in part of channel 0
    g[1, 2, 3] = 0.0
    g[2, ::2, ::2] *= -1
    fm.set_values(m.plif1.mpbn.weight, g)
    fm.set_values(m.plif2.mpbn.weight, [1.0, -0.7, 0.8, 0.0, 1.2, -1.1, 0.9, 0.6])


FIXTURES = [
    dict(name="onnx-conv-bn-mpbn", build=fm.ConvBnMpbn, T=4, shape=(2, 8, 8), seed=11, tweak=tweak_conv_bn_mpbn),
    dict(name="onnx-tdbn-mt", build=fm.TdbnMt, T=5, shape=(1, 8, 8), seed=12, tweak=tweak_tdbn_mt),
    dict(name="onnx-bntt-soft", build=lambda: fm.BnttSoft(5), T=5, shape=(1, 8, 8), seed=13),
    dict(name="onnx-tab", build=fm.Tab, T=4, shape=(1, 8, 8), seed=14),
    dict(name="onnx-tebn-psp", build=lambda: fm.TebnPsp(4), T=4, shape=(1, 8, 8), seed=15),
    dict(name="onnx-plif-mpbn-element", build=fm.PlifElement, T=4, shape=(1, 8, 8), seed=16, tweak=tweak_plif_element),
    dict(name="onnx-residual", build=fm.Residual, T=4, shape=(2, 8, 8), seed=17),
    dict(name="onnx-tfjs-pair", build=fm.Pair, T=4, shape=(2, 8, 8), seed=18, tfjs=True),
]


def hwc(t: torch.Tensor) -> torch.Tensor:
    """[T, C, H, W] → [T, H*W*C] in H, W, C order; [T, F] unchanged."""
    return t.permute(0, 2, 3, 1).reshape(t.shape[0], -1) if t.dim() == 4 else t


def ir_shape(t: torch.Tensor) -> list:
    s = list(t.shape[1:])
    return [s[1], s[2], s[0]] if len(s) == 3 else s


def raster(step: torch.Tensor) -> list:
    out = []
    for i, n in enumerate(step.tolist()):
        out.extend([i] * int(n))
    return out


def has_bn(model) -> bool:
    return any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)) for m in model.modules())


def build(fx):
    torch.manual_seed(fx["seed"])
    model = fx["build"]()
    fm.randomize_norms(model)
    if "tweak" in fx:
        fx["tweak"](model)
    model.eval()
    g = torch.Generator().manual_seed(fx["seed"])
    x = torch.randint(-64, 64, (1, *fx["shape"]), generator=g).float() / 32
    return model, x


def check_float64(name, model, x, rec, T):
    rec64 = run(copy.deepcopy(model).double(), x.double(), T)
    for layer, s in rec.spikes.items():
        d = (s.double() != rec64.spikes[layer]).sum().item()
        if d:
            raise SystemExit(f"{name}: layer {layer}: {d} spikes differ between float32 and float64; change the seed")


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def expected(model, rec, T, models):
    ops = {n: type(m).onnx_op for n, m in model.named_modules() if isinstance(m, _Neuron)}
    layers, currents = [], []
    for name, s in rec.spikes.items():
        node = f"{name.replace('.', '/')}/{ops[name]}"
        flat = hwc(s)
        layers.append(
            dict(
                module=name,
                node=node,
                shape=ir_shape(s),
                spikes_per_step=[int(v) for v in flat.sum(1).tolist()],
                raster=[raster(step) for step in flat],
            )
        )
        cur = hwc(rec.currents[name]).contiguous().numpy().astype("<f4").tobytes()
        currents.append(dict(node=node, shape=ir_shape(s), f32=base64.b64encode(cur).decode()))
    (readout,) = rec.readouts.values()
    return dict(
        timesteps=T,
        torch=torch.__version__,
        models=models,
        readout=[float(v) for v in readout.reshape(-1).tolist()],
        layers=layers,
        currents=currents,
    )


def main(names):
    for fx in FIXTURES:
        if names and fx["name"] not in names:
            continue
        model, x = build(fx)
        T = fx["T"]
        rec = run(model, x, T)
        check_float64(fx["name"], model, x, rec, T)
        out = os.path.join(ROOT, "fixtures", fx["name"])
        os.makedirs(out, exist_ok=True)
        models = ["model.onnx"]
        export(model, x, os.path.join(out, "model.onnx"), T)
        if has_bn(model):
            export(model, x, os.path.join(out, "model-bn.onnx"), T, fold_bn=False)
            models.append("model-bn.onnx")
        write_json(os.path.join(out, "input.json"), x[0].permute(1, 2, 0).tolist())
        write_json(os.path.join(out, "expected.json"), expected(model, rec, T, models))
        if fx.get("tfjs"):
            import tfjs_writer

            tfjs_writer.write_pair(model, fx["shape"], T, os.path.join(out, "tfjs"))
        rates = ", ".join(
            f"{n} {s.sum().item() / s.numel() / (len(m.deltas) + 1):.2f}"
            for (n, s), m in zip(rec.spikes.items(), [dict(model.named_modules())[k] for k in rec.spikes])
        )
        print(f"{fx['name']}: firing rates {rates}")


if __name__ == "__main__":
    main(sys.argv[1:])
