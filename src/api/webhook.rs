//! Kakao Talk Channel webhook (callback): Kakao POSTs to the service's callback URL when a user
//! adds or blocks the channel. Verifying the sender (`Authorization: KakaoAK <primary admin
//! key>`, compared in constant time) and parsing the JSON body.
//!
//! Body: `event` ("added" | "blocked"), `id` (string), `id_type` ("app_user_id" | "open_id"),
//! `channel_public_id`, `channel_uuid`, `updated_at` (RFC3339 UTC). Older deliveries name the
//! channel fields `plus_friend_public_id` and `plus_friend_uuid`; both spellings are accepted.

use crate::core::env;
use crate::core::error::ValidationError;
use crate::core::ids::{check_secret, ChannelPublicId};
use crate::core::rules::{self, Rule};
use crate::core::text::{describe_char, find_str, quoted};
use crate::core::time::parse_rfc3339;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Larger bodies are refused: Kakao's are a few hundred bytes. The JS side stops reading a
/// body at this many bytes (413), and `parse_event` refuses a longer string.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// How long reading a body may take by default, in ms: Kakao waits 3 seconds for an answer.
pub const DEFAULT_BODY_TIMEOUT_MS: u32 = 3_000;

/// The longest allowed `bodyTimeoutMs`.
pub const MAX_BODY_TIMEOUT_MS: u32 = 60_000;

/// How long a handled delivery id is remembered by default (`seenTtlMs`): one day.
pub const DEFAULT_SEEN_TTL_MS: u32 = 86_400_000;

/// The shortest `seenTtlMs`: one minute (Workers KV keeps a key at least 60 s).
pub const MIN_SEEN_TTL_MS: u32 = 60_000;

/// The longest `seenTtlMs`: 30 days.
pub const MAX_SEEN_TTL_MS: u32 = 2_592_000_000;

/// How long the handler may take to answer by default, in ms: below Kakao's 3 s wait, so a
/// delivery still being handled is answered 503 (and redelivered) rather than timed out.
pub const DEFAULT_ANSWER_WITHIN_MS: u32 = 2_500;
/// The shortest `answerWithinMs`.
pub const MIN_ANSWER_WITHIN_MS: u32 = 100;
/// The longest `answerWithinMs`: Kakao waits 3 s (callback doc), less a margin for the network.
pub const MAX_ANSWER_WITHIN_MS: u32 = 2_900;

/// How long a claim stays "processing" by default (`leaseMs`) before a redelivery may take it over.
pub const DEFAULT_LEASE_MS: u32 = 30_000;
/// The shortest `leaseMs`: Kakao redelivers about 3 s after a failed delivery.
pub const MIN_LEASE_MS: u32 = 3_000;

/// How long each store call (`claim`, `finish`, `release`) and each `onError` call may take by
/// default (`callTimeoutMs`).
pub const DEFAULT_CALL_TIMEOUT_MS: u32 = 1_000;
/// The shortest `callTimeoutMs`.
pub const MIN_CALL_TIMEOUT_MS: u32 = 10;
/// The longest `callTimeoutMs`.
pub const MAX_CALL_TIMEOUT_MS: u32 = 60_000;

/// Which methods a `seen` store has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeenMethods {
    pub claim: bool,
    pub finish: bool,
    pub release: bool,
    pub has: bool,
    pub add: bool,
}

