//! Decimal text → `f64`, correctly rounded (ties to even), accepting exactly what
//! `str::parse::<f64>` accepts. Not `str::parse` itself: its Eisel-Lemire tables and
//! fallbacks add 18 KB to the wasm (14.6 KB gzip), while the numbers that reach it (JS
//! `String(n)` texts of customer-file field values) are short. Those take Clinger's fast path
//! (one exact multiply or divide); the rest are decided by exact big-integer division, slower
//! but rare.

use std::cmp::Ordering;

/// Significant digits kept: a halfway point between two doubles has at most 767, so any digits
/// past these only need to be known non-zero (kept as one trailing `1`).
const MAX_DIGITS: usize = 800;

/// `10^0` to `10^22`: every one exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `text` as `u64::from_str_radix(text, radix)` reads it (an optional `+`, then at least one
/// digit; `None` past `u64::MAX`): one copy of the loop for every integer the crate reads,
/// where `str::parse` links one per type.
///
/// Bytes, not `char`s: a digit of any radix up to 36 is ASCII (as for `char::to_digit`, a
/// letter is a digit from 10 up, in either case), so a non-ASCII byte is simply no digit.
pub fn parse_u64(text: &str, radix: u32) -> Option<u64> {
    let bytes = text.as_bytes();
    let digits = match bytes.split_first() {
        Some((b'+', rest)) => rest,
        _ => bytes,
    };
    if digits.is_empty() {
        return None;
    }
    // The first 12 digits of any radix up to 36 cannot overflow (36^12 < 2^64), nor the first
    // 19 of a radix up to 10: those skip the checked multiply (a 128-bit one on wasm32).
    let unchecked = if radix <= 10 { 19 } else { 12 };
    let mut n: u64 = 0;
    for (k, &b) in digits.iter().enumerate() {
        let d = match b {
            b'0'..=b'9' => b.wrapping_sub(b'0'),
            b'a'..=b'z' => b.wrapping_sub(b'a').wrapping_add(10),
            b'A'..=b'Z' => b.wrapping_sub(b'A').wrapping_add(10),
            _ => return None,
        };
        if u32::from(d) >= radix {
            return None;
        }
        n = if k < unchecked {
            n.wrapping_mul(u64::from(radix)).wrapping_add(u64::from(d))
        } else {
            n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?
        };
    }
    Some(n)
}

/// `text` as `str::parse::<i64>` reads it (an optional sign, then at least one digit).
pub fn parse_i64(text: &str) -> Option<i64> {
    match text.as_bytes().first() {
        Some(b'-') => {
            let rest = text.get(1..)?;
            if rest.as_bytes().first() == Some(&b'+') {
                return None;
            }
            0i64.checked_sub_unsigned(parse_u64(rest, 10)?)
        }
        _ => i64::try_from(parse_u64(text, 10)?).ok(),
    }
}

/// `text` as `str::parse::<usize>` reads it.
pub fn parse_usize(text: &str) -> Option<usize> {
    usize::try_from(parse_u64(text, 10)?).ok()
}

