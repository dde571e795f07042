//! `GET /v2/api/talk/channels` and `GET /v2/api/talk/channels/multi`: requests, responses,
//! chunking of user ids by 200 and merging in input order.

use crate::core::decimal::parse_i64;
use crate::core::error::redact;
use crate::core::error::ResponseError;
use crate::core::id_map::{self, IdMap};
use crate::core::ids::{ChannelPublicId, UserId};
use crate::core::request::{Auth, HttpRequest, Idempotency, Method, Query};
use crate::core::text::{push_json_str, quoted};
use crate::core::time::parse_rfc3339;
use serde_json::{Map, Value};

pub const CHANNELS_PATH: &str = "/v2/api/talk/channels";
pub const MULTI_PATH: &str = "/v2/api/talk/channels/multi";
/// Kakao checks at most 200 users per multi call.
pub const MULTI_CHUNK: usize = 200;

/// Whose relations to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The user behind an access token (`Authorization: Bearer`).
    Token(Auth),
    /// A service user id, with the admin key.
    User(UserId),
}

/// Results are written in camelCase ([`UserChannelRelations::json`], [`MultiRelations::json`]):
/// the JSON that reaches JS (dates as epoch millis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRelation {
    pub channel_public_id: String,
    pub channel_uuid: String,
    /// `ADDED`, `BLOCKED`, `NONE`, or a future value passed through.
    pub relation: String,
    /// UTC epoch millis.
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChannelRelations {
    /// Decimal string: never rounded through a float.
    pub user_id: String,
    pub channels: Vec<ChannelRelation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiRelations {
    pub users: Vec<UserChannelRelations>,
    /// Asked for, absent from Kakao's answer (Kakao omits users it could not check).
    pub unresolved_user_ids: Vec<String>,
}

/// Writes results as JSON: in the fields' declared order (the result a call resolves with,
/// what `#[derive(Serialize)]` wrote) or with keys in byte order (`onBatch`'s and a
/// `BulkOperationError`'s `partial`, which went through a sorted `serde_json::Value`), every
/// string, keys included, redacted of `secrets` (none for a result). By hand: a derive per
/// type links its own copy of serde_json's serializer, and the sorted text needed a parse.
struct Writer<'s> {
    out: String,
    sorted: bool,
    secrets: &'s [String],
}

impl Writer<'_> {
    fn str(&mut self, s: &str) {
        if self.secrets.is_empty() {
            push_json_str(&mut self.out, s);
        } else {
            push_json_str(&mut self.out, &redact(s, self.secrets));
        }
    }

    /// `"key":` after a `,` unless `first`.
    fn key(&mut self, key: &str, first: bool) {
        if !first {
            self.out.push(',');
        }
        self.str(key);
        self.out.push(':');
    }

    fn opt_int(&mut self, key: &str, v: Option<i64>, first: bool) {
        self.key(key, first);
        match v {
            Some(n) => self.out.push_str(&n.to_string()),
            None => self.out.push_str("null"),
        }
    }

    /// `"key":[…]`, the strings of every part in turn.
    fn strs(&mut self, key: &str, parts: &[&MultiRelations], first: bool) {
        self.key(key, first);
        self.out.push('[');
        let mut first = true;
        for s in parts.iter().flat_map(|p| &p.unresolved_user_ids) {
            if !first {
                self.out.push(',');
            }
            first = false;
            self.str(s);
        }
        self.out.push(']');
    }

    fn channel(&mut self, c: &ChannelRelation) {
        self.out.push('{');
        self.key("channelPublicId", true);
        self.str(&c.channel_public_id);
        self.key("channelUuid", false);
        self.str(&c.channel_uuid);
        if self.sorted {
            self.opt_int("createdAt", c.created_at, false);
        }
        self.key("relation", false);
        self.str(&c.relation);
        if !self.sorted {
            self.opt_int("createdAt", c.created_at, false);
        }
        self.opt_int("updatedAt", c.updated_at, false);
        self.out.push('}');
    }

    fn user(&mut self, u: &UserChannelRelations) {
        self.out.push('{');
        if !self.sorted {
            self.key("userId", true);
            self.str(&u.user_id);
        }
        self.key("channels", self.sorted);
        self.out.push('[');
        for (i, c) in u.channels.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.channel(c);
        }
        self.out.push(']');
        if self.sorted {
            self.key("userId", false);
            self.str(&u.user_id);
        }
        self.out.push('}');
    }

    /// `"users":[…]`, the users of every part in turn.
    fn users(&mut self, parts: &[&MultiRelations], first: bool) {
        self.key("users", first);
        self.out.push('[');
        let mut first = true;
        for u in parts.iter().flat_map(|p| &p.users) {
            if !first {
                self.out.push(',');
            }
            first = false;
            self.user(u);
        }
        self.out.push(']');
    }
}