/// Checks a `seen` store's shape: `claim(id, token, leaseMs)`, `finish(id, token, ttlMs)` and
/// `release(id, token)`. A plain `{ has, add }` store (such as a `Set`) is refused: it cannot
/// tell a delivery being handled from a handled one, nor whose claim it is.
pub fn check_seen_store(m: SeenMethods) -> Result<(), ValidationError> {
    const SHAPE: &str = "seen is a claim store with claim(id, token, leaseMs), finish(id, token, \
                         ttlMs) and release(id, token) (README: Channel add/block webhook)";
    if !m.claim && m.has && m.add {
        return Err(ValidationError::new(
            "seen",
            rules::WEBHOOK_SEEN_STORE,
            format!(
                "a has/add store (such as a Set) cannot tell a delivery being handled from a \
                 handled one and is no longer accepted: {SHAPE}"
            ),
        ));
    }
    let missing = [
        ("claim", m.claim),
        ("finish", m.finish),
        ("release", m.release),
    ]
    .into_iter()
    .find(|(_, present)| !present);
    match missing {
        None => Ok(()),
        Some((name, _)) => Err(ValidationError::new(
            format!("seen.{name}"),
            rules::PARAMS_TYPE,
            format!("must be a function: {SHAPE}"),
        )),
    }
}

/// The handler's timing, checked together: the lease must outlive the answer (a claim still
/// "processing" when the handler answers 503 keeps redeliveries away until `onEvent` settles)
/// and end before the handled id is forgotten.
pub fn check_timing(
    answer_within_ms: u32,
    lease_ms: u32,
    seen_ttl_ms: u32,
) -> Result<(), ValidationError> {
    if lease_ms <= answer_within_ms {
        return Err(ValidationError::new(
            "leaseMs",
            rules::OPTIONS_LEASE_MS,
            format!("must be longer than answerWithinMs ({answer_within_ms})"),
        ));
    }
    if lease_ms > seen_ttl_ms {
        return Err(ValidationError::new(
            "leaseMs",
            rules::OPTIONS_LEASE_MS,
            format!("must not be longer than seenTtlMs ({seen_ttl_ms})"),
        ));
    }
    Ok(())
}

/// The key deliveries are checked against: the `adminKey` option when given, else the
/// `KAKAO_ADMIN_KEY` variable (read as the client reads it: trimmed, blank counts as unset; the
/// caller passes `None` where the runtime has no environment, and in a browser). Required in the
/// end; checked as a secret, the error naming where it came from (`adminKey` or
/// `env.KAKAO_ADMIN_KEY`).
pub fn admin_key<'a>(
    option: Option<&'a str>,
    env_value: Option<&'a str>,
) -> Result<&'a str, ValidationError> {
    let Some((key, field)) = env::pick(option, "adminKey", env::ADMIN_KEY, env_value) else {
        return Err(ValidationError::new(
            "adminKey",
            crate::core::rules::PARAMS_REQUIRED,
            "is required: pass adminKey or set KAKAO_ADMIN_KEY (Kakao signs each delivery with the app's primary admin key)",
        ));
    };
    check_secret(key, &field)?;
    Ok(key)
}

/// A store's key prefix: 1 to 200 characters, no control character.
pub fn check_prefix(prefix: &str) -> Result<(), ValidationError> {
    let bad = |m: String| ValidationError::new("options.prefix", rules::OPTIONS_PREFIX, m);
    if prefix.is_empty() || prefix.chars().count() > 200 {
        return Err(bad("must be 1 to 200 characters".to_owned()));
    }
    match prefix.chars().find(|c| c.is_control()) {
        Some(c) => Err(bad(format!("must not contain {}", describe_char(c)))),
        None => Ok(()),
    }
}

/// A D1 table name, put into SQL as is: an SQL identifier (a letter or `_`, then letters,
/// digits or `_`; at most 64 characters), not starting with `sqlite_` (reserved by SQLite).
pub fn check_table(table: &str) -> Result<(), ValidationError> {
    let mut chars = table.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let ok = first_ok
        && table.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !table.to_ascii_lowercase().starts_with("sqlite_");
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            "options.table",
            rules::OPTIONS_TABLE,
            "must be an SQL identifier: a letter or '_', then letters, digits or '_' (at most 64, \
             not starting with sqlite_)",
        ))
    }
}

