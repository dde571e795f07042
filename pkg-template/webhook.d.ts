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

export interface ConstructChannelWebhookEventOptions {
  /**
   * The app's primary admin key: Kakao signs each delivery with `Authorization: KakaoAK <key>`.
   * Absent or `undefined`: the `KAKAO_ADMIN_KEY` environment variable, where the runtime has an
   * environment (Node, Bun, Deno with `--allow-env`; never in a browser; on Workers pass
   * `env.KAKAO_ADMIN_KEY`). Required in the end: without either, a `ValidationError` (field
   * `adminKey`, rule `params.required`).
   */
  adminKey?: string | undefined;
}

export interface ParseChannelWebhookOptions extends ConstructChannelWebhookEventOptions {
  /**
   * How long reading the body may take, in ms (1 to 60,000; default 3,000, as long as Kakao
   * waits for an answer). Past it: `ValidationError` with rule `webhook.body_timeout`.
   */
  bodyTimeoutMs?: number | undefined;
}

/**
 * A delivery's headers: a fetch `Headers`, or an object (or Map) of values such as Node's
 * `req.headers`, its names matched case-insensitively. Only `authorization` and
 * `x-kakao-resource-id` are read.
 */
export type ChannelWebhookHeaders =
  | Headers
  | { readonly [name: string]: string | readonly string[] | undefined }
  | ReadonlyMap<string, string | readonly string[] | undefined>;

/**
 * Verifies and parses one delivery from its raw body and headers, with any framework (as
 * stripe-node's `constructEvent`): the same checks, event and errors as `parseChannelWebhook`,
 * synchronously. `Authorization` is checked first (`WebhookAuthError`); the body must be the
 * bytes Kakao sent, as a string or bytes (a Node `Buffer` is a `Uint8Array`), at most 16 KiB
 * (`webhook.body_too_large`); invalid UTF-8 is `webhook.utf8`. An object (a JSON parser's
 * result) is refused (`body`, `params.type`): Kakao's bytes are gone.
 *
 * @example
 * ```ts
 * // Express, with express.raw({ type: () => true }) on the route: req.body is a Buffer
 * const event = constructChannelWebhookEvent(req.body, req.headers, { adminKey });
 * ```
 */
export declare function constructChannelWebhookEvent(
  body: string | Uint8Array | ArrayBuffer,
  headers: ChannelWebhookHeaders,
  options?: ConstructChannelWebhookEventOptions,
): ChannelWebhookEvent;

/**
 * Verifies and parses a Kakao Talk Channel webhook delivery.
 *
 * Checks, in order: the method is POST (`ValidationError`, rule `webhook.method`); the
 * `Authorization` header is `KakaoAK <adminKey>`, compared in constant time (`WebhookAuthError`,
 * before the body is read); the body, read as a stream, is at most 16 KiB
 * (`webhook.body_too_large`) and arrives within `bodyTimeoutMs` (`webhook.body_timeout`); the
 * JSON body has every documented field, no key twice and no negative numeric `id`
 * (`ValidationError` naming the field, e.g. `body.updated_at`). Older deliveries'
 * `plus_friend_*` fields are accepted. Node's `req` is refused (`request`, `params.type`):
 * use `createNodeWebhookHandler`, or `constructChannelWebhookEvent` with the body you read.
 *
 * @example
 * ```ts
 * const event = await parseChannelWebhook(request, { adminKey: env.KAKAO_ADMIN_KEY });
 * if (event.event === "blocked") await markBlocked(event.userId, event.updatedAt);
 * ```
 */
export declare function parseChannelWebhook(
  request: Request,
  options?: ParseChannelWebhookOptions,
): Promise<ChannelWebhookEvent>;

/** A claim's state as `claim` answers it. */
export type WebhookClaimState = "claimed" | "processing" | "done";

/**
 * Where delivery ids are claimed, shared by every instance. Per id, a claim goes
 * absent → processing (owned by `token`, until now + `leaseMs`) → done (until now + `ttlMs`);
 * a processing claim whose lease ended, or a done one whose ttl ended, counts as absent.
 * Each method must be atomic on the store (one Lua script, one SQL statement, a transaction).
 */
export interface WebhookClaimStore {
  /** Absent → processing with `token`, answering "claimed"; otherwise the state found. */
  claim(resourceId: string, token: string, leaseMs: number): WebhookClaimState | Promise<WebhookClaimState>;
  /** Processing with `token` → done until now + `ttlMs`: true; any other state (taken over, expired): false. */
  finish(resourceId: string, token: string, ttlMs: number): boolean | Promise<boolean>;
  /** Processing with `token` → absent (compare-and-delete): true; otherwise untouched: false. */
  release(resourceId: string, token: string): boolean | Promise<boolean>;
}

/** Where delivery ids are claimed, to drop Kakao's redeliveries. */
export type WebhookSeenStore = WebhookClaimStore;