impl UserChannelRelations {
    /// The result of a check as JSON (keys in declared order: `userId`, `channels`).
    pub fn json(&self) -> String {
        let mut w = Writer {
            out: String::with_capacity(64),
            sorted: false,
            secrets: &[],
        };
        w.user(self);
        w.out
    }
}

impl MultiRelations {
    /// As JSON: `sorted`, keys in byte order; every string redacted of `secrets`.
    pub fn json(&self, sorted: bool, secrets: &[String]) -> String {
        Self::merged_json(&[self], sorted, secrets)
    }

    /// `parts` merged in turn (their users, then their unresolved ids), as [`Self::json`]
    /// writes one: the batches of a split call written without copying them into one.
    pub fn merged_json(parts: &[&MultiRelations], sorted: bool, secrets: &[String]) -> String {
        let mut w = Writer {
            out: String::with_capacity(64),
            sorted,
            secrets,
        };
        w.out.push('{');
        if sorted {
            w.strs("unresolvedUserIds", parts, true);
            w.users(parts, false);
        } else {
            w.users(parts, true);
            w.strs("unresolvedUserIds", parts, false);
        }
        w.out.push('}');
        w.out
    }
}

/// One relationship check.
pub fn check_request(channel_ids: &[ChannelPublicId], target: Target) -> HttpRequest {
    let ids = channel_ids.iter().map(ChannelPublicId::as_str);
    let (query, auth) = match target {
        Target::Token(auth) => (Query::new(CHANNELS_PATH).list("channel_ids", ids), auth),
        Target::User(user) => (
            Query::new(CHANNELS_PATH)
                .param("target_id_type", "user_id")
                .param("target_id", &user.to_string())
                .list("channel_ids", ids),
            Auth::AdminKey,
        ),
    };
    HttpRequest {
        method: Method::Get,
        path_and_query: query.finish(),
        auth,
        body: None,
        idempotency: Idempotency::Repeatable,
    }
}

/// A user id as the key of an [`IdMap`] (ids are positive: one key per id).
fn key(id: UserId) -> u64 {
    id.get().unsigned_abs()
}

/// The ids to ask for, each once, in first-seen order.
pub fn dedupe(user_ids: &[UserId]) -> Vec<UserId> {
    let mut seen = id_map::with_capacity(user_ids.len());
    user_ids
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, u)| seen.insert(key(*u), *i).is_none())
        .map(|(_, u)| u)
        .collect()
}

/// Each asked id (as a key) → its position in `asked`.
fn positions(asked: &[UserId]) -> IdMap {
    let mut m = id_map::with_capacity(asked.len());
    for (i, id) in asked.iter().enumerate() {
        m.insert(key(*id), i);
    }
    m
}

/// One multi call for at most 200 ids (the caller chunks with [`MULTI_CHUNK`]).
pub fn multi_request(user_ids: &[UserId], channel_ids: Option<&[ChannelPublicId]>) -> HttpRequest {
    let mut q = Query::new(MULTI_PATH)
        .param("target_id_type", "user_id")
        .list("target_ids", user_ids.iter().map(UserId::to_string));
    if let Some(ch) = channel_ids {
        q = q.list("channel_ids", ch.iter().map(ChannelPublicId::as_str));
    }
    HttpRequest {
        method: Method::Get,
        path_and_query: q.finish(),
        auth: Auth::AdminKey,
        body: None,
        idempotency: Idempotency::Repeatable,
    }
}

