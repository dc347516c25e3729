/**
 * What the program's WebAssembly kernels share: their modules compiled once per thread from the
 * bytes they carry (base64), byte offsets handed out 16-byte aligned in a layout, and a memory
 * made for a layout, or none when it cannot be had (over 4 GB, or refused), in which case the
 * caller keeps its JavaScript loops.
 */

const PAGE = 65536;
const MAX_PAGES = 65536;

/** A module's compile, made at its first use in this thread. */
export function lazyModule(base64: string): () => WebAssembly.Module {
  let compiled: WebAssembly.Module | undefined;
  return () => {
    if (!compiled) compiled = new WebAssembly.Module(Buffer.from(base64, "base64"));
    return compiled;
  };
}

/** Byte offsets handed out in order, each 16-byte aligned (0 is never handed out). */
export class WasmLayout {
  top = 16;
  /** Room for `n` values of `bytes` bytes each. */
  take(n: number, bytes = 4): number {
    const at = this.top;
    this.top += Math.ceil((n * bytes) / 16) * 16; // not bitwise: a layout may pass 2^31 bytes
    return at;
  }
}

/** A memory holding `layout` and an instance of `module` on it; undefined when none can be had. */
export function instantiate<E>(
  module: () => WebAssembly.Module,
  layout: WasmLayout,
): { buffer: ArrayBuffer; exports: E } | undefined {
  const pages = Math.ceil(layout.top / PAGE);
  if (pages > MAX_PAGES) return undefined;
  try {
    const memory = new WebAssembly.Memory({ initial: pages });
    const instance = new WebAssembly.Instance(module(), { env: { memory } });
    return { buffer: memory.buffer, exports: instance.exports as unknown as E };
  } catch (e) {
    if (e instanceof RangeError) return undefined; // no memory to be had
    throw e;
  }
}
