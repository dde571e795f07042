// Assembles pkg/ — the npm package — from wasm-bindgen's output (target/bindgen) and
// pkg-template/. Usage: node scripts/build-pkg.mjs
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bindgen = join(root, "target", "bindgen");
const template = join(root, "pkg-template");
const out = join(root, "pkg");
const NAME = "kakao_talk_channel";

function fail(msg) {
  console.error(`build-pkg: ${msg}`);
  process.exit(1);
}

/** wasm-bindgen's .d.ts → the one we ship: optional options, no init API (the entries init). */
function fixTypes(dts) {
  let t = dts.replace(/\(options: ClientOptions\)/g, "(options?: ClientOptions)");
  t = t.replace(/, options: RequestOptions\)/g, ", options?: RequestOptions)");
  // `[Symbol.dispose]` needs lib esnext.disposable: it would break users on lib ES2022.
  t = t.replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/m, "");
  const cut = t.indexOf("export type InitInput");
  if (cut < 0) fail("unexpected wasm-bindgen .d.ts: no InitInput");
  t = `${t.slice(0, cut).trimEnd()}\n`;
  if (/\bany\b/.test(t.replace(/\/\*[\s\S]*?\*\//g, ""))) fail("public types contain `any`");
  return t;
}

const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
if (!version) fail("no version in Cargo.toml");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "testing"), { recursive: true });

