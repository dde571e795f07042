// Inputs bounded by the data, and precise refusals: a sparse array costs what it holds and its
// first hole is refused at its index; an object's keys are read up to one more than any rule
// allows; an array that changes while read, a lone surrogate anywhere a string goes, a class
// name with a NUL are refused naming the field (never "reinstall"); objects, Maps and
// AbortSignals of another realm or a polyfill are read as what they are; options a method would
// ignore are refused; a stopped split call's unsent batches keep the stop's reason.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { BulkOperationError, TalkChannelClient, ValidationError, validateCustomerFileUsers } from "../pkg/node.js";

const CH = "_ZeUTxl";

function client(answer = () => Response.json({ file_id: 1, request_count: 1, success_count: 1 })) {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url, body: init.body === undefined ? undefined : new TextDecoder().decode(init.body) });
    return answer(url, init);
  };
  const kakao = new TalkChannelClient({ adminKey: "admin0key0inputs0tests", restApiKey: "rest0key0inputs0tests", fetch, logLevel: "off", maxRetries: 0 });
  return { kakao, sent };
}

const add = (kakao, users, extra = {}) => kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users, ...extra });
const failure = (p) => p.then((v) => assert.fail(`resolved: ${JSON.stringify(v)}`), (e) => e);

/** Asserts `err` is a ValidationError on `field` with `rule`, that blames no install. */
function refused(err, field, rule) {
  assert.ok(err instanceof ValidationError, String(err));
  assert.deepEqual([err.field, err.rule], [field, rule], err.message);
  assert.doesNotMatch(err.message, /reinstall|disagree/);
}

// The bound is on the CPU time a call takes (the process's own, `process.cpuUsage`): on a
// shared machine wall-clock time also counts other processes' turns. Wall-clock time is
// bounded too, loosely (the sparse array took ~5 s to abort the process; 100,000 keys 74 s).
const within = (method, r) => {
  assert.ok(r.cpuMs < 100, `${method} took ${r.cpuMs} ms of CPU (${r.ms} ms)`);
  assert.ok(r.ms < 2000, `${method} took ${r.ms} ms`);
};

