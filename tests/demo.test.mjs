// The README's demo command runs examples-node/demo.mjs against the built package: it must
// finish with every step as documented (it exits non-zero otherwise).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("examples-node/demo.mjs: all six endpoints, a sync and the webhook against the emulator", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, "examples-node", "demo.mjs")], { timeout: 120_000, maxBuffer: 8 << 20 });
  assert.match(stdout, /calls: 200 \+ 200 \+ 50 ids/);
  assert.match(stdout, /batches: 2000 \+ 2000 \+ 1000/);
  assert.match(stdout, /added: +9 \(4 new, 5 changed\) in 1 batch/);
  assert.match(stdout, /another key: HTTP 401/);
  assert.match(stdout, /Demo finished: every call behaved as documented\.\n$/);
});
