//! wasm-bindgen tests of the edge's contract, run under Node by wasm-bindgen-test-runner:
//! arguments packed by pack.js's real `pack` go in, a `WasmResult` (result JSON, `$metadata`
//! JSON) or a `WasmFailure` (error record JSON, abort reason) comes out.

use super::client::WasmClient;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(module = "/pkg-template/pack.js")]
extern "C" {
    /// `{ text, handles, chunks }`.
    fn pack(values: &Array, users_key: Option<String>, keep_key: Option<String>) -> JsValue;
}

// pack.js imports pack-kinds.js: declared here too so that wasm-bindgen copies it next to
// pack.js among the snippets (a snippet's own imports are not followed).
#[wasm_bindgen(module = "/pkg-template/pack-kinds.js")]
extern "C" {
    #[wasm_bindgen(js_name = wellFormed)]
    fn well_formed(s: &str) -> bool;
}

fn js(src: &str) -> JsValue {
    Function::new_no_args(&format!("return ({src});"))
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

/// `values` (a JS array expression) packed: (text, handles, chunks).
fn packed(values: &str) -> (String, Array, Option<Array>) {
    let p = pack(
        &js(values).unchecked_into(),
        Some("users".into()),
        Some("logger".into()),
    );
    let chunks = get(&p, "chunks");
    (
        get(&p, "text").as_string().unwrap(),
        get(&p, "handles").unchecked_into(),
        (!chunks.is_undefined()).then(|| chunks.unchecked_into()),
    )
}

fn client(options: &str) -> WasmClient {
    let (text, handles, _) = packed(&format!("[{options}]"));
    WasmClient::new(&text, handles, None, None)
        .map_err(|_| "constructor threw")
        .unwrap()
}

/// A named field of a JS object.
fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap()
}

