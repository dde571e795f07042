//! Calls `fetch` (the client's or the global one, looked up at call time), with a per-attempt
//! timeout through `AbortController`, the caller's `AbortSignal`, and abortable sleeps.
//!
//! No Rust closures are handed to JS: timers and listeners get bound JS functions
//! (`controller.abort`, a promise's `reject`), so nothing leaks or dangles after a call.

use super::convert::CallError;
use crate::core::request::MAX_ANSWER_BYTES;
use crate::core::rules;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What one attempt got back.
pub struct RawResponse {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
    /// The response headers as a JSON object (`{}` for a 2xx).
    pub headers: String,
    /// `Some(bytes)` when the answer was larger than [`MAX_ANSWER_BYTES`]: the bytes seen or
    /// declared (a lower bound); `body` then holds only the start of it.
    pub cut: Option<u64>,
}

/// An attempt's failure before a status arrived (or while the body was read).
pub enum AttemptError {
    /// What `fetch` threw, as marshal.js's `snapshotError` JSON.
    Network(String),
    Timeout,
    Aborted(JsValue),
}

pub(super) fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn global_fn(name: &str) -> Option<Function> {
    prop(&js_sys::global(), name).dyn_into::<Function>().ok()
}

/// `obj[name](...args)`; a missing method or a throw comes back as `Err`.
pub(super) fn call_method(
    obj: &JsValue,
    name: &str,
    args: &[&JsValue],
) -> Result<JsValue, JsValue> {
    let f: Function = prop(obj, name)
        .dyn_into()
        .map_err(|_| JsValue::from_str(&format!("{name} is not a function")))?;
    let arr: Array = args.iter().copied().collect();
    f.apply(obj, &arr)
}

/// The caller's `AbortSignal` (marshal.js kept it aside as one).
#[derive(Clone)]
pub struct Signal(JsValue);

impl Signal {
    pub fn new(v: JsValue) -> Signal {
        Signal(v)
    }

    pub fn aborted(&self) -> bool {
        prop(&self.0, "aborted").as_bool().unwrap_or(false)
    }

    /// The rejection value for an abort: the signal's `reason`, or an `AbortError`.
    pub fn reason(&self) -> JsValue {
        let r = prop(&self.0, "reason");
        if !r.is_undefined() {
            return r;
        }
        let e = js_sys::Error::new("This operation was aborted");
        e.set_name("AbortError");
        e.into()
    }

    fn listen(&self, f: &JsValue) {
        let _ = call_method(
            &self.0,
            "addEventListener",
            &[&JsValue::from_str("abort"), f],
        );
    }

    fn unlisten(&self, f: &JsValue) {
        let _ = call_method(
            &self.0,
            "removeEventListener",
            &[&JsValue::from_str("abort"), f],
        );
    }
}

/// The fetch to use: the client's, else `globalThis.fetch` at call time.
pub fn resolve_fetch(own: Option<&Function>) -> Result<Function, CallError> {
    own.cloned().or_else(|| global_fn("fetch")).ok_or_else(|| {
        CallError::Validation(crate::core::error::ValidationError::new(
            "fetch",
            rules::FETCH_MISSING,
            "no global fetch in this runtime: pass options.fetch",
        ))
    })
}

#[wasm_bindgen(module = "/pkg-template/marshal.js")]
extern "C" {
    /// One attempt in JS (one crossing instead of dozens): see `__attempt` in marshal.js.
    /// Never rejects.
    #[wasm_bindgen(js_name = __attempt)]
    fn attempt(
        fetch: &Function,
        url: &str,
        method: &str,
        authorization: &str,
        body: Option<js_sys::Uint8Array>,
        timeout_ms: u32,
        signal: &JsValue,
        max_bytes: u32,
    ) -> Promise;
}

/// One request of an attempt.
pub struct Exchange<'a> {
    pub url: &'a str,
    pub method: &'a str,
    pub authorization: &'a str,
    pub body: Option<&'a str>,
}

/// One HTTP exchange, bounded by `timeout_ms` (headers and body) and the caller's signal:
/// an `AbortController` per attempt whose signal goes to `fetch`, aborted by a timer and by
/// the caller's signal, all cleaned up however the attempt ends.
pub async fn send_once(
    fetch: &Function,
    exchange: &Exchange<'_>,
    timeout_ms: u32,
    user: Option<&Signal>,
) -> Result<RawResponse, AttemptError> {
    let signal = user.map_or(JsValue::UNDEFINED, |s| s.0.clone());
    // The body crosses as bytes: one copy out of wasm memory. As a JS string it would cost a
    // UTF-8 decode here and an encode in `fetch`: measured ~10% of the CPU time of a 2,000-user
    // add (0.46 ms decoding its 140 KB of Korean-keyed JSON, 0.07 ms copying it). marshal.js
    // gives the bytes a `toString` returning the JSON text, so `JSON.parse(init.body)` works.
    let outcome = JsFuture::from(attempt(
        fetch,
        exchange.url,
        exchange.method,
        exchange.authorization,
        exchange
            .body
            .map(|b| js_sys::Uint8Array::from(b.as_bytes())),
        timeout_ms,
        &signal,
        MAX_ANSWER_BYTES,
    ))
    .await
    .map_err(|_| {
        AttemptError::Network("{\"name\":\"Error\",\"message\":\"fetch failed\"}".to_owned())
    })?;
    let outcome: Array = outcome.unchecked_into();
    match outcome.get(0).as_f64().map(|k| k as u8) {
        Some(0) => Ok(RawResponse {
            status: outcome.get(1).as_f64().map_or(0, |s| s as u16),
            body: outcome.get(2).as_string().unwrap_or_default(),
            retry_after: outcome.get(3).as_string(),
            headers: outcome.get(4).as_string().unwrap_or_default(),
            cut: outcome
                .get(5)
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(|n| n as u64),
        }),
        Some(1) => Err(AttemptError::Aborted(outcome.get(1))),
        Some(2) => Err(AttemptError::Timeout),
        _ => Err(AttemptError::Network(
            outcome.get(1).as_string().unwrap_or_default(),
        )),
    }
}

/// Waits `ms`, or rejects with the abort reason as soon as the caller's signal aborts.
pub async fn sleep(ms: u64, user: Option<&Signal>) -> Result<(), CallError> {
    if let Some(sig) = user.filter(|s| s.aborted()) {
        return Err(CallError::Aborted(sig.reason()));
    }
    let mut resolve = JsValue::UNDEFINED;
    let mut reject = JsValue::UNDEFINED;
    let p = Promise::new(&mut |res, rej| {
        resolve = res.into();
        reject = rej.into();
    });
    let timer = global_fn("setTimeout")
        .and_then(|st| {
            st.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from_f64(ms as f64))
                .ok()
        })
        .unwrap_or(JsValue::UNDEFINED);
    if let Some(sig) = user {
        sig.listen(&reject);
    }
    let result = JsFuture::from(p).await;
    if let Some(sig) = user {
        sig.unlisten(&reject);
    }
    if let Some(clear) = global_fn("clearTimeout") {
        let _ = clear.call1(&JsValue::UNDEFINED, &timer);
    }
    match (result, user) {
        (Ok(_), _) => Ok(()),
        (Err(_), Some(sig)) => Err(CallError::Aborted(sig.reason())),
        (Err(_), None) => Err(CallError::Network {
            cause: String::new(),
            ctx: super::convert::Ctx::default(),
        }),
    }
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn random() -> f64 {
    js_sys::Math::random()
}
