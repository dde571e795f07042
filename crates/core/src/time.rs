//! Timestamps: RFC3339 (relationship responses), Kakao's `"YYYY-MM-DD HH:MM:SS"` (KST,
//! customer-file view) and HTTP-dates (`Retry-After`) to UTC epoch milliseconds, without a
//! date crate.

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
    let millis = c.fraction()?;
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

impl Cursor<'_> {
    /// Optional fractional seconds (`.` and one or more digits) as milliseconds, 0 when absent;
    /// digits beyond milliseconds are truncated. `None` for a `.` without digits.
    fn fraction(&mut self) -> Option<i64> {
        let mut millis: i64 = 0;
        if self.peek() != Some(b'.') {
            return Some(0);
        }
        self.next();
        let mut n: u32 = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if n < 3 {
                millis = millis
                    .checked_mul(10)?
                    .checked_add(i64::from(b.checked_sub(b'0')?))?;
            }
            n = n.saturating_add(1);
            self.next();
        }
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis = millis.checked_mul(10)?;
        }
        Some(millis)
    }
}

/// Parses the customer-file view's `update_at`: Kakao's `"YYYY-MM-DD HH:MM:SS"` read as KST,
/// also with fractional seconds (`"2019-02-03 13:22:33.0"`, Java's `Timestamp.toString()`
/// form: Kakao's REST doc types the field only as "String"), or an RFC3339 date-time.
/// Returns UTC epoch millis.
pub fn parse_kakao_datetime(s: &str) -> Option<i64> {
    let mut c = Cursor {
        bytes: s.as_bytes(),
        pos: 0,
    };
    if let Some(local) = date_time(&mut c, b" ") {
        if let Some(millis) = c.fraction().filter(|_| c.done()) {
            return local
                .checked_add(millis)?
                .checked_sub(KST_OFFSET_MINUTES.checked_mul(60_000)?);
        }
    }
    parse_rfc3339(s)
}

/// Day names of IMF-fixdate and asctime (RFC 9110 §5.6.7: case-sensitive).
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// Day names of the obsolete RFC 850 form.
const DAY_NAMES_LONG: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

impl Cursor<'_> {
    /// A three-letter month name (`Jan`…`Dec`, case-sensitive) as 1..=12.
    fn month(&mut self) -> Option<i64> {
        let name = self.bytes.get(self.pos..self.pos.checked_add(3)?)?;
        let index = MONTHS.iter().position(|m| m.as_slice() == name)?;
        self.pos = self.pos.saturating_add(3);
        i64::try_from(index).ok()?.checked_add(1)
    }

    /// `HH:MM:SS` as (hour, minute, second), unchecked ranges.
    fn time_of_day(&mut self) -> Option<(i64, i64, i64)> {
        let hour = self.digits(2)?;
        self.expect(b':')?;
        let minute = self.digits(2)?;
        self.expect(b':')?;
        let second = self.digits(2)?;
        Some((hour, minute, second))
    }

    /// The remaining bytes are exactly `tail`.
    fn ends_with_exactly(&self, tail: &[u8]) -> bool {
        self.bytes.get(self.pos..) == Some(tail)
    }
}

/// Epoch millis of a UTC date and time, `None` for an impossible one (Nov 31, 25:00).
fn checked_utc(year: i64, month: i64, day: i64, (h, m, s): (i64, i64, i64)) -> Option<i64> {
    if day < 1 || day > days_in_month(year, month) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    epoch_millis(days_from_civil(year, month, day)?, h, m, s)
}

