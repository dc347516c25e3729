/**
 * The run of `snnc simulate` for a target name, in the calling thread: checks that the target
 * exists and has a model to run (before any work), and builds it when no worker will (an empty
 * shard still reports the layers). Only the driver of the target asked for is loaded, and none for float.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph } from "../../ir/nodes.ts";
import type { PreparedRun } from "../types.ts";
import { floatRun } from "./runner.ts";

export async function checkRunnableTarget(target: string): Promise<void> {
  if (target === "float") return;
  const { loadDriver } = await import("../registry.ts");
  if (!(await loadDriver(target)).prepareRun)
    throw new SnncError("E_USAGE", `target '${target}' has no runnable model`);
}

export async function prepareRun(g: Graph, target: string, file?: string): Promise<PreparedRun> {
  await checkRunnableTarget(target);
  if (target === "float") return floatRun(g);
  const { loadDriver } = await import("../registry.ts");
  return (await loadDriver(target)).prepareRun!(g, { target, file });
}
