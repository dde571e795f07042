// d1SeenStore and kvSeenStore against Miniflare's real D1 (SQLite in workerd) and KV, through
// the bindings Miniflare hands to Node (mf.getD1Database, mf.getKVNamespace). Each handler
// instance gets its own store object on the one database or namespace, as Worker isolates do.
// D1's claim is one statement, so concurrent deliveries run onEvent once; KV's get-then-put is
// best effort, and the duplicate rate measured here is the one README states.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { ValidationError, createChannelWebhookHandler, d1SeenStore, kvSeenStore } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EVENT = { userId: 1, channelPublicId: "_ZeUTxl" };
const emu = createKakaoEmulator();
emu.addChannel("_ZeUTxl");

let mf;
let db;
let kv;
let isolates;
before(async () => {
  const worker = (name) => ({
    name,
    modules: true,
    scriptPath: join(root, "tests", "webhook-cloudflare-worker.mjs"),
    modulesRoot: root,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    d1Databases: { DB: "shared-d1" },
    kvNamespaces: { KV: "shared-kv" },
    bindings: { ADMIN_KEY: emu.adminKey },
  });
  mf = new Miniflare({ workers: [worker("a"), worker("b")] });
  db = await mf.getD1Database("DB", "a");
  kv = await mf.getKVNamespace("KV", "a");
  await db.prepare("CREATE TABLE runs (store TEXT NOT NULL, id TEXT NOT NULL)").run();
  isolates = [await mf.getWorker("a"), await mf.getWorker("b")];
});
after(async () => {
  await mf?.dispose();
});

/** Kakao's side: deliver to `path` of `isolate`, and redeliver after each non-200 (300 ms later) until a 200. */
async function kakao(isolate, path, id) {
  const statuses = [];
  const target = async (request) => isolate.fetch(`http://worker${path}`, { method: request.method, headers: request.headers, body: await request.text() });
  for (let i = 0; i < 40; i++) {
    const d = await emu.deliverWebhook(target, EVENT, { resourceId: id });
    statuses.push(d.status ?? d.error);
    if (d.delivered) break;
    await sleep(300);
  }
  return statuses;
}

/**
 * `count` ids, each delivered at once to both isolates (and redelivered as Kakao does until a
 * 200): how many ids ran onEvent twice, or never, counted from the `runs` rows.
 */
async function concurrent(store, count) {
  const ids = Array.from({ length: count }, (_, i) => `${store}-${i}`);
  const statuses = (await Promise.all(ids.flatMap((id) => isolates.map((w) => kakao(w, `/${store}`, id))))).flat();
  const { results } = await db.prepare("SELECT id, COUNT(*) AS n FROM runs WHERE store = ?1 GROUP BY id").bind(store).all();
  const runs = new Map(results.map((r) => [r.id, r.n]));
  return { statuses, twice: ids.filter((id) => (runs.get(id) ?? 0) > 1).length, never: ids.filter((id) => !runs.get(id)).length };
}

