#!/usr/bin/python3
"""Run an snnc network.net in Lava (lava-dl netx + Lava's fixed_pt process models) and compare
every layer's spikes, u and v at every step with snnc's integer simulator (check.json from
export.ts).

Usage: run_netx_check.py OUT_DIR            (OUT_DIR holds network.net and check.json)
Needs the lava-check environment: PYTHONPATH with lava_compat.py (it puts the Lava, lava-dl
and NIR sources on sys.path). Prints one JSON object; exit 0 when everything matches.
"""
import contextlib
import hashlib
import json
import os
import sys

import lava_compat  # noqa: F401  (py3.11 shim + source paths)
import numpy as np


def vectors(spikes, u, v):
    """Lava's own run, compactly: the raster (indices that spiked per step) and SHA-256 of u and v."""
    h = lambda x: hashlib.sha256(json.dumps(x, separators=(",", ":")).encode()).hexdigest()  # noqa: E731
    return {"raster": [[j for j, s in enumerate(row) if s] for row in spikes], "u_sha256": h(u), "v_sha256": h(v)}


def main(out_dir):
    with open(os.path.join(out_dir, "check.json")) as f:
        chk = json.load(f)
    with contextlib.redirect_stdout(sys.stderr):
        from lava.lib.dl import netx
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source

    args = chk["network_args"]
    with contextlib.redirect_stdout(sys.stderr):
        net = netx.hdf5.Network(net_config=os.path.join(out_dir, "network.net"), **args)
    T = chk["steps"]
    n_in = int(np.prod(net.inp.shape))
    data = np.zeros((n_in, T), dtype=np.int32)
    cols = np.array(chk["input"], dtype=np.int32)  # (T_in, n_in), column t arrives at step t+1
    data[:, : len(cols)] = cols.T
    src = Source(data=data.reshape(tuple(net.inp.shape) + (T,)))
    src.s_out.connect(net.inp)
    sinks = []
    for layer in net.layers:
        s = Sink(shape=layer.out.shape, buffer=T)
        layer.out.connect(s.a_in)
        sinks.append(s)
    cfg = Loihi2SimCfg(select_tag="fixed_pt", select_sub_proc_model=True)
    us = [[] for _ in net.layers]
    vs = [[] for _ in net.layers]
    try:
        for _ in range(T):
            net.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
            for i, layer in enumerate(net.layers):
                us[i].append(layer.neuron.u.get().astype(np.int64).reshape(-1).tolist())
                vs[i].append(layer.neuron.v.get().astype(np.int64).reshape(-1).tolist())
        spikes = [s.data.get() for s in sinks]
        procs = [type(layer.neuron).__name__ for layer in net.layers]
    finally:
        net.stop()
    rep = {"model": chk["model"], "steps": T, "network_args": args, "layers": []}
    ok = len(net.layers) == len(chk["layers"])
    for i, want in enumerate(chk["layers"]):
        sp = spikes[i].reshape(-1, T).T.astype(int).tolist()
        r = {
            "id": want["id"],
            "lava_block": net.layers[i].block,
            "lava_neuron": procs[i],
            "neurons": len(want["spikes"][0]),
            "spikes_lava": int(np.sum(sp)),
            "spikes_snnc": int(np.sum(want["spikes"])),
            "spikes_equal": sp == want["spikes"],
            "u_equal": us[i] == want["u"],
            "v_equal": vs[i] == want["v"],
            "lava": vectors(sp, us[i], vs[i]),
        }
        if not (r["spikes_equal"] and r["u_equal"] and r["v_equal"]):
            ok = False
            for name, got, exp in (("u", us[i], want["u"]), ("v", vs[i], want["v"]), ("spikes", sp, want["spikes"])):
                for t in range(T):
                    if got[t] != exp[t]:
                        j = next(k for k in range(len(exp[t])) if got[t][k] != exp[t][k])
                        r.setdefault("first_difference", f"{name} at step {t + 1}, neuron {j}: lava {got[t][j]}, snnc {exp[t][j]}")
                        break
        rep["layers"].append(r)
    rep["match"] = bool(ok)
    print(json.dumps(rep))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
