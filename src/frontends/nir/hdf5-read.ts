/**
 * A NIR file's HDF5 content as plain data: groups of datasets, numbers as float64, strings as
 * JS strings. Knows HDF5 and nothing of NIR.
 *
 * The layouts h5py writes by default are decoded by snnc itself (util/hdf5-decode.ts); any other
 * file, and any file that decoder refuses, is read by libhdf5 (h5wasm, loaded on first use).
 * HDF5's own diagnostics ("HDF5-DIAG" stacks) never reach stderr: h5wasm's throwing error handler
 * turns them into an exception, of which the innermost cause becomes the one-line message.
 */
import { readFileSync } from "node:fs";
import { SnncError } from "../../ir/errors.ts";
import { fromWorkerError, type WorkerError } from "../../ir/worker-errors.ts";
import { decodeHdf5, Hdf5Unsupported, hdf5SuperblockAt } from "../../util/hdf5-decode.ts";
import { childPath, type H5Dataset, type H5Group } from "../../util/hdf5-tree.ts";

export type { H5Dataset, H5Group };

type H5Module = typeof import("h5wasm/node");
let h5: Promise<H5Module["default"]> | undefined;

/** h5wasm, loaded once. */
export function h5wasmReady(): Promise<H5Module["default"]> {
  h5 ??= import("h5wasm/node").then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5;
}

/**
 * Runs `fn` with HDF5's error printing turned into exceptions (h5wasm's throwing error handler),
 * switched back off afterwards so that other HDF5 users keep HDF5's default behaviour. What the
 * WebAssembly runtime itself prints to stderr meanwhile is held back: on a damaged file it warns
 * of text that is not UTF-8, or prints "Aborted(…)" when HDF5 gives up, and then throws, and the
 * exception is what the user is told about, in one line.
 */
export async function withHdf5Errors<T>(fn: (lib: H5Module["default"]) => T): Promise<T> {
  const lib = await h5wasmReady();
  const mod = await lib.ready;
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof write;
  mod.activate_throwing_error_handler();
  try {
    return fn(lib);
  } finally {
    mod.deactivate_throwing_error_handler();
    process.stderr.write = write;
  }
}

/** The innermost HDF5 error of a message h5wasm throws (its stack is one error per line). */
export function hdf5Cause(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const calls = lines.filter((l) => /^#\d+:/.test(l));
  const last = calls.length ? calls[calls.length - 1]! : (lines[0] ?? "unknown HDF5 error");
  const m = /\(\):\s*(.*)$/.exec(last);
  return (m ? m[1]! : last).slice(0, 200);
}

/**
 * Read every group and dataset of the HDF5 file at `path`: by snnc's own decoder when the file is
 * in a layout it knows, else by libhdf5. Either gives the same tree (test/util/hdf5-decode.test.ts).
 */
export async function readHdf5(path: string): Promise<H5Group> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SnncError("E_IO", `cannot read file (${(e as NodeJS.ErrnoException).code ?? "I/O error"})`);
  }
  if (bytes.length === 0) throw new SnncError("E_IO", "file is empty (expected a NIR file, HDF5)");
  if (hdf5SuperblockAt(bytes) === undefined)
    throw new SnncError("E_PARSE", "not an HDF5 file (a NIR file is HDF5, as nir.write produces it)");
  try {
    return decodeHdf5(bytes);
  } catch (e) {
    if (!(e instanceof Hdf5Unsupported)) throw e;
  }
  return readHdf5Guarded(path, bytes.length);
}

/**
 * libhdf5's reading of the file at `path` (of `size` bytes), in a thread stopped after 10 s (and
 * 20 ms per MB): libhdf5 loops for ever on some damaged files (a global heap with one byte changed,
 * found by the fuzzer). Run from the TypeScript sources (tests, the fuzzer), a thread cannot load
 * them (a loader is per thread): the reading is done in this thread, unguarded; so it is when the
 * thread cannot start.
 */
async function readHdf5Guarded(path: string, size: number): Promise<H5Group> {
  if (import.meta.url.endsWith(".ts")) return readHdf5Library(path);
  const ms = 10_000 + Math.ceil(size / 50_000);
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(new URL("./hdf5-read-worker.js", import.meta.url), { workerData: { path } });
  try {
    return await new Promise<H5Group>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new SnncError(
              "E_PARSE",
              `HDF5 content cannot be read: libhdf5 did not finish within ${Math.round(ms / 1000)} s (it loops on some damaged files)`,
            ),
          ),
        ms,
      );
      const settle = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      worker.once("message", (m: { tree: H5Group } | { error: WorkerError }) =>
        settle(() => ("tree" in m ? resolve(m.tree) : reject(fromWorkerError(m.error)))),
      );
      worker.once("error", () => settle(() => resolve(readHdf5Library(path))));
      worker.once("exit", (code) => settle(() => reject(new Error(`the HDF5 reading thread exited (code ${code})`))));
    });
  } finally {
    void worker.terminate();
  }
}

/** Read every group and dataset of the HDF5 file at `path` (signature checked) with libhdf5. */
export function readHdf5Library(path: string): Promise<H5Group> {
  return withHdf5Errors((lib) => {
    let f: InstanceType<typeof lib.File>;
    try {
      f = new lib.File(path, "r");
    } catch (e) {
      throw new SnncError("E_PARSE", `not a readable HDF5 file: ${hdf5Cause(e)}`);
    }
    try {
      return readGroup(f, "/");
    } catch (e) {
      if (e instanceof SnncError) throw e;
      throw new SnncError("E_PARSE", `HDF5 content cannot be read: ${hdf5Cause(e)}`);
    } finally {
      f.close();
    }
  });
}

type Node = { keys(): string[]; get(name: string): unknown };

function readGroup(g: Node, path: string): H5Group {
  const children = new Map<string, H5Group | H5Dataset>();
  for (const name of [...g.keys()].sort()) {
    const child = g.get(name) as { type?: string } & Node;
    const p = childPath(path, name);
    if (child && typeof (child as Node).keys === "function") children.set(name, readGroup(child, p));
    else if (child && "shape" in child) children.set(name, readDataset(child as unknown as RawDataset, p));
    // links that lead nowhere and named datatypes carry nothing a NIR reader uses
  }
  return { kind: "group", path, children };
}

interface RawDataset {
  dtype: string;
  shape: number[] | null;
  metadata: { type: number; vlen?: boolean };
  value: unknown;
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_ENUM = 8;

function readDataset(d: RawDataset, path: string): H5Dataset {
  const shape = d.shape ? [...d.shape] : [];
  const dtype = String(d.dtype);
  const cls = d.metadata.type;
  const v = d.value;
  if (cls === H5T_STRING) {
    const list = Array.isArray(v) ? v.map(String) : [String(v)];
    return { kind: "dataset", path, dtype, shape, strings: list };
  }
  if (cls === H5T_INTEGER || cls === H5T_FLOAT || cls === H5T_ENUM) {
    const src = (ArrayBuffer.isView(v) ? v : [v]) as ArrayLike<number | bigint | boolean>;
    const numbers = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const x = src[i]!;
      if (typeof x === "bigint") {
        if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < -BigInt(Number.MAX_SAFE_INTEGER))
          throw new SnncError("E_VALUE", `dataset '${path}': integer ${x} is too large`);
        numbers[i] = Number(x);
      } else numbers[i] = Number(x);
    }
    return { kind: "dataset", path, dtype, shape, numbers };
  }
  return { kind: "dataset", path, dtype, shape };
}