// 1. The glue: point its snippet imports at our shipped files (each a snippet: one per job).
let glue = readFileSync(join(bindgen, `${NAME}.js`), "utf8");
const SNIPPETS = ["attempt.js", "log.js", "hooks.js", "on-batch.js", "shared.js", "chunk.js"];
for (const file of SNIPPETS) {
  const snippetImport = new RegExp(`from '\\./snippets/[^']+/pkg-template/${file.replace(".", "\\.")}'`, "g");
  if ((glue.match(snippetImport) ?? []).length !== 1) fail(`expected exactly one ${file} snippet import in the glue`);
  glue = glue.replace(snippetImport, `from './${file}'`);
}
if (/from '\.\/snippets\//.test(glue)) fail("the glue imports a snippet this script does not ship");
writeFileSync(join(out, `${NAME}.js`), glue);

// 2. Types.
const dts = `${fixTypes(readFileSync(join(bindgen, `${NAME}.d.ts`), "utf8"))}\n${readFileSync(join(template, "glue.d.ts"), "utf8")}`;
writeFileSync(join(out, `${NAME}.d.ts`), dts);
writeFileSync(join(out, `${NAME}.d.cts`), dts);

// 3. The wasm, optimised for size.
const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
// `--low-memory-unused` lets wasm-opt fold a constant added to a pointer into the load's or store's
// offset (-2.4 KB raw, -0.6 KB gzip). Sound for this module: Rust's wasm32 linker puts the 1 MiB
// stack first (growing down from 1 MiB, data above it: the first data segment is at 1048576), so
// the low 1 KiB is never a Rust object's address short of a stack 1,023 KiB deep.
// `--converge` repeats -Oz until it stops shrinking (-0.1 KB gzip). `--strip-target-features`: the
// `target_features` section (132 B) is read by linkers only, never by an engine.
// `--one-caller-inline-max-function-size 100`: binaryen otherwise inlines every function that
// has one caller, whatever its size (Rust's `#[inline(never)]` is lost there), which welds the
// error paths and rarely used branches into the functions that run: the constructor's shim was
// one 12 KB function. V8 compiles a wasm function (Liftoff) on its first call, whole; with
// large single-caller functions kept apart, the constructor and the first call compile 11%
// fewer bytes (101.9 -> 91.0 KB, counted with `--trace-wasm-lazy-compilation`) and the
// constructor's first run costs about 0.3 ms less CPU (Node 20, fresh copies in one process,
// 40 processes); the .wasm is 1.6 KB larger raw and 2.2 KB smaller gzipped. No change of the
// warm single call (bench/cold-hot.mjs hot).
execFileSync(wasmOpt, [
  "--low-memory-unused",
  "--one-caller-inline-max-function-size",
  "100",
  "-Oz",
  "--converge",
  "--strip-debug",
  "--strip-producers",
  "--strip-target-features",
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
  join(bindgen, `${NAME}_bg.wasm`),
  "-o",
  join(out, `${NAME}_bg.wasm`),
], { stdio: "inherit" });

// 4. Hand-written files.
for (const rel of ["errors.js", "env.js", "webhook.js", "webhook-read.js", "webhook-stores.js", "marshal.js", ...SNIPPETS, "revive.js", "pack.js", "pack-kinds.js", "client.js", "client.d.ts", "exports.js", "node.cjs", "workerd.js", "deno.js", "web.js", "index.d.ts", "errors.d.ts", "webhook.d.ts", "webhook-node.js", "webhook-node.d.ts"]) {
  cpSync(join(template, rel), join(out, rel));
}
// The emulator (kakao-talk-channel/testing): every module of pkg-template/testing/, by extension.
const testingFiles = readdirSync(join(template, "testing")).filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"));
if (!testingFiles.includes("index.js") || !testingFiles.includes("index.d.ts")) fail("pkg-template/testing/ has no index.js or index.d.ts");
for (const file of testingFiles) cpSync(join(template, "testing", file), join(out, "testing", file));

// 4a. The Node entry, in three CommonJS files. node-core.cjs, an esbuild bundle of node-core.js
// (esbuild follows its imports): the wasm — read from the optimised `.wasm` next to it in plain
// Node, otherwise from wasm-inline.cjs, the same bytes as base64 (written below, left out of the
// bundle: plain Node never parses it, while a bundler follows the static require and carries it,
// so its output needs no copied .wasm and no plugin) — the client, the error classes, and by
// namespace the modules the webhook shares with them. node-webhook.cjs, an esbuild bundle of the
// webhook's exports (exports.js's lines from webhook.js and webhook-node.js), whose imports of
// those shared modules are read from node-core.cjs's namespaces: one instance of each. And
// node-bundle.cjs, written here (required by the node.cjs shim): exports.js's names, the
// webhook's as functions that require node-webhook.cjs on their first call, so that an app that
// never uses the webhook never parses it (measured: −0.9 ms of `import`, Node 20). Then the
// emulator's twin testing/index.cjs. Any warning, or an import left that is not a Node built-in
// (or wasm-inline.cjs, node-core.cjs where expected), fails the build.
const WASM_INLINE = "./wasm-inline.cjs";
const CORE = "./node-core.cjs";
/** The modules node-webhook.cjs takes from node-core.cjs, by the namespace node-core.js exports. */
const SHARED = { "./kakao_talk_channel.js": "glue", "./errors.js": "errors", "./marshal.js": "marshal", "./pack.js": "pack", "./env.js": "env" };
const sharedFromCore = {
  name: "shared-from-core",
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) => (args.path in SHARED ? { path: args.path, namespace: "core" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "core" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(CORE)}).${SHARED[args.path]};`,
      loader: "js",
    }));
  },
};
async function bundleCjs(entry, outfile, banner, plugins = []) {
  const result = await build({
    ...entry,
    outfile: join(out, outfile),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node18",
    charset: "utf8",
    external: [WASM_INLINE, CORE],
    plugins,
    banner: { js: banner },
    // Only the glue's init() (fetching the wasm by URL) reads import.meta.url, and node-core.cjs
    // never calls it; checked below: no output has the .wasm's name in a string.
    // __WASM_BYTE_LENGTH__: node-core.js reads the .wasm beside it only when it has this length.
    define: { "import.meta.url": "undefined", __WASM_BYTE_LENGTH__: String(statSync(join(out, `${NAME}_bg.wasm`)).size) },
    metafile: true,
    logLevel: "silent",
  });
  if (result.warnings.length) fail(`esbuild ${outfile}: ${result.warnings.map((w) => w.text).join("; ")}`);
  // The .wasm is named once, in node-core.cjs, read next to `__dirname`; nowhere else (the glue's
  // own `new URL("…_bg.wasm", import.meta.url)` must be gone).
  const named = readFileSync(join(out, outfile), "utf8").match(/["'`][^"'`\n]*_bg\.wasm["'`]/g) ?? [];
  const allowed = outfile === "node-core.cjs" ? ["`$" + "{__dirname}/kakao_talk_channel_bg.wasm`"] : [];
  if (named.join() !== allowed.join()) fail(`${outfile} names the .wasm: ${named.join(", ")}`);
  for (const imp of Object.values(result.metafile.outputs).flatMap((o) => o.imports)) {
    const expected = (outfile === "node-core.cjs" && imp.path === WASM_INLINE) || (outfile === "node-webhook.cjs" && imp.path === CORE);
    if (!imp.external || !(imp.path.startsWith("node:") || expected)) fail(`${outfile} still imports ${imp.path}`);
  }
  return Object.keys(result.metafile.inputs).map((input) => resolve(input));
}
await bundleCjs(
  { stdin: { contents: readFileSync(join(template, "node-core.js"), "utf8"), resolveDir: out, sourcefile: "node-core.js" } },
  "node-core.cjs",
  "// @ts-nocheck\n// The SDK for Node and Bun, but the webhook (loaded through node.cjs and node-bundle.cjs): built by\n// scripts/build-pkg.mjs from pkg-template/node-core.js with esbuild; the wasm is read from the file next to it, else from wasm-inline.cjs.",
);
if (!readFileSync(join(out, "node-core.cjs"), "utf8").includes(`require("${WASM_INLINE}")`)) fail("node-core.cjs does not require wasm-inline.cjs");
writeFileSync(
  join(out, "wasm-inline.cjs"),
  "// The optimised .wasm as base64, for bundlers: node-core.cjs requires it only when the .wasm file\n" +
    "// is not next to it (a bundle's output run alone). Written by scripts/build-pkg.mjs.\n" +
    `"use strict";\nmodule.exports = Buffer.from("${readFileSync(join(out, `${NAME}_bg.wasm`)).toString("base64")}", "base64");\n`,
);
const exportsJs = readFileSync(join(template, "exports.js"), "utf8");
const webhookExports = exportsJs.match(/^export \{[^}]*\} from "\.\/webhook(?:-node)?\.js";$/gm) ?? [];
if (webhookExports.length !== 2) fail("exports.js: expected one export line from webhook.js and one from webhook-node.js");
const webhookInputs = await bundleCjs(
  { stdin: { contents: webhookExports.join("\n"), resolveDir: out, sourcefile: "node-webhook.js" } },
  "node-webhook.cjs",
  "// @ts-nocheck\n// The webhook for Node and Bun, loaded by node-bundle.cjs on the first call of a webhook function: built\n// by scripts/build-pkg.mjs with esbuild; the modules it shares with the client are node-core.cjs's.",
  [sharedFromCore],
);
for (const input of webhookInputs) {
  if (!/(^|[\\/])webhook(-node|-read|-stores)?\.js$|^core:|node-webhook\.js$/.test(input.replace(`${process.cwd()}/`, ""))) fail(`node-webhook.cjs carries ${input}: a second instance of a shared module?`);
}
const requireBuilt = createRequire(join(out, "node-core.cjs"));
const core = requireBuilt(CORE);
const hooks = requireBuilt("./node-webhook.cjs");
// Every name the webhook's modules import from a shared module is in node-core.cjs's namespace
// for it (a missing one would be undefined at run time, with no esbuild warning).
for (const file of ["webhook.js", "webhook-read.js", "webhook-stores.js", "webhook-node.js"]) {
  for (const [, names, from] of readFileSync(join(template, file), "utf8").matchAll(/^import \{([^}]*)\} from "([^"]+)";$/gm)) {
    if (!(from in SHARED)) continue;
    for (const n of names.split(",").map((x) => x.trim()).filter(Boolean)) {
      if (!(n in core[SHARED[from]])) fail(`${file} imports ${n} from ${from}, which node-core.js does not export in its ${SHARED[from]} namespace`);
    }
  }
}
// node-bundle.cjs: exports.js's names, in its order; the webhook's wrapped, the rest node-core.cjs's.
const publicNames = [...exportsJs.matchAll(/^export \{([^}]*)\} from/gm)].flatMap((m) => m[1].split(",").map((n) => n.trim()).filter(Boolean));
const entryLines = publicNames.map((n) => {
  if (n in hooks) {
    if (typeof hooks[n] !== "function") fail(`node-webhook.cjs: ${n} is not a function`);
    return `  ${n}: lazy(${JSON.stringify(n)}, ${hooks[n].length}),`;
  }
  if (n in core) return `  ${n}: core.${n},`;
  if (n in core.errors) return `  ${n}: core.errors.${n},`;
  return fail(`node-core.cjs has no ${n}`);
});
writeFileSync(
  join(out, "node-bundle.cjs"),
  `// The SDK for Node and Bun (required by node.cjs), written by scripts/build-pkg.mjs: node-core.cjs's
// client and error classes, and the webhook's functions, which load node-webhook.cjs on their first
// call (an app that never uses the webhook never parses it). Same names as exports.js.
"use strict";
const core = require(${JSON.stringify(CORE)});
/** @type {Record<string, (...args: unknown[]) => unknown> | undefined} */
let webhook;
/** The webhook's exports, loaded once, on first use. */
function load() {
  if (webhook === undefined) webhook = require("./node-webhook.cjs");
  return /** @type {Record<string, (...args: unknown[]) => unknown>} */ (webhook);
}
/**
 * A function of the webhook's, by name, with its name and length.
 * @param {string} name
 * @param {number} length
 */
function lazy(name, length) {
  /** @this {unknown} @param {...unknown} args */
  const f = function (...args) {
    return load()[name].apply(this, args);
  };
  Object.defineProperty(f, "name", { value: name });
  Object.defineProperty(f, "length", { value: length });
  return f;
}
module.exports = {
${entryLines.join("\n")}
};
`,
);
const emulatorInputs = await bundleCjs(
  { entryPoints: [join(out, "testing", "index.js")] },
  "testing/index.cjs",
  "// The Kakao emulator for require(): built by scripts/build-pkg.mjs from testing/index.js with esbuild.",
);
// The emulator is an independent reading of Kakao's doc: it may import nothing outside testing/.
for (const input of emulatorInputs) {
  if (dirname(input) !== join(out, "testing")) fail(`the emulator imports ${input}, outside testing/`);
}

