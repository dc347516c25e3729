/**
 * A small seeded SNN that takes the 8×8 digits (input [8,8,1], or another shape to provoke a
 * mismatch): conv 3×3 → LIF → flatten → dense 16 → LIF → dense 10 → readout (mean). Not trained: its readout is
 * a deterministic function of the image, which is all the simulate tests need.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Graph } from "../../src/ir/nodes.ts";
import { graphToJson } from "../../src/ir/serialize.ts";
import * as b from "./ir-builder.ts";
import { Rng } from "./rng.ts";
import { tempDir } from "./model-files.ts";

export function digitsModel(inputShape: number[] = [8, 8, 1], T = 4): Graph {
  const r = new Rng(7);
  const c = inputShape[2] ?? 1;
  const flat = inputShape.reduce((a, d) => a * d, 1) * (inputShape.length === 3 ? 4 / c : 1);
  const first =
    inputShape.length === 3
      ? [b.conv("conv", "in", b.uniform(r, [3, 3, c, 4], -0.5, 1)), b.neuron("lif1", "conv", { theta: 0.8 })]
      : [b.dense("fc0", "in", b.uniform(r, [flat, 16], -0.3, 0.6)), b.neuron("lif1", "fc0", { theta: 0.5 })];
  const width = inputShape.length === 3 ? flat : 16;
  return b.model(
    [
      b.input("in", inputShape),
      ...first,
      b.flatten("flat", "lif1"),
      b.dense("fc1", "flat", b.uniform(r, [width, 16], -0.3, 0.4)),
      b.neuron("lif2", "fc1", { theta: 1.5 }),
      b.dense("fc2", "lif2", b.uniform(r, [16, 10], -1, 1)),
      b.readout("out", "fc2"),
    ],
    { name: "digits-test", T },
  );
}

/** The model saved as `<temp>/digits.snnc.json`; returns its path. */
export async function digitsModelFile(inputShape?: number[], T?: number): Promise<string> {
  const f = join(await tempDir(), "digits.snnc.json");
  await writeFile(f, graphToJson(digitsModel(inputShape, T)));
  return f;
}
