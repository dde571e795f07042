//! Request building: register, view, add and delete, bodies written as exact JSON.

use super::users::{FieldValue, RawId, RawUser, RawValue, User, UserChecker, UserError, UserType};
use crate::core::ids::{ChannelPublicId, MAX_SAFE_INTEGER};
use crate::core::request::{Auth, HttpRequest, Idempotency, Method, Query};
use crate::core::schema::{Key, Schema};
use crate::core::text::{needs_escape, push_json_str};

pub const REGISTER_PATH: &str = "/v1/talkchannel/create/target_user_file";
pub const VIEW_PATH: &str = "/v1/talkchannel/target_user_file";
pub const ADD_PATH: &str = "/v1/talkchannel/update/target_users";
pub const DELETE_PATH: &str = "/v1/talkchannel/delete/target_users";
/// Kakao takes at most 2,000 users per add or delete call.
pub const BATCH_SIZE: usize = 2_000;

/// Appends a number the way `JSON.stringify` writes it (`19`, not `19.0`).
fn push_json_number(out: &mut String, n: f64) {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        // Whole and safe: the cast is exact.
        if n < 0.0 {
            out.push('-');
        }
        push_uint(out, (n as i64).unsigned_abs());
    } else {
        push_f64_plain(out, n);
    }
}

/// Appends `n` in decimal, without `core::fmt`.
pub fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    for d in digits.iter_mut().rev() {
        *d = b'0'.wrapping_add((n.wrapping_rem(10)) as u8);
        start = start.saturating_sub(1);
        n = n.wrapping_div(10);
        if n == 0 {
            break;
        }
    }
    // ASCII digits: always UTF-8.
    out.push_str(std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or_default());
}

/// Appends `n` laid out as Rust's `{}` writes an `f64` (shortest round-trip digits, never an
/// exponent: `1e21` → `1000000000000000000000`), without linking `core::fmt`'s float
/// formatting (~11 KB of wasm): the digits come from serde_json's shortest writer (`1e+21`,
/// `1.5e-7`), already linked, and are laid out here. When two digit strings of the same
/// shortest length both read back as `n` (a tie, e.g. `-1626895530728369.2` and `…369.3`),
/// serde_json's writer and `{}` may pick different ones: the number sent is the same `f64`.
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
        Some((m, e)) => (
            m,
            crate::core::decimal::parse_i64(e.trim_start_matches('+')).unwrap_or(0),
        ),
        None => (text.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The value is 0.DIGITS × 10^point.
    let mut all = String::with_capacity(int.len().saturating_add(frac.len()));
    all.push_str(int);
    all.push_str(frac);
    let mut point = i64::try_from(int.len()).unwrap_or(0).saturating_add(exp);
    let digits = all.trim_end_matches('0');
    let lead = digits
        .len()
        .saturating_sub(digits.trim_start_matches('0').len());
    let digits = digits.get(lead..).unwrap_or_default();
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
        out.push_str(digits);
    } else if point >= len {
        out.push_str(digits);
        out.push_str(&zeros(point.saturating_sub(len)));
    } else {
        // 0 < point < len over ASCII digits: both halves exist (no `split_at`, which panics).
        let at = usize::try_from(point).unwrap_or(0);
        out.push_str(digits.get(..at).unwrap_or_default());
        out.push('.');
        out.push_str(digits.get(at..).unwrap_or_default());
    }
}

fn head(out: &mut String, file_id: u64, channel: &ChannelPublicId, user_type: UserType) {
    out.push_str("{\"file_id\":");
    push_uint(out, file_id);
    out.push_str(",\"channel_public_id\":");
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

/// The ids of a batch's users as sent, in order: one text and where each id ends, not a
/// `String` each (an add batch holds 2,000).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdList {
    text: String,
    ends: Vec<usize>,
}