// 4b. node.js, the ESM entry for Node and Bun, re-exports node.cjs by name (the names are read
// from the built file, so they follow exports.js): Node 18 imports CommonJS natively, and one
// module instance means one wasm instance and one set of error classes for import and require.
const names = Object.keys(createRequire(import.meta.url)(join(out, "node.cjs"))).sort();
if (!names.includes("TalkChannelClient")) fail(`node.cjs exports no TalkChannelClient: ${names.join(", ")}`);
writeFileSync(
  join(out, "node.js"),
  `// Node and Bun entry (ESM), generated by scripts/build-pkg.mjs: re-exports node.cjs, so
// \`import\` and \`require\` share one module instance, one wasm instance and one set of classes.
import sdk from "./node.cjs";

export const {
${names.map((n) => `  ${n},`).join("\n")}
} = sdk;
`,
);
const ctsOf = (s) => s.replace(/from "\.\/([\w/]+)\.js"/g, 'from "./$1.cjs"');
writeFileSync(join(out, "index.d.cts"), ctsOf(readFileSync(join(template, "index.d.ts"), "utf8")));
// The rule ids and Kakao's error kinds, from the Rust tables (crates/core/src/rules.rs and
// crates/core/src/kinds.rs) as scripts/id_tables.rs prints them: one source for both languages, read
// as data. A host program rather than a wasm export, so the shipped wasm carries none of it.
const { rules, kinds } = JSON.parse(
  execFileSync("cargo", ["run", "--quiet", "--example", "id_tables"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }),
);
if (!Array.isArray(rules) || !Array.isArray(kinds) || rules.length < 40 || kinds.length < 20) fail(`rule ids (${rules?.length}) or error kinds (${kinds?.length}) not printed by scripts/id_tables.rs`);
const errorsDts = readFileSync(join(template, "errors.d.ts"), "utf8")
  .replace("/* RULES */ string", rules.map((r) => JSON.stringify(r)).join(" | "))
  .replace("/* KINDS */ (string & {})", `${kinds.map((k) => JSON.stringify(k)).join(" | ")} | (string & {})`);
