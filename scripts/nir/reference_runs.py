"""Independent reference runs of NIR files (NIR's own reader, torch/numpy in NIR's channels-first layout).

The discrete-time semantics are those snnc documents for NIR (forward Euler at dt, recurrent edges one
step late, hard reset to v_reset, fire on v > v_threshold). Writes <name>.reference.json next to each
output. Needs NIR's Python package (on PYTHONPATH), numpy and torch.
Usage: reference_runs.py OUT_DIR FILE.nir:STEPS...
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import nir

DT = 1e-4


def pattern(T, shape):
    """The deterministic 0/1 input both sides compute: x[t, i...] from the flat channels-first index."""
    n = int(np.prod(shape))
    t = np.arange(T)[:, None]
    i = np.arange(n)[None, :]
    return (((t * 7 + i * 3) % 11) < 3).astype(np.float64).reshape((T, *shape))


def as64(a):
    return np.asarray(a, dtype=np.float64)


class Runner:
    def __init__(self, g):
        self.g = g
        self.state = {}
        self.prev = {}  # outputs of the previous step (for recurrent edges)
        self.inputs = {k: [a for a, b in g.edges if b == k] for k in g.nodes}
        self.order = self.topo()

    def is_neuron(self, k):
        return isinstance(self.g.nodes[k], (nir.LIF, nir.IF, nir.CubaLIF))

    def topo(self):
        # Edges out of a neuron that close a cycle carry the previous step; find them by DFS from the input.
        start = [k for k, n in self.g.nodes.items() if isinstance(n, nir.Input)][0]
        self.back = set()
        out = {k: [b for a, b in self.g.edges if a == k] for k in self.g.nodes}
        on, done = [], set()

        def dfs(u):
            on.append(u)
            for v in out[u]:
                if v in on:
                    cyc = on[on.index(v):]
                    last = [c for c in cyc if self.is_neuron(c)][-1]
                    nxt = (cyc + [v])[cyc.index(last) + 1]
                    self.back.add((last, nxt))
                elif v not in done:
                    dfs(v)
            on.pop()
            done.add(u)

        dfs(start)
        order, seen = [], set()
        while len(order) < len(self.g.nodes):
            for k in self.g.nodes:
                if k in seen:
                    continue
                if all(a in seen or (a, k) in self.back for a in self.inputs[k]):
                    order.append(k)
                    seen.add(k)
        return order

    def step(self, x):
        val = {}
        for k in self.order:
            n = self.g.nodes[k]
            ins = [self.prev.get(a, np.zeros(np.shape(self.g.nodes[a].v_threshold))) if (a, k) in self.back else val[a]
                   for a in self.inputs[k]]
            u = sum(ins) if ins else None
            if isinstance(n, nir.Input):
                y = x
            elif isinstance(n, nir.Output):
                y = u
            elif isinstance(n, nir.Affine):
                y = as64(n.weight) @ u + as64(n.bias)
            elif isinstance(n, nir.Linear):
                y = as64(n.weight) @ u
            elif isinstance(n, nir.Conv2d):
                y = F.conv2d(torch.from_numpy(u)[None], torch.from_numpy(as64(n.weight)), torch.from_numpy(as64(n.bias)),
                             stride=tuple(n.stride), padding=tuple(n.padding), dilation=tuple(n.dilation),
                             groups=int(n.groups))[0].numpy()
            elif isinstance(n, nir.SumPool2d):
                k2 = int(np.prod(n.kernel_size))
                y = F.avg_pool2d(torch.from_numpy(u)[None], tuple(n.kernel_size), tuple(n.stride), tuple(n.padding),
                                 count_include_pad=True)[0].numpy() * k2
            elif isinstance(n, nir.Flatten):
                y = u.reshape(-1)
            elif isinstance(n, nir.IF):
                v = self.state.get(k, np.zeros_like(u)) + as64(n.r) * u
                y = (v > as64(n.v_threshold)).astype(np.float64)
                self.state[k] = np.where(y > 0, as64(n.v_reset), v)
            elif isinstance(n, nir.LIF):
                a = DT / as64(n.tau)
                v = (1 - a) * self.state.get(k, np.zeros_like(u)) + a * (as64(n.r) * u + as64(n.v_leak))
                y = (v > as64(n.v_threshold)).astype(np.float64)
                self.state[k] = np.where(y > 0, as64(n.v_reset), v)
            elif isinstance(n, nir.CubaLIF):
                i0, v0 = self.state.get(k, (np.zeros_like(u), np.zeros_like(u)))
                a_s, a_m = DT / as64(n.tau_syn), DT / as64(n.tau_mem)
                i1 = (1 - a_s) * i0 + a_s * as64(n.w_in) * u
                v = (1 - a_m) * v0 + a_m * (as64(n.v_leak) + as64(n.r) * i1)
                y = (v > as64(n.v_threshold)).astype(np.float64)
                self.state[k] = (i1, np.where(y > 0, as64(n.v_reset), v))
            else:
                raise TypeError(type(n).__name__)
            val[k] = y
        self.prev = val
        return val


def run(path, T):
    g = nir.read(path)
    r = Runner(g)
    inp = [n for n in g.nodes.values() if isinstance(n, nir.Input)][0]
    shape = tuple(int(s) for s in inp.input_type["input"])
    xs = pattern(T, shape)
    layers = {k: [] for k in r.order if r.is_neuron(k)}
    for t in range(T):
        val = r.step(xs[t])
        for k in layers:
            layers[k].append([int(i) for i in np.flatnonzero(val[k])])
    return {"file": os.path.basename(path), "dt": DT, "timesteps": T, "input": "pattern: ((7t + 3i) mod 11) < 3, i the channels-first flat index",
            "layers": layers}


if __name__ == "__main__":
    out = sys.argv[1]
    for arg in sys.argv[2:]:
        p, steps = arg.rsplit(":", 1)
        res = run(p, int(steps))
        name = os.path.basename(p).replace(".nir", ".reference.json")
        with open(os.path.join(out, name), "w") as f:
            json.dump(res, f, separators=(",", ":"))
        print(name, {k: sum(len(s) for s in v) for k, v in res["layers"].items()})