impl IdList {
    /// An empty list with room for `ids` ids of `bytes` bytes in all.
    pub fn with_capacity(ids: usize, bytes: usize) -> IdList {
        IdList {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(ids),
        }
    }

    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    /// Drops the last id.
    fn pop(&mut self) {
        self.ends.pop();
        self.text.truncate(self.ends.last().copied().unwrap_or(0));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Id `i`.
    fn get(&self, i: usize) -> &str {
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or_default()
    }

    /// The ids, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|i| self.get(i))
    }

    /// The ids as owned strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

impl<S: AsRef<str>> FromIterator<S> for IdList {
    fn from_iter<I: IntoIterator<Item = S>>(ids: I) -> Self {
        let mut list = IdList::default();
        for id in ids {
            list.push(id.as_ref());
        }
        list
    }
}

/// Shown as the list of ids it holds.
impl std::fmt::Debug for IdList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Equal to a list of the same ids, in the same order.
impl<S: AsRef<str>> PartialEq<[S]> for IdList {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for IdList {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == **other
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for IdList {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

/// `POST update/target_users` for one batch (≤ 2,000 users), its body written user by user as
/// each passes the rules: no user is kept in between.
pub struct AddBatch {
    body: String,
    user_type: UserType,
    ids: IdList,
}

impl AddBatch {
    /// An empty batch; `capacity`: how many users are expected.
    pub fn new(
        file_id: u64,
        channel: &ChannelPublicId,
        user_type: UserType,
        capacity: usize,
    ) -> AddBatch {
        // A user is about 70 bytes of body (`{"id":"5000000000","field":{"생년월일":
        // "1990-01-31","연령":20}}`, Korean keys 3 bytes a syllable): room for 96 each, so a
        // batch of plain users never grows its body.
        let mut body = String::with_capacity(capacity.saturating_mul(96).saturating_add(96));
        head(&mut body, file_id, channel, user_type);
        body.push_str(",\"users\":[");
        AddBatch {
            body,
            user_type,
            ids: IdList::with_capacity(capacity, capacity.saturating_mul(16)),
        }
    }

    /// Checks user `i` with `checker` (exactly [`UserChecker::check`]'s rules) and appends it;
    /// on an error the batch is as it was.
    pub fn push(
        &mut self,
        checker: &mut UserChecker,
        i: usize,
        user: &RawUser,
    ) -> Result<(), UserError> {
        let key = checker.claim(i, user)?;
        let start = self.body.len();
        let body = &mut self.body;
        if !self.ids.is_empty() {
            body.push(',');
        }
        body.push_str("{\"id\":\"");
        let id_start = body.len();
        match (self.user_type, &user.id) {
            // A phone is sent as given (its characters need no escaping: digits, '+', ' ',
            // '-'); an app id in its decimal form (`7`, `"7"` and `7n` alike). A string or
            // bigint app id that passed `claim` is that form already (digits, no sign, no
            // leading zero): copied, not rewritten from its number.
            (UserType::Phone, RawId::Text(s))
            | (UserType::App, RawId::Text(s) | RawId::BigInt(s)) => body.push_str(s),
            _ => push_uint(body, key),
        }
        self.ids.push(body.get(id_start..).unwrap_or_default());
        body.push_str("\",\"field\":{");
        let mut first = true;
        // Each key written whole from its JSON text (made once per field name), with the
        // comma and, for a string that needs no escaping, the value's opening quote.
        let checked = checker.fields(i, user, &mut |_, key, v| {
            let plain = matches!(v, RawValue::Text(s) if !needs_escape(s));
            body.push_str(key.before(first, plain));
            match v {
                RawValue::Text(s) if plain => {
                    body.push_str(s);
                    body.push('"');
                }
                RawValue::Text(s) => push_json_str(body, s),
                RawValue::Number(n) => push_json_number(body, *n),
                // `fields` passes only strings and finite numbers.
                RawValue::Other(_) => body.push_str("null"),
            }
            first = false;
        });
        if let Err(e) = checked {
            self.body.truncate(start);
            self.ids.pop();
            return Err(e);
        }
        self.body.push_str("}}");
        Ok(())
    }

    /// How many users the batch holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The request, and the ids of its users as sent, in order.
    pub fn finish(mut self) -> (HttpRequest, IdList) {
        self.body.push_str("]}");
        (post(ADD_PATH, self.body, Idempotency::Repeatable), self.ids)
    }
}

/// A field's key and its colon, after a comma unless it is the `first`.
fn push_key(body: &mut String, first: &mut bool, key: &Key) {
    if !*first {
        body.push(',');
    }
    *first = false;
    push_json_str(body, key.as_str());
    body.push(':');
}

/// [`AddBatch`]'s request for users already checked ([`UserChecker::check`]): the fuzz tests'
/// oracle for the body [`AddBatch`] writes as it reads (the package itself never calls it).
pub fn add_request(
    file_id: u64,
    channel: &ChannelPublicId,
    user_type: UserType,
    users: &[User],
) -> HttpRequest {
    let mut body = String::with_capacity(users.len().saturating_mul(64).saturating_add(96));
    head(&mut body, file_id, channel, user_type);
    body.push_str(",\"users\":[");
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str("{\"id\":");
        push_json_str(&mut body, &u.id);
        body.push_str(",\"field\":{");
        let mut first = true;
        for (k, v) in &u.fields {
            push_key(&mut body, &mut first, k);
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
        let users = [
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
        ];
        let mut checker = UserChecker::new(UserType::App, None, 2);
        let mut batch = AddBatch::new(437, &ch(), UserType::App, 2);
        for (i, u) in users.iter().enumerate() {
            batch.push(&mut checker, i, u).unwrap();
        }
        assert_eq!(batch.len(), 2);
        let (r, ids) = batch.finish();
        assert_eq!(ids, ["12345", "9223372036854775807"]);
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
    fn keys_past_the_name_cache_and_keys_that_need_escaping_are_written_as_the_oracle_writes_them()
    {
        // 40 custom names (the checker caches 32 keys' JSON text; the rest is made per user),
        // one with a quote and a backslash; each user's first field written without a comma.
        let names: Vec<&'static str> = (0..40)
            .map(|n| &*Box::leak(format!("k\"{n}\\").into_boxed_str()))
            .collect();
        let users: Vec<RawUser<'static>> = (0..40u32)
            .map(|n| {
                user(
                    RawId::Number(f64::from(n + 1)),
                    &[
                        (names[n as usize], RawValue::Number(f64::from(n))),
                        ("gender", RawValue::Text("x\"y".into())),
                        ("age", RawValue::Number(0.5)),
                    ],
                )
            })
            .collect();
        let mut checker = UserChecker::new(UserType::App, None, users.len());
        let mut batch = AddBatch::new(1, &ch(), UserType::App, users.len());
        for (i, u) in users.iter().enumerate() {
            batch.push(&mut checker, i, u).unwrap();
        }
        let checked = check_users(&users, UserType::App, None).unwrap();
        let oracle = add_request(1, &ch(), UserType::App, &checked);
        let (r, _) = batch.finish();
        assert_eq!(r.body, oracle.body);
        assert!(r
            .body
            .as_deref()
            .unwrap()
            .contains(r#"{"id":"40","field":{"k\"39\\":39,"성별":"x\"y","연령":0.5}}"#));
    }

    #[test]
    fn an_id_list_holds_its_ids_in_one_text() {
        let mut ids = IdList::with_capacity(2, 8);
        assert!(ids.is_empty());
        ids.push("12345");
        ids.push("");
        ids.push("+82 10");
        assert_eq!(ids.len(), 3);
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["12345", "", "+82 10"]);
        ids.pop();
        assert_eq!(ids, ["12345", ""]);
        ids.push("7");
        assert_eq!(ids, vec!["12345".to_owned(), String::new(), "7".to_owned()]);
        assert_eq!(format!("{ids:?}"), r#"["12345", "", "7"]"#);
        let collected: IdList = ["a", "bc"].iter().collect();
        assert_eq!(collected.to_strings(), ["a", "bc"]);
        assert_ne!(collected, ["a", "b"]);
        assert_ne!(collected, ["a"]);
    }

    #[test]
    fn a_refused_user_leaves_the_batch_as_it_was() {
        let mut checker = UserChecker::new(UserType::Phone, None, 3);
        let mut batch = AddBatch::new(1, &ch(), UserType::Phone, 3);
        let phone =
            |s: &'static str, v: RawValue<'static>| user(RawId::Text(s.into()), &[("age", v)]);
        batch
            .push(
                &mut checker,
                0,
                &phone("010-1234-5678", RawValue::Number(-3.0)),
            )
            .unwrap();
        let e = batch
            .push(
                &mut checker,
                1,
                &phone("+82 10 9999 0000", RawValue::Number(f64::NAN)),
            )
            .unwrap_err();
        assert_eq!((e.index, e.error.rule), (1, "fields.value_type"));
        let e = batch
            .push(
                &mut checker,
                2,
                &phone("01012345678", RawValue::Number(1.0)),
            )
            .unwrap_err();
        assert_eq!(
            (e.duplicate_of, e.error.rule),
            (Some(0), "users.duplicate_id")
        );
        batch
            .push(
                &mut checker,
                3,
                &phone("+1 555 000 1234", RawValue::Number(1e21)),
            )
            .unwrap();
        let (r, ids) = batch.finish();
        assert_eq!(ids, ["010-1234-5678", "+1 555 000 1234"]);
        assert_eq!(
            r.body.as_deref(),
            Some(concat!(
                r#"{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"phone","users":["#,
                r#"{"id":"010-1234-5678","field":{"연령":-3}},"#,
                r#"{"id":"+1 555 000 1234","field":{"연령":1000000000000000000000}}]}"#
            ))
        );
    }

    #[test]
    fn whole_numbers_are_written_as_display_writes_them() {
        for n in [
            0u64,
            7,
            10,
            19,
            4_294_967_296,
            9_007_199_254_740_991,
            u64::MAX,
        ] {
            let mut out = String::from("x");
            push_uint(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
        // As JSON.stringify writes them.
        for (n, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (-1.0, "-1"),
            (9_007_199_254_740_991.0, "9007199254740991"),
            (-9_007_199_254_740_991.0, "-9007199254740991"),
            (0.5, "0.5"),
        ] {
            let mut out = String::new();
            push_json_number(&mut out, n);
            assert_eq!(out, text, "{n}");
        }
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

    #[test]
    fn a_tie_between_two_shortest_digit_strings_reads_back_as_the_same_number() {
        // `{}` writes -1626895530728369.2; serde_json's writer may end it in 3: both are
        // this f64 (found by the property test below).
        let n = f64::from_bits(14_057_738_419_518_860_997);
        let ours = plain(n);
        assert!(ours.starts_with("-1626895530728369."), "{ours}");
        assert_eq!(ours.parse::<f64>().map(f64::to_bits), Ok(n.to_bits()));
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
                let (ours, display) = (plain(n), format!("{n}"));
                if n.is_nan() {
                    prop_assert_eq!(ours, display);
                } else {
                    // The same layout and number of digits as `{}`, reading back as the
                    // same f64 (a tie between two shortest digit strings may end
                    // differently).
                    prop_assert_eq!(ours.len(), display.len(), "{} vs {}", ours, display);
                    prop_assert_eq!(ours.find('.'), display.find('.'));
                    let back: f64 = ours.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
                    prop_assert_eq!(back.to_bits(), n.to_bits(), "{} vs {}", ours, display);
                }
            }

            #[test]
            fn f64_decimals_written_as_rust_display_writes_them(m in -1_000_000_000i64..1_000_000_000, e in -30i32..30) {
                let n = (m as f64) * 10f64.powi(e);
                prop_assert_eq!(plain(n), format!("{n}"));
            }
        }
    }
}