/// One user of an answer, read from its JSON value (by hand, not `#[derive(Deserialize)]`: the
/// derive's type errors link the float formatting of `core::fmt`, ~11 KB of wasm); its strings
/// borrowed from the value.
struct RawUser<'v> {
    user_id: &'v Value,
    channels: Option<Vec<RawChannel<'v>>>,
}

struct RawChannel<'v> {
    channel_uuid: &'v str,
    channel_public_id: &'v str,
    relation: &'v str,
    created_at: Option<&'v str>,
    updated_at: Option<&'v str>,
}

/// What a JSON value is, the way serde's type errors name it.
fn unexpected(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {}", quoted(s)),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

fn invalid(path: &str, v: &Value, expected: &str) -> String {
    format!(
        "{path}: invalid type: {}, expected {expected}",
        unexpected(v)
    )
}

type Fields = Map<String, Value>;

fn object<'v>(v: &'v Value, path: &str, what: &str) -> Result<&'v Fields, String> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(invalid(path, other, what)),
    }
}

/// A string field that may be absent or `null`.
fn opt_string<'v>(m: &'v Fields, key: &str, path: &str) -> Result<Option<&'v str>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(&format!("{path}.{key}"), other, "a string")),
    }
}

fn string<'v>(m: &'v Fields, key: &str, path: &str) -> Result<&'v str, String> {
    match m.get(key) {
        None => Err(format!("{path}: missing field `{key}`")),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(invalid(&format!("{path}.{key}"), other, "a string")),
    }
}

fn raw_channel<'v>(v: &'v Value, path: &str) -> Result<RawChannel<'v>, String> {
    let m = object(v, path, "a channel object")?;
    Ok(RawChannel {
        channel_uuid: string(m, "channel_uuid", path)?,
        channel_public_id: string(m, "channel_public_id", path)?,
        relation: string(m, "relation", path)?,
        created_at: opt_string(m, "created_at", path)?,
        updated_at: opt_string(m, "updated_at", path)?,
    })
}

fn raw_user<'v>(v: &'v Value, path: &str) -> Result<RawUser<'v>, String> {
    let m = object(v, path, "a user object")?;
    let user_id = m
        .get("user_id")
        .ok_or_else(|| format!("{path}: missing field `user_id`"))?;
    let channels = match m.get("channels") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => {
            let mut channels = Vec::with_capacity(a.len());
            for (i, c) in a.iter().enumerate() {
                channels.push(raw_channel(c, &format!("{path}.channels[{i}]"))?);
            }
            Some(channels)
        }
        Some(other) => return Err(invalid(&format!("{path}.channels"), other, "a sequence")),
    };
    Ok(RawUser { user_id, channels })
}

fn bad(body: &str, message: String) -> ResponseError {
    ResponseError::new(200, message, body)
}

/// The user id as a positive number (the key of an [`IdMap`]) and as its decimal text.
fn user_id_text(v: &Value, body: &str) -> Result<(u64, String), ResponseError> {
    let id = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_i64(s),
        _ => None,
    };
    id.filter(|n| *n > 0)
        .map(|n| (n.unsigned_abs(), n.to_string()))
        .ok_or_else(|| {
            bad(
                body,
                format!(
                    "user_id is not a positive 64-bit integer: {}",
                    crate::core::json::value_text(v)
                ),
            )
        })
}

fn time_field(v: Option<&str>, name: &str, body: &str) -> Result<Option<i64>, ResponseError> {
    match v {
        None => Ok(None),
        Some(s) => parse_rfc3339(s).map(Some).ok_or_else(|| {
            bad(
                body,
                format!("{name} is not an RFC3339 date-time: {}", quoted(s)),
            )
        }),
    }
}

/// The user, and its id as an [`IdMap`] key.
fn convert_user(
    raw: RawUser<'_>,
    body: &str,
) -> Result<(u64, UserChannelRelations), ResponseError> {
    let (id, user_id) = user_id_text(raw.user_id, body)?;
    // Loops, not `collect::<Result<..>>()`: each such collect links its own adapter.
    let raw_channels = raw.channels.unwrap_or_default();
    let mut channels = Vec::with_capacity(raw_channels.len());
    for c in raw_channels {
        channels.push(ChannelRelation {
            created_at: time_field(c.created_at, "created_at", body)?,
            updated_at: time_field(c.updated_at, "updated_at", body)?,
            channel_public_id: c.channel_public_id.to_owned(),
            channel_uuid: c.channel_uuid.to_owned(),
            relation: c.relation.to_owned(),
        });
    }
    Ok((id, UserChannelRelations { user_id, channels }))
}

