//! `parseChannelWebhook`: reads a webhook `Request` (method, headers, body) and hands it to the
//! rules in `api::webhook`. `createChannelWebhookHandler` (pkg-template/webhook.js) builds on it.

use super::convert::CallError;
use super::transport::{call_method, prop};
use crate::api::webhook::{parse_event, verify_authorization};
use crate::core::error::ValidationError;
use crate::core::ids::check_secret;
use js_sys::{Function, Promise};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One Kakao Talk Channel webhook delivery: a user added or blocked the channel. */
export interface ChannelWebhookEvent {
  /** Unknown future values pass through as strings. */
  event: "added" | "blocked" | (string & {});
  /** The user's id, as Kakao sent it (a decimal string for app user ids; never rounded). */
  userId: string;
  /** "app_user_id" when the user agreed to share channel status with the app, else "open_id". */
  idType: "app_user_id" | "open_id" | (string & {});
  /** `channel_public_id` (or the older `plus_friend_public_id`). */
  channelPublicId: string;
  /** `channel_uuid` (or the older `plus_friend_uuid`). */
  channelUuid: string;
  /** `updated_at` (RFC3339). */
  updatedAt: Date;
  /** `X-Kakao-Resource-ID`: unique per delivery, the key for dropping redeliveries; null if absent. */
  resourceId: string | null;
}

export interface ParseChannelWebhookOptions {
  /** The app's primary admin key: Kakao signs each delivery with `Authorization: KakaoAK <key>`. */
  adminKey: string;
}
"#;

/// Interim readers of the caller's values (the webhook's own JS takes them over).
mod convert {
    use crate::core::error::ValidationError;
    use js_sys::{Object, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    pub fn get(obj: &JsValue, key: &str, field: &str) -> Result<JsValue, ValidationError> {
        Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| {
            ValidationError::new(
                field,
                "params.unreadable",
                "could not be read (a getter threw)",
            )
        })
    }

