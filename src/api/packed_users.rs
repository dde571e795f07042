//! Reads the `users` of an add call (and lists of ids) packed into one string by `pkg-template/marshal.js`
//! (`__packUsers`), so that a 2,000-user batch crosses the JS↔wasm boundary once instead of
//! some 30 times per user. The result is the same `RawUser`s as reading the array element by
//! element; validation happens afterwards, the same for both paths.
//!
//! Format: a text of tokens separated by NUL: the user count, then per user the id (`n` for
//! the next of `numbers`, `s` + a string, `b` + a bigint in decimal), the field count (`-`
//! when `fields` is absent), and per field its key and value (`n` or `s` + a string); and
//! `numbers`, the JS numbers in order, bit for bit (a `Float64Array`: no float parsing here).

use super::customer_files::{RawId, RawUser, RawValue};

fn id_token(token: &str, numbers: &mut impl Iterator<Item = f64>) -> Option<RawId> {
    if token == "n" {
        Some(RawId::Number(numbers.next()?))
    } else if let Some(s) = token.strip_prefix('s') {
        Some(RawId::Text(s.to_owned()))
    } else {
        token.strip_prefix('b').map(|b| RawId::BigInt(b.to_owned()))
    }
}

/// The ids packed by `__packIds` (the user tokens without fields), or `None`.
pub fn unpack_ids(packed: &str, numbers: &[f64]) -> Option<Vec<RawId>> {
    let mut tokens = packed.split('\0');
    let mut numbers = numbers.iter().copied();
    let count: usize = tokens.next()?.parse().ok()?;
    let mut ids = Vec::with_capacity(count.min(packed.len()));
    for _ in 0..count {
        ids.push(id_token(tokens.next()?, &mut numbers)?);
    }
    (tokens.next().is_none() && numbers.next().is_none()).then_some(ids)
}

/// The users packed in `packed` and `numbers`, or `None` if they are not in the format (the
/// caller then reads the JS array element by element).
pub fn unpack_users(packed: &str, numbers: &[f64]) -> Option<Vec<RawUser>> {
    let mut tokens = packed.split('\0');
    let mut numbers = numbers.iter().copied();
    let count: usize = tokens.next()?.parse().ok()?;
    // Each user takes at least two tokens: bound the allocation by the input's size.
    let mut users = Vec::with_capacity(count.min(packed.len() / 2));
    for _ in 0..count {
        let id = id_token(tokens.next()?, &mut numbers)?;
        let fields = match tokens.next()? {
            "-" => None,
            n => {
                let n: usize = n.parse().ok()?;
                let mut fields = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    let key = tokens.next()?.to_owned();
                    let value = tokens.next()?;
                    let value = if value == "n" {
                        RawValue::Number(numbers.next()?)
                    } else if let Some(s) = value.strip_prefix('s') {
                        RawValue::Text(s.to_owned())
                    } else {
                        return None;
                    };
                    fields.push((key, value));
                }
                Some(fields)
            }
        };
        users.push(RawUser { id, fields });
    }
    (tokens.next().is_none() && numbers.next().is_none()).then_some(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_shape() {
        let packed = [
            "4",
            "s1234567890",
            "2",
            "birthday",
            "s1990-01-31",
            "age",
            "n",
            "n",
            "-",
            "b9223372036854775807",
            "0",
            "s010-1234-5678",
            "3",
            "구매금액",
            "n",
            "x",
            "s",
            "y",
            "n",
        ]
        .join("\0");
        let users = unpack_users(&packed, &[20.0, 42.0, 1234.5, f64::NAN]).unwrap();
        assert_eq!(users.len(), 4);
        assert_eq!(users[0].id, RawId::Text("1234567890".into()));
        assert_eq!(
            users[0].fields,
            Some(vec![
                ("birthday".into(), RawValue::Text("1990-01-31".into())),
                ("age".into(), RawValue::Number(20.0)),
            ])
        );
        assert_eq!(users[1].id, RawId::Number(42.0));
        assert_eq!(users[1].fields, None);
        assert_eq!(users[2].id, RawId::BigInt("9223372036854775807".into()));
        assert_eq!(users[2].fields, Some(vec![]));
        let f = users[3].fields.as_ref().unwrap();
        assert_eq!(f[0], ("구매금액".into(), RawValue::Number(1234.5)));
        assert_eq!(f[1], ("x".into(), RawValue::Text(String::new())));
        assert!(matches!(f[2].1, RawValue::Number(n) if n.is_nan()));
        assert_eq!(unpack_users("0", &[]), Some(vec![]));
    }

    #[test]
    fn reads_ids() {
        assert_eq!(
            unpack_ids("3\0n\0s12\0b9223372036854775807", &[7.0]),
            Some(vec![
                RawId::Number(7.0),
                RawId::Text("12".into()),
                RawId::BigInt("9223372036854775807".into())
            ])
        );
        assert_eq!(unpack_ids("0", &[]), Some(vec![]));
        for (bad, numbers) in [
            ("", &[][..]),
            ("1", &[]),
            ("1\0n", &[]),
            ("1\0n", &[1.0, 2.0]),
            ("1\0x1", &[]),
            ("1\0s1\0s2", &[]),
        ] {
            assert_eq!(unpack_ids(bad, numbers), None, "{bad:?}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for (bad, numbers) in [
            ("", &[][..]),
            ("x", &[]),
            ("1", &[]),
            ("1\0s1", &[]),
            ("1\0s1\0-\0extra", &[]),
            ("1\0q1\0-", &[]),
            ("1\0n\0-", &[]),
            ("1\0n1\0-", &[1.0]),
            ("1\0s1\0-", &[1.0]),
            ("1\0s1\x001\0k", &[]),
            ("1\0s1\x001\0k\0t1", &[]),
            ("1\0s1\x001\0k\0n", &[]),
            ("1\0s1\0two", &[]),
            ("2\0s1\0-", &[]),
            ("18446744073709551616\0s1\0-", &[]),
        ] {
            assert_eq!(unpack_users(bad, numbers), None, "{bad:?}");
        }
    }
}
