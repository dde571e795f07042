//! The one way back to JS: results as JSON text (`serde` structs in camelCase, dates as epoch
//! milliseconds) and failures as error records, `[JSON, JS value]` pairs that
//! `pkg-template/client.js` turns into the classes of `errors.js` (and where the `Date`s are
//! made, in one place). Every string of a record is redacted of the call's secrets here.

use crate::api::packed::{PackError, Val};
use crate::core::error::{
    bounded, redact, ApiError, ResponseError, ValidationError, MAX_MESSAGE_CHARS,
};
use crate::core::json::{value_text, JsonObject};
use crate::core::rules;
use js_sys::Array;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// Where a call failed: Kakao's endpoint (`"GET /v2/api/talk/channels"`), how many attempts
/// were made, and (when Kakao answered) the response headers as a JSON object.
#[derive(Clone, Default)]
pub struct Ctx {
    pub endpoint: String,
    pub attempts: u32,
    pub headers: Option<String>,
}

/// Everything a call can fail with, before it becomes a JS error.
pub enum CallError {
    Validation(ValidationError),
    Api(ApiError, Ctx),
    Response(ResponseError, Ctx),
    Timeout {
        timeout_ms: u32,
        ctx: Ctx,
    },
    /// `fetch` failed: what it threw, as marshal.js's `snapshotError` JSON.
    Network {
        cause: String,
        ctx: Ctx,
    },
    /// The caller's signal aborted: its reason, handed back as is.
    Aborted(JsValue),
    /// A webhook delivery whose `Authorization` is not this app's admin key.
    WebhookAuth(crate::api::webhook::AuthFailure),
    /// Some batches of a split call failed (see `customer_files::run_batches`).
    Bulk {
        message: String,
        /// The props as JSON, redacted.
        props: String,
        /// The abort reasons (a JS array) that failed batches marked `{ $abort: i }` carry as
        /// their `error`.
        reason: JsValue,
    },
}

impl From<ValidationError> for CallError {
    fn from(e: ValidationError) -> Self {
        CallError::Validation(e)
    }
}

impl From<PackError> for CallError {
    fn from(_: PackError) -> Self {
        CallError::Validation(ValidationError::new(
            "params",
            rules::PARAMS_TYPE,
            "could not be read (the package's pack.js and wasm disagree: reinstall it)",
        ))
    }
}

/// `value` redacted: every string in it, keys included.
pub(super) fn redact_json(v: Value, secrets: &[String]) -> Value {
    match v {
        Value::String(s) => Value::String(redact(&s, secrets)),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| redact_json(x, secrets)).collect()),
        // Inserted one by one (the last of equal keys wins, as `collect` does): a `collect`
        // into the map would link a stable sort and a bulk build.
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                out.insert(redact(&k, secrets), redact_json(x, secrets));
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// What a network error's message says: the message of what `fetch` threw, and the system
/// error deepest in its `cause` chain (a snapshot of marshal.js's `snapshotError`) as its code
/// and host — `fetch failed (ECONNREFUSED 127.0.0.1:1)`, `fetch failed (ENOTFOUND
/// kapi.kakao.com)` — or that cause's own message when it has no code. Never a path or query.
fn network_detail(cause: &Value) -> String {
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let top = text(cause, "message").unwrap_or_else(|| "fetch failed".to_owned());
    let mut deepest: Option<&Value> = None;
    let mut coded: Option<&Value> = None;
    let mut c = cause.get("cause");
    while let Some(v) = c.filter(|v| v.is_object()) {
        deepest = Some(v);
        if v.get("props")
            .and_then(|p| p.get("code"))
            .is_some_and(Value::is_string)
        {
            coded = Some(v);
        }
        c = v.get("cause");
    }
    let inner = match coded {
        Some(v) => {
            let props = v.get("props").unwrap_or(&Value::Null);
            let code = text(props, "code").unwrap_or_default();
            let port = props.get("port").and_then(|p| match p {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            });
            let host = match (text(props, "address"), text(props, "hostname"), port) {
                (Some(a), _, Some(p)) => Some(format!("{a}:{p}")),
                (Some(a), _, None) => Some(a),
                (None, Some(h), _) => Some(h),
                (None, None, _) => None,
            };
            Some(host.map_or(code.clone(), |h| format!("{code} {h}")))
        }
        None => deepest.and_then(|v| text(v, "message")),
    };
    match inner {
        Some(i) if !top.contains(&i) => format!("{top} ({i})"),
        _ => top,
    }
}

/// The props every HTTP failure carries, `attempts`, `endpoint` and (when Kakao answered)
/// `headers`, written into `o` in byte order with the others: `before` writes the keys
/// that sort before `endpoint` (after `attempts`), `after` those after `headers`.
fn with_ctx(
    ctx: &Ctx,
    secrets: &[String],
    before: impl FnOnce(JsonObject) -> JsonObject,
    after: impl FnOnce(JsonObject) -> JsonObject,
) -> String {
    let o = before(JsonObject::new().int("attempts", ctx.attempts.into()))
        .str("endpoint", &redact(&ctx.endpoint, secrets));
    let o = match &ctx.headers {
        Some(h) => {
            let headers = serde_json::from_str::<Value>(h)
                .ok()
                .filter(Value::is_object)
                .map_or_else(|| "{}".to_owned(), |v| value_text(&redact_json(v, secrets)));
            o.raw("headers", &headers)
        }
        None => o,
    };
    after(o).finish()
}

