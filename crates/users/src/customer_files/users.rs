//! Users of an add or delete call as they arrive from JS, and the rules they must pass:
//! id formats, no id twice, field keys and values against the file's schema.

use crate::core::error::{bounded, quoted, ValidationError, MAX_FIELD_CHARS};
use crate::core::id_map::{self, IdMap};
use crate::core::ids::{phone_number, UserId};
use crate::core::rules;
use crate::core::schema::{check_key, Key, Schema, ValueType, MAX_SCHEMA_ITEMS};
use crate::core::text::push_json_str;
use std::borrow::Cow;

/// The duplicate-id table: id key → first position.
type Seen = IdMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    App,
    Phone,
}

impl UserType {
    pub fn parse(s: Option<&str>, field: &str) -> Result<UserType, ValidationError> {
        match s {
            Some("app") => Ok(UserType::App),
            Some("phone") => Ok(UserType::Phone),
            Some(other) => Err(ValidationError::new(
                field,
                rules::USER_TYPE_VALUE,
                if other.chars().count() <= 16 {
                    format!("must be \"app\" or \"phone\", got {}", quoted(other))
                } else {
                    "must be \"app\" or \"phone\"".to_owned()
                },
            )),
            None => Err(ValidationError::new(
                field,
                rules::PARAMS_REQUIRED,
                "is required: \"app\" or \"phone\"",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserType::App => "app",
            UserType::Phone => "phone",
        }
    }
}

/// An id as it arrived from JS, before validation (text borrowed from the packed input).
#[derive(Debug, Clone, PartialEq)]
pub enum RawId<'a> {
    Number(f64),
    Text(Cow<'a, str>),
    /// A bigint, as its decimal text.
    BigInt(Cow<'a, str>),
    /// Anything else, by its JS type name.
    Other(&'a str),
}

/// A field value as it arrived from JS.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Other(&'a str),
}

/// One user as it arrived from JS.
#[derive(Debug, Clone, PartialEq)]
pub struct RawUser<'a> {
    pub id: RawId<'a>,
    /// `None` when `fields` was absent.
    pub fields: Option<Vec<(Cow<'a, str>, RawValue<'a>)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(f64),
}

/// A validated user: the id as it will be sent, fields with canonical keys.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub fields: Vec<(Key, FieldValue)>,
}

/// Validates one id of `user_type`; returns (the id as sent, the key for duplicate checks).
pub fn check_id(
    id: &RawId,
    user_type: UserType,
    field: &str,
) -> Result<(String, u64), ValidationError> {
    let key = id_key(id, user_type, field)?;
    let sent = match (user_type, id) {
        // A phone is sent as given; an app id in its decimal form (`7`, `"7"` and `7n` alike).
        (UserType::Phone, RawId::Text(s)) => s.to_string(),
        _ => key.to_string(),
    };
    Ok((sent, key))
}

/// [`check_id`]'s checks and duplicate key, without the text to send (no allocation): an app
/// id is its own key; a phone's is [`phone_number`].
pub fn id_key(id: &RawId, user_type: UserType, field: &str) -> Result<u64, ValidationError> {
    match (user_type, id) {
        (UserType::App, RawId::Number(n)) => Ok(UserId::from_f64(*n, field)?.get().unsigned_abs()),
        (UserType::App, RawId::Text(s) | RawId::BigInt(s)) => {
            Ok(UserId::from_decimal(s, field)?.get().unsigned_abs())
        }
        (UserType::Phone, RawId::Text(s)) => phone_number(s, field),
        (UserType::Phone, RawId::Number(_) | RawId::BigInt(_)) => Err(ValidationError::new(
            field,
            rules::PHONE_TYPE,
            "a phone number must be a string (a number would drop a leading 0 or '+')",
        )),
        (_, RawId::Other(t)) => Err(ValidationError::new(
            field,
            rules::USER_ID_TYPE,
            format!("must be a string, number or bigint, got {t}"),
        )),
    }
}

/// Validates ids for one call: every id well-formed, no id twice. `field` is e.g. `userIds`.
pub fn check_ids(
    ids: &[RawId],
    user_type: UserType,
    field: &str,
) -> Result<Vec<String>, ValidationError> {
    let mut seen: Seen = id_map::with_capacity(ids.len());
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let (sent, key) = check_id(id, user_type, &path)?;
        if let Some(first) = seen.insert(key, i) {
            return Err(duplicate(&path, &format!("{field}[{first}]")));
        }
        out.push(sent);
    }
    if out.is_empty() {
        return Err(ValidationError::new(
            field,
            rules::USERS_EMPTY,
            "must list at least one user",
        ));
    }
    Ok(out)
}

