"""Writes fixture_models.Pair as a TF.js layers-model (model.json + weights.bin) with the same
float32 weights as its ONNX export: conv kernels OIHW → HWIO, Linear weights [out, in] → [in, out],
and the first Linear's rows reordered from PyTorch's C,H,W flatten to Keras's H,W,C flatten."""

from __future__ import annotations

import json
import os

import torch


def _layer(cls, name, **config):
    return {"class_name": cls, "config": {"name": name, "trainable": True, **config}}


def write_pair(model, shape, timesteps, out_dir):
    C, H, W = shape
    m = model
    c1 = m.conv1.out_channels
    ph, pw = H // 2, W // 2
    fc1 = m.fc1.weight.detach()  # [8, c1*ph*pw], features in (c, h, w) order
    fc1_hwc = fc1.reshape(-1, c1, ph, pw).permute(2, 3, 1, 0).reshape(ph * pw * c1, -1)
    weights = [
        ("conv1/kernel", m.conv1.weight.detach().permute(2, 3, 1, 0)),
        ("conv1/bias", m.conv1.bias.detach()),
        ("bn1/gamma", m.bn1.weight.detach()),
        ("bn1/beta", m.bn1.bias.detach()),
        ("bn1/moving_mean", m.bn1.running_mean),
        ("bn1/moving_variance", m.bn1.running_var),
        ("lif1/mpbn_gamma", m.lif1.mpbn.weight.detach()),
        ("lif1/mpbn_beta", m.lif1.mpbn.bias.detach()),
        ("lif1/mpbn_moving_mean", m.lif1.mpbn.running_mean),
        ("lif1/mpbn_moving_variance", m.lif1.mpbn.running_var),
        ("fc1/kernel", fc1_hwc),
        ("fc1/bias", m.fc1.bias.detach()),
        ("fc2/kernel", m.fc2.weight.detach().t()),
        ("fc2/bias", m.fc2.bias.detach()),
    ]
    f32 = lambda v: float(torch.tensor(v, dtype=torch.float32).item())  # noqa: E731
    layers = [
        _layer("InputLayer", "input", batch_input_shape=[None, H, W, C], dtype="float32", sparse=False),
        _layer(
            "Conv2D",
            "conv1",
            filters=c1,
            kernel_size=[3, 3],
            strides=[1, 1],
            padding="same",
            data_format="channels_last",
            dilation_rate=[1, 1],
            groups=1,
            activation="linear",
            use_bias=True,
        ),
        _layer("BatchNormalization", "bn1", axis=-1, epsilon=f32(m.bn1.eps), center=True, scale=True),
        _layer(
            "LIF",
            "lif1",
            tau=m.lif1.tau,
            v_threshold=m.lif1.v_threshold,
            mpbn={"mode": "channel", "epsilon": m.lif1.mpbn.eps},
        ),
        _layer("AveragePooling2D", "pool", pool_size=[2, 2], strides=[2, 2], padding="valid"),
        _layer("Flatten", "flatten"),
        _layer("Dense", "fc1", units=m.fc1.out_features, activation="linear", use_bias=True),
        _layer("LIF", "lif2", tau=m.lif2.tau, v_threshold=m.lif2.v_threshold, reset=m.lif2.reset),
        _layer("Dense", "fc2", units=m.fc2.out_features, activation="linear", use_bias=True),
        _layer("Readout", "readout", mode=m.readout.mode),
    ]
    os.makedirs(out_dir, exist_ok=True)
    blob = b"".join(t.contiguous().numpy().astype("<f4").tobytes() for _, t in weights)
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        f.write(blob)
    manifest = [{"name": n, "shape": list(t.shape), "dtype": "float32"} for n, t in weights]
    doc = {
        "format": "layers-model",
        "generatedBy": "snnc python/export_fixtures.py",
        "convertedBy": None,
        "modelTopology": {"class_name": "Sequential", "config": {"name": "onnx_tfjs_pair", "layers": layers}},
        "weightsManifest": [{"paths": ["weights.bin"], "weights": manifest}],
        "userDefinedMetadata": {"snn": {"timesteps": timesteps, "encoding": "direct"}},
    }
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