describe("d1SeenStore on Miniflare's D1", () => {
  test("issue 15.4: two isolates on one D1 database, 15 ids delivered at once to both: onEvent runs exactly once per id", async (t) => {
    const { statuses, twice, never } = await concurrent("d1", 15);
    t.diagnostic(`D1: 2 isolates × 15 ids delivered at once: ${twice} ran onEvent twice, ${never} never (${statuses.length} deliveries, ${statuses.filter((s) => s === 409).length} answered 409)`);
    assert.deepEqual([twice, never], [0, 0]);
    // Non-200 answers (409 while another isolate handles it, 503 past the budget on this busy
    // machine) are redelivered, as Kakao does; only the counts of onEvent matter here.
    assert.ok(statuses.every((s) => s === 200 || s === 409 || s === 503 || typeof s === "string"), String(statuses));
    const rows = await db.prepare("SELECT COUNT(*) AS n FROM kakao_webhook_seen WHERE done = 1").first();
    assert.equal(rows.n, 15);
  });

  test("the lifecycle in SQL: 409 while processing; a late failure after a take-over releases nothing; done answers 200", async () => {
    const calls = [];
    const make = (leaseMs) =>
      createChannelWebhookHandler({
        adminKey: emu.adminKey,
        seen: d1SeenStore(db, { table: "seen_lifecycle" }),
        leaseMs,
        answerWithinMs: 2000,
        callTimeoutMs: 2500,
        onEvent: async (e) => {
          calls.push(e.resourceId);
          if (calls.length === 1) {
            await sleep(5000);
            throw new Error("late failure");
          }
        },
        onError() {},
      });
    const started = Date.now();
    const first = await emu.deliverWebhook(make(3000), EVENT, { resourceId: "L" });
    assert.equal(first.status, 503, "the budget ran out while onEvent ran");
    assert.equal((await emu.deliverWebhook(make(3000), EVENT, { resourceId: "L" })).status, 409);
    await sleep(3300 - (Date.now() - started)); // the lease (3 s from the claim) has ended
    assert.equal((await emu.deliverWebhook(make(3000), EVENT, { resourceId: "L" })).status, 200, "taken over after the lease");
    await sleep(6000 - (Date.now() - started)); // the first onEvent failed and released with its stale token
    const row = await db.prepare("SELECT done FROM seen_lifecycle WHERE id = 'L'").first();
    assert.equal(row.done, 1);
    assert.equal((await emu.deliverWebhook(make(3000), EVENT, { resourceId: "L" })).status, 200);
    assert.deepEqual(calls, ["L", "L"]);
  });

  test("finish and release act only with the claim's token", async () => {
    const store = d1SeenStore(db, { table: "seen_tokens" });
    assert.equal(await store.claim("t", "A", 60000), "claimed");
    assert.equal(await store.claim("t", "B", 60000), "processing");
    assert.equal(await store.release("t", "B"), false);
    assert.equal(await store.finish("t", "B", 60000), false);
    assert.equal(await store.finish("t", "A", 60000), true);
    assert.equal(await store.release("t", "A"), false, "a done claim is not released");
    assert.equal(await store.claim("t", "C", 60000), "done");
    assert.equal(await store.claim("u", "A", 60000), "claimed");
    assert.equal(await store.release("u", "A"), true);
    assert.equal(await store.claim("u", "D", 60000), "claimed");
  });

  test("issue 16.6: set-up checked — not a D1 binding, a table that is not an SQL identifier, an unknown option", () => {
    for (const [args, field, rule] of [
      ["sqlite://x", "db", "params.type"],
      [{ exec() {} }, "db.prepare", "params.type"],
      [[db, { table: "seen; DROP TABLE users" }], "options.table", "options.table"],
      [[db, { table: 7 }], "options.table", "params.type"],
      [[db, { prefix: "x" }], "options.prefix", "params.unknown_key"],
    ].map(([a, f, r]) => [Array.isArray(a) ? a : [a], f, r])) {
      assert.throws(() => d1SeenStore(...args), (e) => e instanceof ValidationError && e.field === field && e.rule === rule, `${field} ${rule}`);
    }
  });
});

describe("kvSeenStore on Miniflare's KV (best effort)", () => {
  test("issue 15.4: two isolates on one namespace, 40 ids delivered at once to both — the duplicate rate README states", async (t) => {
    const { statuses, twice, never } = await concurrent("kv", 40);
    t.diagnostic(`KV: 2 isolates × 40 ids delivered at once: ${twice} ran onEvent twice (${Math.round((twice / 40) * 100)}%), ${never} never (${statuses.length} deliveries)`);
    assert.equal(never, 0);
    // Best effort, not exactly once: a get-then-put cannot exclude a concurrent claim.
    assert.ok(twice > 0, "with no compare-and-set, concurrent claims can both win (README says so)");
  });

  test("one at a time it follows the lifecycle: done → 200 without onEvent; a stale token releases nothing; set-up checked", async () => {
    for (let i = 0; i < 3; i++) assert.deepEqual(await kakao(isolates[i % 2], "/kv", "k"), [200]);
    const { n } = await db.prepare("SELECT COUNT(*) AS n FROM runs WHERE store = 'kv' AND id = 'k'").first();
    assert.equal(n, 1);
    assert.match(await kv.get("kakao-webhook:k"), /^d:/);
    const store = kvSeenStore(kv, { prefix: "tok:" });
    assert.equal(await store.claim("a", "T1", 60000), "claimed");
    assert.equal(await store.release("a", "T2"), false);
    assert.equal(await store.claim("a", "T3", 60000), "processing");
    assert.equal(await store.release("a", "T1"), true);
    assert.equal(await kv.get("tok:a"), null);
    for (const [args, field, rule] of [
      [["https://kv.example"], "kv", "params.type"],
      [[{ get() {}, put() {} }], "kv.delete", "params.type"],
      [[kv, { prefix: null }], "options.prefix", "params.type"],
    ]) {
      assert.throws(() => kvSeenStore(...args), (e) => e instanceof ValidationError && e.field === field && e.rule === rule, `${field} ${rule}`);
    }
  });
});
