//! The types every call runs on (`Inner`, the client's settings; `Call`, one call's; `Args`,
//! its packed arguments; `Answer`, a 2xx) and the attempt loop of one request, in the steps of
//! ureq's `run.rs` over its sans-IO protocol: `route` (where and with which key), `send_request`
//! (the hooks, the exchange), `recv_response` (the answer judged by `core::retry::judge`),
//! `accept` (a 2xx noted and logged), `handle_failure` (the retry decision of `core::retry`,
//! logged); then sleep and go again. The rules are `core::retry`'s: here the loop sends,
//! sleeps and logs. Imported by the endpoint modules and `client.rs`; imports neither.

use super::convert::{CallError, Ctx};
use super::handles::Handles;
use super::logger::Log;
use super::metadata::{Attempt, Hooks, Record, Reporter};
use super::transport::{self, AttemptError, RawResponse, Signal};
use crate::api::input;
use crate::api::packed::Val;
use crate::core::error::{redact, ResponseError, ValidationError};
use crate::core::json::JsonObject;
use crate::core::log::{path_only, LogLevel};
use crate::core::request::{Credentials, HttpRequest};
use crate::core::retry::{self, Failure, Verdict};
use crate::core::text::join3;
use js_sys::{Array, Function};
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub(super) struct Inner {
    pub(super) credentials: Credentials,
    pub(super) base_url: String,
    pub(super) fetch: Option<Function>,
    pub(super) timeout_ms: u32,
    pub(super) max_retries: u32,
    pub(super) concurrency: u32,
    /// The `logger` option, and the level it logs up to.
    pub(super) log: Log,
    /// `onRequest` / `onResponse`, called for every attempt of every call.
    pub(super) hooks: Hooks,
    /// Where a hook's rejection is logged.
    pub(super) report: Reporter,
}

/// Per-call settings after `RequestOptions`.
pub(super) struct Call {
    pub(super) signal: Option<Signal>,
    pub(super) timeout_ms: u32,
    pub(super) max_retries: u32,
    /// Batches of a split call in flight at once.
    pub(super) concurrency: usize,
    /// The caller's `onBatch(event)`, told of each batch of a split call as it settles.
    pub(super) on_batch: Option<JsValue>,
    /// Once aborted, no new batch of a split call starts; those in flight finish.
    pub(super) stop: Option<Signal>,
    /// Secrets of this call: the client's keys and the call's access token.
    pub(super) secrets: Rc<Vec<String>>,
    /// The call's own `onRequest` / `onResponse`, called after the client's.
    pub(super) hooks: Hooks,
    /// The answers used, for the result's `$metadata`.
    pub(super) record: Rc<Record>,
}

/// A 2xx answer and how it was reached.
pub(super) struct Answer {
    pub(super) body: String,
    pub(super) ctx: Ctx,
}

impl Answer {
    /// `e`, a body that contradicts Kakao's doc, with this answer's context.
    pub(super) fn bad(&self, e: ResponseError) -> CallError {
        CallError::Response(e, self.ctx.clone())
    }
}

/// The arguments of one call, as JS packed them.
pub(super) struct Args<'a> {
    pub(super) values: Vec<Val<'a>>,
    pub(super) handles: Handles,
    /// The users of an add call, packed apart in chunks.
    pub(super) chunks: Option<Array>,
    /// The answers the call used, for its result's `$metadata`.
    pub(super) record: Rc<Record>,
    /// Secrets of this call: the client's keys and the params' `accessToken`, if a string.
    pub(super) secrets: Rc<Vec<String>>,
}

impl<'a> Args<'a> {
    pub(super) fn params(&self) -> &Val<'a> {
        self.values.first().unwrap_or(&Val::Undefined)
    }

    pub(super) fn options(&self) -> &Val<'a> {
        self.values.get(1).unwrap_or(&Val::Undefined)
    }

    /// The params: an object whose keys are all in `keys` (it is required).
    pub(super) fn params_with(&self, keys: &[&str]) -> Result<&Val<'a>, ValidationError> {
        Ok(
            input::object_with_keys(self.params(), "params", keys, false)?
                .unwrap_or(&Val::Undefined),
        )
    }
}

/// Where the attempts of one request go, worked out once before the first.
struct Route<'r> {
    req: &'r HttpRequest,
    fetch: Function,
    url: String,
    /// `"GET /v2/api/talk/channels"`.
    endpoint: String,
    authorization: String,
}

impl Route<'_> {
    fn method(&self) -> &'static str {
        self.req.method.as_str()
    }

    fn path(&self) -> &str {
        path_only(&self.req.path_and_query)
    }
}

/// One attempt as sent: what came back, when it started, how long it took.
struct Sent {
    outcome: Result<RawResponse, AttemptError>,
    started: i64,
    duration: i64,
}

/// When a call's answer came: the first attempt's start, this one's end and duration.
struct Times {
    first_started: i64,
    ended: i64,
    duration: i64,
}

