//! Log levels and the lines the client logs: one per attempt at `debug`, retries and
//! give-ups at `warn`. A line never holds a key or token, and never a user id above `debug`
//! (paths are logged without their query, which is where ids travel).

use super::error::{quoted, ValidationError};
use super::rules;

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
    fn paths_lose_their_query() {
        assert_eq!(
            path_only("/v2/api/talk/channels?target_id=1"),
            "/v2/api/talk/channels"
        );
        assert_eq!(path_only("/x"), "/x");
    }
}
