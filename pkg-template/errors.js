// Error classes of kakao-talk-channel. Every exported class extends KakaoTalkChannelError;
// `instanceof` and `name` work. No property ever holds a key or token.

export class KakaoTalkChannelError extends Error {
  constructor(message, options) {
    super(message, options);
  }
}

/** Thrown before any request: `field` is the path of the value, `rule` a stable id. */
export class ValidationError extends KakaoTalkChannelError {
  constructor(message, props) {
    super(message);
    this.field = props.field;
    this.rule = props.rule;
  }
}

/** Kakao answered with a non-2xx status. */
export class KakaoApiError extends KakaoTalkChannelError {
  constructor(message, props) {
    super(message);
    // Extra fields Kakao sent (camelCased) first, so they can never shadow ours.
    Object.assign(this, props.extra);
    this.status = props.status;
    this.code = props.code;
    this.msg = props.msg;
    this.kind = props.kind;
    this.retryable = props.retryable;
    if (props.bodySnippet !== undefined) this.bodySnippet = props.bodySnippet;
  }
}

/** An attempt took longer than `timeoutMs` (after all retries). */
export class TimeoutError extends KakaoTalkChannelError {
  constructor(message, props) {
    super(message);
    this.timeoutMs = props.timeoutMs;
  }
}

/** `fetch` rejected (connection refused or reset, DNS); the original error is `cause`. */
export class NetworkError extends KakaoTalkChannelError {
  constructor(message, _props, cause) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** A 2xx answer whose body is not what Kakao's documentation promises. */
export class ResponseError extends KakaoTalkChannelError {
  constructor(message, props) {
    super(message);
    this.status = props.status;
    this.bodySnippet = props.bodySnippet;
  }
}

/** Some batches of a split call failed after retries; nothing is silently skipped. */
export class BulkOperationError extends KakaoTalkChannelError {
  constructor(message, props) {
    super(message);
    this.succeeded = props.succeeded;
    this.failed = props.failed;
  }
}

/**
 * A webhook delivery whose `Authorization` header is missing, not `KakaoAK <key>`, or carries
 * another key. `reason`: "missing" | "scheme" | "mismatch". The header's value is never kept.
 */
export class WebhookAuthError extends KakaoTalkChannelError {
  constructor(message, props) {
    super(message);
    this.reason = props.reason;
  }
}

const classes = {
  KakaoTalkChannelError,
  ValidationError,
  KakaoApiError,
  TimeoutError,
  NetworkError,
  ResponseError,
  BulkOperationError,
  WebhookAuthError,
};

for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, "name", {
    value: name,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/** Used by the wasm glue; not part of the public API. */
export function __createError(name, message, props, cause) {
  return new classes[name](message, props, cause);
}
