//! The runner behind every split call (multi check by 200, add and delete by 2,000): up to
//! `concurrency` batches in flight, built one at a time as slots free up (so memory holds
//! only the batches in flight), each reported to `onBatch` as it settles, results kept in
//! input order.
//!
//! One rule for all three calls: when every batch succeeded the call resolves; when some
//! batches succeeded and others did not, it rejects with `BulkOperationError` carrying what
//! succeeded (`partial`, in the shape of the call's result) and each failed batch's ids and
//! error; when none succeeded it rejects with the first failed batch's own error, whatever the
//! input size. A failure that dooms every batch (a bad key, an unknown file, the quota) stops
//! new batches from starting: those are listed as failed, unsent, with that error. An abort
//! stops everything in flight; `stopSignal` stops gently: no new batch starts, those in flight
//! finish, and the unsent ones are listed as failed with the signal's reason.

use super::client::{Answer, Call, Inner};
use super::convert::CallError;
use crate::core::request::HttpRequest;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;

/// Whether `e` dooms every later batch of a split call (a bad key, an unknown file or channel,
/// the quota: `api::customer_files::fails_every_batch`).
pub(super) fn dooms(e: &CallError) -> bool {
    matches!(e, CallError::Api(api, _) if crate::api::customer_files::fails_every_batch(api))
}

/// One request of a split call and the ids it carries.
pub(super) struct Batch {
    pub(super) request: HttpRequest,
    pub(super) ids: Vec<String>,
}

/// How a failed batch failed, for the `BulkOperationError` record.
pub(super) enum Failure {
    Record(Value),
    /// A signal aborted (or `stopSignal` stopped) it: the error is that signal's reason,
    /// `Outcome::reasons[i]` (a stopped call can meet the hard `signal` later: two reasons).
    Aborted(usize),
}

/// What a split call achieved.
pub(super) struct Outcome<T> {
    /// `(index, ids, result)` of each succeeded batch, in input order.
    pub(super) succeeded: Vec<(usize, Vec<String>, T)>,
    /// `(index, ids, failure)` of each failed or unsent batch, in input order.
    pub(super) failed: Vec<(usize, Vec<String>, Failure)>,
    /// The failure of the lowest-indexed failed batch, as the error it was.
    pub(super) first: Option<(usize, CallError)>,
    /// The endpoint of the batches (`"POST /v1/talkchannel/update/target_users"`).
    pub(super) endpoint: String,
    /// HTTP attempts made by every batch, retries included.
    pub(super) attempts: u32,
    /// The abort reasons the `Failure::Aborted` batches carry, in the order met.
    pub(super) reasons: Vec<JsValue>,
}

impl<T> Outcome<T> {
    /// The index of `reason` in `reasons`, added if new.
    fn reason(&mut self, reason: JsValue) -> usize {
        match self.reasons.iter().position(|r| *r == reason) {
            Some(i) => i,
            None => {
                self.reasons.push(reason);
                self.reasons.len().saturating_sub(1)
            }
        }
    }
}

#[wasm_bindgen(module = "/pkg-template/marshal.js")]
extern "C" {
    /// Calls the caller's `onBatch` with the settled batch (`[record JSON, abort reason]` for
    /// a failure); returns a snapshot (JSON) of what it threw, if it threw. Never throws.
    #[wasm_bindgen(js_name = __onBatch)]
    fn on_batch_js(on_batch: &JsValue, event: &str, error: &JsValue) -> Option<String>;
}

/// A batch's value or error, with the HTTP attempts it took.
type Settled<T> = Result<(T, u32), (CallError, u32)>;

type BatchFuture<'f, T> = Pin<Box<dyn Future<Output = (usize, Batch, Settled<T>)> + 'f>>;

/// Resolves with the first of `futures` to finish, removing it.
struct FirstDone<'a, 'f, T> {
    futures: &'a mut Vec<BatchFuture<'f, T>>,
}

impl<T> Future for FirstDone<'_, '_, T> {
    type Output = Option<(usize, Batch, Settled<T>)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let futures = &mut self.futures;
        if futures.is_empty() {
            return Poll::Ready(None);
        }
        let ready = futures
            .iter_mut()
            .enumerate()
            .find_map(|(i, f)| match f.as_mut().poll(cx) {
                Poll::Ready(out) => Some((i, out)),
                Poll::Pending => None,
            });
        match ready {
            Some((i, out)) => {
                drop(futures.swap_remove(i));
                Poll::Ready(Some(out))
            }
            None => Poll::Pending,
        }
    }
}

