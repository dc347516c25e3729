/** Registers every target driver. Import this module (not registry.ts) to get a populated registry. */
import { floatDriver } from "./float.ts";
import { registerDriver } from "./registry.ts";

registerDriver(floatDriver);

export { driverFor, allDrivers } from "./registry.ts";
export type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "./types.ts";
