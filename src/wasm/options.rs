//! The client's options and each call's options: read from their packed form, checked, and
//! turned into the client's `Inner` and a call's `Call` (split from client.rs along this seam).

use super::client::{Args, Call, Inner};
use super::convert::Handles;
use super::logger::Log;
use super::metadata::{Hooks, Reporter};
use super::transport::{self, Signal};
use crate::api::input;
use crate::api::packed::Val;
use crate::core::env;
use crate::core::error::ValidationError;
use crate::core::ids::check_secret;
use crate::core::log;
use crate::core::request::{normalize_base_url, Credentials, DEFAULT_BASE_URL};
use crate::core::rules;
use js_sys::Function;
use std::rc::Rc;
use wasm_bindgen::JsCast;

const DEFAULT_TIMEOUT_MS: u32 = 10_000;
const DEFAULT_MAX_RETRIES: u32 = 2;
/// `setTimeout` holds a signed 32-bit delay.
const MAX_TIMEOUT_MS: u32 = 2_147_483_647;
const MAX_RETRIES_LIMIT: u32 = 10;

const CLIENT_OPTIONS: &[&str] = &[
    "adminKey",
    "restApiKey",
    "baseUrl",
    "fetch",
    "timeoutMs",
    "maxRetries",
    "logger",
    "logLevel",
    "concurrency",
    "dangerouslyAllowBrowser",
    "onRequest",
    "onResponse",
];
const CALL_OPTIONS: &[&str] = &[
    "signal",
    "timeoutMs",
    "maxRetries",
    "concurrency",
    "onBatch",
    "stopSignal",
    "onRequest",
    "onResponse",
];
/// The call options only a split call uses: refused (unless `undefined`) by the others, which
/// would ignore them.
const SPLIT_ONLY_OPTIONS: &[&str] = &["concurrency", "onBatch", "stopSignal"];
/// Batches in flight at once in a split call: 1 (the default) to 16.
const MAX_CONCURRENCY: u32 = 16;

/// Where secret keys should not go: a browser page or a browser worker (`self` and
/// `importScripts`, no `window`). Node, Deno, Bun and workerd have neither `document` nor
/// `importScripts`.
pub(super) fn in_browser() -> bool {
    let g = js_sys::global();
    let has = |k: &str| {
        let v = transport::prop(&g, k);
        !v.is_undefined() && !v.is_null()
    };
    (has("window") && has("document")) || (has("self") && has("importScripts"))
}

/// What the constructor gets besides the options: the environment variables of
/// `core::env::ALL` that are set (JSON `{ name: value }`, ignored in a browser), and the shape
/// marshal.js reported of the `logger` option (see `logger.rs`).
pub(super) struct Host<'a> {
    pub(super) env: &'a serde_json::Map<String, serde_json::Value>,
    pub(super) logger_shape: Option<&'a str>,
}

impl Host<'_> {
    pub(super) fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).and_then(serde_json::Value::as_str)
    }
}

/// A key from its option or, when that is absent, its environment variable: checked here
/// when it came from the variable, so that the error names the variable.
fn key_from<'a>(
    o: &'a Val,
    option: &str,
    var: &str,
    host: &'a Host,
) -> Result<Option<String>, ValidationError> {
    let picked = env::pick(
        input::opt_string(o, option, option)?,
        option,
        var,
        host.var(var),
    );
    if let Some((k, field)) = &picked {
        check_secret(k, field)?;
    }
    Ok(picked.map(|(k, _)| k.to_owned()))
}

