//! The environment variables the client reads, where the runtime has an environment (Node,
//! Bun, Deno with `--allow-env`; never in a browser), when the matching option is absent or
//! `undefined`. Precedence: the option, then the variable, then the default. A variable's
//! value goes through the option's own checks; an error names it as `env.<NAME>`.

/// Read for `adminKey`.
pub const ADMIN_KEY: &str = "KAKAO_ADMIN_KEY";
/// Read for `restApiKey`.
pub const REST_API_KEY: &str = "KAKAO_REST_API_KEY";
/// Read for `baseUrl`.
pub const BASE_URL: &str = "KAKAO_BASE_URL";

/// Every variable read, `KAKAO_TALK_CHANNEL_LOG` (for `logLevel`) included.
pub const ALL: [&str; 4] = [ADMIN_KEY, REST_API_KEY, BASE_URL, super::log::ENV_LOG];

/// A variable's value as the client uses it: trimmed (a trailing newline from a file or a
/// shell), and blank counts as unset.
pub fn value(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|v| !v.is_empty())
}

/// The `field` of an error about variable `name`: `env.KAKAO_BASE_URL`.
pub fn field(name: &str) -> String {
    format!("env.{name}")
}

/// The option's value when given, else the variable's; with the field to name in an error.
pub fn pick<'a>(
    option: Option<&'a str>,
    option_field: &str,
    name: &str,
    env: Option<&'a str>,
) -> Option<(&'a str, String)> {
    match option {
        Some(v) => Some((v, option_field.to_owned())),
        None => value(env).map(|v| (v, field(name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_then_variable() {
        assert_eq!(
            pick(Some("a"), "adminKey", ADMIN_KEY, Some("b")),
            Some(("a", "adminKey".to_owned()))
        );
        assert_eq!(
            pick(None, "adminKey", ADMIN_KEY, Some(" b\n")),
            Some(("b", "env.KAKAO_ADMIN_KEY".to_owned()))
        );
        assert_eq!(pick(None, "adminKey", ADMIN_KEY, Some("  ")), None);
        assert_eq!(pick(None, "baseUrl", BASE_URL, None), None);
        // An explicit empty option is the option's (and its checks refuse it).
        assert_eq!(
            pick(Some(""), "adminKey", ADMIN_KEY, Some("b")),
            Some(("", "adminKey".to_owned()))
        );
    }
}