fn duplicate(path: &str, first: &str) -> ValidationError {
    ValidationError::new(
        path,
        rules::USERS_DUPLICATE_ID,
        format!("is the same user as {first}; each user may appear once per call"),
    )
}

/// Whether a field value is a number (else a string); anything else, NaN or Infinity is refused.
fn value_is_number(value: &RawValue, path: &str) -> Result<bool, ValidationError> {
    match value {
        RawValue::Text(_) => Ok(false),
        RawValue::Number(n) if n.is_finite() => Ok(true),
        RawValue::Number(_) => Err(ValidationError::new(
            path,
            rules::FIELDS_VALUE_TYPE,
            "must be a finite number or a string (got NaN or Infinity)",
        )),
        RawValue::Other(t) => Err(ValidationError::new(
            path,
            rules::FIELDS_VALUE_TYPE,
            format!("must be a string or a number, got {t}"),
        )),
    }
}

/// `result`, its error (if any) naming `path()`: for checks run with an empty path, so that
/// the path is formatted only when there is an error.
fn at<T>(
    result: Result<T, ValidationError>,
    path: impl FnOnce() -> String,
) -> Result<T, ValidationError> {
    result.map_err(|mut e| {
        e.field = bounded(path(), MAX_FIELD_CHARS);
        e
    })
}

/// User `i`'s id refused by `error` (checked with an empty path): the error at `users[i].id`.
#[cold]
#[inline(never)]
fn id_refused(i: usize, mut error: ValidationError) -> UserError {
    error.field = bounded(format!("users[{i}].id"), MAX_FIELD_CHARS);
    UserError {
        index: i,
        duplicate_of: None,
        error,
    }
}

/// Why [`UserChecker::each_field`] refused a field.
enum Refusal<'k> {
    /// Its key is one this user already has (under this or another name).
    Repeated(&'k Key),
    /// Its key is not in the file's schema.
    Unknown(&'k Key),
    /// A string where the schema declares a number.
    WantNumber,
    /// A number where the schema declares a string.
    WantString,
    /// A custom key's value that is not a number.
    CustomNotNumber,
}

/// The refusal of field `name` of user `i`. Apart and cold, with [`at_field`]: the errors'
/// formatting out of the frame of `each_field`, which runs for every field of every user.
#[cold]
#[inline(never)]
fn field_refused(i: usize, name: &str, why: Refusal) -> ValidationError {
    let path = format!("users[{i}].fields.{name}");
    match why {
        Refusal::Repeated(key) => ValidationError::new(
            path,
            rules::FIELDS_DUPLICATE_KEY,
            format!(
                "{} means {}, which this user already has",
                quoted(name),
                key.as_str()
            ),
        ),
        Refusal::Unknown(key) => ValidationError::new(
            path,
            rules::FIELDS_UNKNOWN_KEY,
            format!("{} is not in the file's schema", quoted(key.as_str())),
        ),
        Refusal::WantNumber => ValidationError::new(
            path,
            rules::FIELDS_TYPE_MISMATCH,
            "the schema declares \"number\"; got a string",
        ),
        Refusal::WantString => ValidationError::new(
            path,
            rules::FIELDS_TYPE_MISMATCH,
            "the schema declares \"string\"; got a number",
        ),
        Refusal::CustomNotNumber => ValidationError::new(
            path,
            rules::FIELDS_CUSTOM_VALUE_TYPE,
            "a custom key's value must be a number",
        ),
    }
}

/// `error` (checked with an empty path) at field `name` of user `i`.
#[cold]
#[inline(never)]
fn at_field(i: usize, name: &str, mut error: ValidationError) -> ValidationError {
    error.field = bounded(format!("users[{i}].fields.{name}"), MAX_FIELD_CHARS);
    error
}

/// How many distinct field names a `UserChecker` remembers as checked.
const KNOWN_KEYS: usize = 32;

/// The rules for users, applied one user at a time. Remembers the ids seen so far, so a
/// repeated id is reported at its second position, naming the first.
pub struct UserChecker<'a> {
    user_type: UserType,
    schema: Option<&'a Schema>,
    seen: Seen,
    /// Field names already checked (users mostly share theirs): `check_key` depends on the
    /// name alone, so a name that passed once passes again with the same key.
    known: Vec<Known>,
}

