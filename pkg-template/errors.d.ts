import type { BatchResult } from "./kakao_talk_channel.js";

/** Base class of every error this package throws. */
export declare class KakaoTalkChannelError extends Error {}

/** Thrown before any request when an input breaks a documented rule. */
export declare class ValidationError extends KakaoTalkChannelError {
  readonly name: "ValidationError";
  /** Path of the offending value, e.g. `users[17].fields.연령` or `channelIds[2]`. */
  field: string;
  /** Stable machine-readable rule id, e.g. `schema.max_items`, `channel_id.format`. */
  rule: string;
}

/** Kakao answered with a non-2xx status. Extra fields Kakao sent are kept, camelCased. */
export declare class KakaoApiError extends KakaoTalkChannelError {
  readonly name: "KakaoApiError";
  status: number;
  /** Kakao's negative error code, or null when the body was not Kakao's error JSON. */
  code: number | null;
  /** Kakao's `msg` ("" when absent). */
  msg: string;
  /** From Kakao's code table, e.g. `"NotTalkUser"` for -501; `"HttpStatus"` without a code; `"Unknown"` for other codes. */
  kind: string;
  /** Whether the SDK retries this failure (HTTP 429/5xx and Kakao's retryable codes). */
  retryable: boolean;
  /** The first 200 characters of a body that was not Kakao JSON. */
  bodySnippet?: string;
  /** E.g. `["plusfriends"]` on -402 InsufficientScope. */
  requiredScopes?: string[];
  [extra: string]: unknown;
}

/** An attempt exceeded `timeoutMs` (after all retries). */
export declare class TimeoutError extends KakaoTalkChannelError {
  readonly name: "TimeoutError";
  timeoutMs: number;
}

/** `fetch` rejected (connection refused or reset, DNS). The original error is `cause`. */
export declare class NetworkError extends KakaoTalkChannelError {
  readonly name: "NetworkError";
  cause?: unknown;
}

/** A 2xx answer whose body is not what Kakao's documentation promises. */
export declare class ResponseError extends KakaoTalkChannelError {
  readonly name: "ResponseError";
  status: number;
  /** At most 200 characters of the body. */
  bodySnippet: string;
}

/** A batch that still failed after retries: its user ids, so exactly these can be retried. */
export interface FailedBatch {
  index: number;
  userIds: string[];
  error: KakaoTalkChannelError;
}

/** Some batches of a split call failed after retries; nothing is silently skipped. */
export declare class BulkOperationError extends KakaoTalkChannelError {
  readonly name: "BulkOperationError";
  succeeded: BatchResult[];
  failed: FailedBatch[];
}

/** A webhook delivery whose `Authorization` header is not `KakaoAK <the app's admin key>`. */
export declare class WebhookAuthError extends KakaoTalkChannelError {
  readonly name: "WebhookAuthError";
  /** "missing": no header; "scheme": not `KakaoAK <key>`; "mismatch": another key. */
  reason: "missing" | "scheme" | "mismatch";
}
