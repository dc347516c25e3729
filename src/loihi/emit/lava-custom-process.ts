/**
 * snnc_lava_processes.py: snnc's own Lava process, written next to network.lava.json when the
 * network has a population no open Lava process expresses (docs/LOIHI-SEEDS.md §3): a Python
 * `AbstractProcess` and its fixed-point `PyLoihiProcessModel` (tag "fixed_pt", so
 * `Loihi2SimCfg(select_tag="fixed_pt")` picks it), whose arithmetic is the one
 * src/loihi/sim/multi-threshold-fixed.ts computes. The text is fixed: the same for every network.
 */

export const CUSTOM_PROCESS_FILE = "snnc_lava_processes.py";

const SOURCE = `"""Lava processes written by snnc for what no open Lava process expresses exactly.

MultiThresholdLIF: one CUBA LIF membrane, updated with the arithmetic of Lava's bit-accurate LIF
with a periodic reset (u, v 24 bit; decays by (4096 - d)/4096 truncated toward zero; the current
wrapped, the voltage saturated), compared with n + 1 thresholds in the same step, each one per
neuron in voltage units. thresholds[0] decides the reset (to reset_value, or a subtraction of
reset_amount); thresholds[1..n] never reset. The output is the number of thresholds exceeded,
sent as a graded spike (0/1 with one threshold).

Written by snnc next to network.lava.json (snnc's docs/LOIHI-SEEDS.md explains why the open
processes cannot do this). Run with Loihi2SimCfg(select_tag="fixed_pt"); on Loihi hardware these
populations need a neuron program of their own.
"""
import numpy as np

from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

HALF = 1 << 23


class MultiThresholdLIF(AbstractProcess):
    """LIF neurons with several thresholds on one membrane (fixed point).

    u = trunc(u * (4096 - du - 1) / 4096) + (a_in << 6), wrapped once to 24 bits
    v = trunc(v * (4096 - dv) / 4096) + u + (bias_mant << bias_exp), saturated to +-(2^23 - 1)
    s_k = v > thresholds[k] (k = 0..n);  s_out = sum_k s_k
    where s_0: v = reset_value (hard reset), or v = v - reset_amount (soft reset, when given)
    u and v are zeroed before the update of the steps = reset_offset (mod reset_interval).
    """

    def __init__(self, *, shape, du, dv, thresholds, bias_mant, bias_exp, reset_interval, reset_offset,
                 reset_value=0, reset_amount=None, name=None):
        stacked = np.stack([np.broadcast_to(np.asarray(t), shape) for t in thresholds]).astype(np.int32)
        super().__init__(shape=shape, reset_interval=reset_interval, reset_offset=reset_offset,
                         soft=reset_amount is not None, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=0)
        self.v = Var(shape=shape, init=0)
        self.du = Var(shape=(1,), init=du)
        self.dv = Var(shape=(1,), init=dv)
        self.bias_mant = Var(shape=shape, init=bias_mant)
        self.bias_exp = Var(shape=shape, init=bias_exp)
        self.thresholds = Var(shape=stacked.shape, init=stacked)
        self.reset_value = Var(shape=shape, init=reset_value)
        self.reset_amount = Var(shape=shape, init=0 if reset_amount is None else reset_amount)


@implements(proc=MultiThresholdLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyMultiThresholdLIFModelFixed(PyLoihiProcessModel):
    """Fixed-point model of MultiThresholdLIF: int64 intermediates, Lava's LIF wrap and saturation."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du: int = LavaPyType(int, np.uint16, precision=12)
    dv: int = LavaPyType(int, np.uint16, precision=12)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    thresholds: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    reset_value: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    reset_amount: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.interval = proc_params["reset_interval"]
        self.offset = proc_params["reset_offset"] % self.interval
        self.soft = proc_params["soft"]

    @staticmethod
    def _decayed(x, factor):
        p = np.asarray(x).astype(np.int64) * np.int64(factor)
        return np.sign(p) * (np.abs(p) >> 12)

    def run_spk(self):
        a = np.asarray(self.a_in.recv()).astype(np.int64)
        if self.time_step % self.interval == self.offset:
            self.u[:] = 0
            self.v[:] = 0
        u = self._decayed(self.u, 4096 - (int(self.du) + 1)) + (a << 6)
        u = ((u + (1 << 31)) % (1 << 32)) - (1 << 31)
        u = np.where(u > HALF, u - 2 * HALF, u)
        u = np.where(u <= -HALF, u + 2 * HALF, u)
        bias = self.bias_mant.astype(np.int64) << self.bias_exp.astype(np.int64)
        v = np.clip(self._decayed(self.v, 4096 - int(self.dv)) + u + bias, -(HALF - 1), HALF - 1)
        th = self.thresholds.astype(np.int64)
        s0 = v > th[0]
        out = np.zeros(v.shape, dtype=np.int32)
        for k in range(th.shape[0]):
            out += (v > th[k]).astype(np.int32)
        if self.soft:
            after = np.clip(v - self.reset_amount.astype(np.int64), -(HALF - 1), HALF - 1)
        else:
            after = self.reset_value.astype(np.int64)
        self.u[:] = u
        self.v[:] = np.where(s0, after, v)
        self.s_out.send(out)
`;

/** The text of snnc_lava_processes.py. */
export function customProcessPython(): string {
  return SOURCE;
}
