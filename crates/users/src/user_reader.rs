//! The one reader of the users of an add call (and of `validateCustomerFileUsers`): users
//! straight from their packed chunk's tokens ([`super::packed`]) into one reused [`RawUser`],
//! with no value tree per user and no allocation for a plain user once the first has been read.
//!
//! It applies the shape rules of [`super::input`] to each user, in their order: the first flaw
//! anywhere in the user (JS's report of a hole, a changed array or a lone surrogate, at its
//! path), then a user that is not an object, then the first key other than `id` and
//! `fields`, then `fields` that is not an object. As in JS, the last of a repeated key wins.
//! The values of `id` and of each field are read by [`Tokens::value_of`] (a scalar costs no
//! allocation; anything else is read whole, to be named in the checker's error).

use super::customer_files::{RawId, RawUser, RawValue};
use super::input::{self, check_flaws, not_an_object_named, raw_id, raw_value};
use super::packed::{self, PackError, Tokens, Val};
use crate::core::error::ValidationError;
use std::borrow::Cow;

/// Why a user could not be read: a malformed packed text (a bug in pack.js), or a shape rule.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    Pack(PackError),
    Invalid(ValidationError),
}

impl From<PackError> for ReadError {
    fn from(e: PackError) -> Self {
        ReadError::Pack(e)
    }
}

/// What the last `fields` key of a user held.
enum Fields<'a> {
    Absent,
    Object,
    /// Not an object: what it was ("an array", "a Date", ...).
    Other(&'a str),
}

