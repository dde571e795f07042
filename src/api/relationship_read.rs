//! The fast reading of a relationship answer: one pass over the text, strings borrowed from
//! it, no `serde_json::Value` tree. It reads only a strict subset of JSON (strings without
//! escapes, integers of at most 18 digits, no object or array in a field it does not use) and
//! the documented shape with valid fields; anything else gives `None`, and `api::relationship` then reads the
//! answer through `serde_json::Value` as before, which gives the result or the error. So every
//! answer this accepts is one the `Value` reading accepts with the same result, and every
//! error is the `Value` reading's.

use crate::core::decimal::parse_i64;
use serde_json::Value;

/// One user of an answer, its strings borrowed from the answer (its text, or its `Value`). Read
/// by hand, not `#[derive(Deserialize)]`: the derive's type errors link the float formatting of
/// `core::fmt`, ~11 KB of wasm.
pub(super) struct User<'a> {
    pub(super) user_id: UserIdField<'a>,
    pub(super) channels: Option<Vec<Channel<'a>>>,
}

/// A user id as read: checked already (positive, from a JSON integer or a decimal string: the
/// fast reading), or the JSON value still to check (the `Value` reading).
pub(super) enum UserIdField<'a> {
    Valid(i64),
    Value(&'a Value),
}

pub(super) struct Channel<'a> {
    pub(super) channel_uuid: &'a str,
    pub(super) channel_public_id: &'a str,
    pub(super) relation: &'a str,
    pub(super) created_at: Option<&'a str>,
    pub(super) updated_at: Option<&'a str>,
}

/// The answer of a check: one user object.
pub(super) fn user(body: &str) -> Option<User<'_>> {
    let mut r = Reader { s: body, at: 0 };
    let u = r.user()?;
    r.end()?;
    Some(u)
}

/// The answer of a multi check: an array of user objects.
pub(super) fn users(body: &str) -> Option<Vec<User<'_>>> {
    let mut r = Reader { s: body, at: 0 };
    let mut out = Vec::new();
    let mut more = !r.open(b'[', b']')?;
    while more {
        out.push(r.user()?);
        more = r.more(b']')?;
    }
    r.end()?;
    Some(out)
}

struct Reader<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn step(&mut self, n: usize) {
        self.at = self.at.saturating_add(n);
    }

    /// The next byte after whitespace (JSON's four), not consumed.
    fn peek(&mut self) -> Option<u8> {
        let b = self.s.as_bytes();
        while let Some(c) = b.get(self.at) {
            if !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(*c);
            }
            self.step(1);
        }
        None
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.step(1))
    }

    /// Only whitespace left.
    fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.s.as_bytes().get(start..)?;
        let len = rest
            .iter()
            .position(|c| *c == b'"' || *c == b'\\' || *c < 0x20)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        let end = start.saturating_add(len);
        self.at = end.saturating_add(1);
        self.s.get(start..end)
    }

    /// A string or `null`.
    fn opt_string(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            return self.literal("null").map(|()| None);
        }
        self.string().map(Some)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.peek()?;
        let end = self.at.saturating_add(word.len());
        (self.s.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `-?(0|[1-9][0-9]*)`, at most 18 digits (what `serde_json` reads as an integer): its text.
    fn integer(&mut self) -> Option<&'a str> {
        self.peek()?;
        let start = self.at;
        let mut digits: u32 = 0;
        while let Some(c) = self.s.as_bytes().get(self.at) {
            match c {
                b'-' if self.at == start => {}
                b'0'..=b'9' if digits < 18 => digits = digits.saturating_add(1),
                b'0'..=b'9' | b'.' | b'e' | b'E' => return None,
                _ => break,
            }
            self.step(1);
        }
        let text = self.s.get(start..self.at)?;
        let int = text.strip_prefix('-').unwrap_or(text);
        (digits > 0 && (digits == 1 || !int.starts_with('0'))).then_some(text)
    }

    /// Opens an array or object (`open`): whether it closes at once (`close`).
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.eat(open)?;
        let empty = self.peek()? == close;
        if empty {
            self.step(1);
        }
        Some(empty)
    }

    /// After an item: whether another follows (`,`), or the array or object closes.
    fn more(&mut self, close: u8) -> Option<bool> {
        let c = self.peek()?;
        self.step(1);
        if c == b',' {
            Some(true)
        } else {
            (c == close).then_some(false)
        }
    }

    /// `"key":`. A key seen twice: the last value counts, as in the `Value` reading (each
    /// reader below assigns its fields, never accumulates).
    fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        self.eat(b':')?;
        Some(key)
    }

    /// A field this reading does not use, skipped: a string, an integer, `true`, `false` or
    /// `null` (an object, an array or any other number: `None`).
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.integer().map(drop),
        }
    }

    fn user(&mut self) -> Option<User<'a>> {
        let mut user_id = None;
        let mut channels = None;
        let mut more = !self.open(b'{', b'}')?;
        while more {
            match self.key()? {
                "user_id" => {
                    let text = if self.peek()? == b'"' {
                        self.string()?
                    } else {
                        self.integer()?
                    };
                    let n = parse_i64(text).filter(|n| *n > 0)?;
                    user_id = Some(UserIdField::Valid(n));
                }
                "channels" => channels = self.channels()?,
                _ => self.skip()?,
            }
            more = self.more(b'}')?;
        }
        Some(User {
            user_id: user_id?,
            channels,
        })
    }

    /// `channels`: an array of channels, or `null`.
    fn channels(&mut self) -> Option<Option<Vec<Channel<'a>>>> {
        if self.peek()? == b'n' {
            self.literal("null")?;
            return Some(None);
        }
        let mut list = Vec::new();
        let mut more = !self.open(b'[', b']')?;
        while more {
            list.push(self.channel()?);
            more = self.more(b']')?;
        }
        Some(Some(list))
    }

    fn channel(&mut self) -> Option<Channel<'a>> {
        let (mut uuid, mut public_id, mut relation) = (None, None, None);
        let (mut created_at, mut updated_at) = (None, None);
        let mut more = !self.open(b'{', b'}')?;
        while more {
            match self.key()? {
                "channel_uuid" => uuid = Some(self.string()?),
                "channel_public_id" => public_id = Some(self.string()?),
                "relation" => relation = Some(self.string()?),
                "created_at" => created_at = self.opt_string()?,
                "updated_at" => updated_at = self.opt_string()?,
                _ => self.skip()?,
            }
            more = self.more(b'}')?;
        }
        Some(Channel {
            channel_uuid: uuid?,
            channel_public_id: public_id?,
            relation: relation?,
            created_at,
            updated_at,
        })
    }
}
