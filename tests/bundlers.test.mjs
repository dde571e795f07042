// The packed tarball, installed into a scratch project, bundled by esbuild (ESM and CJS output)
// and webpack 5 for Node with no plugin: each bundle is copied ALONE into an empty folder and
// run, so it must carry the wasm itself. And in plain Node, `import` and `require` of the
// package share one module instance: the same classes, one wasm instance; it reads the .wasm file
// next to the entry, and loads the inline copy only when that file is missing.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import webpack from "webpack";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = join(root, "tests", ".scratch", "bundlers");
const packDir = join(root, "target", "pack-bundlers");
const temps = [];

async function sh(cmd, args, opts = {}) {
  try {
    return await run(cmd, args, { cwd: scratch, maxBuffer: 32 << 20, timeout: 60_000, ...opts });
  } catch (err) {
    err.message += `\n--- stdout\n${err.stdout}\n--- stderr\n${err.stderr}`;
    throw err;
  }
}

// The app: the emulator on loopback, two real calls and one refused before any request. The
// same body runs as ESM (top-level await, `import`) and as CommonJS (`require`).
const body = `
const emu = createKakaoEmulator();
emu.addChannel("_ZeUTxl");
const server = await startKakaoEmulatorServer({ emulator: emu });
try {
  const kakao = new TalkChannelClient({ restApiKey: emu.restApiKey, baseUrl: server.url });
  const { fileId } = await kakao.registerCustomerFile({ channelPublicId: "_ZeUTxl", fileName: "bundled", schema: { age: "number" } });
  const list = await kakao.listCustomerFiles({ channelPublicId: "_ZeUTxl" });
  const err = await kakao.listCustomerFiles({ channelPublicId: "" }).catch((e) => e);
  console.log(JSON.stringify({
    fileId,
    files: list.files.map((f) => [f.fileId, f.fileName, f.status]),
    emptySlot: list.emptySlot,
    requests: emu.requests.length,
    validation: err instanceof ValidationError && err instanceof KakaoTalkChannelError,
    field: err.field,
    rule: err.rule,
  }));
} finally {
  await server.close();
}
`;
const APP_ESM = `import { TalkChannelClient, ValidationError, KakaoTalkChannelError } from "kakao-talk-channel";
import { createKakaoEmulator, startKakaoEmulatorServer } from "kakao-talk-channel/testing";
${body}`;
const APP_CJS = `"use strict";
const { TalkChannelClient, ValidationError, KakaoTalkChannelError } = require("kakao-talk-channel");
const { createKakaoEmulator, startKakaoEmulatorServer } = require("kakao-talk-channel/testing");
(async () => {${body}})().catch((e) => { console.error(e); process.exit(1); });
`;

let expected;

before(async () => {
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  const { stdout } = await sh("npm", ["pack", "--pack-destination", packDir, "--loglevel=error"], { cwd: join(root, "pkg") });
  const tarball = join(packDir, stdout.trim().split("\n").at(-1));
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(
    join(scratch, "package.json"),
    JSON.stringify({ name: "scratch-bundlers", private: true, type: "module", dependencies: { "kakao-talk-channel": `file:${tarball}` } }, null, 2),
  );
  await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"]);
  writeFileSync(join(scratch, "app.mjs"), APP_ESM);
  writeFileSync(join(scratch, "app.cjs"), APP_CJS);
  // Unbundled, in the scratch project: the output every bundle must reproduce.
  expected = (await sh(process.execPath, ["app.mjs"])).stdout;
});

after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Copies the one file of `outDir` into a new empty folder and runs it there with node. */
async function runAlone(outDir) {
  const files = readdirSync(outDir);
  assert.equal(files.length, 1, `one output file: ${files.join(", ")}`);
  const alone = mkdtempSync(join(tmpdir(), "ktc-bundle-"));
  temps.push(alone);
  copyFileSync(join(outDir, files[0]), join(alone, files[0]));
  const { stdout } = await sh(process.execPath, [files[0]], { cwd: alone });
  return { stdout, size: statSync(join(alone, files[0])).size };
}

function assertApp(stdout) {
  assert.equal(stdout, expected);
  assert.deepEqual(JSON.parse(stdout), {
    fileId: 437,
    files: [[437, "bundled", "using"]],
    emptySlot: 29,
    requests: 2,
    validation: true,
    field: "channelPublicId",
    rule: "channel_id.empty",
  });
}

