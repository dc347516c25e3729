/** Registers every target driver. Import this module (not registry.ts) to get a populated registry. */
import { floatDriver } from "./float.ts";
import { loihiDriver } from "./loihi.ts";
import { registerDriver } from "./registry.ts";

registerDriver(floatDriver);
registerDriver(loihiDriver);

export { driverFor, allDrivers } from "./registry.ts";
export type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "./types.ts";
