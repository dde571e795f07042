//! JS values ↔ core types, and core errors thrown as the JS classes of `errors.js`.

use crate::api::customer_files::{RawId, RawUser, RawValue};
use crate::api::packed_users::{unpack_ids, unpack_users};
use crate::core::error::{redact, ApiError, ResponseError, ValidationError};
use crate::core::ids::UserId;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/pkg-template/errors.js")]
extern "C" {
    /// `new Classes[name](message, props, cause)`.
    #[wasm_bindgen(js_name = __createError)]
    fn create_error(name: &str, message: &str, props: &JsValue, cause: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/pkg-template/marshal.js")]
extern "C" {
    /// The users of an add call packed into one string, or `undefined` for anything but the
    /// common well-formed shape (see `api::packed_users`).
    #[wasm_bindgen(js_name = __packUsers, catch)]
    fn pack_users(users: &JsValue) -> Result<JsValue, JsValue>;
    /// A list of ids packed the same way, or `undefined` for anything but numbers, strings
    /// and bigints.
    #[wasm_bindgen(js_name = __packIds, catch)]
    fn pack_ids(ids: &JsValue) -> Result<JsValue, JsValue>;
}

/// Everything a call can fail with, before it becomes a JS error.
pub enum CallError {
    Validation(ValidationError),
    Api(ApiError),
    Response(ResponseError),
    Timeout {
        timeout_ms: u32,
    },
    Network(JsValue),
    Aborted(JsValue),
    /// A webhook delivery whose `Authorization` is not this app's admin key.
    WebhookAuth(crate::api::webhook::AuthFailure),
    /// Some batches of a split call failed: `succeeded` and `failed` are JS arrays.
    Bulk {
        message: String,
        succeeded: JsValue,
        failed: JsValue,
    },
}

impl From<ValidationError> for CallError {
    fn from(e: ValidationError) -> Self {
        CallError::Validation(e)
    }
}

impl From<ResponseError> for CallError {
    fn from(e: ResponseError) -> Self {
        CallError::Response(e)
    }
}

/// A plain object built field by field.
pub struct Obj(Object);

impl Obj {
    pub fn new() -> Self {
        Obj(Object::new())
    }

    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        // Setting a data property on a fresh plain object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub fn into_js(self) -> JsValue {
        self.0.into()
    }
}

impl CallError {
    /// The JS error for this failure. Every string that reaches JS — message, field, Kakao's
    /// `msg` and extra fields (after JSON decoding), body snippets, a network error's cause —
    /// has each of `secrets` (keys, the call's access token) replaced by `[REDACTED]`.
    pub fn into_js(self, secrets: &[String]) -> JsValue {
        let r = |s: &str| redact(s, secrets);
        match self {
            CallError::Validation(e) => create_error(
                "ValidationError",
                &r(&format!("{}: {}", e.field, e.message)),
                &Obj::new()
                    .set("field", r(&e.field))
                    .set("rule", e.rule)
                    .into_js(),
                &JsValue::UNDEFINED,
            ),
            CallError::Api(e) => {
                let extra = Object::new();
                for (k, v) in &e.extra {
                    let _ =
                        Reflect::set(&extra, &JsValue::from_str(&r(k)), &json_to_js(v, secrets));
                }
                let props = Obj::new()
                    .set("status", e.status)
                    .set(
                        "code",
                        e.code
                            .map_or(JsValue::NULL, |c| JsValue::from_f64(c as f64)),
                    )
                    .set("msg", r(&e.msg))
                    .set("kind", e.kind)
                    .set("retryable", e.retryable)
                    .set("extra", extra)
                    .set(
                        "bodySnippet",
                        e.body_snippet
                            .as_deref()
                            .map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&r(s))),
                    );
                create_error(
                    "KakaoApiError",
                    &r(&e.message()),
                    &props.into_js(),
                    &JsValue::UNDEFINED,
                )
            }
            CallError::Response(e) => create_error(
                "ResponseError",
                &r(&format!("Unexpected response from Kakao: {}", e.message)),
                &Obj::new()
                    .set("status", e.status)
                    .set("bodySnippet", r(&e.body_snippet))
                    .into_js(),
                &JsValue::UNDEFINED,
            ),
            CallError::Timeout { timeout_ms } => create_error(
                "TimeoutError",
                &format!("Request timed out after {timeout_ms} ms"),
                &Obj::new().set("timeoutMs", timeout_ms).into_js(),
                &JsValue::UNDEFINED,
            ),
            CallError::Network(cause) => {
                let err = cause.dyn_ref::<js_sys::Error>();
                let detail = err.map(|e| String::from(e.message())).unwrap_or_default();
                let message = if detail.is_empty() {
                    "Network error: fetch failed".to_owned()
                } else {
                    format!("Network error: {}", r(&detail))
                };
                // A fetch that put a key in its error (a custom fetch logging headers, say)
                // must not leak it through `cause`: keep a redacted copy instead.
                let stack = Reflect::get(&cause, &"stack".into())
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                let leaks = secrets.iter().any(|s| {
                    s.len() >= 4 && (detail.contains(s.as_str()) || stack.contains(s.as_str()))
                });
                let cause = if leaks {
                    let copy = js_sys::Error::new(&r(&detail));
                    if let Some(e) = err {
                        copy.set_name(&String::from(e.name()));
                    }
                    copy.into()
                } else {
                    cause
                };
                create_error("NetworkError", &message, &JsValue::UNDEFINED, &cause)
            }
            CallError::Aborted(reason) => reason,
            CallError::WebhookAuth(failure) => create_error(
                "WebhookAuthError",
                failure.message(),
                &Obj::new().set("reason", failure.reason()).into_js(),
                &JsValue::UNDEFINED,
            ),
            CallError::Bulk {
                message,
                succeeded,
                failed,
            } => create_error(
                "BulkOperationError",
                &r(&message),
                &Obj::new()
                    .set("succeeded", succeeded)
                    .set("failed", failed)
                    .into_js(),
                &JsValue::UNDEFINED,
            ),
        }
    }
}

