// The package's JS import graph and its cycles ("no two modules import each other, directly or
// through others"). The graph is read by esbuild's parser (its metafile lists, per module, every
// `import`, `export … from`, dynamic `import()` and `require()`, resolved to a file), so comments
// and strings never count and JSDoc `import("…")` types, which do not run, are not edges.
// Usage: node scripts/js-import-graph.mjs [dir]   (default pkg/, as built: the wasm-bindgen glue
// included). Prints the graph's size, and each cycle found; exits 1 when there is one. Run by
// tests/js-import-graph.test.mjs (npm test).
import { readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Our modules under `dir`: .js, .mjs and .cjs, not vendored code, not the esbuild bundles (their sources are here). */
export function moduleFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((rel) => String(rel))
    .filter((rel) => /\.(m|c)?js$/.test(rel) && !rel.split(/[\\/]/).includes("vendor") && !rel.split(/[\\/]/).includes("node_modules"))
    .filter((rel) => !["node-core.cjs", "node-webhook.cjs", "node-bundle.cjs", "wasm-inline.cjs", join("testing", "index.cjs")].includes(rel))
    .sort()
    .map((rel) => join(dir, rel));
}

/**
 * `Map<file, Set<file>>`, paths relative to `dir`: which of `files` each one imports (edges to
 * anything else, Node built-ins, the .wasm, vendored code, are left out).
 */
export async function importGraph(dir, files = moduleFiles(dir)) {
  const abs = new Set(files.map((f) => resolve(f)));
  const result = await build({
    // Numbered outputs: node.js and node.cjs would share one name. Nothing is written.
    entryPoints: [...abs].map((f, i) => ({ in: f, out: `m${i}` })),
    bundle: true,
    write: false,
    outdir: join(dir, ".import-graph-out"),
    platform: "node",
    format: "esm",
    metafile: true,
    logLevel: "silent",
    // Not followed, not reported: built-ins and module files, which are not our JS.
    external: ["node:*", "*.wasm"],
    // `__WASM_BYTE_LENGTH__` in node-core.js, `import.meta.url` in the glue: harmless here.
    define: { __WASM_BYTE_LENGTH__: "0" },
  });
  const cwd = process.cwd();
  const graph = new Map([...abs].map((f) => [relative(dir, f), new Set()]));
  for (const [input, { imports }] of Object.entries(result.metafile.inputs)) {
    const from = resolve(cwd, input);
    if (!abs.has(from)) continue;
    for (const imp of imports) {
      if (imp.external) continue;
      const to = resolve(cwd, imp.path);
      if (abs.has(to)) graph.get(relative(dir, from))?.add(relative(dir, to));
    }
  }
  return graph;
}

/** Every cycle of `graph` once, as the list of its modules from its smallest name, first repeated at the end. */
export function cycles(graph) {
  const found = new Map();
  const walk = (start, node, path, onPath) => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        // `start` is the cycle's smallest module (only larger ones are walked): each cycle once.
        found.set([...path, start].join(" -> "), [...path, start]);
      } else if (!onPath.has(next) && next > start) {
        onPath.add(next);
        walk(start, next, [...path, next], onPath);
        onPath.delete(next);
      }
    }
  };
  for (const start of [...graph.keys()].sort()) walk(start, start, [start], new Set([start]));
  return [...found.values()];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "pkg"));
  const graph = await importGraph(dir);
  const edges = [...graph.values()].reduce((n, s) => n + s.size, 0);
  const found = cycles(graph);
  console.log(`${graph.size} modules, ${edges} imports, ${found.length} cycles`);
  for (const cycle of found) console.log(`cycle: ${cycle.join(" -> ")}`);
  if (found.length) process.exitCode = 1;
}
