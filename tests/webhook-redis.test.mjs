// redisSeenStore against a real redis-server (started here on a free loopback port, stopped by
// pid), with both clients, node-redis and ioredis: the races of issue 15 (a redelivery while the
// first attempt is still running; a late failure after a take-over), many instances at once, a
// Redis restart mid-run, Redis unreachable at start, a slow Redis (CLIENT PAUSE), what survives
// SIGKILL with and without AOF, and the set-up checks of issue 16. Counts go to t.diagnostic.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis as IoRedis } from "ioredis";
import { createClient } from "redis";
import { ValidationError, createChannelWebhookHandler, redisSeenStore } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";
import { freePort, haveRedis, startRedis } from "./redis-server.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EVENT = { userId: 1, channelPublicId: "_ZeUTxl" };
const emu = createKakaoEmulator();
emu.addChannel("_ZeUTxl");

const clients = [];
const CLIENTS = {
  async "node-redis"(port) {
    const c = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: () => 50, connectTimeout: 500 } });
    c.on("error", () => {});
    clients.push(() => c.destroy());
    await c.connect();
    return c;
  },
  async ioredis(port) {
    const c = new IoRedis({ host: "127.0.0.1", port, retryStrategy: () => 50, maxRetriesPerRequest: 1, lazyConnect: true });
    c.on("error", () => {});
    clients.push(() => c.disconnect());
    await c.connect();
    return c;
  },
};

/** Kakao's side of one delivery: redeliver after each non-200 (a `gapMs` later), up to `tries`. */
async function kakao(handler, id, { tries = 20, gapMs = 100 } = {}) {
  const answers = [];
  for (let i = 0; i < tries; i++) {
    const d = await emu.deliverWebhook(handler, EVENT, { resourceId: id });
    answers.push(d);
    if (d.delivered) break;
    await sleep(gapMs);
  }
  return answers;
}

let server;
before(async () => {
  assert.ok(haveRedis(), "redis-server is not on PATH: run `bash scripts/dev.sh build`, which installs it");
  server = await startRedis();
});
after(async () => {
  for (const close of clients) {
    try {
      close();
    } catch {
      // already closed
    }
  }
  await server?.stop();
  server?.removeDir();
});

