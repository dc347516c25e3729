#!/usr/bin/python3
"""Build snnc's network.lava.json as a graph of Lava processes (LIFReset, Dense, DelayDense, Conv),
run it on Lava's fixed_pt models and compare every population's spikes, u and v at every step
with snnc's integer simulator (check.json from export.ts --lava-graph).

Usage: run_lava_graph_check.py OUT_DIR      (OUT_DIR holds network.lava.json and check.json)
A conv synapse with a delay (Lava's Conv has none) is built as a DelayDense whose matrix is
Lava's own expansion of the conv (lava.proc.conv.utils.conv_to_sparse). A one-to-one ("diagonal")
synapse is a Dense of diag(values); a self-recurrent one connects a LIF's s_out back to its own
a_in through that Dense. A population's initial voltage `v` (pulse neurons, state offsets) is
LIFReset's own `v` argument.
Prints one JSON object; exit 0 when everything matches.
"""
import hashlib
import json
import os
import sys

import lava_compat  # noqa: F401  (py3.11 shim + source paths)
import numpy as np


def expand(value, shape):
    """bias_mant as written: a number, {"perChannel": [...]} or {"perNeuron": [...]} (Lava order)."""
    if isinstance(value, (int, float)):
        return np.full(shape, value, dtype=np.int32)
    if "perChannel" in value:
        return np.broadcast_to(np.array(value["perChannel"], dtype=np.int32), shape).copy()
    return np.array(value["perNeuron"], dtype=np.int32).reshape(shape)


def vectors(spikes, u, v):
    """Lava's own run, compactly: the raster (indices that spiked per step) and SHA-256 of u and v."""
    h = lambda x: hashlib.sha256(json.dumps(x, separators=(",", ":")).encode()).hexdigest()  # noqa: E731
    return {"raster": [[j for j, s in enumerate(row) if s] for row in spikes], "u_sha256": h(u), "v_sha256": h(v)}


