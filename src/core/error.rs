//! The error model of API.md, and Kakao's error-code table.
//!
//! The wasm edge turns these into the JS classes of `pkg-template/errors.js`.

use std::fmt;

/// An input that breaks a documented rule, found before any request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Path of the offending value, e.g. `channelIds[2]` or `users[17].fields.연령`.
    pub field: String,
    /// Stable machine-readable rule id, e.g. `channel_id.format`.
    pub rule: &'static str,
    /// Human message. Never contains a key or token.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, rule: &'static str, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]", self.field, self.message, self.rule)
    }
}

/// A body that is not what Kakao's documentation promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    pub status: u16,
    pub message: String,
    /// At most 200 characters of the body, secrets redacted.
    pub body_snippet: String,
}

impl ResponseError {
    pub fn new(status: u16, message: impl Into<String>, body: &str) -> Self {
        ResponseError {
            status,
            message: message.into(),
            body_snippet: snippet(body),
        }
    }
}

/// The first 200 characters of `body` (on a char boundary).
pub fn snippet(body: &str) -> String {
    body.chars().take(200).collect()
}

/// A non-2xx answer from Kakao.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// Kakao's negative code, or `None` when the body was not Kakao's `{msg, code}` JSON.
    pub code: Option<i64>,
    pub msg: String,
    pub kind: &'static str,
    pub retryable: bool,
    /// Other fields of Kakao's body, keys camelCased (`required_scopes` → `requiredScopes`).
    pub extra: Vec<(String, serde_json::Value)>,
    /// Set when the body was not Kakao JSON: the first 200 characters.
    pub body_snippet: Option<String>,
}

impl ApiError {
    /// Reads Kakao's error body tolerantly. `body` should already be redacted of secrets.
    pub fn from_response(status: u16, body: &str) -> ApiError {
        let parsed: Option<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| match v {
                    serde_json::Value::Object(m) => Some(m),
                    _ => None,
                });
        let status_retryable = is_retryable_status(status);
        let Some(map) = parsed.filter(|m| m.get("code").is_some_and(|c| c.is_i64())) else {
            return ApiError {
                status,
                code: None,
                msg: String::new(),
                kind: "HttpStatus",
                retryable: status_retryable,
                extra: Vec::new(),
                body_snippet: Some(snippet(body)),
            };
        };
        let mut code = None;
        let mut msg = String::new();
        let mut extra = Vec::new();
        for (k, v) in map {
            match (k.as_str(), v) {
                ("code", v) => code = v.as_i64(),
                ("msg", serde_json::Value::String(s)) => msg = s,
                (_, v) => extra.push((camel_case(&k), v)),
            }
        }
        let (kind, code_retryable) = code.map_or(("Unknown", false), kakao_code);
        ApiError {
            status,
            code,
            msg,
            kind,
            retryable: status_retryable || code_retryable,
            extra,
            body_snippet: None,
        }
    }

    /// The `message` of the JS error.
    pub fn message(&self) -> String {
        match self.code {
            Some(code) if self.msg.is_empty() => {
                format!(
                    "Kakao API error {} (code {code}, {})",
                    self.status, self.kind
                )
            }
            Some(code) => format!(
                "Kakao API error {} (code {code}, {}): {}",
                self.status, self.kind, self.msg
            ),
            None => format!(
                "Kakao API error {}: the body is not Kakao's error JSON",
                self.status
            ),
        }
    }
}