impl CallError {
    /// HTTP attempts this failure took (0 when it failed before sending).
    pub fn attempts(&self) -> u32 {
        match self {
            CallError::Api(_, ctx)
            | CallError::Response(_, ctx)
            | CallError::Timeout { ctx, .. }
            | CallError::Network { ctx, .. } => ctx.attempts,
            _ => 0,
        }
    }

    /// The error's message and its record `{ name, message, props }` as JSON (`cause` in
    /// props for a network error), every string redacted of `secrets`; or `None` for an abort
    /// (its reason is handed back untouched). Keys in byte order, as `json!` wrote them.
    pub fn record(&self, secrets: &[String]) -> Option<(String, String)> {
        let r = |s: &str| redact(s, secrets);
        let (name, message, props) = match self {
            CallError::Validation(e) => (
                "ValidationError",
                format!("{}: {}", e.field, e.message),
                JsonObject::new()
                    .str("field", &r(&e.field))
                    .str("rule", &r(e.rule))
                    .finish(),
            ),
            CallError::Api(e, ctx) => {
                let mut details = Map::new();
                for (k, v) in &e.extra {
                    details.insert(redact(k, secrets), redact_json(v.clone(), secrets));
                }
                let details = value_text(&Value::Object(details));
                let props = with_ctx(
                    ctx,
                    secrets,
                    |o| {
                        let o = match &e.body_snippet {
                            Some(s) => o.str("bodySnippet", &r(s)),
                            None => o,
                        };
                        o.opt_int("code", e.code).raw("details", &details)
                    },
                    |o| {
                        o.str("kind", &r(e.kind.as_str()))
                            .str("msg", &r(&e.msg))
                            .bool("retryable", e.retryable)
                            .int("status", e.status.into())
                    },
                );
                ("KakaoApiError", e.message(), props)
            }
            CallError::Response(e, ctx) => (
                "ResponseError",
                format!("Unexpected response from Kakao: {}", e.message),
                with_ctx(
                    ctx,
                    secrets,
                    |o| o.str("bodySnippet", &r(&e.body_snippet)),
                    |o| o.int("status", e.status.into()),
                ),
            ),
            CallError::Timeout { timeout_ms, ctx } => (
                "TimeoutError",
                format!("Request timed out after {timeout_ms} ms"),
                with_ctx(
                    ctx,
                    secrets,
                    |o| o,
                    |o| o.int("timeoutMs", (*timeout_ms).into()),
                ),
            ),
            CallError::Network { cause, ctx } => {
                let cause = serde_json::from_str::<Value>(cause).unwrap_or(Value::Null);
                let detail = network_detail(&cause);
                let cause = value_text(&redact_json(cause, secrets));
                (
                    "NetworkError",
                    bounded(format!("Network error: {detail}"), MAX_MESSAGE_CHARS),
                    with_ctx(ctx, secrets, |o| o.raw("cause", &cause), |o| o),
                )
            }
            CallError::Aborted(_) => return None,
            CallError::WebhookAuth(failure) => (
                "WebhookAuthError",
                failure.message().to_owned(),
                JsonObject::new()
                    .str("reason", &r(failure.reason()))
                    .finish(),
            ),
            // Written redacted by `batches::bulk_error`.
            CallError::Bulk { message, props, .. } => {
                ("BulkOperationError", message.clone(), props.clone())
            }
        };
        let message = r(&message);
        let record = JsonObject::new()
            .str("message", &message)
            .str("name", name)
            .raw("props", &props)
            .finish();
        Some((message, record))
    }

    /// The value a failed call rejects (or a sync function throws) with: `[record JSON,
    /// abort reason]`, read by `fail()` in client.js.
    pub fn into_js(self, secrets: &[String]) -> JsValue {
        let reason = match &self {
            CallError::Bulk { reason, .. } | CallError::Aborted(reason) => reason.clone(),
            _ => JsValue::UNDEFINED,
        };
        match self.record(secrets) {
            Some((_, record)) => Array::of2(&JsValue::from_str(&record), &reason).into(),
            None => Array::of2(&JsValue::NULL, &reason).into(),
        }
    }
}

/// A result as the JSON text client.js parses.
pub fn to_json<T: Serialize>(value: &T) -> Result<JsValue, CallError> {
    serde_json::to_string(value)
        .map(|s| JsValue::from_str(&s))
        .map_err(|_| {
            CallError::Validation(ValidationError::new(
                "result",
                rules::PARAMS_TYPE,
                "could not be written as JSON",
            ))
        })
}

/// The JS values kept aside by pack.js (functions, signals, the logger), by index.
pub struct Handles(pub Array);

impl Handles {
    pub fn get(&self, v: &Val) -> Option<JsValue> {
        match v {
            Val::Handle(_, i) => u32::try_from(*i).ok().map(|i| self.0.get(i)),
            _ => None,
        }
    }
}
