//! The shape rules of a call's arguments, read from their packed form ([`super::packed`]):
//! objects with known keys, strings, whole numbers, id lists. Every error names the field.
//!
//! What is not plain data is refused, never read as something else: where an object is
//! expected, a plain object or a `Map` with string keys is read (pack.js packs both the
//! same way); a `Date`, a `Set`, a class instance, an object with a prototype or an array is a
//! `params.type` error naming what it got.

use super::customer_files::{RawId, RawUser, RawValue};
use super::packed::{Flaw, Val};
use crate::core::error::{bounded, ValidationError};
use crate::core::ids::UserId;
use crate::core::rules::{self, Rule};
use std::borrow::Cow;

/// A field path under `parent` (`""` for the top level).
pub fn path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn got(v: &Val) -> String {
    format!("got {}", v.type_name())
}

/// The refusal of what JS found while reading the value at `field` (see [`Flaw`]).
pub fn flaw_error(flaw: &Flaw, field: &str) -> ValidationError {
    let field = field_or(field, "params");
    let detail = bounded(flaw.detail.to_owned(), 120);
    match flaw.kind {
        Flaw::HOLE => ValidationError::new(
            field,
            rules::PARAMS_SPARSE_ARRAY,
            format!("is a hole: the array (length {detail}) has no element at this index, as `list[id] = …` makes; pass a dense array (e.g. `Object.values(list)`)"),
        ),
        Flaw::CHANGED => {
            let (before, after) = detail.split_once(' ').unwrap_or((&detail, "?"));
            ValidationError::new(
                field,
                rules::PARAMS_CHANGED_WHILE_READ,
                format!("changed while it was read (its length went from {before} to {after}); pass an array that nothing modifies during the call"),
            )
        }
        Flaw::SURROGATE => {
            // `<index> <code unit, hex> <length>`: the string itself is not echoed (it may be
            // a token).
            let mut parts = detail.split(' ');
            let (at, unit, len) = (parts.next(), parts.next(), parts.next());
            ValidationError::new(
                field,
                rules::STRING_UNPAIRED_SURROGATE,
                format!(
                    "is not well-formed Unicode: a lone surrogate U+{} at index {} (of {} UTF-16 code units), which would be sent as U+FFFD (another string)",
                    unit.unwrap_or("?"),
                    at.unwrap_or("?"),
                    len.unwrap_or("?"),
                ),
            )
        }
        _ => ValidationError::new(
            field,
            rules::STRING_UNPAIRED_SURROGATE,
            format!("has a key that is not well-formed Unicode: {detail} has a lone surrogate, which would be sent as U+FFFD (another key)"),
        ),
    }
}

/// One step of a path into a value.
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

fn find_flaw<'v, 'a>(v: &'v Val<'a>, steps: &mut Vec<Step<'v>>) -> Option<&'v Flaw<'a>> {
    match v {
        Val::Flaw(f) => Some(f),
        Val::Object(entries) => entries.iter().find_map(|(k, x)| {
            steps.push(Step::Key(k));
            let found = find_flaw(x, steps);
            if found.is_none() {
                steps.pop();
            }
            found
        }),
        Val::Array(items) => items.iter().enumerate().find_map(|(i, x)| {
            steps.push(Step::Index(i));
            let found = find_flaw(x, steps);
            if found.is_none() {
                steps.pop();
            }
            found
        }),
        _ => None,
    }
}

/// Whether `v` holds a flaw anywhere (cheap for plain data: no path is built).
pub fn has_flaw(v: &Val) -> bool {
    match v {
        Val::Flaw(_) => true,
        Val::Object(entries) => entries.iter().any(|(_, x)| has_flaw(x)),
        Val::Array(items) => items.iter().any(has_flaw),
        _ => false,
    }
}

/// The first flaw (in reading order) in `v`, refused at its path under `field` (`""`: the
/// top-level params, whose keys are named alone; `top` names `v` itself then).
pub fn check_flaws(v: &Val, field: &str, top: &str) -> Result<(), ValidationError> {
    let mut steps = Vec::new();
    let Some(flaw) = find_flaw(v, &mut steps) else {
        return Ok(());
    };
    let mut at = field.to_owned();
    for step in &steps {
        match step {
            Step::Key(k) => at = path(&at, k),
            Step::Index(i) => at = format!("{at}[{i}]"),
        }
    }
    if at.is_empty() {
        at = top.to_owned();
    }
    Err(flaw_error(flaw, &at))
}

