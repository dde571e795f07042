//! Response metadata and the per-attempt hooks: what a call learns about its HTTP exchanges
//! beyond the data. `Record` collects each 2xx answer a call used (`execute` notes it);
//! `Record::json` makes the `$metadata` that client.js attaches, non-enumerable, to the result.
//! `Hooks` calls the caller's `onRequest` / `onResponse` once per attempt, never awaited: a
//! hook that throws or rejects is logged at `error` and the call goes on. Every string either
//! gets is redacted of the call's secrets, headers included (Kakao may echo a key).

use super::convert::{redact_json, CallError};
use super::handles::Handles;
use super::logger::Log;
use crate::api::options::HookHandles;
use crate::core::error::redact;
use crate::core::json::{value_text, JsonObject};
use crate::core::log::LogLevel;
use crate::core::request::request_id;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

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

/// The headers JSON as an object (JSON text), redacted, and the request id found in it.
fn headers_of(raw: &str, secrets: &[String]) -> (String, Option<String>) {
    let headers = match serde_json::from_str::<Value>(raw) {
        Ok(v @ Value::Object(_)) => redact_json(v, secrets),
        _ => return ("{}".to_owned(), None),
    };
    let id = request_id(|h| headers.get(h).and_then(Value::as_str)).map(str::to_owned);
    (value_text(&headers), id)
}

/// A count or a duration as a JSON integer.
fn int(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
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
        // Kept in batch order (`None`, a single request's, in the order noted): the list is
        // short, and this links less code than a sort.
        let mut facts = self.facts.borrow_mut();
        let at = facts.partition_point(|f| f.index <= index);
        facts.insert(
            at,
            Facts {
                index,
                endpoint: endpoint.to_owned(),
                status,
                headers,
                attempts,
                started,
                ended,
            },
        );
    }

    /// The `$metadata` JSON: `{ endpoint, status, requestId, headers, attempts, durationMs }`
    /// for a single request; for a split call `{ endpoint, attempts, durationMs, batches }`,
    /// each batch's own in batch order, the totals over all (`durationMs` from the first
    /// request sent to the last answer). `None` when no answer was noted by a single call.
    pub(super) fn json(&self, secrets: &[String]) -> Option<String> {
        let split = self.split.get();
        let facts = self.facts.borrow();
        // Keys in byte order, as `json!` wrote them.
        let one = |f: &Facts| {
            let (headers, request_id) = headers_of(&f.headers, secrets);
            let o = JsonObject::new()
                .int("attempts", f.attempts.into())
                .int("durationMs", f.ended.saturating_sub(f.started))
                .str("endpoint", &f.endpoint)
                .raw("headers", &headers);
            let o = match f.index {
                Some(i) => o.int("index", int(i)),
                None => o,
            };
            o.opt_str("requestId", request_id.as_deref())
                .int("status", f.status.into())
                .finish()
        };
        Some(if split {
            let started = facts.iter().map(|f| f.started).min().unwrap_or(0);
            let ended = facts.iter().map(|f| f.ended).max().unwrap_or(0);
            let batches: Vec<String> = facts.iter().map(one).collect();
            JsonObject::new()
                .int(
                    "attempts",
                    facts.iter().map(|f| f.attempts).sum::<u32>().into(),
                )
                .raws("batches", &batches)
                .int("durationMs", ended.saturating_sub(started))
                .str(
                    "endpoint",
                    facts
                        .first()
                        .map(|f| f.endpoint.as_str())
                        .unwrap_or_default(),
                )
                .finish()
        } else {
            one(facts.last()?)
        })
    }
}

#[wasm_bindgen(module = "/pkg-template/hooks.js")]
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

impl Hooks {
    /// The hooks the options named, looked up in `handles`.
    pub(super) fn new(named: HookHandles, handles: &Handles) -> Hooks {
        Hooks {
            on_request: named.on_request.map(|i| handles.value(i)),
            on_response: named.on_response.map(|i| handles.value(i)),
        }
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
    /// `endpoint`, `method`, `url`, redacted.
    endpoint: String,
    method: String,
    url: String,
    attempt: u32,
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
            endpoint: redact(endpoint, secrets),
            method: redact(method, secrets),
            url: redact(url, secrets),
            attempt,
        })
    }

    /// The info's first keys (`attempt`, `endpoint`), in byte order as `json!` wrote them; the
    /// caller adds the others, `method` and `url` last.
    fn info(&self) -> JsonObject {
        JsonObject::new()
            .int("attempt", self.attempt.into())
            .str("endpoint", &self.endpoint)
    }

    /// Calls `onRequest` of the client, then of the call.
    pub(super) fn request(&self) {
        if self.hooks.iter().any(|h| h.on_request.is_some()) {
            let info = self
                .info()
                .str("method", &self.method)
                .str("url", &self.url)
                .finish();
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
            Some(error.record(self.secrets).map(|(_, record)| record)),
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
        error: Option<Option<String>>,
        reason: &JsValue,
    ) {
        if self.hooks.iter().all(|h| h.on_response.is_none()) {
            return;
        }
        let (headers, request_id) = match answer {
            Some((_, raw)) => headers_of(raw, self.secrets),
            None => ("{}".to_owned(), None),
        };
        let info = self
            .info()
            .int("durationMs", duration_ms)
            .raw("headers", &headers)
            .str("method", &self.method)
            .opt_str("requestId", request_id.as_deref())
            .opt_uint("retryInMs", retry_in_ms)
            .opt_int("status", answer.map(|(s, _)| s.into()))
            .str("url", &self.url)
            .finish();
        // "" marks an abort for hooks.js: the error is `reason` itself.
        let record = error.map(Option::unwrap_or_default);
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
            JsonObject::new()
                .raw("error", &value_text(&error))
                .str("hook", name)
                .finish(),
        )
    });
}