/// A `serde_json::Value` as a JS value (Kakao's extra error fields), secrets redacted.
pub fn json_to_js(v: &serde_json::Value, secrets: &[String]) -> JsValue {
    match v {
        serde_json::Value::Null => JsValue::NULL,
        serde_json::Value::Bool(b) => JsValue::from_bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(JsValue::NULL, JsValue::from_f64),
        serde_json::Value::String(s) => JsValue::from_str(&redact(s, secrets)),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| json_to_js(x, secrets))
            .collect::<Array>()
            .into(),
        serde_json::Value::Object(m) => {
            let o = Object::new();
            for (k, v) in m {
                let key = redact(&crate::core::error::camel_case(k), secrets);
                let _ = Reflect::set(&o, &JsValue::from_str(&key), &json_to_js(v, secrets));
            }
            o.into()
        }
    }
}

/// Reads `obj[key]`; a throwing getter or Proxy becomes a validation error.
pub fn get(obj: &JsValue, key: &str, field: &str) -> Result<JsValue, ValidationError> {
    Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| {
        ValidationError::new(
            field,
            "params.unreadable",
            "could not be read (a getter threw)",
        )
    })
}

/// Checks that `value` is a plain object whose keys are all in `allowed`; `undefined`/`null`
/// is allowed when `optional`.
pub fn object_with_keys(
    value: &JsValue,
    field: &str,
    allowed: &[&str],
    optional: bool,
) -> Result<Option<JsValue>, ValidationError> {
    if value.is_undefined() || value.is_null() {
        return if optional {
            Ok(None)
        } else {
            Err(ValidationError::new(
                field,
                "params.required",
                "is required",
            ))
        };
    }
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(ValidationError::new(
            field,
            "params.type",
            "must be an object",
        ));
    }
    let keys = Object::keys(value.unchecked_ref::<Object>());
    for k in keys.iter() {
        let k = k.as_string().unwrap_or_default();
        if !allowed.contains(&k.as_str()) {
            let path = if field.is_empty() {
                k.clone()
            } else {
                format!("{field}.{k}")
            };
            return Err(ValidationError::new(
                path,
                "params.unknown_key",
                format!(
                    "is not an option here; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(Some(value.clone()))
}

/// An optional string property.
pub fn opt_string(
    obj: &JsValue,
    key: &str,
    field: &str,
) -> Result<Option<String>, ValidationError> {
    let v = get(obj, key, field)?;
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| ValidationError::new(field, "params.type", "must be a string"))
}

/// An optional whole number within `min..=max`.
pub fn opt_int(
    obj: &JsValue,
    key: &str,
    field: &str,
    min: u32,
    max: u32,
    rule: &'static str,
) -> Result<Option<u32>, ValidationError> {
    let v = get(obj, key, field)?;
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(max) => {
            Ok(Some(n as u32))
        }
        _ => Err(ValidationError::new(
            field,
            rule,
            format!("must be a whole number from {min} to {max}"),
        )),
    }
}

/// An array of strings (each element checked for type).
pub fn string_array(v: &JsValue, field: &str) -> Result<Vec<String>, ValidationError> {
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| ValidationError::new(field, "params.type", "must be an array of strings"))?;
    arr.iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_string().ok_or_else(|| {
                ValidationError::new(format!("{field}[{i}]"), "params.type", "must be a string")
            })
        })
        .collect()
}