pub(super) fn parse_options(
    o: &Val,
    handles: &Handles,
    host: &Host,
) -> Result<Inner, ValidationError> {
    let o = input::object_with_keys(o, "", CLIENT_OPTIONS, true)?.unwrap_or(&Val::Undefined);
    let admin_key = key_from(o, "adminKey", env::ADMIN_KEY, host)?;
    let rest_api_key = key_from(o, "restApiKey", env::REST_API_KEY, host)?;
    let credentials = Credentials::new(admin_key, rest_api_key)?;
    let allow_browser = input::opt_bool(o, "dangerouslyAllowBrowser", "dangerouslyAllowBrowser")?;
    if !credentials.secrets().is_empty() && allow_browser != Some(true) && in_browser() {
        return Err(ValidationError::new(
            "dangerouslyAllowBrowser",
            rules::BROWSER_SECRET_KEY,
            "admin and REST API keys belong on servers only (Kakao's rule); this looks like a browser or a browser worker. Pass dangerouslyAllowBrowser: true only if you know the page is private",
        ));
    }
    let base_url = match env::pick(
        input::opt_string(o, "baseUrl", "baseUrl")?,
        "baseUrl",
        env::BASE_URL,
        host.var(env::BASE_URL),
    ) {
        Some((u, field)) => normalize_base_url(u).map_err(|mut e| {
            e.field = field;
            e
        })?,
        None => DEFAULT_BASE_URL.to_owned(),
    };
    let fetch = match o.get("fetch") {
        Val::Undefined => None,
        v @ Val::Handle('f', _) => handles.get(v).and_then(|f| f.dyn_into::<Function>().ok()),
        other => {
            return Err(ValidationError::new(
                "fetch",
                rules::FETCH_TYPE,
                format!(
                    "must be a function like globalThis.fetch; got {}",
                    other.type_name()
                ),
            ))
        }
    };
    let (level, env_warning) = log::level_from(
        input::opt_string(o, "logLevel", "logLevel")?,
        host.var(log::ENV_LOG),
    )?;
    let log = Log::new(
        o.get("logger"),
        handles,
        host.logger_shape,
        level,
        env_warning,
    )?;
    let hooks = Hooks::parse(o, "", handles)?;
    let report = Reporter::new(
        &log,
        credentials
            .secrets()
            .into_iter()
            .map(str::to_owned)
            .collect(),
    );
    Ok(Inner {
        hooks,
        report,
        credentials,
        base_url,
        fetch,
        timeout_ms: input::opt_int(
            o,
            "timeoutMs",
            "timeoutMs",
            1,
            MAX_TIMEOUT_MS,
            rules::OPTIONS_TIMEOUT_MS,
        )?
        .unwrap_or(DEFAULT_TIMEOUT_MS),
        max_retries: input::opt_int(
            o,
            "maxRetries",
            "maxRetries",
            0,
            MAX_RETRIES_LIMIT,
            rules::OPTIONS_MAX_RETRIES,
        )?
        .unwrap_or(DEFAULT_MAX_RETRIES),
        concurrency: input::opt_int(
            o,
            "concurrency",
            "concurrency",
            1,
            MAX_CONCURRENCY,
            rules::OPTIONS_CONCURRENCY,
        )?
        .unwrap_or(1),
        log,
    })
}

impl Inner {
    /// The call's options; `split`: whether the method splits its input into batches (else
    /// `concurrency`, `onBatch` and `stopSignal` are refused: the call would ignore them).
    pub(super) fn call_options(
        &self,
        args: &Args,
        token: Option<&str>,
        split: bool,
    ) -> Result<Call, ValidationError> {
        let (options, handles) = (args.options(), &args.handles);
        args.record.split.set(split);
        let record = Rc::clone(&args.record);
        let mut secrets = self.secrets();
        secrets.extend(token.map(str::to_owned));
        let Some(o) = input::object_with_keys(options, "options", CALL_OPTIONS, true)? else {
            return Ok(Call {
                signal: None,
                timeout_ms: self.timeout_ms,
                max_retries: self.max_retries,
                concurrency: self.concurrency as usize,
                on_batch: None,
                stop: None,
                secrets,
                hooks: Hooks::default(),
                record,
            });
        };
        if !split {
            if let Some(key) = SPLIT_ONLY_OPTIONS.iter().find(|k| !o.get(k).is_undefined()) {
                return Err(ValidationError::new(
                    input::path("options", key),
                    rules::PARAMS_UNKNOWN_KEY,
                    "is only for the calls split into batches (checkChannelRelationshipMulti, addCustomerFileUsers, deleteCustomerFileUsers); this method sends one request and would ignore it",
                ));
            }
        }
        let signal_at = |key: &str, field: &str| match o.get(key) {
            Val::Undefined | Val::Null => Ok(None),
            v @ Val::Handle('s', _) => Ok(handles.get(v).map(Signal::new)),
            other => Err(ValidationError::new(
                field,
                rules::OPTIONS_SIGNAL,
                format!("must be an AbortSignal; got {}", other.type_name()),
            )),
        };
        let signal = signal_at("signal", "options.signal")?;
        let stop = signal_at("stopSignal", "options.stopSignal")?;
        Ok(Call {
            signal,
            timeout_ms: input::opt_int(
                o,
                "timeoutMs",
                "options.timeoutMs",
                1,
                MAX_TIMEOUT_MS,
                rules::OPTIONS_TIMEOUT_MS,
            )?
            .unwrap_or(self.timeout_ms),
            max_retries: input::opt_int(
                o,
                "maxRetries",
                "options.maxRetries",
                0,
                MAX_RETRIES_LIMIT,
                rules::OPTIONS_MAX_RETRIES,
            )?
            .unwrap_or(self.max_retries),
            concurrency: input::opt_int(
                o,
                "concurrency",
                "options.concurrency",
                1,
                MAX_CONCURRENCY,
                rules::OPTIONS_CONCURRENCY,
            )?
            .unwrap_or(self.concurrency) as usize,
            on_batch: match o.get("onBatch") {
                Val::Undefined => None,
                v @ Val::Handle('f', _) => handles.get(v),
                other => {
                    return Err(ValidationError::new(
                        "options.onBatch",
                        rules::PARAMS_TYPE,
                        format!("must be a function; got {}", other.type_name()),
                    ))
                }
            },
            stop,
            secrets,
            hooks: Hooks::parse(o, "options.", handles)?,
            record,
        })
    }
}