/// A field name that passed `check_key`, its key, and the key as the add body writes it.
struct Known {
    name: String,
    key: Key,
    json: KeyJson,
}

/// A field's key as the add body writes it before a value: `,"<key>":"` (a comma, the key as
/// a JSON string, a colon, the opening quote of a string value), made once per field name so
/// that the writer copies it whole ([`KeyJson::before`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyJson(String);

impl KeyJson {
    pub fn new(key: &Key) -> KeyJson {
        let mut text = String::with_capacity(key.as_str().len().saturating_add(5));
        text.push(',');
        push_json_str(&mut text, key.as_str());
        text.push_str(":\"");
        KeyJson(text)
    }

    /// What goes before the value: without the comma for a user's `first` field, and with
    /// the opening quote only for a `text` value that needs no escaping (written as is).
    pub fn before(&self, first: bool, text: bool) -> &str {
        let end = self.0.len().saturating_sub(usize::from(!text));
        self.0.get(usize::from(first)..end).unwrap_or_default()
    }
}

/// One user that breaks a rule: its position, the first rule it breaks, and for a repeated id
/// the position of its first occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub index: usize,
    pub duplicate_of: Option<usize>,
    pub error: ValidationError,
}

impl<'a> UserChecker<'a> {
    /// A checker for the users of one call (`capacity`: how many are expected).
    pub fn new(user_type: UserType, schema: Option<&'a Schema>, capacity: usize) -> Self {
        UserChecker {
            user_type,
            schema,
            seen: id_map::with_capacity(capacity),
            known: Vec::new(),
        }
    }

    /// Checks user `i`: its id, then that the id is new, then its fields. Paths are written
    /// only for an error: formatting them for every user made most of the cost of a valid batch.
    pub fn check(&mut self, i: usize, user: &RawUser) -> Result<User, UserError> {
        let fail = |error| UserError {
            index: i,
            duplicate_of: None,
            error,
        };
        let id_path = || format!("users[{i}].id");
        let (id, key) = at(check_id(&user.id, self.user_type, ""), id_path).map_err(fail)?;
        if let Some(first) = self.seen.get(&key) {
            return Err(UserError {
                index: i,
                duplicate_of: Some(*first),
                error: duplicate(&id_path(), &format!("users[{first}].id")),
            });
        }
        self.seen.insert(key, i);
        let fields = self.check_fields(user, i).map_err(fail)?;
        Ok(User { id, fields })
    }

    /// Checks user `i` as [`check`](Self::check) does, without building the user to send: no
    /// allocation per user (only the first time a field name is seen, and past 32 names).
    pub fn validate(&mut self, i: usize, user: &RawUser) -> Result<(), UserError> {
        self.claim(i, user)?;
        self.fields(i, user, &mut |_, _, _| {})
    }

    /// The first checks of [`check`](Self::check): user `i`'s id, and that it is new (then
    /// remembered as seen). Returns its duplicate key: for an app id, the id itself.
    pub fn claim(&mut self, i: usize, user: &RawUser) -> Result<u64, UserError> {
        let key = match id_key(&user.id, self.user_type, "") {
            Ok(key) => key,
            Err(error) => return Err(id_refused(i, error)),
        };
        // One lookup for a new id (the common case); a repeat puts its first position back.
        if let Some(first) = self.seen.insert(key, i) {
            return Err(self.repeated(i, key, first));
        }
        Ok(key)
    }

    /// The error of user `i`, whose id is the same as user `first`'s (then kept as the first).
    /// Apart and cold, as `id_refused`: the error paths' formatting out of `claim`'s frame.
    #[cold]
    #[inline(never)]
    fn repeated(&mut self, i: usize, key: u64, first: usize) -> UserError {
        self.seen.insert(key, first);
        UserError {
            index: i,
            duplicate_of: Some(first),
            error: duplicate(&format!("users[{i}].id"), &format!("users[{first}].id")),
        }
    }

    /// The last checks of [`check`](Self::check): user `i`'s fields, in order; `keep(key,
    /// json, value)` gets each that passed (`json` the key as the body writes it, `value` a
    /// string or a finite number).
    pub fn fields(
        &mut self,
        i: usize,
        user: &RawUser,
        keep: &mut dyn FnMut(&Key, &KeyJson, &RawValue),
    ) -> Result<(), UserError> {
        self.each_field(user, i, keep).map_err(|error| UserError {
            index: i,
            duplicate_of: None,
            error,
        })
    }

