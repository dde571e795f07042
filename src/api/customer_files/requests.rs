//! Request building: register, view, add and delete, bodies written as exact JSON.

use super::users::{FieldValue, User, UserType};
use crate::core::ids::{ChannelPublicId, MAX_SAFE_INTEGER};
use crate::core::request::{Auth, HttpRequest, Idempotency, Method, Query};
use crate::core::schema::Schema;
use crate::core::text::push_json_str;
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
        push_f64_plain(out, n);
    }
}

/// Appends `n` exactly as Rust's `{}` writes an `f64` (shortest round-trip digits, never an
/// exponent: `1e21` → `1000000000000000000000`), without linking `core::fmt`'s float
/// formatting (~11 KB of wasm): the digits come from serde_json's shortest writer (`1e+21`,
/// `1.5e-7`), already linked, and are laid out here.
fn push_f64_plain(out: &mut String, n: f64) {
    let Some(num) = serde_json::Number::from_f64(n) else {
        // Not finite: what `{}` writes.
        out.push_str(if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    };
    let text = num.to_string();
    let (mantissa, exp) = match text.split_once('e') {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i64>().unwrap_or(0)),
        None => (text.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The value is 0.DIGITS × 10^point.
    let mut digits: String = int.chars().chain(frac.chars()).collect();
    let mut point = i64::try_from(int.len()).unwrap_or(0).saturating_add(exp);
    while digits.ends_with('0') {
        digits.pop();
    }
    let lead = digits
        .len()
        .saturating_sub(digits.trim_start_matches('0').len());
    digits.drain(..lead);
    point = point.saturating_sub(i64::try_from(lead).unwrap_or(0));
    if negative {
        out.push('-');
    }
    let len = i64::try_from(digits.len()).unwrap_or(0);
    let zeros = |k: i64| "0".repeat(usize::try_from(k).unwrap_or(0));
    if digits.is_empty() {
        out.push('0');
    } else if point <= 0 {
        out.push_str("0.");
        out.push_str(&zeros(point.saturating_neg()));
        out.push_str(&digits);
    } else if point >= len {
        out.push_str(&digits);
        out.push_str(&zeros(point.saturating_sub(len)));
    } else {
        let (a, b) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(a);
        out.push('.');
        out.push_str(b);
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

    fn plain(n: f64) -> String {
        let mut out = String::new();
        push_f64_plain(&mut out, n);
        out
    }

    #[test]
    fn f64_written_as_rust_display_writes_it() {
        for n in [
            0.1,
            -2.25,
            1.5e-7,
            5e-324,
            1e21,
            -1.2345678901234568e20,
            9007199254740993.0,
            1e15 + 0.5,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(plain(n), format!("{n}"), "{n:e}");
        }
    }

    // proptest is a host dev-dependency: not built for wasm32.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::plain;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn f64_bits_written_as_rust_display_writes_them(bits in any::<u64>()) {
                let n = f64::from_bits(bits);
                prop_assert_eq!(plain(n), format!("{n}"));
            }

            #[test]
            fn f64_decimals_written_as_rust_display_writes_them(m in -1_000_000_000i64..1_000_000_000, e in -30i32..30) {
                let n = (m as f64) * 10f64.powi(e);
                prop_assert_eq!(plain(n), format!("{n}"));
            }
        }
    }
}
