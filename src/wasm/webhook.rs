//! The webhook's two wasm exports, used by pkg-template/webhook.js (which reads the caller's
//! `Request` and options, each read guarded, and streams the body with a byte cap and a
//! deadline). Here: packed plain values in, the rules of `api::webhook` applied, JSON text or an
//! error record out. Not public API.

use super::convert::{to_json, CallError};
use crate::api::input;
use crate::api::packed::{self, Val};
use crate::api::webhook::{
    admin_key, check_prefix, check_seen_store, check_table, check_timing, parse_event_bytes,
    verify_authorization, SeenMethods, DEFAULT_ANSWER_WITHIN_MS, DEFAULT_BODY_TIMEOUT_MS,
    DEFAULT_CALL_TIMEOUT_MS, DEFAULT_LEASE_MS, DEFAULT_SEEN_TTL_MS, MAX_ANSWER_WITHIN_MS,
    MAX_BODY_BYTES, MAX_BODY_TIMEOUT_MS, MAX_CALL_TIMEOUT_MS, MAX_SEEN_TTL_MS,
    MIN_ANSWER_WITHIN_MS, MIN_CALL_TIMEOUT_MS, MIN_LEASE_MS, MIN_SEEN_TTL_MS,
};
use crate::core::error::ValidationError;
use crate::core::rules;
use serde_json::json;
use wasm_bindgen::prelude::*;

fn is_function(v: &Val) -> bool {
    matches!(v, Val::Handle('f', _))
}

fn check_options(
    options: &Val,
    unreadable: Option<String>,
    kind: &str,
    env_key: Option<&str>,
) -> Result<JsValue, CallError> {
    let handler = kind == "handler";
    if let Some(field) = unreadable {
        return Err(input::unreadable(field).into());
    }
    let allowed: &[&str] = if handler {
        &[
            "adminKey",
            "answerWithinMs",
            "bodyTimeoutMs",
            "callTimeoutMs",
            "leaseMs",
            "onEvent",
            "onError",
            "seen",
            "seenTtlMs",
        ]
    } else if kind == "event" {
        &["adminKey"]
    } else {
        &["adminKey", "bodyTimeoutMs"]
    };
    let o =
        input::object_with_keys(options, "options", allowed, !handler)?.unwrap_or(&Val::Undefined);
    let key = admin_key(input::opt_string(o, "adminKey", "adminKey")?, env_key)?;
    let body_timeout_ms = input::opt_int(
        o,
        "bodyTimeoutMs",
        "bodyTimeoutMs",
        1,
        MAX_BODY_TIMEOUT_MS,
        rules::OPTIONS_BODY_TIMEOUT_MS,
    )?
    .unwrap_or(DEFAULT_BODY_TIMEOUT_MS);
    let mut out = json!({
        "adminKey": key,
        "bodyTimeoutMs": body_timeout_ms,
        "maxBodyBytes": MAX_BODY_BYTES,
    });
    if handler {
        let function = |key: &str, required: bool| -> Result<(), ValidationError> {
            let v = o.get(key);
            if (v.is_undefined() && !required) || is_function(v) {
                return Ok(());
            }
            Err(ValidationError::new(
                key,
                rules::PARAMS_TYPE,
                "must be a function",
            ))
        };
        function("onEvent", true)?;
        function("onError", false)?;
        let seen = o.get("seen");
        if !seen.is_undefined() {
            let method = |m: &str| is_function(seen.get(m));
            check_seen_store(SeenMethods {
                claim: method("claim"),
                finish: method("finish"),
                release: method("release"),
                has: method("has"),
                add: method("add"),
            })?;
        }
        let ttl = input::opt_int(
            o,
            "seenTtlMs",
            "seenTtlMs",
            MIN_SEEN_TTL_MS,
            MAX_SEEN_TTL_MS,
            rules::OPTIONS_SEEN_TTL_MS,
        )?
        .unwrap_or(DEFAULT_SEEN_TTL_MS);
        let answer = input::opt_int(
            o,
            "answerWithinMs",
            "answerWithinMs",
            MIN_ANSWER_WITHIN_MS,
            MAX_ANSWER_WITHIN_MS,
            rules::OPTIONS_ANSWER_WITHIN_MS,
        )?
        .unwrap_or(DEFAULT_ANSWER_WITHIN_MS);
        let lease = input::opt_int(
            o,
            "leaseMs",
            "leaseMs",
            MIN_LEASE_MS,
            MAX_SEEN_TTL_MS,
            rules::OPTIONS_LEASE_MS,
        )?
        .unwrap_or(DEFAULT_LEASE_MS);
        let call = input::opt_int(
            o,
            "callTimeoutMs",
            "callTimeoutMs",
            MIN_CALL_TIMEOUT_MS,
            MAX_CALL_TIMEOUT_MS,
            rules::OPTIONS_CALL_TIMEOUT_MS,
        )?
        .unwrap_or(DEFAULT_CALL_TIMEOUT_MS);
        check_timing(answer, lease, ttl)?;
        if let Some(map) = out.as_object_mut() {
            map.insert("seenTtlMs".into(), json!(ttl));
            map.insert("answerWithinMs".into(), json!(answer));
            map.insert("leaseMs".into(), json!(lease));
            map.insert("callTimeoutMs".into(), json!(call));
        }
    }
    to_json(&out)
}