if (errorsDts.includes("/* RULES */") || errorsDts.includes("/* KINDS */")) fail("errors.d.ts placeholders not replaced");
writeFileSync(join(out, "errors.d.ts"), errorsDts);
for (const rel of ["errors.d.ts", "webhook.d.ts", "webhook-node.d.ts", "client.d.ts"]) {
  writeFileSync(join(out, rel.replace(/\.d\.ts$/, ".d.cts")), ctsOf(readFileSync(join(out, rel), "utf8")));
}
cpSync(join(template, "testing/index.d.ts"), join(out, "testing/index.d.cts"));

// 4c. The sync CLI (`bin`), and the CSV parser it uses: csv-parse's ESM sources (pinned in
// package-lock.json as a devDependency) with its license, so the package has no dependencies.
cpSync(join(template, "cli.mjs"), join(out, "cli.mjs"));
cpSync(join(template, "cli"), join(out, "cli"), { recursive: true });
chmodSync(join(out, "cli.mjs"), 0o755);
const csvParse = join(root, "node_modules", "csv-parse");
const csvVersion = JSON.parse(readFileSync(join(csvParse, "package.json"), "utf8")).version;
for (const rel of ["sync.js", "api", "utils"]) {
  cpSync(join(csvParse, "lib", rel), join(out, "vendor", "csv-parse", rel), { recursive: true, filter: (src) => !src.endsWith(".d.ts") });
}
cpSync(join(csvParse, "LICENSE"), join(out, "vendor", "csv-parse", "LICENSE"));
writeFileSync(join(out, "vendor", "csv-parse", "README.md"), `csv-parse ${csvVersion} (MIT, see LICENSE): its ESM sources, used by cli.mjs through api/index.js.\n`);
// Third-party code: not type-checked by our tsc --checkJs run (a marker comment, nothing else).
for (const rel of readdirSync(join(out, "vendor", "csv-parse"), { recursive: true })) {
  const file = join(out, "vendor", "csv-parse", String(rel));
  if (file.endsWith(".js")) writeFileSync(file, `// @ts-nocheck\n${readFileSync(file, "utf8")}`);
}

// 4d. The Node examples, for npm users (no repository link yet): the npm README names them as
// node_modules/kakao-talk-channel/examples/…, runnable in place (they import the package by name).
mkdirSync(join(out, "examples"));
for (const rel of ["quickstart.mjs", "webhook-server.mjs", "webhook-express.mjs", "webhook-fastify.mjs"]) {
  cpSync(join(root, "examples-node", rel), join(out, "examples", rel));
}

// 5. package.json and README.
const pkg = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
pkg.version = version;
writeFileSync(join(out, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
// The npm page's README, written for users of the package (the repository README links into the repository).
cpSync(join(template, "README.md"), join(out, "README.md"));

const wasmBytes = readFileSync(join(out, `${NAME}_bg.wasm`)).length;
console.log(`pkg/ assembled: kakao-talk-channel@${version}, ${readdirSync(out).length} entries, wasm ${wasmBytes} bytes`);