/// A JSON value whose objects, at any depth, have no key twice. serde_json keeps the last of
/// duplicate keys silently; a body such as `{"id":"1","id":"2"}` is ambiguous (another reader
/// may take the first), so it is refused. The first duplicate's path (`body.a[0].b`) is stored
/// in `dup` and the walk goes on to the end of the body (an error from here would go through
/// serde_json's `Error::custom`, whose message parsing links `str` searches and slicing that
/// can panic: ~8 KB of wasm with what they pull in); `parse_unique` then refuses the body. A
/// body both duplicated and malformed is refused for its duplicate, as when the walk stopped
/// there: `dup` is read first.
struct Unique<'a> {
    path: String,
    dup: &'a RefCell<Option<String>>,
}

impl Unique<'_> {
    fn child(&self, path: String) -> Self {
        Unique {
            path,
            dup: self.dup,
        }
    }
}

/// `.key` for a plain key, else `["key"]` (escaped, cut at 40 characters).
fn key_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 40
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{parent}.{key}")
    } else {
        let cut: String = key.chars().take(40).collect();
        format!("{parent}[{}]", quoted(&cut))
    }
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Only checks: the value itself is read afterwards, by `serde_json::from_str` (a second
/// visitor building a `Value` here linked more code than reading the body twice costs).
impl<'de> Visitor<'de> for Unique<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        while let Some(()) = seq.next_element_seed(self.child(format!("{}[{n}]", self.path)))? {
            n = n.saturating_add(1);
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // The keys seen so far, sorted (a binary search each: a 16 KiB body of short keys
        // stays fast).
        let mut keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = key_path(&self.path, &key);
            match keys.binary_search(&key) {
                Ok(_) => {
                    let mut dup = self.dup.borrow_mut();
                    if dup.is_none() {
                        *dup = Some(path.clone());
                    }
                }
                Err(at) => keys.insert(at, key),
            }
            map.next_value_seed(self.child(path))?;
        }
        Ok(())
    }
}

/// Parses `body` as JSON, refusing a key that appears twice in one object (at any depth).
fn parse_unique(body: &str) -> Result<Value, ValidationError> {
    let dup = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(body);
    let checked = Unique {
        path: "body".to_owned(),
        dup: &dup,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    let parsed = match checked {
        Ok(()) if dup.borrow().is_none() => serde_json::from_str::<Value>(body).ok(),
        _ => None,
    };
    parsed.ok_or_else(|| match dup.into_inner() {
        Some(path) => ValidationError::new(
            path,
            rules::WEBHOOK_DUPLICATE_KEY,
            "appears twice in one JSON object",
        ),
        None => ValidationError::new("body", rules::WEBHOOK_JSON, "is not valid JSON"),
    })
}

/// Why a delivery's `Authorization` header was refused. The header's value is never kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// Not `KakaoAK <key>`.
    Scheme,
    /// `KakaoAK` with another key.
    Mismatch,
}

impl AuthFailure {
    /// A stable id for the `reason` of `WebhookAuthError`.
    pub fn reason(self) -> &'static str {
        match self {
            AuthFailure::Missing => "missing",
            AuthFailure::Scheme => "scheme",
            AuthFailure::Mismatch => "mismatch",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            AuthFailure::Missing => "webhook request has no Authorization header",
            AuthFailure::Scheme => "webhook Authorization header is not \"KakaoAK <admin key>\"",
            AuthFailure::Mismatch => {
                "webhook Authorization header carries a key other than this app's admin key"
            }
        }
    }
}

/// Compares two byte strings in time that depends only on their lengths, not their contents.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().max(b.len());
    // Lengths differ → unequal, but still walk every byte so the timing says nothing more.
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    diff == 0
}

