// The runtime exports of each module of pkg/ that has a hand-written .d.ts are exactly the values
// that .d.ts declares. tsc --checkJs (tsconfig.checkjs.json) catches a declared value the .js lacks
// or types differently (each file's drift check), but inside a .js `import("./x.js")` names x.d.ts,
// so a value the .js exports and the .d.ts forgets is invisible to tsc: this test is that half.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));
const MODULES = ["client", "errors", "webhook", "webhook-node", "testing/index"];

/** The value names a .d.ts exports: `export declare function|class|const …` and `export { … }`. */
function declaredValues(dts) {
  const names = new Set();
  for (const m of dts.matchAll(/^export declare (?:abstract )?(?:function|class|const|let|var|enum) (\w+)/gm)) names.add(m[1]);
  for (const m of dts.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const part of m[1].split(",")) {
      const item = part.trim();
      if (item === "" || item.startsWith("type ")) continue;
      names.add(item.split(/\s+as\s+/).at(-1));
    }
  }
  if (/^export default /m.test(dts)) names.add("default");
  return [...names].sort();
}

for (const name of MODULES) {
  test(`${name}.js exports exactly the values ${name}.d.ts declares`, async () => {
    const dts = readFileSync(join(pkg, `${name}.d.ts`), "utf8");
    const runtime = Object.keys(await import(pathToFileURL(join(pkg, `${name}.js`)).href)).sort();
    assert.deepEqual(runtime, declaredValues(dts));
  });
}

test("declaredValues reads every kind of value export and no type", () => {
  const dts = [
    "export interface Options { a: string }",
    "export type Rule = string;",
    "export declare function run(x: number): void;",
    "export declare class Client {}",
    "export declare const Bulk: { new (): object };",
    'export { parse, check as verify, type Hidden } from "./other.js";',
  ].join("\n");
  assert.deepEqual(declaredValues(dts), ["Bulk", "Client", "parse", "run", "verify"]);
});

test("a value the .js exports and its .d.ts forgets is found", async () => {
  const dts = readFileSync(join(pkg, "webhook.d.ts"), "utf8").replace("export declare function kvSeenStore(", "declare function kvSeenStore(");
  const runtime = Object.keys(await import(pathToFileURL(join(pkg, "webhook.js")).href)).sort();
  assert.deepEqual(
    runtime.filter((n) => !declaredValues(dts).includes(n)),
    ["kvSeenStore"],
  );
});
