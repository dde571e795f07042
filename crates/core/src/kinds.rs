//! Kakao's error-code table: each negative `code` of an error body, the `kind` it is named
//! (`KakaoApiError.kind`) and whether it is retried. One table, [`KAKAO_CODES`], that the
//! lookup ([`kakao_code`]), the tests and the build (`scripts/id_tables.rs`, which writes the
//! package's `KakaoErrorKind` type) all read.

use serde::{Serialize, Serializer};
use std::fmt;

/// A `KakaoApiError.kind`: a name from [`KAKAO_CODES`], [`Kind::HTTP_STATUS`] or
/// [`Kind::UNKNOWN`]. Made only here.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind(&'static str);

impl Kind {
    /// The body was not Kakao's `{msg, code}` JSON: the HTTP status is all there is.
    pub const HTTP_STATUS: Kind = Kind("HttpStatus");
    /// A code the table does not list.
    pub const UNKNOWN: Kind = Kind("Unknown");

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Kind> for &str {
    fn eq(&self, other: &Kind) -> bool {
        *self == other.0
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// One row of Kakao's error-code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KakaoCode {
    pub code: i64,
    pub kind: Kind,
    /// Retried whatever the HTTP status (a 5xx or 429 is retried whatever the code).
    pub retryable: bool,
}

const fn row(code: i64, kind: &'static str, retryable: bool) -> KakaoCode {
    KakaoCode {
        code,
        kind: Kind(kind),
        retryable,
    }
}

/// Kakao's error-code table (Kakao's REST API reference, "Error codes"): code, kind, retried.
pub const KAKAO_CODES: &[KakaoCode] = &[
    row(-1, "InternalError", true),
    row(-2, "IllegalParams", false),
    row(-3, "UnsupportedApi", false),
    row(-4, "BlockedAccount", false),
    row(-5, "PermissionDenied", false),
    row(-6, "ServiceUnavailable", false),
    row(-7, "ServiceMaintenance", true),
    row(-8, "InvalidHeader", false),
    row(-9, "DeprecatedApi", false),
    row(-10, "ApiLimitExceeded", false),
    row(-11, "SpendingLimitExceeded", false),
    row(-12, "BlockedApp", false),
    row(-101, "NotRegisteredUser", false),
    row(-102, "AlreadyRegisteredUser", false),
    row(-103, "AccountDoesNotExist", false),
    row(-201, "PropertyKeyDoesNotExist", false),
    row(-401, "InvalidToken", false),
    row(-402, "InsufficientScope", false),
    row(-405, "RequiredAgeVerification", false),
    row(-406, "UnderAgeLimit", false),
    row(-501, "NotTalkUser", false),
    row(-541, "ChannelNotFound", false),
    row(-544, "ChannelBanned", false),
    row(-602, "ImageUploadSizeExceeded", false),
    row(-603, "ServerTimeout", true),
    row(-606, "ImageMaxUploadCountExceeded", false),
    row(-815, "CustomerFileInternalError", true),
    row(-816, "CustomerFileNotFound", false),
    row(-817, "CustomerFileNameInvalid", false),
    row(-818, "CustomerFileLimitExceeded", false),
    row(-819, "ChannelNotConnected", false),
    row(-903, "DeveloperDoesNotExist", false),
    row(-911, "NotBizApp", false),
    row(-9798, "UnderMaintenance", true),
];

/// `code` → (kind, retryable) from [`KAKAO_CODES`]; [`Kind::UNKNOWN`], not retried, for a
/// code it does not list.
pub fn kakao_code(code: i64) -> (Kind, bool) {
    KAKAO_CODES
        .iter()
        .find(|row| row.code == code)
        .map_or((Kind::UNKNOWN, false), |row| (row.kind, row.retryable))
}

/// Every kind an error can carry, in the order of the package's `KakaoErrorKind` type:
/// `HttpStatus`, the table's, then `Unknown`.
pub fn all() -> impl Iterator<Item = Kind> {
    std::iter::once(Kind::HTTP_STATUS)
        .chain(KAKAO_CODES.iter().map(|row| row.kind))
        .chain(std::iter::once(Kind::UNKNOWN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_reads_every_row_and_unknown_codes() {
        for row in KAKAO_CODES {
            assert_eq!(kakao_code(row.code), (row.kind, row.retryable), "{row:?}");
        }
        assert_eq!(kakao_code(-12345), (Kind::UNKNOWN, false));
        assert_eq!(kakao_code(7), (Kind::UNKNOWN, false));
        assert_eq!(kakao_code(-501).0, "NotTalkUser");
    }

    #[test]
    fn codes_and_kinds_are_unique_negative_and_pascal_case() {
        let kinds: Vec<Kind> = all().collect();
        assert_eq!(kinds.len(), KAKAO_CODES.len() + 2);
        for (i, kind) in kinds.iter().enumerate() {
            assert!(!kinds[..i].contains(kind), "{kind} twice");
            let s = kind.as_str();
            assert!(s.starts_with(|c: char| c.is_ascii_uppercase()), "{s}");
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric()), "{s}");
        }
        for (i, row) in KAKAO_CODES.iter().enumerate() {
            assert!(row.code < 0, "{row:?}");
            assert!(
                KAKAO_CODES[..i].iter().all(|r| r.code != row.code),
                "{row:?}"
            );
        }
        // The retried codes, as Kakao's table marks them.
        let retried: Vec<i64> = KAKAO_CODES
            .iter()
            .filter(|r| r.retryable)
            .map(|r| r.code)
            .collect();
        assert_eq!(retried, [-1, -7, -603, -815, -9798]);
    }
}