/// A failed attempt, before the retry decision.
struct Failed {
    failure: Failure,
    error: CallError,
    retry_after: Option<String>,
    /// The answer's status, when Kakao answered.
    status: Option<u16>,
    duration: i64,
}

/// How an attempt ended.
enum Received {
    /// A 2xx read whole.
    Answer(RawResponse),
    /// The caller's signal aborted it: never retried.
    Aborted(CallError),
    Failed(Failed),
}

impl Inner {
    /// Every key this client holds, for redaction.
    pub(super) fn secrets(&self) -> Vec<String> {
        self.credentials
            .secrets()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Logs `message` with `data` at `error`.
    pub(super) fn log_error(&self, message: &str, data: String) {
        self.log(LogLevel::Error, || (message.to_owned(), data));
    }

    /// Logs what `line` makes (message, data) at `level`, if that level is on.
    fn log(&self, level: LogLevel, line: impl FnOnce() -> (String, String)) {
        self.log.line(level, line);
    }

    /// Sends `req` with retries; returns the 2xx body.
    pub(super) async fn execute(
        &self,
        req: &HttpRequest,
        call: &Call,
    ) -> Result<Answer, CallError> {
        self.execute_at(req, call, None).await
    }

    /// `execute` for batch `index` of a split call (`None`: a single request).
    pub(super) async fn execute_at(
        &self,
        req: &HttpRequest,
        call: &Call,
        index: Option<usize>,
    ) -> Result<Answer, CallError> {
        let route = self.route(req)?;
        let first_started = transport::now_ms();
        let mut attempt: u32 = 0;
        loop {
            let hooks = Attempt::new(
                [&self.hooks, &call.hooks],
                &self.log,
                &self.report,
                &call.secrets,
                &route.endpoint,
                &route.url,
                attempt.saturating_add(1),
            );
            let sent = send_request(&route, call, hooks.as_ref()).await;
            let (started, duration) = (sent.started, sent.duration);
            let failed = match recv_response(sent, &route, call, attempt) {
                Received::Answer(resp) => {
                    let times = Times {
                        first_started,
                        ended: started.saturating_add(duration),
                        duration,
                    };
                    return Ok(self.accept(
                        &route,
                        call,
                        index,
                        resp,
                        attempt,
                        hooks.as_ref(),
                        times,
                    ));
                }
                Received::Aborted(e) => {
                    if let Some(h) = &hooks {
                        h.failed(&e, duration, None);
                    }
                    return Err(e);
                }
                Received::Failed(f) => f,
            };
            let Some(wait) = self.handle_failure(&route, call, &failed, attempt, hooks.as_ref())
            else {
                return Err(failed.error);
            };
            transport::sleep(wait, call.signal.as_ref()).await?;
            attempt = attempt.saturating_add(1);
        }
    }

    /// The fetch, the URL and the `Authorization` of `req`: a missing key or fetch fails here,
    /// before anything is sent.
    fn route<'r>(&self, req: &'r HttpRequest) -> Result<Route<'r>, CallError> {
        let authorization = self.credentials.authorization(&req.auth)?;
        let fetch = transport::resolve_fetch(self.fetch.as_ref())?;
        let path = path_only(&req.path_and_query);
        Ok(Route {
            req,
            fetch,
            url: join3(&self.base_url, &req.path_and_query, ""),
            endpoint: join3(req.method.as_str(), " ", path),
            authorization,
        })
    }

    /// A 2xx: logged, told to the hooks, noted for `$metadata`; the call's answer.
    #[allow(clippy::too_many_arguments)]
    fn accept(
        &self,
        route: &Route,
        call: &Call,
        index: Option<usize>,
        resp: RawResponse,
        attempt: u32,
        hooks: Option<&Attempt>,
        times: Times,
    ) -> Answer {
        let attempts = attempt.saturating_add(1);
        let duration = times.duration;
        self.log(LogLevel::Debug, || {
            (
                format!(
                    "kakao-talk-channel: {} → {} in {duration} ms (attempt {attempts})",
                    route.endpoint, resp.status
                ),
                attempt_data(
                    attempt,
                    duration,
                    route.method(),
                    route.path(),
                    None,
                    Some(resp.status),
                ),
            )
        });
        if let Some(h) = hooks {
            h.answered(resp.status, &resp.headers, duration);
        }
        call.record.note(
            index,
            &route.endpoint,
            resp.status,
            resp.headers,
            attempts,
            times.first_started,
            times.ended,
        );
        Answer {
            body: resp.body,
            ctx: ctx(route, attempt, None),
        }
    }

    /// A failed attempt: the retry decision (`core::retry`), told to the hooks and logged;
    /// the wait before the next attempt, or `None` when the call gives up.
    fn handle_failure(
        &self,
        route: &Route,
        call: &Call,
        failed: &Failed,
        attempt: u32,
        hooks: Option<&Attempt>,
    ) -> Option<u64> {
        let Failed {
            failure,
            error,
            retry_after,
            status,
            duration,
        } = failed;
        let (failure, status, duration) = (*failure, *status, *duration);
        let wait = retry::next_wait(
            route.req.idempotency,
            failure,
            attempt,
            call.max_retries,
            retry_after.as_deref(),
            transport::now_ms(),
            transport::random(),
        );
        if let Some(h) = hooks {
            h.failed(error, duration, wait);
        }
        let what = retry::describe(failure, status);
        let n = attempt.saturating_add(1);
        let endpoint = &route.endpoint;
        self.log(LogLevel::Debug, || {
            (
                format!("kakao-talk-channel: {endpoint} → {what} in {duration} ms (attempt {n})"),
                attempt_data(
                    attempt,
                    duration,
                    route.method(),
                    route.path(),
                    wait,
                    status,
                ),
            )
        });
        let status = status.map(i64::from);
        match wait {
            Some(wait) => self.log(LogLevel::Warn, || {
                (
                    format!("kakao-talk-channel: {endpoint} failed with {what} (attempt {n}); retrying in {wait} ms"),
                    JsonObject::new()
                        .int("attempt", n.into())
                        .str("endpoint", endpoint)
                        .uint("retryInMs", wait)
                        .opt_int("status", status)
                        .finish(),
                )
            }),
            None if retry::warns_on_giving_up(failure, attempt) => self.log(LogLevel::Warn, || {
                (
                    redact(
                        &format!("kakao-talk-channel: {endpoint} failed with {what} after {n} attempt(s); giving up"),
                        &call.secrets,
                    ),
                    JsonObject::new()
                        .int("attempts", n.into())
                        .str("endpoint", endpoint)
                        .opt_int("status", status)
                        .finish(),
                )
            }),
            None => {}
        }
        wait
    }
}

