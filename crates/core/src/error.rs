//! The error model (validation, Kakao API, response errors), and Kakao's error-code table.
//!
//! The wasm edge turns these into the JS classes of `pkg-template/errors.js`.

use super::kinds::{kakao_code, Kind};
use super::rules::Rule;
/// Re-exported from [`crate::text`], where it lives, for the modules that import it from
/// here (the bulk-user reader among them).
pub use super::text::quoted;
use super::text::{find_bytes, find_str, replace_str};
use std::fmt;
use std::fmt::Write as _;

/// Longest message (and `msg`) kept, in characters, before the "… (N more characters)" note:
/// a 50 MB `msg` from a proxy must not become a 50 MB `error.message`.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// Longest `field` path kept (a path can carry a caller's field name).
pub const MAX_FIELD_CHARS: usize = 300;
/// Longest body snippet, in characters.
pub const MAX_SNIPPET_CHARS: usize = 200;
/// Longest string value kept in the extra fields of an error body.
pub const MAX_EXTRA_STRING_CHARS: usize = 1_000;
/// Longest key kept in the extra fields of an error body.
pub const MAX_EXTRA_KEY_CHARS: usize = 100;
/// Most keys kept per object (the top level included) and items per array in the extras.
pub const MAX_EXTRA_ENTRIES: usize = 32;
/// Deepest nesting kept in the extras: a top-level value is depth 1; a container deeper
/// than this becomes a short string describing it.
pub const MAX_EXTRA_DEPTH: usize = 4;
/// Most values kept in all the extras together (containers count as one each).
pub const MAX_EXTRA_VALUES: usize = 256;
/// Most characters of string values kept in all the extras together (keys, each at most
/// [`MAX_EXTRA_KEY_CHARS`], are not counted).
pub const MAX_EXTRA_CHARS: usize = 8_000;

/// `s` cut to its first `max` characters (on a char boundary), with "… (N more characters)"
/// appended when anything was cut. Linear in the length of `s`, and `s` is returned as is
/// (no copy) when it fits.
pub fn bounded(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s,
        Some((at, _)) => {
            // `get`, not `split_at`: `at` is a char boundary, and `split_at`'s panic message
            // links `char`'s `Debug` (see `text::find_str`).
            let (kept, rest) = (
                s.get(..at).unwrap_or_default(),
                s.get(at..).unwrap_or_default(),
            );
            let mut out = String::with_capacity(at.saturating_add(32));
            out.push_str(kept);
            let _ = write!(out, "… ({} more characters)", rest.chars().count());
            out
        }
    }
}

/// An input that breaks a documented rule, found before any request is sent. Made only by
/// [`ValidationError::new`], from a [`Rule`] of the rule table.
// A private field, not `#[non_exhaustive]`: that attribute does not stop a struct literal
// inside this crate, where every error is made.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Path of the offending value, e.g. `channelIds[2]` or `users[17].fields.연령`.
    pub field: String,
    /// Stable machine-readable rule id, e.g. `channel_id.format`: always a [`Rule`]'s id.
    pub rule: &'static str,
    /// Human message. Never contains a key or token.
    pub message: String,
    /// Keeps the struct from being written as a literal outside this module: the rule comes
    /// from the table, through `new`.
    sealed: (),
}

impl ValidationError {
    /// `field` is cut to [`MAX_FIELD_CHARS`] and `message` to [`MAX_MESSAGE_CHARS`]: both may
    /// carry a caller's (possibly huge) field name.
    pub fn new(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        ValidationError {
            field: bounded(field.into(), MAX_FIELD_CHARS),
            rule: rule.as_str(),
            message: bounded(message.into(), MAX_MESSAGE_CHARS),
            sealed: (),
        }
    }
}

impl fmt::Debug for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationError")
            .field("field", &self.field)
            .field("rule", &self.rule)
            .field("message", &self.message)
            .finish()
    }
}

