//! Timestamps: RFC3339 (relationship responses) and Kakao's `"YYYY-MM-DD HH:MM:SS"` (KST,
//! customer-file view) to UTC epoch milliseconds, without a date crate.

/// Korea Standard Time is UTC+9, no daylight saving.
const KST_OFFSET_MINUTES: i64 = 9 * 60;

/// A cursor over ASCII bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos = self.pos.saturating_add(1);
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v: i64 = 0;
        for _ in 0..n {
            let b = self.next()?;
            if !b.is_ascii_digit() {
                return None;
            }
            v = v
                .checked_mul(10)?
                .checked_add(i64::from(b.checked_sub(b'0')?))?;
        }
        Some(v)
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

fn is_leap(y: i64) -> bool {
    (y.rem_euclid(4) == 0 && y.rem_euclid(100) != 0) || y.rem_euclid(400) == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
/// Inputs come from at most four digits, but every step is checked all the same.
fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = m.checked_add(9)?.rem_euclid(12);
    let doy = mp
        .checked_mul(153)?
        .checked_add(2)?
        .checked_div(5)?
        .checked_add(d)?
        .checked_sub(1)?;
    let doe = yoe
        .checked_mul(365)?
        .checked_add(yoe.checked_div(4)?)?
        .checked_sub(yoe.checked_div(100)?)?
        .checked_add(doy)?;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}

/// Epoch millis of a date and time of day (no offset applied).
fn epoch_millis(days: i64, hour: i64, minute: i64, second: i64) -> Option<i64> {
    days.checked_mul(24)?
        .checked_add(hour)?
        .checked_mul(60)?
        .checked_add(minute)?
        .checked_mul(60_000)?
        .checked_add(second.checked_mul(1000)?)
}

/// `YYYY-MM-DD?HH:MM:SS` where `?` is one of `seps`: returns local epoch millis (no offset).
fn date_time(c: &mut Cursor<'_>, seps: &[u8]) -> Option<i64> {
    let year = c.digits(4)?;
    c.expect(b'-')?;
    let month = c.digits(2)?;
    c.expect(b'-')?;
    let day = c.digits(2)?;
    if !seps.contains(&c.next()?) {
        return None;
    }
    let hour = c.digits(2)?;
    c.expect(b':')?;
    let minute = c.digits(2)?;
    c.expect(b':')?;
    let second = c.digits(2)?;
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour <= 23
        && minute <= 59
        && second <= 60; // RFC3339 allows a leap second; it rolls into the next second.
    if !valid {
        return None;
    }
    epoch_millis(days_from_civil(year, month, day)?, hour, minute, second)
}

/// Parses an RFC3339 date-time (`2020-04-18T03:17:05Z`, `…05.123+09:00`) to UTC epoch millis.
/// Fractional seconds beyond milliseconds are truncated. Invalid dates (Feb 30) are `None`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let mut c = Cursor {
        bytes: s.as_bytes(),
        pos: 0,
    };
    let local = date_time(&mut c, b"Tt ")?;
    let mut millis: i64 = 0;
    if c.peek() == Some(b'.') {
        c.next();
        let mut n: u32 = 0;
        while let Some(b) = c.peek().filter(u8::is_ascii_digit) {
            if n < 3 {
                millis = millis
                    .checked_mul(10)?
                    .checked_add(i64::from(b.checked_sub(b'0')?))?;
            }
            n = n.saturating_add(1);
            c.next();
        }
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis = millis.checked_mul(10)?;
        }
    }
    let offset_minutes = match c.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let h = c.digits(2)?;
            c.expect(b':')?;
            let m = c.digits(2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let total = h.checked_mul(60)?.checked_add(m)?;
            if sign == b'+' {
                total
            } else {
                total.checked_neg()?
            }
        }
        _ => return None,
    };
    if !c.done() {
        return None;
    }
    local
        .checked_add(millis)?
        .checked_sub(offset_minutes.checked_mul(60_000)?)
}

