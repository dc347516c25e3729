/**
 * The target drivers by the names they answer to, each module loaded only when its target is asked
 * for: `snnc compile --target float` never loads the Loihi back end. The same drivers, in the same
 * order, as driver/index.ts, which loads them all and looks them up synchronously.
 */
import { SnncError } from "../ir/errors.ts";
import type { TargetDriver } from "./types.ts";

interface Entry {
  names: readonly string[];
  load: () => Promise<TargetDriver>;
}

const ENTRIES: readonly Entry[] = Object.freeze([
  { names: ["float"], load: async () => (await import("./float.ts")).floatDriver },
  {
    names: ["loihi", "loihi2", "loihi1"],
    load: async () => (await import("../loihi/driver.ts")).loihiDriver,
  },
  { names: ["nir"], load: async () => (await import("../nir/driver.ts")).nirDriver },
]);

/** Every target name, in the order `unknown target` errors list them. */
export function targetNames(): string[] {
  return ENTRIES.flatMap((e) => e.names);
}

/** The driver of `target`, its module loaded now; an unknown name is a usage error. */
export async function loadDriver(target: string): Promise<TargetDriver> {
  const e = ENTRIES.find((x) => x.names.includes(target));
  if (!e) throw new SnncError("E_USAGE", `unknown target '${target}' (known: ${targetNames().join(", ")})`);
  return e.load();
}
