/**
 * snnc's HDF5 decoder against libhdf5 (h5wasm, through readHdf5Library): every HDF5 fixture and
 * every tree snnc's encoder writes decodes to the same tree, or is refused (Hdf5Unsupported) where
 * the file uses a part of HDF5 the decoder leaves to libhdf5, and then readHdf5 still gives
 * libhdf5's tree. A damaged file is decoded or refused, never met with another exception or a hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { readHdf5, readHdf5Library } from "../../src/frontends/nir/hdf5-read.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { decodeHdf5, Hdf5Unsupported } from "../../src/util/hdf5-decode.ts";
import { h5Group, hdf5FileBytes } from "../../src/util/hdf5-encode.ts";
import type { H5Group } from "../../src/util/hdf5-tree.ts";
import { encodedTree, runMutations, treeDifference } from "./hdf5-trees.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** Every HDF5 file among the fixtures (a NIR file is HDF5), as a path under fixtures/. */
const files = (readdirSync(FIXTURES, { recursive: true }) as string[])
  .map((f) => f.split("\\").join("/"))
  .filter((f) => /\.(h5|nir)$/.test(f))
  .sort();

/**
 * Files the decoder must refuse (Hdf5Unsupported), for what h5py wrote in them. Every other file
 * must decode to libhdf5's tree: a decoder that starts refusing a common file fails this test.
 */
const REFUSED: Record<string, string> = {
  "hdf5-layouts/latest.h5":
    "superblock 3, version 2 object headers, groups as link messages (dense: fractal heap), layout 4 (all four chunk indexes)",
  "hdf5-layouts/nir-latest.nir": 'a NIR graph (snnc\'s mpbn-channel) in a libver="latest" file',
  "hdf5-layouts/track-order.h5": "groups as link info, group info and link messages (creation order tracked)",
  "hdf5-layouts/fletcher.h5": "a chunked dataset with the Fletcher-32 filter",
  "hdf5-layouts/enum-bool.h5": "an enumeration datatype (h5py's bool)",
  "hdf5-layouts/compound.h5": "compound datatypes (a record, h5py's complex)",
  "hdf5-layouts/null-dataspace.h5": "a null dataspace (dataspace version 2, h5py.Empty)",
  "hdf5-layouts/soft-links.h5": "soft links in a symbol table (libhdf5 follows them, and leaves out the dangling one)",
  "hdf5-layouts/fill-value.h5": "storage never written, or written in part: the fill value stands in",
};

type Outcome = { tree: H5Group } | { error: unknown };

async function attempt(read: () => H5Group | Promise<H5Group>): Promise<Outcome> {
  try {
    return { tree: await read() };
  } catch (error) {
    return { error };
  }
}

const told = (o: Outcome): string => {
  if ("tree" in o) return "a tree";
  const e = o.error;
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
};

const codeOf = (o: Outcome): string | undefined =>
  "error" in o && o.error instanceof SnncError ? o.error.code : undefined;

/** `bytes` at an odd offset of a larger buffer: a decoder must not assume its view starts the buffer. */
function shifted(bytes: Uint8Array): Uint8Array {
  const buf = new Uint8Array(bytes.length + 11).fill(0xa5);
  buf.set(bytes, 3);
  return buf.subarray(3, 3 + bytes.length);
}

/**
 * The file at `path` (content `bytes`) decoded against libhdf5's reading of it: `read`, the same
 * tree; `refuse`, Hdf5Unsupported. Where libhdf5's reader refuses the
 * content (an integer past 2**53), the decoder refuses too, alike or with Hdf5Unsupported. In every
 * case readHdf5 gives what libhdf5's reader gives.
 */
