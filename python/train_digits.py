#!/usr/bin/env python3
"""Trains the digit classifiers of fixtures/digits-*/ and writes what snnc evaluates.

    /usr/bin/python3 python/train_digits.py [fixture-name ...]      (from the repository root)

Data: fixtures/data/digits.csv.gz; the first 1437 rows train, the last 360 test (python/digits_train/data.py).
Training: surrogate gradients (snnc_torch's sigmoid step), Adam with a cosine schedule, cross-entropy
on the readout, fixed seeds, one thread. Each folder gets
    model.onnx      the trained network exported by torch.onnx.export (snnc_torch.export); BN kept as
                    a node (fold_bn=False) so that snnc folds it
    input.json      the first test sample ([H][W][C])
    expected.json   what PyTorch computed on it (export_fixtures.py's form: spikes per layer, currents)
    torch.json      the split, the training settings, PyTorch's test accuracy (float32 and float64)
                    and its float64 prediction for every test sample, in order
The trained network's eval-mode forward (multi-step, float32) and the exported one-step snnc_torch
network must predict the same class on every test sample; the script stops otherwise.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from digits_train import data, models  # noqa: E402
from digits_train.early_exit import GAMMA_FLOOR, clamp_gamma, gamma_decay_loss, mean_gamma  # noqa: E402
from export_fixtures import expected, write_json  # noqa: E402
from snnc_torch import export, run  # noqa: E402

ROOT = os.path.dirname(HERE)

FIXTURES = [
    dict(name="digits-conv-bn-mpbn", build=models.conv_bn_mpbn, T=4, seed=1, fold_bn=False),
    dict(name="digits-tdbn-mt", build=models.tdbn_mt, T=4, seed=2),
    dict(name="digits-bntt-soft", build=models.bntt_soft, T=8, seed=3, gamma_decay=2e-2),
    dict(name="digits-tab", build=models.tab, T=4, seed=4),
    dict(name="digits-plif-mpbn-element", build=models.plif_mpbn_element, T=4, seed=5),
    dict(name="digits-psp-bn", build=models.psp_bn, T=4, seed=6),
]
EPOCHS = 40
BATCH = 32
LR = 5e-3


def steps(x: torch.Tensor, T: int) -> torch.Tensor:
    """Direct encoding: the image at every step, [T, N, C, H, W]."""
    return x.unsqueeze(0).expand(T, *x.shape)


def train(model: nn.Module, x, y, fx) -> list:
    torch.manual_seed(fx["seed"])
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    g = torch.Generator().manual_seed(fx["seed"])
    history = []
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total, correct = 0.0, 0
        for i in range(0, len(x), BATCH):
            idx = perm[i : i + BATCH]
            out = model(steps(x[idx], fx["T"]))
            loss = nn.functional.cross_entropy(out, y[idx])
            if fx.get("gamma_decay"):
                loss = loss + fx["gamma_decay"] * gamma_decay_loss(model)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if fx.get("gamma_decay"):
                clamp_gamma(model)
            total += loss.item() * len(idx)
            correct += (out.argmax(1) == y[idx]).sum().item()
        sched.step()
        history.append((total / len(x), correct / len(x)))
    return history


def predict_trained(model: nn.Module, x, T: int) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(steps(x, T)).argmax(1)


def readouts_snnc(net: nn.Module, x, T: int, dtype) -> torch.Tensor:
    """The exported one-step network run over T steps on the whole batch: its readout [N, classes]."""
    n = copy.deepcopy(net).to(dtype)
    rec = run(n, x.to(dtype), T)
    (r,) = rec.readouts.values()
    return r


def main(names):
    x, y = data.load()
    (xtr, ytr), (xte, yte) = data.split(x, y)
    torch.set_num_threads(1)
    for fx in FIXTURES:
        if names and fx["name"] not in names:
            continue
        T = fx["T"]
        torch.manual_seed(fx["seed"])
        model = fx["build"](T)
        t0 = time.time()
        history = train(model, xtr, ytr, fx)
        seconds = time.time() - t0
        trained = predict_trained(model, xte, T)
        net = models.to_snnc(model)
        pred32 = readouts_snnc(net, xte, T, torch.float32).argmax(1)
        pred64 = readouts_snnc(net, xte, T, torch.float64).argmax(1)
        differ = (trained != pred32).sum().item()
        if differ:
            raise SystemExit(f"{fx['name']}: the exported network predicts {differ} test samples differently")
        acc32 = (pred32 == yte).float().mean().item()
        acc64 = (pred64 == yte).float().mean().item()
        out = os.path.join(ROOT, "fixtures", fx["name"])
        os.makedirs(out, exist_ok=True)
        sample = xte[:1]
        export(net, sample, os.path.join(out, "model.onnx"), T, fold_bn=fx.get("fold_bn", True))
        write_json(os.path.join(out, "input.json"), sample[0].permute(1, 2, 0).tolist())
        rec = run(copy.deepcopy(net).double(), sample.double(), T)
        write_json(os.path.join(out, "expected.json"), expected(net, rec, T, ["model.onnx"]))
        write_json(
            os.path.join(out, "torch.json"),
            dict(
                data="fixtures/data/digits.csv.gz",
                split=dict(train=[0, data.TRAIN_ROWS], test=[data.TRAIN_ROWS, data.ROWS]),
                input_scale="pixel / 16",
                timesteps=T,
                training=dict(
                    epochs=EPOCHS,
                    batch=BATCH,
                    optimizer="Adam",
                    lr=LR,
                    schedule="cosine",
                    seed=fx["seed"],
                    gamma_decay=fx.get("gamma_decay", 0),
                    **({"gamma_floor": GAMMA_FLOOR} if fx.get("gamma_decay") else {}),
                    final_train_loss=round(history[-1][0], 4),
                    final_train_accuracy=round(history[-1][1], 4),
                ),
                torch=torch.__version__,
                test_accuracy_float32=round(acc32, 6),
                test_accuracy_float64=round(acc64, 6),
                predictions_float64=[int(v) for v in pred64.tolist()],
                **({"bntt_mean_gamma": mean_gamma(net)} if mean_gamma(net) else {}),
            ),
        )
        print(
            f"{fx['name']}: {seconds:.0f} s, train acc {history[-1][1]:.4f}, test acc f32 {acc32:.4f} f64 {acc64:.4f}"
            f" ({(pred32 != pred64).sum().item()} f32/f64 prediction differences)"
        )
        for layer, gammas in mean_gamma(net).items():
            print(f"  {layer}: mean γ_t {gammas}")


if __name__ == "__main__":
    main(sys.argv[1:])
