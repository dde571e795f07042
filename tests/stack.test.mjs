// A rejected call's error carries the caller's async frames (Sentry and the like group by them):
// every async method, for a ValidationError from the rules, a KakaoApiError from Kakao, a
// NetworkError from fetch and a BulkOperationError of a split call.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TalkChannelClient, parseChannelWebhook } from "../pkg/node.js";

const CH = "_ZeUTxl";
const fetch = async (url) =>
  url.includes("unreachable")
    ? Promise.reject(new TypeError("fetch failed"))
    : Response.json({ msg: "no", code: -2 }, { status: 400 });
const keys = { adminKey: "admin0key0for0stack0tests", restApiKey: "rest0key0for0stack0tests", fetch, maxRetries: 0, logLevel: "off" };
const kakao = new TalkChannelClient(keys);
const offline = new TalkChannelClient({ ...keys, baseUrl: "https://unreachable.example" });

const calls = {
  checkChannelRelationship: (k, bad) => k.checkChannelRelationship({ channelIds: [bad ? "bad id" : CH], userId: 1 }),
  checkChannelRelationshipMulti: (k, bad) => k.checkChannelRelationshipMulti({ userIds: bad ? [0] : [1] }),
  registerCustomerFile: (k, bad) => k.registerCustomerFile({ channelPublicId: CH, fileName: bad ? "" : "f", schema: { age: "number" } }),
  listCustomerFiles: (k, bad) => k.listCustomerFiles({ channelPublicId: bad ? "" : CH }),
  addCustomerFileUsers: (k, bad) => k.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users: [{ id: bad ? "x" : 1 }] }),
  deleteCustomerFileUsers: (k, bad) => k.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: [bad ? "x" : 1] }),
};

async function myRequestHandler(call) {
  return await call();
}

for (const [name, call] of Object.entries(calls)) {
  test(`${name}: the stack of each kind of failure names the calling function`, async () => {
    for (const [kind, run] of [
      ["ValidationError", () => call(kakao, true)],
      ["KakaoApiError", () => call(kakao, false)],
      ["NetworkError", () => call(offline, false)],
    ]) {
      const err = await myRequestHandler(run).catch((e) => e);
      assert.equal(err.name, kind, `${name}: ${err}`);
      assert.match(err.stack, /at async myRequestHandler \(.*stack\.test\.mjs:\d+:\d+\)/, `${name} ${kind}:\n${err.stack}`);
      assert.doesNotMatch(err.stack.split("\n")[1], /wasm-function/, "the top frame is JS, not wasm");
    }
  });
}

test("BulkOperationError and parseChannelWebhook's errors name the caller too", async () => {
  let n = 0;
  const mixed = async () => (n++ === 0 ? Response.json({ file_id: 1, request_count: 2000, success_count: 2000 }) : Response.json({ msg: "x", code: -1 }, { status: 500 }));
  const k = new TalkChannelClient({ ...keys, fetch: mixed });
  const users = Array.from({ length: 2001 }, (_, i) => ({ id: i + 1 }));
  const bulk = await myRequestHandler(() => k.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users })).catch((e) => e);
  assert.equal(bulk.name, "BulkOperationError");
  assert.match(bulk.stack, /at async myRequestHandler/);
  const hook = await myRequestHandler(() => parseChannelWebhook(new Request("http://x/", { method: "GET" }), { adminKey: keys.adminKey })).catch((e) => e);
  assert.equal(hook.name, "ValidationError");
  assert.match(hook.stack, /at (async )?myRequestHandler/);
});
