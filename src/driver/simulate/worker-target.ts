/** Worker thread of `snnc simulate --target <hardware>`: the target's own model (see worker.ts). */
import { driverFor } from "../index.ts";
import { announceLoaded } from "../../util/worker-loaded.ts";
import { taskHandler } from "./worker.ts";

export default taskHandler((s) => driverFor(s.target).prepareRun!(s.graph, { target: s.target, file: s.file }));
announceLoaded();
