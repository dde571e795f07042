// The webhook handler's claim lifecycle, in one process: absent → processing(token, lease) →
// done(ttl); release and finish only by the token's owner; an answer within the budget whatever
// onEvent, onError or the store do; a lease that ends lets a redelivery take over. The store is
// the handler's own in-memory default, or the test's store wrapping it with faults (hangs,
// throws, late answers). The shipped shared stores are tested against real Redis and Miniflare
// in webhook-redis.test.mjs and webhook-cloudflare.test.mjs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createChannelWebhookHandler } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const never = () => new Promise(() => {});
const EVENT = { userId: 1, channelPublicId: "_ZeUTxl" };

function emulator() {
  const emu = createKakaoEmulator();
  emu.addChannel("_ZeUTxl");
  return emu;
}

/** A claim store of plain Maps (the lifecycle a user's store must follow), logging each call. */
function mapStore() {
  const m = new Map();
  const log = [];
  return {
    log,
    m,
    claim(id, token, leaseMs) {
      log.push(["claim", id]);
      const e = m.get(id);
      if (e && e.until > Date.now()) return e.done ? "done" : "processing";
      m.set(id, { token, done: false, until: Date.now() + leaseMs });
      return "claimed";
    },
    finish(id, token, ttlMs) {
      log.push(["finish", id]);
      const e = m.get(id);
      if (!e || e.token !== token || e.done) return false;
      m.set(id, { token, done: true, until: Date.now() + ttlMs });
      return true;
    },
    release(id, token) {
      log.push(["release", id]);
      const e = m.get(id);
      if (!e || e.token !== token || e.done) return false;
      m.delete(id);
      return true;
    },
  };
}