for (const name of Object.keys(CLIENTS)) {
  const connect = (port = server.port) => CLIENTS[name](port);

  describe(`redisSeenStore with ${name}`, () => {
    test("issue 15.1 and 15.2 races, 10 ids each: a redelivery during a slow first onEvent gets 409; a late failure does not release a taken-over claim", async (t) => {
      const prefix = `race-${name}-`;
      const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
      const calls = new Map();
      const successes = new Map();
      const unexpected = [];
      const make = (redis, leaseMs) =>
        createChannelWebhookHandler({
          adminKey: emu.adminKey,
          seen: redisSeenStore(redis, { prefix }),
          leaseMs,
          callTimeoutMs: 2000,
          onEvent: async (e) => {
            const n = (calls.get(e.resourceId) ?? 0) + 1;
            calls.set(e.resourceId, n);
            if (n === 1) {
              await sleep(e.resourceId.startsWith("one") ? 3500 : 4000);
              throw new Error("first attempt fails late");
            }
            successes.set(e.resourceId, (successes.get(e.resourceId) ?? 0) + 1);
          },
          onError: (err, e, stage) => {
            if (stage !== "onEvent") unexpected.push(`${e?.resourceId} ${stage} ${err.message}`);
          },
        });
      const ids = Array.from({ length: 10 }, (_, i) => i);
      // 15.1: A runs a slow onEvent; Kakao redelivers to B after 3 s; then to C after A failed.
      const one = ids.map(async (i) => {
        const id = `one-${i}`;
        const first = emu.deliverWebhook(make(a, 30000), EVENT, { resourceId: id });
        await sleep(3000);
        const second = await emu.deliverWebhook(make(b, 30000), EVENT, { resourceId: id });
        const firstAnswer = await first;
        await sleep(1500);
        const third = await emu.deliverWebhook(make(c, 30000), EVENT, { resourceId: id });
        return [firstAnswer.status, second.status, third.status];
      });
      // 15.2: A's lease (3 s) ends while its onEvent runs; B takes over and succeeds; A then fails.
      const two = ids.map(async (i) => {
        const id = `two-${i}`;
        const first = emu.deliverWebhook(make(a, 3000), EVENT, { resourceId: id });
        await sleep(3400);
        const second = await emu.deliverWebhook(make(b, 3000), EVENT, { resourceId: id });
        await first;
        await sleep(1200);
        const third = await emu.deliverWebhook(make(c, 3000), EVENT, { resourceId: id });
        return [second.status, third.status];
      });
      const oneAnswers = await Promise.all(one);
      const twoAnswers = await Promise.all(two);
      const lost = ids.filter((i) => !successes.get(`one-${i}`)).length;
      const twice = ids.filter((i) => (successes.get(`two-${i}`) ?? 0) > 1).length;
      t.diagnostic(`${name}: 15.1 lost ${lost} of 10; 15.2 handled twice ${twice} of 10`);
      assert.deepEqual(unexpected, []);
      assert.deepEqual(oneAnswers, ids.map(() => [503, 409, 200]));
      assert.deepEqual(twoAnswers, ids.map(() => [200, 200]));
      assert.equal(lost, 0);
      assert.equal(twice, 0);
      assert.deepEqual([...ids.map((i) => calls.get(`two-${i}`))], ids.map(() => 2));
    });

    test("50 ids delivered at once to 3 instances: each onEvent runs exactly once", async (t) => {
      const prefix = `many-${name}-`;
      const instances = await Promise.all([connect(), connect(), connect()]);
      const runs = new Map();
      const handlers = instances.map((redis) =>
        createChannelWebhookHandler({
          adminKey: emu.adminKey,
          seen: redisSeenStore(redis, { prefix }),
          onEvent: async (e) => {
            runs.set(e.resourceId, (runs.get(e.resourceId) ?? 0) + 1);
            await sleep(30);
          },
        }),
      );
      const ids = Array.from({ length: 50 }, (_, i) => `m-${i}`);
      const statuses = await Promise.all(ids.flatMap((id) => handlers.map(async (h) => (await emu.deliverWebhook(h, EVENT, { resourceId: id })).status)));
      const dup = ids.filter((id) => runs.get(id) !== 1).length;
      t.diagnostic(`${name}: 150 deliveries of 50 ids, ${dup} ids not run exactly once`);
      assert.equal(dup, 0);
      assert.ok(statuses.every((s) => s === 200 || s === 409), String(statuses));
      assert.equal(statuses.filter((s) => s === 200).length >= 50, true);
    });

    test("Redis unreachable at start: the claim fails fast (non-200, onEvent not called); once Redis is up the redelivery is handled", async () => {
      const port = await freePort();
      const redis =
        name === "ioredis"
          ? new IoRedis({ host: "127.0.0.1", port, retryStrategy: () => 50, maxRetriesPerRequest: 1 })
          : createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: () => 50, connectTimeout: 500 } });
      redis.on("error", () => {});
      clients.push(() => (name === "ioredis" ? redis.disconnect() : redis.destroy()));
      if (name === "node-redis") redis.connect().catch(() => {});
      const stages = [];
      const handled = [];
      const handler = createChannelWebhookHandler({
        adminKey: emu.adminKey,
        seen: redisSeenStore(redis),
        callTimeoutMs: 300,
        onEvent: (e) => void handled.push(e.resourceId),
        onError: (_err, _e, stage) => stages.push(stage),
      });
      const down = await emu.deliverWebhook(handler, EVENT, { resourceId: "u-1" });
      assert.ok(down.status === 500 || down.status === 503, String(down.status));
      assert.ok(down.ms < 1000, `${down.ms} ms`);
      assert.deepEqual(handled, []);
      assert.equal(stages[0], "seen.claim");
      const late = await startRedis({ port });
      try {
        const answers = await kakao(handler, "u-1");
        assert.equal(answers.at(-1).status, 200);
        assert.deepEqual(handled, ["u-1"]);
      } finally {
        await late.stop();
        late.removeDir();
      }
    });

    test("a slow Redis (CLIENT PAUSE 1500): answered 503 within the budget; the late claim is released, so the redelivery is handled once", async () => {
      const own = await startRedis();
      try {
        const [redis, admin] = await Promise.all([connect(own.port), connect(own.port)]);
        const handled = [];
        const handler = createChannelWebhookHandler({
          adminKey: emu.adminKey,
          seen: redisSeenStore(redis),
          answerWithinMs: 800,
          callTimeoutMs: 500,
          onEvent: (e) => void handled.push(e.resourceId),
          onError() {},
        });
        await (name === "ioredis" ? admin.call("CLIENT", "PAUSE", "1500", "ALL") : admin.sendCommand(["CLIENT", "PAUSE", "1500", "ALL"]));
        const slow = await emu.deliverWebhook(handler, EVENT, { resourceId: "s-1" });
        assert.equal(slow.status, 503);
        assert.ok(slow.ms < 900, `${slow.ms} ms`);
        await sleep(1700);
        const key = await redis.get("kakao-webhook:s-1");
        assert.equal(key, null, "the claim landed after the deadline and was released");
        const answers = await kakao(handler, "s-1");
        assert.equal(answers.at(-1).status, 200);
        assert.deepEqual(handled, ["s-1"]);
      } finally {
        await own.stop();
        own.removeDir();
      }
    });

    test("a Redis restart mid-run: no delivery is answered 200 without onEvent having run; every answer within the budget", async (t) => {
      const own = await startRedis();
      try {
        const redis = await connect(own.port);
        const ran = new Set();
        const handler = createChannelWebhookHandler({
          adminKey: emu.adminKey,
          seen: redisSeenStore(redis),
          callTimeoutMs: 300,
          onEvent: async (e) => {
            await sleep(5);
            ran.add(e.resourceId);
          },
          onError() {},
        });
        const ids = Array.from({ length: 60 }, (_, i) => `x-${i}`);
        const runs = ids.map(async (id, i) => {
          await sleep(i * 15);
          return kakao(handler, id, { tries: 40, gapMs: 100 });
        });
        await sleep(300);
        await own.stop("SIGTERM");
        await sleep(400);
        const again = await startRedis({ port: own.port, dir: own.dir });
        try {
          const all = await Promise.all(runs);
          const answers = all.flat();
          const failed = answers.filter((d) => !d.delivered).length;
          const lost = ids.filter((id, i) => all[i].at(-1).delivered && !ran.has(id)).length;
          const slowest = Math.max(...answers.map((d) => d.ms));
          t.diagnostic(`${name}: restart mid-run: 60 ids, ${answers.length} deliveries, ${failed} answered non-200 while Redis was down, lost ${lost}, slowest answer ${slowest} ms`);
          assert.ok(failed > 0, "some deliveries met Redis down");
          assert.ok(all.every((a) => a.at(-1).delivered), "each delivered in the end");
          assert.equal(lost, 0);
          assert.ok(slowest < 2600, `${slowest} ms`);
        } finally {
          await again.stop();
        }
      } finally {
        own.removeDir();
      }
    });
  });
}