/// HTTP statuses retried whatever the body says.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Kakao's code table (`kakao-error-codes.md`): code → (kind, retryable).
pub fn kakao_code(code: i64) -> (&'static str, bool) {
    match code {
        -1 => ("InternalError", true),
        -2 => ("IllegalParams", false),
        -3 => ("UnsupportedApi", false),
        -4 => ("BlockedAccount", false),
        -5 => ("PermissionDenied", false),
        -6 => ("ServiceUnavailable", false),
        -7 => ("ServiceMaintenance", true),
        -8 => ("InvalidHeader", false),
        -9 => ("DeprecatedApi", false),
        -10 => ("ApiLimitExceeded", false),
        -11 => ("SpendingLimitExceeded", false),
        -12 => ("BlockedApp", false),
        -101 => ("NotRegisteredUser", false),
        -102 => ("AlreadyRegisteredUser", false),
        -103 => ("AccountDoesNotExist", false),
        -201 => ("PropertyKeyDoesNotExist", false),
        -401 => ("InvalidToken", false),
        -402 => ("InsufficientScope", false),
        -405 => ("RequiredAgeVerification", false),
        -406 => ("UnderAgeLimit", false),
        -501 => ("NotTalkUser", false),
        -541 => ("ChannelNotFound", false),
        -544 => ("ChannelBanned", false),
        -602 => ("ImageUploadSizeExceeded", false),
        -603 => ("ServerTimeout", true),
        -606 => ("ImageMaxUploadCountExceeded", false),
        -815 => ("CustomerFileInternalError", true),
        -816 => ("CustomerFileNotFound", false),
        -817 => ("CustomerFileNameInvalid", false),
        -818 => ("CustomerFileLimitExceeded", false),
        -819 => ("ChannelNotConnected", false),
        -903 => ("DeveloperDoesNotExist", false),
        -911 => ("NotBizApp", false),
        -9798 => ("UnderMaintenance", true),
        _ => ("Unknown", false),
    }
}

