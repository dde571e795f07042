//! Customer files: register (`create/target_user_file`), view (`target_user_file`), add users
//! (`update/target_users`) and delete users (`delete/target_users`) — validation, request
//! bodies, batching by 2,000 and response parsing.

use crate::core::error::{ApiError, ResponseError, ValidationError};
use crate::core::ids::{phone_key, ChannelPublicId, UserId, MAX_SAFE_INTEGER};
use crate::core::request::{Auth, HttpRequest, Idempotency, Method, Query};
use crate::core::schema::{canonical_key, check_key, push_json_str, Key, Schema, ValueType};
use crate::core::time::parse_kakao_datetime;
use std::collections::HashMap;
use std::fmt::Write as _;

pub const REGISTER_PATH: &str = "/v1/talkchannel/create/target_user_file";
pub const VIEW_PATH: &str = "/v1/talkchannel/target_user_file";
pub const ADD_PATH: &str = "/v1/talkchannel/update/target_users";
pub const DELETE_PATH: &str = "/v1/talkchannel/delete/target_users";
/// Kakao takes at most 2,000 users per add or delete call.
pub const BATCH_SIZE: usize = 2_000;

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
                "user_type.value",
                if other.chars().count() <= 16 {
                    format!("must be \"app\" or \"phone\", got {other:?}")
                } else {
                    "must be \"app\" or \"phone\"".to_owned()
                },
            )),
            None => Err(ValidationError::new(
                field,
                "params.required",
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

/// An id as it arrived from JS, before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum RawId {
    Number(f64),
    Text(String),
    /// A bigint, as its decimal text.
    BigInt(String),
    /// Anything else, by its JS type name.
    Other(&'static str),
}

/// A field value as it arrived from JS.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Text(String),
    Number(f64),
    Other(&'static str),
}

/// One user as it arrived from JS.
#[derive(Debug, Clone, PartialEq)]
pub struct RawUser {
    pub id: RawId,
    /// `None` when `fields` was absent.
    pub fields: Option<Vec<(String, RawValue)>>,
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
) -> Result<(String, String), ValidationError> {
    match (user_type, id) {
        (UserType::App, RawId::Number(n)) => {
            let u = UserId::from_f64(*n, field)?.to_string();
            Ok((u.clone(), u))
        }
        (UserType::App, RawId::Text(s) | RawId::BigInt(s)) => {
            let u = UserId::from_decimal(s, field)?.to_string();
            Ok((u.clone(), u))
        }
        (UserType::Phone, RawId::Text(s)) => Ok((s.clone(), phone_key(s, field)?)),
        (UserType::Phone, RawId::Number(_) | RawId::BigInt(_)) => Err(ValidationError::new(
            field,
            "phone.type",
            "a phone number must be a string (a number would drop a leading 0 or '+')",
        )),
        (_, RawId::Other(t)) => Err(ValidationError::new(
            field,
            "user_id.type",
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
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(ids.len());
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
            "users.empty",
            "must list at least one user",
        ));
    }
    Ok(out)
}

fn duplicate(path: &str, first: &str) -> ValidationError {
    ValidationError::new(
        path,
        "users.duplicate_id",
        format!("is the same user as {first}; each user may appear once per call"),
    )
}

fn check_value(value: &RawValue, path: &str) -> Result<FieldValue, ValidationError> {
    match value {
        RawValue::Text(s) => Ok(FieldValue::Text(s.clone())),
        RawValue::Number(n) if n.is_finite() => Ok(FieldValue::Number(*n)),
        RawValue::Number(_) => Err(ValidationError::new(
            path,
            "fields.value_type",
            "must be a finite number or a string (got NaN or Infinity)",
        )),
        RawValue::Other(t) => Err(ValidationError::new(
            path,
            "fields.value_type",
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
        e.field = path();
        e
    })
}

/// How many distinct field names a `UserChecker` remembers as checked.
const KNOWN_KEYS: usize = 32;

/// The rules for users, applied one user at a time. Remembers the ids seen so far, so a
/// repeated id is reported at its second position, naming the first.
struct UserChecker<'a> {
    user_type: UserType,
    schema: Option<&'a Schema>,
    seen: HashMap<String, usize>,
    /// Field names already checked (users mostly share theirs): `check_key` depends on the
    /// name alone, so a name that passed once passes again with the same key.
    known: Vec<(&'a str, Key)>,
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
    fn new(user_type: UserType, schema: Option<&'a Schema>, capacity: usize) -> Self {
        UserChecker {
            user_type,
            schema,
            seen: HashMap::with_capacity(capacity),
            known: Vec::new(),
        }
    }

    /// Checks user `i`: its id, then that the id is new, then its fields. Paths are written
    /// only for an error: formatting them for every user made most of the cost of a valid batch.
    fn check(&mut self, i: usize, user: &'a RawUser) -> Result<User, UserError> {
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

    /// The fields of user `i`: keys through the alias mapping, values typed, against the schema.
    fn check_fields(
        &mut self,
        user: &'a RawUser,
        i: usize,
    ) -> Result<Vec<(Key, FieldValue)>, ValidationError> {
        let mut fields: Vec<(Key, FieldValue)> = Vec::new();
        for (name, value) in user.fields.iter().flatten() {
            let path = || format!("users[{i}].fields.{name}");
            let key = match self.known.iter().find(|(n, _)| *n == name.as_str()) {
                Some((_, key)) => key.clone(),
                None => {
                    let key = at(check_key(name, "", "fields"), path)?;
                    if self.known.len() < KNOWN_KEYS {
                        self.known.push((name.as_str(), key.clone()));
                    }
                    key
                }
            };
            let value = at(check_value(value, ""), path)?;
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(ValidationError::new(
                    path(),
                    "fields.duplicate_key",
                    format!(
                        "{name:?} means {:?}, which this user already has",
                        key.as_str()
                    ),
                ));
            }
            let is_number = matches!(value, FieldValue::Number(_));
            match self.schema.map(|s| s.type_of(&key)) {
                Some(None) => {
                    return Err(ValidationError::new(
                        path(),
                        "fields.unknown_key",
                        format!("{:?} is not in the file's schema", key.as_str()),
                    ))
                }
                Some(Some(ValueType::Number)) if !is_number => {
                    return Err(ValidationError::new(
                        path(),
                        "fields.type_mismatch",
                        "the schema declares \"number\"; got a string",
                    ))
                }
                Some(Some(ValueType::String)) if is_number => {
                    return Err(ValidationError::new(
                        path(),
                        "fields.type_mismatch",
                        "the schema declares \"string\"; got a number",
                    ))
                }
                _ => {}
            }
            if matches!(key, Key::Custom(_)) && !is_number {
                return Err(ValidationError::new(
                    path(),
                    "fields.custom_value_type",
                    "a custom key's value must be a number",
                ));
            }
            fields.push((key, value));
        }
        Ok(fields)
    }
}

/// Validates the users of one add call (all batches) before anything is sent: the first
/// error, or every user ready to send.
pub fn check_users(
    users: &[RawUser],
    user_type: UserType,
    schema: Option<&Schema>,
) -> Result<Vec<User>, ValidationError> {
    let mut checker = UserChecker::new(user_type, schema, users.len());
    let out = users
        .iter()
        .enumerate()
        .map(|(i, user)| checker.check(i, user).map_err(|e| e.error))
        .collect::<Result<Vec<User>, ValidationError>>()?;
    if out.is_empty() {
        return Err(ValidationError::new(
            "users",
            "users.empty",
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
        .filter_map(|(i, user)| checker.check(i, user).err())
        .collect()
}

/// Appends a number the way `JSON.stringify` writes it (`19`, not `19.0`).
fn push_json_number(out: &mut String, n: f64) {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        let _ = write!(out, "{}", n as i64);
    } else {
        let _ = write!(out, "{n}");
    }
}

fn head(out: &mut String, file_id: u64, channel: &ChannelPublicId, user_type: UserType) {
    let _ = write!(out, "{{\"file_id\":{file_id},\"channel_public_id\":");
    push_json_str(out, channel.as_str());
    out.push_str(",\"user_type\":");
    push_json_str(out, user_type.as_str());
}

fn post(path: &str, body: String, idempotency: Idempotency) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        path_and_query: path.to_owned(),
        auth: Auth::RestApiKey,
        body: Some(body),
        idempotency,
    }
}

/// `POST create/target_user_file`. Creates a file each time: retried only on 429.
pub fn register_request(
    channel: &ChannelPublicId,
    file_name: &str,
    schema: &Schema,
) -> HttpRequest {
    let mut body = String::from("{\"channel_public_id\":");
    push_json_str(&mut body, channel.as_str());
    body.push_str(",\"file_name\":");
    push_json_str(&mut body, file_name);
    body.push_str(",\"schema\":");
    schema.to_json(&mut body);
    body.push('}');
    post(REGISTER_PATH, body, Idempotency::OnlyOn429)
}

/// `GET target_user_file?channel_public_id=…`.
pub fn view_request(channel: &ChannelPublicId) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        path_and_query: Query::new(VIEW_PATH)
            .param("channel_public_id", channel.as_str())
            .finish(),
        auth: Auth::RestApiKey,
        body: None,
        idempotency: Idempotency::Repeatable,
    }
}

/// `POST update/target_users` for one batch (≤ 2,000 users).
pub fn add_request(
    file_id: u64,
    channel: &ChannelPublicId,
    user_type: UserType,
    users: &[User],
) -> HttpRequest {
    let mut body = String::with_capacity(users.len().saturating_mul(48).saturating_add(64));
    head(&mut body, file_id, channel, user_type);
    body.push_str(",\"users\":[");
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str("{\"id\":");
        push_json_str(&mut body, &u.id);
        body.push_str(",\"field\":{");
        for (j, (k, v)) in u.fields.iter().enumerate() {
            if j > 0 {
                body.push(',');
            }
            push_json_str(&mut body, k.as_str());
            body.push(':');
            match v {
                FieldValue::Text(s) => push_json_str(&mut body, s),
                FieldValue::Number(n) => push_json_number(&mut body, *n),
            }
        }
        body.push_str("}}");
    }
    body.push_str("]}");
    post(ADD_PATH, body, Idempotency::Repeatable)
}

