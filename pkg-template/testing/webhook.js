// Kakao's channel add/block webhook, sent as Kakao sends it, to test a receiving handler.
// Part of the emulator: it never imports the SDK.
import { rfc3339 } from "./kakao.js";
/** @import * as T from "./index.js" */
/** @import { State } from "./state.js" */

/**
 * The emulator's `deliverWebhook`, recording each delivery in `state.webhooks`.
 * @param {State} state
 * @returns {T.KakaoEmulator["deliverWebhook"]}
 */
export function createWebhookSender(state) {
  const { now } = state;
  let nextDelivery = 1;

  /**
   * Sends a channel webhook delivery exactly as Kakao does: POST with
   * `Authorization: KakaoAK <adminKey>`, a fresh `X-Kakao-Resource-ID`,
   * `User-Agent: KakaoOpenAPI/1.0` and the JSON body, following no redirects and waiting at most
   * 3 seconds. `target` is a URL (sent with the global `fetch`) or a handler
   * `(request) => Promise<Response>` (called directly). `delivery` overrides parts of it for
   * tests: `resourceId` (to redeliver), `adminKey`, `headers` (a null value removes one),
   * `method`, `body` (raw text or bytes instead of the JSON). Resolves, never rejects, with the
   * record of the attempt: a target that does not answer within 3 seconds (or fails) is a
   * failed delivery, `{ delivered: false, status: null, timedOut, error }`, as for Kakao.
   */
  return async function deliverWebhook(target, event, delivery = {}) {
    const userId = String(event.userId ?? /** @type {{ id?: unknown }} */ (event).id);
    const publicId = event.channelPublicId;
    const channel = state.channels.get(publicId) ?? { publicId, uuid: `@${String(publicId).replace(/^_/, "")}` };
    const updatedAt = event.updatedAt ?? now();
    /** @type {Record<string, string>} */
    const payload = { event: event.event ?? "added", id: userId, id_type: event.idType ?? "app_user_id" };
    if (event.legacy) {
      payload.plus_friend_public_id = channel.publicId;
      payload.plus_friend_uuid = event.channelUuid ?? channel.uuid;
    } else {
      payload.channel_public_id = channel.publicId;
      payload.channel_uuid = event.channelUuid ?? channel.uuid;
    }
    payload.updated_at = rfc3339(updatedAt);
    const resourceId = delivery.resourceId ?? `emulator-delivery-${nextDelivery++}`;
    const headers = new Headers({
      authorization: `KakaoAK ${delivery.adminKey ?? state.adminKey}`,
      "x-kakao-resource-id": resourceId,
      "user-agent": "KakaoOpenAPI/1.0",
      "content-type": "application/json",
    });
    for (const [k, v] of Object.entries(delivery.headers ?? {})) {
      if (v === null) headers.delete(k);
      else headers.set(k, v);
    }
    const method = delivery.method ?? "POST";
    /** @type {BodyInit | undefined} a test's bytes: never on a SharedArrayBuffer */
    const body = method === "GET" || method === "HEAD" ? undefined : /** @type {string | Uint8Array<ArrayBuffer>} */ (delivery.body ?? JSON.stringify(payload));
    const started = Date.now();
    const timeout = AbortSignal.timeout(3000);
    /** @type {Response | undefined} */
    let response;
    /** @type {string | undefined} */
    let text;
    /** @type {unknown} */
    let failure;
    try {
      if (typeof target === "function") {
        const url = delivery.url ?? "https://service.example/kakao/webhook";
        response = await Promise.race([
          Promise.resolve().then(() => target(new Request(url, { method, headers, body, signal: timeout }))),
          /** @type {Promise<never>} */ (new Promise((_, reject) => timeout.addEventListener("abort", () => reject(timeout.reason), { once: true }))),
        ]);
      } else {
        response = await fetch(String(target), { method, headers, body, redirect: "manual", signal: timeout });
      }
      text = await response.text();
    } catch (err) {
      failure = err;
    }
    const timedOut = failure !== undefined && timeout.aborted;
    const record = failure
      ? {
          resourceId,
          payload,
          status: null,
          delivered: false,
          timedOut,
          // What Kakao would see: no answer within 3 seconds, or no answer at all.
          error: timedOut ? "no answer within 3 seconds" : String(/** @type {any} */ (failure)?.message ?? failure),
          ms: Date.now() - started,
          responseBody: null,
        }
      : {
          resourceId,
          payload,
          status: /** @type {Response} */ (response).status, // set when nothing failed
          // Kakao's callback doc has said, in one published version, that any status but "200 OK"
          // counts as a failed delivery (the current one says any 2xx within 3 seconds): the
          // stricter reading, so a handler passing here passes with either.
          delivered: /** @type {Response} */ (response).status === 200,
          timedOut: false,
          ms: Date.now() - started,
          responseBody: /** @type {string} */ (text),
        };
    state.webhooks.push(record);
    return record;
  };
}
