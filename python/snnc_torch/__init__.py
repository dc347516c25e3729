"""snnc_torch: PyTorch modules with snnc's SNN semantics that export to ONNX for snnc.

    from snnc_torch import LIF, MPBN, TdBN, Readout, export, run
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), LIF(tau=0.5, v_threshold=1.0,
                        mpbn=MPBN(8)), nn.Flatten(), nn.Linear(8 * 28 * 28, 10), Readout())
    rec = run(net, x, timesteps=4)           # per-layer spikes, currents, readouts
    export(net, x, "model.onnx", timesteps=4)

See python/README.md.
"""

from .neurons import IF, LIF, MPBN, PLIF, MultiThresholdLIF
from .norms import BNTT, TAB, TEBN, PSPNorm, TdBN
from .onnx_export import add_metadata, export
from .readout import Readout
from .run import Record, reset_state, run

__all__ = [
    "IF",
    "LIF",
    "MPBN",
    "PLIF",
    "MultiThresholdLIF",
    "TdBN",
    "BNTT",
    "TEBN",
    "TAB",
    "PSPNorm",
    "Readout",
    "export",
    "add_metadata",
    "run",
    "reset_state",
    "Record",
]
