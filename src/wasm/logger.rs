//! The client's logger: the `logger` option, checked by the shape marshal.js reports of it
//! (`loggerShape`: which methods are functions, and whether it is pino), and the one JS
//! function that calls it. The rules are `core::log`'s.

use super::convert::Handles;
use crate::api::packed::Val;
use crate::core::error::ValidationError;
use crate::core::json::JsonObject;
use crate::core::log::{self, LogLevel, LogStyle};
use crate::core::rules;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/pkg-template/marshal.js")]
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
    /// The `logger` option (`value`, with the shape JS reported of it) at `level`.
    /// `env_warning`, about an unknown `KAKAO_TALK_CHANNEL_LOG`, is logged here, once.
    pub(super) fn new(
        value: &Val,
        handles: &Handles,
        shape: Option<&str>,
        level: LogLevel,
        env_warning: Option<String>,
    ) -> Result<Log, ValidationError> {
        let (target, style) = match value {
            Val::Undefined => (JsValue::UNDEFINED, LogStyle::MessageFirst),
            v @ (Val::Handle('o', _) | Val::Handle('f', _)) => {
                let shape = shape
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
                    .unwrap_or(Value::Null);
                let functions: Vec<&str> = shape
                    .get("functions")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                log::check_logger(&functions)?;
                let style = if shape.get("pino").and_then(Value::as_bool) == Some(true) {
                    LogStyle::DataFirst
                } else {
                    LogStyle::MessageFirst
                };
                (handles.get(v).unwrap_or(JsValue::UNDEFINED), style)
            }
            other => {
                return Err(ValidationError::new(
                    "logger",
                    rules::PARAMS_TYPE,
                    format!(
                    "must be an object with debug/info/warn/error methods (like console); got {}",
                    other.type_name()
                ),
                ))
            }
        };
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
        Ok(log)
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