/// The proleptic Gregorian year of UTC epoch millis (Howard Hinnant's `civil_from_days`).
fn year_of(ms: i64) -> Option<i64> {
    let z = ms.div_euclid(86_400_000).checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = doe
        .checked_sub(doe.checked_div(1_460)?)?
        .checked_add(doe.checked_div(36_524)?)?
        .checked_sub(doe.checked_div(146_096)?)?
        .checked_div(365)?;
    let doy = doe.checked_sub(
        yoe.checked_mul(365)?
            .checked_add(yoe.checked_div(4)?)?
            .checked_sub(yoe.checked_div(100)?)?,
    )?;
    let mp = doy.checked_mul(5)?.checked_add(2)?.checked_div(153)?;
    let year = era.checked_mul(400)?.checked_add(yoe)?;
    // March-based years: January and February belong to the next civil year.
    if mp >= 10 {
        year.checked_add(1)
    } else {
        Some(year)
    }
}

/// `06 Nov 1994 08:49:37 GMT` (after `Sun, `).
fn imf_fixdate(c: &mut Cursor<'_>) -> Option<i64> {
    let day = c.digits(2)?;
    c.expect(b' ')?;
    let month = c.month()?;
    c.expect(b' ')?;
    let year = c.digits(4)?;
    c.expect(b' ')?;
    let time = c.time_of_day()?;
    c.ends_with_exactly(b" GMT").then_some(())?;
    checked_utc(year, month, day, time)
}

/// `06-Nov-94 08:49:37 GMT` (after `Sunday, `). RFC 9110 §5.6.7: a two-digit year that
/// appears to be more than 50 years in the future is the most recent past year with those
/// digits. Compared by calendar year against `now_ms`, the year read is the one with those
/// digits within `now - 49 ..= now + 50` (so in 1999, `01` is 2001, not 1901).
fn rfc850_date(c: &mut Cursor<'_>, now_ms: i64) -> Option<i64> {
    let day = c.digits(2)?;
    c.expect(b'-')?;
    let month = c.month()?;
    c.expect(b'-')?;
    let yy = c.digits(2)?;
    c.expect(b' ')?;
    let time = c.time_of_day()?;
    c.ends_with_exactly(b" GMT").then_some(())?;
    let now_year = year_of(now_ms)?;
    let mut year = now_year
        .checked_sub(now_year.rem_euclid(100))?
        .checked_add(yy)?;
    if year > now_year.checked_add(50)? {
        year = year.checked_sub(100)?;
    } else if year <= now_year.checked_sub(50)? {
        year = year.checked_add(100)?;
    }
    checked_utc(year, month, day, time)
}

/// `Nov  6 08:49:37 1994` (after `Sun `): the day is two digits or a space and one digit.
fn asctime_date(c: &mut Cursor<'_>) -> Option<i64> {
    let month = c.month()?;
    c.expect(b' ')?;
    let day = if c.peek() == Some(b' ') {
        c.next();
        c.digits(1)?
    } else {
        c.digits(2)?
    };
    c.expect(b' ')?;
    let time = c.time_of_day()?;
    c.expect(b' ')?;
    let year = c.digits(4)?;
    c.done().then_some(())?;
    checked_utc(year, month, day, time)
}