describe("a scenario that used to abort the process or block it for seconds, in a child process", () => {
  const child = fileURLToPath(new URL("./hostile/inputs-child.mjs", import.meta.url));
  const pkg = new URL("../pkg/node.js", import.meta.url).href;
  const run = (scenario) =>
    new Promise((resolve, reject) =>
      execFile(process.execPath, ["--expose-gc", child, pkg, scenario], { timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${scenario}: the child died: ${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").at(-1))),
      ),
    );

  test("a sparse array of length 4294967295 with one element: the first hole refused at its index, in < 100 ms, by every method", { timeout: 70_000 }, async () => {
    const { out, sent } = await run("sparse");
    assert.equal(sent, 0);
    const expect = {
      checkChannelRelationshipMulti: ["userIds[0]", "params.sparse_array"],
      deleteCustomerFileUsers: ["userIds[0]", "params.sparse_array"],
      addCustomerFileUsers: ["users[0]", "params.sparse_array"],
      validateCustomerFileUsers: ["users[0]", "params.sparse_array"],
    };
    for (const [method, [field, rule]] of Object.entries(expect)) {
      const r = out[method];
      assert.deepEqual([r.name, r.field, r.rule], ["ValidationError", field, rule], `${method}: ${JSON.stringify(r)}`);
      assert.match(r.message, /length 4294967295\) has no element at this index/);
      within(method, r);
    }
  });

  for (const scenario of ["plain30000", "map30000", "plain100000", "map100000"]) {
    test(`a user with ${scenario.replace(/\D+/, "")} keys (${scenario.startsWith("map") ? "a Map" : "a plain object"}): refused in < 100 ms by every method`, { timeout: 70_000 }, async () => {
      const { out, sent } = await run(scenario);
      assert.equal(sent, 0);
      for (const method of ["checkChannelRelationshipMulti", "deleteCustomerFileUsers"]) {
        const r = out[method];
        assert.deepEqual([r.name, r.field, r.rule], ["ValidationError", "userIds[1]", "user_id.type"], `${method}: ${JSON.stringify(r)}`);
      }
      const a = out.addCustomerFileUsers;
      assert.deepEqual([a.name, a.field, a.rule], ["ValidationError", "users[1].fields", "fields.max_items"], JSON.stringify(a));
      assert.match(a.message, /has more than 30 keys/);
      assert.deepEqual(
        out.validateCustomerFileUsers.ok.errors.map((e) => [e.index, e.field, e.rule]),
        [[1, "users[1].fields", "fields.max_items"]],
      );
      for (const [method, r] of Object.entries(out)) within(method, r);
    });
  }
});

describe("holes and arrays that change while read", () => {
  test("a hole is refused at its index, in ids and in users; nothing is sent", async () => {
    const { kakao, sent } = client();
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case
    refused(await failure(kakao.checkChannelRelationshipMulti({ userIds: ["1", , "3"] })), "userIds[1]", "params.sparse_array");
    const ids = ["1", "2"];
    ids[5] = "6";
    refused(await failure(kakao.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: ids })), "userIds[2]", "params.sparse_array");
    const users = Array.from({ length: 2500 }, (_, i) => ({ id: String(i + 1) }));
    delete users[2100];
    refused(await failure(add(kakao, users)), "users[2100]", "params.sparse_array");
    assert.throws(() => validateCustomerFileUsers({ userType: "app", users }), (e) => {
      refused(e, "users[2100]", "params.sparse_array");
      return true;
    });
    // A user before the hole that breaks a rule is reported first, in input order.
    const early = [{ id: "x" }, { id: "2" }];
    early[3] = { id: "4" };
    refused(await failure(add(kakao, early)), "users[0].id", "user_id.format");
    assert.equal(sent.length, 0);
  });

  test("a users array that grows or shrinks while read: refused on `users`, not blamed on the install", async () => {
    const { kakao, sent } = client();
    const growing = () => {
      const target = [{ id: "1" }, { id: "2" }];
      const get = (t, k) => {
        if (k === "0") t.push({ id: String(t.length + 1) });
        return t[k];
      };
      return new Proxy(target, { get });
    };
    const shrinking = () => {
      const target = [{ id: "1" }, { id: "2" }, { id: "3" }];
      const get = (t, k) => {
        if (k === "0") t.length = 1;
        return t[k];
      };
      return new Proxy(target, { get });
    };
    for (const make of [growing, shrinking]) {
      const err = await failure(add(kakao, make()));
      refused(err, "users", "params.changed_while_read");
      assert.match(err.message, make === growing ? /from 2 to 3/ : /from 3 to 1/);
      assert.throws(() => validateCustomerFileUsers({ userType: "app", users: make() }), (e) => {
      refused(e, "users", "params.changed_while_read");
      return true;
    });
    }
    const get = (t, k) => {
      if (k === "1") t.push("3");
      return t[k];
    };
    const ids = new Proxy(["1", "2"], { get });
    refused(await failure(kakao.checkChannelRelationshipMulti({ userIds: ids })), "userIds", "params.changed_while_read");
    assert.equal(sent.length, 0);
  });
});

