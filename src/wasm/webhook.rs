//! The webhook's two wasm exports, used by pkg-template/webhook.js (which reads the caller's
//! `Request` and options, each read guarded, and streams the body with a byte cap and a
//! deadline). Here: packed plain values in, the rules of `api::webhook` applied, JSON text or an
//! error record out. Not public API.

use super::convert::CallError;
use crate::api::packed::{self, Val};
use crate::api::webhook::{parse_event_bytes, verify_authorization};
use crate::api::webhook_options::{check_method, check_options, store_options, OptionsOf, Store};
use crate::core::json::JsonObject;
use wasm_bindgen::prelude::*;

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
    check_options(
        options,
        unreadable,
        OptionsOf::from_name(kind),
        env_key.as_deref(),
    )
    .map(|json| JsValue::from_str(&json))
    .map_err(|e| CallError::from(e).into_js(&secrets))
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
    store_options(Store::from_name(kind), &values, unreadable)
        .map(|json| JsValue::from_str(&json))
        .map_err(|e| CallError::from(e).into_js(&[]))
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
    check_method(method).map_err(|e| fail(e.into()))?;
    verify_authorization(authorization.as_deref(), admin_key)
        .map_err(|f| fail(CallError::WebhookAuth(f)))?;
    let Some(body) = body else {
        return Ok(JsValue::UNDEFINED);
    };
    let e = parse_event_bytes(&body, resource_id.as_deref()).map_err(|e| fail(e.into()))?;
    // Keys in byte order, as `json!` wrote them.
    let json = JsonObject::new()
        .str("channelPublicId", &e.channel_public_id)
        .str("channelUuid", &e.channel_uuid)
        .str("event", &e.event)
        .str("idType", &e.id_type)
        .opt_str("resourceId", e.resource_id.as_deref())
        .int("updatedAt", e.updated_at)
        .str("userId", &e.user_id)
        .finish();
    Ok(JsValue::from_str(&json))
}
