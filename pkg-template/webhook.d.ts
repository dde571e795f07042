import type { ChannelWebhookEvent } from "./kakao_talk_channel.js";

/** Where handled delivery ids are remembered, to drop Kakao's redeliveries: a `Set`, or a KV. */
export interface WebhookSeenStore {
  has(resourceId: string): boolean | Promise<boolean>;
  add(resourceId: string): unknown;
}

export interface ChannelWebhookHandlerOptions {
  /** The app's primary admin key: Kakao sends `Authorization: KakaoAK <key>` with each delivery. */
  adminKey: string;
  /** Called once per delivery (not for redeliveries). Kakao wants an answer within 3 seconds. */
  onEvent: (event: ChannelWebhookEvent) => void | Promise<void>;
  /** Resource ids already handled. Default: the last 10,000, in memory (per isolate/process). */
  seen?: WebhookSeenStore;
  /** Called when `onEvent` throws (the handler then answers 500). Default: `console.error`. */
  onError?: (error: unknown, event: ChannelWebhookEvent) => void | Promise<void>;
}

/**
 * A fetch-style handler for Kakao Talk Channel's add/block webhook. Answers 405 for a method
 * other than POST, 401 for a missing or wrong `Authorization`, 400 for a malformed body,
 * 204 after `onEvent` resolved or for a redelivery of a handled `X-Kakao-Resource-ID`, 409 while
 * the same delivery is still being handled, 500 when `onEvent` throws.
 *
 * @example
 * ```ts
 * const handle = createChannelWebhookHandler({
 *   adminKey: env.KAKAO_ADMIN_KEY,
 *   onEvent: async (e) => { await db.setChannelStatus(e.userId, e.event, e.updatedAt); },
 * });
 * export default { fetch: (request) => handle(request) };
 * ```
 */
export declare function createChannelWebhookHandler(
  options: ChannelWebhookHandlerOptions,
): (request: Request) => Promise<Response>;
