// A Cloudflare Worker that imports the installed package and runs the smoke on GET /smoke.
import * as sdk from "kakao-talk-channel";
import { smoke } from "./smoke-lib.mjs";

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== "/smoke") return new Response("not found", { status: 404 });
    try {
      const report = await smoke(sdk, {
        baseUrl: env.KTC_BASE_URL,
        adminKey: env.KTC_ADMIN_KEY,
        restApiKey: env.KTC_REST_KEY,
        token: env.KTC_TOKEN,
        channel: env.KTC_CHANNEL,
      });
      return new Response(`SMOKE OK ${JSON.stringify(report)}`);
    } catch (err) {
      return new Response(String(err?.stack ?? err), { status: 500 });
    }
  },
};
