/**
 * The thread of hdf5-read.ts's guarded reading: libhdf5 (h5wasm) reads the file named in
 * workerData, and the tree goes back (its arrays moved) or the error, as data. A thread of its own,
 * so that a file libhdf5 never returns from (it loops on some damaged files) can be stopped.
 */
import { parentPort, workerData } from "node:worker_threads";
import { toWorkerError } from "../../ir/worker-errors.ts";
import type { H5Group } from "../../util/hdf5-tree.ts";
import { readHdf5Library } from "./hdf5-read.ts";

/** Every array buffer of the tree's numbers (to move them to the other thread). */
function buffers(g: H5Group, out: ArrayBuffer[] = []): ArrayBuffer[] {
  for (const c of g.children.values()) {
    if (c.kind === "group") buffers(c, out);
    else if (c.numbers) out.push(c.numbers.buffer as ArrayBuffer);
  }
  return out;
}

readHdf5Library((workerData as { path: string }).path).then(
  (tree) => parentPort!.postMessage({ tree }, buffers(tree)),
  (e: unknown) => parentPort!.postMessage({ error: toWorkerError(e) }),
);