/// `value` as an object whose keys are all in `allowed`; `undefined`/`null` give `None` when
/// `optional`.
pub fn object_with_keys<'v, 'a>(
    value: &'v Val<'a>,
    field: &str,
    allowed: &[&str],
    optional: bool,
) -> Result<Option<&'v Val<'a>>, ValidationError> {
    match value {
        Val::Undefined | Val::Null if optional => Ok(None),
        Val::Undefined | Val::Null => Err(ValidationError::new(
            field_or(field, "params"),
            rules::PARAMS_REQUIRED,
            "is required",
        )),
        Val::Object(entries) => {
            for (k, _) in entries {
                if !allowed.contains(&k.as_ref()) {
                    return Err(unknown_key(field, k, allowed));
                }
            }
            Ok(Some(value))
        }
        other => Err(not_an_object(other, field)),
    }
}

/// Key `key` of the object at `field`, not one of `allowed`.
pub fn unknown_key(field: &str, key: &str, allowed: &[&str]) -> ValidationError {
    ValidationError::new(
        path(field, key),
        rules::PARAMS_UNKNOWN_KEY,
        format!(
            "is not an option here; expected one of: {}",
            allowed.join(", ")
        ),
    )
}

fn field_or<'f>(field: &'f str, default: &'f str) -> &'f str {
    if field.is_empty() {
        default
    } else {
        field
    }
}

/// `field` of the caller's options could not be read in JS (a getter or a Proxy trap threw).
pub fn unreadable(field: impl Into<String>) -> ValidationError {
    ValidationError::new(
        field,
        rules::PARAMS_UNREADABLE,
        "could not be read (a getter threw)",
    )
}

/// Arguments whose packed text does not read: only a pack.js of another version of the
/// package can write one.
pub fn unpackable() -> ValidationError {
    ValidationError::new(
        "params",
        rules::PARAMS_TYPE,
        "could not be read (the package's pack.js and wasm disagree: reinstall it)",
    )
}

/// The error for a value that should have been a plain object.
pub fn not_an_object(v: &Val, field: &str) -> ValidationError {
    not_an_object_named(v.type_name(), field)
}

/// [`not_an_object`] of a value described as `what` ("an array", "a Date").
pub fn not_an_object_named(what: &str, field: &str) -> ValidationError {
    ValidationError::new(
        field_or(field, "options"),
        rules::PARAMS_TYPE,
        format!("must be a plain object (or a Map with string keys); got {what}"),
    )
}

/// An optional string property.
pub fn opt_string<'v>(
    obj: &'v Val,
    key: &str,
    field: &str,
) -> Result<Option<&'v str>, ValidationError> {
    match obj.get(key) {
        Val::Undefined => Ok(None),
        Val::Str(s) => Ok(Some(s)),
        other => Err(ValidationError::new(
            field,
            rules::PARAMS_TYPE,
            format!("must be a string; {}", got(other)),
        )),
    }
}

/// A required string property.
pub fn req_string<'v>(obj: &'v Val, key: &str) -> Result<&'v str, ValidationError> {
    opt_string(obj, key, key)?
        .ok_or_else(|| ValidationError::new(key, rules::PARAMS_REQUIRED, "is required"))
}

/// A required number property.
pub fn req_number(obj: &Val, key: &str) -> Result<f64, ValidationError> {
    match obj.get(key) {
        Val::Undefined => Err(ValidationError::new(
            key,
            rules::PARAMS_REQUIRED,
            "is required",
        )),
        Val::Number(n) => Ok(*n),
        other => Err(ValidationError::new(
            key,
            rules::PARAMS_TYPE,
            format!("must be a number; {}", got(other)),
        )),
    }
}

/// An optional boolean property.
pub fn opt_bool(obj: &Val, key: &str, field: &str) -> Result<Option<bool>, ValidationError> {
    match obj.get(key) {
        Val::Undefined => Ok(None),
        Val::Bool(b) => Ok(Some(*b)),
        other => Err(ValidationError::new(
            field,
            rules::PARAMS_TYPE,
            format!("must be a boolean; {}", got(other)),
        )),
    }
}