/// `POST delete/target_users` for one batch (≤ 2,000 ids).
pub fn delete_request(
    file_id: u64,
    channel: &ChannelPublicId,
    user_type: UserType,
    ids: &[String],
) -> HttpRequest {
    let mut body = String::with_capacity(ids.len().saturating_mul(16).saturating_add(64));
    head(&mut body, file_id, channel, user_type);
    body.push_str(",\"user_ids\":[");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        push_json_str(&mut body, id);
    }
    body.push_str("]}");
    post(DELETE_PATH, body, Idempotency::Repeatable)
}

fn bad(body: &str, message: impl Into<String>) -> ResponseError {
    ResponseError::new(200, message, body)
}

fn object(body: &str) -> Result<serde_json::Map<String, serde_json::Value>, ResponseError> {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad(body, "expected a JSON object")),
        Err(e) => Err(bad(body, format!("not JSON: {e}"))),
    }
}

fn count(
    map: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    body: &str,
) -> Result<u64, ResponseError> {
    map.get(key)
        .and_then(serde_json::Value::as_u64)
        .filter(|n| *n as f64 <= MAX_SAFE_INTEGER)
        .ok_or_else(|| {
            bad(
                body,
                format!("{key} is missing or not a non-negative integer"),
            )
        })
}

/// The register answer: `{"file_id": 437}`.
pub fn parse_register(body: &str) -> Result<u64, ResponseError> {
    count(&object(body)?, "file_id", body)
}