async function esbuildApp(entry, format) {
  const outDir = join(scratch, "dist", `esbuild-${format}`);
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(scratch, entry)],
    outfile: join(outDir, format === "esm" ? "app.mjs" : "app.cjs"),
    bundle: true,
    platform: "node",
    format,
    logLevel: "silent",
  });
  assert.deepEqual(result.warnings, []);
  return outDir;
}

async function webpackApp(entry) {
  const outDir = join(scratch, "dist", `webpack-${entry}`);
  rmSync(outDir, { recursive: true, force: true });
  const stats = await new Promise((resolve, reject) =>
    webpack(
      {
        context: scratch,
        entry: `./${entry}`,
        target: "node",
        mode: "production",
        // Minifying the inlined wasm's base64 only costs test time.
        optimization: { minimize: false },
        performance: { hints: false },
        output: { path: outDir, filename: "app.cjs" },
      },
      (err, s) => (err ? reject(err) : resolve(s)),
    ),
  );
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual([info.errors, info.warnings], [[], []], JSON.stringify(info, null, 2));
  return outDir;
}

describe("a bundle for Node runs alone, with no plugin and no copied .wasm", () => {
  test("unbundled, as installed (the reference output)", () => assertApp(expected));

  test("esbuild --bundle --platform=node --format=esm", async () => {
    assertApp((await runAlone(await esbuildApp("app.mjs", "esm"))).stdout);
  });

  test("esbuild --bundle --platform=node --format=cjs", async () => {
    assertApp((await runAlone(await esbuildApp("app.cjs", "cjs"))).stdout);
  });

  test("webpack 5 --target node (production mode), ESM app", async () => {
    assertApp((await runAlone(await webpackApp("app.mjs"))).stdout);
  });

  test("webpack 5 --target node (production mode), CommonJS app", async () => {
    assertApp((await runAlone(await webpackApp("app.cjs"))).stdout);
  });
});

describe("one module instance in Node: import and require share classes and the wasm", () => {
  // Counts wasm compilations and instantiations, then loads the package both ways, in the order
  // given, and checks errors thrown through one are instances of the other's classes.
  const probe = (first) => `
import { createRequire } from "node:module";
let compiled = 0, instantiated = 0;
const { Module, Instance } = WebAssembly;
WebAssembly.Module = new Proxy(Module, { construct: (t, a) => (compiled++, Reflect.construct(t, a)) });
WebAssembly.Instance = new Proxy(Instance, { construct: (t, a) => (instantiated++, Reflect.construct(t, a)) });
const require = createRequire(import.meta.url);
const load = { import: () => import("kakao-talk-channel"), require: async () => require("kakao-talk-channel") };
const a = await load[${JSON.stringify(first)}]();
const b = await load[${JSON.stringify(first === "import" ? "require" : "import")}]();
const esm = ${first === "import" ? "a" : "b"}, cjs = ${first === "import" ? "b" : "a"};
const refused = (sdk) => new sdk.TalkChannelClient({ restApiKey: "k".repeat(32), baseUrl: "http://127.0.0.1:9" })
  .listCustomerFiles({ channelPublicId: "" }).catch((e) => e);
const fromCjs = await refused(cjs), fromEsm = await refused(esm);
console.log(JSON.stringify({
  compiled, instantiated,
  sameClient: cjs.TalkChannelClient === esm.TalkChannelClient,
  sameNames: Object.keys(cjs).sort().join() === Object.keys(esm).sort().join(),
  cjsErrorIsEsmClass: fromCjs instanceof esm.ValidationError && fromCjs instanceof esm.KakaoTalkChannelError,
  esmErrorIsCjsClass: fromEsm instanceof cjs.ValidationError && fromEsm instanceof cjs.KakaoTalkChannelError,
  rule: fromCjs.rule,
}));
`;
  for (const first of ["import", "require"]) {
    test(`${first} first, then the other`, async () => {
      writeFileSync(join(scratch, `identity-${first}.mjs`), probe(first));
      const { stdout } = await sh(process.execPath, [`identity-${first}.mjs`]);
      assert.deepEqual(JSON.parse(stdout), {
        compiled: 1,
        instantiated: 1,
        sameClient: true,
        sameNames: true,
        cjsErrorIsEsmClass: true,
        esmErrorIsCjsClass: true,
        rule: "channel_id.empty",
      });
    });
  }
});