/// A `UserIdInput`: safe positive integer, bigint, or decimal string.
pub fn user_id(v: &JsValue, field: &str) -> Result<UserId, ValidationError> {
    if let Some(n) = v.as_f64() {
        return UserId::from_f64(n, field);
    }
    if let Some(s) = v.as_string() {
        return UserId::from_decimal(&s, field);
    }
    if let Some(b) = v.dyn_ref::<js_sys::BigInt>() {
        let text = b.to_string(10).map(String::from).unwrap_or_default();
        return UserId::from_decimal(&text, field);
    }
    Err(ValidationError::new(
        field,
        "user_id.type",
        "must be a number, bigint or decimal string",
    ))
}

/// An array of `UserIdInput`, at least one.
pub fn user_ids(v: &JsValue, field: &str) -> Result<Vec<UserId>, ValidationError> {
    let arr = v.dyn_ref::<Array>().ok_or_else(|| {
        ValidationError::new(field, "params.type", "must be an array of user ids")
    })?;
    if arr.length() == 0 {
        return Err(ValidationError::new(
            field,
            "user_ids.empty",
            "must list at least one user id",
        ));
    }
    // The path is formatted only for an error (`user_id` puts `field` in errors only).
    let at = |i: usize| {
        move |mut e: ValidationError| {
            e.field = format!("{field}[{i}]");
            e
        }
    };
    if let Some(ids) = packed_ids(v) {
        return ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                match id {
                    RawId::Number(n) => UserId::from_f64(*n, ""),
                    RawId::Text(s) | RawId::BigInt(s) => UserId::from_decimal(s, ""),
                    RawId::Other(_) => Err(ValidationError::new(
                        "",
                        "user_id.type",
                        "must be a number, bigint or decimal string",
                    )),
                }
                .map_err(at(i))
            })
            .collect();
    }
    arr.iter()
        .enumerate()
        .map(|(i, x)| user_id(&x, "").map_err(at(i)))
        .collect()
}

/// Epoch millis as a `Date`, or `null`.
pub fn date_or_null(ms: Option<i64>) -> JsValue {
    ms.map_or(JsValue::NULL, |ms| {
        js_sys::Date::new(&JsValue::from_f64(ms as f64)).into()
    })
}

fn type_name(v: &JsValue) -> &'static str {
    if v.is_null() {
        "null"
    } else if v.is_undefined() {
        "undefined"
    } else if Array::is_array(v) {
        "an array"
    } else if v.is_function() {
        "a function"
    } else if v.is_object() {
        "an object"
    } else if v.as_bool().is_some() {
        "a boolean"
    } else if v.is_symbol() {
        "a symbol"
    } else {
        "an unsupported value"
    }
}

/// An id as JS gave it, typed but not yet validated.
pub fn raw_id(v: &JsValue) -> RawId {
    if let Some(n) = v.as_f64() {
        RawId::Number(n)
    } else if let Some(s) = v.as_string() {
        RawId::Text(s)
    } else if let Some(b) = v.dyn_ref::<js_sys::BigInt>() {
        RawId::BigInt(b.to_string(10).map(String::from).unwrap_or_default())
    } else {
        RawId::Other(type_name(v))
    }
}

fn raw_value(v: &JsValue) -> RawValue {
    if let Some(n) = v.as_f64() {
        RawValue::Number(n)
    } else if let Some(s) = v.as_string() {
        RawValue::Text(s)
    } else {
        RawValue::Other(type_name(v))
    }
}