/// `field: message [rule]`.
impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.field)?;
        f.write_str(": ")?;
        f.write_str(&self.message)?;
        f.write_str(" [")?;
        f.write_str(self.rule)?;
        f.write_str("]")
    }
}

impl std::error::Error for ValidationError {}

/// A body that is not what Kakao's documentation promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    pub status: u16,
    pub message: String,
    /// At most 200 characters of the body, secrets redacted.
    pub body_snippet: String,
}

impl ResponseError {
    /// `message` is cut to [`MAX_MESSAGE_CHARS`]; the snippet is the body's first 200 characters.
    pub fn new(status: u16, message: impl Into<String>, body: &str) -> Self {
        ResponseError {
            status,
            message: bounded(message.into(), MAX_MESSAGE_CHARS),
            body_snippet: snippet(body),
        }
    }
}

/// The `message` of the JS error: `Unexpected response from Kakao: <message>`.
impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unexpected response from Kakao: ")?;
        f.write_str(&self.message)
    }
}

impl std::error::Error for ResponseError {}

/// The first 200 characters of `body` (on a char boundary).
pub fn snippet(body: &str) -> String {
    body.chars().take(MAX_SNIPPET_CHARS).collect()
}

/// What is left to keep of the extras of one error body.
struct Budget {
    values: usize,
    chars: usize,
}

impl Budget {
    /// A string cut to `max` characters and to what is left of the budget; only the
    /// characters kept from `s` are charged (not the "… (N more characters)" note).
    fn text(&mut self, s: String, max: usize) -> String {
        let allowed = max.min(self.chars);
        let kept = s.chars().take(allowed).count();
        self.chars = self.chars.saturating_sub(kept);
        bounded(s, allowed)
    }

    /// `v` within the limits at `depth` (1 for a top-level value), or `None` once
    /// [`MAX_EXTRA_VALUES`] values have been kept.
    fn value(&mut self, v: serde_json::Value, depth: usize) -> Option<serde_json::Value> {
        use serde_json::Value;
        self.values = self.values.checked_sub(1)?;
        let deeper = depth.saturating_add(1);
        Some(match v {
            Value::String(s) => Value::String(self.text(s, MAX_EXTRA_STRING_CHARS)),
            Value::Array(a) if depth >= MAX_EXTRA_DEPTH => Value::String(format!(
                "… (an array of {} items, nested too deep)",
                a.len()
            )),
            Value::Object(o) if depth >= MAX_EXTRA_DEPTH => Value::String(format!(
                "… (an object of {} keys, nested too deep)",
                o.len()
            )),
            // A loop, not `map_while(..).collect()` (an in-place collect of its own).
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len().min(MAX_EXTRA_ENTRIES));
                for v in a.into_iter().take(MAX_EXTRA_ENTRIES) {
                    let Some(v) = self.value(v, deeper) else {
                        break;
                    };
                    out.push(v);
                }
                Value::Array(out)
            }
            // Inserted one by one (the last of equal keys wins, as `collect` does): a
            // `collect` into the map would link a stable sort and a bulk build.
            Value::Object(o) => {
                let mut out = serde_json::Map::new();
                for (k, v) in o.into_iter().take(MAX_EXTRA_ENTRIES) {
                    let Some(v) = self.value(v, deeper) else {
                        break;
                    };
                    out.insert(bounded(k, MAX_EXTRA_KEY_CHARS), v);
                }
                Value::Object(out)
            }
            other => other,
        })
    }
}