/// Parses an HTTP-date to UTC epoch millis, in any of the three forms of RFC 9110 §5.6.7:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`, its two-digit year read relative to `now_ms`) and
/// asctime (`Sun Nov  6 08:49:37 1994`, UTC). Names are case-sensitive, as the RFC says.
pub fn parse_http_date(s: &str, now_ms: i64) -> Option<i64> {
    let s = s.trim();
    let (name, rest) = s.split_once(' ')?;
    let mut c = Cursor {
        bytes: rest.as_bytes(),
        pos: 0,
    };
    match name.strip_suffix(',') {
        Some(day) if DAY_NAMES.contains(&day) => imf_fixdate(&mut c),
        Some(day) if DAY_NAMES_LONG.contains(&day) => rfc850_date(&mut c, now_ms),
        None if DAY_NAMES.contains(&name) => asctime_date(&mut c),
        _ => None,
    }
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
        // Java's Timestamp.toString() form: fractional seconds, 1 to 9 digits.
        assert_eq!(
            parse_kakao_datetime("2019-02-03 13:22:33.0"),
            parse_rfc3339("2019-02-03T04:22:33Z")
        );
        assert_eq!(
            parse_kakao_datetime("2019-02-03 13:22:33.25"),
            parse_rfc3339("2019-02-03T04:22:33.250Z")
        );
        assert_eq!(
            parse_kakao_datetime("2019-02-03 13:22:33.123456789"),
            parse_rfc3339("2019-02-03T04:22:33.123Z")
        );
        for bad in [
            "2019-02-03 13:22:33.",
            "2019-02-03 13:22:33.0x",
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
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", NOW),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date("Sun, 31 Nov 1994 08:49:37 GMT", NOW), None);
        assert_eq!(parse_http_date("120", NOW), None);
        assert_eq!(parse_http_date("", NOW), None);
    }

    /// 2025-06-01T00:00:00Z.
    const NOW: i64 = 1_748_736_000_000;
    /// Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example.
    const EXAMPLE: i64 = 784_111_777_000;

    #[test]
    fn http_dates_in_all_three_forms() {
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun Nov 06 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_http_date(s, NOW), Some(EXAMPLE), "{s:?}");
        }
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 23:59:60 GMT", NOW),
            Some(1_709_251_200_000)
        );
        assert_eq!(
            parse_http_date("Fri Dec 31 23:59:59 1999", NOW),
            Some(946_684_799_000)
        );
    }

    #[test]
    fn rfc850_two_digit_years_follow_rfc_9110() {
        let year = |s: &str, now: i64| parse_http_date(s, now).and_then(year_of);
        // In 2025: up to 50 years ahead stays in this century, more is the past one.
        assert_eq!(year("Monday, 01-Jan-75 00:00:00 GMT", NOW), Some(2075));
        assert_eq!(year("Monday, 01-Jan-76 00:00:00 GMT", NOW), Some(1976));
        assert_eq!(year("Monday, 01-Jan-25 00:00:00 GMT", NOW), Some(2025));
        assert_eq!(year("Monday, 01-Jan-00 00:00:00 GMT", NOW), Some(2000));
        // In 1999 (Dec 31), 01 is two years ahead, not 98 years back.
        assert_eq!(
            year("Monday, 01-Jan-01 00:00:00 GMT", 946_684_799_000),
            Some(2001)
        );
        assert_eq!(
            year("Monday, 01-Jan-49 00:00:00 GMT", 946_684_799_000),
            Some(2049)
        );
        assert_eq!(
            year("Monday, 01-Jan-50 00:00:00 GMT", 946_684_799_000),
            Some(1950)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 0),
            Some(EXAMPLE)
        );
        // Any `now`, even absurd ones, answers without panicking.
        for now in [i64::MIN, -1, i64::MAX] {
            let _ = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now);
        }
    }

    #[test]
    fn http_date_garbage_is_none() {
        for s in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 gmt",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sunday 06-Nov-94 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun,  Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{0}",
            "Sunny, 06 Nov 1994 08:49:37 GMT",
            "Sun,",
            "Sun",
            "Nov  6 08:49:37 1994",
            "06 Nov 1994 08:49:37 GMT",
            "1994-11-06T08:49:37Z",
            "Sun, 06 Nov ١٩٩٤ 08:49:37 GMT",
            "-1",
        ] {
            assert_eq!(parse_http_date(s, NOW), None, "{s:?}");
        }
    }

    #[test]
    fn year_of_epoch_millis() {
        assert_eq!(year_of(0), Some(1970));
        assert_eq!(year_of(-1), Some(1969));
        assert_eq!(year_of(EXAMPLE), Some(1994));
        assert_eq!(year_of(946_684_799_999), Some(1999));
        assert_eq!(year_of(946_684_800_000), Some(2000));
        assert_eq!(year_of(951_782_400_000), Some(2000)); // 2000-02-29
        assert_eq!(year_of(NOW), Some(2025));
        let _ = (year_of(i64::MIN), year_of(i64::MAX));
    }
}
