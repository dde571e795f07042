//! The record a failure becomes on its way to JS: `{"name":…,"message":…,"props":{…}}`, one
//! enum whose variant is the name of its class in `pkg-template/errors.js` (whose `fromRecord`
//! reads it), every string redacted of the call's secrets. Made here, from the core errors,
//! and written by [`ErrorRecord::to_json`] with the crate's one JSON writer (`core::json`): the
//! text `#[derive(Serialize)]` with `#[serde(tag = "name")]` wrote, for 1.6 KB less wasm.

use super::error::{bounded, redact, ApiError, ResponseError, ValidationError, MAX_MESSAGE_CHARS};
use super::json::{value_text, JsonObject};
use super::text::find_str;
use serde_json::{Map, Value};

/// A failure as its JS class will be made: the variant is the class (`name`), `message` its
/// message, `props` what its constructor reads.
pub enum ErrorRecord {
    ValidationError {
        message: String,
        props: ValidationProps,
    },
    KakaoApiError {
        message: String,
        props: ApiProps,
    },
    ResponseError {
        message: String,
        props: ResponseProps,
    },
    TimeoutError {
        message: String,
        props: TimeoutProps,
    },
    NetworkError {
        message: String,
        props: NetworkProps,
    },
    WebhookAuthError {
        message: String,
        props: WebhookAuthProps,
    },
    /// Its props are JSON text already, written (redacted) where the batches are counted, and
    /// written as they are: parsing them into a `Value` would sort the keys of the caller's
    /// partial results.
    BulkOperationError {
        message: String,
        raw_props: String,
    },
}

pub struct ValidationProps {
    pub field: String,
    pub rule: String,
}

/// Where a call failed (every error of a call but a `ValidationError` carries it): Kakao's
/// endpoint (`"GET /v2/api/talk/channels"`), the attempts made, and, when Kakao answered, the
/// response headers as a JSON object.
pub struct Context<'a> {
    pub endpoint: &'a str,
    pub attempts: u32,
    pub headers: Option<&'a str>,
}

pub struct ApiProps {
    pub attempts: u32,
    pub body_snippet: Option<String>,
    pub code: Option<i64>,
    pub details: Value,
    pub endpoint: String,
    pub headers: Option<Value>,
    pub kind: String,
    pub msg: String,
    pub retryable: bool,
    pub status: u16,
}

pub struct ResponseProps {
    pub attempts: u32,
    pub body_snippet: String,
    pub endpoint: String,
    pub headers: Option<Value>,
    pub status: u16,
}

pub struct TimeoutProps {
    pub attempts: u32,
    pub endpoint: String,
    pub headers: Option<Value>,
    pub timeout_ms: u32,
}

pub struct NetworkProps {
    pub attempts: u32,
    /// marshal.js's snapshot of what `fetch` threw, redacted.
    pub cause: Value,
    pub endpoint: String,
    pub headers: Option<Value>,
}

pub struct WebhookAuthProps {
    pub reason: String,
}

/// `value` redacted: every string in it, keys included.
pub fn redact_json(v: Value, secrets: &[String]) -> Value {
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

/// The context's endpoint and headers, redacted; headers that are not a JSON object become `{}`.
fn context(ctx: &Context<'_>, secrets: &[String]) -> (String, Option<Value>) {
    let headers = ctx.headers.map(|h| {
        serde_json::from_str::<Value>(h)
            .ok()
            .filter(Value::is_object)
            .map_or_else(|| Value::Object(Map::new()), |v| redact_json(v, secrets))
    });
    (redact(ctx.endpoint, secrets), headers)
}

/// `o` with `headers` (a JSON object) when Kakao's are known.
fn headers(o: JsonObject, headers: Option<&Value>) -> JsonObject {
    match headers {
        Some(h) => o.raw("headers", &value_text(h)),
        None => o,
    }
}

/// What a network error's message says: the message of what `fetch` threw, and the system
/// error deepest in its `cause` chain (a snapshot of marshal.js's `snapshotError`) as its code
/// and host — `fetch failed (ECONNREFUSED 127.0.0.1:1)`, `fetch failed (ENOTFOUND
/// kapi.kakao.com)` — or that cause's own message when it has no code. Never a path or query.
pub fn network_detail(cause: &Value) -> String {
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
        Some(i) if find_str(&top, &i).is_none() => format!("{top} ({i})"),
        _ => top,
    }
}

