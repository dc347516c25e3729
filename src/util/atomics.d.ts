// Atomics.waitAsync (ES2024), which Node.js 20 has; the ES library the project compiles against
// (ES2022) does not declare it.
interface Atomics {
  waitAsync(
    typedArray: Int32Array,
    index: number,
    value: number,
    timeout?: number,
  ): { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
}
