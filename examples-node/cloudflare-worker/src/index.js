// Cloudflare Worker: GET /relations?user=<id>&channels=<id,id> → the user's relation to each
// channel, using the admin key from the KAKAO_ADMIN_KEY secret binding.
import { KakaoApiError, TalkChannelClient, ValidationError } from "kakao-talk-channel";

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

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/relations") return new Response("Not found", { status: 404 });
    if (request.method !== "GET") return new Response("Method not allowed", { status: 405, headers: { allow: "GET" } });
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
  },
};
