//! `WasmClient`, behind the JS class `TalkChannelClient` of `pkg-template/client.js`: takes the
//! options (read by options.rs) and runs every method through one entry (`call`), which hands
//! it to its endpoint module; the attempt loop is runner.rs's.
//!
//! Arguments arrive packed by pack.js (read in JS, inside `try`), so nothing here reads a
//! caller's object: no getter or Proxy can throw through these frames.

use super::convert::{CallError, WasmResult};
use super::handles::Handles;
use super::options::{client, in_browser, logger};
use super::runner::{Args, Inner};
use super::{customer_files, relationship};
use crate::api::input;
use crate::api::options::{self, Host, Method};
use crate::api::packed::{self, Val};
use js_sys::{Array, Promise};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// A method's run, boxed: see `WasmClient::call`.
type MethodFuture<'a> = Pin<Box<dyn Future<Output = Result<JsValue, CallError>> + 'a>>;

/// The client the JS class wraps. Not part of the public API (no TypeScript: client.d.ts
/// types the public class).
#[wasm_bindgen(skip_typescript)]
pub struct WasmClient {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl WasmClient {
    /// `options` packed by pack.js; `env`, the variables of `core::env::ALL` that are set
    /// (JSON `{ name: value }`, where the runtime has an environment); `logger_shape`, what
    /// log.js's `loggerShape` reported of the `logger` option. Throws an error record
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
        let host = Host::new(env.as_deref(), logger_shape.as_deref(), in_browser());
        let handles = Handles(handles);
        let (checked, log) =
            options::client_options(options, &host, |l, warning| logger(l, warning, &handles))
                .map_err(|e| {
                    // Redact whatever key strings were given, even ones that failed their checks.
                    CallError::Validation(e).into_js(&host.key_strings(options))
                })?;
        Ok(WasmClient {
            inner: Rc::new(client(checked, log, &handles)),
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
            // The call's secrets, made once (its `Call` shares them): the client's keys and the
            // params' access token, when it is a string. `None` until the params are read.
            let mut shared: Option<Rc<Vec<String>>> = None;
            let result = async {
                let values = packed::args(&text)?;
                // What JS found unreadable (a hole, a lone surrogate, ...), before any rule.
                input::check_flaws(values.first().unwrap_or(&Val::Undefined), "", "params")?;
                input::check_flaws(
                    values.get(1).unwrap_or(&Val::Undefined),
                    "options",
                    "options",
                )?;
                let mut secrets = inner.secrets();
                if let Some(token) = values.first().and_then(|p| p.get("accessToken").as_str()) {
                    secrets.push(token.to_owned());
                }
                let secrets = Rc::new(secrets);
                shared = Some(Rc::clone(&secrets));
                let args = Args {
                    values,
                    handles: Handles(handles),
                    chunks,
                    record: Rc::default(),
                    secrets,
                };
                // One boxed future per method: each method's state machine stays its own wasm
                // function, instead of all six inlined into this one (a 34 KB function V8
                // compiled on the first call of any method).
                let (inner, args) = (&*inner, &args);
                let run: MethodFuture = match Method::from_name(&method)? {
                    Method::CheckChannelRelationship => Box::pin(relationship::check(inner, args)),
                    Method::CheckChannelRelationshipMulti => {
                        Box::pin(relationship::multi(inner, args))
                    }
                    Method::RegisterCustomerFile => Box::pin(customer_files::register(inner, args)),
                    Method::ListCustomerFiles => Box::pin(customer_files::list(inner, args)),
                    Method::AddCustomerFileUsers => Box::pin(customer_files::add(inner, args)),
                    Method::DeleteCustomerFileUsers => {
                        Box::pin(customer_files::delete(inner, args))
                    }
                };
                let value = run.await?;
                // The result's JSON and its `$metadata` JSON: revive.js attaches the metadata.
                let meta = args.record.json(&args.secrets);
                Ok(WasmResult::new(&value, meta).into())
            }
            .await;
            result.map_err(|e: CallError| {
                e.into_js(&shared.unwrap_or_else(|| Rc::new(inner.secrets())))
            })
        })
    }
}
