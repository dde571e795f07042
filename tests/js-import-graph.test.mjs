// "No two modules import each other, directly or through others": the built package's JS import
// graph (pkg/, the wasm-bindgen glue, cli/ and testing/ included) has no cycle, read by
// scripts/js-import-graph.mjs; and that script does find cycles, of every kind of import.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { cycles, importGraph } from "../scripts/js-import-graph.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("pkg/: no import cycle among the package's modules, and the graph is the one we expect", async () => {
  const graph = await importGraph(join(root, "pkg"));
  assert.deepEqual(cycles(graph), []);
  // The graph was really read (not an empty map that has no cycle either).
  assert.deepEqual([...(graph.get("client.js") ?? [])].sort(), ["env.js", "errors.js", "kakao_talk_channel.js", "marshal.js", "pack.js"]);
  // The glue imports the snippets Rust calls into, one per job (chunk.js: a users chunk written
  // into wasm memory); they share shared.js only, and chunk.js imports nothing.
  assert.deepEqual([...(graph.get("kakao_talk_channel.js") ?? [])].sort(), ["attempt.js", "chunk.js", "hooks.js", "log.js", "on-batch.js", "shared.js"]);
  assert.deepEqual([...(graph.get("chunk.js") ?? [])], []);
  for (const snippet of ["attempt.js", "hooks.js", "on-batch.js"]) assert.deepEqual([...(graph.get(snippet) ?? [])], ["shared.js"], snippet);
  assert.deepEqual([...(graph.get("marshal.js") ?? [])].sort(), ["log.js", "revive.js", "shared.js"]);
  assert.deepEqual([...(graph.get("testing/server.js") ?? [])], ["testing/emulator.js"]);
  assert.ok([...(graph.get("cli.mjs") ?? [])].includes("cli/csv.mjs"));
  assert.deepEqual([...(graph.get("webhook-read.js") ?? [])].sort(), ["errors.js", "pack.js"]);
  // pack.js reads values with what pack-kinds.js knows of them, which imports nothing.
  assert.deepEqual([...(graph.get("pack.js") ?? [])], ["pack-kinds.js"]);
  assert.deepEqual([...(graph.get("pack-kinds.js") ?? [])], []);
  assert.ok([...(graph.get("webhook.js") ?? [])].includes("webhook-read.js"));
  for (const file of ["cli/state.mjs", "cli/idtable.mjs", "webhook-stores.js", "exports.js", "workerd.js", "deno.js", "web.js"]) {
    assert.ok(graph.has(file), file);
  }
});

test("a cycle through other modules, by import, export-from, dynamic import() or require(), is found; comments and JSDoc types are not imports", async () => {
  const dir = join(root, "tests", ".scratch", "import-graph");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "sub"), { recursive: true });
  const files = {
    "a.js": 'import { b } from "./b.js";\nexport const a = () => b;\n',
    "b.js": 'export { c as b } from "./sub/c.mjs";\n',
    "sub/c.mjs": 'export const c = 1;\nexport const later = () => import("../a.js");\n',
    "d.cjs": 'module.exports = require("./e.cjs");\n',
    "e.cjs": 'module.exports = { d: () => require("./d.cjs") };\n',
    "self.js": 'export * from "./self.js";\n',
    "quiet.js": '// import "./a.js"\n/** @param {import("./a.js").a} x */\nexport const q = (x) => x;\nexport const s = \'import "./a.js"\';\n',
    "leaf.js": 'import "./quiet.js";\nimport "node:fs";\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const graph = await importGraph(dir);
  assert.deepEqual(graph.get("quiet.js"), new Set());
  assert.deepEqual(graph.get("leaf.js"), new Set(["quiet.js"]));
  assert.deepEqual(cycles(graph), [
    ["a.js", "b.js", "sub/c.mjs", "a.js"],
    ["d.cjs", "e.cjs", "d.cjs"],
    ["self.js", "self.js"],
  ]);
});