/// Parses the single-user answer. `asked` is the user id of an admin-key check (`None` for an
/// access-token check, whose user is unknown here): an answer about another user is an error.
pub fn parse_check(
    body: &str,
    asked: Option<UserId>,
) -> Result<UserChannelRelations, ResponseError> {
    // The answer stays parsed while its users are read: they borrow from it.
    let shape = |e: String| bad(body, format!("not the documented relationship JSON: {e}"));
    let v = serde_json::from_str::<Value>(body).map_err(|e| shape(e.to_string()))?;
    let raw = raw_user(&v, "answer").map_err(shape)?;
    let (id, user) = convert_user(raw, body)?;
    match asked {
        Some(asked) if key(asked) != id => Err(bad(
            body,
            format!(
                "Kakao answered for user_id {} but user_id {asked} was asked",
                user.user_id
            ),
        )),
        _ => Ok(user),
    }
}

/// Parses one multi answer (a JSON array) to the call that asked for `asked`: every user in
/// it must be one of `asked`, and appear once (Kakao may leave users out, never add any).
pub fn parse_multi(
    body: &str,
    asked: &[UserId],
) -> Result<Vec<UserChannelRelations>, ResponseError> {
    let shape = |e: String| {
        bad(
            body,
            format!("not the documented multi-relationship JSON array: {e}"),
        )
    };
    let v = serde_json::from_str::<Value>(body).map_err(|e| shape(e.to_string()))?;
    let Value::Array(a) = &v else {
        return Err(shape(invalid("answer", &v, "a sequence")));
    };
    let mut raw = Vec::with_capacity(a.len());
    for (i, u) in a.iter().enumerate() {
        raw.push(raw_user(u, &format!("answer[{i}]")).map_err(shape)?);
    }
    let wanted = positions(asked);
    let mut seen = id_map::with_capacity(raw.len());
    let mut users = Vec::with_capacity(raw.len());
    for (i, u) in raw.into_iter().enumerate() {
        let (id, user) = convert_user(u, body)?;
        if !wanted.contains_key(&id) {
            return Err(bad(
                body,
                format!(
                    "Kakao answered for user_id {} which this call did not ask",
                    user.user_id
                ),
            ));
        }
        if seen.insert(id, i).is_some() {
            return Err(bad(
                body,
                format!("Kakao answered twice for user_id {}", user.user_id),
            ));
        }
        users.push(user);
    }
    Ok(users)
}

