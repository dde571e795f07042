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
use crate::core::json::JsonObject;
use crate::core::rules;

/// `MAX_BODY_BYTES` as a JSON integer.
const MAX_BODY_BYTES_JSON: u64 = MAX_BODY_BYTES as u64;

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

/// Which webhook function's options: webhook.js names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsOf {
    /// `parseChannelWebhook` ("parse", and any name not below).
    Parse,
    /// `createChannelWebhookHandler` ("handler").
    Handler,
    /// `constructChannelWebhookEvent` ("event").
    Event,
}

impl OptionsOf {
    pub fn from_name(name: &str) -> OptionsOf {
        match name {
            "handler" => OptionsOf::Handler,
            "event" => OptionsOf::Event,
            _ => OptionsOf::Parse,
        }
    }
}

/// Which shipped `seen` store: webhook-stores.js names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// "redis".
    Redis,
    /// "d1".
    D1,
    /// "kv", and any name not above.
    Kv,
}

impl Store {
    pub fn from_name(name: &str) -> Store {
        match name {
            "redis" => Store::Redis,
            "d1" => Store::D1,
            _ => Store::Kv,
        }
    }
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
    kind: OptionsOf,
    env_key: Option<&str>,
) -> Result<String, ValidationError> {
    let handler = kind == OptionsOf::Handler;
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
    } else if kind == OptionsOf::Event {
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
    let out = JsonObject::new().str("adminKey", key);
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
        // Keys in byte order, as `json!` wrote them.
        return Ok(out
            .uint("answerWithinMs", answer.into())
            .uint("bodyTimeoutMs", body_timeout_ms.into())
            .uint("callTimeoutMs", call.into())
            .uint("leaseMs", lease.into())
            .uint("maxBodyBytes", MAX_BODY_BYTES_JSON)
            .uint("seenTtlMs", ttl.into())
            .finish());
    }
    Ok(out
        .uint("bodyTimeoutMs", body_timeout_ms.into())
        .uint("maxBodyBytes", MAX_BODY_BYTES_JSON)
        .finish())
}

fn store_option_names(kind: Store) -> &'static [&'static str] {
    match kind {
        Store::Redis => &["prefix", "client"],
        Store::D1 => &["table"],
        Store::Kv => &["prefix"],
    }
}