/// Settings of one split call.
pub(super) struct Run<'a> {
    pub(super) inner: &'a Inner,
    pub(super) call: &'a Call,
    pub(super) count: usize,
}

impl Run<'_> {
    /// Runs `count` batches: `make(i)` builds batch `i` when a slot is free, `parse(i, ..)` reads
    /// its answer, `describe` gives its result for `onBatch`; `dooms` says whether a failure
    /// stops every later batch.
    pub(super) async fn go<T, M, P, D, X>(
        &self,
        mut make: M,
        parse: P,
        describe: D,
        dooms: X,
    ) -> Result<Outcome<T>, CallError>
    where
        M: FnMut(usize) -> Result<Batch, CallError>,
        P: Fn(usize, &Answer, &Batch) -> Result<T, CallError> + Copy,
        D: Fn(&T) -> Value,
        X: Fn(&CallError) -> bool,
    {
        let (inner, call) = (self.inner, self.call);
        let mut outcome = Outcome {
            succeeded: Vec::new(),
            failed: Vec::new(),
            first: None,
            endpoint: String::new(),
            attempts: 0,
            reasons: Vec::new(),
        };
        let mut in_flight: Vec<BatchFuture<'_, T>> = Vec::new();
        let mut next = 0usize;
        let mut stop: Option<Failure> = None;
        loop {
            if let Some(sig) = call.stop.as_ref().filter(|s| stop.is_none() && s.aborted()) {
                stop = Some(Failure::Aborted(outcome.reason(sig.reason())));
            }
            while stop.is_none() && next < self.count && in_flight.len() < call.concurrency {
                let batch = make(next)?;
                if outcome.endpoint.is_empty() {
                    outcome.endpoint = batch.request.endpoint();
                }
                let index = next;
                in_flight.push(Box::pin(async move {
                    let result = match inner.execute_at(&batch.request, call, Some(index)).await {
                        Ok(answer) => match parse(index, &answer, &batch) {
                            Ok(value) => Ok((value, answer.ctx.attempts)),
                            Err(e) => Err((e, answer.ctx.attempts)),
                        },
                        Err(e) => {
                            let attempts = e.attempts();
                            Err((e, attempts))
                        }
                    };
                    (index, batch, result)
                }));
                next = next.saturating_add(1);
            }
            let Some((index, batch, result)) = (FirstDone {
                futures: &mut in_flight,
            })
            .await
            else {
                break;
            };
            match result {
                Ok((value, attempts)) => {
                    outcome.attempts = outcome.attempts.saturating_add(attempts);
                    self.notify(index, &batch.ids, Ok(describe(&value)), &JsValue::UNDEFINED);
                    outcome.succeeded.push((index, batch.ids, value));
                }
                Err((e, attempts)) => {
                    outcome.attempts = outcome.attempts.saturating_add(attempts);
                    let reason = match &e {
                        CallError::Aborted(r) => r.clone(),
                        _ => JsValue::UNDEFINED,
                    };
                    let failure = match e.record(&call.secrets) {
                        Some(v) => Failure::Record(v),
                        None => Failure::Aborted(outcome.reason(reason.clone())),
                    };
                    let record = match &failure {
                        Failure::Record(v) => Err(v.clone()),
                        Failure::Aborted(_) => Err(Value::Null),
                    };
                    self.notify(index, &batch.ids, record, &reason);
                    if let Failure::Aborted(r) = failure {
                        // Batches not yet sent carry the reason that stopped them first: a
                        // `stopSignal` that fired while this batch was in flight keeps its
                        // reason for them when the hard `signal` fires later.
                        if let Some(sig) =
                            call.stop.as_ref().filter(|s| stop.is_none() && s.aborted())
                        {
                            stop = Some(Failure::Aborted(outcome.reason(sig.reason())));
                        }
                        if stop.is_none() {
                            stop = Some(Failure::Aborted(r));
                        }
                    } else if dooms(&e) {
                        if let Failure::Record(v) = &failure {
                            stop = Some(Failure::Record(v.clone()));
                        }
                    }
                    if outcome.first.as_ref().map_or(true, |(i, _)| index < *i) {
                        outcome.first = Some((index, e));
                    }
                    outcome.failed.push((index, batch.ids, failure));
                }
            }
        }
        // Batches never started because a failure doomed them (or the call was aborted).
        if let Some(failure) = stop {
            while next < self.count {
                let batch = make(next)?;
                let f = match &failure {
                    Failure::Record(v) => Failure::Record(v.clone()),
                    Failure::Aborted(r) => Failure::Aborted(*r),
                };
                outcome.failed.push((next, batch.ids, f));
                next = next.saturating_add(1);
            }
        }
        // Indices are unique: an unstable sort gives the same order, in less code.
        outcome.succeeded.sort_unstable_by_key(|(i, _, _)| *i);
        outcome.failed.sort_unstable_by_key(|(i, _, _)| *i);
        Ok(outcome)
    }

    fn notify(&self, index: usize, ids: &[String], result: Result<Value, Value>, reason: &JsValue) {
        let Some(on_batch) = &self.call.on_batch else {
            return;
        };
        let event = match result {
            Ok(r) => json!({ "index": index, "userIds": ids, "result": r }),
            Err(e) => json!({ "index": index, "userIds": ids, "error": e }),
        };
        if let Some(thrown) = on_batch_js(on_batch, &event.to_string(), reason) {
            // What it threw, redacted of the call's secrets (the user ids are the caller's own).
            let error = super::convert::redact_json(
                serde_json::from_str(&thrown).unwrap_or(Value::Null),
                &self.call.secrets,
            );
            self.inner.log_error(
                &format!("kakao-talk-channel: onBatch threw for batch {index}; the batch is reported in the call's result all the same"),
                json!({ "index": index, "error": error }),
            );
        }
    }
}

