//! User ids (lossless i64), channel public ids, and credential strings.

use super::decimal::parse_i64;
use super::error::ValidationError;
use super::rules;
/// Re-exported from [`crate::text`], where it lives, for the modules that import it from here.
pub use super::text::describe_char;
use super::text::quoted;
use std::fmt;

/// Largest integer a JS number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A Kakao service user id: a positive 64-bit integer, never rounded through a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(i64);

impl UserId {
    pub fn get(self) -> i64 {
        self.0
    }

    /// From an integer; `field` names the input in errors.
    pub fn from_i64(n: i64, field: &str) -> Result<Self, ValidationError> {
        if n <= 0 {
            return Err(ValidationError::new(
                field,
                rules::USER_ID_RANGE,
                format!("must be a positive integer, got {n}"),
            ));
        }
        Ok(UserId(n))
    }

    /// From a JS number: a positive safe integer.
    pub fn from_f64(n: f64, field: &str) -> Result<Self, ValidationError> {
        if !n.is_finite() || n.fract() != 0.0 {
            return Err(ValidationError::new(
                field,
                rules::USER_ID_FORMAT,
                "must be an integer (a number, bigint or decimal string)",
            ));
        }
        if n <= 0.0 {
            return Err(ValidationError::new(
                field,
                rules::USER_ID_RANGE,
                "must be a positive integer",
            ));
        }
        if n > MAX_SAFE_INTEGER {
            return Err(ValidationError::new(
                field,
                rules::USER_ID_UNSAFE_NUMBER,
                "is larger than Number.MAX_SAFE_INTEGER and may already be rounded: pass it as a bigint or a decimal string",
            ));
        }
        // In range and integral: the cast is exact.
        Ok(UserId(n as i64))
    }

    /// From a decimal string (also how a bigint arrives): digits only, no sign, no leading zero.
    pub fn from_decimal(s: &str, field: &str) -> Result<Self, ValidationError> {
        // The common case in one pass; anything else (and every error) by the checks below.
        if let Some(n) = short_decimal(s) {
            return Ok(UserId(n));
        }
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            let rule = if s.starts_with('-') {
                rules::USER_ID_RANGE
            } else {
                rules::USER_ID_FORMAT
            };
            // Echo only what could be an id (≤ 20 chars): a long string may be a key pasted
            // into the wrong place, and even a prefix of a key must not reach a log.
            let got = if s.chars().count() <= 20 {
                format!(", got {}", quoted(s))
            } else {
                String::new()
            };
            return Err(ValidationError::new(
                field,
                rule,
                format!("must be a positive decimal integer{got}"),
            ));
        }
        if s.len() > 1 && s.starts_with('0') {
            return Err(ValidationError::new(
                field,
                rules::USER_ID_FORMAT,
                format!("must not have leading zeros, got {}", quoted(s)),
            ));
        }
        match parse_i64(s) {
            Some(n) => UserId::from_i64(n, field),
            None => Err(ValidationError::new(
                field,
                rules::USER_ID_RANGE,
                "must be at most 9223372036854775807 (2^63-1)",
            )),
        }
    }
}

/// `s` as a number when it is 1 to 18 ASCII digits, the first not `0`: then it is a valid id
/// (positive, below 10^18 < 2^63, so the wrapping arithmetic never wraps).
fn short_decimal(s: &str) -> Option<i64> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > 18 || bytes.first() == Some(&b'0') {
        return None;
    }
    let mut n: i64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n
            .wrapping_mul(10)
            .wrapping_add(i64::from(b.wrapping_sub(b'0')));
    }
    Some(n)
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A channel's public id such as `_ZeUTxl`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelPublicId(String);

impl ChannelPublicId {
    pub fn parse(s: &str, field: &str) -> Result<Self, ValidationError> {
        if s.is_empty() {
            return Err(ValidationError::new(
                field,
                rules::CHANNEL_ID_EMPTY,
                "must not be empty",
            ));
        }
        if let Some(c) = s
            .chars()
            .find(|&c| c == ',' || c == '&' || c == '=' || c.is_whitespace() || c.is_control())
        {
            return Err(ValidationError::new(
                field,
                rules::CHANNEL_ID_FORMAT,
                format!(
                    "must not contain {} (a channel public id looks like \"_ZeUTxl\")",
                    describe_char(c)
                ),
            ));
        }
        Ok(ChannelPublicId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A list of channel ids for one request: at least one.
pub fn channel_ids<S: AsRef<str>>(
    ids: &[S],
    field: &str,
) -> Result<Vec<ChannelPublicId>, ValidationError> {
    if ids.is_empty() {
        return Err(ValidationError::new(
            field,
            rules::CHANNEL_IDS_EMPTY,
            "must list at least one channel public id",
        ));
    }
    ids.iter()
        .enumerate()
        .map(|(i, s)| ChannelPublicId::parse(s.as_ref(), &format!("{field}[{i}]")))
        .collect()
}

/// Checks an app key or access token before it goes into a header: visible ASCII only, so
/// it cannot split a header (CR/LF), be truncated (NUL) or be mangled by a `Headers` object.
/// The message never contains the value.
pub fn check_secret(value: &str, field: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::new(
            field,
            rules::SECRET_EMPTY,
            "must not be empty",
        ));
    }
    if let Some(c) = value.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(ValidationError::new(
            field,
            rules::SECRET_FORMAT,
            format!(
                "must be printable ASCII without spaces; it contains {}",
                describe_char(c)
            ),
        ));
    }
    Ok(())
}

