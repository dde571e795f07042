//! Property tests and fuzzing of every parser and validator in the pure core.
//!
//! `cargo test` runs a short, fixed-seed pass (`PROPTEST_CASES`, default 256 per target).
//! `FUZZ_SECONDS=60 cargo test --release --test fuzz -- --nocapture` keeps each target running
//! with fresh seeds for that many seconds and prints how many cases it ran (`npm run fuzz`).
#![cfg(not(target_arch = "wasm32"))]

use kakao_talk_channel::api::customer_files::{
    self as cf, check_ids, check_users, validate_users, RawId, RawUser, RawValue, UserType,
};
use kakao_talk_channel::api::relationship;
use kakao_talk_channel::core::decimal::parse_f64;
use kakao_talk_channel::core::error::{bounded, redact, snippet, ApiError};
use kakao_talk_channel::core::ids::{channel_ids, phone_key, ChannelPublicId, UserId};
use kakao_talk_channel::core::request::{encode_component, normalize_base_url};
use kakao_talk_channel::core::retry;
use kakao_talk_channel::core::schema::Schema;
use kakao_talk_channel::core::time::{parse_http_date, parse_kakao_datetime, parse_rfc3339};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::time::{Duration, Instant};

/// Runs `test` over `strategy`: a fixed-seed bounded pass, or fresh seeds until FUZZ_SECONDS.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let deadline = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .map(|s| Instant::now() + Duration::from_secs_f64(s));
    let mut seed = [7u8; 32];
    let mut total: u64 = 0;
    loop {
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("fuzz target {name} failed (seed {seed:?}): {e}");
        }
        total += u64::from(cases);
        match deadline {
            Some(d) if Instant::now() < d => {
                // Next seed: a simple counter over the first 8 bytes.
                let n = u64::from_le_bytes(seed[..8].try_into().unwrap()).wrapping_add(1);
                seed[..8].copy_from_slice(&n.to_le_bytes());
            }
            _ => break,
        }
    }
    println!("fuzz {name}: {total} cases, no failure");
}

/// Strings biased towards what the parsers see: digits, separators, unicode, controls.
fn messy_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9T:Z+\\-. ]{0,40}",
        "[0-9a-zA-Z_,&= \\r\\n\\t\\x00가-힣+\\-]{0,30}",
        proptest::collection::vec(any::<u8>(), 0..60)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// A valid date-time's parts: year, month, day, hour, minute, second, millis, offset minutes.
fn date_parts() -> impl Strategy<Value = (i64, i64, i64, i64, i64, i64, i64, i64)> {
    (
        0i64..=9999,
        1i64..=12,
        1i64..=31,
        0i64..=23,
        0i64..=59,
        0i64..=59,
        0i64..=999,
        -1439i64..=1439,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize]
}

#[test]
fn fuzz_rfc3339_never_panics_and_agrees_with_itself() {
    fuzz("rfc3339 arbitrary", messy_string(), |s| {
        if let Some(ms) = parse_rfc3339(&s) {
            // Anything accepted lies within years 0000..=9999 (± a day of offset).
            prop_assert!(
                (-62_167_305_600_000..=253_402_387_200_000).contains(&ms),
                "{s:?} → {ms}"
            );
        }
        let _ = parse_kakao_datetime(&s);
        let _ = parse_http_date(&s, 0);
        let _ = parse_http_date(&s, i64::MAX);
        Ok(())
    });
    fuzz(
        "rfc3339 valid",
        date_parts(),
        |(y, mo, d, h, mi, s, ms, off)| {
            let valid_day = d <= days_in_month(y, mo);
            let (sign, abs) = if off < 0 { ('-', -off) } else { ('+', off) };
            let text = format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}{sign}{:02}:{:02}",
                abs / 60,
                abs % 60
            );
            let zulu = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z");
            let parsed = parse_rfc3339(&text);
            prop_assert_eq!(parsed.is_some(), valid_day, "{}", text);
            if let (Some(p), Some(z)) = (parsed, parse_rfc3339(&zulu)) {
                // The offset is exactly the difference from the same wall-clock time in UTC.
                prop_assert_eq!(z - p, off * 60_000, "{}", text);
                prop_assert_eq!(z.rem_euclid(1000), ms, "{}", zulu);
                // Kakao's KST form is the same instant as +09:00.
                let kst = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
                let as_rfc = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+09:00");
                prop_assert_eq!(parse_kakao_datetime(&kst), parse_rfc3339(&as_rfc));
            }
            // The three HTTP-date forms of RFC 9110 name the same instant as RFC3339 UTC.
            let utc = parse_rfc3339(&format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"));
            let mon = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][(mo - 1) as usize];
            let imf = format!("Tue, {d:02} {mon} {y:04} {h:02}:{mi:02}:{s:02} GMT");
            let asctime = format!("Tue {mon} {d:>2} {h:02}:{mi:02}:{s:02} {y:04}");
            let rfc850 = format!(
                "Tuesday, {d:02}-{mon}-{:02} {h:02}:{mi:02}:{s:02} GMT",
                y % 100
            );
            prop_assert_eq!(parse_http_date(&imf, 0), utc, "{}", imf);
            prop_assert_eq!(parse_http_date(&asctime, 0), utc, "{}", asctime);
            // Read "now" (its own instant), a two-digit year is the year itself.
            if let Some(now) = utc {
                prop_assert_eq!(parse_http_date(&rfc850, now), utc, "{}", rfc850);
            }
            Ok(())
        },
    );
}