/// Verifies `Authorization: KakaoAK <admin_key>` (scheme case-insensitive, as HTTP schemes
/// are; the key compared in constant time).
pub fn verify_authorization(header: Option<&str>, admin_key: &str) -> Result<(), AuthFailure> {
    let header = header.map(str::trim).filter(|h| !h.is_empty());
    let Some(header) = header else {
        return Err(AuthFailure::Missing);
    };
    let (scheme, key) = header.split_once(' ').ok_or(AuthFailure::Scheme)?;
    if !scheme.eq_ignore_ascii_case("KakaoAK") {
        return Err(AuthFailure::Scheme);
    }
    if constant_time_eq(key.trim_start().as_bytes(), admin_key.as_bytes()) {
        Ok(())
    } else {
        Err(AuthFailure::Mismatch)
    }
}

/// One parsed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// "added" | "blocked"; unknown values pass through.
    pub event: String,
    /// The user's id as a decimal or opaque string (never rounded).
    pub user_id: String,
    /// "app_user_id" | "open_id"; unknown values pass through.
    pub id_type: String,
    pub channel_public_id: String,
    pub channel_uuid: String,
    /// UTC epoch millis of `updated_at`.
    pub updated_at: i64,
    /// `X-Kakao-Resource-ID`: unique per delivery; the key for dropping redeliveries.
    pub resource_id: Option<String>,
}

fn invalid(field: &str, rule: Rule, message: impl Into<String>) -> ValidationError {
    ValidationError::new(format!("body.{field}"), rule, message)
}

/// A required, non-empty string without control characters, under `names` (first wins).
fn text(obj: &Map<String, Value>, names: &[&str]) -> Result<String, ValidationError> {
    let primary = names.first().copied().unwrap_or_default();
    let Some((name, value)) = names
        .iter()
        .find_map(|n| obj.get(*n).filter(|v| !v.is_null()).map(|v| (*n, v)))
    else {
        return Err(invalid(
            primary,
            rules::WEBHOOK_REQUIRED,
            match names.get(1) {
                Some(old) => format!("is required (or its older name {})", quoted(old)),
                None => "is required".to_owned(),
            },
        ));
    };
    let s = match value {
        Value::String(s) => s.clone(),
        _ => {
            return Err(invalid(name, rules::WEBHOOK_TYPE, "must be a string"));
        }
    };
    if s.is_empty() {
        return Err(invalid(name, rules::WEBHOOK_EMPTY, "must not be empty"));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(invalid(
            name,
            rules::WEBHOOK_FORMAT,
            format!("must not contain {}", describe_char(c)),
        ));
    }
    Ok(s)
}

/// The JSON path of the first string (key or value) holding U+FFFD, in document order.
fn path_of_replacement(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::String(s) => find_str(s, "\u{FFFD}").is_some().then(|| path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| path_of_replacement(x, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let p = key_path(path, k);
            if find_str(k, "\u{FFFD}").is_some() {
                Some(p)
            } else {
                path_of_replacement(x, &p)
            }
        }),
        _ => None,
    }
}

/// Parses a delivery's body from its bytes: they must be UTF-8 (JSON's encoding, RFC 8259 §8.1);
/// an invalid sequence is a `webhook.utf8` error naming the string that holds it (e.g.
/// `body.channel_uuid`), never a U+FFFD handed on. Then as [`parse_event`].
pub fn parse_event_bytes(
    body: &[u8],
    resource_id: Option<&str>,
) -> Result<WebhookEvent, ValidationError> {
    if body.len() > MAX_BODY_BYTES {
        return parse_event(&String::from_utf8_lossy(body), resource_id);
    }
    match std::str::from_utf8(body) {
        Ok(text) => parse_event(text, resource_id),
        Err(e) => {
            let lossy = String::from_utf8_lossy(body);
            let field = parse_unique(&lossy)
                .ok()
                .and_then(|v| path_of_replacement(&v, "body"))
                .unwrap_or_else(|| "body".to_owned());
            Err(ValidationError::new(
                field,
                rules::WEBHOOK_UTF8,
                format!(
                    "is not valid UTF-8 (an invalid byte sequence at byte {})",
                    e.valid_up_to()
                ),
            ))
        }
    }
}

