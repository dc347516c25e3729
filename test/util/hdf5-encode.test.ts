/**
 * The HDF5 encoder against libhdf5 itself (h5wasm reads every file back): random trees of groups,
 * integer and fixed-string datasets give the same names, kinds, types, shapes and values; the
 * bytes do not depend on anything but the tree; a malformed tree is refused with its path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import h5wasm from "h5wasm/node";
import { type H5Dataset, type H5Group, h5Group, hdf5FileBytes } from "../../src/util/hdf5-encode.ts";

type H5File = InstanceType<typeof h5wasm.File>;
type Entity = NonNullable<ReturnType<H5File["get"]>>;
type Node = Entity & { keys(): string[]; get(k: string): Entity | null };
/** A group's children in the order a reader lists them. */
type Read = [string, Read | { dtype: string; shape: number[]; value: unknown[] }][];

/** The tree as libhdf5 reads it back from `bytes`. */
async function readBack(bytes: Uint8Array): Promise<Read> {
  const mod = await h5wasm.ready;
  const dir = mkdtempSync(join(tmpdir(), "snnc-h5enc-"));
  const path = join(dir, "f.h5");
  writeFileSync(path, bytes);
  mod.activate_throwing_error_handler(); // a file libhdf5 finds fault with fails the test
  const f = new h5wasm.File(path, "r");
  try {
    const walk = (g: Node): Read => {
      const out: Read = [];
      for (const k of g.keys()) {
        const o = g.get(k) as Node & { dtype: string; shape: number[]; value: unknown };
        assert.ok(o, `'${k}' opens by name`);
        if (o.constructor.name === "Group") out.push([k, walk(o)]);
        else {
          const v = o.value;
          const value = o.shape.length ? Array.from(v as ArrayLike<unknown>) : [v];
          const plain = value.map((x) => (typeof x === "bigint" ? Number(x) : x));
          out.push([k, { dtype: o.dtype, shape: o.shape, value: plain }]);
        }
      }
      return out;
    };
    return walk(f as unknown as Node);
  } finally {
    f.close();
    mod.deactivate_throwing_error_handler();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a reader must see for `g` (keys in libhdf5's order: by name, byte order). */
function expected(g: H5Group): Read {
  const keys = [...g.children.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys.map((k): Read[number] => {
    const c = g.children.get(k)!;
    if (c.kind === "group") return [k, expected(c)];
    if (c.kind === "int") {
      const value = Array.from(c.data as ArrayLike<number | bigint>, Number);
      return [k, { dtype: c.data instanceof Int32Array ? "<i" : "<q", shape: [...c.shape], value }];
    }
    if (c.kind === "float") return [k, { dtype: "<d", shape: [...c.shape], value: Array.from(c.data) }];
    if (c.kind === "string") return [k, { dtype: "S", shape: [...c.shape], value: [...c.data] }];
    return [k, { dtype: `S${c.size}`, shape: [...c.shape], value: [...c.data] }];
  });
}

const name = fc.stringMatching(/^[A-Za-z0-9_.\- ]{1,12}$/).filter((s) => s !== "." && s !== "..");
const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("", "café", "ノード", "a\u{1F600}b"));
const dataset: fc.Arbitrary<H5Dataset> = fc.oneof(
  shape.chain((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    return fc.oneof(
      fc
        .array(fc.double(), { minLength: n, maxLength: n })
        .map((v): H5Dataset => ({ kind: "float", data: Float64Array.from(v), shape: s })),
      fc.array(text, { minLength: n, maxLength: n }).map((v): H5Dataset => ({ kind: "string", data: v, shape: s })),
      fc
        .array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n })
        .map((v): H5Dataset => ({ kind: "int", data: Int32Array.from(v), shape: s })),
      fc
        .array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: n, maxLength: n })
        .map((v): H5Dataset => ({ kind: "int", data: BigInt64Array.from(v), shape: s })),
    );
  }),
  fc
    .integer({ min: 1, max: 12 })
    .chain((size) =>
      fc
        .array(fc.stringMatching(new RegExp(`^[a-zA-Z0-9 ]{0,${size}}$`)), { minLength: 1, maxLength: 3 })
        .map((v): H5Dataset => ({ kind: "fixed-string", size, data: v.map((x) => x.trimEnd()), shape: [v.length] })),
    ),
);
const { tree } = fc.letrec<{ tree: H5Group }>((tie) => ({
  tree: fc
    .uniqueArray(fc.tuple(name, fc.oneof({ depthSize: "small" }, dataset, tie("tree"))), {
      selector: ([n]) => n,
      maxLength: 7,
    })
    .map((kids): H5Group => ({ kind: "group", children: new Map(kids) })),
}));

test("random trees: libhdf5 reads back every group and dataset as written", async () => {
  await fc.assert(
    fc.asyncProperty(tree, async (t) => {
      assert.deepEqual(await readBack(hdf5FileBytes(t)), expected(t));
    }),
    { numRuns: 150 },
  );
});

test("large groups (a symbol node sized for the largest), names in byte order, scalars and empty datasets", async () => {
  const root = h5Group();
  const big = h5Group();
  root.children.set("layer", big);
  for (let i = 299; i >= 0; i--)
    big.children.set(String(i), { kind: "int", data: BigInt64Array.from([BigInt(i) * 10n ** 15n]), shape: [] });
  root.children.set("empty", h5Group());
  root.children.set("none", { kind: "int", data: new Int32Array(0), shape: [0, 3] });
  const back = await readBack(hdf5FileBytes(root));
  assert.deepEqual(back, expected(root));
  const layer = back.find(([k]) => k === "layer")![1] as Read;
  assert.deepEqual(
    layer.slice(0, 4).map(([k]) => k),
    ["0", "1", "10", "100"],
  );
});

test("variable-length strings past one global heap collection (65,535 objects) and past 4 KiB", async () => {
  const root = h5Group();
  const many = Array.from({ length: 70_000 }, (_, i) => (i % 7 === 0 ? "" : `s${i}`));
  root.children.set("many", { kind: "string", data: many, shape: [many.length] });
  root.children.set("long", { kind: "string", data: ["x".repeat(10_000), "ノード".repeat(2_000)], shape: [2] });
  const back = await readBack(hdf5FileBytes(root));
  assert.deepEqual(back, expected(root));
});

test("the same tree gives the same bytes; a different value changes them", () => {
  const make = (v: number) => {
    const g = h5Group();
    g.children.set("w", { kind: "int", data: Int32Array.from([1, v]), shape: [2] });
    return g;
  };
  assert.deepEqual(hdf5FileBytes(make(2)), hdf5FileBytes(make(2)));
  assert.notDeepEqual(hdf5FileBytes(make(2)), hdf5FileBytes(make(3)));
});

test("a malformed tree is refused with the dataset's path", () => {
  const g = h5Group();
  const sub = h5Group();
  g.children.set("sub", sub);
  sub.children.set("w", { kind: "int", data: new Int32Array(5), shape: [2, 3] });
  assert.throws(() => hdf5FileBytes(g), /^RangeError: HDF5: '\/sub\/w' holds 5 values for shape \(2, 3\)$/);
  sub.children.set("w", { kind: "fixed-string", size: 3, data: ["four"], shape: [1] });
  assert.throws(() => hdf5FileBytes(g), /'\/sub\/w': 'four' is longer than 3 bytes/);
  sub.children.delete("w");
  sub.children.set("a/b", h5Group());
  assert.throws(() => hdf5FileBytes(g), /'\/sub' has a child named 'a\/b'/);
});
