//! The client's options and each call's options, read from their packed form and checked:
//! plain Rust values out, JS values named by their index in the call's handles (pack.js kept
//! them aside), so that `src/wasm` only looks those up. Also the client methods, by name.

use super::input;
use super::packed::{Handle, Val};
use crate::core::env;
use crate::core::error::ValidationError;
use crate::core::ids::check_secret;
use crate::core::log::{self, LogLevel, LogStyle};
use crate::core::request::{normalize_base_url, Credentials, DEFAULT_BASE_URL};
use crate::core::rules::{self, Rule};

pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// `setTimeout` holds a signed 32-bit delay.
pub const MAX_TIMEOUT_MS: u32 = 2_147_483_647;
pub const MAX_RETRIES_LIMIT: u32 = 10;
/// Batches in flight at once in a split call: 1 (the default) to 16.
pub const MAX_CONCURRENCY: u32 = 16;

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

/// The methods of `TalkChannelClient` that run through the wasm runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    CheckChannelRelationship,
    CheckChannelRelationshipMulti,
    RegisterCustomerFile,
    ListCustomerFiles,
    AddCustomerFileUsers,
    DeleteCustomerFileUsers,
}

impl Method {
    /// The method called `name` in JS.
    pub fn from_name(name: &str) -> Result<Method, ValidationError> {
        Ok(match name {
            "checkChannelRelationship" => Method::CheckChannelRelationship,
            "checkChannelRelationshipMulti" => Method::CheckChannelRelationshipMulti,
            "registerCustomerFile" => Method::RegisterCustomerFile,
            "listCustomerFiles" => Method::ListCustomerFiles,
            "addCustomerFileUsers" => Method::AddCustomerFileUsers,
            "deleteCustomerFileUsers" => Method::DeleteCustomerFileUsers,
            _ => {
                return Err(ValidationError::new(
                    "method",
                    rules::PARAMS_TYPE,
                    "is not a method of TalkChannelClient",
                ))
            }
        })
    }

    /// Whether the method splits its input into batches (then `concurrency`, `onBatch` and
    /// `stopSignal` apply to it).
    pub fn splits(self) -> bool {
        matches!(
            self,
            Method::CheckChannelRelationshipMulti
                | Method::AddCustomerFileUsers
                | Method::DeleteCustomerFileUsers
        )
    }
}

/// What the constructor knows of its host besides the options: the environment variables of
/// `core::env::ALL` that are set (none in a browser: a bundler's `process.env` shim is no
/// server environment), the shape log.js reported of the `logger` option (JSON
/// `{ functions, pino }`), and whether this looks like a browser.
pub struct Host<'a> {
    env: serde_json::Map<String, serde_json::Value>,
    logger_shape: Option<&'a str>,
    in_browser: bool,
}

impl<'a> Host<'a> {
    /// `env`: JSON `{ name: value }` where the runtime has an environment.
    pub fn new(env: Option<&str>, logger_shape: Option<&'a str>, in_browser: bool) -> Host<'a> {
        // "{}" (no variable set, the common case) needs no JSON parser.
        let env = env
            .filter(|e| !in_browser && *e != "{}")
            .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
            .and_then(|v| match v {
                serde_json::Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default();
        Host {
            env,
            logger_shape,
            in_browser,
        }
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).and_then(serde_json::Value::as_str)
    }

    /// Every key string given in `options` or the environment, even ones that fail their
    /// checks: what the constructor's error is redacted of.
    pub fn key_strings(&self, options: &Val) -> Vec<String> {
        ["adminKey", "restApiKey"]
            .iter()
            .filter_map(|k| options.get(k).as_str().map(str::to_owned))
            .chain(
                [env::ADMIN_KEY, env::REST_API_KEY]
                    .iter()
                    .filter_map(|k| self.var(k).map(str::to_owned)),
            )
            .collect()
    }
}

/// The `onRequest` / `onResponse` hooks of a client or of a call: their handles.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HookHandles {
    pub on_request: Option<usize>,
    pub on_response: Option<usize>,
}

/// The `logger` option: its handle (`None`: `console`) and how it is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logger {
    pub handle: Option<usize>,
    pub style: LogStyle,
    pub level: LogLevel,
}

