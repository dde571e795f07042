// The public types of TalkChannelClient and validateCustomerFileUsers (client.js). Optional
// properties accept `undefined` as well, so they compile under `exactOptionalPropertyTypes`, and
// every input array may be readonly (`["_a"] as const`).
import type { ValidationRule } from "./errors.js";

/**
 * Where the client logs: any object (or function) with these four methods, own or inherited,
 * such as `console` (the default), a winston logger or a pino logger. Each is called as
 * `logger[level](message, data)`, except pino (recognized by its shape: `child`, `bindings`,
 * a numeric `levelVal`), called as `logger[level](data, message)` as pino expects, so its JSON
 * lines keep every field of `data`.
 */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): unknown;
  info(message: string, data?: Record<string, unknown>): unknown;
  warn(message: string, data?: Record<string, unknown>): unknown;
  error(message: string, data?: Record<string, unknown>): unknown;
}

/** `"debug"` logs every attempt; `"warn"` (the default) retries and give-ups. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** What `onRequest` is told before each attempt (retries included). Never a key: no request headers. */
export interface RequestHookInfo {
  /** `"GET /v2/api/talk/channels"`: method and path, no query. */
  endpoint: string;
  method: "GET" | "POST";
  /** The full URL, query included (the user ids of a check are yours), redacted of the call's keys and token. */
  url: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

/** What `onResponse` is told after each attempt: the answer, or the attempt's error. */
export interface ResponseHookInfo extends RequestHookInfo {
  /** The HTTP status; null when no answer came (timeout, network error, abort). */
  status: number | null;
  /** The first of the response headers `x-request-id`, `request-id`, `x-amzn-requestid`, `x-correlation-id`; else null. */
  requestId: string | null;
  /** The response headers, names lower-cased (at most 64), redacted of the call's keys and token; `{}` when no answer came. */
  headers: Record<string, string>;
  /** This attempt's time, from sending to the whole body read. */
  durationMs: number;
  /** The wait before the next attempt, or null when this attempt is the last. */
  retryInMs: number | null;
  /** Why the attempt failed (the error the call would reject with: `KakaoApiError`, `ResponseError`, `TimeoutError`, `NetworkError`, or the abort reason); absent when it succeeded. */
  error?: Error;
}

/** Called once per attempt, never awaited: what it throws or rejects with is logged at `error`, and the call goes on. */
export type RequestHook = (info: RequestHookInfo) => unknown;
/** Called once per attempt, never awaited: what it throws or rejects with is logged at `error`, and the call goes on. */
export type ResponseHook = (info: ResponseHookInfo) => unknown;

/** How one request of a call was answered: the `$metadata` of a single-request result, and each batch's of a split one. */
export interface ResponseMetadata {
  /** `"GET /v2/api/talk/channels"`. */
  endpoint: string;
  /** The status of the answer used (2xx). */
  status: number;
  /** As {@link ResponseHookInfo.requestId}. */
  requestId: string | null;
  /** The answer's headers, names lower-cased (at most 64), redacted of the call's keys and token. */
  headers: Record<string, string>;
  /** HTTP attempts, retries included. */
  attempts: number;
  /** From the first attempt sent to the answer read, retry waits included. */
  durationMs: number;
}

/** A batch's metadata in a split call's `$metadata.batches`. */
export interface BatchMetadata extends ResponseMetadata {
  /** 0-based position of the batch. */
  index: number;
}

/** The `$metadata` of a split call (multi check, add, delete). */
export interface SplitResponseMetadata {
  endpoint: string;
  /** Every batch's attempts, summed. */
  attempts: number;
  /** From the first batch sent to the last answer read. */
  durationMs: number;
  /** One per batch, in batch order. */
  batches: BatchMetadata[];
}

/**
 * A result with its metadata: `$metadata` is non-enumerable, so `JSON.stringify`, `Object.keys`,
 * spreading and `structuredClone` give the data alone (and drop it).
 */
export type WithMetadata<T, M = ResponseMetadata> = T & { readonly $metadata: M };

/** Options of a {@link TalkChannelClient}. Keys never appear in errors or logs. */
export interface ClientOptions {
  /** Service app admin key, sent as `Authorization: KakaoAK <key>` (relationship calls). Server-side only. Default: the environment variable `KAKAO_ADMIN_KEY` (Node, Bun, Deno with `--allow-env`; never in a browser). */
  adminKey?: string | undefined;
  /** REST API key, sent as `Authorization: KakaoAK <key>` (customer-file calls). Default: the environment variable `KAKAO_REST_API_KEY`. */
  restApiKey?: string | undefined;
  /** Default: the environment variable `KAKAO_BASE_URL`, else `"https://kapi.kakao.com"`. http(s) in any case, no credentials, query or fragment; a host and port valid by WHATWG URL rules (else `ValidationError`, rule `base_url.*`). */
  baseUrl?: string | undefined;
  /** Default: `globalThis.fetch`, looked up at call time. It receives the body as a `Uint8Array` of the JSON whose `toString()` is the JSON text (`JSON.parse(init.body)` works). */
  fetch?: typeof fetch | undefined;
  /** Per attempt, headers and body; default 10000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number | undefined;
  /** Batches of a split call (multi check, add, delete) in flight at once: 1 (default) to 16. */
  concurrency?: number | undefined;
  /** Default `console`. */
  logger?: Logger | undefined;
  /** Default: the environment variable `KAKAO_TALK_CHANNEL_LOG` where the runtime has one (an unknown value is warned about once and ignored), else `"warn"`. */
  logLevel?: LogLevel | undefined;
  /** Allow secret keys where `window` and `document` exist, or in a browser worker. Default false: keys belong on servers. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** Called before every attempt of every call (before the call's own `onRequest`). */
  onRequest?: RequestHook | undefined;
  /** Called after every attempt of every call (before the call's own `onResponse`). */
  onResponse?: ResponseHook | undefined;
}

/** Per-call options, the optional last argument of every method. */
export interface RequestOptions {
  /** Aborts the call at once, also during a retry's wait; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number | undefined;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number | undefined;
  /** Called before every attempt of this call, after the client's `onRequest`. */
  onRequest?: RequestHook | undefined;
  /** Called after every attempt of this call, after the client's `onResponse`. */
  onResponse?: ResponseHook | undefined;
}

/**
 * A batch of a split call that settled: its result, or its error (a class of this package, or
 * the signal's abort reason — an `Error` unless you aborted with another value). Narrows on
 * `ev.error`: `if (!ev.error) ev.result`.
 */
export type BatchEvent<R> =
  | { index: number; userIds: string[]; result: R; error?: undefined }
  | { index: number; userIds: string[]; error: Error; result?: undefined };

/** Options of the split calls: `checkChannelRelationshipMulti`, `addCustomerFileUsers`, `deleteCustomerFileUsers`. */
export interface BulkRequestOptions<R> extends RequestOptions {
  /** Overrides the client's `concurrency` (1 to 16) for this call. */
  concurrency?: number | undefined;
  /** Told of each batch as it settles (in settling order), e.g. to show progress or journal confirmed batches. Its exceptions are ignored. */
  onBatch?: ((event: BatchEvent<R>) => void) | undefined;
  /**
   * Stops the call gently (e.g. on Ctrl-C): once aborted, no new batch starts and those in flight
   * finish (and reach `onBatch`); the call then rejects like an abort — `BulkOperationError` with
   * the unsent batches (their `error` the signal's reason), or the reason itself if none succeeded.
   */
  stopSignal?: AbortSignal | undefined;
}

/** A safe positive integer, a bigint, or a decimal string up to 2^63-1. */
export type UserIdInput = number | bigint | string;

/** Check the user behind an access token, or a user id with the admin key: exactly one. */
export type CheckChannelRelationshipParams =
  | { channelIds: readonly string[]; accessToken: string; userId?: undefined }
  | { channelIds: readonly string[]; userId: UserIdInput; accessToken?: undefined };

export interface CheckChannelRelationshipMultiParams {
  /** Any number of ids: split into calls of at most 200, answered in this order. */
  userIds: readonly UserIdInput[];
  /** Default: every channel connected to the app. */
  channelIds?: readonly string[] | undefined;
}

/** One user's relation to each channel asked about. */
export interface UserChannelRelations {
  /** Decimal string: never rounded through a JS number. */
  userId: string;
  channels: ChannelRelation[];
}

export interface ChannelRelation {
  channelPublicId: string;
  channelUuid: string;
  /** Unknown future values pass through as strings. */
  relation: "ADDED" | "BLOCKED" | "NONE" | (string & {});
  /** When the channel was added (ADDED only). */
  createdAt: Date | null;
  /** When the relation last changed (ADDED or BLOCKED). */
  updatedAt: Date | null;
}

export interface MultiRelations {
  /** In the order the ids were given (each id once). */
  users: UserChannelRelations[];
  /** Asked for, but absent from Kakao's answer (Kakao omits users it could not check). */
  unresolvedUserIds: string[];
}

/** Keys: Kakao's supported Korean keys (생년월일, 국가, 지역, 성별, 연령, 구매금액, 포인트, 가입일, 최근 구매일, 응모일) or their English aliases (camelCase or snake_case), either type; any other key is custom and must be "number". */
export type CustomerFileSchema = Record<string, "string" | "number">;

export interface RegisterCustomerFileParams {
  channelPublicId: string;
  fileName: string;
  /** 1 to 30 entries. 앱유저아이디 and 전화번호 are never allowed. */
  schema: CustomerFileSchema;
}

export interface ListCustomerFilesParams {
  channelPublicId: string;
}

export interface CustomerFileList {
  files: CustomerFile[];
  emptySlot: number;
  usingSlot: number;
}

export interface CustomerFile {
  fileId: number;
  fileName: string;
  /** Lower-cased (Kakao sends "USING"); unknown values pass through. */
  status: "using" | "deleting" | "failed" | (string & {});
  /** Kakao's `update_at` ("YYYY-MM-DD HH:MM:SS", fractional seconds allowed, read as KST); null when absent or unreadable. */
  updatedAt: Date | null;
  /** Keys in canonical Korean form. */
  schema: CustomerFileSchema;
  /** Kakao's fields of this file that could not be read (`update_at`, `status`, `schema`), raw, by Kakao's name; absent when all were read. */
  unreadable?: Record<string, unknown>;
}

/** One user to add: `id` is a service user id (`userType: "app"`) or a phone number string (`"phone"`). */
export interface CustomerFileUser {
  id: string | number | bigint;
  /** A plain object or a `Map`. Keys go through the schema's alias mapping; a custom key's value must be a number. */
  fields?: Record<string, string | number> | ReadonlyMap<string, string | number> | undefined;
}

export interface AddCustomerFileUsersParams {
  fileId: number;
  channelPublicId: string;
  userType: "app" | "phone";
  /** Any number: sent in calls of at most 2,000, in order. Each id at most once. */
  users: readonly CustomerFileUser[];
  /** The file's schema: when given, every field key must be in it with its declared type. */
  schema?: CustomerFileSchema | undefined;
}

export interface DeleteCustomerFileUsersParams {
  fileId: number;
  channelPublicId: string;
  userType: "app" | "phone";
  /** Any number: sent in calls of at most 2,000, in order. */
  userIds: readonly (string | number | bigint)[];
}

/** One call of a split add. */
export interface AddBatchResult {
  /** 0-based position of the batch. */
  index: number;
  /** Users sent in this batch. */
  userCount: number;
  /** Kakao's `request_count`. */
  requestCount: number;
  /** Kakao's `success_count`: users who have added the channel. */
  successCount: number;
}

/** One call of a split delete. */
export interface DeleteBatchResult {
  index: number;
  userCount: number;
}

/** One call of a split multi check. */
export interface MultiBatchResult {
  index: number;
  userCount: number;
}

/** A batch of any split call. */
export type BatchResult = AddBatchResult | DeleteBatchResult | MultiBatchResult;

export interface AddUsersResult {
  fileId: number;
  requestCount: number;
  /** Only users who have added the channel are counted (and added) by Kakao. */
  successCount: number;
  batches: AddBatchResult[];
}

export interface DeleteUsersResult {
  requestCount: number;
  batches: DeleteBatchResult[];
}

export interface ValidateCustomerFileUsersParams {
  userType: "app" | "phone";
  /** Any number, as for `addCustomerFileUsers`. An empty list has no errors. */
  users: readonly CustomerFileUser[];
  /** The file's schema: when given, every field key must be in it with its declared type. */
  schema?: CustomerFileSchema | undefined;
}

/** The first rule one user breaks. */
export interface CustomerFileUserError {
  /** 0-based position in `users`. */
  index: number;
  /** Path of the offending value, e.g. `users[17].fields.연령`. */
  field: string;
  /** Stable rule id, as `ValidationError.rule` (e.g. `fields.type_mismatch`, `users.duplicate_id`). */
  rule: ValidationRule;
  message: string;
  /** For `users.duplicate_id`: the position of the first user with the same id. */
  duplicateOf?: number;
}

export interface ValidateCustomerFileUsersResult {
  /** One entry per bad user, in order; empty when every user would be accepted. */
  errors: CustomerFileUserError[];
}

/**
 * Kakao Talk Channel REST API client. Every result carries a non-enumerable `$metadata`
 * ({@link ResponseMetadata}, or {@link SplitResponseMetadata} for the split calls).
 *
 * ```ts
 * const kakao = new TalkChannelClient({ adminKey: process.env.KAKAO_ADMIN_KEY });
 * const { channels } = await kakao.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234" });
 * ```
 */
export declare class TalkChannelClient {
  /** Throws `ValidationError` for a malformed option (a key with a newline, a `baseUrl` with credentials, an unknown option name) or a secret key in a browser. */
  constructor(options?: ClientOptions);
  /**
   * Whether one user added or blocked the given channels (`GET /v2/api/talk/channels`). Pass
   * `accessToken` (the user's own token, `Bearer`) or `userId` (with the client's `adminKey`), not both.
   *
   * @example
   * ```ts
   * const r = await kakao.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234567890" });
   * if (r.channels[0]?.relation === "ADDED") console.log("friend since", r.channels[0].createdAt);
   * ```
   */
  checkChannelRelationship(params: CheckChannelRelationshipParams, options?: RequestOptions): Promise<WithMetadata<UserChannelRelations>>;
  /**
   * Many users at once with the admin key (`GET /v2/api/talk/channels/multi`), in calls of at
   * most 200; users come back in the order given, ids Kakao left out in `unresolvedUserIds`.
   *
   * @example
   * ```ts
   * const { users, unresolvedUserIds } = await kakao.checkChannelRelationshipMulti({
   *   userIds: ["1001", 1002n, 1003], channelIds: ["_ZeUTxl"],
   * });
   * ```
   */
  checkChannelRelationshipMulti(
    params: CheckChannelRelationshipMultiParams,
    options?: BulkRequestOptions<MultiRelations>,
  ): Promise<WithMetadata<MultiRelations, SplitResponseMetadata>>;
  /**
   * Registers a customer file (`POST /v1/talkchannel/create/target_user_file`). Retried only on
   * HTTP 429, since each call creates a file.
   *
   * @example
   * ```ts
   * const { fileId } = await kakao.registerCustomerFile({
   *   channelPublicId: "_ZeUTxl", fileName: "vip고객리스트",
   *   schema: { birthday: "string", 성별: "string", age: "number" },
   * });
   * ```
   */
  registerCustomerFile(params: RegisterCustomerFileParams, options?: RequestOptions): Promise<WithMetadata<{ fileId: number }>>;
  /**
   * Lists a channel's customer files (`GET /v1/talkchannel/target_user_file`).
   *
   * @example
   * ```ts
   * const { files, emptySlot } = await kakao.listCustomerFiles({ channelPublicId: "_ZeUTxl" });
   * ```
   */
  listCustomerFiles(params: ListCustomerFilesParams, options?: RequestOptions): Promise<WithMetadata<CustomerFileList>>;
  /**
   * Adds users to a customer file (`POST /v1/talkchannel/update/target_users`): every user is
   * checked first, then sent in calls of at most 2,000.
   *
   * @example
   * ```ts
   * const r = await kakao.addCustomerFileUsers({
   *   fileId, channelPublicId: "_ZeUTxl", userType: "app",
   *   users: [{ id: "1234567890", fields: { 생년월일: "2000-01-01", age: 19 } }],
   * }, { concurrency: 4, onBatch: (e) => console.log(`batch ${e.index} settled`) });
   * ```
   */
  addCustomerFileUsers(
    params: AddCustomerFileUsersParams,
    options?: BulkRequestOptions<{ requestCount: number; successCount: number }>,
  ): Promise<WithMetadata<AddUsersResult, SplitResponseMetadata>>;
  /**
   * Deletes users from a customer file (`POST /v1/talkchannel/delete/target_users`), in calls of
   * at most 2,000. Kakao answers 200 with an empty body.
   *
   * @example
   * ```ts
   * await kakao.deleteCustomerFileUsers({ fileId, channelPublicId: "_ZeUTxl", userType: "app", userIds: ["1234567890"] });
   * ```
   */
  deleteCustomerFileUsers(
    params: DeleteCustomerFileUsersParams,
    options?: BulkRequestOptions<Record<string, never>>,
  ): Promise<WithMetadata<DeleteUsersResult, SplitResponseMetadata>>;
}

/**
 * Checks every user of a would-be `addCustomerFileUsers` call with exactly its rules, without a
 * client or a request, and returns each bad user's first broken rule. Throws `ValidationError`
 * only for malformed params.
 */
export declare function validateCustomerFileUsers(params: ValidateCustomerFileUsersParams): ValidateCustomerFileUsersResult;
