// Hostile callers: a throwing getter, a Proxy trap, a throwing length or index, values that are
// not plain data, a fetch whose error throws when read. Every method, sync and async: nothing
// hangs, nothing is uncaught, the caller's own error (or a ValidationError naming the field)
// comes back, and 100,000 such calls of each kind leave wasm memory where it was.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import {
  TalkChannelClient,
  ValidationError,
  NetworkError,
  createChannelWebhookHandler,
  parseChannelWebhook,
  validateCustomerFileUsers,
} from "../pkg/node.js";

const CH = "_ZeUTxl";
const boom = new Error("boom from the caller");
const thrower = () => {
  throw boom;
};
const uncaught = [];
const onUncaught = (e) => uncaught.push(e);
before(() => {
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
});
after(() => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
});

const sent = [];
const fetch = async (url, _init) => {
  sent.push(url);
  return Response.json({ user_id: 1, channels: [] });
};
const kakao = new TalkChannelClient({ adminKey: "admin0key0for0hostile", restApiKey: "rest0key0for0hostile", fetch });

/** Resolves to what `p` settled with, or fails the test if it has not settled within 2 s. */
async function settles(p) {
  let timer;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the call never settled")), 2000);
  });
  try {
    return await Promise.race([p.then((v) => ({ ok: v }), (e) => ({ err: e })), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Values that throw when read, each a different way. */
const hostile = {
  getter: () => ({ get x() { throw boom; } }),
  ownKeys: () => new Proxy({}, { ownKeys: thrower }),
  get: () => new Proxy({ x: 1 }, { get: thrower }),
  getOwnPropertyDescriptor: () => new Proxy({ x: 1 }, { getOwnPropertyDescriptor: thrower }),
  getPrototypeOf: () => new Proxy({}, { getPrototypeOf: thrower }),
  arrayLength: () => new Proxy([1], { get: (t, k) => (k === "length" ? thrower() : t[k]) }),
  arrayIndex: () => new Proxy(["1", "2"], { get: (t, k) => (k === "1" ? thrower() : t[k]) }),
};

const add = (users, extra = {}) => kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users, ...extra });
/** Each call, with a hostile value `h` placed where it is read. */
const places = {
  "checkChannelRelationship params": (h) => kakao.checkChannelRelationship(h),
  "checkChannelRelationship channelIds": (h) => kakao.checkChannelRelationship({ channelIds: h, userId: 1 }),
  "checkChannelRelationship options": (h) => kakao.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }, h),
  "checkChannelRelationshipMulti userIds": (h) => kakao.checkChannelRelationshipMulti({ userIds: h }),
  "registerCustomerFile schema": (h) => kakao.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: h }),
  "listCustomerFiles params": (h) => kakao.listCustomerFiles(h),
  "addCustomerFileUsers users": (h) => add(h),
  "addCustomerFileUsers a user": (h) => add([{ id: 1 }, h]),
  "addCustomerFileUsers fields": (h) => add([{ id: 1, fields: h }]),
  "deleteCustomerFileUsers userIds": (h) => kakao.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: h }),
  "parseChannelWebhook options": (h) => parseChannelWebhook(new Request("http://x/", { method: "POST" }), h),
};