/// A non-2xx answer from Kakao.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// Kakao's negative code, or `None` when the body was not Kakao's `{msg, code}` JSON.
    pub code: Option<i64>,
    /// Kakao's `msg`, cut to [`MAX_MESSAGE_CHARS`].
    pub msg: String,
    /// From Kakao's code table ([`super::kinds`]).
    pub kind: Kind,
    pub retryable: bool,
    /// Other fields of Kakao's body, keys camelCased (`required_scopes` → `requiredScopes`),
    /// bounded: at most 32 keys per object and items per array, 4 levels deep, 256 values
    /// and 8,000 characters of string values in all, each string ≤ 1,000 characters and each
    /// key ≤ 100 (cut with "… (N more characters)"); see the `MAX_EXTRA_*` constants.
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
                kind: Kind::HTTP_STATUS,
                retryable: status_retryable,
                extra: Vec::new(),
                body_snippet: Some(snippet(body)),
            };
        };
        let mut code = None;
        let mut msg = String::new();
        let mut extra = Vec::new();
        let mut budget = Budget {
            values: MAX_EXTRA_VALUES,
            chars: MAX_EXTRA_CHARS,
        };
        for (k, v) in map {
            match (k.as_str(), v) {
                ("code", v) => code = v.as_i64(),
                ("msg", serde_json::Value::String(s)) => msg = bounded(s, MAX_MESSAGE_CHARS),
                (_, v) if extra.len() < MAX_EXTRA_ENTRIES => {
                    if let Some(v) = budget.value(v, 1) {
                        let key = bounded(camel_case(&k), MAX_EXTRA_KEY_CHARS);
                        extra.push((key, v));
                    }
                }
                _ => {}
            }
        }
        let (kind, code_retryable) = code.map_or((Kind::UNKNOWN, false), kakao_code);
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

/// [`ApiError::message`].
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}

/// HTTP statuses retried whatever the body says.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
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

/// Replaces every occurrence of each secret (keys, tokens) in `text` with `[REDACTED]`: as
/// is, and percent-encoded in any way (any of its bytes as `%XX`, hex digits in either case,
/// as `encodeURIComponent`, `encodeURI` or another encoder would write it). A prefix of a
/// secret of at least 4 characters where `text` may have been cut is redacted too: before
/// the "… (N more characters)" note of [`bounded`], and at the end of a text of exactly
/// [`MAX_SNIPPET_CHARS`] characters (a [`snippet`]); a cut must not leave the start of a key
/// readable. Secrets shorter than 4 characters are not searched for (they would shred
/// ordinary text).
pub fn redact<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let s = s.as_ref();
        if s.len() < MIN_SECRET_CHARS {
            continue;
        }
        if find_str(&out, s).is_some() {
            out = replace_str(&out, s, REDACTED);
        }
        // Without a `%`, a spelling is the secret's own bytes, whole (replaced just above) or
        // cut after at least its first `MIN_SECRET_CHARS`: a text without those (most header
        // values, ids, dates) holds none, and is not rebuilt.
        let head = s.as_bytes().get(..MIN_SECRET_CHARS).unwrap_or_default();
        if out.bytes().any(|b| b == b'%') || find_bytes(out.as_bytes(), head).is_some() {
            out = redact_spelled(&out, s.as_bytes());
        }
    }
    out
}

const REDACTED: &str = "[REDACTED]";
/// Shorter secrets, and shorter prefixes of a secret at a cut, are left alone.
const MIN_SECRET_CHARS: usize = 4;
/// What [`bounded`] appends after the characters it keeps.
const CUT_NOTE: &str = "… (";

/// The value of an ASCII hex digit.
fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// How `text` from byte `at` spells `secret`, each byte as itself or as `%XX`: the number of
/// bytes of `secret` spelled and where in `text` the spelling ends.
fn spelled(text: &[u8], at: usize, secret: &[u8]) -> (usize, usize) {
    let mut pos = at;
    let mut matched: usize = 0;
    for &want in secret {
        let encoded = match (
            text.get(pos),
            text.get(pos.saturating_add(1)),
            text.get(pos.saturating_add(2)),
        ) {
            (Some(b'%'), Some(&hi), Some(&lo)) => hex_value(hi)
                .zip(hex_value(lo))
                .map(|(h, l)| h.wrapping_shl(4) | l),
            _ => None,
        };
        if encoded == Some(want) {
            pos = pos.saturating_add(3);
        } else if text.get(pos) == Some(&want) {
            pos = pos.saturating_add(1);
        } else {
            break;
        }
        matched = matched.saturating_add(1);
    }
    (matched, pos)
}