describe("lone surrogates, anywhere a string goes, are refused naming the field", () => {
  const lone = "\uD800";
  const cases = [
    ["a field value", (k) => add(k, [{ id: "1", fields: { gender: `a${lone}` } }]), "users[0].fields.gender"],
    ["a field value with a NUL too", (k) => add(k, [{ id: "1", fields: { gender: `a\0${lone}` } }]), "users[0].fields.gender"],
    ["a custom field key", (k) => add(k, [{ id: "1", fields: { [`k${lone}`]: 1 } }]), "users[0].fields"],
    ["a Map key", (k) => add(k, [{ id: "1", fields: new Map([[`k${lone}`, 1]]) }]), "users[0].fields"],
    ["a low surrogate alone", (k) => add(k, [{ id: "1", fields: { gender: "\uDC00x" } }]), "users[0].fields.gender"],
    ["a user id", (k) => add(k, [{ id: `1${lone}` }]), "users[0].id"],
    ["a phone id", (k) => add(k, [{ id: `010${lone}` }], { userType: "phone" }), "users[0].id"],
    ["a schema key", (k) => k.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: { [`k${lone}`]: "number" } }), "schema"],
    ["a file name", (k) => k.registerCustomerFile({ channelPublicId: CH, fileName: `f${lone}`, schema: { age: "number" } }), "fileName"],
    ["a channel id", (k) => k.checkChannelRelationship({ channelIds: [`_a${lone}`], userId: 1 }), "channelIds[0]"],
    ["an id of a multi check", (k) => k.checkChannelRelationshipMulti({ userIds: ["1", `2${lone}`] }), "userIds[1]"],
    ["an id to delete", (k) => k.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: [`${lone}`] }), "userIds[0]"],
    ["a channel public id", (k) => k.listCustomerFiles({ channelPublicId: `_Ze${lone}` }), "channelPublicId"],
  ];
  for (const [name, call, field] of cases) {
    test(`${name}: string.unpaired_surrogate on ${field}, nothing sent`, async () => {
      const { kakao, sent } = client();
      const err = await failure(call(kakao));
      refused(err, field, "string.unpaired_surrogate");
      assert.match(err.message, /lone surrogate/);
      assert.equal(sent.length, 0);
    });
  }

  test("the message says where the surrogate is, and never echoes an access token", async () => {
    const { kakao, sent } = client();
    const token = `secret0token0abcdefgh${lone}`;
    const err = await failure(kakao.checkChannelRelationship({ channelIds: ["_a"], accessToken: token }));
    refused(err, "accessToken", "string.unpaired_surrogate");
    assert.match(err.message, /U\+D800 at index 21 \(of 22 UTF-16 code units\)/);
    assert.doesNotMatch(`${err.message} ${err.stack}`, /secret0token/);
    assert.equal(sent.length, 0);
  });

  test("validateCustomerFileUsers and the constructor refuse them too; a well-formed pair passes", async () => {
    assert.throws(() => validateCustomerFileUsers({ userType: "app", users: [{ id: "1", fields: { gender: lone } }] }), (e) => {
      refused(e, "users[0].fields.gender", "string.unpaired_surrogate");
      return true;
    });
    assert.throws(() => new TalkChannelClient({ adminKey: `k${lone}` }), (e) => {
      refused(e, "adminKey", "string.unpaired_surrogate");
      return true;
    });
    const { kakao, sent } = client();
    await add(kakao, [{ id: "1", fields: { gender: "😀" } }]);
    assert.match(sent[0].body, /"성별":"😀"/);
  });
});

