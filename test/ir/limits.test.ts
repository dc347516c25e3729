/**
 * Shape inference applies snnc's limits to every graph, whatever reader built it: past a limit is
 * a one-line SnncError (exit 3) naming the layer and the parameter, at (and below) it is accepted.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SnncError } from "../../src/ir/errors.ts";
import { LIMITS } from "../../src/ir/limits.ts";
import type { IRNode, PoolNode } from "../../src/ir/nodes.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { conv, graph, input, neuron, t } from "../support/ir-builder.ts";

function refused(nodes: IRNode[], T: number, layer: string | undefined, ...parts: string[]): void {
  assert.throws(
    () => inferShapes(graph(nodes, { T })),
    (e: unknown) => {
      assert.ok(e instanceof SnncError, String(e));
      assert.equal(e.exitCode, 3);
      assert.equal(e.layer, layer);
      for (const p of parts) assert.ok(e.message.includes(p), `'${p}' not in ${e.message}`);
      return true;
    },
  );
}

const convNet = (o: Parameters<typeof conv>[3], inShape = [8, 8, 1]): IRNode[] => [
  input("x", inShape),
  conv("c", "x", t([3, 3, inShape[2]!, 2], 0.1), o),
  neuron("n", "c"),
];

describe("limits in shape inference", () => {
  test("T: 1 … LIMITS.timesteps accepted; past it, and 1e308, refused", () => {
    assert.doesNotThrow(() => inferShapes(graph(convNet({}), { T: LIMITS.timesteps })));
    refused(convNet({}), LIMITS.timesteps + 1, undefined, "1001", String(LIMITS.timesteps));
    refused(convNet({}), 1e308, undefined, "1e+308");
  });

  test("dilation, stride and the dilated window", () => {
    assert.doesNotThrow(() => inferShapes(graph(convNet({ dilation: [3, 3] }))));
    refused(convNet({ dilation: [1e9, 1e9] }), 4, "c", "dilation_rate", "1000000000");
    refused(convNet({ dilation: [600, 1] }), 4, "c", "window", "1201");
    refused(convNet({ strides: [2 ** 31, 1] }), 4, "c", "strides");
    refused(convNet({ strides: [1.5, 1] }), 4, "c", "strides");
  });

  test("explicit pads past the window limit", () => {
    refused(convNet({ padding: [0, 5000, 0, 0] }), 4, "c", "padding");
  });

  test("a layer of more than 2^20 elements", () => {
    assert.doesNotThrow(() => inferShapes(graph(convNet({}, [512, 512, 1]), { T: 4 })));
    refused(convNet({}, [2048, 1024, 1]), 4, "x", "elements");
  });

  test("pool sizes and strides", () => {
    const pool = (p: [number, number], s: [number, number]): PoolNode => ({
      op: "avgpool",
      id: "p",
      inputs: ["n"],
      pool: p,
      strides: s,
      padding: "valid",
    });
    refused([...convNet({}), pool([1e9, 2], [2, 2])], 4, "p", "pool_size");
    refused([...convNet({}), pool([2, 2], [0, 2])], 4, "p", "strides");
  });

  test("T × neurons", () => {
    // 2^20 neurons: T = 32 is exactly the neuron-steps limit, T = 33 is past it.
    const nodes = [input("x", [1024, 1024]), neuron("n", "x")];
    assert.doesNotThrow(() => inferShapes(graph(nodes, { T: LIMITS.neuronSteps / 2 ** 20 })));
    refused(nodes, LIMITS.neuronSteps / 2 ** 20 + 1, undefined, "neuron-steps");
  });
});
