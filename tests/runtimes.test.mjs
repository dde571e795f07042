// The packed tarball, installed into a scratch project, in every runtime: Node ESM and CJS,
// TypeScript, Deno 2, Bun 1 and Cloudflare workerd (wrangler bundle + Miniflare). Plus package
// quality: publint, arethetypeswrong, no `any` in the public types, the size budget, and the
// examples in examples-node/.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";
import { TalkChannelClient } from "../pkg/node.js";
import { createKakaoEmulator, startKakaoEmulatorServer } from "../pkg/testing/index.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const scratch = join(root, "tests", ".scratch", "app");
const packDir = join(root, "target", "pack");
// The gzip .wasm as measured here (117,464 B, zlib level 9) + 5%, rounded up to a KiB.
const GZIP_BUDGET = 121 * 1024;
// Where user 778's check is redirected: a real endpoint that would answer (for user 1001).
const REDIRECT_TARGET = "/v2/api/talk/channels?target_id_type=user_id&target_id=1001&channel_ids=_ZeUTxl&followed=1";

let tarball;
let server;
let cfgEnv;

/** Runs a command (async, so the emulator in this process keeps serving). */
async function sh(cmd, args, opts = {}) {
  try {
    return await run(cmd, args, { cwd: scratch, maxBuffer: 32 << 20, timeout: 240_000, ...opts, env: { ...process.env, ...opts.env } });
  } catch (err) {
    err.message += `\n--- stdout\n${err.stdout}\n--- stderr\n${err.stderr}`;
    throw err;
  }
}

function assertSmoke(stdout) {
  const line = stdout.split("\n").find((l) => l.startsWith("SMOKE OK "));
  assert.ok(line, `no SMOKE OK line in:\n${stdout}`);
  const report = JSON.parse(line.slice("SMOKE OK ".length));
  assert.equal(report.token, "ADDED");
  assert.deepEqual(report.multi, { users: 450, unresolved: 0 });
  assert.equal(report.added, 2500);
  assert.equal(report.webhook, "200,200,401");
  assert.equal(report.redirect, 307);
  assert.deepEqual(server.emulator.requests.filter((r) => r.query.followed !== undefined), [], "a redirect was followed");
  return report;
}

