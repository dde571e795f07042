//! Log levels and the lines the client logs: one per attempt at `debug`, retries and
//! give-ups at `warn`. A line never holds a key or token, and never a user id above `debug`
//! (paths are logged without their query, which is where ids travel).

use super::error::ValidationError;
use super::rules;
use super::text::quoted;

/// `off` < `error` < `warn` < `info` < `debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
}

pub const DEFAULT_LEVEL: LogLevel = LogLevel::Warn;

impl LogLevel {
    /// A level's name; `field` names where it came from (`logLevel`, or the environment
    /// variable `KAKAO_TALK_CHANNEL_LOG`).
    pub fn parse(s: &str, field: &str) -> Result<LogLevel, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(LogLevel::Off),
            "error" => Ok(LogLevel::Error),
            "warn" => Ok(LogLevel::Warn),
            "info" => Ok(LogLevel::Info),
            "debug" => Ok(LogLevel::Debug),
            _ => Err(ValidationError::new(
                field,
                rules::OPTIONS_LOG_LEVEL,
                format!(
                    "must be \"off\", \"error\", \"warn\", \"info\" or \"debug\", got {}",
                    quoted(&s.chars().take(20).collect::<String>())
                ),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

/// The methods a `logger` must have (the `Logger` type of client.d.ts), in level order.
pub const LOGGER_METHODS: [&str; 4] = ["debug", "info", "warn", "error"];

/// How a logger's methods are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStyle {
    /// `logger.warn(message, data)`: `console`, winston, and the default.
    MessageFirst,
    /// `logger.warn(data, message)`: pino, whose first argument is the object merged into the line.
    DataFirst,
}

impl LogStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            LogStyle::MessageFirst => "message-first",
            LogStyle::DataFirst => "data-first",
        }
    }
}

/// Checks a `logger` by the names of its properties that are functions (own or inherited):
/// each of [`LOGGER_METHODS`] must be one. The error names the first one missing
/// (`logger.warn`) and lists them all.
pub fn check_logger(functions: &[&str]) -> Result<(), ValidationError> {
    let missing: Vec<&str> = LOGGER_METHODS
        .iter()
        .copied()
        .filter(|m| !functions.contains(m))
        .collect();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(ValidationError::new(
            format!("logger.{first}"),
            rules::OPTIONS_LOGGER,
            format!(
                "must be a function: a logger has debug, info, warn and error methods (like console); missing: {}",
                missing.join(", ")
            ),
        )),
    }
}

/// The client's level: `option` (the `logLevel` option; an unknown name is an error), else
/// `env` (`KAKAO_TALK_CHANNEL_LOG`; blank counts as unset, and an unknown name falls back to
/// the default with the warning returned, to be logged once), else [`DEFAULT_LEVEL`].
pub fn level_from(
    option: Option<&str>,
    env: Option<&str>,
) -> Result<(LogLevel, Option<String>), ValidationError> {
    if let Some(l) = option {
        return Ok((LogLevel::parse(l, "logLevel")?, None));
    }
    match env.filter(|e| !e.trim().is_empty()) {
        None => Ok((DEFAULT_LEVEL, None)),
        Some(e) => match LogLevel::parse(e, ENV_LOG) {
            Ok(level) => Ok((level, None)),
            Err(err) => Ok((
                DEFAULT_LEVEL,
                Some(format!(
                    "kakao-talk-channel: ignoring {ENV_LOG}: {}; using \"{}\"",
                    err.message,
                    DEFAULT_LEVEL.as_str()
                )),
            )),
        },
    }
}

/// The environment variable that sets the default level.
pub const ENV_LOG: &str = "KAKAO_TALK_CHANNEL_LOG";

/// `path_and_query` without its query: `/v2/api/talk/channels?target_id=1` → `/v2/api/talk/channels`.
pub fn path_only(path_and_query: &str) -> &str {
    path_and_query
        .split_once('?')
        .map_or(path_and_query, |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(LogLevel::parse(" DEBUG ", "logLevel"), Ok(LogLevel::Debug));
        assert!(LogLevel::Warn < LogLevel::Debug && LogLevel::Off < LogLevel::Error);
        let e = LogLevel::parse("verbose", "KAKAO_TALK_CHANNEL_LOG").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("KAKAO_TALK_CHANNEL_LOG", "options.log_level")
        );
    }

    #[test]
    fn loggers_need_all_four_methods() {
        assert_eq!(
            check_logger(&["error", "warn", "info", "debug", "child"]),
            Ok(())
        );
        let e = check_logger(&["debug", "info", "error"]).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("logger.warn", "options.logger")
        );
        assert!(e.message.ends_with("missing: warn"), "{}", e.message);
        let e = check_logger(&["warning", "err"]).unwrap_err();
        assert_eq!(e.field, "logger.debug");
        assert!(
            e.message.ends_with("missing: debug, info, warn, error"),
            "{}",
            e.message
        );
    }

    #[test]
    fn level_option_then_env_then_default() {
        assert_eq!(
            level_from(Some("info"), Some("debug")),
            Ok((LogLevel::Info, None))
        );
        assert_eq!(
            level_from(None, Some(" Debug ")),
            Ok((LogLevel::Debug, None))
        );
        assert_eq!(level_from(None, Some("  ")), Ok((LogLevel::Warn, None)));
        assert_eq!(level_from(None, None), Ok((LogLevel::Warn, None)));
        let e = level_from(Some("verbose"), None).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("logLevel", "options.log_level")
        );
        // An unknown env value is not an error: the default, and a warning naming the variable.
        let (level, warning) = level_from(None, Some("verbose")).unwrap();
        assert_eq!(level, LogLevel::Warn);
        assert_eq!(
            warning.as_deref(),
            Some("kakao-talk-channel: ignoring KAKAO_TALK_CHANNEL_LOG: must be \"off\", \"error\", \"warn\", \"info\" or \"debug\", got \"verbose\"; using \"warn\"")
        );
    }

    #[test]
    fn paths_lose_their_query() {
        assert_eq!(
            path_only("/v2/api/talk/channels?target_id=1"),
            "/v2/api/talk/channels"
        );
        assert_eq!(path_only("/x"), "/x");
    }
}