    /// The fields of user `i`: keys through the alias mapping, values typed, against the schema.
    fn check_fields(
        &mut self,
        user: &RawUser,
        i: usize,
    ) -> Result<Vec<(Key, FieldValue)>, ValidationError> {
        let mut fields: Vec<(Key, FieldValue)> =
            Vec::with_capacity(user.fields.as_ref().map_or(0, Vec::len));
        self.each_field(user, i, &mut |key, _, value| {
            let value = match value {
                RawValue::Text(s) => FieldValue::Text(s.to_string()),
                RawValue::Number(n) => FieldValue::Number(*n),
                // each_field passes only values that are a string or a finite number.
                RawValue::Other(_) => return,
            };
            fields.push((key.clone(), value));
        })?;
        Ok(fields)
    }

    /// The rules for each field of user `i`, in order; `keep(key, json, value)` gets every
    /// field that passed them (`value` a string or a finite number). One copy in the wasm for
    /// the checker and the add body writer alike (`dyn`: -0.5 KB gzip).
    fn each_field(
        &mut self,
        user: &RawUser,
        i: usize,
        keep: &mut dyn FnMut(&Key, &KeyJson, &RawValue),
    ) -> Result<(), ValidationError> {
        // No schema holds more keys (Kakao's REST doc, customer files: "A schema can contain up
        // to 30 items"), so no user can have more fields. pack.js reads at most one more
        // than that of an object: the count is all this rule needs, and what follows it stays
        // linear in the keys read.
        let Some(fields) = user.fields.as_deref() else {
            return Ok(());
        };
        if fields.len() > MAX_SCHEMA_ITEMS {
            return Err(ValidationError::new(
                format!("users[{i}].fields"),
                rules::FIELDS_MAX_ITEMS,
                format!("has more than {MAX_SCHEMA_ITEMS} keys: a customer file's schema holds at most {MAX_SCHEMA_ITEMS}, so no user can have more"),
            ));
        }
        // The user's keys so far: as bits of indices into `known`, and (past the cache) owned.
        let mut mine: u64 = 0;
        let mut uncached: Vec<(Key, KeyJson)> = Vec::new();
        for (name, value) in fields {
            let at_known = match self.known.iter().position(|k| k.name == **name) {
                Some(j) => Some(j),
                None => {
                    let key = check_key(name, "", "fields").map_err(|e| at_field(i, name, e))?;
                    let json = KeyJson::new(&key);
                    if self.known.len() < KNOWN_KEYS {
                        self.known.push(Known {
                            name: name.to_string(),
                            key,
                            json,
                        });
                        Some(self.known.len().saturating_sub(1))
                    } else {
                        uncached.push((key, json));
                        None
                    }
                }
            };
            let ((key, json), is_known) =
                match at_known.and_then(|j| self.known.get(j).map(|k| ((&k.key, &k.json), j))) {
                    Some((k, _)) => (k, true),
                    None => match uncached.last() {
                        Some((k, json)) => ((k, json), false),
                        None => continue,
                    },
                };
            let is_number = match value {
                RawValue::Text(_) => false,
                RawValue::Number(n) if n.is_finite() => true,
                _ => value_is_number(value, "").map_err(|e| at_field(i, name, e))?,
            };
            let repeated = self
                .known
                .iter()
                .enumerate()
                .any(|(j, k)| mine & (1u64 << j) != 0 && k.key == *key)
                || uncached
                    .iter()
                    .take(uncached.len().saturating_sub(usize::from(!is_known)))
                    .any(|(k, _)| k == key);
            if repeated {
                return Err(field_refused(i, name, Refusal::Repeated(key)));
            }
            match self.schema.map(|s| s.type_of(key)) {
                Some(None) => return Err(field_refused(i, name, Refusal::Unknown(key))),
                Some(Some(ValueType::Number)) if !is_number => {
                    return Err(field_refused(i, name, Refusal::WantNumber))
                }
                Some(Some(ValueType::String)) if is_number => {
                    return Err(field_refused(i, name, Refusal::WantString))
                }
                _ => {}
            }
            if matches!(key, Key::Custom(_)) && !is_number {
                return Err(field_refused(i, name, Refusal::CustomNotNumber));
            }
            if let Some(j) = at_known.filter(|_| is_known) {
                mine |= 1u64
                    .checked_shl(u32::try_from(j).unwrap_or(63))
                    .unwrap_or(0);
            }
            keep(key, json, value);
        }
        Ok(())
    }
}