/// `text` as `str::parse::<f64>` reads it: an optional sign, then `inf`, `infinity` or `nan`
/// (any case), or digits with an optional `.` and an optional exponent (`e`/`E`, a sign,
/// digits). `None` where `parse` fails.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let magnitude = if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        magnitude(rest.as_bytes())?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The value of unsigned decimal text: its significant digits `d` and exponent `e` (value
/// `d × 10^e`), then rounded.
fn magnitude(bytes: &[u8]) -> Option<f64> {
    // The significant digits are counted (up to MAX_DIGITS), the first 15 also summed; the
    // slow path reads them again from the text.
    let mut count = 0usize;
    let mut w = 0u64;
    let mut exp: i64 = 0;
    let mut any_digit = false;
    let mut truncated = false;
    let mut dot = false;
    let mut pos = 0usize;
    while let Some(&c) = bytes.get(pos) {
        if c.is_ascii_digit() {
            any_digit = true;
            let d = c.wrapping_sub(b'0');
            if count < MAX_DIGITS && (d != 0 || count > 0) {
                count = count.wrapping_add(1);
                if count <= 15 {
                    w = w.wrapping_mul(10).wrapping_add(u64::from(d));
                }
                if dot {
                    exp = exp.saturating_sub(1);
                }
            } else if count < MAX_DIGITS {
                // A leading zero: only its place counts.
                if dot {
                    exp = exp.saturating_sub(1);
                }
            } else {
                truncated |= d != 0;
                if !dot {
                    exp = exp.saturating_add(1);
                }
            }
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            break;
        }
        pos = pos.wrapping_add(1);
    }
    if !any_digit {
        return None;
    }
    let mantissa = bytes.get(..pos).unwrap_or_default();
    if let Some(&c) = bytes.get(pos) {
        if c != b'e' && c != b'E' {
            return None;
        }
        pos = pos.wrapping_add(1);
        let negative = match bytes.get(pos) {
            Some(b'-') => true,
            Some(b'+') => false,
            _ => {
                pos = pos.wrapping_sub(1);
                false
            }
        };
        pos = pos.wrapping_add(1);
        let exponent = bytes.get(pos..).filter(|e| !e.is_empty())?;
        let mut e: i64 = 0;
        for &c in exponent {
            if !c.is_ascii_digit() {
                return None;
            }
            e = e
                .saturating_mul(10)
                .saturating_add(i64::from(c.wrapping_sub(b'0')));
        }
        exp = if negative {
            exp.saturating_sub(e)
        } else {
            exp.saturating_add(e)
        };
    }
    if count == 0 {
        return Some(0.0);
    }
    let digits = Digits {
        mantissa,
        count,
        truncated,
    };
    if truncated {
        exp = exp.saturating_sub(1);
    }
    Some(round(&digits, w, exp))
}

/// The significant digits of a number's text: the first `count` (at most [`MAX_DIGITS`]) of
/// `mantissa` after its leading zeros, and a `1` after them if any digit past those is not 0.
struct Digits<'a> {
    mantissa: &'a [u8],
    count: usize,
    truncated: bool,
}

/// `digits × 10^exp` (`w`: the first 15 digits as a number) as the nearest `f64`.
fn round(digits: &Digits, w: u64, exp: i64) -> f64 {
    let len = digits.count.wrapping_add(usize::from(digits.truncated));
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    // The value is in [10^(exp+n-1), 10^(exp+n)).
    if exp.saturating_add(n).saturating_sub(1) > 308 {
        return f64::INFINITY;
    }
    if exp.saturating_add(n) < -324 {
        // Below 1e-324: under half the smallest subnormal (4.9e-324).
        return 0.0;
    }
    // Clinger's fast path: an exact integer times or over an exact power of ten, rounded once.
    if len <= 15 {
        let p = usize::try_from(exp.unsigned_abs())
            .ok()
            .and_then(|i| POW10.get(i));
        if let Some(p) = p {
            // `w < 10^15 < 2^53`: exact.
            #[allow(clippy::cast_precision_loss)]
            let w = w as f64;
            return if exp < 0 { w / p } else { w * p };
        }
    }
    exact(digits, exp)
}

