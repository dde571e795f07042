//! The options of the webhook functions and of the shipped `seen` stores, read from their
//! packed form and checked (the rules of `super::webhook` applied): plain JSON values out, the
//! defaults filled in, for `src/wasm/webhook.rs` to hand back.

use super::input;
use super::packed::{Handle, Val};
use super::webhook::{
    admin_key, check_prefix, check_seen_store, check_table, check_timing, SeenMethods,
    DEFAULT_ANSWER_WITHIN_MS, DEFAULT_BODY_TIMEOUT_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_LEASE_MS,
    DEFAULT_SEEN_TTL_MS, MAX_ANSWER_WITHIN_MS, MAX_BODY_BYTES, MAX_BODY_TIMEOUT_MS,
    MAX_CALL_TIMEOUT_MS, MAX_SEEN_TTL_MS, MIN_ANSWER_WITHIN_MS, MIN_CALL_TIMEOUT_MS, MIN_LEASE_MS,
    MIN_SEEN_TTL_MS,
};
use crate::core::error::ValidationError;
use crate::core::rules;
use serde_json::{json, Value};

/// Kakao delivers webhooks with POST (Kakao's REST doc, webhooks): any other method is refused.
pub fn check_method(method: &str) -> Result<(), ValidationError> {
    if method.eq_ignore_ascii_case("POST") {
        Ok(())
    } else {
        Err(ValidationError::new(
            "request.method",
            rules::WEBHOOK_METHOD,
            "Kakao delivers webhooks with POST",
        ))
    }
}

fn is_function(v: &Val) -> bool {
    matches!(v, Val::Handle(Handle::Function, _))
}

/// The options of `parseChannelWebhook` (`kind` "parse"), `createChannelWebhookHandler`
/// ("handler") or `constructChannelWebhookEvent` ("event"), packed by pack.js from webhook.js's
/// plain copy (`seen` a plain `{ claim, finish, release, has, add }`); `unreadable` names the
/// first option whose read threw; `env_key`, the `KAKAO_ADMIN_KEY` variable, used when
/// `adminKey` is absent. `{ adminKey, bodyTimeoutMs, maxBodyBytes, seenTtlMs?, ... }` with the
/// defaults filled in.
pub fn check_options(
    options: &Val,
    unreadable: Option<String>,
    kind: &str,
    env_key: Option<&str>,
) -> Result<Value, ValidationError> {
    let handler = kind == "handler";
    if let Some(field) = unreadable {
        return Err(input::unreadable(field));
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
        "options.body_timeout_ms",
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
            "options.seen_ttl_ms",
        )?
        .unwrap_or(DEFAULT_SEEN_TTL_MS);
        let answer = input::opt_int(
            o,
            "answerWithinMs",
            "answerWithinMs",
            MIN_ANSWER_WITHIN_MS,
            MAX_ANSWER_WITHIN_MS,
            "options.answer_within_ms",
        )?
        .unwrap_or(DEFAULT_ANSWER_WITHIN_MS);
        let lease = input::opt_int(
            o,
            "leaseMs",
            "leaseMs",
            MIN_LEASE_MS,
            MAX_SEEN_TTL_MS,
            "options.lease_ms",
        )?
        .unwrap_or(DEFAULT_LEASE_MS);
        let call = input::opt_int(
            o,
            "callTimeoutMs",
            "callTimeoutMs",
            MIN_CALL_TIMEOUT_MS,
            MAX_CALL_TIMEOUT_MS,
            "options.call_timeout_ms",
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
    Ok(out)
}

fn store_option_names(kind: &str) -> &'static [&'static str] {
    match kind {
        "redis" => &["prefix", "client"],
        "d1" => &["table"],
        _ => &["prefix"],
    }
}

/// A shipped `seen` store's set-up: `kind` is "redis", "d1" or "kv"; `values` are `[client,
/// options]`, `client` copied by webhook-stores.js as a plain object of the methods it has
/// (`{ sendCommand, call, prepare, get, put, delete }`, functions or absent; `isOpen: true` for
/// a node-redis client) or the caller's value itself when it is not an object (a URL string,
/// say). `{ prefix, client?, table? }` with the defaults filled in.
pub fn store_options(
    kind: &str,
    values: &[Val],
    unreadable: Option<String>,
) -> Result<Value, ValidationError> {
    if let Some(field) = unreadable {
        return Err(input::unreadable(field));
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
            ))
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
        ));
    }
    if let Some(m) = methods
        .iter()
        .find(|m| !matches!(client.get(m), Val::Handle(Handle::Function, _)))
    {
        return Err(ValidationError::new(
            format!("{field}.{m}"),
            rules::PARAMS_TYPE,
            format!("{name}: must be a function: {field} must be {what}"),
        ));
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
    Ok(Value::Object(out))
}
