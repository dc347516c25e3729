/**
 * Every target driver, by the names it answers to. The list is fixed: a new target adds its
 * driver here. Hardware descriptions themselves are data in targets/.
 */
import { SnncError } from "../ir/errors.ts";
import { loihiDriver } from "../loihi/driver.ts";
import { nirDriver } from "../nir/driver.ts";
import type { Pass } from "../passes/pass.ts";
import { floatDriver } from "./float.ts";
import type { PipelineOptions, TargetDriver } from "./types.ts";

const DRIVERS: readonly TargetDriver[] = Object.freeze([floatDriver, loihiDriver, nirDriver]);

export function driverFor(target: string): TargetDriver {
  const d = DRIVERS.find((x) => x.names.includes(target));
  if (!d) {
    const known = DRIVERS.flatMap((x) => x.names).join(", ");
    throw new SnncError("E_USAGE", `unknown target '${target}' (known: ${known})`);
  }
  return d;
}

export function allDrivers(): readonly TargetDriver[] {
  return DRIVERS;
}

/** The ordered passes `compile --target <target>` runs with these options (what --list-passes prints). */
export function pipelineFor(target: string, opts: Omit<PipelineOptions, "target"> = {}): readonly Pass[] {
  return driverFor(target).passes({ ...opts, target });
}

export type {
  CompileOptions,
  CompileResult,
  PipelineOptions,
  PreparedRun,
  TargetDriver,
  TargetRun,
  VerifyOptions,
} from "./types.ts";
