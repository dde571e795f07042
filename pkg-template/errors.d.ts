import type {
  AddBatchResult,
  AddUsersResult,
  DeleteBatchResult,
  DeleteUsersResult,
  MultiBatchResult,
  MultiRelations,
} from "./client.js";

/** Every `ValidationError.rule` id (generated from the Rust rule table at build time). */
export type ValidationRule = /* RULES */ string;

/** `KakaoApiError.kind`: a name from Kakao's error-code table (generated from the Rust table at build time), `"HttpStatus"` without a code, or a name not yet known. */
export type KakaoErrorKind = /* KINDS */ (string & {});

/** Base class of every error this package throws. */
export declare class KakaoTalkChannelError extends Error {
  /** What `JSON.stringify(error)` writes: `name`, `message`, every field, and `cause` the same way (no stack). */
  toJSON(): { name: string; message: string; cause?: unknown; [field: string]: unknown };
}

/** Thrown before any request when an input breaks a documented rule. */
export declare class ValidationError extends KakaoTalkChannelError {
  constructor(message: string, props: { field: string; rule: ValidationRule });
  readonly name: "ValidationError";
  /** Path of the offending value, e.g. `users[17].fields.연령` or `channelIds[2]`. */
  field: string;
  /** Stable machine-readable rule id, e.g. `schema.max_items`, `channel_id.format`. */
  rule: ValidationRule;
}

/** Where a call failed: set on every error of a call except `ValidationError`. */
export interface CallContext {
  /** Kakao's endpoint, e.g. `"GET /v2/api/talk/channels"`. */
  endpoint: string;
  /** Attempts made (1 + retries). */
  attempts: number;
  /** Response headers (lower-case names), where Kakao answered. */
  headers?: Record<string, string>;
}

/** Kakao answered with a non-2xx status. */
export declare class KakaoApiError extends KakaoTalkChannelError implements CallContext {
  /** The SDK makes these; `props` are the fields, copied on (`bodySnippet`, `headers` when given). */
  constructor(
    message: string,
    props: {
      status: number;
      code: number | null;
      msg: string;
      kind: KakaoErrorKind;
      retryable: boolean;
      details: Record<string, unknown>;
      bodySnippet?: string | undefined;
      endpoint: string;
      attempts: number;
      headers?: Record<string, string> | undefined;
    },
  );
  readonly name: "KakaoApiError";
  status: number;
  /** Kakao's negative error code, or null when the body was not Kakao's error JSON. */
  code: number | null;
  /** Kakao's `msg` ("" when absent). */
  msg: string;
  /** From Kakao's code table, e.g. `"NotTalkUser"` for -501; `"HttpStatus"` without a code; `"Unknown"` for other codes. */
  kind: KakaoErrorKind;
  /** Whether the SDK retries this failure (HTTP 429/5xx and Kakao's retryable codes). */
  retryable: boolean;
  /** The other fields of Kakao's error body, keys camelCased (e.g. `requiredScopes` on -402 InsufficientScope). */
  details: Record<string, unknown>;
  /** The first 200 characters of a body that was not Kakao JSON. */
  bodySnippet?: string;
  endpoint: string;
  attempts: number;
  headers?: Record<string, string>;
}

/** An attempt exceeded `timeoutMs` (after all retries). */
export declare class TimeoutError extends KakaoTalkChannelError implements CallContext {
  constructor(message: string, props: { timeoutMs: number; endpoint: string; attempts: number });
  readonly name: "TimeoutError";
  timeoutMs: number;
  endpoint: string;
  attempts: number;
}

/**
 * `fetch` rejected (connection refused or reset, DNS). The message names the system error and
 * host (`Network error: fetch failed (ECONNREFUSED 127.0.0.1:8080)`); `cause` is a redacted copy
 * of what `fetch` threw.
 */
export declare class NetworkError extends KakaoTalkChannelError implements CallContext {
  /** `props.cause` is stored as a redacted copy (name, message, stack, plain fields, its own `cause` chain). */
  constructor(message: string, props?: { cause?: unknown; endpoint: string; attempts: number });
  readonly name: "NetworkError";
  cause?: Error;
  endpoint: string;
  attempts: number;
}

