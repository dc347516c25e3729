"""`export()`: torch.onnx.export with the ai.snnc domain, then snnc's model metadata."""

from __future__ import annotations

import warnings

import torch
from torch import nn

from ._onnx_op import DOMAIN, DOMAIN_VERSION
from .run import reset_state


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def add_metadata(path: str, props: dict) -> None:
    """Append ModelProto.metadata_props entries (field 14) to an .onnx file.

    A protobuf parser merges fields appended to a message, so this needs no onnx package.
    """
    blob = b"".join(
        _field(14, _field(1, str(k).encode()) + _field(2, str(v).encode())) for k, v in props.items()
    )
    with open(path, "ab") as f:
        f.write(blob)


def export(
    model: nn.Module,
    example_input: torch.Tensor,
    path: str,
    timesteps: int,
    encoding: str = "direct",
    fold_bn: bool = True,
    opset_version: int = 13,
    **kwargs,
) -> None:
    """Export one time step of `model` to `path` for snnc.

    fold_bn=True is torch's default eval export (Conv+BatchNorm fused into the conv weights);
    fold_bn=False keeps BatchNormalization as a node (no constant folding, TrainingMode.PRESERVE
    on a model in eval mode). Metadata `snn.timesteps` / `snn.encoding` are added.
    """
    if encoding not in ("direct", "spikes"):
        raise ValueError(f"encoding must be 'direct' or 'spikes', got {encoding!r}")
    model.eval()
    reset_state(model)
    opts = dict(opset_version=opset_version, custom_opsets={DOMAIN: DOMAIN_VERSION})
    if not fold_bn:
        opts.update(do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    opts["input_names"] = ["input"]
    opts.update(kwargs)
    with warnings.catch_warnings():
        # ai.snnc nodes carry their output type (set in the symbolic), and absent optional inputs
        # are torch's placeholder constant; torch reports both anyway.
        warnings.filterwarnings("ignore", message=r"The shape inference of (ai\.snnc::|prim::Constant )")
        warnings.filterwarnings("ignore", message=r".*_graph_op' is deprecated")
        torch.onnx.export(model, example_input, path, **opts)
    reset_state(model)
    add_metadata(path, {"snn.timesteps": int(timesteps), "snn.encoding": encoding})
