"""Time Lava's CPU run of a netx network (lava-dl's netx loader, Lava's fixed_pt process models).

Usage: python3 lava_run.py NET.net INPUT.npy STEPS MESSAGE_BITS
       (PYTHONPATH: the lava-check tools directory)
INPUT.npy: 0/1 spikes or graded payloads, time-major (T_in, n_in); later steps get zeros. The
network is loaded as snnc's report.txt says: input_message_bits, reset_interval = STEPS and
reset_offset = 1 (every population zeroes its state once per sample, at its own step).
Prints one JSON line: seconds to import Lava, to load the network, and to run STEPS steps (wall),
and the spike count of every layer.
"""
import contextlib
import json
import sys
import time

import lava_compat  # noqa: F401  (Python 3.11 shim and the source trees on sys.path)
import numpy as np


def main(net_path, input_path, steps, message_bits):
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        from lava.lib.dl import netx
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source

    t1 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        net = netx.hdf5.Network(
            net_config=net_path, input_message_bits=message_bits, reset_interval=steps, reset_offset=1
        )
    spikes_in = np.load(input_path).astype(np.int32)
    n_in = int(np.prod(net.inp.shape))
    data = np.zeros((n_in, steps), dtype=np.int32)
    k = min(steps, spikes_in.shape[0])
    data[:, :k] = spikes_in[:k].reshape(k, n_in).T
    source = Source(data=data.reshape(net.inp.shape + (steps,)))
    source.s_out.connect(net.inp)
    sinks = []
    for layer in net.layers:
        sink = Sink(shape=layer.out.shape, buffer=steps)
        layer.out.connect(sink.a_in)
        sinks.append(sink)
    config = Loihi2SimCfg(select_tag="fixed_pt", select_sub_proc_model=True)
    t2 = time.perf_counter()
    try:
        net.run(condition=RunSteps(num_steps=steps), run_cfg=config)
        t3 = time.perf_counter()
        counts = [int(np.count_nonzero(s.data.get())) for s in sinks]
    finally:
        net.stop()
    print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "run_s": t3 - t2, "spikes": counts}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
