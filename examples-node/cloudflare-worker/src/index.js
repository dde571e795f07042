// Cloudflare Worker:
// - GET /relations?user=<id>&channels=<id,id> → the user's relation to each channel, using the
//   admin key from the KAKAO_ADMIN_KEY secret binding;
// - POST /kakao/webhook → Kakao's channel add/block webhook, verified with the same admin key
//   (passed explicitly: a Worker has its secrets in `env`, not in an environment); each delivery
//   is claimed in the D1 database bound as DB (one SQL statement per step, atomic across
//   isolates and locations), so a redelivery is answered 200 without a second onEvent, or 409
//   while the first attempt still runs. (kvSeenStore is only best effort: KV has no
//   compare-and-set.)
import { KakaoApiError, TalkChannelClient, ValidationError, createChannelWebhookHandler, d1SeenStore } from "kakao-talk-channel";

let client;
let clientKey;

function clientFor(env) {
  // One client per isolate (and per key): keys stay inside the wasm instance.
  const key = `${env.KAKAO_ADMIN_KEY}|${env.KAKAO_BASE_URL ?? ""}`;
  if (client === undefined || key !== clientKey) {
    client = new TalkChannelClient({ adminKey: env.KAKAO_ADMIN_KEY, ...(env.KAKAO_BASE_URL ? { baseUrl: env.KAKAO_BASE_URL } : {}) });
    clientKey = key;
  }
  return client;
}

async function relations(url, env) {
  try {
    const result = await clientFor(env).checkChannelRelationship({
      userId: url.searchParams.get("user") ?? "",
      channelIds: (url.searchParams.get("channels") ?? "").split(",").filter(Boolean),
    });
    return Response.json(result);
  } catch (err) {
    if (err instanceof ValidationError) {
      return Response.json({ error: err.message, field: err.field, rule: err.rule }, { status: 400 });
    }
    if (err instanceof KakaoApiError) {
      return Response.json({ error: err.msg, kind: err.kind, code: err.code }, { status: err.status === 400 ? 400 : 502 });
    }
    return Response.json({ error: "upstream unavailable" }, { status: 503 });
  }
}

let webhook;
let webhookKey;

function webhookFor(env) {
  // One handler per isolate (and per key).
  if (webhook === undefined || webhookKey !== env.KAKAO_ADMIN_KEY) {
    webhook = createChannelWebhookHandler({
      adminKey: env.KAKAO_ADMIN_KEY,
      // Handled ids are kept one day (seenTtlMs); a failed onEvent releases its claim, so
      // Kakao's redelivery is handled again. Without a DB binding this throws a ValidationError
      // naming `db` (every delivery then gets a 500 and Kakao retries): bind it in wrangler.toml.
      seen: d1SeenStore(env.DB),
      async onEvent(e) {
        // Kakao wants an answer within 3 s: record the event, do slow work elsewhere (a queue).
        console.log(`${e.event}: user ${e.userId} (${e.idType}) → ${e.channelPublicId} at ${e.updatedAt.toISOString()}`);
      },
    });
    webhookKey = env.KAKAO_ADMIN_KEY;
  }
  return webhook;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/kakao/webhook") return webhookFor(env)(request);
    if (url.pathname !== "/relations") return new Response("Not found", { status: 404 });
    if (request.method !== "GET") return new Response("Method not allowed", { status: 405, headers: { allow: "GET" } });
    return relations(url, env);
  },
};