before(async () => {
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  const { stdout } = await sh("npm", ["pack", "--pack-destination", packDir, "--loglevel=error"], { cwd: join(root, "pkg") });
  tarball = join(packDir, stdout.trim().split("\n").at(-1));
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(
    join(scratch, "package.json"),
    JSON.stringify({ name: "scratch-app", private: true, type: "module", dependencies: { "kakao-talk-channel": `file:${tarball}` } }, null, 2),
  );
  await sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"]);
  for (const dir of ["tests/runtime", "tests/types"]) cpSync(join(root, dir), scratch, { recursive: true });
  cpSync(join(root, "examples-node", "quickstart.mjs"), join(scratch, "quickstart.mjs"));
  cpSync(join(root, "examples-node", "webhook-server.mjs"), join(scratch, "webhook-server.mjs"));
  cpSync(join(root, "examples-node", "typescript", "example.ts"), join(scratch, "example.ts"));
  cpSync(join(root, "examples-node", "cloudflare-worker"), join(scratch, "cloudflare-worker"), { recursive: true });
  writeFileSync(join(scratch, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  writeFileSync(join(scratch, "wrangler.toml"), 'name = "ktc-smoke"\nmain = "worker.mjs"\ncompatibility_date = "2026-04-01"\n');

  const emu = createKakaoEmulator();
  emu.addChannel("_ZeUTxl");
  for (let id = 1001; id <= 3500; id++) emu.setRelation(id, "_ZeUTxl", "ADDED", { at: new Date("2024-01-02T03:04:05Z") });
  emu.setRelation("9223372036854775807", "_ZeUTxl", "ADDED");
  emu.addUser(42, { talkUser: false });
  // User 777 answers slowly: the smoke proves per-attempt timeouts and backoff timers.
  emu.faults.add({ when: (r) => r.query.target_id === "777", delayMs: 5_000, times: 1_000 });
  server = await startKakaoEmulatorServer({ emulator: emu });
  // User 778 is answered with a redirect to a URL that would answer: no runtime may follow it.
  emu.faults.add({ when: (r) => r.query.target_id === "778", status: 307, headers: { location: `${server.url}${REDIRECT_TARGET}` }, body: "moved", times: 1_000 });
  cfgEnv = {
    KTC_BASE_URL: server.url,
    KTC_ADMIN_KEY: emu.adminKey,
    KTC_REST_KEY: emu.restApiKey,
    KTC_TOKEN: emu.accessTokenFor(1001),
    KTC_CHANNEL: "_ZeUTxl",
  };
});

after(() => server?.close());

/** Bundles a Worker with wrangler (resolving the `workerd` condition) and runs it in Miniflare. */
async function runWorker(dir, bindings, paths, extra = {}) {
  const env = { WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG_PATH: join(root, "target", "wrangler-logs") };
  await sh(bin("wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], { cwd: dir, env });
  const script = readdirSync(join(dir, "dist")).find((f) => f.endsWith(".js"));
  const bundle = readFileSync(join(dir, "dist", script), "utf8");
  assert.match(bundle, /\.wasm"/, "the wasm stays a separate module");
  assert.ok(!/readFileSync|node:fs/.test(bundle), "no fs in the Worker bundle");
  const { Miniflare } = await import(join(root, "node_modules", "miniflare", "dist", "src", "index.js"));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, "dist", script),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    bindings,
    ...extra,
  });
  try {
    const out = [];
    for (const p of paths) {
      // A path is fetched with GET; a function gets the Miniflare instance and returns { status, body }.
      if (typeof p === "function") {
        out.push(await p(mf));
        continue;
      }
      const res = await mf.dispatchFetch(`http://localhost${p}`);
      out.push({ status: res.status, body: await res.text() });
    }
    return out;
  } finally {
    await mf.dispose();
  }
}

describe("the tarball in every runtime", () => {
  test("Node ESM: import", async () => {
    const { stdout } = await sh(process.execPath, ["smoke.mjs"], { env: cfgEnv });
    assertSmoke(stdout);
  });

  test("Node CommonJS: require (a real CJS entry, no require(esm))", async () => {
    const { stdout } = await sh(process.execPath, ["smoke.cjs"], { env: cfgEnv });
    assert.equal(assertSmoke(stdout).resolved, "node.cjs");
  });

  test("Deno 2: local node_modules, no --allow-read needed", async () => {
    const port = new URL(server.url).port;
    const { stdout } = await sh(bin("deno"), ["run", "--allow-env", `--allow-net=127.0.0.1:${port}`, "smoke.mjs"], {
      env: { ...cfgEnv, DENO_DIR: join(root, "target", "deno-cache"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    assertSmoke(stdout);
  });

  test("Bun 1", async () => {
    const { stdout } = await sh(bin("bun"), ["smoke.mjs"], { env: { ...cfgEnv, BUN_INSTALL_CACHE_DIR: join(root, "target", "bun-cache") } });
    assertSmoke(stdout);
  });

  test("Cloudflare workerd: wrangler bundle + Miniflare", async () => {
    const [res] = await runWorker(scratch, cfgEnv, ["/smoke"]);
    assert.equal(res.status, 200, res.body);
    assertSmoke(res.body);
  });
});

describe("the sync CLI from the tarball", () => {
  test("npx kakao-talk-channel sync: the bin is linked and its vendored CSV parser ships", async () => {
    const admin = new TalkChannelClient({ restApiKey: cfgEnv.KTC_REST_KEY, baseUrl: server.url });
    const { fileId } = await admin.registerCustomerFile({ channelPublicId: "_ZeUTxl", fileName: "cli-from-tarball", schema: { age: "number" } });
    writeFileSync(join(scratch, "cli.csv"), "\uFEFFid,age\n1001,30\n1002,\"31\"\n");
    const env = { KAKAO_REST_API_KEY: cfgEnv.KTC_REST_KEY, KAKAO_BASE_URL: server.url };
    const help = await sh("npx", ["--no", "--", "kakao-talk-channel", "--help"]);
    assert.match(help.stdout, /^Usage: kakao-talk-channel sync/);
    const { stdout } = await sh("npx", ["--no", "--", "kakao-talk-channel", "sync", "--csv", "cli.csv", "--channel", "_ZeUTxl", "--file-id", String(fileId)], { env });
    assert.match(stdout, /added: +2 \(2 new, 0 changed\) in 1 batch; Kakao counted 2/);
    assert.deepEqual(Object.fromEntries(server.emulator.customerFile(fileId).users), { "app:1001": { 연령: 30 }, "app:1002": { 연령: 31 } });
  });
});

describe("examples-node", () => {
  test("quickstart.mjs runs against the emulator without keys", async () => {
    const env = { KAKAO_ADMIN_KEY: "", KAKAO_REST_API_KEY: "", KAKAO_BASE_URL: "" };
    const { stdout } = await sh(process.execPath, ["quickstart.mjs"], { env });
    assert.match(stdout, /user 1234567890: _ZeUTxl ADDED since 2020-04-18T03:17:05.000Z/);
    assert.match(stdout, /multi: 1 checked, unresolved: 42/);
    assert.match(stdout, /customer files: 0, empty slots: 30/);
  });

  test("the Cloudflare Worker answers GET /relations with the admin key from its binding", async () => {
    const out = await runWorker(join(scratch, "cloudflare-worker"), { KAKAO_ADMIN_KEY: cfgEnv.KTC_ADMIN_KEY, KAKAO_BASE_URL: server.url }, [
      "/relations?user=1001&channels=_ZeUTxl",
      "/relations?user=abc&channels=_ZeUTxl",
      "/relations?user=42&channels=_ZeUTxl",
      "/nope",
    ]);
    assert.equal(out[0].status, 200, out[0].body);
    assert.deepEqual(JSON.parse(out[0].body), {
      userId: "1001",
      channels: [{ channelPublicId: "_ZeUTxl", channelUuid: "@ZeUTxl", relation: "ADDED", createdAt: "2024-01-02T03:04:05.000Z", updatedAt: "2024-01-02T03:04:05.000Z" }],
    });
    assert.equal(out[1].status, 400);
    assert.deepEqual(JSON.parse(out[1].body).rule, "user_id.format");
    assert.equal(out[2].status, 400);
    assert.equal(JSON.parse(out[2].body).kind, "NotTalkUser");
    assert.equal(out[3].status, 404);
  });

  test("the Cloudflare Worker receives Kakao's webhook on POST /kakao/webhook (its D1 database drops redeliveries)", async () => {
    const emu = createKakaoEmulator({ adminKey: cfgEnv.KTC_ADMIN_KEY, now: () => new Date("2024-03-04T05:06:07Z") });
    emu.addChannel("_ZeUTxl");
    // Each delivery goes through the Worker as Kakao would send it over HTTP.
    const viaWorker = (mf) => (request) =>
      request.text().then((body) =>
        mf.dispatchFetch(`http://localhost${new URL(request.url).pathname}`, { method: request.method, headers: request.headers, body: body || undefined }),
      );
    const deliveries = [];
    const deliver = (event, overrides) => async (mf) => {
      const d = await emu.deliverWebhook(viaWorker(mf), event, { url: "https://worker.example/kakao/webhook", ...overrides });
      deliveries.push(d);
      return { status: d.status, body: d.responseBody };
    };
    const out = await runWorker(
      join(scratch, "cloudflare-worker"),
      { KAKAO_ADMIN_KEY: cfgEnv.KTC_ADMIN_KEY },
      [
        deliver({ event: "added", userId: "9223372036854775807", channelPublicId: "_ZeUTxl" }),
        (mf) => deliver({ event: "added", userId: "9223372036854775807", channelPublicId: "_ZeUTxl" }, { resourceId: deliveries[0].resourceId })(mf),
        deliver({ event: "blocked", userId: 5, channelPublicId: "_ZeUTxl" }, { adminKey: "wrong0key0000000000000000000000" }),
        deliver({ event: "blocked", userId: 5, channelPublicId: "_ZeUTxl", legacy: true }),
        deliver({ event: "blocked", userId: 5, channelPublicId: "_ZeUTxl" }, { body: "{" }),
        async (mf) => {
          const res = await mf.dispatchFetch("http://localhost/kakao/webhook");
          return { status: res.status, body: await res.text() };
        },
        async (mf) => {
          const db = await mf.getD1Database("DB");
          const { results } = await db.prepare("SELECT id, done FROM kakao_webhook_seen ORDER BY id").all();
          return { status: 200, body: JSON.stringify(results) };
        },
      ],
      { d1Databases: ["DB"] },
    );
    assert.deepEqual(out.map((o) => o.status), [200, 200, 401, 200, 400, 405, 200], JSON.stringify(out));
    assert.equal(JSON.parse(out[4].body).rule, "webhook.json");
    // Both handled deliveries claimed and finished in the example's D1 database (the redelivery
    // found its id done): the D1 binding of wrangler.toml, not the in-memory default.
    const rows = [deliveries[0].resourceId, deliveries[3].resourceId].sort().map((id) => ({ id, done: 1 }));
    assert.deepEqual(JSON.parse(out[6].body), rows);
  });

  test("webhook-server.mjs (node:http) receives the emulator's deliveries over loopback HTTP", async () => {
    const emu = createKakaoEmulator({ now: () => new Date("2024-03-04T05:06:07Z") });
    emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
    const child = spawn(process.execPath, ["webhook-server.mjs"], {
      env: { ...process.env, KAKAO_ADMIN_KEY: emu.adminKey, PORT: "0" },
      cwd: scratch,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const url = await new Promise((resolve, reject) => {
        child.stdout.on("data", (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const ok = await emu.deliverWebhook(`${url}/kakao/webhook`, { event: "added", userId: 77, channelPublicId: "_ZeUTxl" });
      const bad = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" }, { adminKey: "wrong0key0000000000000000000000" });
      const dup = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" }, { resourceId: ok.resourceId });
      assert.deepEqual([ok.status, bad.status, dup.status], [200, 401, 200]);
      await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /added: user 77 \(app_user_id\) → _ZeUTxl at 2024-03-04T05:06:07.000Z/);
      assert.equal(out.match(/added: user 77/g).length, 1, out);
    } finally {
      child.kill();
    }
  });
});

describe("package quality", () => {
  test("TypeScript --strict: the example, exact type tests (ESM) and require types (CJS)", async () => {
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: [], skipLibCheck: false },
        files: ["example.ts", "api.ts", "require.cts", "node-globals.d.ts"],
      }),
    );
    // The example reads process.env; declare just that instead of installing @types/node.
    writeFileSync(join(scratch, "node-globals.d.ts"), "declare const process: { env: Record<string, string | undefined> };\n");
    await sh(bin("tsc"), ["-p", "tsconfig.json"]);
  });

  test("publint: no problems", async () => {
    const { stdout } = await sh(bin("publint"), ["run", tarball, "--level", "suggestion"]);
    assert.match(stdout, /All good!/, stdout);
  });

  test("arethetypeswrong: every entry resolves correctly in node10, node16 (CJS and ESM) and bundler", async () => {
    const { stdout } = await sh(bin("attw"), [tarball, "--format", "json"]);
    const result = JSON.parse(stdout);
    const problems = result.analysis?.problems ?? [];
    assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
    assert.deepEqual(Object.keys(result.analysis.entrypoints).sort(), [".", "./package.json", "./testing"]);
  });

  test("no `any` anywhere in the public .d.ts, and JSDoc on every exported method", () => {
    const dir = join(scratch, "node_modules", "kakao-talk-channel");
    const files = [...readdirSync(dir), ...readdirSync(join(dir, "testing")).map((f) => `testing/${f}`)].filter((f) => /\.d\.c?ts$/.test(f));
    assert.ok(files.length >= 8, files.join(","));
    for (const f of files) {
      const code = readFileSync(join(dir, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      assert.ok(!/\bany\b/.test(code), `${f} mentions any`);
    }
    const glue = readFileSync(join(dir, "client.d.ts"), "utf8");
    for (const m of ["checkChannelRelationship", "checkChannelRelationshipMulti", "registerCustomerFile", "listCustomerFiles", "addCustomerFileUsers", "deleteCustomerFileUsers"]) {
      assert.match(glue, new RegExp(`@example[\\s\\S]*?\\*/\\s*${m}\\(`), `${m} has JSDoc with an example`);
    }
  });

  test("entries: no fs outside the Node entries, no eval or new Function anywhere", () => {
    const dir = join(scratch, "node_modules", "kakao-talk-channel");
    for (const f of ["workerd.js", "deno.js", "web.js", "kakao_talk_channel.js", "errors.js"]) {
      assert.ok(!/node:fs|readFileSync/.test(readFileSync(join(dir, f), "utf8")), f);
    }
    for (const f of readdirSync(dir).filter((x) => /\.c?js$/.test(x))) {
      assert.ok(!/\beval\(|new Function\(/.test(readFileSync(join(dir, f), "utf8")), f);
    }
  });

  test(`size: gzip wasm within ${GZIP_BUDGET / 1024} KB (sizes printed for the README)`, () => {
    const wasm = readFileSync(join(root, "pkg", "kakao_talk_channel_bg.wasm"));
    const gz = gzipSync(wasm, { level: 9 }).length;
    const br = brotliCompressSync(wasm, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const tgz = statSync(tarball).size;
    console.log(`size: wasm ${wasm.length} B raw, ${gz} B gzip, ${br} B brotli; tarball ${tgz} B`);
    assert.ok(gz <= GZIP_BUDGET, `gzip wasm ${gz} B exceeds the ${GZIP_BUDGET} B budget`);
  });
});
