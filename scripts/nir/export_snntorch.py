"""Export a small recurrent snnTorch network with snnTorch's own export_to_nir; record snnTorch's spikes.

Writes OUT_DIR/snntorch_rleaky.nir and OUT_DIR/snntorch_rleaky.spikes.json (the input and the spikes of
both spiking layers, per step, as snnTorch computed them). Needs snnTorch, nirtorch and NIR on
PYTHONPATH, and torch. Usage: export_snntorch.py OUT_DIR
"""
import json
import sys

import nir
import numpy as np
import snntorch as snn
import torch
from snntorch.export_nir import export_to_nir

# nir.write stores nir.version, which comes from installed package metadata; a source tree lacks it.
if not hasattr(nir, "version"):
    nir.version = "1.0.0"

out = sys.argv[1]
torch.manual_seed(7)
T, n_in = 40, 6
lin1 = torch.nn.Linear(n_in, 10)
rlif = snn.RLeaky(beta=0.85, linear_features=10, init_hidden=True, reset_mechanism="zero", reset_delay=False)
lin2 = torch.nn.Linear(10, 4)
lif = snn.Leaky(
    beta=torch.full((4,), 0.9),
    threshold=torch.ones(4),
    init_hidden=True,
    reset_mechanism="zero",
    reset_delay=False,
    output=True,
)
with torch.no_grad():  # larger weights than the default initialisation, so that every layer fires
    lin1.weight.mul_(2.5)
    rlif.recurrent.weight.mul_(1.5)
    lin2.weight.mul_(3.0)
net = torch.nn.Sequential(lin1, rlif, lin2, lif)
graph = export_to_nir(net, torch.zeros(1, n_in), ignore_dims=[0])
nir.write(f"{out}/snntorch_rleaky.nir", graph)

rng = np.random.default_rng(3)
x = (rng.random((T, n_in)) < 0.4).astype(np.float32)
rlif.reset_mem()
lif.reset_mem()
s1, s2 = [], []
with torch.no_grad():
    for t in range(T):
        a = rlif(lin1(torch.from_numpy(x[t : t + 1])))
        b, _ = lif(lin2(a))
        s1.append(a[0].numpy().astype(int).tolist())
        s2.append(b[0].numpy().astype(int).tolist())
with open(f"{out}/snntorch_rleaky.spikes.json", "w") as f:
    json.dump({"input": x.astype(int).tolist(), "spikes": {"rleaky": s1, "leaky": s2}}, f)
print(sorted(graph.nodes), graph.edges, "spikes:", int(np.sum(s1)), int(np.sum(s2)))