describe("params given as a Map", () => {
  test("an add's users under a Map of params are sent exactly as under a plain object (2,500 users: two batches), and checked the same", async () => {
    const answer = (_url, init) => Response.json({ file_id: 1, request_count: JSON.parse(init.body).users.length, success_count: 1 });
    const users = Array.from({ length: 2500 }, (_, i) => ({ id: String(1000 + i), fields: i % 2 ? { age: i % 90 } : new Map([["gender", "F"]]) }));
    const plain = client(answer);
    const viaMap = client(answer);
    const params = { fileId: 1, channelPublicId: CH, userType: "app", users };
    const a = await plain.kakao.addCustomerFileUsers(params);
    const b = await viaMap.kakao.addCustomerFileUsers(new Map(Object.entries(params)));
    assert.deepEqual(b, a);
    assert.equal(viaMap.sent.length, 2);
    assert.deepEqual(viaMap.sent.map((r) => r.body), plain.sent.map((r) => r.body));
    assert.match(viaMap.sent[1].body, /^\{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":\[\{"id":"3000","field":\{"성별":"F"\}\},/);
    // The same checks, the same paths, also past the first 2,000 users.
    const bad = [...users.slice(0, 2100), { id: "1000", fields: { age: "x" } }];
    const r = validateCustomerFileUsers(new Map([["userType", "app"], ["schema", { age: "number", gender: "string" }], ["users", bad]]));
    assert.deepEqual(r.errors.map((e) => [e.field, e.rule]), [["users[2100].id", "users.duplicate_id"]]);
    const err = await failure(viaMap.kakao.addCustomerFileUsers(new Map([...Object.entries(params), ["users", bad]])));
    refused(err, "users[2100].id", "users.duplicate_id");
    assert.equal(viaMap.sent.length, 2, "nothing sent");
  });
});

describe("a user's keys are its own enumerable keys, however they are read", () => {
  const counted = () => client((_url, init) => Response.json({ file_id: 1, request_count: JSON.parse(init.body).users.length, success_count: 1 }));
  test("an enumerable key on Object.prototype is not taken for a user's or its fields' key", async () => {
    const users = [{ id: "11", fields: { age: 30 } }, { id: "12", fields: { age: 31 } }];
    Object.defineProperty(Object.prototype, "gender", { value: "F", enumerable: true, configurable: true, writable: true });
    let r;
    try {
      const { kakao, sent } = counted();
      await add(kakao, users);
      r = { sent, v: validateCustomerFileUsers({ userType: "app", schema: { age: "number" }, users }) };
    } finally {
      delete Object.prototype.gender;
    }
    assert.equal(r.sent[0].body, '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":[{"id":"11","field":{"연령":30}},{"id":"12","field":{"연령":31}}]}');
    assert.deepEqual(r.v, { errors: [] });
  });

  test("a getter that packs another call's users while read leaves this call's users intact; each value is read once", async () => {
    const { kakao, sent } = counted();
    const reads = [];
    const users = Array.from({ length: 3 }, (_, i) => ({
      get id() {
        reads.push(i);
        // Another call's users packed in the middle of this one's.
        validateCustomerFileUsers({ userType: "app", users: [{ id: "99", fields: { vipLevel: "gold", gender: "M" } }] });
        return String(21 + i);
      },
      fields: { age: 40 + i },
    }));
    await add(kakao, users);
    assert.deepEqual(reads, [0, 1, 2]);
    assert.equal(sent[0].body, '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":[{"id":"21","field":{"연령":40}},{"id":"22","field":{"연령":41}},{"id":"23","field":{"연령":42}}]}');
  });

  test("a key a getter deleted before its turn is not read, as JSON.stringify skips it", async () => {
    const { kakao, sent } = client();
    const fields = {
      get age() {
        delete this.gender;
        return 50;
      },
      gender: "F",
    };
    await add(kakao, [{ id: "31", fields }]);
    assert.equal(sent[0].body, '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":[{"id":"31","field":{"연령":50}}]}');
  });
});

describe("values of another realm, polyfills and odd class names", () => {
  test("a node:vm plain object, Map and array are read as this realm's would be", async () => {
    const { kakao, sent } = client(() => Response.json({ file_id: 1, request_count: 2, success_count: 2 }));
    const ctx = vm.createContext({});
    const users = vm.runInContext('[{ id: "1", fields: { age: 30 } }, { id: "2", fields: new Map([["gender", "F"]]) }]', ctx);
    const params = vm.runInContext('({ fileId: 1, channelPublicId: "_ZeUTxl", userType: "app" })', ctx);
    params.users = users;
    assert.deepEqual(await kakao.addCustomerFileUsers(params), { fileId: 1, requestCount: 2, successCount: 2, batches: [{ index: 0, userCount: 2, requestCount: 2, successCount: 2 }] });
    assert.equal(
      sent[0].body,
      '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":[{"id":"1","field":{"연령":30}},{"id":"2","field":{"성별":"F"}}]}',
    );
    const r = validateCustomerFileUsers(vm.runInContext('({ userType: "app", schema: { age: "number" }, users: [{ id: "1", fields: new Map([["age", "x"]]) }] })', ctx));
    assert.deepEqual(r.errors.map((e) => [e.field, e.rule]), [["users[0].fields.age", "fields.type_mismatch"]]);
    // Another realm's class instance is still refused by name.
    const err = await failure(add(kakao, [{ id: "1", fields: vm.runInContext("new (class Customer {})()", ctx) }]));
    refused(err, "users[0].fields", "params.type");
    assert.match(err.message, /an instance of Customer/);
  });

  test("an AbortSignal polyfill is used as the signal; an object that is not one is refused saying what it lacks", async () => {
    class AbortSignal {
      aborted = false;
      reason = undefined;
      listeners = [];
      addEventListener(_type, f) {
        this.listeners.push(f);
      }
      removeEventListener() {}
    }
    const { kakao, sent } = client(() => Response.json({ file_id: 7 }));
    const live = new AbortSignal();
    assert.deepEqual(await kakao.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: { age: "number" } }, { signal: live }), { fileId: 7 });
    const aborted = new AbortSignal();
    aborted.aborted = true;
    aborted.reason = new Error("polyfill abort");
    const e = await failure(kakao.listCustomerFiles({ channelPublicId: CH }, { signal: aborted }));
    assert.equal(e, aborted.reason);
    assert.equal(sent.length, 1);
    const notOne = new (class AbortSignal {})();
    const err = await failure(kakao.listCustomerFiles({ channelPublicId: CH }, { signal: notOne }));
    refused(err, "options.signal", "options.signal");
    assert.match(err.message, /without a boolean `aborted` and an `addEventListener` method/);
  });

  test("a class whose name holds a NUL or a lone surrogate is named, escaped", async () => {
    const { kakao, sent } = client();
    const Nul = { "A\0B": class {} }["A\0B"];
    const err = await failure(add(kakao, [{ id: "1", fields: new Nul() }]));
    refused(err, "users[0].fields", "params.type");
    assert.match(err.message, /an instance of A\\u0000B/);
    const Lone = { "C\uD800": class {} }["C\uD800"];
    refused(await failure(kakao.listCustomerFiles(new Lone())), "params", "params.type");
    assert.equal(sent.length, 0);
  });
});