/// Parses the customer-file view's `update_at`: Kakao's `"YYYY-MM-DD HH:MM:SS"` read as KST,
/// or an RFC3339 date-time. Returns UTC epoch millis.
pub fn parse_kakao_datetime(s: &str) -> Option<i64> {
    let mut c = Cursor {
        bytes: s.as_bytes(),
        pos: 0,
    };
    if let Some(local) = date_time(&mut c, b" ") {
        if c.done() {
            return local.checked_sub(KST_OFFSET_MINUTES.checked_mul(60_000)?);
        }
    }
    parse_rfc3339(s)
}

/// Parses an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 IMF-fixdate) to epoch millis.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let rest = s.trim().get(5..)?; // skip "Sun, "
    let mut c = Cursor {
        bytes: rest.as_bytes(),
        pos: 0,
    };
    let day = c.digits(2)?;
    c.expect(b' ')?;
    let mon = rest.get(3..6)?;
    c.pos = 6;
    let month = match mon {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    c.expect(b' ')?;
    let year = c.digits(4)?;
    c.expect(b' ')?;
    let hour = c.digits(2)?;
    c.expect(b':')?;
    let minute = c.digits(2)?;
    c.expect(b':')?;
    let second = c.digits(2)?;
    if rest.get(c.pos..)? != " GMT" {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    epoch_millis(days_from_civil(year, month, day)?, hour, minute, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_table() {
        let ok: &[(&str, i64)] = &[
            ("1970-01-01T00:00:00Z", 0),
            ("2020-04-18T03:17:05Z", 1_587_179_825_000),
            ("2021-05-17T05:25:01Z", 1_621_229_101_000),
            ("2020-04-18T12:17:05+09:00", 1_587_179_825_000),
            ("2020-04-17T22:17:05-05:00", 1_587_179_825_000),
            ("2020-04-18t03:17:05z", 1_587_179_825_000),
            ("2020-04-18 03:17:05Z", 1_587_179_825_000),
            ("2020-04-18T03:17:05.1Z", 1_587_179_825_100),
            ("2020-04-18T03:17:05.123Z", 1_587_179_825_123),
            ("2020-04-18T03:17:05.123456789Z", 1_587_179_825_123),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000),
            ("2000-02-29T00:00:00Z", 951_782_400_000),
            ("1969-12-31T23:59:59Z", -1000),
            ("2016-12-31T23:59:60Z", 1_483_228_800_000),
            ("9999-12-31T23:59:59Z", 253_402_300_799_000),
        ];
        for (input, want) in ok {
            assert_eq!(parse_rfc3339(input), Some(*want), "{input}");
        }
        let bad = [
            "",
            "2020-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2020-04-31T00:00:00Z",
            "2020-13-01T00:00:00Z",
            "2020-00-01T00:00:00Z",
            "2020-01-00T00:00:00Z",
            "2020-01-01T24:00:00Z",
            "2020-01-01T00:60:00Z",
            "2020-01-01T00:00:61Z",
            "2020-01-01T00:00:00",
            "2020-01-01T00:00:00+0900",
            "2020-01-01T00:00:00+24:00",
            "2020-01-01T00:00:00.Z",
            "2020-01-01T00:00:00Zjunk",
            "2020-1-01T00:00:00Z",
            "20-01-01T00:00:00Z",
            "2020-01-01X00:00:00Z",
            "２020-01-01T00:00:00Z",
            "2020-01-01T00:00:00ZZ",
        ];
        for input in bad {
            assert_eq!(parse_rfc3339(input), None, "{input:?}");
        }
    }

    #[test]
    fn kakao_update_at_is_kst() {
        // The doc's sample: 2019-02-03 13:22:33 KST = 04:22:33 UTC.
        assert_eq!(
            parse_kakao_datetime("2019-02-03 13:22:33"),
            parse_rfc3339("2019-02-03T04:22:33Z")
        );
        assert_eq!(
            parse_kakao_datetime("2019-02-03T13:22:33+09:00"),
            parse_rfc3339("2019-02-03T04:22:33Z")
        );
        for bad in [
            "2019-02-30 13:22:33",
            "2019-02-03",
            "2019-02-03 13:22",
            "2019/02/03 13:22:33",
        ] {
            assert_eq!(parse_kakao_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("Sun, 31 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("120"), None);
        assert_eq!(parse_http_date(""), None);
    }
}