/// A shipped `seen` store's set-up: `kind` is "redis", "d1" or "kv"; `values` are `[client,
/// options]`, `client` copied by webhook-stores.js as a plain object of the methods it has
/// (`{ sendCommand, call, prepare, get, put, delete }`, functions or absent; `isOpen: true` for
/// a node-redis client) or the caller's value itself when it is not an object (a URL string,
/// say). `{ prefix, client?, table? }` with the defaults filled in.
pub fn store_options(
    kind: Store,
    values: &[Val],
    unreadable: Option<String>,
) -> Result<String, ValidationError> {
    if let Some(field) = unreadable {
        return Err(input::unreadable(field));
    }
    let client = values.first().unwrap_or(&Val::Undefined);
    let options = values.get(1).unwrap_or(&Val::Undefined);
    let o = input::object_with_keys(options, "options", store_option_names(kind), true)?
        .unwrap_or(&Val::Undefined);
    // Redis: the call shape decides the method needed (node-redis' sendCommand, ioredis' call).
    let shape = match o.get("client") {
        Val::Undefined
            if kind == Store::Redis && matches!(client.get("isOpen"), Val::Bool(true)) =>
        {
            "node-redis"
        }
        Val::Undefined => "ioredis",
        Val::Str(s) if kind == Store::Redis && (s == "ioredis" || s == "node-redis") => s,
        _ => {
            return Err(ValidationError::new(
                "options.client",
                rules::OPTIONS_CLIENT,
                "must be \"ioredis\" or \"node-redis\"",
            ))
        }
    };
    let (name, field, methods, what): (&str, &str, &[&str], &str) = match kind {
        Store::Redis => (
            "redisSeenStore",
            "redis",
            if shape == "node-redis" {
                &["sendCommand"]
            } else {
                &["call"]
            },
            "a connected Redis client (node-redis' createClient(...).connect(), or new Redis() of ioredis)",
        ),
        Store::D1 => ("d1SeenStore", "db", &["prepare"], "a D1 database binding (env.DB)"),
        Store::Kv => (
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
    // Keys in byte order, as `json!` wrote them ("client" before "prefix").
    let mut out = JsonObject::new();
    if kind == Store::Redis {
        out = out.str("client", shape);
    }
    if kind == Store::D1 {
        let table = input::opt_string(o, "table", "options.table")?.unwrap_or("kakao_webhook_seen");
        check_table(table)?;
        out = out.str("table", table);
    } else {
        let prefix = input::opt_string(o, "prefix", "options.prefix")?.unwrap_or("kakao-webhook:");
        check_prefix(prefix)?;
        out = out.str("prefix", prefix);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::super::packed::args;
    use super::*;

    /// The options' JSON text, parsed.
    fn parse(text: String) -> serde_json::Value {
        serde_json::from_str(&text).unwrap()
    }

    fn one(text: &str) -> Val<'_> {
        args(text).unwrap().into_iter().next().unwrap()
    }

    #[test]
    fn only_post_is_a_delivery() {
        assert!(check_method("post").is_ok());
        let e = check_method("GET").err().unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("request.method", rules::WEBHOOK_METHOD.as_str())
        );
    }

    #[test]
    fn webhook_options_fill_defaults_and_check_the_handler() {
        let o = one("1\0o1\0sadminKey\0sadmin-0001");
        let v = parse(check_options(&o, None, OptionsOf::Parse, None).unwrap());
        assert_eq!(v["adminKey"], "admin-0001");
        assert_eq!(v["bodyTimeoutMs"], DEFAULT_BODY_TIMEOUT_MS);
        assert!(v.get("seenTtlMs").is_none());
        // The handler needs onEvent, a function; it gets the timing defaults.
        let e = check_options(&o, None, OptionsOf::Handler, None)
            .err()
            .unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("onEvent", rules::PARAMS_TYPE.as_str())
        );
        let o = one("1\0o2\0sadminKey\0sadmin-0001\0sonEvent\0hf0");
        let v = parse(check_options(&o, None, OptionsOf::Handler, None).unwrap());
        assert_eq!(v["seenTtlMs"], DEFAULT_SEEN_TTL_MS);
        // An event takes adminKey alone; the key may come from the environment.
        let o = one("1\0o1\0sbodyTimeoutMs\0n5");
        let e = check_options(&o, None, OptionsOf::Event, Some("env-key-1"))
            .err()
            .unwrap();
        assert_eq!(e.rule, rules::PARAMS_UNKNOWN_KEY.as_str());
        let v = parse(
            check_options(&Val::Undefined, None, OptionsOf::Event, Some("env-key-1")).unwrap(),
        );
        assert_eq!(v["adminKey"], "env-key-1");
        let e = check_options(&o, Some("seen".into()), OptionsOf::Parse, None)
            .err()
            .unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("seen", rules::PARAMS_UNREADABLE.as_str())
        );
    }

    #[test]
    fn stores_are_checked_by_the_methods_they_have() {
        let node_redis = args("2\0o2\0ssendCommand\0hf0\0sisOpen\0t\0u").unwrap();
        let v = parse(store_options(Store::from_name("redis"), &node_redis, None).unwrap());
        assert_eq!(
            (v["client"].as_str(), v["prefix"].as_str()),
            (Some("node-redis"), Some("kakao-webhook:"))
        );
        let url = args("2\0sredis://localhost\0u").unwrap();
        let e = store_options(Store::Redis, &url, None).err().unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("redis", rules::PARAMS_TYPE.as_str())
        );
        assert!(e.message.contains("not a string"), "{}", e.message);
        let kv = args("2\0o2\0sget\0hf0\0sput\0hf1\0u").unwrap();
        let e = store_options(Store::from_name("kv"), &kv, None)
            .err()
            .unwrap();
        assert_eq!(e.field.strip_prefix("kv."), Some("delete"));
        let d1 = args("2\0o1\0sprepare\0hf0\0o1\0stable\0sseen").unwrap();
        let v = parse(store_options(Store::from_name("d1"), &d1, None).unwrap());
        assert_eq!(v["table"], "seen");
    }
}
