//! The webhook's two wasm exports, used by pkg-template/webhook.js (which reads the caller's
//! `Request` and options, each read guarded, and streams the body with a byte cap and a
//! deadline). Here: plain values in, the rules of `api::webhook` applied, an event or an error
//! out. Not public API.

use super::convert::{self, CallError, Obj};
use crate::api::webhook::{
    check_seen_store, parse_event, verify_authorization, SeenMethods, DEFAULT_BODY_TIMEOUT_MS,
    DEFAULT_SEEN_TTL_MS, MAX_BODY_BYTES, MAX_BODY_TIMEOUT_MS, MAX_SEEN_TTL_MS, MIN_SEEN_TTL_MS,
};
use crate::core::error::ValidationError;
use crate::core::ids::check_secret;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn is_function(v: &JsValue) -> bool {
    v.is_instance_of::<Function>()
}

fn check_options(
    options: &JsValue,
    unreadable: Option<String>,
    handler: bool,
) -> Result<JsValue, ValidationError> {
    if let Some(field) = unreadable {
        return Err(ValidationError::new(
            field,
            "params.unreadable",
            "could not be read (a getter threw)",
        ));
    }
    let allowed: &[&str] = if handler {
        &[
            "adminKey",
            "bodyTimeoutMs",
            "onEvent",
            "onError",
            "seen",
            "seenTtlMs",
        ]
    } else {
        &["adminKey", "bodyTimeoutMs"]
    };
    let o = convert::object_with_keys(options, "options", allowed, false)?.unwrap_or_default();
    let key = convert::req_string(&o, "adminKey")?;
    check_secret(&key, "adminKey")?;
    let body_timeout_ms = convert::opt_int(
        &o,
        "bodyTimeoutMs",
        "bodyTimeoutMs",
        1,
        MAX_BODY_TIMEOUT_MS,
        "options.body_timeout_ms",
    )?
    .unwrap_or(DEFAULT_BODY_TIMEOUT_MS);
    let mut out = Obj::new()
        .set("adminKey", key)
        .set("bodyTimeoutMs", body_timeout_ms)
        .set("maxBodyBytes", MAX_BODY_BYTES);
    if handler {
        let function = |key: &str, required: bool| -> Result<(), ValidationError> {
            let v = convert::get(&o, key, key)?;
            if (v.is_undefined() && !required) || is_function(&v) {
                return Ok(());
            }
            Err(ValidationError::new(
                key,
                "params.type",
                "must be a function",
            ))
        };
        function("onEvent", true)?;
        function("onError", false)?;
        let seen = convert::get(&o, "seen", "seen")?;
        if !seen.is_undefined() {
            let method = |m: &str| convert::get(&seen, m, m).map(|v| is_function(&v));
            check_seen_store(SeenMethods {
                claim: method("claim")?,
                release: method("release")?,
                has: method("has")?,
                add: method("add")?,
            })?;
        }
        let ttl = convert::opt_int(
            &o,
            "seenTtlMs",
            "seenTtlMs",
            MIN_SEEN_TTL_MS,
            MAX_SEEN_TTL_MS,
            "options.seen_ttl_ms",
        )?
        .unwrap_or(DEFAULT_SEEN_TTL_MS);
        out = out.set("seenTtlMs", ttl);
    }
    Ok(out.into_js())
}

/// Checks the options of `parseChannelWebhook` (`handler` false) or
/// `createChannelWebhookHandler` (`handler` true). `options` is webhook.js's plain copy of the
/// caller's options (`seen` a plain `{ claim, release, has, add }`); `unreadable` names the
/// first option whose read threw. Returns `{ adminKey, bodyTimeoutMs, maxBodyBytes,
/// seenTtlMs? }` with the defaults filled in, or throws `ValidationError`.
#[wasm_bindgen(js_name = __checkWebhookOptions, skip_typescript)]
pub fn check_webhook_options(
    options: JsValue,
    unreadable: Option<String>,
    handler: bool,
) -> Result<JsValue, JsValue> {
    let secrets: Vec<String> = convert::get(&options, "adminKey", "adminKey")
        .ok()
        .and_then(|k| k.as_string())
        .into_iter()
        .collect();
    check_options(&options, unreadable, handler)
        .map_err(|e| CallError::Validation(e).into_js(&secrets))
}

/// Applies the webhook rules to one delivery, read by webhook.js into plain strings: the
/// method is POST (`ValidationError`, rule `webhook.method`); `authorization` is `KakaoAK
/// <adminKey>`, compared in constant time (`WebhookAuthError`); then, when `body` is given,
/// the body (`ValidationError` naming the field). With `body` undefined only the method and
/// the sender are checked (before the body is read) and `undefined` is returned; with a body,
/// the `ChannelWebhookEvent`.
#[wasm_bindgen(js_name = __parseWebhook, skip_typescript)]
pub fn parse_webhook(
    method: &str,
    authorization: Option<String>,
    resource_id: Option<String>,
    body: Option<String>,
    admin_key: &str,
) -> Result<JsValue, JsValue> {
    let secrets = [admin_key.to_owned()];
    let fail = |e: CallError| e.into_js(&secrets);
    if !method.eq_ignore_ascii_case("POST") {
        return Err(fail(
            ValidationError::new(
                "request.method",
                "webhook.method",
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
    let e = parse_event(&body, resource_id.as_deref()).map_err(|e| fail(e.into()))?;
    Ok(Obj::new()
        .set("event", e.event)
        .set("userId", e.user_id)
        .set("idType", e.id_type)
        .set("channelPublicId", e.channel_public_id)
        .set("channelUuid", e.channel_uuid)
        .set("updatedAt", convert::date_or_null(Some(e.updated_at)))
        .set(
            "resourceId",
            e.resource_id
                .map_or(JsValue::NULL, |r| JsValue::from_str(&r)),
        )
        .into_js())
}