/// The slow path: `N / D` (the value as a ratio of big integers) divided out to 57 bits, then
/// rounded to the 53 (or fewer, for a subnormal) an `f64` keeps.
fn exact(digits: &Digits, exp: i64) -> f64 {
    let mut num = vec![0u32];
    let kept = digits
        .mantissa
        .iter()
        .filter(|c| c.is_ascii_digit())
        .skip_while(|c| **c == b'0')
        .take(digits.count);
    for c in kept {
        mul_add(&mut num, 10, u32::from(c.wrapping_sub(b'0')));
    }
    if digits.truncated {
        mul_add(&mut num, 10, 1);
    }
    let mut den = vec![1u32];
    let scale = if exp < 0 { &mut den } else { &mut num };
    let mut left = exp.unsigned_abs();
    while left > 0 {
        let step = left.min(9);
        mul_add(scale, 10u32.pow(step as u32), 0);
        left = left.wrapping_sub(step);
    }
    // x = num / den < 2^(bl+1) and > 2^(bl-1): dividing by 2^s0 leaves 55 to 57 bits, or
    // fewer where s0 is held at 2 bits below the smallest subnormal's.
    let bl = bit_len(&num).wrapping_sub(bit_len(&den));
    let s0 = bl.wrapping_sub(56).max(-1076);
    if s0 >= 0 {
        shl(&mut den, s0.unsigned_abs());
    } else {
        shl(&mut num, s0.unsigned_abs());
    }
    let mut q: u64 = 0;
    let mut t = den;
    shl(&mut t, 56);
    for i in (0..=56u32).rev() {
        if cmp(&num, &t) != Ordering::Less {
            sub(&mut num, &t);
            q |= 1u64.wrapping_shl(i);
        }
        shr1(&mut t);
    }
    let sticky = num.iter().any(|l| *l != 0);
    if q == 0 {
        return 0.0;
    }
    // The value's binary exponent, and the exponent of its last kept bit.
    let e = s0.wrapping_add(i64::from(63u32.wrapping_sub(q.leading_zeros())));
    let mut s = e.wrapping_sub(52).max(-1074);
    let sh = u32::try_from(s.wrapping_sub(s0)).unwrap_or(63).min(63);
    let mut m = q.wrapping_shr(sh);
    let dropped = q & 1u64.wrapping_shl(sh).wrapping_sub(1);
    let half = 1u64.wrapping_shl(sh.wrapping_sub(1));
    if dropped > half || (dropped == half && (sticky || m & 1 == 1)) {
        m = m.wrapping_add(1);
    }
    if m == 1 << 53 {
        m = 1 << 52;
        s = s.wrapping_add(1);
    }
    let biased = s.wrapping_add(1075);
    if biased >= 2047 {
        return f64::INFINITY;
    }
    let bits = if m < 1 << 52 {
        // A subnormal (s is -1074 here): no implicit bit, exponent field 0.
        m
    } else {
        biased.unsigned_abs().wrapping_shl(52) | (m & ((1 << 52) - 1))
    };
    f64::from_bits(bits)
}

/// `a = a × m + add` (little-endian 32-bit limbs).
fn mul_add(a: &mut Vec<u32>, m: u32, add: u32) {
    let mut carry = u64::from(add);
    for limb in a.iter_mut() {
        let v = u64::from(*limb)
            .wrapping_mul(u64::from(m))
            .wrapping_add(carry);
        *limb = v as u32;
        carry = v >> 32;
    }
    if carry > 0 {
        a.push(carry as u32);
    }
}

fn bit_len(a: &[u32]) -> i64 {
    let top = a.iter().rposition(|l| *l != 0);
    match top.and_then(|i| a.get(i).map(|l| (i, l))) {
        None => 0,
        Some((i, l)) => i64::try_from(i)
            .unwrap_or(0)
            .wrapping_mul(32)
            .wrapping_add(i64::from(32u32.wrapping_sub(l.leading_zeros()))),
    }
}

/// `a <<= bits`.
fn shl(a: &mut Vec<u32>, bits: u64) {
    let words = usize::try_from(bits / 32).unwrap_or(0);
    let rem = (bits % 32) as u32;
    if rem > 0 {
        let mut carry = 0u32;
        for limb in a.iter_mut() {
            let next = limb.wrapping_shr(32u32.wrapping_sub(rem));
            *limb = limb.wrapping_shl(rem) | carry;
            carry = next;
        }
        if carry > 0 {
            a.push(carry);
        }
    }
    if words > 0 {
        let mut shifted = vec![0; words];
        shifted.append(a);
        *a = shifted;
    }
}

