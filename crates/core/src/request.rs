//! A transport-free request: method, path with query, which credential, body.

pub use super::base_url::normalize_base_url;
use super::error::ValidationError;
use super::ids::check_secret;
use super::rules;
use super::text::join3;

pub const DEFAULT_BASE_URL: &str = "https://kapi.kakao.com";

/// The most bytes of one answer the SDK reads: 4 MiB. Kakao's largest answers are a few
/// hundred KB (the multi check: 200 users × their channels at ~150 bytes each; the customer-file
/// listing: 30 files with schemas of ≤ 30 keys), so 4 MiB leaves more than ten times that
/// while keeping what one answer can add to wasm memory (which never shrinks) small. The body
/// is read as a stream and cancelled past this; a `Content-Length` above it is not read at
/// all. A 2xx answer that big is a `ResponseError`; an error answer keeps its first bytes.
/// Handed to JS with every attempt (attempt.js `__attempt`): the number lives here only.
pub const MAX_ANSWER_BYTES: u32 = 4 * 1024 * 1024;

/// Response headers that name a request, looked for in this order. Kakao's REST doc names no
/// such header; these are the usual ones of gateways and proxies in front of an API.
pub const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-correlation-id",
];

/// The request id of an answer: the value of the first of [`REQUEST_ID_HEADERS`] that `header`
/// (a lookup by lower-case name) finds.
pub fn request_id<'a>(header: impl Fn(&str) -> Option<&'a str>) -> Option<&'a str> {
    REQUEST_ID_HEADERS.iter().find_map(|h| header(h))
}

/// The message of the `ResponseError` for a 2xx answer larger than [`MAX_ANSWER_BYTES`].
pub fn answer_too_large(bytes: u64) -> String {
    format!(
        "the answer is {bytes} bytes or more, above the {MAX_ANSWER_BYTES} bytes (4 MiB) the SDK reads of one answer (Kakao's largest are a few hundred KB); the rest was not read (check baseUrl)"
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// Which credential authorises a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `KakaoAK <service app admin key>`.
    AdminKey,
    /// `KakaoAK <REST API key>` (customer files).
    RestApiKey,
    /// `Bearer <user access token>`.
    Bearer(String),
}

/// Whether a request may be repeated after a failure (see `retry.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GETs and add/delete users: repeating is harmless.
    Repeatable,
    /// Creates something each time: retried only on HTTP 429.
    OnlyOn429,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query, e.g. `/v2/api/talk/channels?channel_ids=_a`.
    pub path_and_query: String,
    pub auth: Auth,
    /// JSON body (sent with `Content-Type: application/json`).
    pub body: Option<String>,
    pub idempotency: Idempotency,
}

impl HttpRequest {
    /// The method and path without the query (where ids travel): `"GET /v2/api/talk/channels"`.
    pub fn endpoint(&self) -> String {
        join3(
            self.method.as_str(),
            " ",
            super::log::path_only(&self.path_and_query),
        )
    }
}

/// The client's credentials; checked once at construction.
#[derive(Clone, Default)]
pub struct Credentials {
    pub admin_key: Option<String>,
    pub rest_api_key: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

impl Credentials {
    pub fn new(
        admin_key: Option<String>,
        rest_api_key: Option<String>,
    ) -> Result<Self, ValidationError> {
        if let Some(k) = &admin_key {
            check_secret(k, "adminKey")?;
        }
        if let Some(k) = &rest_api_key {
            check_secret(k, "restApiKey")?;
        }
        Ok(Credentials {
            admin_key,
            rest_api_key,
        })
    }