/// An optional whole number within `min..=max`.
pub fn opt_int(
    obj: &Val,
    key: &str,
    field: &str,
    min: u32,
    max: u32,
    rule: Rule,
) -> Result<Option<u32>, ValidationError> {
    match obj.get(key) {
        Val::Undefined => Ok(None),
        Val::Number(n) if n.fract() == 0.0 && *n >= f64::from(min) && *n <= f64::from(max) => {
            Ok(Some(*n as u32))
        }
        _ => Err(ValidationError::new(
            field,
            rule,
            format!("must be a whole number from {min} to {max}"),
        )),
    }
}

/// An array of strings (each element checked for type).
pub fn string_array<'v>(v: &'v Val, field: &str) -> Result<Vec<&'v str>, ValidationError> {
    let Val::Array(items) = v else {
        return Err(ValidationError::new(
            field,
            rules::PARAMS_TYPE,
            format!("must be an array of strings; {}", got(v)),
        ));
    };
    // Loops, not `collect::<Result<..>>()`: each such collect links its own adapter.
    let mut out = Vec::with_capacity(items.len());
    for (i, s) in items.iter().enumerate() {
        out.push(s.as_str().ok_or_else(|| {
            ValidationError::new(
                format!("{field}[{i}]"),
                rules::PARAMS_TYPE,
                format!("must be a string; {}", got(s)),
            )
        })?);
    }
    Ok(out)
}

/// A `UserIdInput`: safe positive integer, bigint, or decimal string.
pub fn user_id(v: &Val, field: &str) -> Result<UserId, ValidationError> {
    match v {
        Val::Number(n) => UserId::from_f64(*n, field),
        Val::Str(s) => UserId::from_decimal(s, field),
        Val::BigInt(b) => UserId::from_decimal(b, field),
        other => Err(ValidationError::new(
            field,
            rules::USER_ID_TYPE,
            format!("must be a number, bigint or decimal string; {}", got(other)),
        )),
    }
}

/// An array of `UserIdInput`, at least one.
pub fn user_ids(v: &Val, field: &str) -> Result<Vec<UserId>, ValidationError> {
    let Val::Array(items) = v else {
        return Err(ValidationError::new(
            field,
            rules::PARAMS_TYPE,
            format!("must be an array of user ids; {}", got(v)),
        ));
    };
    if items.is_empty() {
        return Err(ValidationError::new(
            field,
            rules::USER_IDS_EMPTY,
            "must list at least one user id",
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        // The path is formatted only for an error.
        out.push(user_id(x, "").map_err(|mut e| {
            e.field = format!("{field}[{i}]");
            e
        })?);
    }
    Ok(out)
}

/// `c` borrowed from the packed text when it is (no copy), else copied.
fn cow<'a>(c: &Cow<'a, str>) -> Cow<'a, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(s),
        Cow::Owned(s) => Cow::Owned(s.clone()),
    }
}

/// An id as the caller gave it, typed but not yet validated.
pub fn raw_id<'a>(v: &Val<'a>) -> RawId<'a> {
    match v {
        Val::Number(n) => RawId::Number(*n),
        Val::Str(s) => RawId::Text(cow(s)),
        Val::BigInt(b) => RawId::BigInt(Cow::Borrowed(b)),
        other => RawId::Other(other.type_name()),
    }
}

pub fn raw_value<'a>(v: &Val<'a>) -> RawValue<'a> {
    match v {
        Val::Number(n) => RawValue::Number(*n),
        Val::Str(s) => RawValue::Text(cow(s)),
        other => RawValue::Other(other.type_name()),
    }
}

/// A list of ids (`userIds` of a delete call), typed but not yet validated.
pub fn raw_ids<'a>(v: &Val<'a>, field: &str) -> Result<Vec<RawId<'a>>, ValidationError> {
    match v {
        Val::Array(items) => Ok(items.iter().map(raw_id).collect()),
        other => Err(ValidationError::new(
            field,
            rules::PARAMS_TYPE,
            format!("must be an array of ids; {}", got(other)),
        )),
    }
}

