/**
 * `--shard i/n`: the i-th (1-based) of n contiguous parts of a sample set of N samples, samples
 * ⌊(i−1)·N/n⌋ up to ⌊i·N/n⌋ (exclusive). The parts cover the set once, in order, and differ in
 * size by at most one; with n > N some parts are empty.
 */
import { SnncError } from "../../ir/errors.ts";

/** More parts than any CI matrix or job array holds (and small enough that i·N stays exact). */
const MAX_SHARDS = 1_000_000;

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count)
    throw new SnncError("E_USAGE", `--shard must be i/n with 1 <= i <= n (e.g. 2/4), got '${spec}'`);
  if (count > MAX_SHARDS) throw new SnncError("E_USAGE", `--shard ${spec}: at most ${MAX_SHARDS} parts`);
  return { index, count };
}

/** The samples [first, end) of shard `s` of a set of `total` samples. */
export function shardRange(total: number, s: Shard): { first: number; end: number } {
  return {
    first: Math.floor(((s.index - 1) * total) / s.count),
    end: Math.floor((s.index * total) / s.count),
  };
}