/// `required_scopes` → `requiredScopes`.
pub fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces every occurrence of each secret (keys, tokens) in `text` with `[REDACTED]`, also in
/// its percent-encoded form (a key echoed inside a URL). Secrets shorter than 4 characters are
/// not searched for (they would shred ordinary text).
pub fn redact<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let s = s.as_ref();
        if s.len() < 4 {
            continue;
        }
        if out.contains(s) {
            out = out.replace(s, "[REDACTED]");
        }
        let mut encoded = String::new();
        crate::core::request::encode_component(s, &mut encoded);
        if encoded != s && out.contains(&encoded) {
            out = out.replace(&encoded, "[REDACTED]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_plain_and_percent_encoded_secrets() {
        let key = "abc def/ghi";
        let text = "k=abc def/ghi u=abc%20def%2Fghi";
        assert_eq!(redact(text, &[key]), "k=[REDACTED] u=[REDACTED]");
        assert_eq!(redact("abc", &["abc"]), "abc");
    }

    #[test]
    fn not_talk_user_from_doc_sample() {
        let e = ApiError::from_response(
            400,
            r#"{ "msg": "given account is not connected to any talk user.", "code": -501 }"#,
        );
        assert_eq!(e.status, 400);
        assert_eq!(e.code, Some(-501));
        assert_eq!(e.kind, "NotTalkUser");
        assert_eq!(e.msg, "given account is not connected to any talk user.");
        assert!(!e.retryable);
        assert!(e.extra.is_empty());
        assert_eq!(
            e.message(),
            "Kakao API error 400 (code -501, NotTalkUser): given account is not connected to any talk user."
        );
    }

    #[test]
    fn extra_fields_are_camel_cased_and_kept() {
        let e = ApiError::from_response(
            403,
            r#"{"msg":"insufficient scopes.","code":-402,"api_type":"TALK_CHANNELS","required_scopes":["plusfriends"]}"#,
        );
        assert_eq!(e.kind, "InsufficientScope");
        assert_eq!(
            e.extra,
            vec![
                ("apiType".to_owned(), serde_json::json!("TALK_CHANNELS")),
                (
                    "requiredScopes".to_owned(),
                    serde_json::json!(["plusfriends"])
                ),
            ]
        );
    }

    #[test]
    fn code_table_matches_kakao_error_codes_md() {
        let table: &[(i64, &str, bool)] = &[
            (-1, "InternalError", true),
            (-2, "IllegalParams", false),
            (-3, "UnsupportedApi", false),
            (-4, "BlockedAccount", false),
            (-5, "PermissionDenied", false),
            (-6, "ServiceUnavailable", false),
            (-7, "ServiceMaintenance", true),
            (-8, "InvalidHeader", false),
            (-9, "DeprecatedApi", false),
            (-10, "ApiLimitExceeded", false),
            (-11, "SpendingLimitExceeded", false),
            (-12, "BlockedApp", false),
            (-101, "NotRegisteredUser", false),
            (-102, "AlreadyRegisteredUser", false),
            (-103, "AccountDoesNotExist", false),
            (-201, "PropertyKeyDoesNotExist", false),
            (-401, "InvalidToken", false),
            (-402, "InsufficientScope", false),
            (-405, "RequiredAgeVerification", false),
            (-406, "UnderAgeLimit", false),
            (-501, "NotTalkUser", false),
            (-541, "ChannelNotFound", false),
            (-544, "ChannelBanned", false),
            (-602, "ImageUploadSizeExceeded", false),
            (-603, "ServerTimeout", true),
            (-606, "ImageMaxUploadCountExceeded", false),
            (-815, "CustomerFileInternalError", true),
            (-816, "CustomerFileNotFound", false),
            (-817, "CustomerFileNameInvalid", false),
            (-818, "CustomerFileLimitExceeded", false),
            (-819, "ChannelNotConnected", false),
            (-903, "DeveloperDoesNotExist", false),
            (-911, "NotBizApp", false),
            (-9798, "UnderMaintenance", true),
            (-12345, "Unknown", false),
            (7, "Unknown", false),
        ];
        for &(code, kind, retryable) in table {
            assert_eq!(kakao_code(code), (kind, retryable), "code {code}");
        }
    }

    #[test]
    fn quota_error_is_not_retried_but_5xx_and_429_are() {
        let quota = ApiError::from_response(400, r#"{"msg":"quota","code":-10,"rule_id":7}"#);
        assert_eq!(quota.kind, "ApiLimitExceeded");
        assert!(!quota.retryable);
        assert_eq!(
            quota.extra,
            vec![("ruleId".to_owned(), serde_json::json!(7))]
        );
        for status in [429, 500, 502, 503, 504] {
            assert!(ApiError::from_response(status, "").retryable, "{status}");
        }
        for status in [400, 401, 403, 404, 501] {
            assert!(!ApiError::from_response(status, "").retryable, "{status}");
        }
        let maint = ApiError::from_response(400, r#"{"msg":"m","code":-7}"#);
        assert!(maint.retryable);
    }

    #[test]
    fn non_json_bodies_give_http_status_kind() {
        let html = "<html><body>502 Bad Gateway</body></html>";
        let e = ApiError::from_response(502, html);
        assert_eq!(e.code, None);
        assert_eq!(e.kind, "HttpStatus");
        assert!(e.retryable);
        assert_eq!(e.body_snippet.as_deref(), Some(html));
        // JSON without a numeric code is not Kakao's error shape either.
        let e = ApiError::from_response(400, r#"{"error":"x"}"#);
        assert_eq!((e.code, e.kind), (None, "HttpStatus"));
        let long = "x".repeat(500);
        let e = ApiError::from_response(500, &long);
        assert_eq!(e.body_snippet.map(|s| s.len()), Some(200));
    }

    #[test]
    fn camel_case_cases() {
        assert_eq!(camel_case("required_scopes"), "requiredScopes");
        assert_eq!(camel_case("api_type"), "apiType");
        assert_eq!(camel_case("extras"), "extras");
        assert_eq!(camel_case("_x"), "x");
    }

    #[test]
    fn redact_replaces_every_secret() {
        let out = redact(
            "Authorization: KakaoAK abcd1234 and abcd1234",
            &["abcd1234", "ab"],
        );
        assert_eq!(out, "Authorization: KakaoAK [REDACTED] and [REDACTED]");
    }

    #[test]
    fn snippet_cuts_on_char_boundary() {
        let s = "가".repeat(300);
        assert_eq!(snippet(&s).chars().count(), 200);
    }
}
