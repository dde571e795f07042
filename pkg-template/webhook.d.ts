/** One Kakao Talk Channel webhook delivery: a user added or blocked the channel. */
export interface ChannelWebhookEvent {
  /** Unknown future values pass through as strings. */
  event: "added" | "blocked" | (string & {});
  /** The user's id, as Kakao sent it (a decimal string for app user ids; never rounded). */
  userId: string;
  /** "app_user_id" when the user agreed to share channel status with the app, else "open_id". */
  idType: "app_user_id" | "open_id" | (string & {});
  /** `channel_public_id` (or the older `plus_friend_public_id`). */
  channelPublicId: string;
  /** `channel_uuid` (or the older `plus_friend_uuid`). */
  channelUuid: string;
  /** `updated_at` (RFC3339). */
  updatedAt: Date;
  /** `X-Kakao-Resource-ID`: unique per delivery, the key for dropping redeliveries; null if absent. */
  resourceId: string | null;
}

export interface ParseChannelWebhookOptions {
  /** The app's primary admin key: Kakao signs each delivery with `Authorization: KakaoAK <key>`. */
  adminKey: string;
  /**
   * How long reading the body may take, in ms (1 to 60,000; default 3,000, as long as Kakao
   * waits for an answer). Past it: `ValidationError` with rule `webhook.body_timeout`.
   */
  bodyTimeoutMs?: number;
}

/**
 * Verifies and parses a Kakao Talk Channel webhook delivery.
 *
 * Checks, in order: the method is POST (`ValidationError`, rule `webhook.method`); the
 * `Authorization` header is `KakaoAK <adminKey>`, compared in constant time (`WebhookAuthError`,
 * before the body is read); the body, read as a stream, is at most 16 KiB
 * (`webhook.body_too_large`) and arrives within `bodyTimeoutMs` (`webhook.body_timeout`); the
 * JSON body has every documented field, no key twice and no negative numeric `id`
 * (`ValidationError` naming the field, e.g. `body.updated_at`). Older deliveries'
 * `plus_friend_*` fields are accepted.
 *
 * @example
 * ```ts
 * const event = await parseChannelWebhook(request, { adminKey: env.KAKAO_ADMIN_KEY });
 * if (event.event === "blocked") await markBlocked(event.userId, event.updatedAt);
 * ```
 */
export declare function parseChannelWebhook(
  request: Request,
  options: ParseChannelWebhookOptions,
): Promise<ChannelWebhookEvent>;

/**
 * An atomic store of handled delivery ids, shared by all instances: `claim` resolves `true` for
 * exactly one caller per id (that instance handles the delivery) until `ttlMs` passes or the id
 * is released. The handler releases a claim when `onEvent` fails, so Kakao's redelivery is
 * handled again.
 */
export interface WebhookClaimStore {
  claim(resourceId: string, ttlMs: number): boolean | Promise<boolean>;
  release(resourceId: string): unknown;
}

/** A plain store of handled delivery ids (a `Set`, a KV): `has` then `add`, not atomic. */
export interface WebhookSetStore {
  has(resourceId: string): boolean | Promise<boolean>;
  add(resourceId: string): unknown;
}

/** Where handled delivery ids are remembered, to drop Kakao's redeliveries. */
export type WebhookSeenStore = WebhookClaimStore | WebhookSetStore;

/** What failed, as told to `onError`. */
export type WebhookErrorStage = "onEvent" | "seen.claim" | "seen.release" | "seen.has" | "seen.add" | "parse";

export interface ChannelWebhookHandlerOptions extends ParseChannelWebhookOptions {
  /** Called once per delivery (not for redeliveries). Kakao wants an answer within 3 seconds. */
  onEvent: (event: ChannelWebhookEvent) => void | Promise<void>;
  /**
   * Resource ids already handled. Default: the last 10,000, in memory (per isolate/process).
   * Across instances use an atomic store such as `redisSeenStore(redis)`.
   */
  seen?: WebhookSeenStore;
  /** The `ttlMs` given to `seen.claim`: how long a handled id is remembered (60,000 to 2,592,000,000; default one day). */
  seenTtlMs?: number;
  /**
   * Called when `onEvent` or the store fails (`stage` says which); its own failure is logged,
   * never thrown. `event` is undefined for `"parse"` (an unexpected error). Default: `console.error`.
   */
  onError?: (error: unknown, event: ChannelWebhookEvent | undefined, stage: WebhookErrorStage) => void | Promise<void>;
}

/**
 * A fetch-style handler for Kakao Talk Channel's add/block webhook. Answers 200 (empty body)
 * after `onEvent` resolved or for a redelivery of a handled `X-Kakao-Resource-ID`; 405 for a
 * method other than POST; 401 for a missing or wrong `Authorization` (the body unread); 413 for
 * a body over 16 KiB; 408 for a body not received within `bodyTimeoutMs`; 400 for a malformed
 * body; 409 while the same delivery is still being handled in this instance; 500 when `onEvent`
 * or the store fails before the event was handled. A `seen.add` failing after `onEvent`
 * succeeded still answers 200 (and goes to `onError`): a 500 would have Kakao redeliver an
 * event already handled. The returned promise never rejects.
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

/** A Workers-KV-like namespace. */
export interface KvNamespaceLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options: { expirationTtl: number }): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

export interface SeenStoreOptions {
  /** Key prefix; default `"kakao-webhook:"`. */
  prefix?: string;
}

/**
 * A `seen` store on a Workers KV namespace. Not atomic: KV is eventually consistent (a write
 * can take about 60 s to reach other locations), so a redelivery reaching another location
 * within that time may be handled twice. Use `redisSeenStore` where twice is not acceptable.
 */
export declare function kvSeenStore(kv: KvNamespaceLike, options?: SeenStoreOptions): WebhookClaimStore;

/** A Redis client: ioredis (`set(key, value, "PX", ms, "NX")`) or node-redis (`set(key, value, { PX, NX })`). */
export interface RedisLike {
  set(key: string, value: string, ...args: never[]): Promise<string | null>;
  del(key: string): Promise<unknown>;
}

export interface RedisSeenStoreOptions extends SeenStoreOptions {
  /** The client's call shape; default: node-redis when the client has `isOpen`, else ioredis. */
  client?: "ioredis" | "node-redis";
}

/**
 * A `seen` store on Redis: `SET <prefix><id> 1 PX <ttlMs> NX` claims a delivery atomically
 * (exactly one instance handles it), `DEL` releases it when `onEvent` failed.
 */
export declare function redisSeenStore(redis: RedisLike, options?: RedisSeenStoreOptions): WebhookClaimStore;