/// Calls `onRequest`, then sends one attempt, bounded by the call's timeout and signal.
async fn send_request(route: &Route<'_>, call: &Call, hooks: Option<&Attempt<'_>>) -> Sent {
    if let Some(h) = hooks {
        h.request();
    }
    let exchange = transport::Exchange {
        url: &route.url,
        method: route.method(),
        authorization: &route.authorization,
        body: route.req.body.as_deref(),
    };
    let started = transport::now_ms();
    let outcome = transport::send_once(
        &route.fetch,
        &exchange,
        call.timeout_ms,
        call.signal.as_ref(),
    )
    .await;
    Sent {
        outcome,
        started,
        duration: transport::now_ms().saturating_sub(started),
    }
}

/// Where a failure of attempt number `attempt` (0-based) happened.
fn ctx(route: &Route, attempt: u32, headers: Option<String>) -> Ctx {
    Ctx {
        endpoint: route.endpoint.clone(),
        attempts: attempt.saturating_add(1),
        headers,
    }
}

/// How the attempt ended: the answer judged by `core::retry::judge`, or the transport's
/// failure as the error it is.
fn recv_response(sent: Sent, route: &Route, call: &Call, attempt: u32) -> Received {
    let duration = sent.duration;
    let failed = |failure, error, retry_after, status| {
        Received::Failed(Failed {
            failure,
            error,
            retry_after,
            status,
            duration,
        })
    };
    match sent.outcome {
        Ok(resp) => {
            let verdict = retry::judge(resp.status, &resp.body, resp.cut);
            let Some(failure) = verdict.failure() else {
                return Received::Answer(resp);
            };
            let status = Some(resp.status);
            match verdict {
                Verdict::Refused { error, headers } => {
                    let headers = headers.then_some(resp.headers);
                    let e = CallError::Response(error, ctx(route, attempt, headers));
                    failed(failure, e, None, status)
                }
                // Secrets Kakao may echo are redacted when the error reaches JS.
                Verdict::Api(error) => {
                    let e = CallError::Api(error, ctx(route, attempt, Some(resp.headers)));
                    failed(failure, e, resp.retry_after, status)
                }
                Verdict::Success => Received::Answer(resp),
            }
        }
        Err(AttemptError::Aborted(reason)) => Received::Aborted(CallError::Aborted(reason)),
        Err(AttemptError::Timeout) => failed(
            Failure::Timeout,
            CallError::Timeout {
                timeout_ms: call.timeout_ms,
                ctx: ctx(route, attempt, None),
            },
            None,
            None,
        ),
        Err(AttemptError::Network(cause)) => failed(
            Failure::Network,
            CallError::Network {
                cause,
                ctx: ctx(route, attempt, None),
            },
            None,
            None,
        ),
    }
}

/// The data of an attempt's `debug` line (`attempt` counted from 0 here, from 1 in the line),
/// keys in byte order as `json!` wrote them.
fn attempt_data(
    attempt: u32,
    duration: i64,
    method: &str,
    path: &str,
    retry_in_ms: Option<u64>,
    status: Option<u16>,
) -> String {
    JsonObject::new()
        .int("attempt", attempt.saturating_add(1).into())
        .int("durationMs", duration)
        .str("method", method)
        .str("path", path)
        .opt_uint("retryInMs", retry_in_ms)
        .opt_int("status", status.map(i64::from))
        .finish()
}
