#!/bin/bash
# The Lava check of docs/LOIHI-CHECK.md: every case is compiled by snnc, run by snnc's integer
# simulator, and run in Lava (netx.hdf5.Network, or the network.lava.json process graph) on
# Lava's fixed_pt models; spikes, u and v must be equal at every step.
# Usage: test/loihi/lava-check/run-all.sh OUT_DIR     (from the repository root)
# A case is form|model|input[|input2] (form: netx, netx-approx, graph, or graph-planes: the process
# graph with --weight-planes 2); with input2 the two samples run back to back (2·runSteps steps).
# Needs LAVA_CHECK pointing at the lava-check tools (lava_compat.py) and /usr/bin/python3 with Lava's
# dependencies; results: OUT_DIR/<case>/result.json, and test/loihi/lava-vectors.json is rewritten.
# LAVA_CASES=<regex> runs only the cases it matches and updates just those in lava-vectors.json.
set -u
OUT=${1:?usage: run-all.sh OUT_DIR}
: "${LAVA_CHECK:?set LAVA_CHECK to the lava-check tools directory}"
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=(
  "netx|fixtures/tdbn/model.json|fixtures/tdbn/input.json"
  "netx|fixtures/tdbn/model.json|seed:1"
  "netx|fixtures/time-distributed/model.json|fixtures/time-distributed/input.json"
  "netx|fixtures/keras-misc/model.json|fixtures/keras-misc/input.json"
  "netx|fixtures/pspnorm/model.json|fixtures/pspnorm/input.json"
  "netx-approx|fixtures/tebn/model.json|fixtures/tebn/input.json"
  "netx|builtin:spike-features|seed:5"
  "netx|builtin:expanded-conv|seed:5"
  "graph|fixtures/residual-add/model.json|fixtures/residual-add/input.json"
  "graph|fixtures/residual-add/model.json|seed:2"
  "graph|fixtures/tdbn/model.json|fixtures/tdbn/input.json"
  "graph|builtin:spike-features|seed:7"
  "graph|builtin:expanded-conv|seed:7"
  "graph|fixtures/mpbn-channel/model.json|fixtures/mpbn-channel/input.json"
  "graph|fixtures/mpbn-channel/model.json|seed:3|seed:4"
  "graph|fixtures/mpbn-element/model.json|fixtures/mpbn-element/input.json"
  "graph|fixtures/plif/model.json|fixtures/plif/input.json"
  "graph|fixtures/plif/model.json|seed:1|fixtures/plif/input.json"
  "graph|builtin:offset-layers|seed:5"
  "graph|builtin:offset-layers|seed:5|seed:6"
  "netx|builtin:strided-same|seed:3"
  "netx|builtin:strided-same|seed:4"
  "graph|fixtures/mlp-dense/model.json|fixtures/mlp-dense/input.json"
  "graph|fixtures/mlp-dense/model.json|seed:1"
  "graph|fixtures/conv-bn-pool/model.json|fixtures/conv-bn-pool/input.json"
  "graph|fixtures/conv-bn-pool/model.json|seed:2|seed:3"
  "graph|fixtures/conv-bn-pool-f16/model.json|fixtures/conv-bn-pool-f16/input.json"
  "graph|fixtures/conv-bn-pool-f16/model.json|seed:4"
  "graph|fixtures/conv-bn-pool-u8/model.json|fixtures/conv-bn-pool-u8/input.json"
  "graph|fixtures/conv-bn-pool-u8/model.json|seed:5"
  "graph|fixtures/bntt/model.json|fixtures/bntt/input.json"
  "graph|fixtures/bntt/model.json|seed:1|seed:2"
  "graph|fixtures/tebn/model.json|fixtures/tebn/input.json"
  "graph|fixtures/tebn/model.json|seed:4"
  "graph|fixtures/tab/model.json|fixtures/tab/input.json"
  "graph|fixtures/tab/model.json|seed:5|seed:6"
  "graph|fixtures/mt-lif/model.json|fixtures/mt-lif/input.json"
  "graph|fixtures/mt-lif/model.json|seed:6|seed:7"
  "graph|fixtures/mpbn-element/model.json|seed:8"
  "graph|fixtures/onnx-tdbn-mt/model.onnx|seed:1"
  "graph|fixtures/onnx-tdbn-mt/model.onnx|seed:2|seed:3"
  "graph|fixtures/nir-paper/braille_noDelay_bias_zero.nir|seed:1"
  "graph|fixtures/nir-paper/braille_noDelay_noBias_subtract.nir|seed:2|seed:3"
  "graph|fixtures/nir-snntorch/snntorch_rleaky.nir|seed:4|seed:5"
  "graph|builtin:recurrent-delays|seed:6"
  "graph|builtin:recurrent-delays|seed:7|seed:8"
  "graph-planes|builtin:spike-features|seed:7"
  "graph-planes|builtin:expanded-conv|seed:5|seed:6"
  "graph-planes|fixtures/mt-lif/model.json|seed:6"
  "graph-planes|fixtures/mt-lif/model.json|seed:7|seed:8"
  "graph-planes|builtin:spike-features|seed:8"
  "graph-planes|fixtures/nir-paper/cnn_sinabs.nir|seed:1"
  "graph-planes|fixtures/nir-paper/cnn_sinabs.nir|seed:2|seed:3"
)
fail=0
for c in "${CASES[@]}"; do
  [[ -n "${LAVA_CASES:-}" && ! "$c" =~ $LAVA_CASES ]] && continue
  IFS='|' read -r form model input then <<<"$c"
  name=$(echo "$form-$model-$input${then:+-then-$then}" | tr '/:.' '___')
  dir="$OUT/$name"
  rm -rf "$dir"
  flags=()
  runner=run_netx_check.py
  [[ "$form" = graph* ]] && flags+=(--lava-graph) && runner=run_lava_graph_check.py
  [ "$form" = graph-planes ] && flags+=(--weight-planes 2)
  [ "$form" = netx-approx ] && flags+=(--temporal-norm-approx)
  [ -n "$then" ] && flags+=(--then "$then")
  node --import tsx "$HERE/export.ts" "$model" "$input" "$dir" "${flags[@]}" || { echo "FAIL export $c"; fail=1; continue; }
  (cd "$dir" && PYTHONPATH="$LAVA_CHECK" timeout 300 /usr/bin/python3 "$HERE/$runner" "$dir" >"$dir/result.json" 2>"$dir/lava.log")
  rc=$?
  echo "$c -> exit $rc: $(python3 -c "import json,sys; d=json.load(open('$dir/result.json')); print('match' if d['match'] else 'MISMATCH', [(l['id'], l['spikes_lava'], l['spikes_snnc']) for l in d.get('layers', d.get('populations', []))])" 2>/dev/null)"
  [ $rc = 0 ] || fail=1
done
node --import tsx "$HERE/collect.ts" "$OUT" "$HERE/../lava-vectors.json" ${LAVA_CASES:+--update}
exit $fail
