/** Registers every target driver. Import this module (not registry.ts) to get a populated registry. */
export { driverFor, allDrivers } from "./registry.ts";
export type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "./types.ts";
