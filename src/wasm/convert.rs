//! The one way back to JS: results as JSON text (each result's own `json()`, camelCase, dates
//! as epoch milliseconds) and failures as error records, `[JSON, JS value]` pairs that
//! `pkg-template/client.js` turns into the classes of `errors.js` (and where the `Date`s are
//! made, in one place). Every string of a record is redacted of the call's secrets here.

use crate::api::packed::PackError;
use crate::core::error::{ApiError, ResponseError, ValidationError};
/// Where it lives now; re-exported for the modules of the wasm edge that redact a value.
pub(super) use crate::core::record::redact_json;
use crate::core::record::{Context, ErrorRecord};
use std::fmt;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/pkg-template/shared.js")]
extern "C" {
    /// What a failed call rejects with: named fields, not a positional pair.
    type WasmFailure;
    #[wasm_bindgen(constructor)]
    fn new(record: Option<String>, reason: &JsValue) -> WasmFailure;

    /// What a call resolves with: the result's JSON and its `$metadata` JSON.
    pub type WasmResult;
    #[wasm_bindgen(constructor)]
    pub fn new(json: &JsValue, meta: Option<String>) -> WasmResult;
}

/// Where a call failed: Kakao's endpoint (`"GET /v2/api/talk/channels"`), how many attempts
/// were made, and (when Kakao answered) the response headers as a JSON object.
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    pub endpoint: String,
    pub attempts: u32,
    pub headers: Option<String>,
}

impl Ctx {
    fn context(&self) -> Context<'_> {
        Context {
            endpoint: &self.endpoint,
            attempts: self.attempts,
            headers: self.headers.as_deref(),
        }
    }
}

/// Everything a call can fail with, before it becomes a JS error.
#[derive(Debug)]
pub enum CallError {
    Validation(ValidationError),
    Api(ApiError, Ctx),
    Response(ResponseError, Ctx),
    Timeout {
        timeout_ms: u32,
        ctx: Ctx,
    },
    /// `fetch` failed: what it threw, as shared.js's `snapshotError` JSON.
    Network {
        cause: String,
        ctx: Ctx,
    },
    /// The caller's signal aborted: its reason, handed back as is.
    Aborted(JsValue),
    /// A webhook delivery whose `Authorization` is not this app's admin key.
    WebhookAuth(crate::api::webhook::AuthFailure),
    /// Some batches of a split call failed (see `customer_files::run_batches`).
    Bulk {
        message: String,
        /// The props as JSON, redacted.
        props: String,
        /// The abort reasons (a JS array) that failed batches marked `{ $abort: i }` carry as
        /// their `error`.
        reason: JsValue,
    },
}

impl From<ValidationError> for CallError {
    fn from(e: ValidationError) -> Self {
        CallError::Validation(e)
    }
}

impl From<PackError> for CallError {
    fn from(_: PackError) -> Self {
        CallError::Validation(crate::api::input::unpackable())
    }
}

impl CallError {
    /// HTTP attempts this failure took (0 when it failed before sending).
    pub fn attempts(&self) -> u32 {
        match self {
            CallError::Api(_, ctx)
            | CallError::Response(_, ctx)
            | CallError::Timeout { ctx, .. }
            | CallError::Network { ctx, .. } => ctx.attempts,
            _ => 0,
        }
    }

    /// The core [`ErrorRecord`] of this failure, every string redacted of `secrets`; `None`
    /// for an abort (its reason is handed back untouched).
    fn error_record(&self, secrets: &[String]) -> Option<ErrorRecord> {
        let record = match self {
            CallError::Validation(e) => ErrorRecord::validation(e, secrets),
            CallError::Api(e, c) => ErrorRecord::api(e, &c.context(), secrets),
            CallError::Response(e, c) => ErrorRecord::response(e, &c.context(), secrets),
            CallError::Timeout { timeout_ms, ctx: c } => {
                ErrorRecord::timeout(*timeout_ms, &c.context(), secrets)
            }
            CallError::Network { cause, ctx: c } => {
                ErrorRecord::network(cause, &c.context(), secrets)
            }
            CallError::Aborted(_) => return None,
            CallError::WebhookAuth(failure) => {
                ErrorRecord::webhook_auth(failure.message(), failure.reason(), secrets)
            }
            // Written redacted by `batches::bulk_error`.
            CallError::Bulk { message, props, .. } => ErrorRecord::bulk(message, props, secrets),
        };
        Some(record)
    }

    /// The error's message and its record `{ name, message, props }` as JSON (`cause` in
    /// props for a network error), every string redacted of `secrets`; or `None` for an abort.
    pub fn record(&self, secrets: &[String]) -> Option<(String, String)> {
        let record = self.error_record(secrets)?;
        Some((record.message().to_owned(), record.to_json()))
    }

    /// The value a failed call rejects (or a sync function throws) with: a `WasmFailure` (the
    /// record's JSON, `None` for an abort; the abort's reason), read by `__fail` in errors.js.
    pub fn into_js(self, secrets: &[String]) -> JsValue {
        let reason = match &self {
            CallError::Bulk { reason, .. } | CallError::Aborted(reason) => reason.clone(),
            _ => JsValue::UNDEFINED,
        };
        WasmFailure::new(self.record(secrets).map(|(_, record)| record), &reason).into()
    }
}

/// The message its JS error will have, before redaction (the record redacts it); an abort,
/// whose reason is handed back as is, has none of its own.
impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error_record(&[]) {
            Some(record) => f.write_str(record.message()),
            None => f.write_str("aborted by the caller's signal"),
        }
    }
}
