/** Target name → driver. Hardware descriptions themselves are data in targets/. */
import { SnncError } from "../ir/errors.ts";
import type { TargetDriver } from "./types.ts";

const drivers: TargetDriver[] = [];

export function registerDriver(d: TargetDriver): void {
  drivers.push(d);
}

export function driverFor(target: string): TargetDriver {
  const d = drivers.find((x) => x.names.includes(target));
  if (!d) {
    const known = drivers.flatMap((x) => x.names).join(", ");
    throw new SnncError("E_USAGE", `unknown target '${target}' (known: ${known || "none"})`);
  }
  return d;
}

export function allDrivers(): readonly TargetDriver[] {
  return drivers;
}