/// The record of a thrown or rejected `WasmFailure { record, reason }`.
fn record(thrown: JsValue) -> serde_json::Value {
    let text = field(&thrown, "record").as_string().unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn call(
    c: &WasmClient,
    method: &str,
    args: &str,
) -> Result<serde_json::Value, serde_json::Value> {
    let (text, handles, chunks) = packed(args);
    let p: Promise = c.call(method.into(), text, handles, chunks);
    match JsFuture::from(p).await {
        Ok(outcome) => {
            // `WasmResult { json, meta }`: the result's JSON, its `$metadata` JSON.
            let meta: serde_json::Value =
                serde_json::from_str(&field(&outcome, "meta").as_string().unwrap()).unwrap();
            assert!(meta["attempts"].as_u64().unwrap() >= 1, "{meta}");
            Ok(serde_json::from_str(&field(&outcome, "json").as_string().unwrap()).unwrap())
        }
        Err(thrown) => Err(record(thrown)),
    }
}

/// A fetch that records its calls on `globalThis.__calls` and answers `status`/`body`.
fn fake_fetch(status: u16, body: &str) -> String {
    format!(
        "(() => {{ globalThis.__calls = []; return async (url, init) => {{ globalThis.__calls.push({{ url, init }}); \
         return new Response({body:?}, {{ status: {status} }}); }}; }})()"
    )
}

#[wasm_bindgen_test]
fn pack_kinds_is_loaded_beside_pack() {
    // Text from Rust is always well-formed; a lone surrogate reaches pack only from JS, and
    // pack-kinds.js's wellFormed makes it a `!surrogate` token.
    assert!(well_formed("한글 and ASCII"));
    let (text, _, _) = packed(r#"["a\uD800b"]"#);
    assert_eq!(text, "1\0!surrogate 1 D800 3");
}

#[wasm_bindgen_test]
fn constructor_throws_records_naming_field_and_rule() {
    for (options, field, rule) in [
        ("{ adminKey: 'a\\r\\nX: y' }", "adminKey", "secret.format"),
        (
            "{ baseUrl: 'https://u:p@kapi.kakao.com' }",
            "baseUrl",
            "base_url.credentials",
        ),
        ("{ timeoutMs: -1 }", "timeoutMs", "options.timeout_ms"),
        ("{ maxRetries: 1.5 }", "maxRetries", "options.max_retries"),
        ("{ fetch: 'nope' }", "fetch", "fetch.type"),
        ("{ apiKey: 'x' }", "apiKey", "params.unknown_key"),
        ("{ concurrency: 17 }", "concurrency", "options.concurrency"),
        ("{ logLevel: 'loud' }", "logLevel", "options.log_level"),
        ("new Date()", "options", "params.type"),
    ] {
        let (text, handles, _) = packed(&format!("[{options}]"));
        let thrown = WasmClient::new(&text, handles, None, None).err().unwrap();
        let r = record(thrown);
        assert_eq!(r["name"], "ValidationError", "{options}");
        assert_eq!(r["props"]["field"], field, "{options}");
        assert_eq!(r["props"]["rule"], rule, "{options}");
        assert!(!r["message"].as_str().unwrap().contains("X: y"));
    }
}

#[wasm_bindgen_test]
async fn a_call_sends_the_exact_request_and_answers_json_with_epoch_dates() {
    let c = client(&format!(
        "{{ adminKey: 'admin-0001', baseUrl: 'http://127.0.0.1:9/', fetch: {} }}",
        fake_fetch(
            200,
            r#"{"user_id":9223372036854775807,"channels":[{"channel_uuid":"@a","channel_public_id":"_a","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2021-05-17T05:25:01Z"}]}"#
        )
    ));
    let out = call(
        &c,
        "checkChannelRelationship",
        "[{ channelIds: ['_a'], userId: 9223372036854775807n }]",
    )
    .await
    .unwrap();
    assert_eq!(out["userId"], "9223372036854775807");
    assert_eq!(out["channels"][0]["relation"], "ADDED");
    assert_eq!(out["channels"][0]["createdAt"], 1_587_179_825_000_i64);
    let sent = get(&js("globalThis.__calls"), "0");
    assert_eq!(
        get(&sent, "url").as_string().unwrap(),
        "http://127.0.0.1:9/v2/api/talk/channels?target_id_type=user_id&target_id=9223372036854775807&channel_ids=_a"
    );
    let init = get(&sent, "init");
    assert_eq!(get(&init, "method").as_string().unwrap(), "GET");
    assert_eq!(get(&init, "redirect").as_string().unwrap(), "manual");
    assert_eq!(
        get(&get(&init, "headers"), "Authorization")
            .as_string()
            .unwrap(),
        "KakaoAK admin-0001"
    );
}

#[wasm_bindgen_test]
async fn failures_come_back_as_records_and_the_module_stays_usable() {
    let c = client("{ adminKey: 'admin-0001' }");
    let r = call(
        &c,
        "checkChannelRelationship",
        "[{ channelIds: ['bad id'], userId: 1 }]",
    )
    .await
    .unwrap_err();
    assert_eq!(
        (r["props"]["field"].as_str(), r["props"]["rule"].as_str()),
        (Some("channelIds[0]"), Some("channel_id.format"))
    );
    let c = client(&format!(
        "{{ adminKey: 'admin-0001', maxRetries: 0, fetch: {} }}",
        fake_fetch(
            400,
            r#"{"msg":"not a talk user","code":-501,"name":"x","message":"y"}"#
        )
    ));
    let r = call(
        &c,
        "checkChannelRelationship",
        "[{ channelIds: ['_a'], userId: 5 }]",
    )
    .await
    .unwrap_err();
    assert_eq!(r["name"], "KakaoApiError");
    assert!(r["message"].as_str().unwrap().contains("not a talk user"));
    assert_eq!(r["props"]["kind"], "NotTalkUser");
    assert_eq!(r["props"]["details"]["name"], "x");
    assert_eq!(r["props"]["endpoint"], "GET /v2/api/talk/channels");
    assert_eq!(r["props"]["attempts"], 1);
    let c = client(&format!(
        "{{ adminKey: 'admin-0001', fetch: {} }}",
        fake_fetch(200, r#"{"user_id":1,"channels":[]}"#)
    ));
    let out = call(
        &c,
        "checkChannelRelationship",
        "[{ channelIds: ['_a'], userId: '1' }]",
    )
    .await
    .unwrap();
    assert_eq!(out["userId"], "1");
}

#[wasm_bindgen_test]
async fn a_timeout_is_a_record_with_its_limit() {
    let c = client("{ adminKey: 'admin-0001', maxRetries: 0, timeoutMs: 20, fetch: () => new Promise(() => {}) }");
    let r = call(
        &c,
        "checkChannelRelationship",
        "[{ channelIds: ['_a'], userId: 5 }]",
    )
    .await
    .unwrap_err();
    assert_eq!(r["name"], "TimeoutError");
    assert_eq!(r["props"]["timeoutMs"], 20);
}
