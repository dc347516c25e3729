/** Registers every target driver. Import this module (not registry.ts) to get a populated registry. */
import { floatDriver } from "./float.ts";
import { loihiDriver } from "../loihi/driver.ts";
import { runLoihi } from "../loihi/run.ts";
import { registerDriver } from "./registry.ts";

registerDriver(floatDriver);
registerDriver({ ...loihiDriver, run: runLoihi });

export { driverFor, allDrivers } from "./registry.ts";
export type { CompileOptions, CompileResult, TargetDriver, TargetRun, VerifyOptions } from "./types.ts";