/// The add answer: `(request_count, success_count)`.
pub fn parse_add(body: &str) -> Result<(u64, u64), ResponseError> {
    let m = object(body)?;
    Ok((
        count(&m, "request_count", body)?,
        count(&m, "success_count", body)?,
    ))
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFile {
    pub file_id: u64,
    pub file_name: String,
    /// Lower-cased (`USING` → `using`); unknown values pass through.
    pub status: String,
    /// UTC epoch millis of `update_at`.
    pub updated_at: Option<i64>,
    /// Canonical Korean keys → `string` / `number`.
    pub schema: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFileList {
    pub files: Vec<CustomerFile>,
    pub empty_slot: u64,
    pub using_slot: u64,
}

fn parse_file(v: &serde_json::Value, i: usize, body: &str) -> Result<CustomerFile, ResponseError> {
    let serde_json::Value::Object(m) = v else {
        return Err(bad(body, format!("results[{i}] is not an object")));
    };
    let file_id = count(m, "file_id", body)?;
    let text = |key: &str| -> Result<Option<String>, ResponseError> {
        match m.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(
                body,
                format!("results[{i}].{key} is not a string: {other}"),
            )),
        }
    };
    let file_name = text("file_name")?
        .ok_or_else(|| bad(body, format!("results[{i}].file_name is missing")))?;
    let status = text("status")?.unwrap_or_default().to_ascii_lowercase();
    let updated_at = match text("update_at")? {
        None => None,
        Some(s) => Some(parse_kakao_datetime(&s).ok_or_else(|| {
            bad(
                body,
                format!("results[{i}].update_at is not \"YYYY-MM-DD HH:MM:SS\" or RFC3339: {s:?}"),
            )
        })?),
    };
    // Kakao sends the schema as a JSON string with English keys; accept an object too.
    let schema_map = match m.get("schema") {
        None | Some(serde_json::Value::Null) => serde_json::Map::new(),
        Some(serde_json::Value::String(s)) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(serde_json::Value::Object(o)) => o,
            _ => {
                return Err(bad(
                    body,
                    format!("results[{i}].schema is not a JSON object string: {s:?}"),
                ))
            }
        },
        Some(serde_json::Value::Object(o)) => o.clone(),
        Some(other) => {
            return Err(bad(
                body,
                format!("results[{i}].schema is not a JSON string: {other}"),
            ))
        }
    };
    let mut schema = Vec::with_capacity(schema_map.len());
    for (k, v) in schema_map {
        let ty = v
            .as_str()
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| bad(body, format!("results[{i}].schema.{k} is not a type name")))?;
        schema.push((canonical_key(&k).as_str().to_owned(), ty));
    }
    Ok(CustomerFile {
        file_id,
        file_name,
        status,
        updated_at,
        schema,
    })
}

