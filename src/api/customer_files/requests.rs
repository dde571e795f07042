//! Request building: register, view, add and delete, bodies written as exact JSON.

use super::users::{FieldValue, User, UserType};
use crate::core::ids::{ChannelPublicId, MAX_SAFE_INTEGER};
use crate::core::request::{Auth, HttpRequest, Idempotency, Method, Query};
use crate::core::schema::{push_json_str, Schema};
use std::fmt::Write as _;

pub const REGISTER_PATH: &str = "/v1/talkchannel/create/target_user_file";
pub const VIEW_PATH: &str = "/v1/talkchannel/target_user_file";
pub const ADD_PATH: &str = "/v1/talkchannel/update/target_users";
pub const DELETE_PATH: &str = "/v1/talkchannel/delete/target_users";
/// Kakao takes at most 2,000 users per add or delete call.
pub const BATCH_SIZE: usize = 2_000;

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

#[cfg(test)]
mod tests {
    use super::super::test_support::{ch, schema, user};
    use super::super::users::{check_ids, check_users, RawId, RawUser, RawValue};
    use super::*;

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
}