/// Checks a phone id (`userType: "phone"`): digits with an optional leading `+`, spaces or
/// hyphens between, 9 to 15 digits. It is sent as given; the returned key (`+` and digits)
/// is for spotting duplicates written differently.
pub fn phone_key(s: &str, field: &str) -> Result<String, ValidationError> {
    phone_number(s, field)?;
    let digits = s.chars().filter(char::is_ascii_digit);
    Ok(if s.starts_with('+') {
        std::iter::once('+').chain(digits).collect()
    } else {
        digits.collect()
    })
}

/// [`phone_key`]'s checks without building its text: the key as one exact number (the digits,
/// their count and the `+`, so `010…` and `10…` stay apart), for duplicate checks with no
/// allocation per id.
pub fn phone_number(s: &str, field: &str) -> Result<u64, ValidationError> {
    let body = s.strip_prefix('+').unwrap_or(s);
    let mut count: u64 = 0;
    let mut value: u64 = 0;
    for c in body.chars() {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            count = count.saturating_add(1);
            value = value.wrapping_mul(10).wrapping_add(u64::from(d));
        } else if c != ' ' && c != '-' {
            return Err(ValidationError::new(
                field,
                rules::PHONE_FORMAT,
                format!(
                    "a phone number has digits with an optional leading '+', spaces or hyphens; it contains {}",
                    describe_char(c)
                ),
            ));
        }
    }
    if !(9..=15).contains(&count) {
        return Err(ValidationError::new(
            field,
            rules::PHONE_LENGTH,
            format!("a phone number has 9 to 15 digits, this one has {count}"),
        ));
    }
    if !body.starts_with(|c: char| c.is_ascii_digit())
        || !body.ends_with(|c: char| c.is_ascii_digit())
    {
        return Err(ValidationError::new(
            field,
            rules::PHONE_FORMAT,
            "a phone number starts and ends with a digit (after an optional '+')",
        ));
    }
    // 15 digits < 2^50: value, count and the `+` fit one u64 side by side.
    Ok((u64::from(s.starts_with('+')) << 63) | (count << 56) | value)
}

/// A customer file id: a positive safe integer.
pub fn file_id(n: f64, field: &str) -> Result<u64, ValidationError> {
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(ValidationError::new(
            field,
            rules::FILE_ID_FORMAT,
            "must be a whole number",
        ));
    }
    if n <= 0.0 || n > MAX_SAFE_INTEGER {
        return Err(ValidationError::new(
            field,
            rules::FILE_ID_RANGE,
            "must be a positive safe integer",
        ));
    }
    Ok(n as u64)
}

