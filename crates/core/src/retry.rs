//! The retry decision and backoff schedule (README "Reliability"), as pure functions: how an
//! answer ends an attempt ([`judge`]), whether another attempt follows and after how long
//! ([`next_wait`]), and how the attempt is named in the log ([`describe`]).

use super::decimal::parse_u64;
use super::error::{ApiError, ResponseError};
use super::request::{answer_too_large, Idempotency};
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

/// How an answer ends an attempt.
#[derive(Debug)]
pub enum Verdict {
    /// A 2xx read whole: the call's answer.
    Success,
    /// A 2xx larger than the SDK reads, or a redirect: a body that is not what Kakao's doc
    /// promises, never retried. `headers`: whether the error carries the answer's headers (a
    /// redirect's do; a cut answer's are not kept).
    Refused { error: ResponseError, headers: bool },
    /// Any other status: Kakao's error, retried as its status and code say.
    Api(ApiError),
}

impl Verdict {
    /// The failure, for [`should_retry`]; `None` for a success.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            Verdict::Success => None,
            Verdict::Refused { .. } => Some(Failure::Response),
            Verdict::Api(e) => Some(Failure::Api {
                status: e.status,
                retryable: e.retryable,
            }),
        }
    }
}

/// The verdict on an answer with `status` and `body`; `cut`, the bytes seen or declared when
/// the answer was larger than the SDK reads (`body` then holds only its start). Redirects are
/// refused: Kakao's API never redirects, and following one could turn a POST into a GET
/// elsewhere.
pub fn judge(status: u16, body: &str, cut: Option<u64>) -> Verdict {
    match (status, cut) {
        (200..=299, Some(bytes)) => Verdict::Refused {
            error: ResponseError::new(status, answer_too_large(bytes), body),
            headers: false,
        },
        (200..=299, None) => Verdict::Success,
        (300..=399, _) => Verdict::Refused {
            error: ResponseError::new(
                status,
                format!("HTTP {status} is a redirect, and Kakao's API never redirects: not followed (check baseUrl)"),
                body,
            ),
            headers: true,
        },
        _ => Verdict::Api(ApiError::from_response(status, body)),
    }
}

/// The wait before the attempt after attempt number `attempt` (0-based), which failed with
/// `failure`; `None` when none follows. `retry_after`, the answer's `Retry-After`; `now_ms` and
/// `random` (in `[0, 1)`) for the date form and the jitter.
pub fn next_wait(
    idempotency: Idempotency,
    failure: Failure,
    attempt: u32,
    max_retries: u32,
    retry_after: Option<&str>,
    now_ms: i64,
    random: f64,
) -> Option<u64> {
    should_retry(idempotency, failure, attempt, max_retries)
        .then(|| delay_ms(attempt, retry_after, now_ms, random))
}

/// Whether giving up after attempt number `attempt` (0-based) is worth a warning: after a
/// retry, or when Kakao was not reached at all (a single error answer is the caller's error,
/// not the log's).
pub fn warns_on_giving_up(failure: Failure, attempt: u32) -> bool {
    attempt > 0 || matches!(failure, Failure::Network | Failure::Timeout)
}

/// How a failed attempt is named in the log: "HTTP 503", "a timeout", "a network error".
pub fn describe(failure: Failure, status: Option<u16>) -> String {
    match (status, failure) {
        (Some(s), _) => format!("HTTP {s}"),
        (None, Failure::Timeout) => "a timeout".to_owned(),
        (None, _) => "a network error".to_owned(),
    }
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
    fn answers_are_judged_by_status_and_size() {
        assert!(matches!(judge(200, "{}", None), Verdict::Success));
        assert!(matches!(judge(204, "", None), Verdict::Success));
        let cut = judge(200, "{\"a\":", Some(5_000_000));
        assert_eq!(cut.failure(), Some(Failure::Response));
        match cut {
            Verdict::Refused { error, headers } => {
                assert_eq!(error.status, 200);
                assert!(
                    error.message.contains("5000000 bytes or more"),
                    "{}",
                    error.message
                );
                assert!(!headers);
            }
            other => panic!("{other:?}"),
        }
        match judge(302, "", None) {
            Verdict::Refused { error, headers } => {
                assert_eq!(error.status, 302);
                assert!(
                    error.message.starts_with("HTTP 302 is a redirect"),
                    "{}",
                    error.message
                );
                assert!(headers);
            }
            other => panic!("{other:?}"),
        }
        // A cut error answer is still Kakao's error (its start is what is read).
        let api = judge(503, "{\"code\":-9798,\"msg\":\"x\"}", Some(9));
        assert_eq!(
            api.failure(),
            Some(Failure::Api {
                status: 503,
                retryable: true
            })
        );
        let api = judge(400, "{\"code\":-2,\"msg\":\"bad\"}", None);
        assert!(matches!(
            api.failure(),
            Some(Failure::Api {
                status: 400,
                retryable: false
            })
        ));
        assert!(judge(200, "{}", None).failure().is_none());
    }

    #[test]
    fn the_next_wait_follows_the_decision_and_retry_after() {
        let r = Idempotency::Repeatable;
        let busy = Failure::Api {
            status: 429,
            retryable: true,
        };
        assert_eq!(next_wait(r, busy, 0, 2, Some("3"), 0, 0.0), Some(3000));
        assert_eq!(next_wait(r, busy, 1, 2, None, 0, 0.0), Some(500));
        assert_eq!(next_wait(r, busy, 2, 2, Some("3"), 0, 0.0), None);
        assert_eq!(next_wait(r, Failure::Response, 0, 2, None, 0, 0.0), None);
        assert_eq!(
            next_wait(Idempotency::OnlyOn429, Failure::Timeout, 0, 2, None, 0, 0.0),
            None
        );
        assert!(warns_on_giving_up(Failure::Network, 0));
        assert!(warns_on_giving_up(Failure::Timeout, 0));
        assert!(!warns_on_giving_up(busy, 0));
        assert!(warns_on_giving_up(busy, 1));
        assert_eq!(describe(busy, Some(429)), "HTTP 429");
        assert_eq!(describe(Failure::Response, Some(200)), "HTTP 200");
        assert_eq!(describe(Failure::Timeout, None), "a timeout");
        assert_eq!(describe(Failure::Network, None), "a network error");
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
