//! The client's `Inner` and a call's `Call`, from the options `api::options` read and checked:
//! here the handles they name are looked up, and nothing is decided.

use super::handles::Handles;
use super::logger::Log;
use super::metadata::{Hooks, Reporter};
use super::runner::{Args, Call, Inner};
use super::transport;
use crate::api::options::{self, CallDefaults, ClientOptions, Logger};
use crate::core::error::ValidationError;
use std::rc::Rc;

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

/// The client's logger, as soon as `api::options::client_options` checked it (the warning
/// about an unknown `KAKAO_TALK_CHANNEL_LOG` is logged now, once).
pub(super) fn logger(l: Logger, env_warning: Option<String>, handles: &Handles) -> Log {
    Log::new(
        l.handle.map(|i| handles.value(i)),
        l.style,
        l.level,
        env_warning,
    )
}

/// The client of the checked options `o` and its `log`, its handles looked up in `handles`.
pub(super) fn client(o: ClientOptions, log: Log, handles: &Handles) -> Inner {
    let report = Reporter::new(
        &log,
        o.credentials
            .secrets()
            .into_iter()
            .map(str::to_owned)
            .collect(),
    );
    Inner {
        hooks: Hooks::new(o.hooks, handles),
        report,
        credentials: o.credentials,
        base_url: o.base_url,
        fetch: o.fetch.and_then(|i| handles.function(i)),
        timeout_ms: o.timeout_ms,
        max_retries: o.max_retries,
        concurrency: o.concurrency,
        log,
    }
}

impl Inner {
    /// The call's options (checked by `api::options::call_options`); `split`: whether the
    /// method splits its input into batches. Its secrets are the args' (the client's keys and
    /// the params' access token).
    pub(super) fn call_options(&self, args: &Args, split: bool) -> Result<Call, ValidationError> {
        args.record.split.set(split);
        let defaults = CallDefaults {
            timeout_ms: self.timeout_ms,
            max_retries: self.max_retries,
            concurrency: self.concurrency,
        };
        let o = options::call_options(args.options(), defaults, split)?;
        let handles = &args.handles;
        Ok(Call {
            signal: o.signal.map(|i| handles.signal(i)),
            timeout_ms: o.timeout_ms,
            max_retries: o.max_retries,
            concurrency: o.concurrency,
            on_batch: o.on_batch.map(|i| handles.value(i)),
            stop: o.stop.map(|i| handles.signal(i)),
            secrets: Rc::clone(&args.secrets),
            hooks: Hooks::new(o.hooks, handles),
            record: Rc::clone(&args.record),
        })
    }
}
