/**
 * The progress bar of `snnc simulate`: only on a terminal, and only once a run has taken a second.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { progressBar } from "../../src/cli/progress.ts";
import { fakeStream } from "../support/fake-stream.ts";

test("a terminal sees the bar after a second, not before; a pipe never", async () => {
  const tty = fakeStream(true);
  const pipe = fakeStream(false);
  const a = progressBar(10, "simulate", tty);
  const b = progressBar(10, "simulate", pipe);
  a.update(3);
  b.update(3);
  await sleep(600);
  assert.equal(tty.text, "", "nothing within the first second");
  for (let waited = 600; tty.text === "" && waited < 10_000; waited += 100) await sleep(100);
  a.update(4);
  b.update(4);
  a.stop();
  b.stop();
  assert.match(tty.text, /simulate \[.*\] 4\/10 40%/);
  assert.equal(pipe.text, "");
});

test("a run that ends within the second shows nothing", async () => {
  const tty = fakeStream(true);
  const p = progressBar(10, "simulate", tty);
  p.update(10);
  p.stop();
  await sleep(1200);
  assert.equal(tty.text, "");
});