impl<T> Outcome<T> {
    /// The call's result when every batch succeeded; else the error of the module doc's rule,
    /// `partial` being what the succeeded batches gave, in the shape of the call's result.
    pub(super) fn finish(
        self,
        total: usize,
        partial: impl FnOnce(&[(usize, Vec<String>, T)]) -> Value,
        batch_json: impl Fn(usize, usize, &T) -> Value,
    ) -> Result<Vec<(usize, Vec<String>, T)>, CallError> {
        if self.failed.is_empty() {
            return Ok(self.succeeded);
        }
        if self.succeeded.is_empty() {
            return Err(match self.first {
                Some((_, e)) => e,
                // Stopped before any batch was sent: the reason, as for an abort.
                None => CallError::Aborted(
                    self.reasons
                        .into_iter()
                        .next()
                        .unwrap_or(JsValue::UNDEFINED),
                ),
            });
        }
        let succeeded = self
            .succeeded
            .iter()
            .map(|(i, ids, t)| batch_json(*i, ids.len(), t))
            .collect();
        Err(bulk_error(
            total,
            self.endpoint,
            self.attempts,
            partial(&self.succeeded),
            succeeded,
            &self.failed,
            &self.reasons,
        ))
    }
}

/// The `BulkOperationError` of a split call some of whose batches failed. Not generic over the
/// call's result type (`partial` and `succeeded` come as JSON): one copy in the wasm, not one
/// per call.
fn bulk_error(
    total: usize,
    endpoint: String,
    attempts: u32,
    partial: Value,
    succeeded: Vec<Value>,
    failed: &[(usize, Vec<String>, Failure)],
    reasons: &[JsValue],
) -> CallError {
    let lost: usize = failed.iter().map(|(_, ids, _)| ids.len()).sum();
    let first_message = failed
        .iter()
        .find_map(|(_, _, f)| match f {
            Failure::Record(v) => v.get("message").and_then(Value::as_str).map(str::to_owned),
            Failure::Aborted(_) => Some("aborted".to_owned()),
        })
        .unwrap_or_default();
    let message = format!(
        "{} of {total} batches failed ({lost} users not processed); first error: {first_message}",
        failed.len()
    );
    let props = json!({
        "endpoint": endpoint,
        "attempts": attempts,
        "partial": partial,
        "succeeded": succeeded,
        "failed": failed.iter().map(|(i, ids, f)| json!({
            "index": i,
            "userIds": ids,
            "error": match f { Failure::Record(v) => v.clone(), Failure::Aborted(r) => json!({ "$abort": r }) },
        })).collect::<Vec<_>>(),
    });
    CallError::Bulk {
        message,
        props,
        reason: reasons.iter().collect::<js_sys::Array>().into(),
    }
}