describe("the claim lifecycle", { concurrency: true }, () => {
  test("issue 15.1: a redelivery while the first onEvent is still running gets 409, never 200; after it fails, the next redelivery is handled", async () => {
    const emu = emulator();
    const outcomes = [];
    let calls = 0;
    const handler = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      answerWithinMs: 300,
      onEvent: async () => {
        calls++;
        if (calls === 1) {
          await sleep(800);
          outcomes.push("threw");
          throw new Error("db down");
        }
        outcomes.push("ok");
      },
      onError() {},
    });
    const first = emu.deliverWebhook(handler, EVENT, { resourceId: "r-1" });
    await sleep(400);
    const redelivery = await emu.deliverWebhook(handler, EVENT, { resourceId: "r-1" });
    const a = await first;
    assert.equal(a.status, 503, "the budget ran out while onEvent ran: 503, so Kakao redelivers");
    assert.ok(a.ms < 600, `answered in ${a.ms} ms`);
    assert.equal(redelivery.status, 409);
    assert.deepEqual(JSON.parse(redelivery.responseBody), { error: "this delivery is being handled; Kakao will redeliver it" });
    await sleep(600); // the first onEvent throws, its claim is released
    const again = await emu.deliverWebhook(handler, EVENT, { resourceId: "r-1" });
    assert.equal(again.status, 200);
    assert.deepEqual(outcomes, ["threw", "ok"]);
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "r-1" })).status, 200);
    assert.equal(calls, 2, "a redelivery of a done id does not call onEvent");
  });

  test("issue 15.2: a late failure releases only its own claim — the lease ended, another attempt took over and finished: onEvent succeeds once", async () => {
    const emu = emulator();
    const store = mapStore();
    const errors = [];
    let calls = 0;
    let successes = 0;
    const handler = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      seen: store,
      leaseMs: 3000,
      answerWithinMs: 200,
      onEvent: async () => {
        calls++;
        if (calls === 1) {
          await sleep(3400);
          throw new Error("late failure");
        }
        successes++;
      },
      onError: (err, _e, stage) => errors.push([stage, err.name, err.message.slice(0, 40)]),
    });
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "r-2" })).status, 503);
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "r-2" })).status, 409);
    await sleep(3100); // the lease (3 s) ended; onEvent #1 still runs
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "r-2" })).status, 200, "taken over");
    await sleep(400); // #1 throws and tries to release with its stale token
    assert.equal(store.m.get("r-2")?.done, true, "the done claim of the second attempt is kept");
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "r-2" })).status, 200);
    assert.deepEqual([calls, successes], [2, 1]);
    assert.deepEqual(errors.map((e) => e.slice(0, 2)), [
      ["onEvent", "TimeoutError"],
      ["onEvent", "Error"],
    ]);
  });

  test("issue 15.3: onEvent, onError, claim, finish or release that never settle — the handler still answers within the budget", async () => {
    const emu = emulator();
    const cases = [
      ["onEvent hangs", { onEvent: never }, 503],
      ["onEvent throws, onError hangs", { onEvent: () => Promise.reject(new Error("x")), onError: never }, 500],
      ["claim hangs", { seen: { ...mapStore(), claim: never } }, 503],
      ["finish hangs", { seen: { ...mapStore(), finish: never } }, 200],
      ["onEvent throws, release hangs", { seen: { ...mapStore(), release: never }, onEvent: () => Promise.reject(new Error("x")) }, 500],
    ];
    for (const [name, options, status] of cases) {
      const handler = createChannelWebhookHandler({ adminKey: emu.adminKey, answerWithinMs: 400, callTimeoutMs: 100, onEvent() {}, onError() {}, ...options });
      const d = await emu.deliverWebhook(handler, EVENT);
      assert.equal(d.status, status, name);
      assert.ok(d.ms < 600, `${name}: answered in ${d.ms} ms`);
    }
    // No resource id: nothing to claim, onEvent still bounded by the budget.
    const handler = createChannelWebhookHandler({ adminKey: emu.adminKey, answerWithinMs: 100, onEvent: never });
    const d = await emu.deliverWebhook(handler, EVENT, { headers: { "x-kakao-resource-id": null } });
    assert.equal(d.status, 503);
    assert.ok(d.ms < 300, `${d.ms} ms`);
  });

  test("issue 15.3: an onEvent hung in-process holds its id only for the lease; a release that throws holds it for the lease, not seenTtlMs", async () => {
    const emu = emulator();
    const store = mapStore();
    const stages = [];
    let hung = 0;
    const hanging = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      leaseMs: 3000,
      answerWithinMs: 100,
      onEvent: () => (hung++ === 0 ? never() : undefined),
      onError: (_err, _e, stage) => stages.push(stage),
    });
    const throwing = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      leaseMs: 3000,
      seen: {
        ...store,
        release() {
          throw new Error("store down");
        },
      },
      onEvent: () => {
        if (store.log.filter((l) => l[0] === "claim").length === 1) throw new Error("db down");
      },
      onError: (_err, _e, stage) => stages.push(stage),
    });
    assert.equal((await emu.deliverWebhook(hanging, EVENT, { resourceId: "h" })).status, 503);
    assert.equal((await emu.deliverWebhook(throwing, EVENT, { resourceId: "t" })).status, 500);
    assert.equal((await emu.deliverWebhook(hanging, EVENT, { resourceId: "h" })).status, 409);
    assert.equal((await emu.deliverWebhook(throwing, EVENT, { resourceId: "t" })).status, 409);
    await sleep(3100);
    assert.equal((await emu.deliverWebhook(hanging, EVENT, { resourceId: "h" })).status, 200, "taken over after the lease");
    assert.equal((await emu.deliverWebhook(throwing, EVENT, { resourceId: "t" })).status, 200, "handled after the lease");
    assert.deepEqual(stages.sort(), ["onEvent", "onEvent", "seen.release"]);
  });

  test("a claim answered after its deadline is released with its token, so the redelivery is handled", async () => {
    const emu = emulator();
    const store = mapStore();
    const handled = [];
    const handler = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      callTimeoutMs: 50,
      seen: {
        ...store,
        async claim(...args) {
          await sleep(150);
          return store.claim(...args);
        },
      },
      onEvent: (e) => void handled.push(e.resourceId),
      onError() {},
    });
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "slow" })).status, 503);
    await sleep(200);
    assert.deepEqual(store.log, [["claim", "slow"], ["release", "slow"]]);
    assert.equal(store.m.has("slow"), false);
    const plain = createChannelWebhookHandler({ adminKey: emu.adminKey, seen: store, onEvent: (e) => void handled.push(e.resourceId) });
    assert.equal((await emu.deliverWebhook(plain, EVENT, { resourceId: "slow" })).status, 200);
    assert.deepEqual(handled, ["slow"]);
  });

  test("finishing with a stale token is reported (stage seen.finish) and answered 200: onEvent's effect happened", async () => {
    const emu = emulator();
    const store = mapStore();
    const errors = [];
    const handler = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      seen: { ...store, finish: () => false },
      onEvent() {},
      onError: (err, e, stage) => errors.push([stage, e.resourceId, /taken over/.test(err.message)]),
    });
    assert.equal((await emu.deliverWebhook(handler, EVENT, { resourceId: "f" })).status, 200);
    assert.deepEqual(errors, [["seen.finish", "f", true]]);
    const bad = createChannelWebhookHandler({ adminKey: emu.adminKey, seen: { ...store, claim: () => true }, onEvent() {}, onError: (err, _e, stage) => errors.push([stage, err.name]) });
    assert.equal((await emu.deliverWebhook(bad, EVENT, { resourceId: "g" })).status, 500, "a claim answer other than the three states");
    assert.deepEqual(errors.at(-1), ["seen.claim", "TypeError"]);
  });

  test("issue 16.11: deliverWebhook to a handler slower than 3 s resolves { delivered: false, timedOut: true } and records it", async () => {
    const emu = emulator();
    const d = await emu.deliverWebhook(async () => {
      await sleep(3300);
      return new Response(null, { status: 200 });
    }, EVENT);
    assert.deepEqual([d.status, d.delivered, d.timedOut, d.responseBody], [null, false, true, null]);
    assert.equal(d.error, "no answer within 3 seconds");
    assert.ok(d.ms >= 2900 && d.ms < 3300, `${d.ms} ms`);
    assert.equal(emu.webhooks.at(-1), d);
    const thrown = await emu.deliverWebhook(() => {
      throw new Error("handler bug");
    }, EVENT);
    assert.deepEqual([thrown.status, thrown.delivered, thrown.timedOut, thrown.error], [null, false, false, "handler bug"]);
    assert.equal(emu.webhooks.length, 2);
  });
});