describe("options a method does not use are refused", () => {
  test("stopSignal, onBatch and concurrency on a one-request call: ValidationError, nothing sent", async () => {
    const { kakao, sent } = client(() => Response.json({ file_id: 1 }));
    const stopped = new AbortController();
    stopped.abort(new Error("stop"));
    const p = { channelPublicId: CH, fileName: "f", schema: { age: "number" } };
    for (const [options, field] of [
      [{ stopSignal: stopped.signal }, "options.stopSignal"],
      [{ onBatch: () => {} }, "options.onBatch"],
      [{ concurrency: 2 }, "options.concurrency"],
    ]) {
      const err = await failure(kakao.registerCustomerFile(p, options));
      refused(err, field, "params.unknown_key");
      assert.match(err.message, /only for the calls split into batches/);
      refused(await failure(kakao.listCustomerFiles({ channelPublicId: CH }, options)), field, "params.unknown_key");
      refused(await failure(kakao.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }, options)), field, "params.unknown_key");
    }
    assert.equal(sent.length, 0);
    // `undefined` is no option at all (exactOptionalPropertyTypes), and the split calls take them.
    assert.deepEqual(await kakao.registerCustomerFile(p, { stopSignal: undefined, onBatch: undefined, concurrency: undefined }), { fileId: 1 });
    assert.equal(sent.length, 1);
  });
});

test("a stopped split call whose hard signal fires 20 ms later: unsent batches carry the stop's reason, the one in flight the signal's", async () => {
  const stop = new AbortController();
  const hard = new AbortController();
  const stopReason = new Error("stop: ctrl-c");
  const hardReason = new Error("hard: ctrl-c twice");
  let started = 0;
  const fetch = async (_url, init) => {
    started++;
    if (started === 2) {
      // The second batch hangs until aborted; meanwhile the stop, then the hard signal.
      stop.abort(stopReason);
      setTimeout(() => hard.abort(hardReason), 20);
      return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    }
    const n = JSON.parse(new TextDecoder().decode(init.body)).users.length;
    return Response.json({ file_id: 1, request_count: n, success_count: n });
  };
  const kakao = new TalkChannelClient({ restApiKey: "rest0key0inputs0tests", fetch, logLevel: "off", maxRetries: 0 });
  const users = Array.from({ length: 10_000 }, (_, i) => ({ id: String(i + 1) }));
  const err = await failure(kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users }, { signal: hard.signal, stopSignal: stop.signal }));
  assert.ok(err instanceof BulkOperationError, String(err));
  assert.equal(started, 2);
  assert.deepEqual(err.partial.batches.map((b) => b.index), [0]);
  assert.deepEqual(err.failed.map((b) => b.index), [1, 2, 3, 4]);
  assert.equal(err.failed[0].error, hardReason, "the batch in flight: the hard signal's reason");
  for (const b of err.failed.slice(1)) assert.equal(b.error, stopReason, `unsent batch ${b.index}: the stop's reason`);
});
