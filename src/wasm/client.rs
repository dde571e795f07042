//! `WasmClient`, behind the JS class `TalkChannelClient` of `pkg-template/client.js`: takes the
//! options (read by options.rs) and runs every method through one entry (`call`), which hands
//! it to its endpoint module; the attempt loop is runner.rs's.
//!
//! Arguments arrive packed by pack.js (read in JS, inside `try`), so nothing here reads a
//! caller's object: no getter or Proxy can throw through these frames.

use super::convert::{CallError, Handles};
use super::options::{in_browser, parse_options, Host};
use super::runner::{Args, Inner};
use super::{customer_files, relationship};
use crate::api::input;
use crate::api::packed::{self, Val};
use crate::core::env;
use crate::core::error::ValidationError;
use js_sys::{Array, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

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
                        "params.type",
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