impl ErrorRecord {
    pub fn validation(e: &ValidationError, secrets: &[String]) -> ErrorRecord {
        ErrorRecord::ValidationError {
            message: redact(&format!("{}: {}", e.field, e.message), secrets),
            props: ValidationProps {
                field: redact(&e.field, secrets),
                rule: redact(e.rule, secrets),
            },
        }
    }

    pub fn api(e: &ApiError, ctx: &Context<'_>, secrets: &[String]) -> ErrorRecord {
        let mut details = Map::new();
        for (k, v) in &e.extra {
            details.insert(redact(k, secrets), redact_json(v.clone(), secrets));
        }
        let (endpoint, headers) = context(ctx, secrets);
        ErrorRecord::KakaoApiError {
            message: redact(&e.message(), secrets),
            props: ApiProps {
                attempts: ctx.attempts,
                body_snippet: e.body_snippet.as_deref().map(|s| redact(s, secrets)),
                code: e.code,
                details: Value::Object(details),
                endpoint,
                headers,
                kind: redact(e.kind.as_str(), secrets),
                msg: redact(&e.msg, secrets),
                retryable: e.retryable,
                status: e.status,
            },
        }
    }

    pub fn response(e: &ResponseError, ctx: &Context<'_>, secrets: &[String]) -> ErrorRecord {
        let (endpoint, headers) = context(ctx, secrets);
        ErrorRecord::ResponseError {
            message: redact(&e.to_string(), secrets),
            props: ResponseProps {
                attempts: ctx.attempts,
                body_snippet: redact(&e.body_snippet, secrets),
                endpoint,
                headers,
                status: e.status,
            },
        }
    }

    pub fn timeout(timeout_ms: u32, ctx: &Context<'_>, secrets: &[String]) -> ErrorRecord {
        let (endpoint, headers) = context(ctx, secrets);
        ErrorRecord::TimeoutError {
            message: redact(&format!("Request timed out after {timeout_ms} ms"), secrets),
            props: TimeoutProps {
                attempts: ctx.attempts,
                endpoint,
                headers,
                timeout_ms,
            },
        }
    }

    /// `cause`: marshal.js's `snapshotError` JSON of what `fetch` threw.
    pub fn network(cause: &str, ctx: &Context<'_>, secrets: &[String]) -> ErrorRecord {
        let cause = serde_json::from_str::<Value>(cause).unwrap_or(Value::Null);
        let message = bounded(
            format!("Network error: {}", network_detail(&cause)),
            MAX_MESSAGE_CHARS,
        );
        let (endpoint, headers) = context(ctx, secrets);
        ErrorRecord::NetworkError {
            message: redact(&message, secrets),
            props: NetworkProps {
                attempts: ctx.attempts,
                cause: redact_json(cause, secrets),
                endpoint,
                headers,
            },
        }
    }

    /// A webhook delivery refused for its `Authorization`: the failure's message and reason.
    pub fn webhook_auth(message: &str, reason: &str, secrets: &[String]) -> ErrorRecord {
        ErrorRecord::WebhookAuthError {
            message: redact(message, secrets),
            props: WebhookAuthProps {
                reason: redact(reason, secrets),
            },
        }
    }

    /// `props`: the JSON text of the props, already redacted (written by the wasm edge's
    /// batch accounting, never anything but JSON: were it not, the props would be `null`).
    pub fn bulk(message: &str, props: &str, secrets: &[String]) -> ErrorRecord {
        ErrorRecord::BulkOperationError {
            message: redact(message, secrets),
            raw_props: props.to_owned(),
        }
    }