describe("a throwing read rejects with the caller's own error, or a ValidationError naming the field", () => {
  for (const [place, call] of Object.entries(places)) {
    for (const [kind, make] of Object.entries(hostile)) {
      test(`${place} × ${kind}`, async () => {
        const before = sent.length;
        const r = await settles(Promise.resolve().then(() => call(make())));
        assert.ok("err" in r, `${place} × ${kind} resolved`);
        assert.ok(r.err === boom || r.err instanceof ValidationError, `${place} × ${kind}: ${r.err}`);
        if (r.err instanceof ValidationError) assert.ok(r.err.field.length > 0);
        assert.equal(sent.length, before, "nothing was sent");
      });
    }
  }

  test("sync functions throw the caller's error: constructor, validateCustomerFileUsers, createChannelWebhookHandler", () => {
    for (const make of Object.values(hostile)) {
      for (const f of [
        () => new TalkChannelClient(make()),
        () => validateCustomerFileUsers({ userType: "app", users: [{ id: 1, fields: make() }] }),
        () => createChannelWebhookHandler(make()),
      ]) {
        let threw;
        try {
          f();
        } catch (e) {
          threw = e;
        }
        assert.ok(threw === boom || threw instanceof ValidationError, String(threw));
      }
    }
  });

  test("valid calls queued in the same tick as hostile ones all settle", async () => {
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(kakao.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }));
      calls.push(kakao.checkChannelRelationship({ channelIds: ["_a"], get userId() { throw boom; } }));
    }
    const results = await settles(Promise.allSettled(calls));
    assert.equal(results.ok.filter((r) => r.status === "fulfilled").length, 20);
    assert.equal(results.ok.filter((r) => r.status === "rejected" && r.reason === boom).length, 20);
  });

  test("a fetch that rejects with an error whose message getter throws: a NetworkError", async () => {
    const weird = new Error("x");
    Object.defineProperty(weird, "stack", { get: thrower });
    Object.defineProperty(weird, "message", { get: thrower });
    const k = new TalkChannelClient({ adminKey: "admin0key0for0hostile", maxRetries: 0, logLevel: "off", fetch: async () => Promise.reject(weird) });
    const r = await settles(k.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }));
    assert.ok(r.err instanceof NetworkError, String(r.err));
    const p = new Proxy({}, { get: thrower, ownKeys: thrower, getPrototypeOf: thrower });
    const k2 = new TalkChannelClient({ adminKey: "admin0key0for0hostile", maxRetries: 0, logLevel: "off", fetch: async () => Promise.reject(p) });
    assert.ok((await settles(k2.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }))).err instanceof NetworkError);
    const k3 = new TalkChannelClient({ adminKey: "admin0key0for0hostile", maxRetries: 0, logLevel: "off", fetch: () => { throw p; } });
    assert.ok((await settles(k3.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }))).err instanceof NetworkError);
    const k4 = new TalkChannelClient({ adminKey: "admin0key0for0hostile", maxRetries: 0, logLevel: "off", fetch: async () => p });
    assert.ok((await settles(k4.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }))).err instanceof NetworkError);
  });

  test("nothing was uncaught", () => {
    assert.deepEqual(uncaught, []);
  });
});

describe("values that are not plain data are read as meant or refused by name, never dropped", () => {
  const refused = [
    ["a Date", new Date()],
    ["a Set", new Set(["age"])],
    ["a class instance", new (class Customer { get age() { return 3; } })()],
    ["an object whose values sit on its prototype", Object.create({ age: 3 })],
    ["an array", [3]],
  ];
  for (const [name, fields] of refused) {
    test(`fields as ${name}: ValidationError on users[0].fields, nothing sent`, async () => {
      const before = sent.length;
      const err = await add([{ id: 1, fields }]).catch((e) => e);
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], ["users[0].fields", "params.type"]);
      assert.equal(sent.length, before);
    });
  }

  test("a Map of fields is read as its entries", () => {
    const r = validateCustomerFileUsers({ userType: "app", schema: { age: "number" }, users: [{ id: 1, fields: new Map([["age", "x"]]) }] });
    assert.deepEqual(r.errors.map((e) => [e.field, e.rule]), [["users[0].fields.age", "fields.type_mismatch"]]);
  });

  test("params and options as a Date or a class instance are refused by name", async () => {
    const err = await kakao.listCustomerFiles(new Date()).catch((e) => e);
    assert.deepEqual([err.field, err.rule], ["params", "params.type"]);
    assert.match(err.message, /got a Date/);
    const e2 = await kakao.listCustomerFiles({ channelPublicId: CH }, new (class Opts {})()).catch((e) => e);
    assert.deepEqual([e2.field, e2.rule], ["options", "params.type"]);
    assert.match(e2.message, /an instance of Opts/);
    assert.throws(() => new TalkChannelClient(new URL("http://x")), (e) => e instanceof ValidationError && e.field === "options");
  });
});

test("100,000 throwing calls of each kind: no wasm memory grows, a normal call still works", { timeout: 240_000 }, async () => {
  const child = fileURLToPath(new URL("./hostile/leak-child.mjs", import.meta.url));
  const pkg = new URL("../pkg/node.js", import.meta.url).href;
  const out = await new Promise((resolve, reject) =>
    execFile(process.execPath, [child, pkg, "100000"], { timeout: 230_000, maxBuffer: 1 << 20, env: { ...process.env, KAKAO_TALK_CHANNEL_LOG: "off" } }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  const r = JSON.parse(out.trim().split("\n").at(-1));
  assert.ok(r.before > 0, "the SDK's wasm memory was found");
  assert.equal(r.after, r.before, `wasm memory grew from ${r.before} to ${r.after}`);
  assert.deepEqual(Object.values(r.settled), Array(Object.keys(r.settled).length).fill(100000));
  assert.equal(r.uncaught, 0);
  assert.equal(r.normal, "1");
});
