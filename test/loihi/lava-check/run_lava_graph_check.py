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
A soft-reset population ("atrlif") is Lava's ATRLIF with its threshold adaptation off, zeroed each
sample by three Lava `Reset` processes (i, v, r); a population with a per-step gain gets a
ProdNeuron whose output goes straight into the neuron (its connections name the port, a_in1 or
a_in2); a "multi-threshold" population is snnc's own MultiThresholdLIF, imported from
snnc_lava_processes.py in OUT_DIR (written by snnc next to network.lava.json).
A connection in two weight planes is two entries into the same port; a conv high plane with a
`relay` reads its source through Lava's Delta (spike_exp) and Sigma, or, from the input, through a
second RingBuffer source holding the input times 2^spike_exp.
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


def vectors(spikes, u, v, r=None):
    """Lava's own run, compactly: the raster (indices that spiked per step) and SHA-256 of u and v;
    of graded outputs (above 1) and of an ATRLIF's r too."""
    h = lambda x: hashlib.sha256(json.dumps(x, separators=(",", ":")).encode()).hexdigest()  # noqa: E731
    out = {"raster": [[j for j, s in enumerate(row) if s] for row in spikes], "u_sha256": h(u), "v_sha256": h(v)}
    if any(s > 1 for row in spikes for s in row):
        out["s_sha256"] = h(spikes)
    if r is not None:
        out["r_sha256"] = h(r)
    return out


def make_population(p, shape, out_dir, resets):
    """One population as its Lava process (and, for ATRLIF, the Reset processes that zero it)."""
    from lava.proc.lif.process import LIFReset

    def initial(key):
        if key not in p:
            return {}
        x = p[key]
        return {key: expand(x, shape) if isinstance(x, (int, float)) else expand({"perNeuron": x}, shape)}

    bias = expand(p["bias_mant"], shape)
    if p["kind"] == "atrlif":
        from lava.proc.atrlif.process import ATRLIF
        from lava.proc.io.reset import Reset
        proc = ATRLIF(shape=shape, delta_i=p["du"] / 4096, delta_v=p["dv"] / 4096, delta_r=p["dr"] / 4096,
                      delta_theta=0, theta_0=p["theta_0"], theta_step=0, bias_mant=bias,
                      bias_exp=np.full(shape, p["bias_exp"]), v=p["reset"]["values"]["v"], i=0, r=0)
        for var, value in p["reset"]["values"].items():
            rp = Reset(reset_value=value, interval=p["reset"]["interval"], offset=p["reset"]["offset"])
            rp.connect_var(getattr(proc, var))
            resets.append(rp)
        return proc
    if p["kind"] == "multi-threshold":
        sys.path.insert(0, out_dir)
        from snnc_lava_processes import MultiThresholdLIF
        per = lambda q: expand({"perNeuron": q}, shape)  # noqa: E731
        resets = {k: per(p[k]) for k in ("reset_value", "reset_amount") if k in p}
        return MultiThresholdLIF(shape=shape, du=p["du"], dv=p["dv"], thresholds=[per(q) for q in p["thresholds"]],
                                 bias_mant=bias, bias_exp=np.full(shape, p["bias_exp"]),
                                 reset_interval=p["reset_interval"], reset_offset=p["reset_offset"], **resets)
    return LIFReset(shape=shape, du=p["du"], dv=p["dv"], vth=p["vth"], bias_mant=bias, bias_exp=p["bias_exp"],
                    reset_interval=p["reset_interval"], reset_offset=p["reset_offset"], **initial("v"))


def main(out_dir):
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.conv import utils as conv_utils
    from lava.proc.conv.process import Conv
    from lava.proc.dense.process import DelayDense, Dense
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source
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
    resets = []
    gains = {}
    for p in g["populations"]:
        shape = tuple(p["shape"])
        pops[p["id"]] = make_population(p, shape, out_dir, resets)
        if "gain_stage" in p:
            from lava.proc.prodneuron.process import ProdNeuron
            gains[p["id"]] = ProdNeuron(shape=shape, vth=p["gain_stage"]["vth"], exp=p["gain_stage"]["exp"])
            gains[p["id"]].s_out.connect(pops[p["id"]].a_in)
    shapes = {inp["id"]: in_shape, **{p["id"]: tuple(p["shape"]) for p in g["populations"]}}
    ports = {inp["id"]: src.s_out, **{k: v.s_out for k, v in pops.items()}}

    def target_port(c):
        """The input port a connection feeds: the neuron's a_in, or a port of its gain stage."""
        port = c.get("port", "a_in")
        return pops[c["to"]].a_in if port == "a_in" else getattr(gains[c["to"]], port)
    built = []
    relays = []

    def source_port(c):
        """The port a connection reads: its source's s_out, or a relay multiplying it by 2^spike_exp."""
        if "relay" not in c:
            return ports[c["from"]]
        k = c["relay"]["spike_exp"]
        if c["from"] == inp["id"]:
            extra = Source(data=(data << k).reshape(in_shape + (T,)))
            relays.append(extra)
            return extra.s_out
        from lava.proc.sdn.process import Delta, Sigma
        shape = shapes[c["from"]]
        d = Delta(shape=shape, vth=c["relay"]["delta"]["vth"], spike_exp=k, state_exp=0, cum_error=False)
        sg = Sigma(shape=shape)
        ports[c["from"]].connect(d.a_in)
        d.s_out.connect(sg.a_in)
        relays.extend([d, sg])
        return sg.s_out
    for c in g["connections"]:
        sshape, tshape = shapes[c["from"]], shapes[c["to"]]
        if c["kind"] == "conv":
            w = np.array(c["weight"]["data"], dtype=np.int32).reshape(c["weight"]["shape"])
            if c["padding"] is None:
                raise SystemExit(f"{c['id']}: asymmetric padding has no Lava Conv form")
            if c["delay"] == 0:
                syn = Conv(weight=w, input_shape=sshape, padding=tuple(c["padding"]), stride=tuple(c["stride"]),
                           dilation=tuple(c["dilation"]), groups=c["groups"], num_message_bits=c["num_message_bits"])
                source_port(c).connect(syn.s_in)
                syn.a_out.connect(target_port(c))
                built.append((c["id"], "Conv" + (" (relayed)" if "relay" in c else "")))
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
        sp = source_port(c)
        (sp.flatten() if len(sshape) > 1 else sp).connect(syn.s_in)
        (syn.a_out.reshape(tshape) if len(tshape) > 1 else syn.a_out).connect(target_port(c))
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
    rs = {}
    try:
        for _ in range(T):
            first.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
            for k, proc in pops.items():
                us[k].append((proc.i if hasattr(proc, "r") else proc.u).get().astype(np.int64).reshape(-1).tolist())
                vs[k].append(proc.v.get().astype(np.int64).reshape(-1).tolist())
                if hasattr(proc, "r"):
                    rs.setdefault(k, []).append(proc.r.get().astype(np.int64).reshape(-1).tolist())
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
             "lava": vectors(sp, us[k], vs[k], rs.get(k))}
        if "r" in want:
            r["r_equal"] = rs.get(k) == want["r"]
        if not (r["spikes_equal"] and r["u_equal"] and r["v_equal"] and r.get("r_equal", True)):
            ok = False
            checks = [("u", us[k], want["u"]), ("v", vs[k], want["v"]), ("spikes", sp, want["spikes"])]
            if "r" in want:
                checks.append(("r", rs.get(k, [[]] * T), want["r"]))
            for name, got, exp_ in checks:
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