describe("the webhook in plain Node: loaded on first use, sharing the client's wasm and classes", () => {
  // node-bundle.cjs gives the webhook's functions as wrappers that require node-webhook.cjs on
  // their first call; that bundle takes the glue, errors and pack from node-core.cjs.
  const probe = `
import { createRequire } from "node:module";
let compiled = 0;
const { Module } = WebAssembly;
WebAssembly.Module = new Proxy(Module, { construct: (t, a) => (compiled++, Reflect.construct(t, a)) });
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((f) => f.endsWith("node-webhook.cjs"));
const cjs = require("kakao-talk-channel");
const esm = await import("kakao-talk-channel");
const atImport = loaded();
let refused;
try {
  esm.constructChannelWebhookEvent("{}", { authorization: "KakaoAK not-the-key" }, { adminKey: "k".repeat(32) });
} catch (e) {
  refused = e;
}
console.log(JSON.stringify({
  atImport,
  afterCall: loaded(),
  compiled,
  same: cjs.constructChannelWebhookEvent === esm.constructChannelWebhookEvent,
  fns: ["constructChannelWebhookEvent", "parseChannelWebhook", "createChannelWebhookHandler", "d1SeenStore", "kvSeenStore", "redisSeenStore", "toNodeHandler", "createNodeWebhookHandler"].map((n) => [esm[n].name, esm[n].length].join("/")),
  authError: refused instanceof cjs.WebhookAuthError && refused instanceof esm.KakaoTalkChannelError,
  validation: (() => { try { esm.createChannelWebhookHandler({ adminKey: "k".repeat(32), onEvent: 1 }); } catch (e) { return e instanceof cjs.ValidationError && e.field; } })(),
}));
`;

  test("not loaded at import; on the first call its errors are the entry's classes and the wasm is compiled once", async () => {
    writeFileSync(join(scratch, "webhook-lazy.mjs"), probe);
    const { stdout } = await sh(process.execPath, ["webhook-lazy.mjs"]);
    assert.deepEqual(JSON.parse(stdout), {
      atImport: false,
      afterCall: true,
      compiled: 1,
      same: true,
      fns: ["constructChannelWebhookEvent/3", "parseChannelWebhook/2", "createChannelWebhookHandler/1", "d1SeenStore/2", "kvSeenStore/2", "redisSeenStore/2", "toNodeHandler/2", "createNodeWebhookHandler/1"],
      authError: true,
      validation: "onEvent",
    });
  });
});

describe("where plain Node takes the wasm from", () => {
  // Which of the package's files a process loaded, and whether the client works.
  const probe = `
const sdk = require("kakao-talk-channel");
const err = new sdk.TalkChannelClient({ restApiKey: "k".repeat(32), baseUrl: "http://127.0.0.1:9" })
  .listCustomerFiles({ channelPublicId: "" }).catch((e) => e);
err.then((e) => console.log(JSON.stringify({
  inline: Object.keys(require.cache).some((f) => f.endsWith("wasm-inline.cjs")),
  rule: e.rule,
})));
`;

  test("the .wasm file next to the entry: the inline copy is never loaded", async () => {
    writeFileSync(join(scratch, "where.cjs"), probe);
    const { stdout } = await sh(process.execPath, ["where.cjs"]);
    assert.deepEqual(JSON.parse(stdout), { inline: false, rule: "channel_id.empty" });
  });

  test("no .wasm file next to the entry: the inline copy (wasm-inline.cjs)", async () => {
    const copy = mkdtempSync(join(tmpdir(), "ktc-nowasm-"));
    temps.push(copy);
    cpSync(join(scratch, "node_modules"), join(copy, "node_modules"), { recursive: true });
    rmSync(join(copy, "node_modules", "kakao-talk-channel", "kakao_talk_channel_bg.wasm"));
    writeFileSync(join(copy, "where.cjs"), probe);
    const { stdout } = await sh(process.execPath, ["where.cjs"], { cwd: copy });
    assert.deepEqual(JSON.parse(stdout), { inline: true, rule: "channel_id.empty" });
  });

  test("another build's .wasm next to the entry (a length that is not this build's): the inline copy", async () => {
    const copy = mkdtempSync(join(tmpdir(), "ktc-otherwasm-"));
    temps.push(copy);
    cpSync(join(scratch, "node_modules"), join(copy, "node_modules"), { recursive: true });
    const file = join(copy, "node_modules", "kakao-talk-channel", "kakao_talk_channel_bg.wasm");
    // A valid module of another length: were it loaded, the glue's imports would not match it.
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([0x00, 0x04, 0x01, 0x78, 0x00])]));
    writeFileSync(join(copy, "where.cjs"), probe);
    const { stdout } = await sh(process.execPath, ["where.cjs"], { cwd: copy });
    assert.deepEqual(JSON.parse(stdout), { inline: true, rule: "channel_id.empty" });
  });
});
