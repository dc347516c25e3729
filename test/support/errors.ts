/** Assertions on refusals: an SnncError with its code, location and a one-line message. */
import assert from "node:assert/strict";
import { SnncError } from "../../src/ir/errors.ts";

export interface ExpectedError {
  code: string;
  file?: string;
  layer?: string;
  param?: string;
  /** Strings the message contains, patterns it matches. */
  parts?: (string | RegExp)[];
}

/** Assert that `err` is an SnncError as expected, its message one line naming the location. */
export function assertSnncError(err: unknown, o: ExpectedError): SnncError {
  assert.ok(err instanceof SnncError, `expected an SnncError, got ${err === undefined ? "success" : String(err)}`);
  assert.equal(err.code, o.code, err.message);
  assert.ok(!err.message.includes("\n"), `message is not one line: ${err.message}`);
  if (o.file !== undefined) {
    assert.equal(err.file, o.file, err.message);
    assert.ok(err.message.startsWith(`${o.file}: `), err.message);
  }
  if (o.layer !== undefined) {
    assert.equal(err.layer, o.layer, err.message);
    assert.ok(err.message.includes(`layer '${o.layer}'`), err.message);
  }
  if (o.param !== undefined) assert.equal(err.param, o.param, err.message);
  for (const part of o.parts ?? []) {
    if (typeof part === "string") assert.ok(err.message.includes(part), `"${part}" not in: ${err.message}`);
    else assert.match(err.message, part);
  }
  return err;
}

/** Assert that `f` throws the expected SnncError. */
export function refuses(f: () => unknown, o: ExpectedError): SnncError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  return assertSnncError(err, o);
}

/** Assert that `p` rejects with the expected SnncError. */
export async function rejects(p: Promise<unknown>, o: ExpectedError): Promise<SnncError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  return assertSnncError(err, o);
}
