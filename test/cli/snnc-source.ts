/**
 * `snnc` straight from the TypeScript sources (no build): `node --import tsx test/cli/snnc-source.ts
 * <args>`. The tests that need a process of their own (signals, resource limits) run this.
 */
import { main } from "../../src/cli/main.ts";

process.exitCode = await main(process.argv);