/// Checks the options of `parseChannelWebhook` (`kind` "parse"),
/// `createChannelWebhookHandler` ("handler") or `constructChannelWebhookEvent` ("event"),
/// packed by pack.js from webhook.js's plain copy (`seen` a plain `{ claim, finish, release,
/// has, add }`); `unreadable` names the first option whose read threw; `env_key`, the
/// `KAKAO_ADMIN_KEY` variable where the runtime has an environment (ignored in a browser), used
/// when `adminKey` is absent. Returns the JSON of `{ adminKey, bodyTimeoutMs, maxBodyBytes,
/// seenTtlMs?, ... }` with the defaults filled in, or throws an error record.
#[wasm_bindgen(js_name = __checkWebhookOptions, skip_typescript)]
pub fn check_webhook_options(
    text: &str,
    unreadable: Option<String>,
    kind: &str,
    env_key: Option<String>,
) -> Result<JsValue, JsValue> {
    let values = packed::args(text).map_err(|e| CallError::from(e).into_js(&[]))?;
    let options = values.first().unwrap_or(&Val::Undefined);
    // Never in a browser: a bundler's `process.env` shim is no server environment.
    let env_key = env_key.filter(|_| !super::options::in_browser());
    let secrets: Vec<String> = options
        .get("adminKey")
        .as_str()
        .map(str::to_owned)
        .into_iter()
        .chain(env_key.clone())
        .collect();
    check_options(options, unreadable, kind, env_key.as_deref()).map_err(|e| e.into_js(&secrets))
}

/// Checks a shipped `seen` store's set-up: `kind` is "redis", "d1" or "kv"; the packed values
/// are `[client, options]`, `client` copied by webhook-stores.js as a plain object of the
/// methods it has (`{ sendCommand, call, prepare, get, put, delete }`, functions or absent;
/// `isOpen: true` for a node-redis client) or the caller's value itself when it is not an object
/// (a URL string, say). Returns the JSON of
/// `{ prefix, client?, table? }` with the defaults filled in, or throws an error record.
#[wasm_bindgen(js_name = __checkSeenStore, skip_typescript)]
pub fn check_seen_store_options(
    kind: &str,
    text: &str,
    unreadable: Option<String>,
) -> Result<JsValue, JsValue> {
    let values = packed::args(text).map_err(|e| CallError::from(e).into_js(&[]))?;
    store_options(kind, &values, unreadable).map_err(|e| e.into_js(&[]))
}

fn store_option_names(kind: &str) -> &'static [&'static str] {
    match kind {
        "redis" => &["prefix", "client"],
        "d1" => &["table"],
        _ => &["prefix"],
    }
}

