"""The one bridge to ONNX: an autograd Function whose `symbolic` writes an `ai.snnc` node.

Every snnc module calls `snnc_node(...)` from `forward` while `torch.onnx.export` traces it, so
plain `torch.onnx.export(..., custom_opsets={"ai.snnc": 1})` writes the node with the attributes
and the input order of snnc's ONNX contract (docs/FORMATS.md §2). Outside export the modules
compute their inference equations with ordinary torch operations.
"""

from __future__ import annotations

import torch
from torch.onnx import symbolic_helper

DOMAIN = "ai.snnc"
DOMAIN_VERSION = 1


def f32(x: float) -> float:
    """The float32 value nearest to x (what an ONNX float attribute can hold)."""
    return float(torch.tensor(float(x), dtype=torch.float32).item())


def _attr_kwargs(attrs: dict) -> dict:
    """{name: value} → torch's typed keyword form (name_f, name_i, name_s)."""
    out = {}
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[f"{name}_i"] = int(value)
        elif isinstance(value, int):
            out[f"{name}_i"] = value
        elif isinstance(value, float):
            out[f"{name}_f"] = value
        elif isinstance(value, str):
            out[f"{name}_s"] = value
        elif isinstance(value, (list, tuple)):
            out[f"{name}_f"] = [float(v) for v in value]
        else:
            raise TypeError(f"attribute {name}: unsupported value {value!r}")
    return out


class _SnncNode(torch.autograd.Function):
    """Export-time stand-in: forward returns a tensor of the output's shape, symbolic the node."""

    @staticmethod
    def forward(ctx, x, op, attrs, *params):  # noqa: ARG004 - signature fixed by torch
        return x.clone()

    @staticmethod
    def symbolic(g, x, op, attrs, *params):
        inputs = [x]
        for p in params:
            inputs.append(symbolic_helper._optional_input_placeholder_tensor(g) if p is None else p)
        out = g.op(f"{DOMAIN}::{op}", *inputs, **_attr_kwargs(attrs))
        out.setType(x.type())
        return out


def exporting() -> bool:
    return torch.onnx.is_in_onnx_export()


def snnc_node(op: str, x: torch.Tensor, attrs: dict, params: list) -> torch.Tensor:
    """Record `op` for the ONNX exporter. `params` are tensors or None (absent optional inputs)."""
    while params and params[-1] is None:
        params = params[:-1]
    return _SnncNode.apply(x, op, attrs, *params)
