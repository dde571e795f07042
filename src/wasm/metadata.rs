//! Response metadata and the per-attempt hooks: what a call learns about its HTTP exchanges
//! beyond the data. `Record` collects each 2xx answer a call used (`execute` notes it);
//! `Record::json` makes the `$metadata` that client.js attaches, non-enumerable, to the result.
//! `Hooks` calls the caller's `onRequest` / `onResponse` once per attempt, never awaited: a
//! hook that throws or rejects is logged at `error` and the call goes on. Every string either
//! gets is redacted of the call's secrets, headers included (Kakao may echo a key).

use super::convert::{redact_json, CallError, Handles};
use super::logger::Log;
use crate::api::packed::Val;
use crate::core::error::ValidationError;
use crate::core::log::LogLevel;
use serde_json::{json, Map, Value};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

/// Response headers that name a request, looked for in this order. Kakao's REST doc names no
/// such header; these are the usual ones of gateways and proxies in front of an API.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-correlation-id",
];

/// One 2xx answer a call used: `index`, its batch in a split call.
struct Facts {
    index: Option<usize>,
    endpoint: String,
    status: u16,
    /// The response headers as JSON (not yet redacted).
    headers: String,
    attempts: u32,
    started: i64,
    ended: i64,
}

/// What one call learnt of its answers, for `$metadata`.
#[derive(Default)]
pub(super) struct Record {
    facts: RefCell<Vec<Facts>>,
    /// Whether the call splits its input into batches (set when its options are read).
    pub(super) split: Cell<bool>,
}

/// The headers JSON as an object, redacted, and the request id found in it.
fn headers_of(raw: &str, secrets: &[String]) -> (Value, Value) {
    let headers = match serde_json::from_str::<Value>(raw) {
        Ok(v @ Value::Object(_)) => redact_json(v, secrets),
        _ => Value::Object(Map::new()),
    };
    let id = REQUEST_ID_HEADERS
        .iter()
        .find_map(|h| headers.get(*h).and_then(Value::as_str))
        .map_or(Value::Null, |s| Value::String(s.to_owned()));
    (headers, id)
}

impl Record {
    /// Notes a 2xx answer reached after `attempts` attempts, the first started at `started`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn note(
        &self,
        index: Option<usize>,
        endpoint: &str,
        status: u16,
        headers: String,
        attempts: u32,
        started: i64,
        ended: i64,
    ) {
        self.facts.borrow_mut().push(Facts {
            index,
            endpoint: endpoint.to_owned(),
            status,
            headers,
            attempts,
            started,
            ended,
        });
    }

    /// The `$metadata` JSON: `{ endpoint, status, requestId, headers, attempts, durationMs }`
    /// for a single request; for a split call `{ endpoint, attempts, durationMs, batches }`,
    /// each batch's own in batch order, the totals over all (`durationMs` from the first
    /// request sent to the last answer). `None` when no answer was noted by a single call.
    pub(super) fn json(&self, secrets: &[String]) -> Option<String> {
        let split = self.split.get();
        let mut facts = self.facts.borrow_mut();
        facts.sort_by_key(|f| f.index);
        let one = |f: &Facts| {
            let (headers, request_id) = headers_of(&f.headers, secrets);
            let mut m = Map::new();
            if let Some(i) = f.index {
                m.insert("index".into(), json!(i));
            }
            m.insert("endpoint".into(), Value::String(f.endpoint.clone()));
            m.insert("status".into(), json!(f.status));
            m.insert("requestId".into(), request_id);
            m.insert("headers".into(), headers);
            m.insert("attempts".into(), json!(f.attempts));
            m.insert(
                "durationMs".into(),
                json!(f.ended.saturating_sub(f.started)),
            );
            Value::Object(m)
        };
        let value = if split {
            let started = facts.iter().map(|f| f.started).min().unwrap_or(0);
            let ended = facts.iter().map(|f| f.ended).max().unwrap_or(0);
            json!({
                "endpoint": facts.first().map(|f| f.endpoint.as_str()).unwrap_or_default(),
                "attempts": facts.iter().map(|f| f.attempts).sum::<u32>(),
                "durationMs": ended.saturating_sub(started),
                "batches": facts.iter().map(one).collect::<Vec<_>>(),
            })
        } else {
            one(facts.last()?)
        };
        Some(value.to_string())
    }
}