/// Validates the users of one add call (all batches) before anything is sent: the first
/// error, or every user ready to send. Used by the fuzz tests as the oracle of the streaming
/// path ([`UserChecker::validate`] and [`super::AddBatch`]); the package itself never calls it.
pub fn check_users(
    users: &[RawUser],
    user_type: UserType,
    schema: Option<&Schema>,
) -> Result<Vec<User>, ValidationError> {
    let mut checker = UserChecker::new(user_type, schema, users.len());
    // A loop, not `collect::<Result<..>>()`: each such collect links its own adapter.
    let mut out = Vec::with_capacity(users.len());
    for (i, user) in users.iter().enumerate() {
        out.push(checker.check(i, user).map_err(|e| e.error)?);
    }
    if out.is_empty() {
        return Err(ValidationError::new(
            "users",
            rules::USERS_EMPTY,
            "must list at least one user",
        ));
    }
    Ok(out)
}

/// Validates every user with the rules of [`check_users`] and returns each bad user's first
/// error, in order (a repeated id names its first position). An empty list has no errors.
pub fn validate_users(
    users: &[RawUser],
    user_type: UserType,
    schema: Option<&Schema>,
) -> Vec<UserError> {
    let mut checker = UserChecker::new(user_type, schema, users.len());
    users
        .iter()
        .enumerate()
        .filter_map(|(i, user)| checker.validate(i, user).err())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{schema, user};
    use super::super::BATCH_SIZE;
    use super::*;

    #[test]
    fn past_the_field_name_cache_a_repeated_key_is_still_found_by_both_paths() {
        // 40 distinct custom names fill the 32-name cache; then two names for one key.
        let mut users: Vec<RawUser<'static>> = (1..=40)
            .map(|n| {
                user(
                    RawId::Number(f64::from(n)),
                    &[(
                        Box::leak(format!("k{n}").into_boxed_str()),
                        RawValue::Number(1.0),
                    )],
                )
            })
            .collect();
        users.push(user(
            RawId::Number(41.0),
            &[
                ("age", RawValue::Number(1.0)),
                ("연령", RawValue::Number(2.0)),
            ],
        ));
        let e = check_users(&users, UserType::App, None).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("users[40].fields.연령", "fields.duplicate_key")
        );
        let all = validate_users(&users, UserType::App, None);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].error, e);
    }

    #[test]
    fn more_fields_than_any_schema_holds_are_refused_by_both_paths() {
        let names: Vec<&'static str> = (0..=MAX_SCHEMA_ITEMS)
            .map(|n| &*Box::leak(format!("k{n}").into_boxed_str()))
            .collect();
        let fields: Vec<(&str, RawValue)> =
            names.iter().map(|k| (*k, RawValue::Number(1.0))).collect();
        let users = vec![user(RawId::Number(1.0), &fields[..MAX_SCHEMA_ITEMS])];
        assert!(check_users(&users, UserType::App, None).is_ok());
        let users = vec![
            user(RawId::Number(1.0), &[]),
            user(RawId::Number(2.0), &fields),
        ];
        let e = check_users(&users, UserType::App, None).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("users[1].fields", "fields.max_items")
        );
        assert!(e.message.contains("more than 30 keys"), "{}", e.message);
        let all = validate_users(&users, UserType::App, None);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].error, e);
    }

    #[test]
    fn user_validation_cases() {
        let s = schema(&[
            ("연령", "number"),
            ("성별", "string"),
            ("vipLevel", "number"),
        ]);
        let n = |x: f64| RawValue::Number(x);
        let t = |x: &'static str| RawValue::Text(x.into());
        type Case<'a> = (
            UserType,
            Vec<RawUser<'static>>,
            Option<&'a Schema>,
            &'a str,
            &'a str,
        );
        let cases: Vec<Case> = vec![
            (
                UserType::App,
                vec![user(RawId::Number(0.0), &[])],
                None,
                "users[0].id",
                "user_id.range",
            ),
            (
                UserType::App,
                vec![user(RawId::Text("12a".into()), &[])],
                None,
                "users[0].id",
                "user_id.format",
            ),
            (
                UserType::App,
                vec![user(RawId::Other("boolean"), &[])],
                None,
                "users[0].id",
                "user_id.type",
            ),
            (
                UserType::Phone,
                vec![user(RawId::Number(1012345678.0), &[])],
                None,
                "users[0].id",
                "phone.type",
            ),
            (
                UserType::Phone,
                vec![user(RawId::Text("12345".into()), &[])],
                None,
                "users[0].id",
                "phone.length",
            ),
            (
                UserType::App,
                vec![
                    user(RawId::Number(1.0), &[]),
                    user(RawId::Text("2".into()), &[]),
                    user(RawId::BigInt("1".into()), &[]),
                ],
                None,
                "users[2].id",
                "users.duplicate_id",
            ),
            (
                UserType::Phone,
                vec![
                    user(RawId::Text("010-1234-5678".into()), &[]),
                    user(RawId::Text("01012345678".into()), &[]),
                ],
                None,
                "users[1].id",
                "users.duplicate_id",
            ),
            (
                UserType::App,
                vec![user(RawId::Number(1.0), &[("vipLevel", t("gold"))])],
                None,
                "users[0].fields.vipLevel",
                "fields.custom_value_type",
            ),
            (
                UserType::App,
                vec![user(RawId::Number(1.0), &[("전화번호", t("010"))])],
                None,
                "users[0].fields.전화번호",
                "fields.forbidden_key",
            ),
            (
                UserType::App,
                vec![user(
                    RawId::Number(1.0),
                    &[("age", n(3.0)), ("연령", n(4.0))],
                )],
                None,
                "users[0].fields.연령",
                "fields.duplicate_key",
            ),
            (
                UserType::App,
                vec![user(RawId::Number(1.0), &[("age", n(f64::NAN))])],
                None,
                "users[0].fields.age",
                "fields.value_type",
            ),
            (
                UserType::App,
                vec![user(
                    RawId::Number(1.0),
                    &[("age", RawValue::Other("boolean"))],
                )],
                None,
                "users[0].fields.age",
                "fields.value_type",
            ),
            (
                UserType::App,
                vec![user(RawId::Number(1.0), &[("지역", t("서울"))])],
                Some(&s),
                "users[0].fields.지역",
                "fields.unknown_key",
            ),
            (
                UserType::App,
                vec![user(RawId::Number(1.0), &[("age", t("19"))])],
                Some(&s),
                "users[0].fields.age",
                "fields.type_mismatch",
            ),
            (
                UserType::App,
                vec![user(RawId::Number(1.0), &[("gender", n(1.0))])],
                Some(&s),
                "users[0].fields.gender",
                "fields.type_mismatch",
            ),
            (UserType::App, vec![], None, "users", "users.empty"),
        ];
        for (ty, users, schema, field, rule) in cases {
            let e = check_users(&users, ty, schema).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule), (field, rule), "{users:?}");
        }
        let e = check_users(
            &[user(RawId::Number(7.0), &[]), user(RawId::Number(7.0), &[])],
            UserType::App,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "is the same user as users[0].id; each user may appear once per call"
        );
        // Supported keys take strings or numbers without a schema; with one, its types rule.
        let ok = check_users(
            &[user(
                RawId::Number(1.0),
                &[("age", t("19")), ("purchase_amount", n(5.0))],
            )],
            UserType::App,
            None,
        )
        .unwrap();
        assert_eq!(ok[0].fields[0].0, Key::Supported("연령"));
        assert!(check_users(
            &[user(
                RawId::Number(1.0),
                &[("age", n(19.0)), ("vipLevel", n(2.0))]
            )],
            UserType::App,
            Some(&s)
        )
        .is_ok());
    }

    #[test]
    fn validate_users_reports_every_bad_user_in_order() {
        let s = schema(&[("연령", "number"), ("성별", "string")]);
        let n = |x: f64| RawValue::Number(x);
        let t = |x: &'static str| RawValue::Text(x.into());
        let users = vec![
            user(RawId::Text("1".into()), &[("age", n(30.0))]),
            user(RawId::Text("0".into()), &[]),
            user(RawId::Text("3".into()), &[("age", t("thirty"))]),
            user(RawId::Text("4".into()), &[("지역", t("서울"))]),
            user(RawId::Number(1.0), &[("gender", t("F"))]),
            user(RawId::Text("6".into()), &[("gender", t("M"))]),
            user(RawId::BigInt("1".into()), &[("age", t("x"))]),
            user(RawId::Text("3".into()), &[]),
        ];
        let errors = validate_users(&users, UserType::App, Some(&s));
        let got: Vec<(usize, Option<usize>, &str, &str)> = errors
            .iter()
            .map(|e| {
                (
                    e.index,
                    e.duplicate_of,
                    e.error.field.as_str(),
                    e.error.rule,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, None, "users[1].id", "user_id.range"),
                (2, None, "users[2].fields.age", "fields.type_mismatch"),
                (3, None, "users[3].fields.지역", "fields.unknown_key"),
                (4, Some(0), "users[4].id", "users.duplicate_id"),
                (6, Some(0), "users[6].id", "users.duplicate_id"),
                // A user with bad fields still claims its id: the repeat is reported.
                (7, Some(2), "users[7].id", "users.duplicate_id"),
            ]
        );
        assert_eq!(
            errors.get(3).map(|e| e.error.message.as_str()),
            Some("is the same user as users[0].id; each user may appear once per call")
        );
        // The first error is exactly what check_users stops at.
        assert_eq!(
            check_users(&users, UserType::App, Some(&s)).unwrap_err(),
            errors[0].error
        );
        // Phones: duplicates by digits, both positions named; an empty list has no errors.
        let phones = vec![
            user(RawId::Text("010-1234-5678".into()), &[]),
            user(RawId::Text("12".into()), &[]),
            user(RawId::Text("01012345678".into()), &[]),
        ];
        let errors = validate_users(&phones, UserType::Phone, None);
        let got: Vec<(usize, Option<usize>, &str)> = errors
            .iter()
            .map(|e| (e.index, e.duplicate_of, e.error.rule))
            .collect();
        assert_eq!(
            got,
            [
                (1, None, "phone.length"),
                (2, Some(0), "users.duplicate_id")
            ]
        );
        assert!(validate_users(&[], UserType::App, None).is_empty());
        let good: Vec<RawUser> = (1..=5000)
            .map(|i| user(RawId::Number(f64::from(i)), &[("연령", n(1.0))]))
            .collect();
        assert!(validate_users(&good, UserType::App, Some(&s)).is_empty());
    }

    #[test]
    fn error_path_points_at_the_exact_element() {
        let mut users: Vec<RawUser> = (1..=2000)
            .map(|i| {
                user(
                    RawId::Number(f64::from(i)),
                    &[("연령", RawValue::Number(30.0))],
                )
            })
            .collect();
        if let Some(u) = users.get_mut(1742) {
            u.fields = Some(vec![("연령".into(), RawValue::Text("thirty".into()))]);
        }
        let s = schema(&[("연령", "number")]);
        let e = check_users(&users, UserType::App, Some(&s)).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("users[1742].fields.연령", "fields.type_mismatch")
        );
    }

    #[test]
    fn a_50_mb_field_name_gives_a_bounded_error() {
        let huge = "q".repeat(50 * 1024 * 1024);
        let s = schema(&[("연령", "number")]);
        let start = std::time::Instant::now();
        let e = check_users(
            &[user(
                RawId::Number(1.0),
                &[(huge.as_str(), RawValue::Number(1.0))],
            )],
            UserType::App,
            Some(&s),
        )
        .unwrap_err();
        assert_eq!(e.rule, "fields.unknown_key");
        let note = format!("… ({} more characters)", huge.len() + 16 - 300);
        assert_eq!(e.field, format!("users[0].fields.{}{note}", &huge[..284]));
        assert!(e.message.starts_with("\"qqq"));
        assert!(e.message.chars().count() < 1_100, "{}", e.message.len());
        // The same for a schema key that echoes in its message.
        let e = Schema::parse([(huge.as_str(), "string")], "schema").unwrap_err();
        assert_eq!(e.rule, "schema.custom_key_type");
        assert!(e.field.chars().count() < 400);
        assert!(e.message.chars().count() < 1_100);
        assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    }

    #[test]
    fn batches_of_2000() {
        let users: Vec<RawUser> = (1..=4001)
            .map(|i| RawUser {
                id: RawId::Number(f64::from(i)),
                fields: None,
            })
            .collect();
        let valid = check_users(&users, UserType::App, None).unwrap();
        let sizes: Vec<usize> = valid.chunks(BATCH_SIZE).map(<[User]>::len).collect();
        assert_eq!(sizes, [2000, 2000, 1]);
    }
}
