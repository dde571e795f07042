//! wasm-bindgen tests of the edge, run under Node by wasm-bindgen-test-runner.

use super::client::TalkChannelClient;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn js(src: &str) -> JsValue {
    Function::new_no_args(&format!("return ({src});"))
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

fn s(v: &JsValue, k: &str) -> String {
    get(v, k)
        .as_string()
        .unwrap_or_else(|| panic!("{k} is not a string"))
}

/// A fetch that records its calls on `globalThis.__calls` and answers `status`/`body`.
fn fake_fetch(status: u16, body: &str) -> JsValue {
    js(&format!(
        "(() => {{ globalThis.__calls = []; return async (url, init) => {{ globalThis.__calls.push({{ url, init }}); \
         return new Response({body:?}, {{ status: {status} }}); }}; }})()"
    ))
}

fn client(options: &str) -> TalkChannelClient {
    let o: Object = js(options).unchecked_into();
    TalkChannelClient::new(Some(o))
        .map_err(|_| "constructor threw")
        .unwrap()
}

async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

#[wasm_bindgen_test]
fn constructor_rejects_bad_options_with_field_and_rule() {
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
    ] {
        let o: Object = js(options).unchecked_into();
        let err = TalkChannelClient::new(Some(o)).err().unwrap();
        assert_eq!(s(&err, "name"), "ValidationError", "{options}");
        assert_eq!(s(&err, "field"), field, "{options}");
        assert_eq!(s(&err, "rule"), rule, "{options}");
        assert!(!s(&err, "message").contains("X: y"));
    }
}

#[wasm_bindgen_test]
async fn relationship_call_sends_exact_request_and_returns_dates() {
    let fetch = fake_fetch(
        200,
        r#"{"user_id":9223372036854775807,"channels":[{"channel_uuid":"@a","channel_public_id":"_a","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2021-05-17T05:25:01Z"}]}"#,
    );
    let opts = Object::new();
    Reflect::set(&opts, &"adminKey".into(), &"admin-0001".into()).unwrap();
    Reflect::set(&opts, &"baseUrl".into(), &"http://127.0.0.1:9/".into()).unwrap();
    Reflect::set(&opts, &"fetch".into(), &fetch).unwrap();
    let c = TalkChannelClient::new(Some(opts))
        .map_err(|_| "ctor")
        .unwrap();
    let params = js("{ channelIds: ['_a'], userId: 9223372036854775807n }");
    let out = settle(c.check_channel_relationship(params, None))
        .await
        .unwrap();
    assert_eq!(s(&out, "userId"), "9223372036854775807");
    let ch = get(&get(&out, "channels"), "0");
    assert_eq!(s(&ch, "relation"), "ADDED");
    let created: js_sys::Date = get(&ch, "createdAt").dyn_into().unwrap();
    assert_eq!(created.get_time(), 1_587_179_825_000.0);
    let call = get(&get(&js("globalThis.__calls"), "0"), "init");
    assert_eq!(
        get(&get(&js("globalThis.__calls"), "0"), "url").as_string().unwrap(),
        "http://127.0.0.1:9/v2/api/talk/channels?target_id_type=user_id&target_id=9223372036854775807&channel_ids=_a"
    );
    assert_eq!(s(&call, "method"), "GET");
    assert_eq!(
        s(&get(&call, "headers"), "Authorization"),
        "KakaoAK admin-0001"
    );
}

#[wasm_bindgen_test]
async fn a_thrown_error_leaves_the_module_usable() {
    let c = client("{ adminKey: 'admin-0001' }");
    let err =
        settle(c.check_channel_relationship(js("{ channelIds: ['bad id'], userId: 1 }"), None))
            .await
            .unwrap_err();
    assert_eq!(s(&err, "rule"), "channel_id.format");
    assert_eq!(s(&err, "field"), "channelIds[0]");
    let err = settle(c.check_channel_relationship(
        js("{ channelIds: ['_a'], userId: 1, accessToken: 't' }"),
        None,
    ))
    .await
    .unwrap_err();
    assert_eq!(s(&err, "rule"), "params.exclusive");
    // The same module and client still work.
    let fetch = fake_fetch(200, r#"{"user_id":1,"channels":[]}"#);
    let opts = Object::new();
    Reflect::set(&opts, &"adminKey".into(), &"admin-0001".into()).unwrap();
    Reflect::set(&opts, &"fetch".into(), &fetch).unwrap();
    let c = TalkChannelClient::new(Some(opts))
        .map_err(|_| "ctor")
        .unwrap();
    let out = settle(c.check_channel_relationship(js("{ channelIds: ['_a'], userId: '1' }"), None))
        .await
        .unwrap();
    assert_eq!(s(&out, "userId"), "1");
}

#[wasm_bindgen_test]
async fn kakao_error_becomes_kakao_api_error_and_timeout_fires() {
    let fetch = fake_fetch(
        400,
        r#"{"msg":"given account is not connected to any talk user.","code":-501}"#,
    );
    let opts = Object::new();
    Reflect::set(&opts, &"adminKey".into(), &"admin-0001".into()).unwrap();
    Reflect::set(&opts, &"fetch".into(), &fetch).unwrap();
    let c = TalkChannelClient::new(Some(opts))
        .map_err(|_| "ctor")
        .unwrap();
    let err = settle(c.check_channel_relationship(js("{ channelIds: ['_a'], userId: 5 }"), None))
        .await
        .unwrap_err();
    assert_eq!(s(&err, "name"), "KakaoApiError");
    assert_eq!(get(&err, "code").as_f64(), Some(-501.0));
    assert_eq!(s(&err, "kind"), "NotTalkUser");
    assert_eq!(get(&js("globalThis.__calls"), "length").as_f64(), Some(1.0));

    let never = js("() => new Promise(() => {})");
    let opts = Object::new();
    Reflect::set(&opts, &"adminKey".into(), &"admin-0001".into()).unwrap();
    Reflect::set(&opts, &"fetch".into(), &never).unwrap();
    Reflect::set(&opts, &"maxRetries".into(), &0.into()).unwrap();
    Reflect::set(&opts, &"timeoutMs".into(), &20.into()).unwrap();
    let c = TalkChannelClient::new(Some(opts))
        .map_err(|_| "ctor")
        .unwrap();
    let err = settle(c.check_channel_relationship(js("{ channelIds: ['_a'], userId: 5 }"), None))
        .await
        .unwrap_err();
    assert_eq!(s(&err, "name"), "TimeoutError");
    assert_eq!(get(&err, "timeoutMs").as_f64(), Some(20.0));
}