/** What failed, as told to `onError`. A stage that timed out gets an `Error` named `"TimeoutError"`. */
export type WebhookErrorStage = "onEvent" | "seen.claim" | "seen.finish" | "seen.release" | "parse";

export interface ChannelWebhookHandlerOptions extends ParseChannelWebhookOptions {
  /** Called once per claimed delivery (not for a redelivery of a handled one). */
  onEvent: (event: ChannelWebhookEvent) => void | Promise<void>;
  /**
   * Where delivery ids are claimed. Default: the last 10,000, in memory (per isolate/process).
   * Across instances: `redisSeenStore(redis)`, `d1SeenStore(env.DB)`, or your own claim store.
   */
  seen?: WebhookSeenStore | undefined;
  /** How long a handled id is remembered (`finish`'s `ttlMs`; 60,000 to 2,592,000,000; default one day). */
  seenTtlMs?: number | undefined;
  /**
   * The answer budget, in ms from the body's arrival (100 to 2,900; default 2,500, below Kakao's
   * 3 s wait): past it the handler answers 503 and the work goes on.
   */
  answerWithinMs?: number | undefined;
  /**
   * How long a claim stays "processing" (3,000 to `seenTtlMs`, longer than `answerWithinMs`;
   * default 30,000): redeliveries meanwhile get 409; after it a redelivery takes the claim over.
   */
  leaseMs?: number | undefined;
  /** The deadline of each store call and each `onError` call (10 to 60,000; default 1,000). */
  callTimeoutMs?: number | undefined;
  /**
   * Called when `onEvent` or the store fails (`stage` says which); its own failure is logged,
   * never thrown. `event` is undefined for `"parse"` (an unexpected error). Default: `console.error`.
   */
  onError?: ((error: unknown, event: ChannelWebhookEvent | undefined, stage: WebhookErrorStage) => void | Promise<void>) | undefined;
}

/**
 * A fetch-style handler for Kakao Talk Channel's add/block webhook. Answers 200 (empty body)
 * after `onEvent` resolved, or for a redelivery of a done `X-Kakao-Resource-ID`; 409 while the
 * delivery is processing (here or in another instance); 503 when the answer budget
 * (`answerWithinMs`) or a store call's deadline ran out first; 500 when `onEvent` threw (the
 * claim is released) or the store failed before `onEvent`; 405 for a method other than POST;
 * 401 for a missing or wrong `Authorization` (the body unread); 413 for a body over 16 KiB;
 * 408 for a body not received within `bodyTimeoutMs`; 400 for a malformed body (invalid UTF-8
 * included); 500 when given Node's `req` instead of a fetch `Request` (a `ValidationError`
 * naming `createNodeWebhookHandler` / `toNodeHandler` goes to `onError`, stage `"parse"`).
 * The returned promise never rejects.
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
  /** Key prefix (1 to 200 characters, no control character); default `"kakao-webhook:"`. */
  prefix?: string | undefined;
}

/**
 * A `seen` store on a Workers KV namespace: BEST EFFORT, at-least-once. KV has no
 * compare-and-set (each step is a get then a put), so two instances receiving one delivery at
 * once can both handle it (measured on one local namespace: see README), and another location
 * sees a write up to about 60 s late. Use `d1SeenStore` or `redisSeenStore` where twice is not
 * acceptable.
 */
export declare function kvSeenStore(kv: KvNamespaceLike, options?: SeenStoreOptions): WebhookClaimStore;

/**
 * A connected Redis client, as used: node-redis' `sendCommand(args)` (a client with `isOpen`)
 * or ioredis' `call(command, ...args)`.
 */
export type RedisLike = { sendCommand(args: string[]): Promise<unknown> } | { call(command: string, ...args: string[]): Promise<unknown> };

export interface RedisSeenStoreOptions extends SeenStoreOptions {
  /** The client's call shape; default: node-redis when the client has `isOpen`, else ioredis. */
  client?: "ioredis" | "node-redis" | undefined;
}

/**
 * A claim store on Redis: claim, finish and release are each one Lua script (EVAL, atomic on the
 * server), finish and release matched on the claim's token. The client must be connected (a
 * URL string is refused). Redis's persistence decides what survives a crash: see README.
 */
export declare function redisSeenStore(redis: RedisLike, options?: RedisSeenStoreOptions): WebhookClaimStore;

/** A Cloudflare D1 database binding (the part used). */
export interface D1DatabaseLike {
  prepare(sql: string): {
    bind(...values: unknown[]): { first(): Promise<unknown>; run(): Promise<unknown> };
    run(): Promise<unknown>;
  };
}

export interface D1SeenStoreOptions {
  /** The table (an SQL identifier, created on first use); default `"kakao_webhook_seen"`. */
  table?: string | undefined;
}

/**
 * A claim store on Cloudflare D1: the claim is one SQL statement that inserts the id or takes
 * over an ended claim; finish and release are one UPDATE / DELETE matched on the token.
 */
export declare function d1SeenStore(db: D1DatabaseLike, options?: D1SeenStoreOptions): WebhookClaimStore;