/// `[key, value]` pairs of a plain object, in JS key order.
fn entries(obj: &JsValue, field: &str) -> Result<Vec<(String, JsValue)>, ValidationError> {
    if !obj.is_object() || Array::is_array(obj) || obj.is_function() {
        return Err(ValidationError::new(
            field,
            "params.type",
            "must be an object",
        ));
    }
    Ok(Object::entries(obj.unchecked_ref::<Object>())
        .iter()
        .map(|pair| {
            let pair: Array = pair.unchecked_into();
            (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
        })
        .collect())
}

/// A schema object as `(key, declared type)` pairs; types that are not strings are kept as
/// their JS type name so the core rule reports them.
pub fn schema_pairs(v: &JsValue, field: &str) -> Result<Vec<(String, String)>, ValidationError> {
    Ok(entries(v, field)?
        .into_iter()
        .map(|(k, t)| {
            let ty = t.as_string().unwrap_or_else(|| type_name(&t).to_owned());
            (k, ty)
        })
        .collect())
}

/// The `users` array of an add call, typed but not yet validated: in one crossing when the
/// array has the common shape, else element by element (which names the exact bad element).
pub fn raw_users(v: &JsValue, field: &str) -> Result<Vec<RawUser>, ValidationError> {
    if let Some(users) = packed_users(v) {
        return Ok(users);
    }
    raw_users_one_by_one(v, field)
}

/// `[text, numbers]` of `__packIds`/`__packUsers`, or `None` when they gave up.
fn packed(out: Result<JsValue, JsValue>) -> Option<(String, Vec<f64>)> {
    let packed = out.ok()?.dyn_into::<Array>().ok()?;
    let text = packed.get(0).as_string()?;
    let numbers = packed
        .get(1)
        .dyn_into::<js_sys::Float64Array>()
        .ok()?
        .to_vec();
    Some((text, numbers))
}

fn packed_ids(v: &JsValue) -> Option<Vec<RawId>> {
    let (text, numbers) = packed(pack_ids(v))?;
    unpack_ids(&text, &numbers)
}

fn packed_users(v: &JsValue) -> Option<Vec<RawUser>> {
    let (text, numbers) = packed(pack_users(v))?;
    unpack_users(&text, &numbers)
}

fn raw_users_one_by_one(v: &JsValue, field: &str) -> Result<Vec<RawUser>, ValidationError> {
    let arr = v.dyn_ref::<Array>().ok_or_else(|| {
        ValidationError::new(field, "params.type", "must be an array of { id, fields? }")
    })?;
    let mut out = Vec::with_capacity(arr.length() as usize);
    for (i, u) in arr.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let u = object_with_keys(&u, &path, &["id", "fields"], false)?.unwrap_or_default();
        let fields_v = get(&u, "fields", &path)?;
        let fields = if fields_v.is_undefined() {
            None
        } else {
            Some(
                entries(&fields_v, &format!("{path}.fields"))?
                    .into_iter()
                    .map(|(k, v)| (k, raw_value(&v)))
                    .collect(),
            )
        };
        out.push(RawUser {
            id: raw_id(&get(&u, "id", &path)?),
            fields,
        });
    }
    Ok(out)
}

/// A list of ids (`userIds` of a delete call), typed but not yet validated.
pub fn raw_ids(v: &JsValue, field: &str) -> Result<Vec<RawId>, ValidationError> {
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| ValidationError::new(field, "params.type", "must be an array of ids"))?;
    if let Some(ids) = packed_ids(v) {
        return Ok(ids);
    }
    Ok(arr.iter().map(|x| raw_id(&x)).collect())
}

/// A required string parameter.
pub fn req_string(obj: &JsValue, key: &str) -> Result<String, ValidationError> {
    opt_string(obj, key, key)?
        .ok_or_else(|| ValidationError::new(key, "params.required", "is required"))
}

/// A required number parameter.
pub fn req_number(obj: &JsValue, key: &str) -> Result<f64, ValidationError> {
    let v = get(obj, key, key)?;
    if v.is_undefined() {
        return Err(ValidationError::new(key, "params.required", "is required"));
    }
    v.as_f64()
        .ok_or_else(|| ValidationError::new(key, "params.type", "must be a number"))
}
