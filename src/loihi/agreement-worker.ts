/**
 * Worker thread of the compile agreement (agreement.ts): the float graph and the integer model
 * arrive once as workerData; each task is some samples, answered with their counts.
 */
import { workerData } from "node:worker_threads";
import type { Graph } from "../ir/nodes.ts";
import type { StepInput } from "../sim/reference.ts";
import type { SampleAgreement } from "../verify/agreement.ts";
import { agreementSample } from "./agreement.ts";
import type { FixedModel } from "./model/integer-model.ts";
import { announceLoaded } from "../util/worker-loaded.ts";

const { graph, model } = workerData as { graph: Graph; model: FixedModel };

export default function run(task: { inputs: StepInput[] }): SampleAgreement[] {
  return task.inputs.map((x) => agreementSample(graph, model, x));
}

announceLoaded();