/// `parse_f64` and `str::parse::<f64>` agree: same accepted texts, same bits (any NaN alike).
fn same_f64(s: &str) -> Result<(), TestCaseError> {
    match (s.parse::<f64>().ok(), parse_f64(s)) {
        (Some(w), Some(g)) if w.is_nan() => prop_assert!(g.is_nan(), "{s:?}: {g}"),
        (Some(w), Some(g)) => prop_assert_eq!(w.to_bits(), g.to_bits(), "{:?}: {} vs {}", s, w, g),
        (w, g) => prop_assert_eq!(w.is_some(), g.is_some(), "{:?}: {:?} vs {:?}", s, w, g),
    }
    Ok(())
}

#[test]
fn fuzz_decimal_agrees_with_str_parse() {
    fuzz("decimal arbitrary", messy_string(), |s| same_f64(&s));
    fuzz(
        "decimal numeric",
        "[+-]?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][+-]?[0-9]{1,4})?",
        |s| same_f64(&s),
    );
    fuzz("decimal every double", any::<u64>(), |bits| {
        let n = f64::from_bits(bits);
        same_f64(&n.to_string())?;
        same_f64(&format!("{n:e}"))?;
        same_f64(&format!("{n:.40e}"))
    });
}

#[test]
fn fuzz_ids() {
    fuzz("user id decimal", messy_string(), |s| {
        if let Ok(id) = UserId::from_decimal(&s, "u") {
            prop_assert!(id.get() > 0);
            prop_assert_eq!(id.to_string(), s);
        }
        Ok(())
    });
    fuzz("user id round trip", 1i64..=i64::MAX, |n| {
        prop_assert_eq!(
            UserId::from_decimal(&n.to_string(), "u").map(UserId::get),
            Ok(n)
        );
        Ok(())
    });
    fuzz("user id number", any::<f64>(), |n| {
        if let Ok(id) = UserId::from_f64(n, "u") {
            prop_assert_eq!(id.get() as f64, n);
            prop_assert!(n <= 9_007_199_254_740_991.0);
        }
        Ok(())
    });
    fuzz("channel id", messy_string(), |s| {
        if let Ok(c) = ChannelPublicId::parse(&s, "c") {
            prop_assert!(!c.as_str().is_empty());
            prop_assert!(!c.as_str().chars().any(|ch| ch == ','
                || ch == '&'
                || ch == '='
                || ch.is_whitespace()
                || ch.is_control()));
        }
        let _ = channel_ids(&[s.as_str(), "_ok"], "channelIds");
        Ok(())
    });
    fuzz("phone id", messy_string(), |s| {
        if let Ok(key) = phone_key(&s, "p") {
            let digits = key.trim_start_matches('+').len();
            prop_assert!((9..=15).contains(&digits), "{:?} → {:?}", s, key);
            prop_assert!(key
                .trim_start_matches('+')
                .bytes()
                .all(|b| b.is_ascii_digit()));
        }
        Ok(())
    });
}