/// The view answer.
pub fn parse_view(body: &str) -> Result<CustomerFileList, ResponseError> {
    let m = object(body)?;
    let files = match m.get("results") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| parse_file(v, i, body))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad(body, "results is not an array")),
    };
    Ok(CustomerFileList {
        files,
        empty_slot: count(&m, "empty_slot", body)?,
        using_slot: count(&m, "using_slot", body)?,
    })
}

/// After a batch failed for good: do the remaining batches stand a chance? Not when the key,
/// the file, the channel or the quota is the problem: those batches are reported unsent.
pub fn fails_every_batch(e: &ApiError) -> bool {
    matches!(e.status, 401 | 403)
        || matches!(
            e.code,
            Some(-3 | -4 | -5 | -6 | -10 | -11 | -12 | -401 | -541 | -544 | -816 | -819 | -911)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch() -> ChannelPublicId {
        ChannelPublicId::parse("_ZeUTxl", "channelPublicId").unwrap()
    }

    fn schema(pairs: &[(&str, &str)]) -> Schema {
        Schema::parse(pairs.iter().copied(), "schema").unwrap()
    }

    fn user(id: RawId, fields: &[(&str, RawValue)]) -> RawUser {
        RawUser {
            id,
            fields: Some(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            ),
        }
    }

    #[test]
    fn register_body_is_exact_json() {
        let r = register_request(
            &ch(),
            "vip고객리스트",
            &schema(&[
                ("birthday", "string"),
                ("성별", "string"),
                ("age", "number"),
            ]),
        );
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.path_and_query, "/v1/talkchannel/create/target_user_file");
        assert_eq!(r.auth, Auth::RestApiKey);
        assert_eq!(r.idempotency, Idempotency::OnlyOn429);
        assert_eq!(
            r.body.as_deref(),
            Some(
                r#"{"channel_public_id":"_ZeUTxl","file_name":"vip고객리스트","schema":{"생년월일":"string","성별":"string","연령":"number"}}"#
            )
        );
    }

    #[test]
    fn add_body_is_exact_json() {
        let users = check_users(
            &[
                user(
                    RawId::Text("12345".into()),
                    &[
                        ("생년월일", RawValue::Text("2000-01-01".into())),
                        ("gender", RawValue::Text("남자 \"VIP\"".into())),
                        ("age", RawValue::Number(19.0)),
                        ("구매금액", RawValue::Number(1234.5)),
                    ],
                ),
                RawUser {
                    id: RawId::BigInt("9223372036854775807".into()),
                    fields: None,
                },
            ],
            UserType::App,
            None,
        )
        .unwrap();
        let r = add_request(437, &ch(), UserType::App, &users);
        assert_eq!(r.path_and_query, "/v1/talkchannel/update/target_users");
        assert_eq!(r.idempotency, Idempotency::Repeatable);
        assert_eq!(
            r.body.as_deref(),
            Some(concat!(
                r#"{"file_id":437,"channel_public_id":"_ZeUTxl","user_type":"app","users":["#,
                r#"{"id":"12345","field":{"생년월일":"2000-01-01","성별":"남자 \"VIP\"","연령":19,"구매금액":1234.5}},"#,
                r#"{"id":"9223372036854775807","field":{}}]}"#
            ))
        );
    }

    #[test]
    fn delete_body_is_exact_json() {
        let ids = check_ids(
            &[
                RawId::Text("010-1234-5678".into()),
                RawId::Text("+82 10 9999 0000".into()),
            ],
            UserType::Phone,
            "userIds",
        )
        .unwrap();
        let r = delete_request(437, &ch(), UserType::Phone, &ids);
        assert_eq!(r.path_and_query, "/v1/talkchannel/delete/target_users");
        assert_eq!(
            r.body.as_deref(),
            Some(
                r#"{"file_id":437,"channel_public_id":"_ZeUTxl","user_type":"phone","user_ids":["010-1234-5678","+82 10 9999 0000"]}"#
            )
        );
    }

    #[test]
    fn view_request_line() {
        let r = view_request(&ch());
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.path_and_query,
            "/v1/talkchannel/target_user_file?channel_public_id=_ZeUTxl"
        );
        assert_eq!(r.body, None);
    }

    #[test]
    fn user_validation_cases() {
        let s = schema(&[
            ("연령", "number"),
            ("성별", "string"),
            ("vipLevel", "number"),
        ]);
        let n = |x: f64| RawValue::Number(x);
        let t = |x: &str| RawValue::Text(x.into());
        type Case<'a> = (UserType, Vec<RawUser>, Option<&'a Schema>, &'a str, &'a str);
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
        let t = |x: &str| RawValue::Text(x.into());
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

    #[test]
    fn parses_the_doc_view_sample_exactly() {
        let body = r#"{
          "results":[
            {
              "file_id":437,
              "file_name": "VIPCustomerList",
              "status":"USING",
              "update_at":"2019-02-03 13:22:33",
              "schema": "{\"birthday\":\"string\",\"gender\":\"string\",\"age\":\"number\"}"
            }
          ],
          "empty_slot":27,
          "using_slot":3
        }"#;
        let list = parse_view(body).unwrap();
        assert_eq!(
            list,
            CustomerFileList {
                files: vec![CustomerFile {
                    file_id: 437,
                    file_name: "VIPCustomerList".into(),
                    status: "using".into(),
                    // 2019-02-03 13:22:33 KST = 04:22:33 UTC
                    updated_at: Some(1_549_167_753_000),
                    schema: vec![
                        ("연령".into(), "number".into()),
                        ("생년월일".into(), "string".into()),
                        ("성별".into(), "string".into()),
                    ],
                }],
                empty_slot: 27,
                using_slot: 3,
            }
        );
    }

    #[test]
    fn view_quirks_and_bad_bodies() {
        let ok = parse_view(r#"{"results":[{"file_id":1,"file_name":"a","status":"ARCHIVED","update_at":"2019-02-03T04:22:33Z","schema":"{\"custom1\":\"number\"}"}],"empty_slot":29,"using_slot":1}"#).unwrap();
        let f = ok.files.first().unwrap();
        assert_eq!(f.status, "archived");
        assert_eq!(f.updated_at, Some(1_549_167_753_000));
        assert_eq!(f.schema, vec![("custom1".to_owned(), "number".to_owned())]);
        let e = parse_view(r#"{"results":[{"file_id":1,"file_name":"a","status":"USING","update_at":"03/02/2019","schema":"{}"}],"empty_slot":29,"using_slot":1}"#).unwrap_err();
        assert_eq!(
            e.message,
            "results[0].update_at is not \"YYYY-MM-DD HH:MM:SS\" or RFC3339: \"03/02/2019\""
        );
        for body in [
            "",
            "[]",
            r#"{"results":[]}"#,
            r#"{"results":[{"file_name":"a"}],"empty_slot":1,"using_slot":1}"#,
            r#"{"results":[{"file_id":1,"file_name":"a","schema":"{bad"}],"empty_slot":1,"using_slot":1}"#,
        ] {
            assert!(parse_view(body).is_err(), "{body}");
        }
    }

    #[test]
    fn add_and_register_answers() {
        assert_eq!(
            parse_add(r#"{"file_id": 437, "request_count": 10, "success_count": 9}"#),
            Ok((10, 9))
        );
        assert!(parse_add(r#"{"file_id": 437}"#).is_err());
        assert!(parse_add("").is_err());
        assert_eq!(parse_register(r#"{ "file_id" : 437 }"#), Ok(437));
        assert!(parse_register(r#"{ "file_id" : -1 }"#).is_err());
    }

    #[test]
    fn which_failures_stop_the_remaining_batches() {
        let e = |status, body| ApiError::from_response(status, body);
        assert!(fails_every_batch(&e(401, r#"{"msg":"x","code":-401}"#)));
        assert!(fails_every_batch(&e(400, r#"{"msg":"x","code":-816}"#)));
        assert!(fails_every_batch(&e(400, r#"{"msg":"x","code":-10}"#)));
        assert!(!fails_every_batch(&e(400, r#"{"msg":"x","code":-2}"#)));
        assert!(!fails_every_batch(&e(503, "")));
    }
}
