//! The retry decision and backoff schedule (README "Reliability"), as pure functions.

use super::decimal::parse_u64;
use super::request::Idempotency;
use super::time::parse_http_date;

/// First backoff, before jitter.
pub const BACKOFF_BASE_MS: u64 = 500;
/// Longest backoff, before jitter.
pub const BACKOFF_CAP_MS: u64 = 8_000;
/// Longest wait a `Retry-After` header can impose.
pub const RETRY_AFTER_CAP_MS: u64 = 60_000;

/// What went wrong with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `fetch` rejected (connection refused, reset, DNS).
    Network,
    /// The attempt exceeded `timeoutMs`.
    Timeout,
    /// Kakao answered non-2xx; `retryable` from the status and Kakao's code table.
    Api { status: u16, retryable: bool },
    /// A 2xx whose body was not what the documentation promises: never retried.
    Response,
}

/// Whether attempt number `attempt` (0-based) that failed with `failure` is followed by another.
pub fn should_retry(
    idempotency: Idempotency,
    failure: Failure,
    attempt: u32,
    max_retries: u32,
) -> bool {
    if attempt >= max_retries {
        return false;
    }
    match (idempotency, failure) {
        (Idempotency::OnlyOn429, Failure::Api { status, .. }) => status == 429,
        (Idempotency::OnlyOn429, _) => false,
        (Idempotency::Repeatable, Failure::Network | Failure::Timeout) => true,
        (Idempotency::Repeatable, Failure::Api { retryable, .. }) => retryable,
        (Idempotency::Repeatable, Failure::Response) => false,
    }
}

/// Exponential backoff with jitter: 500 ms doubling per attempt, capped at 8 s, then a random
/// point in its upper half (`random` in `[0, 1)`), so retries of many clients spread out.
pub fn backoff_ms(attempt: u32, random: f64) -> u64 {
    let exp = BACKOFF_BASE_MS
        .saturating_mul(1u64.checked_shl(attempt.min(20)).unwrap_or(u64::MAX))
        .min(BACKOFF_CAP_MS);
    let half = exp / 2;
    let jitter = (half as f64 * random.clamp(0.0, 1.0)) as u64;
    half.saturating_add(jitter).min(exp)
}

/// Reads `Retry-After` (delta-seconds, or an HTTP-date in any of RFC 9110's three forms) into
/// a wait, capped at 60 s; a date in the past waits 0.
pub fn retry_after_ms(value: &str, now_ms: i64) -> Option<u64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let secs = parse_u64(v, 10).unwrap_or(u64::MAX);
        return Some(secs.saturating_mul(1000).min(RETRY_AFTER_CAP_MS));
    }
    let at = parse_http_date(v, now_ms)?;
    let wait = at.saturating_sub(now_ms).max(0);
    Some(u64::try_from(wait).unwrap_or(0).min(RETRY_AFTER_CAP_MS))
}

/// The wait before the next attempt: `Retry-After` when Kakao sent one, else the backoff.
pub fn delay_ms(attempt: u32, retry_after: Option<&str>, now_ms: i64, random: f64) -> u64 {
    retry_after
        .and_then(|v| retry_after_ms(v, now_ms))
        .unwrap_or_else(|| backoff_ms(attempt, random))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_failures_are_retried() {
        let r = Idempotency::Repeatable;
        assert!(should_retry(r, Failure::Network, 0, 2));
        assert!(should_retry(r, Failure::Timeout, 1, 2));
        assert!(!should_retry(r, Failure::Timeout, 2, 2));
        assert!(should_retry(
            r,
            Failure::Api {
                status: 503,
                retryable: true
            },
            0,
            2
        ));
        assert!(!should_retry(
            r,
            Failure::Api {
                status: 400,
                retryable: false
            },
            0,
            2
        ));
        assert!(!should_retry(r, Failure::Response, 0, 2));
        assert!(!should_retry(r, Failure::Network, 0, 0));
        let once = Idempotency::OnlyOn429;
        assert!(should_retry(
            once,
            Failure::Api {
                status: 429,
                retryable: true
            },
            0,
            2
        ));
        assert!(!should_retry(
            once,
            Failure::Api {
                status: 503,
                retryable: true
            },
            0,
            2
        ));
        assert!(!should_retry(once, Failure::Network, 0, 2));
        assert!(!should_retry(once, Failure::Timeout, 0, 2));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        assert_eq!(backoff_ms(0, 0.0), 250);
        assert_eq!(backoff_ms(0, 0.999_999), 499);
        assert_eq!(backoff_ms(1, 0.0), 500);
        assert_eq!(backoff_ms(3, 1.0), 4000);
        assert_eq!(backoff_ms(4, 1.0), 8000);
        assert_eq!(backoff_ms(10, 1.0), 8000);
        assert_eq!(backoff_ms(u32::MAX, 0.5), 6000);
        assert_eq!(backoff_ms(0, f64::NAN), 250);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after_ms("3", 0), Some(3000));
        assert_eq!(retry_after_ms(" 0 ", 0), Some(0));
        assert_eq!(retry_after_ms("120", 0), Some(60_000));
        assert_eq!(retry_after_ms("99999999999999999999999", 0), Some(60_000));
        let now = 784_111_777_000 - 5_000;
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(5_000)
        );
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 10_000),
            Some(0)
        );
        // The obsolete forms of RFC 9110 wait the same.
        assert_eq!(
            retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", now),
            Some(5_000)
        );
        assert_eq!(retry_after_ms("Sun Nov  6 08:49:37 1994", now), Some(5_000));
        assert_eq!(
            retry_after_ms("Sun Nov  6 08:49:37 1994", now + 10_000),
            Some(0)
        );
        // A date far ahead is capped like a long delta.
        assert_eq!(
            retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", now - 3_600_000),
            Some(60_000)
        );
        assert_eq!(retry_after_ms("Sun Nov 6 08:49:37 1994", now), None);
        assert_eq!(
            retry_after_ms("Sunday, 06 Nov 1994 08:49:37 GMT", now),
            None
        );
        assert_eq!(retry_after_ms("1.5", 0), None);
        assert_eq!(retry_after_ms("+3", 0), None);
        assert_eq!(retry_after_ms("", 0), None);
        assert_eq!(retry_after_ms("-1", 0), None);
        assert_eq!(retry_after_ms("soon", 0), None);
        assert_eq!(delay_ms(0, Some("2"), 0, 0.0), 2000);
        assert_eq!(delay_ms(1, Some("soon"), 0, 0.0), 500);
        assert_eq!(delay_ms(1, None, 0, 0.0), 500);
        assert_eq!(
            delay_ms(1, Some("Sun Nov  6 08:49:37 1994"), now, 0.0),
            5_000
        );
    }
}
