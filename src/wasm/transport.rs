//! Calls `fetch` (the client's or the global one, looked up at call time), with a per-attempt
//! timeout through `AbortController`, the caller's `AbortSignal`, and abortable sleeps.
//!
//! No Rust closures are handed to JS: timers and listeners get bound JS functions
//! (`controller.abort`, a promise's `reject`), so nothing leaks or dangles after a call.

use super::convert::CallError;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What one attempt got back.
pub struct RawResponse {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
}

/// An attempt's failure before a status arrived (or while the body was read).
pub enum AttemptError {
    Network(JsValue),
    Timeout,
    Aborted(JsValue),
}

impl AttemptError {
    pub fn into_call_error(self, timeout_ms: u32) -> CallError {
        match self {
            AttemptError::Network(cause) => CallError::Network(cause),
            AttemptError::Timeout => CallError::Timeout { timeout_ms },
            AttemptError::Aborted(reason) => CallError::Aborted(reason),
        }
    }
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

/// The caller's signal, if it is one.
#[derive(Clone)]
pub struct Signal(JsValue);

impl Signal {
    pub fn from_js(v: JsValue) -> Option<Signal> {
        (v.is_object() && prop(&v, "aborted").as_bool().is_some()).then_some(Signal(v))
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

/// A pending promise and its `reject`, for racing work against an abort.
fn rejector() -> (Promise, JsValue) {
    let mut reject = JsValue::UNDEFINED;
    let p = Promise::new(&mut |_resolve, rej| reject = rej.into());
    (p, reject)
}

async fn race(work: JsValue, abort: &Promise) -> Result<JsValue, JsValue> {
    let both = Array::of2(&Promise::resolve(&work), abort);
    JsFuture::from(Promise::race(&both)).await
}

/// Cleans up one attempt's timer and listeners however the attempt ends.
struct AttemptGuard {
    timer: JsValue,
    user: Option<(Signal, JsValue)>,
    own_signal: JsValue,
    reject: JsValue,
}

impl Drop for AttemptGuard {
    fn drop(&mut self) {
        if let Some(clear) = global_fn("clearTimeout") {
            let _ = clear.call1(&JsValue::UNDEFINED, &self.timer);
        }
        if let Some((sig, f)) = &self.user {
            sig.unlisten(f);
        }
        let _ = call_method(
            &self.own_signal,
            "removeEventListener",
            &[&JsValue::from_str("abort"), &self.reject],
        );
    }
}

/// The fetch to use: the client's, else `globalThis.fetch` at call time.
pub fn resolve_fetch(own: Option<&Function>) -> Result<Function, CallError> {
    own.cloned().or_else(|| global_fn("fetch")).ok_or_else(|| {
        CallError::Validation(crate::core::error::ValidationError::new(
            "fetch",
            "fetch.missing",
            "no global fetch in this runtime: pass options.fetch",
        ))
    })
}

/// One HTTP exchange, bounded by `timeout_ms` (headers and body) and the caller's signal.
pub async fn send_once(
    fetch: &Function,
    url: &str,
    init: &Object,
    timeout_ms: u32,
    user: Option<&Signal>,
) -> Result<RawResponse, AttemptError> {
    if let Some(sig) = user.filter(|s| s.aborted()) {
        return Err(AttemptError::Aborted(sig.reason()));
    }
    let ctor: Function = prop(&js_sys::global(), "AbortController")
        .dyn_into()
        .map_err(|_| AttemptError::Network(JsValue::from_str("AbortController is missing")))?;
    let controller: JsValue =
        Reflect::construct(&ctor, &Array::new()).map_err(AttemptError::Network)?;
    let own_signal = prop(&controller, "signal");
    let abort: JsValue = prop(&controller, "abort")
        .dyn_into::<Function>()
        .map(|f| f.bind0(&controller).into())
        .map_err(AttemptError::Network)?;
    let (abort_promise, reject) = rejector();
    let _ = call_method(
        &own_signal,
        "addEventListener",
        &[&JsValue::from_str("abort"), &reject],
    );
    let timer = global_fn("setTimeout")
        .and_then(|st| {
            st.call2(&JsValue::UNDEFINED, &abort, &JsValue::from(timeout_ms))
                .ok()
        })
        .unwrap_or(JsValue::UNDEFINED);
    let user_link = user.map(|s| {
        s.listen(&abort);
        (s.clone(), abort.clone())
    });
    let _guard = AttemptGuard {
        timer,
        user: user_link,
        own_signal: own_signal.clone(),
        reject,
    };
    let _ = Reflect::set(init, &JsValue::from_str("signal"), &own_signal);

    let classify = |err: JsValue| -> AttemptError {
        if let Some(sig) = user.filter(|s| s.aborted()) {
            AttemptError::Aborted(sig.reason())
        } else if prop(&own_signal, "aborted").as_bool() == Some(true) {
            AttemptError::Timeout
        } else {
            AttemptError::Network(err)
        }
    };

    let started = fetch
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(url), init)
        .map_err(classify)?;
    let response = race(started, &abort_promise).await.map_err(classify)?;
    let status = prop(&response, "status")
        .as_f64()
        .filter(|s| (100.0..=599.0).contains(s))
        .map(|s| s as u16)
        .ok_or_else(|| {
            AttemptError::Network(JsValue::from_str(
                "fetch resolved to something that is not a Response (no numeric status)",
            ))
        })?;
    let headers = prop(&response, "headers");
    let retry_after = call_method(&headers, "get", &[&JsValue::from_str("retry-after")])
        .ok()
        .and_then(|v| v.as_string());
    let text = call_method(&response, "text", &[]).map_err(classify)?;
    let body = race(text, &abort_promise)
        .await
        .map_err(classify)?
        .as_string()
        .unwrap_or_default();
    Ok(RawResponse {
        status,
        body,
        retry_after,
    })
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
        (Err(e), None) => Err(CallError::Network(e)),
    }
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn random() -> f64 {
    js_sys::Math::random()
}
