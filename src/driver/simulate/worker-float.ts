/** Worker thread of `snnc simulate --target float`: the float64 reference (see worker.ts). */
import { floatRun } from "./runner.ts";
import { announceLoaded } from "../../util/worker-loaded.ts";
import { taskHandler } from "./worker.ts";

export default taskHandler((s) => floatRun(s.graph));
announceLoaded();