/// `text` with every spelling of `secret` (and a prefix of it at a cut) replaced.
fn redact_spelled(text: &str, secret: &[u8]) -> String {
    let bytes = text.as_bytes();
    let Some(&first) = secret.first() else {
        return text.to_owned();
    };
    // Only a text of a snippet's length may end where it was cut.
    let maybe_cut_at_end = text
        .chars()
        .nth(MAX_SNIPPET_CHARS.saturating_sub(1))
        .is_some()
        && text.chars().nth(MAX_SNIPPET_CHARS).is_none();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == first || b == b'%' {
            let (matched, end) = spelled(bytes, i, secret);
            let at_cut = (maybe_cut_at_end && end == bytes.len())
                || bytes
                    .get(end..)
                    .is_some_and(|rest| rest.starts_with(CUT_NOTE.as_bytes()));
            if matched == secret.len() || (matched >= MIN_SECRET_CHARS && at_cut) {
                // A spelling is ASCII only, so `i` and `end` are char boundaries.
                out.extend_from_slice(REDACTED.as_bytes());
                i = end;
                continue;
            }
        }
        out.push(b);
        i = i.saturating_add(1);
    }
    String::from_utf8(out).unwrap_or_else(|_| REDACTED.to_owned())
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
        assert_eq!((e.code, e.kind), (None, Kind::HTTP_STATUS));
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
    fn redact_every_percent_encoding_of_a_secret() {
        let key = "sEcReT+pct/key=0!(x)";
        for spelled in [
            "sEcReT%2Bpct%2Fkey%3D0!(x)",       // encodeURIComponent
            "sEcReT%2Bpct%2Fkey%3D0%21%28x%29", // RFC 3986 (the query encoder)
            "sEcReT%2bpct%2fkey%3d0!(x)",       // lower-case hex
            "%73EcReT+pct/key=0!(x)",           // an unreserved byte encoded too
        ] {
            assert_eq!(
                redact(&format!("a {spelled} b"), &[key]),
                "a [REDACTED] b",
                "{spelled}"
            );
        }
        assert_eq!(redact("%2 %zz sEcReT ok", &[key]), "%2 %zz sEcReT ok");
        assert_eq!(redact("100%", &[key]), "100%");
    }

    #[test]
    fn redact_a_secret_cut_in_half() {
        let key = "0123456789abcdef";
        let cut = bounded(format!("{}{key}tail", "x".repeat(995)), MAX_MESSAGE_CHARS);
        let out = redact(&cut, &[key]);
        assert!(out.ends_with("x[REDACTED]… (15 more characters)"), "{out}");
        let cut = snippet(&format!("{}{key}", "s".repeat(194)));
        assert_eq!(
            redact(&cut, &[key]),
            format!("{}[REDACTED]", "s".repeat(194))
        );
        let cut = snippet(&format!("{}%30%31%323%34", "s".repeat(190)));
        assert_eq!(
            redact(&cut, &[key]),
            format!("{}[REDACTED]", "s".repeat(190))
        );
        // Fewer than 4 characters of it, or a prefix that is not at a cut, stay: a short
        // text that merely ends like a key starts (a header `x-0123`) is not a cut snippet.
        let cut = snippet(&format!("{}{key}", "s".repeat(197)));
        assert_eq!(redact(&cut, &[key]), cut);
        assert_eq!(redact("x-0123", &[key]), "x-0123");
        assert_eq!(redact("0123 and more", &[key]), "0123 and more");
        // Not a byte of the text is lost around a redaction, multi-byte characters included.
        assert_eq!(redact("가0123456789abcdef나", &[key]), "가[REDACTED]나");
    }

    #[test]
    fn redact_skips_only_texts_no_spelling_can_be_in() {
        // What `redact` did before it skipped texts: every text through `redact_spelled`.
        fn every_text(text: &str, s: &str) -> String {
            redact_spelled(&text.replace(s, REDACTED), s.as_bytes())
        }
        let key = "0123456789abcdef";
        let long = format!("{}{}", "y".repeat(MAX_SNIPPET_CHARS - 6), &key[..6]);
        let cut = bounded(format!("{}{key}", "x".repeat(995)), MAX_MESSAGE_CHARS);
        for text in [
            "",
            "application/json",
            "x-0123",
            "0123 and more",
            "k=0123456789abcdef&u=%30%31%32%33%34%35%36%37%38%39abcdef",
            "%",
            "012%33",
            "가0123456789abcdef나",
            long.as_str(),
            cut.as_str(),
        ] {
            assert_eq!(redact(text, &[key]), every_text(text, key), "{text}");
        }
    }

    #[test]
    fn snippet_cuts_on_char_boundary() {
        let s = "가".repeat(300);
        assert_eq!(snippet(&s).chars().count(), 200);
    }

    const FIFTY_MB: usize = 50 * 1024 * 1024;

    /// Runs `f`, failing if it takes more than `secs` (far above linear work on 50 MB even in
    /// a debug build on a busy machine; quadratic work would take hours).
    fn within<T>(secs: u64, f: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let out = f();
        let took = start.elapsed();
        assert!(took.as_secs() < secs, "took {took:?}");
        out
    }

    #[test]
    fn bounded_cuts_on_a_char_boundary_and_says_how_much() {
        assert_eq!(bounded("abc".into(), 3), "abc");
        assert_eq!(bounded("abcd".into(), 3), "abc… (1 more characters)");
        assert_eq!(bounded("가나다라".into(), 2), "가나… (2 more characters)");
        assert_eq!(bounded("가".into(), 0), "… (1 more characters)");
        assert_eq!(bounded(String::new(), 0), "");
    }

    #[test]
    fn a_50_mb_msg_becomes_a_1000_char_msg() {
        let body = format!(r#"{{"code":-2,"msg":"{}"}}"#, "가".repeat(FIFTY_MB / 3));
        let e = within(60, || ApiError::from_response(400, &body));
        assert_eq!(e.code, Some(-2));
        let cut = format!(
            "{}… ({} more characters)",
            "가".repeat(1_000),
            FIFTY_MB / 3 - 1_000
        );
        assert_eq!(e.msg, cut);
        assert_eq!(
            e.message(),
            format!("Kakao API error 400 (code -2, IllegalParams): {cut}")
        );
        assert_eq!(e.body_snippet, None);
        // Not JSON: the snippet alone, 200 characters.
        let junk = "x".repeat(FIFTY_MB);
        let e = within(60, || ApiError::from_response(502, &junk));
        assert_eq!(e.body_snippet.as_deref(), Some("x".repeat(200).as_str()));
        assert!(e.message().len() < 100);
    }

    #[test]
    fn extras_are_bounded_in_length_keys_depth_and_total() {
        use serde_json::{json, Value};
        // A 50 MB string value and a 50 MB key.
        let body = format!(
            r#"{{"code":-2,"msg":"m","detail":"{}","{}":1}}"#,
            "d".repeat(FIFTY_MB),
            "k".repeat(FIFTY_MB)
        );
        let e = within(60, || ApiError::from_response(400, &body));
        let long_key = format!("{}… ({} more characters)", "k".repeat(100), FIFTY_MB - 100);
        let long_value = format!(
            "{}… ({} more characters)",
            "d".repeat(1_000),
            FIFTY_MB - 1_000
        );
        assert_eq!(
            e.extra,
            vec![
                ("detail".to_owned(), json!(long_value)),
                (long_key, json!(1)),
            ]
        );
        // A million keys at the top, a million items in an array, nesting 100 deep.
        let mut body = String::from(r#"{"code":-2,"list":["#);
        for i in 0..1_000_000 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&i.to_string());
        }
        body.push_str(r#"],"deep":"#);
        body.push_str(&"[".repeat(100));
        body.push_str(&"]".repeat(100));
        for i in 0..1_000_000 {
            body.push_str(&format!(r#","z{i:07}":"v""#));
        }
        body.push('}');
        let e = within(60, || ApiError::from_response(400, &body));
        // serde_json's map is sorted: "deep", "list", then the first 30 "z…" keys.
        let keys: Vec<&str> = e.extra.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys.len(), MAX_EXTRA_ENTRIES);
        assert_eq!(keys[..3], ["deep", "list", "z0000000"]);
        assert_eq!(keys[31], "z0000029");
        let get = |k: &str| e.extra.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        // Depth 1 is the array itself; depth 4 is the deepest container kept open.
        assert_eq!(
            get("deep"),
            Some(&json!([[["… (an array of 1 items, nested too deep)"]]]))
        );
        let list = get("list").and_then(Value::as_array).unwrap();
        assert_eq!(list.len(), MAX_EXTRA_ENTRIES);
        assert_eq!(list[31], json!(31));
        // The total stays small.
        let total: usize = e
            .extra
            .iter()
            .map(|(k, v)| k.len() + v.to_string().len())
            .sum();
        assert!(total < 2_000, "{total}");
        // Many long strings share one budget of 8,000 characters and 256 values.
        let mut body = String::from(r#"{"code":-2"#);
        for i in 0..20 {
            body.push_str(&format!(r#","s{i:02}":["#));
            for j in 0..30 {
                if j > 0 {
                    body.push(',');
                }
                body.push_str(&format!("\"{}\"", "z".repeat(2_000)));
            }
            body.push(']');
        }
        body.push('}');
        let e = ApiError::from_response(400, &body);
        let values = |v: &Value| -> usize {
            fn count(v: &Value) -> usize {
                match v {
                    Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
                    Value::Object(o) => 1 + o.values().map(count).sum::<usize>(),
                    _ => 1,
                }
            }
            count(v)
        };
        let kept_values: usize = e.extra.iter().map(|(_, v)| values(v)).sum();
        assert!(kept_values <= MAX_EXTRA_VALUES, "{kept_values}");
        let z_chars: usize = e
            .extra
            .iter()
            .map(|(_, v)| v.to_string().matches('z').count())
            .sum();
        assert_eq!(z_chars, MAX_EXTRA_CHARS);
        let keys: Vec<&str> = e.extra.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys[..2], ["s00", "s01"]);
        // The first strings are cut at 1,000 characters, later ones to what is left.
        let first = e.extra[0].1[0].as_str().unwrap();
        assert_eq!(
            first,
            format!("{}… (1000 more characters)", "z".repeat(1_000))
        );
    }

    #[test]
    fn response_and_validation_messages_are_bounded() {
        let huge = "q".repeat(FIFTY_MB);
        let e = within(60, || {
            ResponseError::new(200, format!("bad: {huge}"), &huge)
        });
        let note = format!("… ({} more characters)", FIFTY_MB + 5 - 1_000);
        assert_eq!(e.message, format!("bad: {}{note}", "q".repeat(995)));
        assert_eq!(e.body_snippet.len(), 200);
        let e = within(60, || {
            ValidationError::new(
                format!("users[0].fields.{huge}"),
                crate::rules::FIELDS_UNKNOWN_KEY,
                format!("{huge:?} is not in the file's schema"),
            )
        });
        assert!(e.field.starts_with("users[0].fields.qqq"));
        assert!(e
            .field
            .ends_with(&format!("… ({} more characters)", FIFTY_MB + 16 - 300)));
        assert!(e.message.chars().count() < 1_100);
    }
}
