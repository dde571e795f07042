//! Reads the arguments of a call as `pkg-template/pack.js` packed them: one string of tokens
//! separated by NUL, written by JS before the call enters wasm, so that no read of a caller's
//! value (a getter, a Proxy) ever happens from Rust. Strings are borrowed from the packed text.
//!
//! Tokens: `u` undefined, `z` null, `t`/`f` booleans, `n<decimal>` a number, `s<text>` a
//! string, `e<JSON string>` a string containing a NUL, `b<decimal>` a bigint, `o<count>` an
//! object then `count` × (key, value), `a<count>` an array then its elements, `c<count>` the
//! users of an add call (packed apart, in chunks), `h<kind><index>` a JS value kept aside
//! (`f` function, `s` AbortSignal, `o` object), `x<what>` a value that is not plain data,
//! `!<kind> <detail>` a fact JS found while reading that makes the value unusable (see
//! [`Flaw`]): JS reports it, the rule that refuses it is [`super::input::flaw_error`]'s.
//! In a users chunk only, `O` stands for a user, or a user's `fields`, with the keys of the
//! last one of the chunk written as `o<count>`: its values follow, without the keys (read by
//! [`super::user_reader`], never by [`Tokens::value_of`]).

use crate::core::decimal::{parse_f64, parse_usize};
use std::borrow::Cow;

/// One packed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    Str(Cow<'a, str>),
    /// A bigint, as its decimal text.
    BigInt(&'a str),
    Object(Vec<(Cow<'a, str>, Val<'a>)>),
    Array(Vec<Val<'a>>),
    /// The users of an add call, packed apart in chunks: how many there are.
    Chunked(usize),
    /// A JS value kept aside: its kind and its index in the call's handles.
    Handle(Handle, usize),
    /// Not plain data: what it is, e.g. "a Date".
    Other(&'a str),
    /// What JS found while reading the value, in place of the value.
    Flaw(Flaw<'a>),
}

/// What kind of JS value pack.js kept aside as a handle (`hf`, `hs`, `ho` in the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    Function,
    /// An `AbortSignal` (or a polyfill's: a boolean `aborted` and `addEventListener`).
    Signal,
    /// Any other object that must stay a JS value (the logger).
    Object,
}

/// A fact pack.js reports about a value it read, instead of the value: `kind` one of
/// [`Flaw::HOLE`], [`Flaw::CHANGED`], [`Flaw::SURROGATE`], [`Flaw::SURROGATE_KEY`]; `detail` its
/// text (JSON-escaped by JS, for messages only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flaw<'a> {
    pub kind: &'a str,
    pub detail: &'a str,
}

impl Flaw<'_> {
    /// An array index with no element (a sparse array); detail: the array's length.
    pub const HOLE: &'static str = "hole";
    /// An array whose length changed while it was read; detail: `<before> <after>`.
    pub const CHANGED: &'static str = "changed";
    /// A string that is not well-formed UTF-16; detail: `<index> <code unit in hex> <length>`
    /// of its first lone surrogate (the string itself is not echoed: it may be a token).
    pub const SURROGATE: &'static str = "surrogate";
    /// An object with a key that is not well-formed UTF-16; detail: the key's JSON text.
    pub const SURROGATE_KEY: &'static str = "surrogatekey";
}

impl<'a> Val<'a> {
    /// `self[key]` of an object; `Undefined` for anything else or a missing key.
    pub fn get(&self, key: &str) -> &Val<'a> {
        match self {
            Val::Object(entries) => entries
                .iter()
                .rev() // the last of a repeated key wins, as in JS
                .find(|(k, _)| k == key)
                .map_or(&Val::Undefined, |(_, v)| v),
            _ => &Val::Undefined,
        }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Val::Undefined)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What the value is, for messages: "a string", "an array", "a Date", ...
    pub fn type_name(&self) -> &'a str {
        match self {
            Val::Other(what) => what,
            other => other.kind_name().unwrap_or("an object"),
        }
    }

    /// What the value is, for any value but `Other` (whose description is the caller's).
    pub fn kind_name(&self) -> Option<&'static str> {
        Some(match self {
            Val::Undefined => "undefined",
            Val::Null => "null",
            Val::Bool(_) => "a boolean",
            Val::Number(_) => "a number",
            Val::Str(_) => "a string",
            Val::BigInt(_) => "a bigint",
            Val::Object(_) => "an object",
            Val::Array(_) | Val::Chunked(_) => "an array",
            Val::Handle(Handle::Function, _) => "a function",
            Val::Handle(Handle::Signal, _) => "an AbortSignal",
            Val::Handle(Handle::Object, _) => "an object",
            Val::Flaw(f) => match f.kind {
                Flaw::HOLE => "a hole (no element at this index)",
                Flaw::CHANGED => "an array that changed while it was read",
                Flaw::SURROGATE => "a string with a lone surrogate",
                _ => "an object with a key that has a lone surrogate",
            },
            Val::Other(_) => return None,
        })
    }
}