/// A customer file name: not empty, no control characters.
pub fn file_name(s: &str, field: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            rules::FILE_NAME_EMPTY,
            "must not be empty",
        ));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(ValidationError::new(
            field,
            rules::FILE_NAME_FORMAT,
            format!("must not contain {}", describe_char(c)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_from_decimal() {
        assert_eq!(UserId::from_decimal("1", "u").map(UserId::get), Ok(1));
        assert_eq!(
            UserId::from_decimal("9223372036854775807", "u").map(UserId::get),
            Ok(i64::MAX)
        );
        // The one-pass path (1 to 18 digits, no leading 0) and the checked one on each side of it.
        for s in [
            "7",
            "5000000123",
            "999999999999999999",
            "1000000000000000000",
            "9223372036854775806",
        ] {
            assert_eq!(
                UserId::from_decimal(s, "u").map(UserId::get).ok(),
                s.parse::<i64>().ok(),
                "{s}"
            );
        }
        let cases: &[(&str, &str)] = &[
            ("", "user_id.format"),
            ("0", "user_id.range"),
            ("0123456789", "user_id.format"),
            ("12345678901234567x", "user_id.format"),
            ("-5", "user_id.range"),
            ("+5", "user_id.format"),
            (" 5", "user_id.format"),
            ("5 ", "user_id.format"),
            ("1e3", "user_id.format"),
            ("12.0", "user_id.format"),
            ("007", "user_id.format"),
            ("9223372036854775808", "user_id.range"),
            ("99999999999999999999999", "user_id.range"),
            ("１２", "user_id.format"),
        ];
        for (input, rule) in cases {
            let err = UserId::from_decimal(input, "userIds[3]").unwrap_err();
            assert_eq!(err.rule, *rule, "input {input:?}");
            assert_eq!(err.field, "userIds[3]");
        }
    }

    #[test]
    fn user_id_from_number() {
        assert_eq!(UserId::from_f64(42.0, "u").map(UserId::get), Ok(42));
        assert_eq!(
            UserId::from_f64(MAX_SAFE_INTEGER, "u").map(UserId::get),
            Ok(9_007_199_254_740_991)
        );
        let cases: &[(f64, &str)] = &[
            (0.0, "user_id.range"),
            (-1.0, "user_id.range"),
            (1.5, "user_id.format"),
            (f64::NAN, "user_id.format"),
            (f64::INFINITY, "user_id.format"),
            (9_007_199_254_740_992.0, "user_id.unsafe_number"),
        ];
        for (input, rule) in cases {
            assert_eq!(
                UserId::from_f64(*input, "u").unwrap_err().rule,
                *rule,
                "{input}"
            );
        }
    }

    #[test]
    fn channel_public_ids() {
        assert_eq!(
            ChannelPublicId::parse("_ZeUTxl", "c").map(|c| c.as_str().to_owned()),
            Ok("_ZeUTxl".to_owned())
        );
        let cases: &[(&str, &str)] = &[
            ("", "channel_id.empty"),
            ("_a,_b", "channel_id.format"),
            ("_a b", "channel_id.format"),
            ("_a\tb", "channel_id.format"),
            ("_a\r\nX-Evil: 1", "channel_id.format"),
            ("_a\0", "channel_id.format"),
            ("_a&target_id=1", "channel_id.format"),
            ("_a=b", "channel_id.format"),
            ("_a\u{3000}", "channel_id.format"),
        ];
        for (input, rule) in cases {
            let e = ChannelPublicId::parse(input, "channelIds[1]").unwrap_err();
            assert_eq!(e.rule, *rule, "{input:?}");
            assert_eq!(e.field, "channelIds[1]");
        }
    }

    #[test]
    fn channel_id_lists() {
        let e = channel_ids::<&str>(&[], "channelIds").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("channelIds", "channel_ids.empty")
        );
        let e = channel_ids(&["_ok", "bad id"], "channelIds").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("channelIds[1]", "channel_id.format")
        );
        assert_eq!(
            channel_ids(&["_a", "_b"], "channelIds").map(|v| v.len()),
            Ok(2)
        );
    }

    #[test]
    fn secrets_are_checked_without_echo() {
        assert!(check_secret("0123456789abcdef0123456789abcdef", "adminKey").is_ok());
        for bad in ["", "abc\r\nX: y", "abc\0", "abc def", "키abc"] {
            let e = check_secret(bad, "adminKey").unwrap_err();
            assert_eq!(e.field, "adminKey");
            assert!(e.rule.starts_with("secret."));
            if bad.len() > 3 {
                assert!(!e.message.contains(bad), "{bad:?} echoed");
            }
        }
    }

    #[test]
    fn phone_ids() {
        assert_eq!(
            phone_key("010-1234-5678", "p").as_deref(),
            Ok("01012345678")
        );
        assert_eq!(
            phone_key("+82 10 1234 5678", "p").as_deref(),
            Ok("+821012345678")
        );
        assert_eq!(phone_key("010123456", "p").as_deref(), Ok("010123456"));
        let cases: &[(&str, &str)] = &[
            ("", "phone.length"),
            ("01012345", "phone.length"),
            ("0101234567890123", "phone.length"),
            ("010-1234-567a", "phone.format"),
            ("(010) 1234 5678", "phone.format"),
            ("++821012345678", "phone.format"),
            ("-01012345678", "phone.format"),
            ("01012345678-", "phone.format"),
            ("010\n12345678", "phone.format"),
        ];
        for (input, rule) in cases {
            assert_eq!(phone_key(input, "p").unwrap_err().rule, *rule, "{input:?}");
        }
    }

    #[test]
    fn file_ids_and_names() {
        assert_eq!(file_id(437.0, "fileId"), Ok(437));
        assert_eq!(file_id(0.0, "fileId").unwrap_err().rule, "file_id.range");
        assert_eq!(file_id(-1.0, "fileId").unwrap_err().rule, "file_id.range");
        assert_eq!(file_id(1.5, "fileId").unwrap_err().rule, "file_id.format");
        assert_eq!(
            file_id(f64::NAN, "fileId").unwrap_err().rule,
            "file_id.format"
        );
        assert_eq!(
            file_id(9_007_199_254_740_992.0, "fileId").unwrap_err().rule,
            "file_id.range"
        );
        assert!(file_name("vip고객리스트", "fileName").is_ok());
        assert_eq!(
            file_name(" ", "fileName").unwrap_err().rule,
            "file_name.empty"
        );
        assert_eq!(
            file_name("a\tb", "fileName").unwrap_err().rule,
            "file_name.format"
        );
    }
}