    /// The `Authorization` header value for `auth`, or an error naming the missing option.
    pub fn authorization(&self, auth: &Auth) -> Result<String, ValidationError> {
        match auth {
            Auth::AdminKey => self
                .admin_key
                .as_ref()
                .map(|k| join3("KakaoAK ", k, ""))
                .ok_or_else(|| {
                    ValidationError::new(
                        "adminKey",
                        rules::AUTH_MISSING_ADMIN_KEY,
                        "this call needs the service app admin key: pass adminKey to the TalkChannelClient or set KAKAO_ADMIN_KEY",
                    )
                }),
            Auth::RestApiKey => self
                .rest_api_key
                .as_ref()
                .map(|k| join3("KakaoAK ", k, ""))
                .ok_or_else(|| {
                    ValidationError::new(
                        "restApiKey",
                        rules::AUTH_MISSING_REST_API_KEY,
                        "customer-file calls need the REST API key: pass restApiKey to the TalkChannelClient or set KAKAO_REST_API_KEY",
                    )
                }),
            Auth::Bearer(token) => Ok(join3("Bearer ", token, "")),
        }
    }

    /// Every secret this client could send, for redaction.
    pub fn secrets(&self) -> Vec<&str> {
        self.admin_key
            .iter()
            .chain(self.rest_api_key.iter())
            .map(String::as_str)
            .collect()
    }
}

/// Percent-encodes a query component: everything but RFC 3986 unreserved characters.
pub fn encode_component(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let hex = |n: u8| char::from(HEX.get(usize::from(n)).copied().unwrap_or(b'0'));
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b & 15));
        }
    }
}

/// Builds `path?k=v&k=v`. Values are percent-encoded; a value given as a list is joined with
/// literal commas after encoding each item (Kakao's comma-separated lists).
pub struct Query {
    out: String,
    first: bool,
}

impl Query {
    pub fn new(path: &str) -> Self {
        Query {
            out: path.to_owned(),
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        self.out.push(if self.first { '?' } else { '&' });
        self.first = false;
        encode_component(key, &mut self.out);
        self.out.push('=');
    }

    pub fn param(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        encode_component(value, &mut self.out);
        self
    }

    pub fn list<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.key(key);
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            encode_component(v.as_ref(), &mut self.out);
        }
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Checks a user access token for the `Bearer` header.
pub fn bearer(token: &str) -> Result<Auth, ValidationError> {
    check_secret(token, "accessToken")?;
    Ok(Auth::Bearer(token.to_owned()))
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_request_id_is_the_first_known_header_present() {
        let headers = [("request-id", "b"), ("x-correlation-id", "c")];
        let find = |name: &str| headers.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        assert_eq!(request_id(find), Some("b"));
        assert_eq!(request_id(|_| None), None);
        assert_eq!(
            request_id(|h| (h == "x-request-id").then_some("a")),
            Some("a")
        );
    }
    use super::*;

    #[test]
    fn percent_encoding() {
        let mut s = String::new();
        encode_component("aZ09-_.~ /?&=,+%가\u{0}", &mut s);
        assert_eq!(s, "aZ09-_.~%20%2F%3F%26%3D%2C%2B%25%EA%B0%80%00");
    }

    #[test]
    fn query_building() {
        let q = Query::new("/v2/api/talk/channels")
            .param("target_id_type", "user_id")
            .param("target_id", "9223372036854775807")
            .list("channel_ids", ["_ZeUTxl", "_가"])
            .finish();
        assert_eq!(
            q,
            "/v2/api/talk/channels?target_id_type=user_id&target_id=9223372036854775807&channel_ids=_ZeUTxl,_%EA%B0%80"
        );
    }

    #[test]
    fn authorization_headers() {
        let c = Credentials::new(Some("admin0001".into()), None).unwrap();
        assert_eq!(
            c.authorization(&Auth::AdminKey).unwrap(),
            "KakaoAK admin0001"
        );
        let e = c.authorization(&Auth::RestApiKey).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("restApiKey", "auth.missing_rest_api_key")
        );
        assert_eq!(
            c.authorization(&bearer("tok-1").unwrap()).unwrap(),
            "Bearer tok-1"
        );
        assert_eq!(bearer("a\nb").unwrap_err().rule, "secret.format");
        assert_eq!(format!("{c:?}"), "Credentials { .. }");
        let e = Credentials::new(None, Some("bad key".into())).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("restApiKey", "secret.format"));
    }
}