def main(out_dir):
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.conv import utils as conv_utils
    from lava.proc.conv.process import Conv
    from lava.proc.dense.process import DelayDense, Dense
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source
    from lava.proc.lif.process import LIFReset

    with open(os.path.join(out_dir, "network.lava.json")) as f:
        g = json.load(f)
    with open(os.path.join(out_dir, "check.json")) as f:
        chk = json.load(f)
    T = chk["steps"]  # runSteps, or 2·runSteps for two samples back to back
    inp = g["input"]
    in_shape = tuple(inp["shape"])
    n_in = int(np.prod(in_shape))
    data = np.zeros((n_in, T), dtype=np.int32)
    cols = np.array(chk["input"], dtype=np.int32)
    data[:, : len(cols)] = cols.T
    src = Source(data=data.reshape(in_shape + (T,)))
    pops = {}
    for p in g["populations"]:
        shape = tuple(p["shape"])
        init = {"v": expand(p["v"], shape) if isinstance(p["v"], (int, float)) else expand({"perNeuron": p["v"]}, shape)} if "v" in p else {}
        pops[p["id"]] = LIFReset(shape=shape, du=p["du"], dv=p["dv"], vth=p["vth"],
                                 bias_mant=expand(p["bias_mant"], shape), bias_exp=p["bias_exp"],
                                 reset_interval=p["reset_interval"], reset_offset=p["reset_offset"], **init)
    shapes = {inp["id"]: in_shape, **{p["id"]: tuple(p["shape"]) for p in g["populations"]}}
    ports = {inp["id"]: src.s_out, **{k: v.s_out for k, v in pops.items()}}
    built = []
    for c in g["connections"]:
        sshape, tshape = shapes[c["from"]], shapes[c["to"]]
        if c["kind"] == "conv":
            w = np.array(c["weight"]["data"], dtype=np.int32).reshape(c["weight"]["shape"])
            if c["padding"] is None:
                raise SystemExit(f"{c['id']}: asymmetric padding has no Lava Conv form")
            if c["delay"] == 0:
                syn = Conv(weight=w, input_shape=sshape, padding=tuple(c["padding"]), stride=tuple(c["stride"]),
                           dilation=tuple(c["dilation"]), groups=c["groups"], num_message_bits=c["num_message_bits"])
                ports[c["from"]].connect(syn.s_in)
                syn.a_out.connect(pops[c["to"]].a_in)
                built.append((c["id"], "Conv"))
                continue
            dst, srcs, wts = conv_utils.conv_to_sparse(sshape, tuple(c["output_shape"]), w, tuple(c["stride"]),
                                                       tuple(c["padding"]), tuple(c["dilation"]), c["groups"])
            W = np.zeros((int(np.prod(tshape)), int(np.prod(sshape))), dtype=np.int32)
            np.add.at(W, (dst, srcs), wts)
            form = "DelayDense (conv expanded by conv_to_sparse)"
            exp, nwb = 0, 9
        elif c["kind"] == "diagonal":
            W = np.diag(np.array(c["weights"]["diagonal"], dtype=np.int32))
            form = ("DelayDense" if c["delay"] else "Dense") + " of a diagonal matrix" + (" (self-recurrent)" if c["from"] == c["to"] else "")
            exp, nwb = c["weight_exp"], c["num_weight_bits"]
        else:
            W = np.array(c["weights"]["data"], dtype=np.int32).reshape(c["weights"]["shape"])
            form = "DelayDense" if c["delay"] else "Dense"
            exp, nwb = c["weight_exp"], c["num_weight_bits"]
        if c["delay"]:
            syn = DelayDense(weights=W, delays=np.full(W.shape, c["delay"], dtype=int), max_delay=c["delay"],
                             weight_exp=exp, num_weight_bits=nwb, num_message_bits=c["num_message_bits"])
        else:
            syn = Dense(weights=W, weight_exp=exp, num_weight_bits=nwb, num_message_bits=c["num_message_bits"])
        (ports[c["from"]].flatten() if len(sshape) > 1 else ports[c["from"]]).connect(syn.s_in)
        (syn.a_out.reshape(tshape) if len(tshape) > 1 else syn.a_out).connect(pops[c["to"]].a_in)
        built.append((c["id"], form))
    sinks = {}
    for pid, proc in pops.items():
        s = Sink(shape=proc.s_out.shape, buffer=T)
        proc.s_out.connect(s.a_in)
        sinks[pid] = s
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    first = next(iter(pops.values()))
    us = {k: [] for k in pops}
    vs = {k: [] for k in pops}
    try:
        for _ in range(T):
            first.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
            for k, proc in pops.items():
                us[k].append(proc.u.get().astype(np.int64).reshape(-1).tolist())
                vs[k].append(proc.v.get().astype(np.int64).reshape(-1).tolist())
        spikes = {k: s.data.get() for k, s in sinks.items()}
    finally:
        first.stop()
    ok = True
    rep = {"model": chk["model"], "steps": T, "synapses": built, "populations": []}
    for want in chk["layers"]:
        k = want["id"]
        sp = spikes[k].reshape(-1, T).T.astype(int).tolist()
        r = {"id": k, "neurons": len(want["spikes"][0]), "spikes_lava": int(np.sum(sp)), "spikes_snnc": int(np.sum(want["spikes"])),
             "spikes_equal": sp == want["spikes"], "u_equal": us[k] == want["u"], "v_equal": vs[k] == want["v"],
             "lava": vectors(sp, us[k], vs[k])}
        if not (r["spikes_equal"] and r["u_equal"] and r["v_equal"]):
            ok = False
            for name, got, exp_ in (("u", us[k], want["u"]), ("v", vs[k], want["v"]), ("spikes", sp, want["spikes"])):
                for t in range(T):
                    if got[t] != exp_[t]:
                        j = next(i for i in range(len(exp_[t])) if got[t][i] != exp_[t][i])
                        r.setdefault("first_difference", f"{name} at step {t + 1}, neuron {j}: lava {got[t][j]}, snnc {exp_[t][j]}")
                        break
        rep["populations"].append(r)
    rep["match"] = ok
    print(json.dumps(rep))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