/// A malformed packed text: only a bug in pack.js can produce one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError;

/// The tokens of a packed text, in order.
pub struct Tokens<'a> {
    rest: Option<&'a str>,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokens {
            rest: (!text.is_empty()).then_some(text),
        }
    }

    /// The next token, whole (tag and body); [`Tokens::value_of`] reads the value it starts.
    pub fn next_token(&mut self) -> Result<&'a str, PackError> {
        let rest = self.rest.ok_or(PackError)?;
        // Tokens are short: a plain scan beats setting up a substring searcher per token.
        match rest.as_bytes().iter().position(|&b| b == 0) {
            Some(i) => {
                // A NUL is a whole character: both sides of it are char boundaries.
                let (token, tail) = rest.split_at_checked(i).ok_or(PackError)?;
                self.rest = tail.get(1..);
                Ok(token)
            }
            None => {
                self.rest = None;
                Ok(rest)
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.rest.is_none()
    }

    /// The next value, whole.
    pub fn value(&mut self) -> Result<Val<'a>, PackError> {
        let token = self.next_token()?;
        self.value_of(token)
    }

    /// The value that `token` (just taken by [`Tokens::next_token`]) starts, whole.
    pub fn value_of(&mut self, token: &'a str) -> Result<Val<'a>, PackError> {
        // Tags are ASCII: the body starts at byte 1.
        let tag = char::from(*token.as_bytes().first().ok_or(PackError)?);
        let body = token.get(1..).ok_or(PackError)?;
        let count = || count(body);
        Ok(match tag {
            'u' => Val::Undefined,
            'z' => Val::Null,
            't' => Val::Bool(true),
            'f' => Val::Bool(false),
            'n' => Val::Number(number(body)?),
            's' => Val::Str(Cow::Borrowed(body)),
            // Read as a `Value`, not a `String`: a typed read's error messages link the
            // float formatting of `core::fmt` (~11 KB of wasm).
            'e' => match serde_json::from_str::<serde_json::Value>(body) {
                Ok(serde_json::Value::String(s)) => Val::Str(Cow::Owned(s)),
                _ => return Err(PackError),
            },
            'b' => Val::BigInt(body),
            'o' => {
                let n = count()?;
                // Each entry takes two tokens at least: bound the allocation by the input.
                let mut entries = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    let key = match self.value()? {
                        Val::Str(k) => k,
                        _ => return Err(PackError),
                    };
                    entries.push((key, self.value()?));
                }
                Val::Object(entries)
            }
            'a' => {
                let n = count()?;
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    items.push(self.value()?);
                }
                Val::Array(items)
            }
            'c' => Val::Chunked(count()?),
            'h' => {
                let kind = match body.as_bytes().first() {
                    Some(b'f') => Handle::Function,
                    Some(b's') => Handle::Signal,
                    Some(b'o') => Handle::Object,
                    _ => return Err(PackError),
                };
                let index = body.get(1..).ok_or(PackError)?;
                Val::Handle(kind, parse_usize(index).ok_or(PackError)?)
            }
            'x' => Val::Other(body),
            '!' => {
                let (kind, detail) = body.split_once(' ').unwrap_or((body, ""));
                match kind {
                    Flaw::HOLE | Flaw::CHANGED | Flaw::SURROGATE | Flaw::SURROGATE_KEY => {
                        Val::Flaw(Flaw { kind, detail })
                    }
                    _ => return Err(PackError),
                }
            }
            _ => return Err(PackError),
        })
    }
}