    pub fn object_with_keys(
        value: &JsValue,
        field: &str,
        allowed: &[&str],
    ) -> Result<JsValue, ValidationError> {
        if !value.is_object() {
            return Err(ValidationError::new(
                field,
                "params.type",
                "must be an object",
            ));
        }
        let keys = Reflect::own_keys(value.unchecked_ref::<Object>())
            .map_err(|_| ValidationError::new(field, "params.unreadable", "could not be read"))?;
        for k in keys.iter() {
            let k = k.as_string().unwrap_or_default();
            if !allowed.contains(&k.as_str()) {
                return Err(ValidationError::new(
                    format!("{field}.{k}"),
                    "params.unknown_key",
                    format!(
                        "is not an option here; expected one of: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(value.clone())
    }

    pub fn req_string(obj: &JsValue, key: &str) -> Result<String, ValidationError> {
        get(obj, key, key)?
            .as_string()
            .ok_or_else(|| ValidationError::new(key, "params.required", "is required"))
    }
}

fn spawn<F>(secrets: Vec<String>, work: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, CallError>> + 'static,
{
    future_to_promise(async move { work.await.map_err(|e| e.into_js(&secrets)) })
}

fn request_error(message: &str) -> ValidationError {
    ValidationError::new("request", "params.type", message)
}

/// `request.headers.get(name)`.
fn header(request: &JsValue, name: &str) -> Result<Option<String>, ValidationError> {
    let headers = prop(request, "headers");
    call_method(&headers, "get", &[&JsValue::from_str(name)])
        .map(|v| v.as_string())
        .map_err(|_| request_error("must be a Request (its headers have no get())"))
}

/// Checks the options shared by `parseChannelWebhook` and `createChannelWebhookHandler`.
fn admin_key(options: &JsValue, allowed: &[&str]) -> Result<String, ValidationError> {
    let o = convert::object_with_keys(options, "options", allowed)?;
    let key = convert::req_string(&o, "adminKey")?;
    check_secret(&key, "adminKey")?;
    Ok(key)
}

/// Verifies and parses a Kakao Talk Channel webhook delivery.
///
/// Checks, in order: the method is POST (`ValidationError`, rule `webhook.method`); the
/// `Authorization` header is `KakaoAK <adminKey>`, compared in constant time
/// (`WebhookAuthError`, read before the body); the JSON body has every documented field
/// (`ValidationError` naming it, e.g. `body.updated_at`). Older deliveries' `plus_friend_*`
/// fields are accepted.
///
/// @example
/// ```ts
/// const event = await parseChannelWebhook(request, { adminKey: env.KAKAO_ADMIN_KEY });
/// if (event.event === "blocked") await markBlocked(event.userId, event.updatedAt);
/// ```
#[wasm_bindgen(js_name = parseChannelWebhook, unchecked_return_type = "Promise<ChannelWebhookEvent>")]
pub fn parse_channel_webhook(
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ParseChannelWebhookOptions")] options: JsValue,
) -> Promise {
    let key = convert::get(&options, "adminKey", "adminKey")
        .ok()
        .and_then(|k| k.as_string());
    spawn(key.into_iter().collect(), async move {
        let key = admin_key(&options, &["adminKey"])?;
        if !request.is_object() {
            return Err(request_error("must be a Request").into());
        }
        let method = prop(&request, "method").as_string().unwrap_or_default();
        if !method.eq_ignore_ascii_case("POST") {
            return Err(ValidationError::new(
                "request.method",
                "webhook.method",
                "Kakao delivers webhooks with POST",
            )
            .into());
        }
        let authorization = header(&request, "authorization")?;
        verify_authorization(authorization.as_deref(), &key).map_err(CallError::WebhookAuth)?;
        let resource_id = header(&request, "x-kakao-resource-id")?;
        let text = call_method(&request, "text", &[])
            .map_err(|_| request_error("must be a Request (it has no text())"))?;
        let body = JsFuture::from(Promise::resolve(&text))
            .await
            .ok()
            .and_then(|b| b.as_string())
            .ok_or_else(|| ValidationError::new("body", "webhook.body", "could not be read"))?;
        let e = parse_event(&body, resource_id.as_deref())?;
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("event", e.event.into());
        set("userId", e.user_id.into());
        set("idType", e.id_type.into());
        set("channelPublicId", e.channel_public_id.into());
        set("channelUuid", e.channel_uuid.into());
        set(
            "updatedAt",
            js_sys::Date::new(&JsValue::from_f64(e.updated_at as f64)).into(),
        );
        set(
            "resourceId",
            e.resource_id
                .map_or(JsValue::NULL, |r| JsValue::from_str(&r)),
        );
        Ok(o.into())
    })
}

/// Checks `createChannelWebhookHandler`'s options (used by pkg-template/webhook.js; not public).
#[wasm_bindgen(js_name = __checkWebhookHandlerOptions, skip_typescript)]
pub fn check_webhook_handler_options(options: JsValue) -> Result<(), JsValue> {
    let secrets: Vec<String> = convert::get(&options, "adminKey", "adminKey")
        .ok()
        .and_then(|k| k.as_string())
        .into_iter()
        .collect();
    let check = || -> Result<(), ValidationError> {
        admin_key(&options, &["adminKey", "onEvent", "seen", "onError"])?;
        let function = |key: &str, required: bool| -> Result<(), ValidationError> {
            let v = convert::get(&options, key, key)?;
            if (v.is_undefined() && !required) || v.is_instance_of::<Function>() {
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
        let seen = convert::get(&options, "seen", "seen")?;
        if !seen.is_undefined() {
            for m in ["has", "add"] {
                if !prop(&seen, m).is_instance_of::<Function>() {
                    return Err(ValidationError::new(
                        format!("seen.{m}"),
                        "params.type",
                        "must be a function: seen is a store with has(id) and add(id), such as a Set",
                    ));
                }
            }
        }
        Ok(())
    };
    check().map_err(|e| CallError::Validation(e).into_js(&secrets))
}