/** A 2xx answer whose body is not what Kakao's documentation promises, or a redirect (3xx: Kakao's API never redirects). */
export declare class ResponseError extends KakaoTalkChannelError implements CallContext {
  constructor(
    message: string,
    props: { status: number; bodySnippet: string; endpoint: string; attempts: number; headers?: Record<string, string> | undefined },
  );
  readonly name: "ResponseError";
  status: number;
  /** At most 200 characters of the body. */
  bodySnippet: string;
  endpoint: string;
  attempts: number;
  headers?: Record<string, string>;
}

/** A batch that still failed after retries: its user ids, so exactly these can be retried. */
export interface FailedBatch {
  index: number;
  userIds: string[];
  /** The batch's error, or the abort reason when the call was aborted. */
  error: unknown;
}

/** The endpoint of each split call, as `BulkOperationError.endpoint`. */
export interface BulkEndpoints {
  checkChannelRelationshipMulti: "GET /v2/api/talk/channels/multi";
  addCustomerFileUsers: "POST /v1/talkchannel/update/target_users";
  deleteCustomerFileUsers: "POST /v1/talkchannel/delete/target_users";
}

/**
 * Some batches of a split call (multi check, add, delete) succeeded and others failed; nothing
 * is silently skipped. When no batch succeeded, the call rejects with the first failure's own
 * error instead, whatever the input size. `P` is the call's result type, `B` its batches', `E`
 * its endpoint; after `instanceof` the error is {@link AnyBulkOperationError}, which narrows on
 * `endpoint`.
 */
export interface BulkOperationError<P = unknown, B = unknown, E extends string = string> extends KakaoTalkChannelError, CallContext {
  readonly name: "BulkOperationError";
  /** What the succeeded batches returned, in the shape of the call's result (`MultiRelations`, `AddUsersResult`, `DeleteUsersResult`). */
  partial: P;
  succeeded: B[];
  failed: FailedBatch[];
  /** The split call's endpoint, e.g. `"POST /v1/talkchannel/update/target_users"`. */
  endpoint: E;
  /** Attempts made by every batch, retries included. */
  attempts: number;
}

/** The `BulkOperationError` of each split call: narrow on `endpoint` for its `partial`. */
export type AnyBulkOperationError =
  | BulkOperationError<MultiRelations, MultiBatchResult, BulkEndpoints["checkChannelRelationshipMulti"]>
  | BulkOperationError<AddUsersResult, AddBatchResult, BulkEndpoints["addCustomerFileUsers"]>
  | BulkOperationError<DeleteUsersResult, DeleteBatchResult, BulkEndpoints["deleteCustomerFileUsers"]>;

/** The class of {@link BulkOperationError}: `instanceof` narrows to {@link AnyBulkOperationError}. */
export declare const BulkOperationError: {
  new (
    message: string,
    props: {
      partial: unknown;
      succeeded: unknown[];
      failed: FailedBatch[];
      endpoint: string;
      attempts: number;
      headers?: Record<string, string> | undefined;
    },
  ): AnyBulkOperationError;
  readonly prototype: AnyBulkOperationError;
};

/** A webhook delivery whose `Authorization` header is not `KakaoAK <the app's admin key>`. */
export declare class WebhookAuthError extends KakaoTalkChannelError {
  constructor(message: string, props: { reason: "missing" | "scheme" | "mismatch" });
  readonly name: "WebhookAuthError";
  /** "missing": no header; "scheme": not `KakaoAK <key>`; "mismatch": another key. */
  reason: "missing" | "scheme" | "mismatch";
}

/** @internal The error of a wasm error record; used by client.js, not public API. */
export declare function fromRecord(record: { name: string; message: string; props?: Record<string, unknown> } | { $abort: true | number }, reason: unknown): unknown;
/** @internal A failed wasm call's record as the error class; used by client.js and webhook.js, not public API. */
export declare function __fail(thrown: unknown): unknown;