    /// The record as JSON text: `{"name":…,"message":…,"props":…}`, props' keys in byte
    /// order, `bodySnippet` and `headers` left out when there are none.
    pub fn to_json(&self) -> String {
        let (name, message, props) = match self {
            ErrorRecord::ValidationError { message, props } => (
                "ValidationError",
                message,
                JsonObject::new()
                    .str("field", &props.field)
                    .str("rule", &props.rule)
                    .finish(),
            ),
            ErrorRecord::KakaoApiError { message, props: p } => {
                let o = JsonObject::new().int("attempts", p.attempts.into());
                let o = match &p.body_snippet {
                    Some(s) => o.str("bodySnippet", s),
                    None => o,
                };
                let o = o
                    .opt_int("code", p.code)
                    .raw("details", &value_text(&p.details))
                    .str("endpoint", &p.endpoint);
                (
                    "KakaoApiError",
                    message,
                    headers(o, p.headers.as_ref())
                        .str("kind", &p.kind)
                        .str("msg", &p.msg)
                        .bool("retryable", p.retryable)
                        .int("status", p.status.into())
                        .finish(),
                )
            }
            ErrorRecord::ResponseError { message, props: p } => {
                let o = JsonObject::new()
                    .int("attempts", p.attempts.into())
                    .str("bodySnippet", &p.body_snippet)
                    .str("endpoint", &p.endpoint);
                (
                    "ResponseError",
                    message,
                    headers(o, p.headers.as_ref())
                        .int("status", p.status.into())
                        .finish(),
                )
            }
            ErrorRecord::TimeoutError { message, props: p } => {
                let o = JsonObject::new()
                    .int("attempts", p.attempts.into())
                    .str("endpoint", &p.endpoint);
                (
                    "TimeoutError",
                    message,
                    headers(o, p.headers.as_ref())
                        .int("timeoutMs", p.timeout_ms.into())
                        .finish(),
                )
            }
            ErrorRecord::NetworkError { message, props: p } => {
                let o = JsonObject::new()
                    .int("attempts", p.attempts.into())
                    .raw("cause", &value_text(&p.cause))
                    .str("endpoint", &p.endpoint);
                (
                    "NetworkError",
                    message,
                    headers(o, p.headers.as_ref()).finish(),
                )
            }
            ErrorRecord::WebhookAuthError { message, props } => (
                "WebhookAuthError",
                message,
                JsonObject::new().str("reason", &props.reason).finish(),
            ),
            ErrorRecord::BulkOperationError { message, raw_props } => {
                ("BulkOperationError", message, raw_props.clone())
            }
        };
        JsonObject::new()
            .str("name", name)
            .str("message", message)
            .raw("props", &props)
            .finish()
    }

    /// The (redacted) message.
    pub fn message(&self) -> &str {
        match self {
            ErrorRecord::ValidationError { message, .. }
            | ErrorRecord::KakaoApiError { message, .. }
            | ErrorRecord::ResponseError { message, .. }
            | ErrorRecord::TimeoutError { message, .. }
            | ErrorRecord::NetworkError { message, .. }
            | ErrorRecord::WebhookAuthError { message, .. }
            | ErrorRecord::BulkOperationError { message, .. } => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;
    use serde_json::json;

    fn secrets() -> Vec<String> {
        vec!["s3cr3t-key".to_owned()]
    }

    fn ctx<'a>(headers: Option<&'a str>) -> Context<'a> {
        Context {
            endpoint: "GET /v2/api/talk/channels?k=s3cr3t-key",
            attempts: 3,
            headers,
        }
    }

    #[test]
    fn a_validation_record_is_tagged_by_its_class() {
        let e = ValidationError::new("users[0].id", rules::USER_ID_FORMAT, "bad s3cr3t-key");
        let r = ErrorRecord::validation(&e, &secrets());
        assert_eq!(r.message(), "users[0].id: bad [REDACTED]");
        assert_eq!(
            r.to_json(),
            r#"{"name":"ValidationError","message":"users[0].id: bad [REDACTED]","props":{"field":"users[0].id","rule":"user_id.format"}}"#
        );
    }

