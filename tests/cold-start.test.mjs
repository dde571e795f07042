// The wasm a cold start compiles (issue 19). V8 compiles each wasm function on its first call
// (lazily, with Liftoff), whole: what a fresh process compiles for the constructor and the first
// checkChannelRelationship is a fixed amount of code, counted here from V8's own trace
// (`--trace-wasm-lazy-compilation --trace-wasm-compilation-times`, one line per function with
// its `bodysize`). A count of bytes, not a timing: the same on a loaded machine. The bounds hold
// the build's choices (scripts/build-pkg.mjs: binaryen does not inline large single-caller
// functions; src/api/options.rs: the constructor's refusals out of line) with some room: before
// them, the constructor compiled 48.3 KB and the two together 102.3 KB.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { leb } from "../scripts/bindgen-input.mjs";

const entry = fileURLToPath(new URL("../pkg/node.js", import.meta.url));
// The marks are written with writeSync: a write to a pipe through process.stdout may land after
// the next await, that is after the lines V8 printed meanwhile.
const child = `
import { writeSync } from "node:fs";
const { TalkChannelClient } = await import(${JSON.stringify(entry)});
const body = '{"user_id":1234567890,"channels":[{"channel_uuid":"@ZeUTxl","channel_public_id":"_ZeUTxl","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2020-04-18T03:17:05Z"}]}';
const fetch = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
new Response("");
writeSync(1, "MARK imported\\n");
const client = new TalkChannelClient({ adminKey: "cold0admin0key000000000000000000", baseUrl: "http://127.0.0.1:9", fetch });
writeSync(1, "MARK constructed\\n");
const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234567890" });
writeSync(1, \`MARK called \${r.channels[0].relation}\\n\`);
`;

/** Bytes of wasm function bodies V8 compiled in each phase of a fresh process. */
function compiledBytes() {
  // V8 prints its trace with printf (buffered) and the child with write(2): one stream, in order
  // only if V8's stdout is unbuffered, hence stdbuf where there is one.
  const args = ["--trace-wasm-lazy-compilation", "--trace-wasm-compilation-times", "--input-type=module", "-e", child];
  let out;
  try {
    out = execFileSync("stdbuf", ["-o0", process.execPath, ...args], { encoding: "utf8" });
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code !== "ENOENT") throw e;
    out = execFileSync(process.execPath, args, { encoding: "utf8" });
  }
  const phases = { import: 0, construct: 0, firstCall: 0 };
  const marks = { imported: "construct", constructed: "firstCall", called: "done" };
  let phase = "import";
  let functions = 0;
  for (const line of out.split("\n")) {
    const mark = /^MARK (\w+)/.exec(line);
    if (mark) {
      phase = marks[mark[1]];
      continue;
    }
    const m = /^Compiled function .* using Liftoff.* bodysize (\d+)/.exec(line);
    if (m && phase in phases) {
      phases[phase] += Number(m[1]);
      functions++;
    }
  }
  assert.equal(phase, "done", `the child did not finish: ${out.slice(-500)}`);
  assert.ok(out.includes("MARK called ADDED"), "the first call's answer");
  return { ...phases, functions };
}

test("a cold start compiles a bounded amount of wasm: constructor ≤ 41 KB, with the first call ≤ 95 KB", (t) => {
  const major = Number(process.versions.node.split(".")[0]);
  const c = compiledBytes();
  if (c.functions === 0 && major !== 20) {
    // Another V8 may compile eagerly or word its trace differently: the bounds are Node 20's.
    t.skip(`no lazy-compilation trace from Node ${process.versions.node}`);
    return;
  }
  t.diagnostic(`compiled: constructor ${c.construct} B, first call ${c.firstCall} B (${c.functions} functions)`);
  assert.ok(c.functions > 0, "Node 20 traces each lazily compiled wasm function");
  assert.equal(c.import, 0, "nothing is compiled before the constructor runs");
  assert.ok(c.construct <= 41_000, `the constructor compiled ${c.construct} bytes`);
  assert.ok(c.construct + c.firstCall <= 95_000, `the constructor and the first call compiled ${c.construct + c.firstCall} bytes`);
});

/** The number of results of each exported function of a .wasm, by export name. */
function exportResultCounts(wasm) {
  const results = []; // per type index
  const funcTypes = []; // per function index (imports first)
  const exports = {};
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = leb(wasm, at + 1);
    at = body + size;
    let [count, p] = id === 0 ? [0, body] : leb(wasm, body);
    for (; count > 0; count--) {
      if (id === 1) {
        // func type: 0x60, params (value types are one byte here: no typed references), results
        assert.equal(wasm[p], 0x60, "a function type");
        const [params, q] = leb(wasm, p + 1);
        const [n, r] = leb(wasm, q + params);
        results.push(n);
        p = r + n;
      } else if (id === 2) {
        const [moduleLength, m] = leb(wasm, p);
        const [nameLength, n] = leb(wasm, m + moduleLength);
        p = n + nameLength;
        const kind = wasm[p++];
        if (kind === 0) {
          const [type, q] = leb(wasm, p);
          funcTypes.push(type);
          p = q;
        } else if (kind === 1) {
          throw new Error("an imported table: this reader does not skip one");
        } else if (kind === 2) {
          const flags = wasm[p];
          p = leb(wasm, p + 1)[1];
          if (flags & 1) p = leb(wasm, p)[1];
        } else {
          p += 2; // global: value type, mutability
        }
      } else if (id === 3) {
        const [type, q] = leb(wasm, p);
        funcTypes.push(type);
        p = q;
      } else if (id === 7) {
        const [nameLength, n] = leb(wasm, p);
        const name = wasm.subarray(n, n + nameLength).toString();
        const kind = wasm[n + nameLength];
        const [index, q] = leb(wasm, n + nameLength + 1);
        if (kind === 0) exports[name] = results[funcTypes[index]];
        p = q;
      }
    }
  }
  return exports;
}

test("no export of the .wasm returns several values: Node 20 compiles a TurboFan wrapper for each such signature inside new WebAssembly.Module", () => {
  // wasm-bindgen makes an export that returns a Result or a string return multi-values when the
  // module lists `multivalue` in its target_features; scripts/bindgen-input.mjs takes it out
  // (Node 20 compiles a TurboFan wrapper per such signature, eagerly: 1.7 ms of the Module).
  const wasm = readFileSync(new URL("../pkg/kakao_talk_channel_bg.wasm", import.meta.url));
  const counts = exportResultCounts(wasm);
  assert.ok("wasmclient_new" in counts && "wasmclient_call" in counts, `exports read: ${Object.keys(counts).join(", ")}`);
  const several = Object.entries(counts).filter(([, n]) => n > 1);
  assert.deepEqual(several, [], "exports with more than one result");
});