async function checkFile(path: string, bytes: Uint8Array, expect: "read" | "refuse"): Promise<void> {
  const lib = await attempt(() => readHdf5Library(path));
  const copy = bytes.slice();
  const dec = await attempt(() => decodeHdf5(bytes));
  assert.deepEqual(bytes, copy, "decodeHdf5 leaves its input as it was");
  const refused = "error" in dec && dec.error instanceof Hdf5Unsupported;
  if (expect === "refuse") assert.ok(refused, `decodeHdf5 refuses it (Hdf5Unsupported), not: ${told(dec)}`);
  else if ("tree" in lib) {
    assert.ok("tree" in dec, `decodeHdf5 reads it as libhdf5 does; it gave ${told(dec)}`);
    assert.equal(treeDifference(lib.tree, dec.tree), undefined, "decodeHdf5's tree is libhdf5's");
    const again = await attempt(() => decodeHdf5(shifted(bytes)));
    assert.ok("tree" in again, `decodeHdf5 reads it from a view at an offset; it gave ${told(again)}`);
    assert.equal(treeDifference(lib.tree, again.tree), undefined, "the same from a view at an offset");
  } else {
    assert.ok(
      refused || (codeOf(dec) !== undefined && codeOf(dec) === codeOf(lib)),
      `libhdf5's reader refuses it (${told(lib)}); decodeHdf5 gave ${told(dec)}`,
    );
  }
  const via = await attempt(() => readHdf5(path));
  if ("tree" in lib) {
    assert.ok("tree" in via, `readHdf5 reads it; it gave ${told(via)}`);
    assert.equal(treeDifference(lib.tree, via.tree), undefined, "readHdf5's tree is libhdf5's");
  } else {
    assert.ok("error" in via, `readHdf5 fails as libhdf5's reader does (${told(lib)}); it gave a tree`);
    assert.equal(codeOf(via), codeOf(lib), `readHdf5 fails as libhdf5's reader does: ${told(via)}`);
  }
}

test("the lists of refused files name fixtures, and the layout fixtures are all here", () => {
  for (const f of Object.keys(REFUSED)) assert.ok(files.includes(f), f);
  const layouts = files.filter((f) => f.startsWith("hdf5-layouts/"));
  assert.ok(layouts.length >= 20, `${layouts.length} files in fixtures/hdf5-layouts (run its make.py)`);
  assert.ok(files.some((f) => f.endsWith(".nir")));
});

for (const f of files) {
  const expect = f in REFUSED ? "refuse" : "read";
  const why = REFUSED[f];
  test(`fixture ${f}: ${expect === "read" ? "decoded as libhdf5 reads it" : `${expect} (${why})`}`, async () => {
    const path = fileURLToPath(new URL(f, FIXTURES));
    await checkFile(path, readFileSync(path), expect);
  });
}

test("random trees written by snnc's encoder: decoded as libhdf5 reads them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-h5dec-"));
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(encodedTree, async (t) => {
        const bytes = hdf5FileBytes(t);
        const path = join(dir, `t${n++}.h5`);
        writeFileSync(path, bytes);
        await checkFile(path, bytes, "read");
      }),
      { numRuns: 100 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an int64 past 2**53: refused by the decoder as by libhdf5's reader (E_VALUE), never rounded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-h5dec-"));
  try {
    const root = h5Group();
    root.children.set("big", { kind: "int", data: BigInt64Array.from([1n, 2n ** 60n + 1n]), shape: [2] });
    const bytes = hdf5FileBytes(root);
    const path = join(dir, "big.h5");
    writeFileSync(path, bytes);
    await assert.rejects(readHdf5Library(path), (e: unknown) => e instanceof SnncError && e.code === "E_VALUE");
    await checkFile(path, bytes, "read");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("damaged files (bytes flipped, addresses and lengths overwritten, cut short): a tree or Hdf5Unsupported, quickly", async () => {
  const names = [
    "hdf5-layouts/contiguous.h5",
    "hdf5-layouts/chunked-gzip.h5",
    "hdf5-layouts/strings.h5",
    "hdf5-layouts/continuation.h5",
    "hdf5-layouts/btree-k.h5",
    "nir-snntorch/snntorch_rleaky.nir",
  ];
  const job = {
    files: names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, FIXTURES))) })),
    perFile: 300,
    seed: 20261202,
  };
  const report = await runMutations(job, 20_000);
  assert.deepEqual(report.failures.slice(0, 10), [], `${report.failures.length} mutations went wrong`);
  assert.equal(report.decoded + report.refused, names.length * job.perFile);
});