/// `a >>= 1`.
fn shr1(a: &mut [u32]) {
    let mut carry = 0u32;
    for limb in a.iter_mut().rev() {
        let low = *limb & 1;
        *limb = (*limb >> 1) | carry.wrapping_shl(31);
        carry = low;
    }
}

/// Compares two numbers (either may have high zero limbs).
fn cmp(a: &[u32], b: &[u32]) -> Ordering {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// `a -= b`, where `a >= b`.
fn sub(a: &mut [u32], b: &[u32]) {
    let mut borrow = false;
    for (i, limb) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (v, b1) = limb.overflowing_sub(y);
        let (v, b2) = v.overflowing_sub(u32::from(borrow));
        *limb = v;
        borrow = b1 || b2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let want = text.parse::<f64>().ok();
        let got = parse_f64(text);
        match (want, got) {
            (Some(w), Some(g)) if w.is_nan() => assert!(g.is_nan(), "{text:?}: {g}"),
            (Some(w), Some(g)) => assert_eq!(w.to_bits(), g.to_bits(), "{text:?}: {w} vs {g}"),
            (w, g) => assert_eq!(w.is_some(), g.is_some(), "{text:?}: {w:?} vs {g:?}"),
        }
    }

    #[test]
    fn integers_read_as_str_parse_reads_them() {
        for text in [
            "0",
            "+0",
            "-0",
            "7",
            "+7",
            "-7",
            "007",
            "-007",
            "",
            "+",
            "-",
            "+-1",
            "-+1",
            "--1",
            "++1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "٣",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "4294967295",
            "4294967296",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_i64(text), text.parse::<i64>().ok(), "{text:?}");
            assert_eq!(parse_u64(text, 10), text.parse::<u64>().ok(), "{text:?}");
            assert_eq!(parse_usize(text), text.parse::<usize>().ok(), "{text:?}");
        }
        for text in [
            "ff",
            "FF",
            "+7f",
            "0x1",
            "g",
            "777",
            "8",
            "ffffffffffffffff",
            "1ffffffffffffffff",
        ] {
            for radix in [8, 10, 16] {
                assert_eq!(
                    parse_u64(text, radix),
                    u64::from_str_radix(text, radix).ok(),
                    "{text:?} {radix}"
                );
            }
        }
    }

    #[test]
    fn integers_at_the_overflow_edge_of_every_radix() {
        // parse_u64 multiplies unchecked for the first digits that cannot overflow, then
        // checked: the edge (u64::MAX, one more, one digit more) in every radix, and long runs
        // of leading zeros (many digits, small values), as from_str_radix reads them.
        let in_radix = |mut n: u64, radix: u64| {
            let mut digits = Vec::new();
            loop {
                digits.push(char::from_digit((n % radix) as u32, radix as u32).unwrap());
                n /= radix;
                if n == 0 {
                    break;
                }
            }
            digits.iter().rev().collect::<String>()
        };
        for radix in 2..=36u32 {
            let max = in_radix(u64::MAX, u64::from(radix));
            let texts = [
                max.clone(),
                max.to_uppercase(),
                format!("{max}0"),
                format!("1{}", "0".repeat(max.len())),
                in_radix(u64::MAX / 2, u64::from(radix)),
                format!("{}1", "0".repeat(40)),
                format!("+{}{max}", "0".repeat(25)),
                "z".repeat(12),
                "z".repeat(13),
            ];
            for text in texts {
                assert_eq!(
                    parse_u64(&text, radix),
                    u64::from_str_radix(&text, radix).ok(),
                    "{text:?} {radix}"
                );
            }
        }
    }

    #[test]
    fn agrees_with_str_parse_on_edges() {
        for text in [
            "0",
            "-0",
            "+0",
            "0.0",
            "00",
            "1",
            "-1",
            "0.1",
            "0.2",
            "0.3",
            "1.5",
            "1234.5",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345680000",
            "1e21",
            "1e+21",
            "1e-7",
            "1.2345678901234567e-7",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e308",
            "1e309",
            "2e308",
            "5e-324",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.47e-324",
            "1e-324",
            "1e-325",
            "3e-324",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "2.225073858507201e-308",
            "4.4501477170144023e-308",
            "0.30000000000000004",
            "9.999999999999999e22",
            "1e22",
            "1e23",
            "8.98846567431158e307",
            "9007199254740993.0000000000000000000000000000001",
            "0.000001",
            "1e-6",
            "123.456e-2",
            "1.e5",
            "1.",
            ".5",
            "-.5",
            "5.e-1",
            "1E5",
            "1e+0",
            "1e-0",
            "0e999999",
            "1e-99999999999999999999",
            "1e99999999999999999999",
            "inf",
            "-inf",
            "Infinity",
            "-Infinity",
            "INFINITY",
            "+inf",
            "NaN",
            "nan",
            "-nan",
            "",
            ".",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1.2.3",
            "1e5.0",
            "--1",
            "+-1",
            "1 ",
            " 1",
            "0x10",
            "1_000",
            "infinit",
            "nana",
            "1e+-5",
            "١",
            "1\u{0}",
        ] {
            same(text);
        }
        // More digits than are kept, exactly halfway and just past it.
        let half = format!("9007199254740993{}", "0".repeat(900));
        same(&half);
        same(&format!("{half}1"));
        same(&format!("0.{}1", "0".repeat(400)));
        same(&format!("{}e-800", "1".repeat(1000)));
        // Exact halfway points: 2^-1075 (between 0 and the smallest subnormal), 3 × 2^-1075
        // (between it and the next), 2^-1022 + 2^-1075 (past the largest subnormal), as
        // `5^1075 × k` with exponent -1075; and each nudged either way.
        for k in [1u64, 3, (1 << 53) + 1] {
            let digits = five_pow_times(1075, k);
            let (head, tail) = digits.split_at(digits.len() - 1);
            same(&format!("{digits}e-1075"));
            same(&format!("{digits}1e-1076"));
            same(&format!(
                "{head}{}9e-1076",
                (tail.as_bytes()[0] - b'1') as char
            ));
        }
    }

    /// `5^p × k` in decimal.
    fn five_pow_times(p: u32, k: u64) -> String {
        let mut d: Vec<u64> = vec![k];
        let mul = |d: &mut Vec<u64>, m: u64| {
            let mut carry = 0;
            for x in d.iter_mut() {
                let v = *x * m + carry;
                *x = v % 10;
                carry = v / 10;
            }
            while carry > 0 {
                d.push(carry % 10);
                carry /= 10;
            }
        };
        mul(&mut d, 1);
        for _ in 0..p {
            mul(&mut d, 5);
        }
        d.iter()
            .rev()
            .map(|x| char::from(b'0' + *x as u8))
            .collect()
    }

    // proptest is a host dev-dependency: not built for wasm32.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::same;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn agrees_with_str_parse_on_every_double(bits in any::<u64>()) {
                let n = f64::from_bits(bits);
                same(&n.to_string());
                same(&format!("{n:e}"));
                same(&format!("{n:.3e}"));
                same(&format!("{n:.25e}"));
            }

            #[test]
            fn agrees_with_str_parse_on_decimal_text(
                int in "[0-9]{0,25}", frac in proptest::option::of("[0-9]{0,25}"),
                exp in proptest::option::of(-400i32..400),
            ) {
                let mut t = int;
                if let Some(f) = frac { t.push('.'); t.push_str(&f); }
                if let Some(e) = exp { t.push_str(&format!("e{e}")); }
                same(&t);
            }
        }
    }
}