/// User `i` of an add call (`{ id, fields? }`) read from a value tree, typed but not yet
/// validated. The package reads users with [`crate::user_reader`] only; this is the fuzz tests'
/// independent oracle for it (tests/fuzz.rs), never linked into the wasm.
pub fn raw_user<'a>(v: &Val<'a>, field: &str, i: usize) -> Result<RawUser<'a>, ValidationError> {
    let user_path = || format!("{field}[{i}]");
    let u = match v {
        Val::Object(entries) => {
            if entries.iter().any(|(k, _)| k != "id" && k != "fields") {
                object_with_keys(v, &user_path(), &["id", "fields"], false)?;
            }
            v
        }
        other => return Err(not_an_object(other, &user_path())),
    };
    let fields = match u.get("fields") {
        Val::Undefined => None,
        Val::Object(entries) => Some(
            entries
                .iter()
                .map(|(k, v)| (cow(k), raw_value(v)))
                .collect(),
        ),
        other => {
            return Err(not_an_object(other, &format!("{}.fields", user_path())));
        }
    };
    Ok(RawUser {
        id: raw_id(u.get("id")),
        fields,
    })
}

/// A schema object as `(key, declared type)` pairs; types that are not strings are kept as
/// their type name so the core rule reports them.
pub fn schema_pairs<'v>(
    v: &'v Val,
    field: &str,
) -> Result<Vec<(&'v str, &'v str)>, ValidationError> {
    match v {
        Val::Object(entries) => Ok(entries
            .iter()
            .map(|(k, t)| (k.as_ref(), t.as_str().unwrap_or_else(|| t.type_name())))
            .collect()),
        other => Err(not_an_object(other, field)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::packed::args;
    use super::*;

    fn one(text: &str) -> Val<'_> {
        args(text).unwrap().into_iter().next().unwrap()
    }

    #[test]
    fn non_plain_objects_are_refused_naming_what_they_are() {
        let e = object_with_keys(&one("1\0xa Date"), "params", &["a"], false).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("params", "params.type"));
        assert!(e.message.contains("got a Date"), "{}", e.message);
        let e = object_with_keys(&one("1\0a0"), "options", &[], true).unwrap_err();
        assert!(e.message.contains("got an array"));
        let user = one("1\0o2\0sid\0s1\0sfields\0xan instance of Customer");
        let e = raw_user(&user, "users", 3).unwrap_err();
        assert_eq!(e.field, "users[3].fields");
        assert!(
            e.message.contains("an instance of Customer"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_keys_and_types_name_the_field() {
        let v = one("1\0o1\0sapiKey\0sk");
        let e = object_with_keys(&v, "", &["adminKey"], true).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("apiKey", "params.unknown_key"));
        let v = one("1\0a2\0s_a\0n1");
        let e = string_array(&v, "channelIds").unwrap_err();
        assert_eq!(e.field, "channelIds[1]");
        let v = one("1\0a2\0s1\0xa symbol");
        let e = user_ids(&v, "userIds").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("userIds[1]", "user_id.type"));
    }

    #[test]
    fn flaws_are_refused_at_their_path() {
        let v = one("1\0o1\0suserIds\0a2\0n1\0!hole 4294967295");
        let e = check_flaws(&v, "", "params").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("userIds[1]", "params.sparse_array")
        );
        assert!(e.message.contains("4294967295"), "{}", e.message);
        let v = one("1\0o1\0sfields\0o1\0sage\0!surrogate 3 D800 5");
        let e = check_flaws(&v, "users[3]", "users[3]").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("users[3].fields.age", "string.unpaired_surrogate")
        );
        assert!(
            e.message.contains("U+D800 at index 3 (of 5"),
            "{}",
            e.message
        );
        let e = check_flaws(&one("1\0!changed 3 5"), "", "users").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("users", "params.changed_while_read")
        );
        assert!(e.message.contains("from 3 to 5"), "{}", e.message);
        assert!(check_flaws(&one("1\0o1\0sa\0a1\0n1"), "", "params").is_ok());
    }

    #[test]
    fn ids_come_in_every_form() {
        let v = one("1\0a3\0n42\0s43\0b9223372036854775807");
        let ids = user_ids(&v, "userIds").unwrap();
        assert_eq!(
            ids.iter().map(|i| i.get()).collect::<Vec<_>>(),
            [42, 43, i64::MAX]
        );
    }
}
