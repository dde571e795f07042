// A Worker for webhook-cloudflare.test.mjs: the built package's workerd entry, serving Kakao's
// webhook with d1SeenStore (POST /d1) or kvSeenStore (POST /kv) on its bindings. The test runs
// two of these (two isolates) on one D1 database and one KV namespace. Each onEvent is recorded
// as a row of `runs` in D1, so the test counts how many times each delivery was handled.
import { createChannelWebhookHandler, d1SeenStore, kvSeenStore } from "../pkg/workerd.js";

let handlers;

export default {
  async fetch(request, env) {
    handlers ??= Object.fromEntries(
      [
        ["d1", d1SeenStore(env.DB)],
        ["kv", kvSeenStore(env.KV)],
      ].map(([name, seen]) => [
        name,
        createChannelWebhookHandler({
          adminKey: env.ADMIN_KEY,
          seen,
          answerWithinMs: 2000,
          callTimeoutMs: 1500,
          onEvent: async (e) => {
            await env.DB.prepare("INSERT INTO runs (store, id) VALUES (?1, ?2)").bind(name, e.resourceId).run();
          },
          onError() {},
        }),
      ]),
    );
    const handler = handlers[new URL(request.url).pathname.slice(1)];
    return handler ? handler(request) : new Response(null, { status: 404 });
  },
};
