//! The one way back to JS: results as JSON text (`serde` structs in camelCase, dates as epoch
//! milliseconds) and failures as error records, `[JSON, JS value]` pairs that
//! `pkg-template/client.js` turns into the classes of `errors.js` (and where the `Date`s are
//! made, in one place). Every string of a record is redacted of the call's secrets here.

use crate::api::packed::{PackError, Val};
use crate::core::error::{
    bounded, redact, ApiError, ResponseError, ValidationError, MAX_MESSAGE_CHARS,
};
use js_sys::Array;
use serde::Serialize;
use serde_json::{json, Map, Value};
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
        props: Value,
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
            "params.type",
            "could not be read (the package's marshal.js and wasm disagree: reinstall it)",
        ))
    }
}

/// `value` redacted: every string in it, keys included.
pub(super) fn redact_json(v: Value, secrets: &[String]) -> Value {
    match v {
        Value::String(s) => Value::String(redact(&s, secrets)),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| redact_json(x, secrets)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| (redact(&k, secrets), redact_json(x, secrets)))
                .collect(),
        ),
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

fn ctx_props(props: &mut Map<String, Value>, ctx: Ctx) {
    props.insert("endpoint".into(), Value::String(ctx.endpoint));
    props.insert("attempts".into(), json!(ctx.attempts));
    if let Some(h) = ctx.headers {
        let headers = serde_json::from_str::<Value>(&h)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        props.insert("headers".into(), headers);
    }
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

    /// The error as a JSON record `{ name, message, props }` (`cause` in props for a network
    /// error), every string redacted of `secrets`; or `None` for an abort (its reason is
    /// handed back untouched).
    pub fn record(&self, secrets: &[String]) -> Option<Value> {
        let (name, message, props) = match self {
            CallError::Validation(e) => (
                "ValidationError",
                format!("{}: {}", e.field, e.message),
                json!({ "field": e.field, "rule": e.rule }),
            ),
            CallError::Api(e, ctx) => {
                let ctx = ctx.clone();
                let details: Map<String, Value> = e.extra.iter().cloned().collect();
                let mut props = Map::new();
                props.insert("status".into(), json!(e.status));
                props.insert("code".into(), json!(e.code));
                props.insert("msg".into(), Value::String(e.msg.clone()));
                props.insert("kind".into(), Value::String(e.kind.into()));
                props.insert("retryable".into(), Value::Bool(e.retryable));
                props.insert("details".into(), Value::Object(details));
                if let Some(s) = &e.body_snippet {
                    props.insert("bodySnippet".into(), Value::String(s.clone()));
                }
                ctx_props(&mut props, ctx);
                ("KakaoApiError", e.message(), Value::Object(props))
            }
            CallError::Response(e, ctx) => {
                let ctx = ctx.clone();
                let mut props = Map::new();
                props.insert("status".into(), json!(e.status));
                props.insert("bodySnippet".into(), Value::String(e.body_snippet.clone()));
                ctx_props(&mut props, ctx);
                (
                    "ResponseError",
                    format!("Unexpected response from Kakao: {}", e.message),
                    Value::Object(props),
                )
            }
            CallError::Timeout { timeout_ms, ctx } => {
                let ctx = ctx.clone();
                let mut props = Map::new();
                props.insert("timeoutMs".into(), json!(timeout_ms));
                ctx_props(&mut props, ctx);
                (
                    "TimeoutError",
                    format!("Request timed out after {timeout_ms} ms"),
                    Value::Object(props),
                )
            }
            CallError::Network { cause, ctx } => {
                let ctx = ctx.clone();
                let cause = serde_json::from_str::<Value>(cause).unwrap_or(Value::Null);
                let detail = network_detail(&cause);
                let mut props = Map::new();
                props.insert("cause".into(), cause);
                ctx_props(&mut props, ctx);
                (
                    "NetworkError",
                    bounded(format!("Network error: {detail}"), MAX_MESSAGE_CHARS),
                    Value::Object(props),
                )
            }
            CallError::Aborted(_) => return None,
            CallError::WebhookAuth(failure) => (
                "WebhookAuthError",
                failure.message().to_owned(),
                json!({ "reason": failure.reason() }),
            ),
            CallError::Bulk { message, props, .. } => {
                ("BulkOperationError", message.clone(), props.clone())
            }
        };
        Some(redact_json(
            json!({ "name": name, "message": message, "props": props }),
            secrets,
        ))
    }

    /// The value a failed call rejects (or a sync function throws) with: `[record JSON,
    /// abort reason]`, read by `fail()` in client.js.
    pub fn into_js(self, secrets: &[String]) -> JsValue {
        let reason = match &self {
            CallError::Bulk { reason, .. } | CallError::Aborted(reason) => reason.clone(),
            _ => JsValue::UNDEFINED,
        };
        match self.record(secrets) {
            Some(record) => Array::of2(&JsValue::from_str(&record.to_string()), &reason).into(),
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
                "params.type",
                "could not be written as JSON",
            ))
        })
}

/// The JS values kept aside by marshal.js (functions, signals, the logger), by index.
pub struct Handles(pub Array);

impl Handles {
    pub fn get(&self, v: &Val) -> Option<JsValue> {
        match v {
            Val::Handle(_, i) => u32::try_from(*i).ok().map(|i| self.0.get(i)),
            _ => None,
        }
    }
}
