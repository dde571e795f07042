//! Calls `fetch` (the client's or the global one, looked up at call time), with a per-attempt
//! timeout through `AbortController`, the caller's `AbortSignal`, and abortable sleeps.
//!
//! No Rust closures are handed to JS: timers and listeners get bound JS functions
//! (`controller.abort`, a promise's `reject`), so nothing leaks or dangles after a call.

use super::convert::CallError;
use crate::core::request::MAX_ANSWER_BYTES;
use js_sys::{Function, Promise, Reflect};
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
    /// What `fetch` threw, as shared.js's `snapshotError` JSON.
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

#[wasm_bindgen]
extern "C" {
    /// The caller's `AbortSignal`, or a polyfill's (pack.js keeps aside as a signal only a
    /// value with a boolean `aborted` and an `addEventListener` method). Every access is
    /// `catch`: a getter or a Proxy trap of the caller's may throw, and nothing may throw
    /// through wasm frames (web-sys's `AbortSignal` bindings do not catch).
    #[derive(Clone)]
    pub type CallerSignal;
    #[wasm_bindgen(method, getter, catch)]
    fn aborted(this: &CallerSignal) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn reason(this: &CallerSignal) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = addEventListener)]
    fn add_event_listener(this: &CallerSignal, kind: &str, f: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = removeEventListener)]
    fn remove_event_listener(this: &CallerSignal, kind: &str, f: &JsValue) -> Result<(), JsValue>;
}

/// The caller's `AbortSignal` (pack.js kept it aside as one).
#[derive(Clone)]
pub struct Signal(CallerSignal);

impl Signal {
    pub fn new(v: JsValue) -> Signal {
        Signal(v.unchecked_into())
    }

    pub fn aborted(&self) -> bool {
        self.0
            .aborted()
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// The rejection value for an abort: the signal's `reason`, or an `AbortError`.
    pub fn reason(&self) -> JsValue {
        match self.0.reason() {
            Ok(r) if !r.is_undefined() => r,
            _ => {
                let e = js_sys::Error::new("This operation was aborted");
                e.set_name("AbortError");
                e.into()
            }
        }
    }

    fn listen(&self, f: &JsValue) {
        let _ = self.0.add_event_listener("abort", f);
    }

    fn unlisten(&self, f: &JsValue) {
        let _ = self.0.remove_event_listener("abort", f);
    }
}

/// The fetch to use: the client's, else `globalThis.fetch` at call time.
pub fn resolve_fetch(own: Option<&Function>) -> Result<Function, CallError> {
    own.cloned()
        .or_else(|| global_fn("fetch"))
        .ok_or_else(|| CallError::Validation(crate::api::options::no_fetch()))
}

#[wasm_bindgen(module = "/pkg-template/attempt.js")]
extern "C" {
    /// One attempt in JS (one crossing instead of dozens): see `__attempt` in attempt.js.
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

#[wasm_bindgen]
extern "C" {
    /// What `__attempt` resolves to (made by attempt.js, never the caller's): an answer
    /// (`status` set), `timedOut`, `aborted` with the `reason`, or a failed fetch (`cause`).
    pub type AttemptOutcome;
    #[wasm_bindgen(method, getter)]
    fn status(this: &AttemptOutcome) -> Option<u16>;
    #[wasm_bindgen(method, getter)]
    fn body(this: &AttemptOutcome) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = retryAfter)]
    fn retry_after(this: &AttemptOutcome) -> Option<String>;
    /// The response headers as a JSON object.
    #[wasm_bindgen(method, getter)]
    fn headers(this: &AttemptOutcome) -> Option<String>;
    /// The bytes seen or declared of an answer larger than the SDK reads.
    #[wasm_bindgen(method, getter)]
    fn cut(this: &AttemptOutcome) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = timedOut)]
    fn timed_out(this: &AttemptOutcome) -> Option<bool>;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &AttemptOutcome) -> Option<bool>;
    #[wasm_bindgen(method, getter)]
    fn reason(this: &AttemptOutcome) -> JsValue;
    /// What `fetch` threw, as shared.js's `snapshotError` JSON.
    #[wasm_bindgen(method, getter)]
    fn cause(this: &AttemptOutcome) -> Option<String>;
}

#[wasm_bindgen(module = "/pkg-template/shared.js")]
extern "C" {
    /// A snapshot (JSON) of what a JS promise rejected with: `__attempt` never rejects, so
    /// this names what broke should it ever.
    #[wasm_bindgen(js_name = __snapshot)]
    fn snapshot(err: &JsValue) -> String;
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
    let signal = user.map_or(JsValue::UNDEFINED, |s| s.0.clone().into());
    // The body crosses as bytes: one copy out of wasm memory. As a JS string it would cost a
    // UTF-8 decode here and an encode in `fetch`: measured ~10% of the CPU time of a 2,000-user
    // add (0.46 ms decoding its 140 KB of Korean-keyed JSON, 0.07 ms copying it). attempt.js
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
    .map_err(|e| AttemptError::Network(snapshot(&e)))?;
    let outcome: AttemptOutcome = outcome.unchecked_into();
    if let Some(status) = outcome.status() {
        return Ok(RawResponse {
            status,
            body: outcome.body().unwrap_or_default(),
            retry_after: outcome.retry_after(),
            headers: outcome.headers().unwrap_or_default(),
            cut: outcome
                .cut()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(|n| n as u64),
        });
    }
    if outcome.timed_out() == Some(true) {
        return Err(AttemptError::Timeout);
    }
    if outcome.aborted() == Some(true) {
        return Err(AttemptError::Aborted(outcome.reason()));
    }
    Err(AttemptError::Network(outcome.cause().unwrap_or_default()))
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
