// Split calls (multi check by 200, add and delete by 2,000): concurrency, onBatch, input order,
// and one rule for partial failure — all batches succeeded: the result; some succeeded and some
// failed: BulkOperationError with `partial`; none succeeded: the first failure's own error,
// whatever the input size.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BulkOperationError, KakaoApiError, TalkChannelClient } from "../pkg/node.js";

const CH = "_ZeUTxl";
const quiet = { logLevel: "off", maxRetries: 0 };
const ids = (n, from = 1) => Array.from({ length: n }, (_, i) => String(from + i));
const users = (n) => ids(n).map((id) => ({ id }));
const bodyOf = (init) => JSON.parse(new TextDecoder().decode(init.body));
const multiIds = (url) => new URL(url).searchParams.get("target_ids").split(",");

/** A fetch answering the multi check: each asked id ADDED, except the calls `fail(n)` picks. */
function multiFetch(fail = () => false) {
  let n = 0;
  const fetch = async (url) => {
    const call = n++;
    if (fail(call)) return Response.json({ msg: "boom", code: -1 }, { status: 500 });
    return new Response(
      JSON.stringify(multiIds(url).map((id) => ({ user_id: Number(id), channels: [{ channel_uuid: "@a", channel_public_id: "_a", relation: "ADDED" }] }))),
    );
  };
  return { fetch, calls: () => n };
}

describe("one partial-failure rule for multi, add and delete", () => {
  test("multi: the second of three sub-calls fails: BulkOperationError with the checked users and the unchecked ids", async () => {
    const f = multiFetch((n) => n === 1);
    const kakao = new TalkChannelClient({ adminKey: "admin0key0bulk0tests", fetch: f.fetch, ...quiet });
    const err = await kakao.checkChannelRelationshipMulti({ userIds: ids(450) }).catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.equal(f.calls(), 3, "a failure that does not doom the rest lets the next sub-call go");
    assert.deepEqual(err.partial.users.map((u) => u.userId), [...ids(200), ...ids(50, 401)]);
    assert.ok(err.partial.users[0].channels[0].relation === "ADDED");
    assert.deepEqual(err.failed.map((b) => [b.index, b.userIds.length, b.userIds[0], b.error.status]), [[1, 200, "201", 500]]);
    assert.ok(err.failed[0].error instanceof KakaoApiError);
    assert.equal(err.failed[0].error.endpoint, "GET /v2/api/talk/channels/multi");
    assert.deepEqual(err.succeeded, [{ index: 0, userCount: 200 }, { index: 2, userCount: 50 }]);
  });

  test("which error does not depend on input size: nothing succeeded → the batch's own error", async () => {
    for (const n of [100, 450]) {
      const kakao = new TalkChannelClient({ adminKey: "admin0key0bulk0tests", fetch: multiFetch(() => true).fetch, ...quiet });
      const err = await kakao.checkChannelRelationshipMulti({ userIds: ids(n) }).catch((e) => e);
      assert.ok(err instanceof KakaoApiError, `${n}: ${err}`);
    }
    for (const n of [100, 2001]) {
      const fetch = async () => Response.json({ msg: "boom", code: -1 }, { status: 500 });
      const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, ...quiet });
      const err = await kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(n) }).catch((e) => e);
      assert.ok(err instanceof KakaoApiError, `${n}: ${err}`);
    }
  });

  test("add and delete: the first batch fails, the second succeeds → BulkOperationError, both sizes alike", async () => {
    let n = 0;
    const fetch = async (_url, init) => {
      const sent = bodyOf(init);
      if (n++ === 0) return Response.json({ msg: "boom", code: -1 }, { status: 500 });
      const count = (sent.users ?? sent.user_ids).length;
      return sent.users ? Response.json({ file_id: 1, request_count: count, success_count: count }) : new Response("");
    };
    const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, ...quiet });
    const err = await kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(2001) }).catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.deepEqual(err.partial, { fileId: 1, requestCount: 1, successCount: 1, batches: [{ index: 1, userCount: 1, requestCount: 1, successCount: 1 }] });
    assert.deepEqual(err.failed.map((b) => [b.index, b.userIds.length]), [[0, 2000]]);
    n = 0;
    const del = await kakao.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: ids(2001) }).catch((e) => e);
    assert.ok(del instanceof BulkOperationError, String(del));
    assert.deepEqual(del.partial, { requestCount: 1, batches: [{ index: 1, userCount: 1 }] });
  });
});