/// What [`UserReader::each_key`] calls for each key: the reader, the key, its value's token.
type EachKey<'r, 'a> =
    dyn FnMut(&mut UserReader<'a>, &Cow<'a, str>, &'a str) -> Result<(), ReadError> + 'r;

/// Reads users one at a time from one packed chunk.
pub struct UserReader<'a> {
    tokens: Tokens<'a>,
    user: RawUser<'a>,
    /// The fields' storage while the user read last had none.
    spare: Vec<(Cow<'a, str>, RawValue<'a>)>,
    /// The keys of the last user read that was an `o` object, and of the last `fields` that
    /// was one: what an `O` token in their place stands for (pack.js writes `O` for a user, or
    /// a user's fields, with the same keys as the last one of the chunk: then only its values
    /// follow). `None` until there is one.
    shapes: [Option<Vec<Cow<'a, str>>>; 2],
}

impl<'a> UserReader<'a> {
    /// A reader of the chunk `text` (users, each one packed value, NUL-separated).
    pub fn new(text: &'a str) -> Self {
        UserReader {
            tokens: Tokens::new(text),
            user: RawUser {
                id: RawId::Other("undefined"),
                fields: None,
            },
            spare: Vec::new(),
            shapes: [None, None],
        }
    }

    /// Whether every token of the chunk has been read.
    pub fn is_done(&self) -> bool {
        self.tokens.is_done()
    }

    /// The next user, `users[i]` of the call, as its shape rules accept it.
    pub fn next_user(&mut self, i: usize) -> Result<&RawUser<'a>, ReadError> {
        let mut fields = match self.user.fields.take() {
            Some(f) => f,
            None => std::mem::take(&mut self.spare),
        };
        fields.clear();
        let read = self.read(i, &mut fields);
        match read {
            Ok((id, Fields::Object)) => {
                self.user.id = id;
                self.user.fields = Some(fields);
                Ok(&self.user)
            }
            Ok((id, Fields::Absent)) => {
                self.spare = fields;
                self.user.id = id;
                Ok(&self.user)
            }
            Ok((_, Fields::Other(what))) => {
                self.spare = fields;
                Err(ReadError::Invalid(not_an_object_named(
                    what,
                    &format!("users[{i}].fields"),
                )))
            }
            Err(e) => {
                self.spare = fields;
                Err(e)
            }
        }
    }

    /// Reads user `i` whole: its id and fields (into `fields`), or the first error by the order
    /// of the rules (a flaw before anything else, as the whole user is read first).
    fn read(
        &mut self,
        i: usize,
        fields: &mut Vec<(Cow<'a, str>, RawValue<'a>)>,
    ) -> Result<(RawId<'a>, Fields<'a>), ReadError> {
        let token = self.tokens.next_token()?;
        if token != "O" && body_of(token, b'o').is_none() {
            let v = self.tokens.value_of(token)?;
            let at = format!("users[{i}]");
            check_flaws(&v, &at, "").map_err(ReadError::Invalid)?;
            return Err(ReadError::Invalid(input::not_an_object(&v, &at)));
        }
        let [mut keys, mut inner] = std::mem::take(&mut self.shapes);
        let read = self.read_keys(i, token, &mut keys, &mut inner, fields);
        self.shapes = [keys, inner];
        read
    }

    /// The keys of an object (`token` its `o<count>`, or `O`: the keys of `shape`), each
    /// `(key, its value's token)` handed to `f`; `shape` then holds its keys.
    fn each_key(
        &mut self,
        token: &'a str,
        shape: &mut Option<Vec<Cow<'a, str>>>,
        f: &mut EachKey<'_, 'a>,
    ) -> Result<(), ReadError> {
        // `f` fails only for a malformed text, which ends the reading: `shape` is then lost.
        if token == "O" {
            let keys = shape.take().ok_or(PackError)?;
            for key in &keys {
                let value = self.tokens.next_token()?;
                f(self, key, value)?;
            }
            *shape = Some(keys);
            return Ok(());
        }
        let count = packed::count(body_of(token, b'o').ok_or(PackError)?)?;
        let mut keys = shape.take().unwrap_or_default();
        keys.clear();
        for _ in 0..count {
            let key = self.key()?;
            let value = self.tokens.next_token()?;
            f(self, &key, value)?;
            keys.push(key);
        }
        *shape = Some(keys);
        Ok(())
    }

    /// [`read`](Self::read) of a user that is an object (`token`: `o<count>` or `O`).
    fn read_keys(
        &mut self,
        i: usize,
        token: &'a str,
        keys: &mut Option<Vec<Cow<'a, str>>>,
        inner: &mut Option<Vec<Cow<'a, str>>>,
        fields: &mut Vec<(Cow<'a, str>, RawValue<'a>)>,
    ) -> Result<(RawId<'a>, Fields<'a>), ReadError> {
        let mut flaw: Option<ValidationError> = None;
        let mut unknown: Option<ValidationError> = None;
        let mut id = RawId::Other("undefined");
        let mut state = Fields::Absent;
        self.each_key(token, keys, &mut |this, key, token| {
            match key.as_bytes() {
                b"id" => {
                    id = match scalar(token) {
                        // A string or a number: no flaw, no value tree.
                        Some(RawValue::Text(s)) => RawId::Text(s),
                        Some(RawValue::Number(n)) => RawId::Number(n),
                        _ => {
                            let v = this.tokens.value_of(token)?;
                            note_flaw(&mut flaw, &v, || format!("users[{i}].id"));
                            raw_id(&v)
                        }
                    };
                }
                b"fields" if token == "O" || body_of(token, b'o').is_some() => {
                    fields.clear();
                    this.each_key(token, inner, &mut |this, name, token| {
                        let value = match scalar(token) {
                            Some(v) => v,
                            None => {
                                let v = this.tokens.value_of(token)?;
                                note_flaw(&mut flaw, &v, || format!("users[{i}].fields.{name}"));
                                raw_value(&v)
                            }
                        };
                        fields.push((name.clone(), value));
                        Ok(())
                    })?;
                    state = Fields::Object;
                }
                b"fields" => {
                    let v = this.tokens.value_of(token)?;
                    note_flaw(&mut flaw, &v, || format!("users[{i}].fields"));
                    state = match v {
                        Val::Undefined => Fields::Absent,
                        other => Fields::Other(other.type_name()),
                    };
                }
                _ => {
                    let v = this.tokens.value_of(token)?;
                    note_flaw(&mut flaw, &v, || format!("users[{i}].{key}"));
                    if unknown.is_none() {
                        unknown = Some(input::unknown_key(
                            &format!("users[{i}]"),
                            key,
                            &["id", "fields"],
                        ));
                    }
                }
            }
            Ok(())
        })?;
        match flaw.or(unknown) {
            Some(e) => Err(ReadError::Invalid(e)),
            None => Ok((id, state)),
        }
    }

    /// An object's key: a string token.
    fn key(&mut self) -> Result<Cow<'a, str>, PackError> {
        let token = self.tokens.next_token()?;
        if let Some(k) = body_of(token, b's') {
            return Ok(Cow::Borrowed(k));
        }
        match self.tokens.value_of(token)? {
            Val::Str(k) => Ok(k),
            _ => Err(PackError),
        }
    }
}

