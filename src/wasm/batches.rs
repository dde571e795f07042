//! The runner behind every split call (multi check by 200, add and delete by 2,000): up to
//! `concurrency` batches in flight, built one at a time as slots free up (so memory holds
//! only the batches in flight, and the next one: built while every slot waits for its answer,
//! so that a freed slot sends at once), each reported to `onBatch` as it settles, results
//! kept in input order.
//!
//! One rule for all three calls: when every batch succeeded the call resolves; when some
//! batches succeeded and others did not, it rejects with `BulkOperationError` carrying what
//! succeeded (`partial`, in the shape of the call's result) and each failed batch's ids and
//! error; when none succeeded it rejects with the first failed batch's own error, whatever the
//! input size. A failure that dooms every batch (a bad key, an unknown file, the quota) stops
//! new batches from starting: those are listed as failed, unsent, with that error. An abort
//! stops everything in flight; `stopSignal` stops gently: no new batch starts, those in flight
//! finish, and the unsent ones are listed as failed with the signal's reason.

use super::convert::CallError;
use super::runner::{Answer, Call, Inner};
use crate::api::customer_files::IdList;
use crate::core::error::redact;
use crate::core::json::{value_text, JsonObject};
use crate::core::request::HttpRequest;
use serde_json::Value;
use std::any::Any;
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
    pub(super) ids: IdList,
}

/// How a failed batch failed, for the `BulkOperationError` record.
pub(super) enum Failure {
    /// The error's message and record (JSON), redacted.
    Record(String, String),
    /// A signal aborted (or `stopSignal` stopped) it: the error is that signal's reason,
    /// `Outcome::reasons[i]` (a stopped call can meet the hard `signal` later: two reasons).
    Aborted(usize),
}

/// What a split call achieved.
pub(super) struct Outcome<T> {
    /// `(index, ids, result)` of each succeeded batch, in input order.
    pub(super) succeeded: Vec<(usize, IdList, T)>,
    /// `(index, ids, failure)` of each failed or unsent batch, in input order.
    pub(super) failed: Vec<(usize, IdList, Failure)>,
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

#[wasm_bindgen(module = "/pkg-template/on-batch.js")]
extern "C" {
    /// Calls the caller's `onBatch` with the settled batch (`event` JSON, a failure's record in
    /// it; `error` the abort reason, apart); returns a snapshot (JSON) of what it threw, if it threw. Never throws.
    #[wasm_bindgen(js_name = __onBatch)]
    fn on_batch_js(on_batch: &JsValue, event: &str, error: &JsValue) -> Option<String>;
}

/// Adds `entry` to `list` (kept in index order) where its index goes: the lists are short (a
/// batch each), and this links less code than sorting them at the end.
fn in_order<U>(list: &mut Vec<(usize, IdList, U)>, entry: (usize, IdList, U)) {
    let at = list.partition_point(|(i, _, _)| *i <= entry.0);
    list.insert(at, entry);
}

/// A batch's value or error, with the HTTP attempts it took.
type Settled<T> = Result<(T, u32), (CallError, u32)>;

type BatchFuture<'f, T> = Pin<Box<dyn Future<Output = (usize, Batch, Settled<T>)> + 'f>>;

/// A turn of the event loop (a `setTimeout` of 0).
type Idle = Pin<Box<dyn Future<Output = Result<(), CallError>>>>;

/// Resolves with the first of `futures` to finish, removing it (`Some(None)` when there are
/// none); or with `None` when `idle` resolves first.
struct FirstDone<'a, 'f, T> {
    futures: &'a mut Vec<BatchFuture<'f, T>>,
    idle: Option<Idle>,
}

impl<T> Future for FirstDone<'_, '_, T> {
    type Output = Option<Option<(usize, Batch, Settled<T>)>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let futures = &mut self.futures;
        if futures.is_empty() {
            return Poll::Ready(Some(None));
        }
        let ready = futures
            .iter_mut()
            .enumerate()
            .find_map(|(i, f)| match f.as_mut().poll(cx) {
                Poll::Ready(out) => Some((i, out)),
                Poll::Pending => None,
            });
        if let Some((i, out)) = ready {
            drop(futures.swap_remove(i));
            return Poll::Ready(Some(Some(out)));
        }
        match self.idle.as_mut().map(|idle| idle.as_mut().poll(cx)) {
            Some(Poll::Ready(_)) => Poll::Ready(None),
            _ => Poll::Pending,
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
    ///
    /// The closures are taken as `dyn` and the results boxed as `Any`: one copy of the state
    /// machine (`go_any`) in the wasm, not one per call site or result type.
    pub(super) async fn go<T: 'static>(
        &self,
        make: &mut dyn FnMut(usize) -> Result<Batch, CallError>,
        parse: &dyn Fn(usize, &Answer, &Batch) -> Result<T, CallError>,
        describe: &dyn Fn(&T) -> String,
        dooms: fn(&CallError) -> bool,
    ) -> Result<Outcome<T>, CallError> {
        let parse_any = |i: usize, answer: &Answer, batch: &Batch| {
            parse(i, answer, batch).map(|t| Box::new(t) as Box<dyn Any>)
        };
        let describe_any =
            |t: &Box<dyn Any>| t.downcast_ref::<T>().map(describe).unwrap_or_default();
        let Outcome {
            succeeded,
            failed,
            first,
            endpoint,
            attempts,
            reasons,
        } = self.go_any(make, &parse_any, &describe_any, dooms).await?;
        let mut typed = Vec::with_capacity(succeeded.len());
        for (i, ids, value) in succeeded {
            // Always a `T`: `parse_any` boxed it.
            if let Ok(value) = value.downcast::<T>() {
                typed.push((i, ids, *value));
            }
        }
        Ok(Outcome {
            succeeded: typed,
            failed,
            first,
            endpoint,
            attempts,
            reasons,
        })
    }

