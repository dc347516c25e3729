/**
 * The run of `snnc simulate` for a target name, in the calling thread: checks that the target
 * exists and has a model to run (before any work), and builds it when no worker will (an empty
 * shard still reports the layers). The target drivers are loaded only for a hardware target.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph } from "../../ir/nodes.ts";
import type { PreparedRun } from "../types.ts";
import { floatRun } from "./runner.ts";

export async function checkRunnableTarget(target: string): Promise<void> {
  if (target === "float") return;
  const { driverFor } = await import("../index.ts");
  if (!driverFor(target).prepareRun) throw new SnncError("E_USAGE", `target '${target}' has no runnable model`);
}

export async function prepareRun(g: Graph, target: string, file?: string): Promise<PreparedRun> {
  await checkRunnableTarget(target);
  if (target === "float") return floatRun(g);
  const { driverFor } = await import("../index.ts");
  return driverFor(target).prepareRun!(g, { target, file });
}