/// Merges chunk answers in the order ids were asked; ids Kakao omitted become unresolved.
/// An answer for an id that was not asked is a misreading, not something to drop silently.
pub fn merge_multi(
    asked: &[UserId],
    answers: Vec<UserChannelRelations>,
) -> Result<MultiRelations, ResponseError> {
    let asked_text: Vec<String> = asked.iter().map(UserId::to_string).collect();
    let wanted = positions(asked);
    // The answer for each asked position (the last asked position of an id asked twice).
    let mut by_pos: Vec<Option<UserChannelRelations>> = Vec::new();
    by_pos.resize_with(asked.len(), || None);
    let answered = answers.len();
    for user in answers {
        // Only the decimal text of an asked id names it: look the text's number up, then
        // compare the text itself.
        let pos = parse_i64(&user.user_id)
            .and_then(|n| wanted.get(&n.unsigned_abs()).copied())
            .filter(|p| asked_text.get(*p) == Some(&user.user_id));
        let Some(slot) = pos.and_then(|p| by_pos.get_mut(p)) else {
            return Err(ResponseError::new(
                200,
                format!(
                    "Kakao answered for user_id {} which was not asked",
                    user.user_id
                ),
                "",
            ));
        };
        if let Some(again) = slot.replace(user) {
            return Err(ResponseError::new(
                200,
                format!("Kakao answered twice for user_id {}", again.user_id),
                "",
            ));
        }
    }
    let mut users = Vec::with_capacity(answered);
    let mut unresolved = Vec::new();
    for (id, pos) in asked_text.into_iter().zip(asked) {
        match wanted
            .get(&key(*pos))
            .and_then(|p| by_pos.get_mut(*p))
            .and_then(Option::take)
        {
            Some(u) => users.push(u),
            None => unresolved.push(id),
        }
    }
    Ok(MultiRelations {
        users,
        unresolved_user_ids: unresolved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::channel_ids;
    use crate::core::request::bearer;

    fn uid(n: i64) -> UserId {
        UserId::from_i64(n, "u").unwrap()
    }

    #[test]
    fn merged_json_writes_the_parts_as_one() {
        let user = |id: &str, uuid: &str| UserChannelRelations {
            user_id: id.to_owned(),
            channels: vec![ChannelRelation {
                channel_public_id: "_a".to_owned(),
                channel_uuid: uuid.to_owned(),
                relation: "ADDED".to_owned(),
                created_at: Some(1),
                updated_at: None,
            }],
        };
        let a = MultiRelations {
            users: vec![user("1", "@x"), user("2", "@y")],
            unresolved_user_ids: vec!["3".to_owned()],
        };
        let b = MultiRelations {
            users: vec![user("4", "@z")],
            unresolved_user_ids: vec!["5".to_owned(), "6".to_owned()],
        };
        let empty = MultiRelations {
            users: vec![],
            unresolved_user_ids: vec![],
        };
        let whole = MultiRelations {
            users: [a.users.clone(), b.users.clone()].concat(),
            unresolved_user_ids: [a.unresolved_user_ids.clone(), b.unresolved_user_ids.clone()]
                .concat(),
        };
        let secrets = ["@y".to_owned()];
        for (sorted, secrets) in [(false, &[][..]), (true, &secrets[..])] {
            assert_eq!(
                MultiRelations::merged_json(&[&empty, &a, &empty, &b], sorted, secrets),
                whole.json(sorted, secrets)
            );
        }
        assert_eq!(
            MultiRelations::merged_json(&[&a, &b], false, &[]),
            r#"{"users":[{"userId":"1","channels":[{"channelPublicId":"_a","channelUuid":"@x","relation":"ADDED","createdAt":1,"updatedAt":null}]},{"userId":"2","channels":[{"channelPublicId":"_a","channelUuid":"@y","relation":"ADDED","createdAt":1,"updatedAt":null}]},{"userId":"4","channels":[{"channelPublicId":"_a","channelUuid":"@z","relation":"ADDED","createdAt":1,"updatedAt":null}]}],"unresolvedUserIds":["3","5","6"]}"#
        );
        assert_eq!(
            MultiRelations::merged_json(&[&empty, &empty], true, &[]),
            r#"{"unresolvedUserIds":[],"users":[]}"#
        );
    }

    #[test]
    fn check_with_token_and_with_user_id() {
        let ch = channel_ids(&["_frxjem", "_xnrxjem", "_Brxjem"], "channelIds").unwrap();
        let r = check_request(&ch, Target::Token(bearer("tok").unwrap()));
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.path_and_query,
            "/v2/api/talk/channels?channel_ids=_frxjem,_xnrxjem,_Brxjem"
        );
        assert_eq!(r.auth, Auth::Bearer("tok".into()));
        let r = check_request(&ch, Target::User(uid(i64::MAX)));
        assert_eq!(
            r.path_and_query,
            "/v2/api/talk/channels?target_id_type=user_id&target_id=9223372036854775807&channel_ids=_frxjem,_xnrxjem,_Brxjem"
        );
        assert_eq!(r.auth, Auth::AdminKey);
        assert_eq!(r.body, None);
    }

    #[test]
    fn multi_requests() {
        let r = multi_request(&[uid(1), uid(22)], None);
        assert_eq!(
            r.path_and_query,
            "/v2/api/talk/channels/multi?target_id_type=user_id&target_ids=1,22"
        );
        let ch = channel_ids(&["_a"], "channelIds").unwrap();
        let r = multi_request(&[uid(1)], Some(&ch));
        assert_eq!(
            r.path_and_query,
            "/v2/api/talk/channels/multi?target_id_type=user_id&target_ids=1&channel_ids=_a"
        );
        assert_eq!(r.auth, Auth::AdminKey);
    }

    #[test]
    fn parses_the_doc_sample() {
        let body = r#"{
          "user_id": 9223372036854775807,
          "channels": [
            { "channel_uuid": "@테스트", "channel_public_id": "_ZeUTxl", "relation": "ADDED",
              "created_at": "2020-04-18T03:17:05Z", "updated_at": "2021-05-17T05:25:01Z" },
            { "channel_uuid": "@b", "channel_public_id": "_b", "relation": "BLOCKED",
              "updated_at": "2021-05-17T05:25:01Z" },
            { "channel_uuid": "@c", "channel_public_id": "_c", "relation": "NONE" },
            { "channel_uuid": "@d", "channel_public_id": "_d", "relation": "SNOOZED", "created_at": null }
          ]
        }"#;
        let u = parse_check(body, Some(uid(i64::MAX))).unwrap();
        assert_eq!(u.user_id, "9223372036854775807");
        assert_eq!(
            u.channels[0],
            ChannelRelation {
                channel_public_id: "_ZeUTxl".into(),
                channel_uuid: "@테스트".into(),
                relation: "ADDED".into(),
                created_at: Some(1_587_179_825_000),
                updated_at: Some(1_621_229_101_000),
            }
        );
        assert_eq!(u.channels[1].created_at, None);
        assert_eq!(u.channels[1].updated_at, Some(1_621_229_101_000));
        assert_eq!(
            (u.channels[2].created_at, u.channels[2].updated_at),
            (None, None)
        );
        assert_eq!(u.channels[3].relation, "SNOOZED");
        // `channels` is optional in the doc.
        assert_eq!(
            parse_check(r#"{"user_id": 5}"#, None).unwrap().channels,
            vec![]
        );
    }

    #[test]
    fn rejects_bodies_the_doc_does_not_promise() {
        for body in [
            "",
            "<html>",
            "[]",
            r#"{"channels": []}"#,
            r#"{"user_id": -3}"#,
            r#"{"user_id": 1.5}"#,
            r#"{"user_id": 99999999999999999999}"#,
            r#"{"user_id": 1, "channels": [{"channel_public_id": "_a", "relation": "ADDED"}]}"#,
            r#"{"user_id": 1, "channels": [{"channel_uuid": "@a", "channel_public_id": "_a", "relation": "ADDED", "created_at": "2020-02-30T00:00:00Z"}]}"#,
        ] {
            let e = parse_check(body, None).unwrap_err();
            assert_eq!(e.status, 200, "{body}");
            assert!(e.body_snippet.len() <= 200);
        }
        let e = parse_check(
            r#"{"user_id": 1, "channels": [{"channel_uuid": "@a", "channel_public_id": "_a", "relation": "ADDED", "created_at": "yesterday"}]}"#,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "created_at is not an RFC3339 date-time: \"yesterday\""
        );
    }

    #[test]
    fn multi_merges_in_order_and_reports_omitted_users() {
        let body = r#"[
          {"user_id": 3, "channels": [{"channel_public_id": "_x", "channel_uuid": "@x", "relation": "NONE"}]},
          {"user_id": 1, "channels": [{"channel_public_id": "_x", "channel_uuid": "@x", "relation": "ADDED",
             "created_at": "2022-11-09T07:08:48Z", "updated_at": "2023-07-20T07:21:05Z"}]}
        ]"#;
        let asked = dedupe(&[uid(1), uid(2), uid(3), uid(1)]);
        assert_eq!(asked, vec![uid(1), uid(2), uid(3)]);
        let answers = parse_multi(body, &asked).unwrap();
        let m = merge_multi(&asked, answers).unwrap();
        let order: Vec<&str> = m.users.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(order, ["1", "3"]);
        assert_eq!(m.unresolved_user_ids, ["2"]);
        assert!(parse_multi(r#"{"user_id": 9}"#, &asked).is_err());
        // merge_multi still refuses an answer it did not ask for, or one answered twice.
        let user = |id: &str| UserChannelRelations {
            user_id: id.into(),
            channels: vec![],
        };
        let e = merge_multi(&asked, vec![user("9")]).unwrap_err();
        assert_eq!(
            e.message,
            "Kakao answered for user_id 9 which was not asked"
        );
        let e = merge_multi(&asked, vec![user("1"), user("1")]).unwrap_err();
        assert_eq!(e.message, "Kakao answered twice for user_id 1");
    }

    #[test]
    fn multi_merge_matches_ids_by_their_exact_decimal_text() {
        // Looked up by number, matched by text: "01", "+1", "-1" and " 1" name no asked user.
        let user = |id: &str| UserChannelRelations {
            user_id: id.into(),
            channels: vec![],
        };
        for text in ["01", "+1", "-1", " 1", "1.0", ""] {
            let e = merge_multi(&[uid(1)], vec![user(text)]).unwrap_err();
            assert_eq!(
                e.message,
                format!("Kakao answered for user_id {text} which was not asked")
            );
        }
        // An id asked twice (merge_multi does not dedupe) is answered once, then unresolved.
        let m = merge_multi(
            &[uid(2), uid(i64::MAX), uid(2)],
            vec![user("2"), user(&i64::MAX.to_string())],
        )
        .unwrap();
        let order: Vec<&str> = m.users.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(order, ["2", "9223372036854775807"]);
        assert_eq!(m.unresolved_user_ids, ["2"]);
        // parse_multi keys the answer by its number: "7" and 7 are one user.
        let e = parse_multi(r#"[{"user_id": 7}, {"user_id": "7"}]"#, &[uid(7)]).unwrap_err();
        assert_eq!(e.message, "Kakao answered twice for user_id 7");
    }

    #[test]
    fn answers_that_contradict_the_question_are_errors() {
        // An admin-key check answered for another user.
        let e = parse_check(r#"{"user_id": 6, "channels": []}"#, Some(uid(5))).unwrap_err();
        assert_eq!(
            (e.status, e.message.as_str(), e.body_snippet.as_str()),
            (
                200,
                "Kakao answered for user_id 6 but user_id 5 was asked",
                r#"{"user_id": 6, "channels": []}"#
            )
        );
        // The same id as text is the same user.
        assert_eq!(
            parse_check(r#"{"user_id": "5"}"#, Some(uid(5)))
                .unwrap()
                .user_id,
            "5"
        );
        // With a token, the user is unknown: any id is taken.
        assert_eq!(parse_check(r#"{"user_id": 6}"#, None).unwrap().user_id, "6");
        // A multi answer naming a user this chunk did not ask, or one user twice.
        let chunk = [uid(1), uid(2)];
        let e = parse_multi(r#"[{"user_id": 1}, {"user_id": 3}]"#, &chunk).unwrap_err();
        assert_eq!(
            (e.status, e.message.as_str()),
            (
                200,
                "Kakao answered for user_id 3 which this call did not ask"
            )
        );
        assert_eq!(e.body_snippet, r#"[{"user_id": 1}, {"user_id": 3}]"#);
        let e = parse_multi(r#"[{"user_id": 2}, {"user_id": "2"}]"#, &chunk).unwrap_err();
        assert_eq!(e.message, "Kakao answered twice for user_id 2");
        // Leaving users out is what the doc describes: not an error.
        assert_eq!(parse_multi("[]", &chunk).unwrap(), vec![]);
    }

    #[test]
    fn results_are_written_as_the_derive_and_the_sorted_value_wrote_them() {
        let channel = |uuid: &str, created: Option<i64>| ChannelRelation {
            channel_public_id: "_x\"y".into(),
            channel_uuid: uuid.into(),
            relation: "ADDED".into(),
            created_at: created,
            updated_at: Some(-5),
        };
        let user = UserChannelRelations {
            user_id: "7".into(),
            channels: vec![channel("@a", Some(1_667_977_728_000)), channel("@b", None)],
        };
        assert_eq!(
            user.json(),
            r#"{"userId":"7","channels":[{"channelPublicId":"_x\"y","channelUuid":"@a","relation":"ADDED","createdAt":1667977728000,"updatedAt":-5},{"channelPublicId":"_x\"y","channelUuid":"@b","relation":"ADDED","createdAt":null,"updatedAt":-5}]}"#
        );
        let empty = UserChannelRelations {
            user_id: "8".into(),
            channels: vec![],
        };
        assert_eq!(empty.json(), r#"{"userId":"8","channels":[]}"#);
        let m = MultiRelations {
            users: vec![user, empty],
            unresolved_user_ids: vec!["9".into(), "10".into()],
        };
        let declared = m.json(false, &[]);
        assert_eq!(
            declared,
            format!(
                r#"{{"users":[{},{}],"unresolvedUserIds":["9","10"]}}"#,
                m.users[0].json(),
                m.users[1].json()
            )
        );
        // Sorted: what serde_json's `Value` (a BTreeMap) writes back.
        let value: Value = serde_json::from_str(&declared).unwrap();
        assert_eq!(m.json(true, &[]), serde_json::to_string(&value).unwrap());
        // Redacted: every string, keys included.
        let secrets = ["ADDED".to_owned(), "users".to_owned()];
        assert_eq!(
            m.json(true, &secrets),
            serde_json::to_string(&value)
                .unwrap()
                .replace("ADDED", "[REDACTED]")
                .replace("users", "[REDACTED]")
        );
        let none = MultiRelations {
            users: vec![],
            unresolved_user_ids: vec![],
        };
        assert_eq!(
            none.json(false, &[]),
            r#"{"users":[],"unresolvedUserIds":[]}"#
        );
        assert_eq!(
            none.json(true, &[]),
            r#"{"unresolvedUserIds":[],"users":[]}"#
        );
    }

    #[test]
    fn chunks_of_200() {
        let ids: Vec<UserId> = (1..=450).map(uid).collect();
        let sizes: Vec<usize> = ids.chunks(MULTI_CHUNK).map(<[UserId]>::len).collect();
        assert_eq!(sizes, [200, 200, 50]);
    }

    #[test]
    fn answers_read_by_hand_as_the_derive_read_them() {
        let ok = parse_check(
            r#"{"user_id":7,"extra":1,"channels":[{"channel_uuid":"u","channel_public_id":"_a","relation":"ADDED","created_at":null}]}"#,
            None,
        )
        .unwrap();
        assert_eq!(ok.user_id, "7");
        assert_eq!(ok.channels[0].created_at, None);
        assert_eq!(ok.channels[0].updated_at, None);
        assert!(parse_check(r#"{"user_id":"7","channels":null}"#, None)
            .unwrap()
            .channels
            .is_empty());
        let msg = |body: &str| parse_check(body, None).unwrap_err().message;
        assert_eq!(
            msg(r#"{"channels":[]}"#),
            "not the documented relationship JSON: answer: missing field `user_id`"
        );
        assert_eq!(
            msg(r#"{"user_id":1,"channels":[{"channel_uuid":1.5}]}"#),
            "not the documented relationship JSON: answer.channels[0].channel_uuid: invalid type: floating point `1.5`, expected a string"
        );
        assert_eq!(
            msg(r#"{"user_id":1,"channels":[{"channel_uuid":"u","channel_public_id":"_a"}]}"#),
            "not the documented relationship JSON: answer.channels[0]: missing field `relation`"
        );
        assert_eq!(
            msg(r#"{"user_id":1,"channels":{}}"#),
            "not the documented relationship JSON: answer.channels: invalid type: map, expected a sequence"
        );
        assert_eq!(
            msg("[]"),
            "not the documented relationship JSON: answer: invalid type: sequence, expected a user object"
        );
        assert!(msg("{").starts_with("not the documented relationship JSON: EOF while parsing"));
        let multi = |body: &str| parse_multi(body, &[uid(1)]).unwrap_err().message;
        assert_eq!(
            multi(r#"{"user_id":1}"#),
            "not the documented multi-relationship JSON array: answer: invalid type: map, expected a sequence"
        );
        assert_eq!(
            multi(r#"[{"user_id":1,"channels":[{"channel_uuid":"u","channel_public_id":"_a","relation":"ADDED","updated_at":true}]}]"#),
            "not the documented multi-relationship JSON array: answer[0].channels[0].updated_at: invalid type: boolean `true`, expected a string"
        );
    }
}