/// Parses and validates a delivery's body. `resource_id` is the `X-Kakao-Resource-ID` header.
/// Field paths in errors are `body.<Kakao's name>`, e.g. `body.updated_at`.
pub fn parse_event(body: &str, resource_id: Option<&str>) -> Result<WebhookEvent, ValidationError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ValidationError::new(
            "body",
            rules::WEBHOOK_BODY_TOO_LARGE,
            format!("is larger than {MAX_BODY_BYTES} bytes"),
        ));
    }
    let value = parse_unique(body)?;
    let Value::Object(obj) = value else {
        return Err(ValidationError::new(
            "body",
            rules::WEBHOOK_JSON,
            "must be a JSON object",
        ));
    };
    let event = text(&obj, &["event"])?;
    // `id` is documented as a string; a whole number is taken exactly (serde_json keeps 64
    // bits). User ids are never negative, so a negative number is refused.
    let user_id = match obj.get("id").and_then(Value::as_number) {
        Some(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(_)) => {
                return Err(invalid(
                    "id",
                    rules::WEBHOOK_NEGATIVE_ID,
                    "must not be negative",
                ))
            }
            _ => return Err(invalid("id", rules::WEBHOOK_TYPE, "must be a string")),
        },
        None => text(&obj, &["id"])?,
    };
    let id_type = text(&obj, &["id_type"])?;
    let channel_field = if obj.get("channel_public_id").is_some_and(|v| !v.is_null()) {
        "channel_public_id"
    } else {
        "plus_friend_public_id"
    };
    let channel_public_id = text(&obj, &["channel_public_id", "plus_friend_public_id"])?;
    ChannelPublicId::parse(&channel_public_id, &format!("body.{channel_field}"))?;
    let channel_uuid = text(&obj, &["channel_uuid", "plus_friend_uuid"])?;
    let updated_text = text(&obj, &["updated_at"])?;
    let updated_at = parse_rfc3339(&updated_text).ok_or_else(|| {
        invalid(
            "updated_at",
            rules::WEBHOOK_UPDATED_AT,
            if updated_text.chars().count() <= 40 {
                format!(
                    "must be an RFC3339 date-time such as \"2020-04-18T03:17:05Z\", got {}",
                    quoted(&updated_text)
                )
            } else {
                "must be an RFC3339 date-time such as \"2020-04-18T03:17:05Z\"".to_owned()
            },
        )
    })?;
    let resource_id = resource_id
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    Ok(WebhookEvent {
        event,
        user_id,
        id_type,
        channel_public_id,
        channel_uuid,
        updated_at,
        resource_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn admin_key_from_the_option_then_the_variable() {
        let got = |o, e| admin_key(o, e).map_err(|e| (e.field, e.rule, e.message));
        assert_eq!(got(Some("k1"), Some("k2")), Ok("k1"));
        assert_eq!(got(None, Some(" k2\n")), Ok("k2"));
        let missing =
            got(None, Some("  ")).map_err(|(f, r, m)| (f, r, m.contains("or set KAKAO_ADMIN_KEY")));
        assert_eq!(missing, Err(("adminKey".into(), "params.required", true)));
        assert_eq!(got(None, None).map_err(|e| e.0), Err("adminKey".into()));
        assert_eq!(
            got(None, Some("a b")).map_err(|e| (e.0, e.1)),
            Err(("env.KAKAO_ADMIN_KEY".into(), "secret.format"))
        );
        assert_eq!(
            got(Some(""), Some("k2")).map_err(|e| (e.0, e.1)),
            Err(("adminKey".into(), "secret.empty"))
        );
    }

    #[test]
    fn seen_store_shapes() {
        let m = |claim, finish, release, has, add| SeenMethods {
            claim,
            finish,
            release,
            has,
            add,
        };
        let field = |s| check_seen_store(s).map_err(|e| (e.field, e.rule));
        assert_eq!(field(m(true, true, true, false, false)), Ok(()));
        assert_eq!(field(m(true, true, true, true, true)), Ok(()));
        // The old shapes: claim/release without finish, a Set.
        assert_eq!(
            field(m(true, false, true, false, false)),
            Err(("seen.finish".into(), "params.type"))
        );
        assert_eq!(
            field(m(false, false, false, true, true)),
            Err(("seen".into(), "webhook.seen_store"))
        );
        assert_eq!(
            field(m(true, true, false, false, false)),
            Err(("seen.release".into(), "params.type"))
        );
        assert_eq!(
            field(m(false, false, false, false, false)),
            Err(("seen.claim".into(), "params.type"))
        );
    }

    #[test]
    fn timing_rules() {
        let rule = |a, l, t| check_timing(a, l, t).map_err(|e| (e.field, e.rule));
        assert_eq!(rule(2500, 30_000, 86_400_000), Ok(()));
        assert_eq!(
            rule(2500, 2500, 86_400_000),
            Err(("leaseMs".into(), "options.lease_ms"))
        );
        assert_eq!(
            rule(2500, 60_001, 60_000),
            Err(("leaseMs".into(), "options.lease_ms"))
        );
        assert_eq!(rule(2500, 60_000, 60_000), Ok(()));
    }

    #[test]
    fn prefix_and_table_rules() {
        assert!(check_prefix("wh:").is_ok());
        assert!(check_prefix("").is_err());
        assert!(check_prefix("a\nb").is_err());
        assert!(check_prefix(&"a".repeat(201)).is_err());
        for ok in ["kakao_webhook_seen", "_t", "T1"] {
            assert!(check_table(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1t",
            "t;drop",
            "a b",
            "sqlite_x",
            "SQLite_x",
            &"a".repeat(65),
        ] {
            assert_eq!(
                check_table(bad).map_err(|e| e.rule),
                Err("options.table"),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_utf8_names_the_string() {
        let body = format!(r#"{{{GOOD},"id":"1"}}"#);
        let at = body.find("@a").unwrap() + 1;
        let mut bytes = body.clone().into_bytes();
        bytes.insert(at, 0xff);
        let e = parse_event_bytes(&bytes, None).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("body.channel_uuid", "webhook.utf8")
        );
        assert!(e.message.contains(&format!("byte {at}")), "{}", e.message);
        let mut id = format!(r#"{{{GOOD},"id":"op"}}"#).into_bytes();
        let at = id.len() - 3;
        id.splice(at..at, [0xc3, 0x28]);
        assert_eq!(parse_event_bytes(&id, None).unwrap_err().field, "body.id");
        // Outside any string the body is not JSON at all.
        assert_eq!(
            parse_event_bytes(b"\xff{}", None).unwrap_err().field,
            "body"
        );
        // An escaped or literal U+FFFD in valid UTF-8 passes as text.
        let ok = format!(r#"{{{GOOD},"id":"\ufffd{}"}}"#, '\u{FFFD}');
        assert_eq!(
            parse_event_bytes(ok.as_bytes(), None).unwrap().user_id,
            "\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn authorization_is_checked() {
        assert_eq!(
            verify_authorization(Some(&format!("KakaoAK {KEY}")), KEY),
            Ok(())
        );
        assert_eq!(
            verify_authorization(Some(&format!("kakaoak {KEY}")), KEY),
            Ok(())
        );
        assert_eq!(verify_authorization(None, KEY), Err(AuthFailure::Missing));
        assert_eq!(
            verify_authorization(Some("  "), KEY),
            Err(AuthFailure::Missing)
        );
        assert_eq!(
            verify_authorization(Some(&format!("Bearer {KEY}")), KEY),
            Err(AuthFailure::Scheme)
        );
        assert_eq!(
            verify_authorization(Some(KEY), KEY),
            Err(AuthFailure::Scheme)
        );
        assert_eq!(
            verify_authorization(Some("KakaoAK 0123456789abcdef0123456789abcdee"), KEY),
            Err(AuthFailure::Mismatch)
        );
        assert_eq!(
            verify_authorization(Some(&format!("KakaoAK {KEY}x")), KEY),
            Err(AuthFailure::Mismatch)
        );
        assert_eq!(
            verify_authorization(Some("KakaoAK "), KEY),
            Err(AuthFailure::Scheme)
        );
    }

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(!constant_time_eq(b"\0", b""));
    }

    #[test]
    fn parses_a_delivery() {
        let body = r#"{"event":"added","id":"9223372036854775807","id_type":"app_user_id",
            "channel_public_id":"_ZeUTxl","channel_uuid":"@testchannel",
            "updated_at":"2020-04-18T03:17:05Z"}"#;
        let e = parse_event(body, Some("d1b2c3")).unwrap();
        assert_eq!(
            e,
            WebhookEvent {
                event: "added".into(),
                user_id: "9223372036854775807".into(),
                id_type: "app_user_id".into(),
                channel_public_id: "_ZeUTxl".into(),
                channel_uuid: "@testchannel".into(),
                updated_at: 1_587_179_825_000,
                resource_id: Some("d1b2c3".into()),
            }
        );
    }

    #[test]
    fn legacy_names_and_unknown_values_pass() {
        let body = r#"{"event":"unblocked","id":"op3n","id_type":"open_id",
            "plus_friend_public_id":"_xnrxjem","plus_friend_uuid":"@plus",
            "updated_at":"2020-04-18T12:17:05.250+09:00","extra":1}"#;
        let e = parse_event(body, None).unwrap();
        assert_eq!(e.event, "unblocked");
        assert_eq!(e.id_type, "open_id");
        assert_eq!(e.channel_public_id, "_xnrxjem");
        assert_eq!(e.channel_uuid, "@plus");
        assert_eq!(e.updated_at, 1_587_179_825_250);
        assert_eq!(e.resource_id, None);
    }

    #[test]
    fn an_integer_id_is_kept_exactly() {
        let body = r#"{"event":"added","id":9223372036854775807,"id_type":"app_user_id",
            "channel_public_id":"_a","channel_uuid":"@a","updated_at":"2020-04-18T03:17:05Z"}"#;
        assert_eq!(
            parse_event(body, None).unwrap().user_id,
            "9223372036854775807"
        );
    }

    fn err(body: &str) -> (String, &'static str) {
        let e = parse_event(body, None).unwrap_err();
        (e.field, e.rule)
    }

    #[test]
    fn malformed_bodies_name_the_field() {
        let ok = r#""event":"added","id":"1","id_type":"app_user_id","channel_public_id":"_a","channel_uuid":"@a""#;
        assert_eq!(err("{"), ("body".into(), "webhook.json"));
        assert_eq!(err("[1]"), ("body".into(), "webhook.json"));
        assert_eq!(err(""), ("body".into(), "webhook.json"));
        assert_eq!(
            err(&format!("{{{ok}}}")),
            ("body.updated_at".into(), "webhook.required")
        );
        assert_eq!(
            err(&format!("{{{ok},\"updated_at\":\"2020-02-30T00:00:00Z\"}}")),
            ("body.updated_at".into(), "webhook.updated_at")
        );
        assert_eq!(
            err(&format!("{{{ok},\"updated_at\":12}}")),
            ("body.updated_at".into(), "webhook.type")
        );
        assert_eq!(
            err(r#"{"event":"","id":"1"}"#),
            ("body.event".into(), "webhook.empty")
        );
        assert_eq!(
            err(r#"{"event":"added","id":1.5}"#),
            ("body.id".into(), "webhook.type")
        );
        assert_eq!(
            err(r#"{"event":"added","id":"1","id_type":"app_user_id","channel_uuid":"@a"}"#),
            ("body.channel_public_id".into(), "webhook.required")
        );
        assert_eq!(
            err(
                r#"{"event":"added","id":"1","id_type":"app_user_id","plus_friend_public_id":"a b"}"#
            ),
            ("body.plus_friend_public_id".into(), "channel_id.format")
        );
        assert_eq!(
            err(r#"{"event":"add\ned","id":"1"}"#),
            ("body.event".into(), "webhook.format")
        );
        let big = format!("{{\"event\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES));
        assert_eq!(err(&big), ("body".into(), "webhook.body_too_large"));
        let exact = format!("{{\"event\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES - 12));
        assert_eq!(exact.len(), MAX_BODY_BYTES);
        assert_eq!(err(&exact), ("body.id".into(), "webhook.required"));
    }

    const GOOD: &str = r#""event":"added","id_type":"app_user_id","channel_public_id":"_a","channel_uuid":"@a","updated_at":"2020-04-18T03:17:05Z""#;

    #[test]
    fn a_duplicate_key_at_any_depth_is_refused() {
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":"1","id":"2"}}"#)),
            ("body.id".into(), "webhook.duplicate_key")
        );
        // An escaped spelling of the same key is the same key.
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":"1","i\u0064":"2"}}"#)),
            ("body.id".into(), "webhook.duplicate_key")
        );
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":"1","extra":{{"a":1,"a":1}}}}"#)),
            ("body.extra.a".into(), "webhook.duplicate_key")
        );
        assert_eq!(
            err(&format!(
                r#"{{{GOOD},"id":"1","x":[{{}},[{{"k y":0,"k y":0}}]]}}"#
            )),
            ("body.x[1][0][\"k y\"]".into(), "webhook.duplicate_key")
        );
        // The first duplicate is named, whatever follows it: a later duplicate, a malformed
        // rest of the body (the walk goes on after a duplicate), trailing garbage.
        assert_eq!(
            err(&format!(
                r#"{{{GOOD},"a":{{"b":1,"b":2}},"id":"1","id":"2"}}"#
            )),
            ("body.a.b".into(), "webhook.duplicate_key")
        );
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":"1","id":"2","z":[1,}}"#)),
            ("body.id".into(), "webhook.duplicate_key")
        );
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":"1","id":"2"}} x"#)),
            ("body.id".into(), "webhook.duplicate_key")
        );
        // Malformed before any duplicate: not JSON.
        assert_eq!(
            err(&format!(r#"{{{GOOD},"z":[1,],"id":"1","id":"2"}}"#)),
            ("body".into(), "webhook.json")
        );
        // The same key in two different objects is fine.
        let ok = format!(r#"{{{GOOD},"id":"1","x":[{{"id":1}},{{"id":2}}],"y":{{"id":3}}}}"#);
        assert_eq!(parse_event(&ok, None).unwrap().user_id, "1");
        // Trailing garbage after a valid object is still not JSON.
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":"1"}} x"#)),
            ("body".into(), "webhook.json")
        );
        assert!(parse_event(&format!("\n {{{GOOD},\"id\":\"1\"}} \n"), None).is_ok());
    }

    #[test]
    fn a_negative_numeric_id_is_refused() {
        for id in ["-1", "-9223372036854775808"] {
            assert_eq!(
                err(&format!(r#"{{{GOOD},"id":{id}}}"#)),
                ("body.id".into(), "webhook.negative_id"),
                "{id}"
            );
        }
        assert_eq!(
            parse_event(&format!(r#"{{{GOOD},"id":0}}"#), None)
                .unwrap()
                .user_id,
            "0"
        );
        assert_eq!(
            parse_event(&format!(r#"{{{GOOD},"id":18446744073709551615}}"#), None)
                .unwrap()
                .user_id,
            "18446744073709551615"
        );
        assert_eq!(
            err(&format!(r#"{{{GOOD},"id":-1.5}}"#)),
            ("body.id".into(), "webhook.type")
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing() {
        let deep = format!(
            r#"{{{GOOD},"id":"1","x":{}{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert_eq!(err(&deep), ("body".into(), "webhook.json"));
    }
}
