//! The client's logger: the `logger` option (checked by `api::options` from the shape
//! log.js reports of it), and the one JS function that calls it. The rules are
//! `core::log`'s.

use crate::core::json::JsonObject;
use crate::core::log::{self, LogLevel, LogStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/pkg-template/log.js")]
extern "C" {
    /// `logger[level](message, data)`, or `(data, message)` for a data-first logger (pino);
    /// `console` when `logger` is undefined. Never throws.
    #[wasm_bindgen(js_name = __log)]
    fn log_js(logger: &JsValue, style: &str, level: &str, message: &str, data: &str);
}

/// Where a client logs, and up to which level.
#[derive(Clone)]
pub(super) struct Log {
    /// The `logger` option (`undefined`: `console`).
    target: JsValue,
    style: LogStyle,
    level: LogLevel,
}

/// Whether the warning about an unknown `KAKAO_TALK_CHANNEL_LOG` was given (once per module).
static WARNED_ENV_LEVEL: AtomicBool = AtomicBool::new(false);

impl Log {
    /// The `logger` option (`None`: `console`), called in `style`, at `level`.
    /// `env_warning`, about an unknown `KAKAO_TALK_CHANNEL_LOG`, is logged here, once.
    pub(super) fn new(
        target: Option<JsValue>,
        style: LogStyle,
        level: LogLevel,
        env_warning: Option<String>,
    ) -> Log {
        let target = target.unwrap_or(JsValue::UNDEFINED);
        let log = Log {
            target,
            style,
            level,
        };
        if let Some(warning) = env_warning {
            if !WARNED_ENV_LEVEL.swap(true, Ordering::Relaxed) {
                log.line(LogLevel::Warn, || {
                    (
                        warning,
                        JsonObject::new()
                            .str("level", level.as_str())
                            .str("variable", log::ENV_LOG)
                            .finish(),
                    )
                });
            }
        }
        log
    }

    /// Logs what `line` makes (message, data as a JSON object) at `level`, if that level is
    /// on: the line is formatted only then, so a quiet client pays nothing per attempt.
    pub(super) fn line(&self, level: LogLevel, line: impl FnOnce() -> (String, String)) {
        if level <= self.level && level != LogLevel::Off {
            let (message, data) = line();
            log_js(
                &self.target,
                self.style.as_str(),
                level.as_str(),
                &message,
                &data,
            );
        }
    }
}