fn store_options(
    kind: &str,
    values: &[Val],
    unreadable: Option<String>,
) -> Result<JsValue, CallError> {
    if let Some(field) = unreadable {
        return Err(input::unreadable(field).into());
    }
    let client = values.first().unwrap_or(&Val::Undefined);
    let options = values.get(1).unwrap_or(&Val::Undefined);
    let o = input::object_with_keys(options, "options", store_option_names(kind), true)?
        .unwrap_or(&Val::Undefined);
    // Redis: the call shape decides the method needed (node-redis' sendCommand, ioredis' call).
    let shape = match o.get("client") {
        Val::Undefined if kind == "redis" && matches!(client.get("isOpen"), Val::Bool(true)) => {
            "node-redis"
        }
        Val::Undefined => "ioredis",
        Val::Str(s) if kind == "redis" && (s == "ioredis" || s == "node-redis") => s,
        _ => {
            return Err(ValidationError::new(
                "options.client",
                rules::OPTIONS_CLIENT,
                "must be \"ioredis\" or \"node-redis\"",
            )
            .into())
        }
    };
    let (name, field, methods, what): (&str, &str, &[&str], &str) = match kind {
        "redis" => (
            "redisSeenStore",
            "redis",
            if shape == "node-redis" {
                &["sendCommand"]
            } else {
                &["call"]
            },
            "a connected Redis client (node-redis' createClient(...).connect(), or new Redis() of ioredis)",
        ),
        "d1" => ("d1SeenStore", "db", &["prepare"], "a D1 database binding (env.DB)"),
        _ => (
            "kvSeenStore",
            "kv",
            &["get", "put", "delete"],
            "a Workers KV namespace binding (env.KV)",
        ),
    };
    if !matches!(client, Val::Object(_)) {
        let hint = if client.as_str().is_some() {
            ", not a string (a URL? create and connect the client yourself)"
        } else {
            ""
        };
        return Err(ValidationError::new(
            field,
            rules::PARAMS_TYPE,
            format!("{name}: must be {what}{hint}; got {}", client.type_name()),
        )
        .into());
    }
    if let Some(m) = methods
        .iter()
        .find(|m| !matches!(client.get(m), Val::Handle('f', _)))
    {
        return Err(ValidationError::new(
            format!("{field}.{m}"),
            rules::PARAMS_TYPE,
            format!("{name}: must be a function: {field} must be {what}"),
        )
        .into());
    }
    let mut out = serde_json::Map::new();
    if kind == "d1" {
        let table = input::opt_string(o, "table", "options.table")?.unwrap_or("kakao_webhook_seen");
        check_table(table)?;
        out.insert("table".into(), json!(table));
    } else {
        let prefix = input::opt_string(o, "prefix", "options.prefix")?.unwrap_or("kakao-webhook:");
        check_prefix(prefix)?;
        out.insert("prefix".into(), json!(prefix));
    }
    if kind == "redis" {
        out.insert("client".into(), json!(shape));
    }
    to_json(&serde_json::Value::Object(out))
}

/// Applies the webhook rules to one delivery, read by webhook.js into plain strings: the
/// method is POST (`ValidationError`, rule `webhook.method`); `authorization` is `KakaoAK
/// <adminKey>`, compared in constant time (`WebhookAuthError`); then, when `body` is given,
/// the body (`ValidationError` naming the field). With `body` undefined only the method and
/// the sender are checked (before the body is read) and `undefined` is returned; with a body,
/// the JSON of the `ChannelWebhookEvent` (`updatedAt` in epoch milliseconds).
#[wasm_bindgen(js_name = __parseWebhook, skip_typescript)]
pub fn parse_webhook(
    method: &str,
    authorization: Option<String>,
    resource_id: Option<String>,
    body: Option<Vec<u8>>,
    admin_key: &str,
) -> Result<JsValue, JsValue> {
    let secrets = [admin_key.to_owned()];
    let fail = |e: CallError| e.into_js(&secrets);
    if !method.eq_ignore_ascii_case("POST") {
        return Err(fail(
            ValidationError::new(
                "request.method",
                rules::WEBHOOK_METHOD,
                "Kakao delivers webhooks with POST",
            )
            .into(),
        ));
    }
    verify_authorization(authorization.as_deref(), admin_key)
        .map_err(|f| fail(CallError::WebhookAuth(f)))?;
    let Some(body) = body else {
        return Ok(JsValue::UNDEFINED);
    };
    let e = parse_event_bytes(&body, resource_id.as_deref()).map_err(|e| fail(e.into()))?;
    to_json(&json!({
        "event": e.event,
        "userId": e.user_id,
        "idType": e.id_type,
        "channelPublicId": e.channel_public_id,
        "channelUuid": e.channel_uuid,
        "updatedAt": e.updated_at,
        "resourceId": e.resource_id,
    }))
    .map_err(fail)
}
