// createChannelWebhookHandler: a fetch-style handler for Kakao Talk Channel webhook deliveries.
// Every check (method, Authorization, body) is parseChannelWebhook's, in Rust; this file only
// maps its outcome to a status and drops redeliveries.
import { parseChannelWebhook as parseInWasm, __checkWebhookHandlerOptions } from "./kakao_talk_channel.js";
import { ValidationError, WebhookAuthError } from "./errors.js";
import { __fail } from "./client.js";

/** Verifies and parses one webhook delivery; see the README. */
export async function parseChannelWebhook(request, options) {
  try {
    return await parseInWasm(request, options);
  } catch (thrown) {
    throw __fail(thrown);
  }
}

const DEFAULT_WINDOW = 10000;

/** The default `seen` store: the last `limit` resource ids, in memory. */
function recentIds(limit) {
  const ids = new Set();
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value);
    },
  };
}

function reply(status, body) {
  return body === undefined
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * Returns `(request: Request) => Promise<Response>` for Kakao's channel add/block webhook:
 * 405 for a method other than POST, 401 for a missing or wrong `Authorization`, 400 for a
 * malformed body (`{ field, rule }`), 204 once `onEvent` resolved, 204 without calling
 * `onEvent` for a redelivery (same `X-Kakao-Resource-ID`), 409 while the same delivery is
 * still being handled, 500 when `onEvent` throws (the error goes to `onError`, default
 * `console.error`).
 */
export function createChannelWebhookHandler(options) {
  try {
    __checkWebhookHandlerOptions(options);
  } catch (thrown) {
    throw __fail(thrown);
  }
  const { adminKey, onEvent } = options;
  const seen = options.seen ?? recentIds(DEFAULT_WINDOW);
  const onError = options.onError ?? ((err) => console.error("kakao-talk-channel webhook: onEvent failed:", err));
  const inFlight = new Set();

  return async function handleChannelWebhook(request) {
    let event;
    try {
      event = await parseChannelWebhook(request, { adminKey });
    } catch (err) {
      if (err instanceof WebhookAuthError) return reply(401, { error: "unauthorized", reason: err.reason });
      if (err instanceof ValidationError) {
        if (err.rule === "webhook.method") {
          return new Response(null, { status: 405, headers: { allow: "POST" } });
        }
        return reply(400, { error: "invalid webhook body", field: err.field, rule: err.rule });
      }
      throw err;
    }
    const id = event.resourceId;
    if (id !== null) {
      if (inFlight.has(id)) return reply(409, { error: "this delivery is being handled" });
      inFlight.add(id);
    }
    try {
      if (id !== null && (await seen.has(id))) return reply(204);
      await onEvent(event);
      if (id !== null) await seen.add(id);
      return reply(204);
    } catch (err) {
      await onError(err, event);
      return reply(500, { error: "onEvent failed" });
    } finally {
      if (id !== null) inFlight.delete(id);
    }
  };
}