fn schema_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("생년월일".to_owned()),
        Just("최근 구매일".to_owned()),
        Just("age".to_owned()),
        Just("purchase_amount".to_owned()),
        Just("purchaseAmount".to_owned()),
        Just("앱유저아이디".to_owned()),
        Just("전화번호".to_owned()),
        "[a-z]{1,6}",
        messy_string(),
    ]
}

fn schema_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("string".to_owned()),
        Just("number".to_owned()),
        messy_string()
    ]
}

#[test]
fn fuzz_schema() {
    let pairs = proptest::collection::vec((schema_key(), schema_type()), 0..34);
    fuzz("schema", pairs, |pairs| {
        let parsed = Schema::parse(
            pairs.iter().map(|(k, t)| (k.as_str(), t.as_str())),
            "schema",
        );
        if let Ok(schema) = parsed {
            let n = schema.entries().len();
            prop_assert!((1..=30).contains(&n));
            let mut json = String::new();
            schema.to_json(&mut json);
            let value: serde_json::Value = serde_json::from_str(&json)
                .map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
            let obj = value
                .as_object()
                .ok_or_else(|| TestCaseError::fail("not an object"))?;
            prop_assert_eq!(obj.len(), n, "duplicate keys in {}", json);
            prop_assert!(!obj.contains_key("앱유저아이디") && !obj.contains_key("전화번호"));
        } else {
            let e = parsed.unwrap_err();
            prop_assert!(e.rule.starts_with("schema."), "{}", e.rule);
        }
        Ok(())
    });
}

fn raw_id() -> impl Strategy<Value = RawId<'static>> {
    prop_oneof![
        any::<f64>().prop_map(RawId::Number),
        (1u32..50).prop_map(|n| RawId::Number(f64::from(n))),
        messy_string().prop_map(|s| RawId::Text(s.into())),
        "0[0-9 -]{8,16}".prop_map(|s| RawId::Text(s.into())),
        (1i64..=i64::MAX).prop_map(|n| RawId::BigInt(n.to_string().into())),
        Just(RawId::Other("a boolean")),
    ]
}

fn raw_value() -> impl Strategy<Value = RawValue<'static>> {
    prop_oneof![
        any::<f64>().prop_map(RawValue::Number),
        messy_string().prop_map(|s| RawValue::Text(s.into())),
        Just(RawValue::Other("null")),
    ]
}

/// Up to 8 users of random ids and fields, a user type, with or without a schema.
fn users_case() -> impl Strategy<Value = UsersCase> {
    let users = proptest::collection::vec(
        (
            raw_id(),
            proptest::option::of(proptest::collection::vec((schema_key(), raw_value()), 0..4)),
        ),
        0..8,
    );
    let with_schema = prop_oneof![
        Just(None),
        Just(Some(vec![("age", "number"), ("성별", "string")]))
    ];
    (users, any::<bool>(), with_schema).prop_map(|(users, phone, schema)| UsersCase {
        users,
        phone,
        schema,
    })
}

