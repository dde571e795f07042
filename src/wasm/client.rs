//! `WasmClient`, behind the JS class `TalkChannelClient` of `pkg-template/client.js`: takes the
//! options (read by options.rs), runs every method through one runner (`call`), and runs the
//! retry loop.
//!
//! Arguments arrive packed by pack.js (read in JS, inside `try`), so nothing here reads a
//! caller's object: no getter or Proxy can throw through these frames.

use super::convert::{CallError, Ctx, Handles};
use super::logger::Log;
use super::metadata::{Attempt, Hooks, Record, Reporter};
use super::options::{in_browser, parse_options, Host};
use super::transport::{self, Signal};
use super::{customer_files, relationship};
use crate::api::input;
use crate::api::packed::{self, Val};
use crate::core::env;
use crate::core::error::{redact, ApiError, ResponseError, ValidationError};
use crate::core::json::JsonObject;
use crate::core::log::{path_only, LogLevel};
use crate::core::request::{answer_too_large, Credentials, HttpRequest};
use crate::core::retry::{self, Failure};
use crate::core::rules;
use js_sys::{Array, Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

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
    pub(super) secrets: Vec<String>,
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

/// The client the JS class wraps. Not part of the public API (no TypeScript: client.d.ts
/// types the public class).
#[wasm_bindgen(skip_typescript)]
pub struct WasmClient {
    inner: Rc<Inner>,
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

    /// Sends `req` with retries; returns the 2xx body. Redirects are refused: Kakao's API
    /// never redirects, and following one could turn a POST into a GET elsewhere.
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
        let authorization = self.credentials.authorization(&req.auth)?;
        let fetch = transport::resolve_fetch(self.fetch.as_ref())?;
        let url = format!("{}{}", self.base_url, req.path_and_query);
        let path = path_only(&req.path_and_query);
        let endpoint = format!("{} {path}", req.method.as_str());
        let exchange = transport::Exchange {
            url: &url,
            method: req.method.as_str(),
            authorization: &authorization,
            body: req.body.as_deref(),
        };
        let mut attempt: u32 = 0;
        let first_started = transport::now_ms();
        loop {
            let hooks = Attempt::new(
                [&self.hooks, &call.hooks],
                &self.log,
                &self.report,
                &call.secrets,
                &endpoint,
                &url,
                attempt.saturating_add(1),
            );
            if let Some(h) = &hooks {
                h.request();
            }
            let started = transport::now_ms();
            let outcome =
                transport::send_once(&fetch, &exchange, call.timeout_ms, call.signal.as_ref())
                    .await;
            let duration = transport::now_ms().saturating_sub(started);
            let ctx = |headers: Option<String>| Ctx {
                endpoint: endpoint.clone(),
                attempts: attempt.saturating_add(1),
                headers,
            };
            let (failure, error, retry_after, status) = match outcome {
                Ok(resp) if resp.cut.is_some() && (200..300).contains(&resp.status) => {
                    let bytes = resp.cut.unwrap_or_default();
                    let e = ResponseError::new(resp.status, answer_too_large(bytes), &resp.body);
                    (
                        Failure::Response,
                        CallError::Response(e, ctx(None)),
                        None,
                        Some(resp.status),
                    )
                }
                Ok(resp) if (200..300).contains(&resp.status) => {
                    self.log(LogLevel::Debug, || {
                        (
                            format!(
                                "kakao-talk-channel: {endpoint} → {} in {duration} ms (attempt {})",
                                resp.status,
                                attempt.saturating_add(1)
                            ),
                            attempt_data(
                                attempt,
                                duration,
                                req.method.as_str(),
                                path,
                                None,
                                Some(resp.status),
                            ),
                        )
                    });
                    if let Some(h) = &hooks {
                        h.answered(resp.status, &resp.headers, duration);
                    }
                    let ended = started.saturating_add(duration);
                    let attempts = attempt.saturating_add(1);
                    call.record.note(
                        index,
                        &endpoint,
                        resp.status,
                        resp.headers,
                        attempts,
                        first_started,
                        ended,
                    );
                    return Ok(Answer {
                        body: resp.body,
                        ctx: ctx(None),
                    });
                }
                Ok(resp) if (300..400).contains(&resp.status) => {
                    let e = ResponseError::new(
                        resp.status,
                        format!("HTTP {} is a redirect, and Kakao's API never redirects: not followed (check baseUrl)", resp.status),
                        &resp.body,
                    );
                    (
                        Failure::Response,
                        CallError::Response(e, ctx(Some(resp.headers))),
                        None,
                        Some(resp.status),
                    )
                }
                Ok(resp) => {
                    // Secrets Kakao may echo are redacted when the error reaches JS.
                    let err = ApiError::from_response(resp.status, &resp.body);
                    let failure = Failure::Api {
                        status: err.status,
                        retryable: err.retryable,
                    };
                    (
                        failure,
                        CallError::Api(err, ctx(Some(resp.headers))),
                        resp.retry_after,
                        Some(resp.status),
                    )
                }
                Err(transport::AttemptError::Aborted(reason)) => {
                    let e = CallError::Aborted(reason);
                    if let Some(h) = &hooks {
                        h.failed(&e, duration, None);
                    }
                    return Err(e);
                }
                Err(transport::AttemptError::Timeout) => (
                    Failure::Timeout,
                    CallError::Timeout {
                        timeout_ms: call.timeout_ms,
                        ctx: ctx(None),
                    },
                    None,
                    None,
                ),
                Err(transport::AttemptError::Network(cause)) => (
                    Failure::Network,
                    CallError::Network {
                        cause,
                        ctx: ctx(None),
                    },
                    None,
                    None,
                ),
            };
            let what = status.map_or_else(
                || match failure {
                    Failure::Timeout => "a timeout".to_owned(),
                    _ => "a network error".to_owned(),
                },
                |s| format!("HTTP {s}"),
            );
            let retry = retry::should_retry(req.idempotency, failure, attempt, call.max_retries);
            let wait = retry.then(|| {
                retry::delay_ms(
                    attempt,
                    retry_after.as_deref(),
                    transport::now_ms(),
                    transport::random(),
                )
            });
            if let Some(h) = &hooks {
                h.failed(&error, duration, wait);
            }
            self.log(LogLevel::Debug, || {
                (
                    format!(
                        "kakao-talk-channel: {endpoint} → {what} in {duration} ms (attempt {})",
                        attempt.saturating_add(1)
                    ),
                    attempt_data(attempt, duration, req.method.as_str(), path, wait, status),
                )
            });
            let Some(wait) = wait else {
                if attempt > 0 || matches!(failure, Failure::Network | Failure::Timeout) {
                    self.log(LogLevel::Warn, || (redact(&format!("kakao-talk-channel: {endpoint} failed with {what} after {} attempt(s); giving up", attempt.saturating_add(1)), &call.secrets), JsonObject::new().int("attempts", attempt.saturating_add(1).into()).str("endpoint", &endpoint).opt_int("status", status.map(i64::from)).finish()));
                }
                return Err(error);
            };
            self.log(LogLevel::Warn, || (format!("kakao-talk-channel: {endpoint} failed with {what} (attempt {}); retrying in {wait} ms", attempt.saturating_add(1)), JsonObject::new().int("attempt", attempt.saturating_add(1).into()).str("endpoint", &endpoint).uint("retryInMs", wait).opt_int("status", status.map(i64::from)).finish()));
            transport::sleep(wait, call.signal.as_ref()).await?;
            attempt = attempt.saturating_add(1);
        }
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

/// The arguments of one call, as JS packed them.
pub(super) struct Args<'a> {
    pub(super) values: Vec<Val<'a>>,
    pub(super) handles: Handles,
    /// The users of an add call, packed apart in chunks.
    pub(super) chunks: Option<Array>,
    /// The answers the call used, for its result's `$metadata`.
    pub(super) record: Rc<Record>,
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

#[wasm_bindgen]
impl WasmClient {
    /// `options` packed by pack.js; `env`, the variables of `core::env::ALL` that are set
    /// (JSON `{ name: value }`, where the runtime has an environment); `logger_shape`, what
    /// marshal.js's `loggerShape` reported of the `logger` option. Throws an error record
    /// (see convert.rs).
    #[wasm_bindgen(constructor)]
    pub fn new(
        text: &str,
        handles: Array,
        env: Option<String>,
        logger_shape: Option<String>,
    ) -> Result<WasmClient, JsValue> {
        let args = packed::args(text).map_err(|e| CallError::from(e).into_js(&[]))?;
        let options = args.first().unwrap_or(&Val::Undefined);
        // Never in a browser: a bundler's `process.env` shim is no server environment.
        let env = env
            .filter(|_| !in_browser())
            .and_then(|e| serde_json::from_str::<serde_json::Value>(&e).ok())
            .and_then(|v| match v {
                serde_json::Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default();
        let host = Host {
            env: &env,
            logger_shape: logger_shape.as_deref(),
        };
        let inner = input::check_flaws(options, "", "options")
            .and_then(|()| parse_options(options, &Handles(handles), &host))
            .map_err(|e| {
                // Redact whatever key strings were given, even ones that failed their checks.
                let secrets: Vec<String> = ["adminKey", "restApiKey"]
                    .iter()
                    .filter_map(|k| options.get(k).as_str().map(str::to_owned))
                    .chain(
                        [env::ADMIN_KEY, env::REST_API_KEY]
                            .iter()
                            .filter_map(|k| host.var(k).map(str::to_owned)),
                    )
                    .collect();
                CallError::Validation(e).into_js(&secrets)
            })?;
        Ok(WasmClient {
            inner: Rc::new(inner),
        })
    }

    /// Runs `method` with the packed arguments `[params, options]`: resolves to the result as
    /// JSON text, rejects with an error record. One runner for every method.
    pub fn call(
        &self,
        method: String,
        text: String,
        handles: Array,
        chunks: Option<Array>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let mut secrets = inner.secrets();
            let result = async {
                let values = packed::args(&text)?;
                // What JS found unreadable (a hole, a lone surrogate, ...), before any rule.
                input::check_flaws(values.first().unwrap_or(&Val::Undefined), "", "params")?;
                input::check_flaws(
                    values.get(1).unwrap_or(&Val::Undefined),
                    "options",
                    "options",
                )?;
                let args = Args {
                    values,
                    handles: Handles(handles),
                    chunks,
                    record: Rc::default(),
                };
                if let Some(token) = args.params().get("accessToken").as_str() {
                    secrets.push(token.to_owned());
                }
                let value = match method.as_str() {
                    "checkChannelRelationship" => relationship::check(&inner, &args).await,
                    "checkChannelRelationshipMulti" => relationship::multi(&inner, &args).await,
                    "registerCustomerFile" => customer_files::register(&inner, &args).await,
                    "listCustomerFiles" => customer_files::list(&inner, &args).await,
                    "addCustomerFileUsers" => customer_files::add(&inner, &args).await,
                    "deleteCustomerFileUsers" => customer_files::delete(&inner, &args).await,
                    _ => Err(ValidationError::new(
                        "method",
                        rules::PARAMS_TYPE,
                        "is not a method of TalkChannelClient",
                    )
                    .into()),
                }?;
                // `[result JSON, $metadata JSON]`: client.js attaches the metadata.
                let meta = args.record.json(&secrets).map(|m| JsValue::from_str(&m));
                Ok(Array::of2(&value, &meta.unwrap_or(JsValue::UNDEFINED)).into())
            }
            .await;
            result.map_err(|e: CallError| e.into_js(&secrets))
        })
    }
}