describe("concurrency", () => {
  test("at most `concurrency` batches in flight, results and batches in input order, onBatch for each", async () => {
    let inFlight = 0;
    let most = 0;
    const fetch = async (_url, init) => {
      const sent = bodyOf(init).users.length;
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      inFlight--;
      return Response.json({ file_id: 1, request_count: sent, success_count: sent });
    };
    const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, concurrency: 2, ...quiet });
    const events = [];
    const r = await kakao.addCustomerFileUsers(
      { fileId: 1, channelPublicId: CH, userType: "app", users: users(20_500) },
      { concurrency: 4, onBatch: (e) => events.push(e) },
    );
    assert.equal(most, 4, "the call's concurrency overrides the client's");
    assert.deepEqual(r.batches.map((b) => b.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual([r.requestCount, r.successCount], [20_500, 20_500]);
    assert.deepEqual(events.map((e) => e.index).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(events.every((e) => e.result.successCount === e.userIds.length && e.error === undefined));
    const multi = await new TalkChannelClient({ adminKey: "admin0key0bulk0tests", fetch: multiFetch().fetch, concurrency: 8, ...quiet })
      .checkChannelRelationshipMulti({ userIds: ids(1000).reverse() });
    assert.deepEqual(multi.users.map((u) => u.userId), ids(1000).reverse());
  });

  test("a failure that dooms every batch stops new batches from starting; those in flight finish", async () => {
    let started = 0;
    const fetch = async (_url, init) => {
      const call = started++;
      const sent = bodyOf(init).users.length;
      if (call === 1) return Response.json({ msg: "unauthorized", code: -401 }, { status: 401 });
      await new Promise((r) => setTimeout(r, 30));
      return Response.json({ file_id: 1, request_count: sent, success_count: sent });
    };
    const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, concurrency: 3, ...quiet });
    const err = await kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(20_000) }).catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.equal(started, 3, "only the batches already in flight were sent");
    assert.deepEqual(err.partial.batches.map((b) => b.index), [0, 2]);
    assert.deepEqual(err.failed.map((b) => b.index), [1, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(err.failed.every((b) => b.error.status === 401 && b.userIds.length === 2000));
  });

  test("an abort stops everything in flight, after a success: BulkOperationError with the reason", async () => {
    const signals = [];
    let n = 0;
    const fetch = (_url, init) => {
      signals.push(init.signal);
      if (n++ === 0) return Promise.resolve(Response.json({ file_id: 1, request_count: 2000, success_count: 2000 }));
      return new Promise((_r, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    };
    const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, concurrency: 4, ...quiet });
    const controller = new AbortController();
    const reason = new Error("stop");
    const p = kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(12_000) }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 30));
    controller.abort(reason);
    const err = await p.catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.deepEqual(err.partial.batches.map((b) => b.index), [0]);
    assert.deepEqual(err.failed.map((b) => b.index), [1, 2, 3, 4, 5]);
    assert.ok(err.failed.every((b) => b.error === reason));
    assert.equal(signals.length, 5, "no batch started after the abort");
    assert.ok(signals.slice(1).every((s) => s.aborted), "every request in flight was aborted");
  });

  test("stopSignal stops gently: no new batch starts, those in flight finish and reach onBatch", async () => {
    const stop = new AbortController();
    let started = 0;
    const fetch = async (_url, init) => {
      started++;
      if (started === 2) stop.abort(new Error("ctrl-c"));
      await new Promise((r) => setTimeout(r, 20));
      if (init.signal.aborted) throw new Error("an in-flight request was aborted");
      const sent = bodyOf(init).users.length;
      return Response.json({ file_id: 1, request_count: sent, success_count: sent });
    };
    const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, ...quiet });
    const events = [];
    const err = await kakao
      .addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(10_000) }, { concurrency: 2, stopSignal: stop.signal, onBatch: (e) => events.push(e.index) })
      .catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.equal(started, 2, "no batch started after the stop");
    assert.deepEqual(events.sort(), [0, 1], "both batches in flight finished");
    assert.deepEqual(err.partial.batches.map((b) => b.index), [0, 1]);
    assert.deepEqual(err.failed.map((b) => [b.index, b.error.message]), [[2, "ctrl-c"], [3, "ctrl-c"], [4, "ctrl-c"]]);
    const early = new AbortController();
    early.abort(new Error("before"));
    const e2 = await kakao
      .addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(10) }, { stopSignal: early.signal })
      .catch((e) => e);
    assert.equal(e2.message, "before", "stopped before any batch: the reason itself");
  });

  test("the next batch is built while every slot waits; a stop or a dooming failure meanwhile leaves it unsent and listed, a success sends it", async () => {
    // Concurrency 1, each answer 40 ms away: batch `next` is built during the wait (after a
    // turn of the event loop), then sent, listed unsent, or failed with the doom's error.
    const run = async (outcome, options = {}) => {
      const bodies = [];
      const fetch = async (_url, init) => {
        const body = bodyOf(init);
        bodies.push(body.users.map((u) => u.id));
        await new Promise((r) => setTimeout(r, 40));
        return outcome(bodies.length - 1, body.users.length);
      };
      const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", fetch, ...quiet });
      const events = [];
      const r = await kakao
        .addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: users(7_000) }, { ...options, onBatch: (e) => events.push(e.index) })
        .catch((e) => e);
      return { r, bodies, events };
    };
    const ok = (_call, sent) => Response.json({ file_id: 1, request_count: sent, success_count: sent });
    let { r, bodies, events } = await run(ok);
    assert.deepEqual(bodies, [ids(2000), ids(2000, 2001), ids(2000, 4001), ids(1000, 6001)], "every batch sent once, in order, with its own users");
    assert.deepEqual(events, [0, 1, 2, 3]);
    assert.deepEqual(r.batches.map((b) => [b.index, b.userCount]), [[0, 2000], [1, 2000], [2, 2000], [3, 1000]]);
    const stop = new AbortController();
    ({ r, bodies, events } = await run((call, sent) => {
      if (call === 1) stop.abort(new Error("ctrl-c"));
      return ok(call, sent);
    }, { stopSignal: stop.signal }));
    assert.ok(r instanceof BulkOperationError, String(r));
    assert.equal(bodies.length, 2, "nothing sent after the stop, though batch 2 was built");
    assert.deepEqual(events, [0, 1]);
    assert.deepEqual(r.failed.map((b) => [b.index, b.userIds.length, b.error.message]), [[2, 2000, "ctrl-c"], [3, 1000, "ctrl-c"]]);
    assert.deepEqual(r.failed[0].userIds, ids(2000, 4001));
    ({ r, bodies } = await run((call, sent) => (call === 1 ? Response.json({ msg: "unauthorized", code: -401 }, { status: 401 }) : ok(call, sent))));
    assert.ok(r instanceof BulkOperationError, String(r));
    assert.equal(bodies.length, 2, "nothing sent after the doom, though batch 2 was built");
    assert.deepEqual(r.failed.map((b) => [b.index, b.error.status]), [[1, 401], [2, 401], [3, 401]]);
    assert.deepEqual(r.failed[1].userIds, ids(2000, 4001));
  });

  test("concurrency outside 1–16 is a ValidationError", async () => {
    assert.throws(() => new TalkChannelClient({ concurrency: 0 }), { rule: "options.concurrency", field: "concurrency" });
    const kakao = new TalkChannelClient({ restApiKey: "rest0key0bulk0tests", ...quiet });
    const err = await kakao.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: ["1"] }, { concurrency: 17 }).catch((e) => e);
    assert.deepEqual([err.field, err.rule], ["options.concurrency", "options.concurrency"]);
  });
});