type RawFields = Vec<(String, RawValue<'static>)>;

#[derive(Debug, Clone)]
struct UsersCase {
    users: Vec<(RawId<'static>, Option<RawFields>)>,
    phone: bool,
    schema: Option<Vec<(&'static str, &'static str)>>,
}

impl UsersCase {
    fn into_parts(self) -> (Vec<RawUser<'static>>, UserType, Option<Schema>) {
        let users = self
            .users
            .into_iter()
            .map(|(id, fields)| RawUser {
                id,
                fields: fields.map(|f| f.into_iter().map(|(k, v)| (k.into(), v)).collect()),
            })
            .collect();
        let ty = if self.phone {
            UserType::Phone
        } else {
            UserType::App
        };
        let schema = self.schema.map(|p| Schema::parse(p, "schema").unwrap());
        (users, ty, schema)
    }
}

#[test]
fn fuzz_users_and_bodies() {
    fuzz("users", users_case(), |case| {
        let (users, ty, schema) = case.into_parts();
        // Validating all users agrees with the first-error check: same first error, and
        // no errors exactly when the (non-empty) list passes.
        let all = validate_users(&users, ty, schema.as_ref());
        match (check_users(&users, ty, schema.as_ref()), all.first()) {
            (Ok(_), None) => {}
            (Err(e), Some(first)) => prop_assert_eq!(&e, &first.error),
            (Err(e), None) => prop_assert_eq!(e.rule, "users.empty"),
            (Ok(_), Some(first)) => {
                return Err(TestCaseError::fail(format!(
                    "{first:?} but check_users passed"
                )))
            }
        }
        prop_assert!(all.windows(2).all(|w| w[0].index < w[1].index));
        match check_users(&users, ty, schema.as_ref()) {
            Ok(valid) => {
                let channel = ChannelPublicId::parse("_ZeUTxl", "c").unwrap();
                let req = cf::add_request(437, &channel, ty, &valid);
                let body = req.body.unwrap_or_default();
                let v: serde_json::Value = serde_json::from_str(&body)
                    .map_err(|e| TestCaseError::fail(format!("{body}: {e}")))?;
                prop_assert_eq!(v["users"].as_array().map(Vec::len), Some(users.len()));
                let ids: Vec<String> = valid.iter().map(|u| u.id.clone()).collect();
                let del = cf::delete_request(437, &channel, ty, &ids)
                    .body
                    .unwrap_or_default();
                prop_assert!(serde_json::from_str::<serde_json::Value>(&del).is_ok());
            }
            Err(e) => prop_assert!(e.field.starts_with("users"), "{}", e.field),
        }
        let ids: Vec<RawId> = users.iter().map(|u| u.id.clone()).collect();
        let _ = check_ids(&ids, ty, "userIds");
        Ok(())
    });
}

/// JSON values shaped like Kakao's answers, with random types in every slot.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        messy_string().prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("2020-04-18T03:17:05Z")),
        Just(serde_json::Value::from("2019-02-03 13:22:33")),
        Just(serde_json::Value::from(
            "{\"birthday\":\"string\",\"age\":\"number\"}"
        )),
        Just(serde_json::Value::from("USING")),
    ];
    let keys = prop_oneof![
        Just("user_id"),
        Just("channels"),
        Just("channel_uuid"),
        Just("channel_public_id"),
        Just("relation"),
        Just("created_at"),
        Just("updated_at"),
        Just("results"),
        Just("file_id"),
        Just("file_name"),
        Just("status"),
        Just("update_at"),
        Just("schema"),
        Just("empty_slot"),
        Just("using_slot"),
        Just("request_count"),
        Just("success_count"),
        Just("msg"),
        Just("code"),
        Just("required_scopes"),
        Just("event"),
        Just("id"),
        Just("id_type"),
        Just("plus_friend_public_id"),
        Just("plus_friend_uuid"),
        Just("x"),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..8).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

#[test]
fn fuzz_response_bodies_of_all_six_endpoints_and_errors() {
    let body = prop_oneof![json_value().prop_map(|v| v.to_string()), messy_string()];
    fuzz("response bodies", (body, 100u16..600), |(body, status)| {
        let _ = relationship::parse_check(&body, None);
        let asked: Vec<UserId> = (1..=3)
            .filter_map(|n| UserId::from_i64(n, "u").ok())
            .collect();
        if let Ok(user) = relationship::parse_check(&body, asked.first().copied()) {
            prop_assert_eq!(user.user_id, "1");
        }
        if let Ok(users) = relationship::parse_multi(&body, &asked) {
            prop_assert!(users.len() <= asked.len());
            let m = relationship::merge_multi(&asked, users);
            prop_assert!(m.is_ok());
        }
        if let Ok(id) = cf::parse_register(&body) {
            prop_assert!(id > 0);
        }
        let _ = cf::parse_view(&body);
        if let Ok((requested, succeeded)) = cf::parse_add(&body, 7, 437) {
            prop_assert_eq!(requested, 7);
            prop_assert!(succeeded <= requested);
        }
        let e = ApiError::from_response(status, &body);
        prop_assert_eq!(e.status, status);
        prop_assert!(e.code.is_some() || e.kind == "HttpStatus");
        if [429, 500, 502, 503, 504].contains(&status) {
            prop_assert!(e.retryable);
        }
        let _ = e.message();
        let _ = cf::fails_every_batch(&e);
        prop_assert!(!redact(&body, &["secret-key"]).contains("secret-key"));
        Ok(())
    });
}

/// A key spelled inside any text, each byte as itself or `%XX` (either hex case), is
/// redacted; so is its start where a cap cut the text. Never panics.
#[test]
fn fuzz_redact_spellings_and_cuts() {
    let key = "[A-Za-z0-9+/=!()*'~._-]{4,40}";
    let masks = proptest::collection::vec(0u8..3, 40);
    let strategy = (key, masks, messy_string(), messy_string(), 0usize..120);
    fuzz("redact", strategy, |(key, masks, before, after, cut)| {
        if "[REDACTED]".contains(key.as_str()) {
            return Ok(()); // the replacement itself would "contain" it
        }
        let spelled: String = key
            .bytes()
            .zip(masks.iter().cycle())
            .map(|(b, m)| match m {
                0 => char::from(b).to_string(),
                1 => format!("%{b:02X}"),
                _ => format!("%{b:02x}"),
            })
            .collect();
        let text = format!("{before}{spelled}{after}");
        let out = redact(&text, &[key.as_str()]);
        prop_assert!(!out.contains(&key), "{} in {}", key, out);
        prop_assert!(!out.contains(&spelled), "{} in {}", spelled, out);
        // Cut anywhere: no 4+ characters of the key's start stand right before the cut.
        let at = before.chars().count() + cut % (spelled.len() + 1);
        for cut_text in [bounded(text.clone(), at), snippet(&text)] {
            let out = redact(&cut_text, &[key.as_str()]);
            let kept = out.split("… (").next().unwrap_or("");
            let cut_here = cut_text.contains("… (") || cut_text.chars().count() == 200;
            if cut_here && !kept.ends_with("[REDACTED]") {
                for n in 4..=key.len() {
                    prop_assert!(!kept.ends_with(&key[..n]), "{} ends {}", kept, &key[..n]);
                }
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_webhook() {
    use kakao_talk_channel::api::webhook::{parse_event, verify_authorization};
    let body = prop_oneof![json_value().prop_map(|v| v.to_string()), messy_string()];
    fuzz("webhook bodies", body, |body| {
        if let Ok(e) = parse_event(&body, Some("r")) {
            // Whatever passed names a valid channel and a real instant.
            prop_assert!(ChannelPublicId::parse(&e.channel_public_id, "c").is_ok());
            prop_assert!(!e.event.is_empty() && !e.user_id.is_empty());
            prop_assert_eq!(e.resource_id.as_deref(), Some("r"));
        }
        Ok(())
    });
    let header = prop_oneof![
        messy_string(),
        messy_string().prop_map(|k| format!("KakaoAK {k}")),
    ];
    fuzz(
        "webhook authorization",
        (header, "[!-~]{1,40}"),
        |(header, key)| {
            let ok = verify_authorization(Some(&header), &key).is_ok();
            let expected = header
                .trim()
                .split_once(' ')
                .is_some_and(|(s, k)| s.eq_ignore_ascii_case("KakaoAK") && k.trim_start() == key);
            prop_assert_eq!(ok, expected);
            let right = format!("KakaoAK {}", key);
            prop_assert!(verify_authorization(Some(&right), &key).is_ok());
            Ok(())
        },
    );
}

#[test]
fn fuzz_requests_and_retry() {
    fuzz("query encoding", messy_string(), |s| {
        let mut out = String::new();
        encode_component(&s, &mut out);
        prop_assert!(
            out.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
            "{}",
            out
        );
        let _ = normalize_base_url(&s);
        Ok(())
    });
    fuzz(
        "retry",
        (any::<u32>(), messy_string(), any::<i64>(), any::<f64>()),
        |(attempt, header, now, random)| {
            let d = retry::delay_ms(attempt, Some(&header), now, random);
            prop_assert!(d <= 60_000);
            prop_assert!(retry::backoff_ms(attempt, random) <= 8_000);
            Ok(())
        },
    );
}

#[test]
fn fuzz_add_batch_agrees_with_check_users_and_validate_users() {
    fuzz("add batch", users_case(), |case| {
        let (users, ty, schema) = case.into_parts();
        let channel = ChannelPublicId::parse("_ZeUTxl", "c").unwrap();
        // Pushing every user refuses exactly the users validate_users reports, with the
        // same errors; when none is refused, the body is add_request's of check_users.
        let mut checker = cf::UserChecker::new(ty, schema.as_ref(), users.len());
        let mut batch = cf::AddBatch::new(437, &channel, ty, users.len());
        let errors: Vec<cf::UserError> = users
            .iter()
            .enumerate()
            .filter_map(|(i, u)| batch.push(&mut checker, i, u).err())
            .collect();
        prop_assert_eq!(&errors, &validate_users(&users, ty, schema.as_ref()));
        if let Ok(valid) = check_users(&users, ty, schema.as_ref()) {
            let (req, ids) = batch.finish();
            prop_assert_eq!(&req, &cf::add_request(437, &channel, ty, &valid));
            let want: Vec<String> = valid.into_iter().map(|u| u.id).collect();
            prop_assert_eq!(ids, want);
        }
        Ok(())
    });
}

/// The tokens of one packed value as pack.js writes them (NUL-joined by the caller): objects
/// with the keys of a user (and others), fields, scalars, flaws, values that are not data.
fn packed_value(depth: u32) -> BoxedStrategy<Vec<String>> {
    let leaf = prop_oneof![
        Just(vec!["u".to_owned()]),
        Just(vec!["z".to_owned()]),
        Just(vec!["t".to_owned()]),
        (0u32..100).prop_map(|n| vec![format!("n{n}")]),
        Just(vec!["n1.5".to_owned()]),
        Just(vec!["nNaN".to_owned()]),
        Just(vec!["n5000000000".to_owned()]),
        Just(vec!["s5000000001".to_owned()]),
        Just(vec!["s010-1234-5678".to_owned()]),
        Just(vec!["s서울".to_owned()]),
        Just(vec!["e\"a\\u0000b\"".to_owned()]),
        Just(vec!["b12".to_owned()]),
        Just(vec!["hf0".to_owned()]),
        Just(vec!["xa Date".to_owned()]),
        Just(vec!["!hole 5".to_owned()]),
        Just(vec!["!changed 2 3".to_owned()]),
        Just(vec!["!surrogate 1 D800 4".to_owned()]),
        Just(vec!["!surrogatekey \"\\ud800\"".to_owned()]),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let key = prop_oneof![
        Just("sid".to_owned()),
        Just("sfields".to_owned()),
        Just("sage".to_owned()),
        Just("s연령".to_owned()),
        Just("sname".to_owned()),
        Just("s".to_owned()),
        Just("e\"k\\u0000\"".to_owned()),
    ];
    let entries = proptest::collection::vec((key, packed_value(depth - 1)), 0..4).prop_map(|es| {
        let mut out = vec![format!("o{}", es.len())];
        for (k, v) in es {
            out.push(k);
            out.extend(v);
        }
        out
    });
    let items = proptest::collection::vec(packed_value(depth - 1), 0..3).prop_map(|xs| {
        let mut out = vec![format!("a{}", xs.len())];
        for x in xs {
            out.extend(x);
        }
        out
    });
    prop_oneof![2 => leaf, 3 => entries, 1 => items].boxed()
}

#[test]
fn fuzz_user_reader_agrees_with_the_value_tree() {
    use kakao_talk_channel::api::input;
    use kakao_talk_channel::api::packed::Tokens;
    use kakao_talk_channel::api::user_reader::{ReadError, UserReader};
    fuzz(
        "user reader",
        proptest::collection::vec(packed_value(3), 1..5),
        |users| {
            let text = users
                .iter()
                .map(|u| u.join("\0"))
                .collect::<Vec<_>>()
                .join("\0");
            // The reference: each user read whole as a value, then its flaws, then its shape.
            let mut tokens = Tokens::new(&text);
            let mut reader = UserReader::new(&text);
            for i in 0..users.len() {
                let want = tokens.value().map(|v| {
                    input::check_flaws(&v, &format!("users[{i}]"), "")
                        .and_then(|()| input::raw_user(&v, "users", i))
                });
                let got = reader.next_user(i).cloned();
                match (want, got) {
                    // Debug text: NaN equals itself there.
                    (Ok(Ok(w)), Ok(g)) => prop_assert_eq!(format!("{w:?}"), format!("{g:?}")),
                    (Ok(Err(w)), Err(ReadError::Invalid(g))) => prop_assert_eq!(w, g),
                    (Err(_), Err(ReadError::Pack(_))) => return Ok(()),
                    (w, g) => {
                        return Err(TestCaseError::fail(format!("{text:?}: {w:?} but {g:?}")))
                    }
                }
            }
            prop_assert_eq!(tokens.is_done(), reader.is_done());
            Ok(())
        },
    );
}