    #[allow(clippy::type_complexity)]
    async fn go_any(
        &self,
        make: &mut dyn FnMut(usize) -> Result<Batch, CallError>,
        parse: &dyn Fn(usize, &Answer, &Batch) -> Result<Box<dyn Any>, CallError>,
        describe: &dyn Fn(&Box<dyn Any>) -> String,
        dooms: fn(&CallError) -> bool,
    ) -> Result<Outcome<Box<dyn Any>>, CallError> {
        type T = Box<dyn Any>;
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
        // Batch `next`, built ahead while every slot waited.
        let mut ready: Option<Batch> = None;
        let mut stop: Option<Failure> = None;
        loop {
            if let Some(sig) = call.stop.as_ref().filter(|s| stop.is_none() && s.aborted()) {
                stop = Some(Failure::Aborted(outcome.reason(sig.reason())));
            }
            while stop.is_none() && next < self.count && in_flight.len() < call.concurrency {
                let batch = match ready.take() {
                    Some(batch) => batch,
                    None => make(next)?,
                };
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
            // Every slot busy: batch `next` is built after a turn of the event loop (the
            // requests just started go out first), unless an answer comes before.
            let ahead = ready.is_none() && stop.is_none() && next < self.count;
            let Some(settled) = (FirstDone {
                futures: &mut in_flight,
                idle: ahead.then(|| Box::pin(super::transport::sleep(0, None)) as Idle),
            })
            .await
            else {
                ready = Some(make(next)?);
                continue;
            };
            let Some((index, batch, result)) = settled else {
                break;
            };
            match result {
                Ok((value, attempts)) => {
                    outcome.attempts = outcome.attempts.saturating_add(attempts);
                    let result = describe(&value);
                    self.notify(index, &batch.ids, Ok(&result), &JsValue::UNDEFINED);
                    in_order(&mut outcome.succeeded, (index, batch.ids, value));
                }
                Err((e, attempts)) => {
                    outcome.attempts = outcome.attempts.saturating_add(attempts);
                    let reason = match &e {
                        CallError::Aborted(r) => r.clone(),
                        _ => JsValue::UNDEFINED,
                    };
                    let failure = match e.record(&call.secrets) {
                        Some((message, record)) => Failure::Record(message, record),
                        None => Failure::Aborted(outcome.reason(reason.clone())),
                    };
                    let record = match &failure {
                        Failure::Record(_, v) => Err(v.as_str()),
                        Failure::Aborted(_) => Err("null"),
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
                        if let Failure::Record(m, v) = &failure {
                            stop = Some(Failure::Record(m.clone(), v.clone()));
                        }
                    }
                    if outcome.first.as_ref().map_or(true, |(i, _)| index < *i) {
                        outcome.first = Some((index, e));
                    }
                    in_order(&mut outcome.failed, (index, batch.ids, failure));
                }
            }
        }
        // Batches never started because a failure doomed them (or the call was aborted).
        if let Some(failure) = stop {
            while next < self.count {
                let batch = match ready.take() {
                    Some(batch) => batch,
                    None => make(next)?,
                };
                let f = match &failure {
                    Failure::Record(m, v) => Failure::Record(m.clone(), v.clone()),
                    Failure::Aborted(r) => Failure::Aborted(*r),
                };
                in_order(&mut outcome.failed, (next, batch.ids, f));
                next = next.saturating_add(1);
            }
        }
        Ok(outcome)
    }

    /// `result`: the batch's result or error record, as JSON.
    fn notify(&self, index: usize, ids: &IdList, result: Result<&str, &str>, reason: &JsValue) {
        let Some(on_batch) = &self.call.on_batch else {
            return;
        };
        let ids = &ids.to_strings();
        // Keys in byte order, as `json!` wrote them.
        let event = match result {
            Ok(r) => JsonObject::new()
                .int("index", int(index))
                .raw("result", r)
                .strs("userIds", ids),
            Err(e) => JsonObject::new()
                .raw("error", e)
                .int("index", int(index))
                .strs("userIds", ids),
        };
        if let Some(thrown) = on_batch_js(on_batch, &event.finish(), reason) {
            // What it threw, redacted of the call's secrets (the user ids are the caller's own).
            let error = super::convert::redact_json(
                serde_json::from_str(&thrown).unwrap_or(Value::Null),
                &self.call.secrets,
            );
            self.inner.log_error(
                &format!("kakao-talk-channel: onBatch threw for batch {index}; the batch is reported in the call's result all the same"),
                JsonObject::new()
                    .raw("error", &value_text(&error))
                    .int("index", int(index))
                    .finish(),
            );
        }
    }
}

/// An index or a count as a JSON integer.
fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl<T> Outcome<T> {
    /// The call's result when every batch succeeded; else the error of the module doc's rule,
    /// `partial` being what the succeeded batches gave, in the shape of the call's result
    /// (`partial` and `batch_json` write JSON: `partial` redacted of `secrets` by the caller,
    /// the error's other strings here).
    pub(super) fn finish(
        self,
        total: usize,
        secrets: &[String],
        partial: impl FnOnce(&[(usize, IdList, T)]) -> String,
        batch_json: impl Fn(usize, usize, &T) -> String,
    ) -> Result<Vec<(usize, IdList, T)>, CallError> {
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
            secrets,
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
#[allow(clippy::too_many_arguments)]
fn bulk_error(
    total: usize,
    secrets: &[String],
    endpoint: String,
    attempts: u32,
    partial: String,
    succeeded: Vec<String>,
    failed: &[(usize, IdList, Failure)],
    reasons: &[JsValue],
) -> CallError {
    let lost: usize = failed.iter().map(|(_, ids, _)| ids.len()).sum();
    let first_message = match failed.first() {
        Some((_, _, Failure::Record(m, _))) => m.as_str(),
        Some((_, _, Failure::Aborted(_))) => "aborted",
        None => "",
    };
    let message = format!(
        "{} of {total} batches failed ({lost} users not processed); first error: {first_message}",
        failed.len()
    );
    // Keys in byte order, as `json!` wrote them; every string redacted, as the record's are.
    let failed: Vec<String> = failed
        .iter()
        .map(|(i, ids, f)| {
            let error = match f {
                Failure::Record(_, v) => v.clone(),
                Failure::Aborted(r) => JsonObject::new().int("$abort", int(*r)).finish(),
            };
            let ids: Vec<String> = ids.iter().map(|id| redact(id, secrets)).collect();
            JsonObject::new()
                .raw("error", &error)
                .int("index", int(*i))
                .strs("userIds", &ids)
                .finish()
        })
        .collect();
    let props = JsonObject::new()
        .int("attempts", attempts.into())
        .str("endpoint", &redact(&endpoint, secrets))
        .raws("failed", &failed)
        .raw("partial", &partial)
        .raws("succeeded", &succeeded)
        .finish();
    CallError::Bulk {
        message,
        props,
        reason: reasons.iter().collect::<js_sys::Array>().into(),
    }
}