#[wasm_bindgen(module = "/pkg-template/marshal.js")]
extern "C" {
    /// Calls a hook with the info (JSON; for `onResponse` with a failed attempt, `error` made
    /// from the record, or the abort `reason`). Never throws: returns a snapshot (JSON) of
    /// what it threw, if it threw; a rejection of the promise it returned goes to
    /// `report(name, snapshot)` whenever it comes.
    #[wasm_bindgen(js_name = __hook)]
    fn hook_js(
        hook: &JsValue,
        info: &str,
        record: Option<String>,
        reason: &JsValue,
        report: &JsValue,
        name: &str,
    ) -> Option<String>;
}

/// The `onRequest` / `onResponse` hooks of a client or of a call.
#[derive(Default, Clone)]
pub(super) struct Hooks {
    pub(super) on_request: Option<JsValue>,
    pub(super) on_response: Option<JsValue>,
}

/// An option that is a function, if given.
fn function(
    o: &Val,
    key: &str,
    field: &str,
    handles: &Handles,
) -> Result<Option<JsValue>, ValidationError> {
    match o.get(key) {
        Val::Undefined => Ok(None),
        v @ Val::Handle('f', _) => Ok(handles.get(v)),
        other => Err(ValidationError::new(
            field,
            "params.type",
            format!("must be a function; got {}", other.type_name()),
        )),
    }
}

impl Hooks {
    /// `onRequest` and `onResponse` of the options `o`; `prefix`, where the options are
    /// (`""` for the client's, `"options."` for a call's).
    pub(super) fn parse(
        o: &Val,
        prefix: &str,
        handles: &Handles,
    ) -> Result<Hooks, ValidationError> {
        Ok(Hooks {
            on_request: function(o, "onRequest", &format!("{prefix}onRequest"), handles)?,
            on_response: function(o, "onResponse", &format!("{prefix}onResponse"), handles)?,
        })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.on_request.is_none() && self.on_response.is_none()
    }
}

/// One attempt, for the hooks of a client and of a call.
pub(super) struct Attempt<'a> {
    hooks: [&'a Hooks; 2],
    log: &'a Log,
    report: &'a Reporter,
    secrets: &'a [String],
    /// `{ endpoint, method, url, attempt }`.
    base: Value,
}

impl<'a> Attempt<'a> {
    /// The attempt numbered `attempt` (from 1), or `None` when neither the client nor the
    /// call has a hook (then nothing is built).
    pub(super) fn new(
        hooks: [&'a Hooks; 2],
        log: &'a Log,
        report: &'a Reporter,
        secrets: &'a [String],
        endpoint: &str,
        url: &str,
        attempt: u32,
    ) -> Option<Attempt<'a>> {
        if hooks.iter().all(|h| h.is_empty()) {
            return None;
        }
        let method = endpoint.split(' ').next().unwrap_or_default();
        Some(Attempt {
            hooks,
            log,
            report,
            secrets,
            base: json!({ "endpoint": endpoint, "method": method, "url": url, "attempt": attempt }),
        })
    }

    /// Calls `onRequest` of the client, then of the call.
    pub(super) fn request(&self) {
        if self.hooks.iter().any(|h| h.on_request.is_some()) {
            let info = redact_json(self.base.clone(), self.secrets).to_string();
            for h in self.hooks.iter().filter_map(|h| h.on_request.as_ref()) {
                self.call(h, "onRequest", &info, None, &JsValue::UNDEFINED);
            }
        }
    }