/// The body of `token` when its tag is `tag` (tags are ASCII: the body starts at byte 1).
fn body_of(token: &str, tag: u8) -> Option<&str> {
    if token.as_bytes().first() == Some(&tag) {
        token.get(1..)
    } else {
        None
    }
}

/// The value of a token that is a whole scalar string or number (`s…`, `n…`), read without a
/// [`Val`]; `None` for any other token (read by [`Tokens::value_of`]). Neither can be a flaw.
fn scalar(token: &str) -> Option<RawValue<'_>> {
    match token.as_bytes().first() {
        Some(b's') => token.get(1..).map(|s| RawValue::Text(Cow::Borrowed(s))),
        Some(b'n') => token
            .get(1..)
            .and_then(|n| packed::number(n).ok())
            .map(RawValue::Number),
        _ => None,
    }
}

/// Keeps the refusal of the first flaw in `v` (at `at()` and below) when none was found yet.
fn note_flaw(first: &mut Option<ValidationError>, v: &Val, at: impl FnOnce() -> String) {
    if first.is_none() && input::has_flaw(v) {
        *first = check_flaws(v, &at(), "").err();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str, count: usize) -> Vec<Result<RawUser<'_>, ReadError>> {
        let mut r = UserReader::new(text);
        (0..count).map(|i| r.next_user(i).cloned()).collect()
    }

    fn invalid<'r>(r: &'r Result<RawUser, ReadError>) -> (&'r str, &'r str) {
        match r {
            Err(ReadError::Invalid(e)) => (e.field.as_str(), e.rule),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_plain_users_and_reuses_nothing_stale() {
        let text = "o2\0sid\0s5000000000\0sfields\0o2\0sbirthday\0s1990-01-31\0sage\0n20\0\
                    o1\0sid\0n7\0\
                    o2\0sfields\0o1\0sa\0n1\0sid\0b9";
        let users = read_all(text, 3);
        assert_eq!(
            users[0],
            Ok(RawUser {
                id: RawId::Text("5000000000".into()),
                fields: Some(vec![
                    ("birthday".into(), RawValue::Text("1990-01-31".into())),
                    ("age".into(), RawValue::Number(20.0)),
                ]),
            })
        );
        assert_eq!(
            users[1],
            Ok(RawUser {
                id: RawId::Number(7.0),
                fields: None
            })
        );
        assert_eq!(
            users[2],
            Ok(RawUser {
                id: RawId::BigInt("9".into()),
                fields: Some(vec![("a".into(), RawValue::Number(1.0))]),
            })
        );
    }

    #[test]
    fn an_o_stands_for_the_keys_of_the_last_o_user_or_fields_of_the_chunk() {
        let full = "o2\0sid\0s1\0sfields\0o2\0sa\0n1\0sb\0sx\0\
                    o2\0sid\0s2\0sfields\0o2\0sa\0n2\0sb\0sy\0\
                    o2\0sid\0s3\0sfields\0u\0\
                    o2\0sid\0s4\0sfields\0o2\0sa\0n4\0sb\0sz\0\
                    o1\0sfields\0o1\0sc\0n5\0\
                    o2\0sid\0s6\0sfields\0o1\0sc\0n6";
        // The same users as pack.js writes them: `O` where the keys repeat, at either level
        // (a user with fields that are not an object leaves the fields' keys as they were).
        let short = "o2\0sid\0s1\0sfields\0o2\0sa\0n1\0sb\0sx\0\
                     O\0s2\0O\0n2\0sy\0\
                     O\0s3\0u\0\
                     O\0s4\0O\0n4\0sz\0\
                     o1\0sfields\0o1\0sc\0n5\0\
                     o2\0sid\0s6\0sfields\0O\0n6";
        let want = read_all(full, 6);
        assert!(want.iter().all(Result::is_ok), "{want:?}");
        assert_eq!(read_all(short, 6), want);
        let mut r = UserReader::new(short);
        for i in 0..6 {
            r.next_user(i).unwrap();
        }
        assert!(r.is_done());
        // An `O` with no `o` before it at its level, or anywhere but a user or its fields.
        assert_eq!(read_all("O\0n1", 1)[0], Err(ReadError::Pack(PackError)));
        let no_fields_yet = "o2\0sid\0n1\0sfields\0u\0O\0n2\0O";
        assert_eq!(
            read_all(no_fields_yet, 2)[1],
            Err(ReadError::Pack(PackError))
        );
        let elsewhere = "o2\0sid\0n1\0sx\0o1\0sa\0n1\0o2\0sid\0n2\0sx\0O";
        assert_eq!(read_all(elsewhere, 2)[1], Err(ReadError::Pack(PackError)));
    }

    #[test]
    fn the_last_repeated_key_wins() {
        let text = "o4\0sid\0n1\0sfields\0o1\0sa\0n1\0sid\0s2\0sfields\0u";
        assert_eq!(
            read_all(text, 1)[0],
            Ok(RawUser {
                id: RawId::Text("2".into()),
                fields: None
            })
        );
        let text = "o2\0sfields\0o1\0sa\0n1\0sfields\0a0";
        let r = &read_all(text, 1)[0];
        assert_eq!(invalid(r), ("users[0].fields", "params.type"));
    }

    #[test]
    fn a_flaw_anywhere_in_the_user_comes_first() {
        // An unknown key before a flaw in a field: the flaw is reported.
        let text = "o3\0sname\0sx\0sid\0n1\0sfields\0o1\0sa\0!surrogate 0 D800 1";
        let r = &read_all(text, 1)[0];
        assert_eq!(
            invalid(r),
            ("users[0].fields.a", "string.unpaired_surrogate")
        );
        // Deep in an unknown key's value.
        let text = "n1\0o1\0sx\0a2\0n1\0!hole 9";
        let users = read_all(text, 2);
        assert_eq!(invalid(&users[0]), ("users[0]", "params.type"));
        assert_eq!(invalid(&users[1]), ("users[1].x[1]", "params.sparse_array"));
        // A user that is a flaw, or an array holding one.
        let text = "!surrogatekey \"\\ud800\"\0a1\0!changed 1 2";
        let users = read_all(text, 2);
        assert_eq!(
            invalid(&users[0]),
            ("users[0]", "string.unpaired_surrogate")
        );
        assert_eq!(
            invalid(&users[1]),
            ("users[1][0]", "params.changed_while_read")
        );
    }

    #[test]
    fn shape_errors_in_their_order() {
        let text = "o2\0sname\0sx\0sfields\0xa Date";
        let r = &read_all(text, 1)[0];
        assert_eq!(invalid(r), ("users[0].name", "params.unknown_key"));
        let text = "o1\0sfields\0xa Date";
        match &read_all(text, 1)[0] {
            Err(ReadError::Invalid(e)) => {
                assert_eq!(e.field, "users[0].fields");
                assert!(e.message.ends_with("got a Date"), "{}", e.message);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(read_all("o1\0n1", 1)[0], Err(ReadError::Pack(PackError)));
        assert_eq!(read_all("o1", 1)[0], Err(ReadError::Pack(PackError)));
    }
}