/// The client's options, checked, defaults filled in.
pub struct ClientOptions {
    pub credentials: Credentials,
    pub base_url: String,
    /// The `fetch` option's handle; `None`: the global `fetch` at call time.
    pub fetch: Option<usize>,
    pub timeout_ms: u32,
    pub max_retries: u32,
    pub concurrency: u32,
    pub logger: Logger,
    pub hooks: HookHandles,
}

/// One call's options, checked, the client's settings filled in.
#[derive(Debug, PartialEq, Eq)]
pub struct CallOptions {
    pub signal: Option<usize>,
    pub stop: Option<usize>,
    pub timeout_ms: u32,
    pub max_retries: u32,
    pub concurrency: usize,
    pub on_batch: Option<usize>,
    pub hooks: HookHandles,
}

/// A key from its option or, when that is absent, its environment variable: checked here
/// when it came from the variable, so that the error names the variable.
fn key_from(
    o: &Val,
    option: &str,
    var: &str,
    host: &Host,
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

/// An option that is a function, if given: its handle.
fn function(o: &Val, key: &str, field: &str) -> Result<Option<usize>, ValidationError> {
    match o.get(key) {
        Val::Undefined => Ok(None),
        Val::Handle(Handle::Function, i) => Ok(Some(*i)),
        other => Err(refused(
            field,
            rules::PARAMS_TYPE,
            "must be a function",
            other,
        )),
    }
}

/// The error of an option `field` of the wrong type: `what` it must be, and what it is.
/// Out of line and cold (as are the other refusals here): the first construction compiles
/// only the wasm functions it runs, so the error paths cost a client nothing until taken.
#[cold]
#[inline(never)]
fn refused(field: &str, rule: Rule, what: &str, got: &Val) -> ValidationError {
    ValidationError::new(field, rule, format!("{what}; got {}", got.type_name()))
}

/// `onRequest` and `onResponse` of the options `o`; `call`: a call's options (fields named
/// `options.…`) rather than the client's.
fn hooks(o: &Val, call: bool) -> Result<HookHandles, ValidationError> {
    let (request, response) = if call {
        ("options.onRequest", "options.onResponse")
    } else {
        ("onRequest", "onResponse")
    };
    Ok(HookHandles {
        on_request: function(o, "onRequest", request)?,
        on_response: function(o, "onResponse", response)?,
    })
}

/// The `logger` option, checked by the shape log.js reported of it.
fn logger(v: &Val, shape: Option<&str>, level: LogLevel) -> Result<Logger, ValidationError> {
    match v {
        Val::Undefined => Ok(Logger {
            handle: None,
            style: LogStyle::MessageFirst,
            level,
        }),
        Val::Handle(Handle::Object | Handle::Function, i) => given_logger(*i, shape, level),
        other => Err(refused(
            "logger",
            rules::PARAMS_TYPE,
            "must be an object with debug/info/warn/error methods (like console)",
            other,
        )),
    }
}

/// A `logger` given (its handle `i`), checked by its shape: out of line, so that a client
/// without one never compiles the shape's JSON reading.
#[inline(never)]
fn given_logger(i: usize, shape: Option<&str>, level: LogLevel) -> Result<Logger, ValidationError> {
    let shape = shape
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .unwrap_or(serde_json::Value::Null);
    let functions: Vec<&str> = shape
        .get("functions")
        .and_then(serde_json::Value::as_array)
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    log::check_logger(&functions)?;
    let pino = shape.get("pino").and_then(serde_json::Value::as_bool) == Some(true);
    Ok(Logger {
        handle: Some(i),
        style: if pino {
            LogStyle::DataFirst
        } else {
            LogStyle::MessageFirst
        },
        level,
    })
}

/// Keys in what looks like a browser, without the opt-in.
#[cold]
#[inline(never)]
fn browser_secret() -> ValidationError {
    ValidationError::new(
        "dangerouslyAllowBrowser",
        rules::BROWSER_SECRET_KEY,
        "admin and REST API keys belong on servers only (Kakao's rule); this looks like a browser or a browser worker. Pass dangerouslyAllowBrowser: true only if you know the page is private",
    )
}

/// The client's options `o` (packed), on `host`. `logging` makes the client's log (`L`) as
/// soon as the logger is checked, with the warning about an unknown `KAKAO_TALK_CHANNEL_LOG` if
/// any: the warning is logged then, even when an option checked after the logger is refused.
#[inline]
pub fn client_options<L>(
    o: &Val,
    host: &Host,
    logging: impl FnOnce(Logger, Option<String>) -> L,
) -> Result<(ClientOptions, L), ValidationError> {
    input::check_flaws(o, "", "options")?;
    let o = input::object_with_keys(o, "", CLIENT_OPTIONS, true)?.unwrap_or(&Val::Undefined);
    let admin_key = key_from(o, "adminKey", env::ADMIN_KEY, host)?;
    let rest_api_key = key_from(o, "restApiKey", env::REST_API_KEY, host)?;
    let credentials = Credentials::new(admin_key, rest_api_key)?;
    let allow_browser = input::opt_bool(o, "dangerouslyAllowBrowser", "dangerouslyAllowBrowser")?;
    if !credentials.secrets().is_empty() && allow_browser != Some(true) && host.in_browser {
        return Err(browser_secret());
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
        Val::Handle(Handle::Function, i) => Some(*i),
        other => {
            return Err(refused(
                "fetch",
                rules::FETCH_TYPE,
                "must be a function like globalThis.fetch",
                other,
            ))
        }
    };
    let (level, env_warning) = log::level_from(
        input::opt_string(o, "logLevel", "logLevel")?,
        host.var(log::ENV_LOG),
    )?;
    let logger = logger(o.get("logger"), host.logger_shape, level)?;
    let log = logging(logger, env_warning);
    let hooks = hooks(o, false)?;
    let options = ClientOptions {
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
        logger,
        hooks,
    };
    Ok((options, log))
}

/// The settings a call's options default to: the client's.
#[derive(Debug, Clone, Copy)]
pub struct CallDefaults {
    pub timeout_ms: u32,
    pub max_retries: u32,
    pub concurrency: u32,
}

/// A call's options `options` (packed); `split`: whether the method splits its input into
/// batches (else `concurrency`, `onBatch` and `stopSignal` are refused: the call would ignore
/// them).
#[inline]
pub fn call_options(
    options: &Val,
    defaults: CallDefaults,
    split: bool,
) -> Result<CallOptions, ValidationError> {
    let Some(o) = input::object_with_keys(options, "options", CALL_OPTIONS, true)? else {
        return Ok(CallOptions {
            signal: None,
            stop: None,
            timeout_ms: defaults.timeout_ms,
            max_retries: defaults.max_retries,
            concurrency: defaults.concurrency as usize,
            on_batch: None,
            hooks: HookHandles::default(),
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
        Val::Handle(Handle::Signal, i) => Ok(Some(*i)),
        other => Err(refused(
            field,
            rules::OPTIONS_SIGNAL,
            "must be an AbortSignal",
            other,
        )),
    };
    let signal = signal_at("signal", "options.signal")?;
    let stop = signal_at("stopSignal", "options.stopSignal")?;
    Ok(CallOptions {
        signal,
        stop,
        timeout_ms: input::opt_int(
            o,
            "timeoutMs",
            "options.timeoutMs",
            1,
            MAX_TIMEOUT_MS,
            rules::OPTIONS_TIMEOUT_MS,
        )?
        .unwrap_or(defaults.timeout_ms),
        max_retries: input::opt_int(
            o,
            "maxRetries",
            "options.maxRetries",
            0,
            MAX_RETRIES_LIMIT,
            rules::OPTIONS_MAX_RETRIES,
        )?
        .unwrap_or(defaults.max_retries),
        concurrency: input::opt_int(
            o,
            "concurrency",
            "options.concurrency",
            1,
            MAX_CONCURRENCY,
            rules::OPTIONS_CONCURRENCY,
        )?
        .unwrap_or(defaults.concurrency) as usize,
        on_batch: function(o, "onBatch", "options.onBatch")?,
        hooks: hooks(o, true)?,
    })
}

/// The refusal when neither the `fetch` option nor a global `fetch` exists.
pub fn no_fetch() -> ValidationError {
    ValidationError::new(
        "fetch",
        rules::FETCH_MISSING,
        "no global fetch in this runtime: pass options.fetch",
    )
}

#[cfg(test)]
mod tests {
    use super::super::packed::args;
    use super::*;

    fn one(text: &str) -> Val<'_> {
        args(text).unwrap().into_iter().next().unwrap()
    }

    fn host(env: Option<&str>, in_browser: bool) -> Host<'static> {
        Host::new(env, None, in_browser)
    }

    const DEFAULTS: CallDefaults = CallDefaults {
        timeout_ms: 10_000,
        max_retries: 2,
        concurrency: 3,
    };

    #[test]
    fn client_options_fill_defaults_and_name_handles() {
        // { adminKey: "admin-0001", fetch: <function 0>, onResponse: <function 1> }
        let o = one("1\0o3\0sadminKey\0sadmin-0001\0sfetch\0hf0\0sonResponse\0hf1");
        let (c, ()) = client_options(&o, &host(None, false), |_, _| {}).unwrap();
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.fetch, Some(0));
        assert_eq!(
            c.hooks,
            HookHandles {
                on_request: None,
                on_response: Some(1)
            }
        );
        assert_eq!((c.timeout_ms, c.max_retries, c.concurrency), (10_000, 2, 1));
        assert_eq!(c.logger.handle, None);
        assert_eq!(c.credentials.secrets(), ["admin-0001"]);
    }

    #[test]
    fn client_options_refuse_with_field_and_rule() {
        for (text, field, rule) in [
            ("1\0o1\0sfetch\0snope", "fetch", rules::FETCH_TYPE.as_str()),
            ("1\0o1\0sfetch\0hs0", "fetch", rules::FETCH_TYPE.as_str()),
            (
                "1\0o1\0sconcurrency\0n17",
                "concurrency",
                rules::OPTIONS_CONCURRENCY.as_str(),
            ),
            (
                "1\0o1\0stimeoutMs\0n0",
                "timeoutMs",
                rules::OPTIONS_TIMEOUT_MS.as_str(),
            ),
            (
                "1\0o1\0smaxRetries\0n11",
                "maxRetries",
                rules::OPTIONS_MAX_RETRIES.as_str(),
            ),
            ("1\0o1\0slogger\0n1", "logger", rules::PARAMS_TYPE.as_str()),
            (
                "1\0o1\0sonRequest\0ho0",
                "onRequest",
                rules::PARAMS_TYPE.as_str(),
            ),
            (
                "1\0o1\0sapiKey\0sx",
                "apiKey",
                rules::PARAMS_UNKNOWN_KEY.as_str(),
            ),
        ] {
            let e = client_options(&one(text), &host(None, false), |_, _| {})
                .err()
                .unwrap();
            assert_eq!((e.field.as_str(), e.rule), (field, rule), "{text:?}");
        }
    }

    #[test]
    fn keys_in_a_browser_need_the_opt_in_and_env_is_ignored_there() {
        let keyed = one("1\0o1\0sadminKey\0sadmin-0001");
        let e = client_options(&keyed, &host(None, true), |_, _| {})
            .err()
            .unwrap();
        assert_eq!(e.rule, rules::BROWSER_SECRET_KEY.as_str());
        let opted = one("1\0o2\0sadminKey\0sadmin-0001\0sdangerouslyAllowBrowser\0t");
        assert!(client_options(&opted, &host(None, true), |_, _| {}).is_ok());
        let env = r#"{"KAKAO_ADMIN_KEY":"env-admin-1"}"#;
        let (c, ()) = client_options(&Val::Undefined, &host(Some(env), false), |_, _| {}).unwrap();
        assert_eq!(c.credentials.secrets(), ["env-admin-1"]);
        let (c, ()) = client_options(&Val::Undefined, &host(Some(env), true), |_, _| {}).unwrap();
        assert!(c.credentials.secrets().is_empty());
        assert_eq!(
            host(Some(env), false).key_strings(&keyed),
            ["admin-0001", "env-admin-1"]
        );
    }

    #[test]
    fn the_env_level_warning_comes_with_the_logger_before_later_refusals() {
        // KAKAO_TALK_CHANNEL_LOG unknown, then a refused timeoutMs: the warning was handed over.
        let env = r#"{"KAKAO_TALK_CHANNEL_LOG":"loud"}"#;
        let mut told = None;
        let e = client_options(
            &one("1\0o1\0stimeoutMs\0n0"),
            &host(Some(env), false),
            |l, w| {
                told = Some((l.handle, w));
            },
        )
        .err()
        .unwrap();
        assert_eq!(e.rule, rules::OPTIONS_TIMEOUT_MS.as_str());
        let (handle, warning) = told.unwrap();
        assert_eq!(handle, None);
        assert!(warning.unwrap().contains("loud"));
        // A refused logger hands nothing over.
        let mut called = false;
        let e = client_options(
            &one("1\0o1\0slogger\0n1"),
            &host(Some(env), false),
            |_, _| {
                called = true;
            },
        );
        assert!(e.is_err() && !called);
    }

    #[test]
    fn a_logger_is_checked_by_its_shape() {
        let o = one("1\0o1\0slogger\0ho2");
        let shape = r#"{"functions":["debug","info","warn","error"],"pino":true}"#;
        let (c, ()) = client_options(&o, &Host::new(None, Some(shape), false), |_, _| {}).unwrap();
        assert_eq!(
            (c.logger.handle, c.logger.style),
            (Some(2), LogStyle::DataFirst)
        );
        let shape = r#"{"functions":["debug"],"pino":false}"#;
        let e = client_options(&o, &Host::new(None, Some(shape), false), |_, _| {})
            .err()
            .unwrap();
        // The first method missing, named under the option.
        assert_eq!(e.field.strip_prefix("logger."), Some("info"));
        assert_eq!(e.rule, rules::OPTIONS_LOGGER.as_str());
    }

    #[test]
    fn call_options_default_to_the_client_and_refuse_split_only_keys() {
        let c = call_options(&Val::Undefined, DEFAULTS, false).unwrap();
        assert_eq!((c.timeout_ms, c.max_retries, c.concurrency), (10_000, 2, 3));
        // { signal: <signal 0>, onBatch: <function 1>, timeoutMs: 5 }
        let o = one("1\0o3\0ssignal\0hs0\0sonBatch\0hf1\0stimeoutMs\0n5");
        let c = call_options(&o, DEFAULTS, true).unwrap();
        assert_eq!((c.signal, c.on_batch, c.timeout_ms), (Some(0), Some(1), 5));
        let e = call_options(&o, DEFAULTS, false).err().unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("options.onBatch", rules::PARAMS_UNKNOWN_KEY.as_str())
        );
        let e = call_options(&one("1\0o1\0ssignal\0hf0"), DEFAULTS, false)
            .err()
            .unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("options.signal", rules::OPTIONS_SIGNAL.as_str())
        );
        let e = call_options(&one("1\0o1\0sstopSignal\0st"), DEFAULTS, true)
            .err()
            .unwrap();
        assert_eq!(e.field, "options.stopSignal");
    }

    #[test]
    fn methods_by_name() {
        assert!(Method::from_name("addCustomerFileUsers").unwrap().splits());
        assert!(!Method::from_name("listCustomerFiles").unwrap().splits());
        let e = Method::from_name("nope").err().unwrap();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("method", rules::PARAMS_TYPE.as_str())
        );
    }
}