    /// Calls `onResponse` of the client, then of the call, for an attempt that got a 2xx.
    pub(super) fn answered(&self, status: u16, headers: &str, duration_ms: i64) {
        self.response(
            Some((status, headers)),
            duration_ms,
            None,
            None,
            &JsValue::UNDEFINED,
        );
    }

    /// Calls `onResponse` of the client, then of the call, for an attempt that failed with
    /// `error` (an HTTP status, a timeout, a network error, an abort).
    pub(super) fn failed(&self, error: &CallError, duration_ms: i64, retry_in_ms: Option<u64>) {
        let (status, headers) = match error {
            CallError::Api(e, ctx) => (Some(e.status), ctx.headers.as_deref()),
            CallError::Response(e, ctx) => (Some(e.status), ctx.headers.as_deref()),
            _ => (None, None),
        };
        let reason = match error {
            CallError::Aborted(r) => r.clone(),
            _ => JsValue::UNDEFINED,
        };
        let answer = status.map(|s| (s, headers.unwrap_or("{}")));
        self.response(
            answer,
            duration_ms,
            retry_in_ms,
            Some(error.record(self.secrets)),
            &reason,
        );
    }

    /// `error`: `None` for a 2xx; `Some(record)` for a failure (`Some(None)`: an abort, whose
    /// `reason` is the error).
    fn response(
        &self,
        answer: Option<(u16, &str)>,
        duration_ms: i64,
        retry_in_ms: Option<u64>,
        error: Option<Option<Value>>,
        reason: &JsValue,
    ) {
        if self.hooks.iter().all(|h| h.on_response.is_none()) {
            return;
        }
        let mut info = self.base.clone();
        let (headers, request_id) = match answer {
            Some((_, raw)) => headers_of(raw, self.secrets),
            None => (Value::Object(Map::new()), Value::Null),
        };
        if let Value::Object(m) = &mut info {
            m.insert(
                "status".into(),
                answer.map_or(Value::Null, |(s, _)| json!(s)),
            );
            m.insert("requestId".into(), request_id);
            m.insert("headers".into(), headers);
            m.insert("durationMs".into(), json!(duration_ms));
            m.insert("retryInMs".into(), json!(retry_in_ms));
        }
        let info = redact_json(info, self.secrets).to_string();
        // "" marks an abort for marshal.js: the error is `reason` itself.
        let record = error.map(|e| e.map_or_else(String::new, |v| v.to_string()));
        for h in self.hooks.iter().filter_map(|h| h.on_response.as_ref()) {
            self.call(h, "onResponse", &info, record.clone(), reason);
        }
    }

    fn call(
        &self,
        hook: &JsValue,
        name: &str,
        info: &str,
        record: Option<String>,
        reason: &JsValue,
    ) {
        let report = self.report.0.as_ref();
        if let Some(thrown) = hook_js(hook, info, record, reason, report, name) {
            report_error(self.log, name, &thrown, self.secrets);
        }
    }
}

/// The function a hook's rejected promise reports to, `(name, snapshot JSON)`: one per client,
/// dropped with it (a rejection after that is not logged). It logs like a throw, redacted of
/// the client's keys (a call's access token is no longer at hand then).
pub(super) struct Reporter(Closure<dyn Fn(String, String)>);

impl Reporter {
    pub(super) fn new(log: &Log, secrets: Vec<String>) -> Reporter {
        let log = log.clone();
        Reporter(Closure::new(move |name: String, thrown: String| {
            report_error(&log, &name, &thrown, &secrets);
        }))
    }
}

/// Logs at `error` what a hook threw or rejected with (a snapshot, redacted).
fn report_error(log: &Log, name: &str, thrown: &str, secrets: &[String]) {
    let error = redact_json(serde_json::from_str(thrown).unwrap_or(Value::Null), secrets);
    log.line(LogLevel::Error, || {
        (
            format!("kakao-talk-channel: {name} threw; the call goes on all the same"),
            json!({ "hook": name, "error": error }),
        )
    });
}