/// The count of an `o`, `a` or `c` token: decimal digits (a loop: cheaper here than `parse`).
pub fn count(text: &str) -> Result<usize, PackError> {
    if text.is_empty() {
        return Err(PackError);
    }
    text.bytes().try_fold(0usize, |n, b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)
                .and_then(|n| n.checked_add(usize::from(b.wrapping_sub(b'0'))))
                .ok_or(PackError)
        } else {
            Err(PackError)
        }
    })
}

/// A JS number as `String(n)` wrote it (shortest round-trip form, so parsing is exact).
pub fn number(text: &str) -> Result<f64, PackError> {
    // Most numbers are small whole ones (ages, amounts): up to 15 digits are exact in an f64
    // (< 2^53), read without the general float parser.
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n = text.bytes().fold(0u64, |n, b| {
            n.wrapping_mul(10)
                .wrapping_add(u64::from(b.wrapping_sub(b'0')))
        });
        return Ok(n as f64);
    }
    match text {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        // Exactly what `text.parse()` reads, without linking its 18 KB of tables.
        _ => parse_f64(text).ok_or(PackError),
    }
}

/// The arguments of one call: the count, then that many values, then nothing.
pub fn args(text: &str) -> Result<Vec<Val<'_>>, PackError> {
    let (count, rest) = text.split_once('\0').unwrap_or((text, ""));
    let count = parse_usize(count).ok_or(PackError)?;
    let mut tokens = Tokens::new(rest);
    let mut out = Vec::with_capacity(count.min(8));
    for _ in 0..count {
        out.push(tokens.value()?);
    }
    if tokens.is_done() {
        Ok(out)
    } else {
        Err(PackError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_token_kind() {
        let text = "2\0o4\0sa\0n1.5\0sb\0a3\0u\0z\0t\0sc\0e\"x\\u0000y\"\0sd\0hs0\0x a Date";
        let v = args(text).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].get("a"), &Val::Number(1.5));
        assert_eq!(
            v[0].get("b"),
            &Val::Array(vec![Val::Undefined, Val::Null, Val::Bool(true)])
        );
        assert_eq!(v[0].get("c").as_str(), Some("x\0y"));
        assert_eq!(v[0].get("d"), &Val::Handle(Handle::Signal, 0));
        assert_eq!(v[1], Val::Other(" a Date"));
    }

    #[test]
    fn numbers_parse_exactly() {
        // As JS's String(n) writes them.
        for (text, n) in [
            ("0.1", 0.1),
            ("1e+21", 1e21),
            ("-1.5e-300", -1.5e-300),
            ("9007199254740991", 9007199254740991.0),
            ("5e-324", 5e-324),
        ] {
            assert_eq!(args(&format!("1\0n{text}")).unwrap()[0], Val::Number(n));
        }
        assert!(matches!(args("1\0nNaN").unwrap()[0], Val::Number(x) if x.is_nan()));
        assert_eq!(
            args("1\0n-Infinity").unwrap()[0],
            Val::Number(f64::NEG_INFINITY)
        );
    }

    #[test]
    fn malformed_texts_are_errors_not_panics() {
        for text in [
            "",
            "x",
            "2\0u",
            "1\0o1\0u\0u",
            "1\0a99",
            "1\0q",
            "1\0u\0u",
            "1\0hq",
            "1\0hq0",
            "1\0e\"",
            "1\0",
            "1\0!nonsense 1",
            "1\0o",
            "1\0a+0",
            "1\0a99999999999999999999999",
        ] {
            assert_eq!(args(text), Err(PackError), "{text:?}");
        }
    }

    #[test]
    fn flaws_are_read_with_their_detail() {
        let v = args("1\0a2\0n1\0!hole 4294967295").unwrap();
        assert_eq!(
            v[0],
            Val::Array(vec![
                Val::Number(1.0),
                Val::Flaw(Flaw {
                    kind: Flaw::HOLE,
                    detail: "4294967295"
                })
            ])
        );
        let v = args("1\0!surrogate 1 D800 2").unwrap();
        assert_eq!(v[0].type_name(), "a string with a lone surrogate");
    }

    #[test]
    fn the_last_repeated_key_wins() {
        let v = args("1\0o2\0sk\0n1\0sk\0n2").unwrap();
        assert_eq!(v[0].get("k"), &Val::Number(2.0));
    }
}