describe("what a Redis crash (SIGKILL) forgets", () => {
  for (const persistence of ["aof", "default"]) {
    test(`persistence ${persistence === "aof" ? "AOF, appendfsync always" : "Redis's defaults (RDB snapshots)"}: 100 handled ids, SIGKILL, restart, redeliver`, async (t) => {
      const first = await startRedis({ persistence });
      try {
        let redis = await CLIENTS.ioredis(first.port);
        const runs = new Map();
        const make = (r) =>
          createChannelWebhookHandler({ adminKey: emu.adminKey, seen: redisSeenStore(r), onEvent: (e) => void runs.set(e.resourceId, (runs.get(e.resourceId) ?? 0) + 1) });
        const ids = Array.from({ length: 100 }, (_, i) => `p-${i}`);
        for (const id of ids) assert.equal((await emu.deliverWebhook(make(redis), EVENT, { resourceId: id })).status, 200);
        await first.stop("SIGKILL");
        redis.disconnect();
        const second = await startRedis({ port: first.port, dir: first.dir, persistence });
        try {
          redis = await CLIENTS.ioredis(second.port);
          for (const id of ids) assert.equal((await emu.deliverWebhook(make(redis), EVENT, { resourceId: id })).status, 200);
          const again = ids.filter((id) => runs.get(id) === 2).length;
          t.diagnostic(`${persistence}: ${again} of 100 handled ids handled again after SIGKILL`);
          if (persistence === "aof") assert.equal(again, 0);
          else assert.ok(again > 0, "Redis's default persistence forgets recent claims (README says so)");
        } finally {
          await second.stop();
        }
      } finally {
        first.removeDir();
      }
    });
  }
});

describe("redisSeenStore's set-up is checked (issue 16.6)", () => {
  test("a URL, a non-client, a non-string or empty prefix, an unknown client shape: ValidationError naming the field and rule", () => {
    const client = { call() {} };
    for (const [args, field, rule, message] of [
      [["redis://127.0.0.1:6379"], "redis", "params.type", /not a string \(a URL\?/],
      [[undefined], "redis", "params.type", /connected Redis client/],
      [[{ set() {} }], "redis.call", "params.type", /must be a function/],
      [[{ isOpen: true, call() {} }], "redis.sendCommand", "params.type", /must be a function/],
      [[{ sendCommand() {} }, { client: "ioredis" }], "redis.call", "params.type", /must be a function/],
      [[client, { prefix: 42 }], "options.prefix", "params.type", /must be a string/],
      [[client, { prefix: "" }], "options.prefix", "options.prefix", /1 to 200/],
      [[client, { client: "jedis" }], "options.client", "options.client", /ioredis/],
      [[client, { prfix: "x" }], "options.prfix", "params.unknown_key", /prefix, client/],
      [[client, "x"], "options", "params.type", /plain object/],
    ]) {
      assert.throws(
        () => redisSeenStore(...args),
        (e) => e instanceof ValidationError && e.field === field && e.rule === rule && message.test(e.message),
        `${field} ${rule}`,
      );
    }
    assert.doesNotThrow(() => redisSeenStore(client, { prefix: "wh:", client: "ioredis" }));
    assert.doesNotThrow(() => redisSeenStore({ sendCommand() {} }, { client: "node-redis" }));
  });
});