    #[test]
    fn an_api_record_carries_code_kind_details_and_context() {
        let e = ApiError::from_response(
            403,
            r#"{"msg":"no s3cr3t-key","code":-402,"required_scopes":["a"]}"#,
        );
        let r = ErrorRecord::api(&e, &ctx(Some(r#"{"x-k":"s3cr3t-key"}"#)), &secrets());
        let v: Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(
            v,
            json!({
                "name": "KakaoApiError",
                "message": "Kakao API error 403 (code -402, InsufficientScope): no [REDACTED]",
                "props": {
                    "attempts": 3, "code": -402, "details": { "requiredScopes": ["a"] },
                    "endpoint": "GET /v2/api/talk/channels?k=[REDACTED]",
                    "headers": { "x-k": "[REDACTED]" }, "kind": "InsufficientScope",
                    "msg": "no [REDACTED]", "retryable": false, "status": 403,
                }
            })
        );
        // Not Kakao JSON: a null code, the snippet, and no headers key when Kakao's are unknown.
        let e = ApiError::from_response(502, "<html>");
        let v: Value =
            serde_json::from_str(&ErrorRecord::api(&e, &ctx(None), &[]).to_json()).unwrap();
        assert_eq!(v["props"]["code"], Value::Null);
        assert_eq!(v["props"]["bodySnippet"], "<html>");
        assert_eq!(v["props"]["kind"], "HttpStatus");
        assert!(v["props"].get("headers").is_none());
    }

    #[test]
    fn response_timeout_network_and_auth_records() {
        let e = ResponseError::new(200, "no channels", "{}");
        let v: Value =
            serde_json::from_str(&ErrorRecord::response(&e, &ctx(Some("not json")), &[]).to_json())
                .unwrap();
        assert_eq!(v["message"], "Unexpected response from Kakao: no channels");
        assert_eq!(v["props"]["headers"], json!({}));
        assert_eq!(v["props"]["bodySnippet"], "{}");
        let t = ErrorRecord::timeout(5, &ctx(None), &[]).to_json();
        assert_eq!(
            t,
            r#"{"name":"TimeoutError","message":"Request timed out after 5 ms","props":{"attempts":3,"endpoint":"GET /v2/api/talk/channels?k=s3cr3t-key","timeoutMs":5}}"#
        );
        let cause = r#"{"message":"fetch failed","cause":{"message":"x","props":{"code":"ECONNREFUSED","address":"127.0.0.1","port":1}}}"#;
        let n = ErrorRecord::network(cause, &ctx(None), &secrets());
        assert_eq!(
            n.message(),
            "Network error: fetch failed (ECONNREFUSED 127.0.0.1:1)"
        );
        let v: Value = serde_json::from_str(&n.to_json()).unwrap();
        assert_eq!(v["props"]["cause"]["cause"]["props"]["port"], 1);
        let a = ErrorRecord::webhook_auth("no header", "missing", &[]).to_json();
        assert_eq!(
            a,
            r#"{"name":"WebhookAuthError","message":"no header","props":{"reason":"missing"}}"#
        );
    }

    #[test]
    fn a_bulk_record_keeps_its_props_text_as_written() {
        let props = r#"{"attempts":2,"partial":{"z":1,"a":[2.5,"s3cr3t-key"]}}"#;
        let r = ErrorRecord::bulk("2 of 3 batches failed s3cr3t-key", props, &secrets());
        assert_eq!(
            r.to_json(),
            format!(
                r#"{{"name":"BulkOperationError","message":"2 of 3 batches failed [REDACTED]","props":{props}}}"#
            )
        );
    }

    #[test]
    fn display_and_error_on_every_core_error() {
        fn as_error(e: &dyn std::error::Error) -> String {
            e.to_string()
        }
        let v = ValidationError::new("a", rules::PARAMS_TYPE, "must be x");
        assert_eq!(as_error(&v), "a: must be x [params.type]");
        let r = ResponseError::new(200, "m", "");
        assert_eq!(as_error(&r), "Unexpected response from Kakao: m");
        let e = ApiError::from_response(400, r#"{"msg":"m","code":-2}"#);
        assert_eq!(
            as_error(&e),
            "Kakao API error 400 (code -2, IllegalParams): m"
        );
    }
}
