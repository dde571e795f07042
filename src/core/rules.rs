//! The rule ids of [`ValidationError`](crate::core::error::ValidationError): one constant per
//! id, named after it (`user_id.format` → `USER_ID_FORMAT`). The ids are public and stable:
//! callers branch on `error.rule`, so an id is never renamed, only added.

/// A relationship call needs the admin key and the client was built without `adminKey`.
pub const AUTH_MISSING_ADMIN_KEY: &str = "auth.missing_admin_key";
/// A customer-file call needs the REST API key and the client was built without `restApiKey`.
pub const AUTH_MISSING_REST_API_KEY: &str = "auth.missing_rest_api_key";
/// `baseUrl` carries credentials (`user:password@`).
pub const BASE_URL_CREDENTIALS: &str = "base_url.credentials";
/// `baseUrl` contains whitespace or a control character, names no host, or has a query or fragment.
pub const BASE_URL_FORMAT: &str = "base_url.format";
/// `baseUrl`'s host is not a valid IPv6 address in brackets, or a domain with a forbidden
/// character (after percent-decoding), non-ASCII, or ending in a number that is no IPv4 address.
pub const BASE_URL_HOST: &str = "base_url.host";
/// `baseUrl`'s port is not digits, or above 65535.
pub const BASE_URL_PORT: &str = "base_url.port";
/// `baseUrl` does not start with `https://` or `http://` (in any case).
pub const BASE_URL_SCHEME: &str = "base_url.scheme";
/// A client holding an admin or REST API key is built in what looks like a browser, without `dangerouslyAllowBrowser: true`.
pub const BROWSER_SECRET_KEY: &str = "browser.secret_key";
/// A channel public id is the empty string.
pub const CHANNEL_ID_EMPTY: &str = "channel_id.empty";
/// A channel public id contains a comma, `&`, `=`, whitespace or a control character.
pub const CHANNEL_ID_FORMAT: &str = "channel_id.format";
/// A list of channel public ids is empty.
pub const CHANNEL_IDS_EMPTY: &str = "channel_ids.empty";
/// The runtime has no global `fetch` and none was passed in the options.
pub const FETCH_MISSING: &str = "fetch.missing";
/// `options.fetch` is not a function.
pub const FETCH_TYPE: &str = "fetch.type";
/// A user's field under a custom (not Kakao-supported) key has a non-number value.
pub const FIELDS_CUSTOM_VALUE_TYPE: &str = "fields.custom_value_type";
/// Two of a user's field names mean the same key (e.g. `age` and `연령`).
pub const FIELDS_DUPLICATE_KEY: &str = "fields.duplicate_key";
/// A user has more fields than a customer file's schema can hold (30, Kakao's REST doc).
pub const FIELDS_MAX_ITEMS: &str = "fields.max_items";
/// A user's field name is one Kakao never allows (`앱유저아이디` or `전화번호`: users are identified by their id).
pub const FIELDS_FORBIDDEN_KEY: &str = "fields.forbidden_key";
/// A user's field name is empty or blank.
pub const FIELDS_KEY_EMPTY: &str = "fields.key_empty";
/// A user's field name contains a control character.
pub const FIELDS_KEY_FORMAT: &str = "fields.key_format";
/// A user's field value is a string where the file's schema declares a number, or the reverse.
pub const FIELDS_TYPE_MISMATCH: &str = "fields.type_mismatch";
/// A user's field is not in the file's schema.
pub const FIELDS_UNKNOWN_KEY: &str = "fields.unknown_key";
/// A user's field value is not a string or a finite number (NaN, Infinity, boolean, object…).
pub const FIELDS_VALUE_TYPE: &str = "fields.value_type";
/// A customer file id is not a whole number.
pub const FILE_ID_FORMAT: &str = "file_id.format";
/// A customer file id is not a positive safe integer.
pub const FILE_ID_RANGE: &str = "file_id.range";
/// A customer file name is empty or blank.
pub const FILE_NAME_EMPTY: &str = "file_name.empty";
/// A customer file name contains a control character.
pub const FILE_NAME_FORMAT: &str = "file_name.format";
/// `concurrency` (client or call) is not a whole number from 1 to 16.
pub const OPTIONS_CONCURRENCY: &str = "options.concurrency";
/// `logLevel` (or the environment variable `KAKAO_TALK_CHANNEL_LOG`) is not `off`, `error`, `warn`, `info` or `debug`.
pub const OPTIONS_LOG_LEVEL: &str = "options.log_level";
/// `logger` lacks one of the `debug`, `info`, `warn` and `error` methods (the `Logger` type), or is not an object.
pub const OPTIONS_LOGGER: &str = "options.logger";
/// A webhook handler's `answerWithinMs` is not a whole number from 100 to 2900.
pub const OPTIONS_ANSWER_WITHIN_MS: &str = "options.answer_within_ms";
/// A webhook handler's `callTimeoutMs` is not a whole number from 10 to 60000.
pub const OPTIONS_CALL_TIMEOUT_MS: &str = "options.call_timeout_ms";
/// `redisSeenStore`'s `client` is not "ioredis" or "node-redis".
pub const OPTIONS_CLIENT: &str = "options.client";
/// A webhook handler's `leaseMs` is not a whole number from 3000 to `seenTtlMs`, longer than `answerWithinMs`.
pub const OPTIONS_LEASE_MS: &str = "options.lease_ms";
/// A seen store's key `prefix` is empty, longer than 200 characters or has a control character.
pub const OPTIONS_PREFIX: &str = "options.prefix";
/// `d1SeenStore`'s `table` is not an SQL identifier.
pub const OPTIONS_TABLE: &str = "options.table";
/// A webhook option `bodyTimeoutMs` is not a whole number from 1 to 60000.
pub const OPTIONS_BODY_TIMEOUT_MS: &str = "options.body_timeout_ms";
/// A webhook handler's `seenTtlMs` is not a whole number from one minute to 30 days.
pub const OPTIONS_SEEN_TTL_MS: &str = "options.seen_ttl_ms";
/// `maxRetries` is not a whole number within its allowed range.
pub const OPTIONS_MAX_RETRIES: &str = "options.max_retries";
/// A call's `signal` option is not an `AbortSignal`.
pub const OPTIONS_SIGNAL: &str = "options.signal";
/// `timeoutMs` is not a whole number within its allowed range.
pub const OPTIONS_TIMEOUT_MS: &str = "options.timeout_ms";
/// An array changed (its length) while it was read: it was modified during the call.
pub const PARAMS_CHANGED_WHILE_READ: &str = "params.changed_while_read";
/// Two parameters that exclude each other are both given (`accessToken` and `userId`).
pub const PARAMS_EXCLUSIVE: &str = "params.exclusive";
/// A required parameter is missing.
pub const PARAMS_REQUIRED: &str = "params.required";
/// An array has a hole: an index below its length with no element (a sparse array).
pub const PARAMS_SPARSE_ARRAY: &str = "params.sparse_array";
/// A parameter has the wrong JS type (not an object, array, string, number or function where one is needed).
pub const PARAMS_TYPE: &str = "params.type";
/// An options or parameters object has a key that is not an option there.
pub const PARAMS_UNKNOWN_KEY: &str = "params.unknown_key";
/// Reading a parameter threw (e.g. a getter that throws).
pub const PARAMS_UNREADABLE: &str = "params.unreadable";
/// A phone id has a character other than digits, spaces and hyphens after an optional leading `+`, or does not start and end with a digit.
pub const PHONE_FORMAT: &str = "phone.format";
/// A phone id does not have 9 to 15 digits.
pub const PHONE_LENGTH: &str = "phone.length";
/// A phone id is a number or bigint, not a string (a number would drop a leading 0 or `+`).
pub const PHONE_TYPE: &str = "phone.type";
/// A schema declares a custom (not Kakao-supported) key with a type other than `number`.
pub const SCHEMA_CUSTOM_KEY_TYPE: &str = "schema.custom_key_type";
/// Two schema keys mean the same key (e.g. `age` and `연령`).
pub const SCHEMA_DUPLICATE_KEY: &str = "schema.duplicate_key";
/// A schema key is one Kakao never allows (`앱유저아이디` or `전화번호`: users are identified by their id).
pub const SCHEMA_FORBIDDEN_KEY: &str = "schema.forbidden_key";
/// A schema key is empty or blank.
pub const SCHEMA_KEY_EMPTY: &str = "schema.key_empty";
/// A schema key contains a control character.
pub const SCHEMA_KEY_FORMAT: &str = "schema.key_format";
/// A schema has more entries than Kakao allows.
pub const SCHEMA_MAX_ITEMS: &str = "schema.max_items";
/// A schema has no entry.
pub const SCHEMA_MIN_ITEMS: &str = "schema.min_items";
/// A schema type is not `string` or `number`.
pub const SCHEMA_VALUE_TYPE: &str = "schema.value_type";
/// A key or access token is the empty string.
pub const SECRET_EMPTY: &str = "secret.empty";
/// A key or access token has a character outside printable ASCII, or a space.
pub const SECRET_FORMAT: &str = "secret.format";
/// A string (a value, a key, an id) is not well-formed UTF-16: it has a lone surrogate, which would be sent as U+FFFD.
pub const STRING_UNPAIRED_SURROGATE: &str = "string.unpaired_surrogate";
/// A user id is not an integer: a fraction, NaN, a non-digit string or one with leading zeros.
pub const USER_ID_FORMAT: &str = "user_id.format";
/// A user id is zero, negative or above 2^63-1.
pub const USER_ID_RANGE: &str = "user_id.range";
/// A user id is not a number, bigint or string.
pub const USER_ID_TYPE: &str = "user_id.type";
/// A user id given as a JS number is above `Number.MAX_SAFE_INTEGER` (it may already be rounded).
pub const USER_ID_UNSAFE_NUMBER: &str = "user_id.unsafe_number";
/// A list of user ids is empty.
pub const USER_IDS_EMPTY: &str = "user_ids.empty";
/// `userType` is not `"app"` or `"phone"`.
pub const USER_TYPE_VALUE: &str = "user_type.value";
/// The same user appears twice in one call (ids compared as numbers, phones by digits).
pub const USERS_DUPLICATE_ID: &str = "users.duplicate_id";
/// An add or delete call lists no user.
pub const USERS_EMPTY: &str = "users.empty";
/// The webhook request's body could not be read (raised by webhook.js, which reads it).
pub const WEBHOOK_BODY: &str = "webhook.body";
/// The webhook body did not arrive within `bodyTimeoutMs` (raised by webhook.js; answered 408).
pub const WEBHOOK_BODY_TIMEOUT: &str = "webhook.body_timeout";
/// The webhook body is larger than the limit (answered 413).
pub const WEBHOOK_BODY_TOO_LARGE: &str = "webhook.body_too_large";
/// A webhook body has a key twice in one object, at any depth (`field` names its path).
pub const WEBHOOK_DUPLICATE_KEY: &str = "webhook.duplicate_key";
/// A webhook body's numeric `id` is negative.
pub const WEBHOOK_NEGATIVE_ID: &str = "webhook.negative_id";
/// A webhook body field that must hold text is the empty string.
pub const WEBHOOK_EMPTY: &str = "webhook.empty";
/// A webhook body field contains a control character.
pub const WEBHOOK_FORMAT: &str = "webhook.format";
/// The webhook body is not JSON, or not a JSON object.
pub const WEBHOOK_JSON: &str = "webhook.json";
/// The webhook request's method is not POST.
pub const WEBHOOK_METHOD: &str = "webhook.method";
/// A required webhook body field (or its older name) is missing or null.
pub const WEBHOOK_REQUIRED: &str = "webhook.required";
/// A webhook body field has the wrong JSON type.
pub const WEBHOOK_TYPE: &str = "webhook.type";
/// A webhook handler's `seen` is a has/add store (such as a `Set`), which cannot hold a claim.
pub const WEBHOOK_SEEN_STORE: &str = "webhook.seen_store";
/// A webhook body has an invalid UTF-8 sequence (`field` names the string holding it).
pub const WEBHOOK_UTF8: &str = "webhook.utf8";
/// The webhook's `updated_at` is not an RFC3339 date-time.
pub const WEBHOOK_UPDATED_AT: &str = "webhook.updated_at";

/// Every rule id, sorted, each once.
pub const ALL: &[&str] = &[
    AUTH_MISSING_ADMIN_KEY,
    AUTH_MISSING_REST_API_KEY,
    BASE_URL_CREDENTIALS,
    BASE_URL_FORMAT,
    BASE_URL_HOST,
    BASE_URL_PORT,
    BASE_URL_SCHEME,
    BROWSER_SECRET_KEY,
    CHANNEL_ID_EMPTY,
    CHANNEL_ID_FORMAT,
    CHANNEL_IDS_EMPTY,
    FETCH_MISSING,
    FETCH_TYPE,
    FIELDS_CUSTOM_VALUE_TYPE,
    FIELDS_DUPLICATE_KEY,
    FIELDS_FORBIDDEN_KEY,
    FIELDS_KEY_EMPTY,
    FIELDS_KEY_FORMAT,
    FIELDS_MAX_ITEMS,
    FIELDS_TYPE_MISMATCH,
    FIELDS_UNKNOWN_KEY,
    FIELDS_VALUE_TYPE,
    FILE_ID_FORMAT,
    FILE_ID_RANGE,
    FILE_NAME_EMPTY,
    FILE_NAME_FORMAT,
    OPTIONS_ANSWER_WITHIN_MS,
    OPTIONS_BODY_TIMEOUT_MS,
    OPTIONS_CALL_TIMEOUT_MS,
    OPTIONS_CLIENT,
    OPTIONS_CONCURRENCY,
    OPTIONS_LEASE_MS,
    OPTIONS_LOG_LEVEL,
    OPTIONS_LOGGER,
    OPTIONS_MAX_RETRIES,
    OPTIONS_PREFIX,
    OPTIONS_SEEN_TTL_MS,
    OPTIONS_SIGNAL,
    OPTIONS_TABLE,
    OPTIONS_TIMEOUT_MS,
    PARAMS_CHANGED_WHILE_READ,
    PARAMS_EXCLUSIVE,
    PARAMS_REQUIRED,
    PARAMS_SPARSE_ARRAY,
    PARAMS_TYPE,
    PARAMS_UNKNOWN_KEY,
    PARAMS_UNREADABLE,
    PHONE_FORMAT,
    PHONE_LENGTH,
    PHONE_TYPE,
    SCHEMA_CUSTOM_KEY_TYPE,
    SCHEMA_DUPLICATE_KEY,
    SCHEMA_FORBIDDEN_KEY,
    SCHEMA_KEY_EMPTY,
    SCHEMA_KEY_FORMAT,
    SCHEMA_MAX_ITEMS,
    SCHEMA_MIN_ITEMS,
    SCHEMA_VALUE_TYPE,
    SECRET_EMPTY,
    SECRET_FORMAT,
    STRING_UNPAIRED_SURROGATE,
    USER_ID_FORMAT,
    USER_ID_RANGE,
    USER_ID_TYPE,
    USER_ID_UNSAFE_NUMBER,
    USER_IDS_EMPTY,
    USER_TYPE_VALUE,
    USERS_DUPLICATE_ID,
    USERS_EMPTY,
    WEBHOOK_BODY,
    WEBHOOK_BODY_TIMEOUT,
    WEBHOOK_BODY_TOO_LARGE,
    WEBHOOK_DUPLICATE_KEY,
    WEBHOOK_EMPTY,
    WEBHOOK_FORMAT,
    WEBHOOK_JSON,
    WEBHOOK_METHOD,
    WEBHOOK_NEGATIVE_ID,
    WEBHOOK_REQUIRED,
    WEBHOOK_SEEN_STORE,
    WEBHOOK_TYPE,
    WEBHOOK_UPDATED_AT,
    WEBHOOK_UTF8,
];

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::ALL;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// Literals shaped like rule ids that are field paths, not rules.
    const FIELD_PATHS: &[&str] = &[
        "body.channel_public_id",
        "body.channel_uuid",
        "body.event",
        "body.id",
        "body.plus_friend_public_id",
        "body.updated_at",
        "logger.debug",
        "logger.warn",
        "request.method",
        "schema.age",
        "seen.add",
        "seen.claim",
        "seen.finish",
        "seen.has",
        "seen.release",
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "js") {
                out.push(path);
            }
        }
    }

    /// Every source file of the crate except this one, with its text.
    fn sources() -> Vec<(PathBuf, String)> {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        // The few rules raised in JS (where a read, not a rule, failed) are listed here too.
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("pkg-template");
        files.push(template.join("webhook.js"));
        files.sort();
        let this = Path::new("src").join("core").join("rules.rs");
        let out: Vec<(PathBuf, String)> = files
            .into_iter()
            .filter(|p| !p.ends_with(&this))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        assert!(out.len() > 10, "found only {} source files", out.len());
        out
    }

    /// The string literals of `text` shaped like a rule id: `"a_b.c_d"`, lower case.
    fn rule_shaped_literals(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('"') {
            let after = &rest[open + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            let candidate = &after[..len];
            if after[len..].starts_with('"')
                && candidate.matches('.').count() == 1
                && !candidate.starts_with('.')
                && !candidate.ends_with('.')
            {
                out.push(candidate);
            }
            rest = after;
        }
        out
    }

    fn is_word_in(word: &str, text: &str) -> bool {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        text.match_indices(word).any(|(at, _)| {
            !text[..at].ends_with(ident) && !text[at + word.len()..].starts_with(ident)
        })
    }

    #[test]
    fn all_is_sorted_without_duplicates() {
        assert!(ALL.windows(2).all(|w| w[0] < w[1]), "{ALL:?}");
        assert!(ALL.len() >= 60, "{}", ALL.len());
    }

    #[test]
    fn every_constant_is_named_after_its_id_and_listed_in_all() {
        let text = include_str!("rules.rs");
        let mut declared = BTreeSet::new();
        for line in text.lines().filter(|l| l.starts_with("pub const ")) {
            let Some((name, id)) = line
                .strip_prefix("pub const ")
                .and_then(|l| l.split_once(": &str = \""))
            else {
                continue;
            };
            let id = id.strip_suffix("\";").unwrap();
            assert_eq!(name, id.to_ascii_uppercase().replace('.', "_"), "{line}");
            declared.insert(id);
        }
        assert_eq!(declared, ALL.iter().copied().collect::<BTreeSet<_>>());
    }

    #[test]
    fn every_rule_literal_in_src_is_in_all() {
        let known: BTreeSet<&str> = ALL.iter().chain(FIELD_PATHS).copied().collect();
        let mut strays = Vec::new();
        for (path, text) in &sources() {
            for lit in rule_shaped_literals(text) {
                if !known.contains(lit) {
                    strays.push(format!("{}: {lit:?}", path.display()));
                }
            }
        }
        assert!(
            strays.is_empty(),
            "rule-shaped literals missing from rules::ALL (or FIELD_PATHS): {strays:#?}"
        );
    }

    #[test]
    fn every_rule_is_still_used_somewhere() {
        let sources = sources();
        for id in ALL {
            let name = id.to_ascii_uppercase().replace('.', "_");
            let quoted = format!("\"{id}\"");
            assert!(
                sources
                    .iter()
                    .any(|(_, t)| t.contains(&quoted) || is_word_in(&name, t)),
                "{id} ({name}) is used nowhere in src/"
            );
        }
    }

    #[test]
    fn the_scanner_finds_rule_shaped_literals_only() {
        assert_eq!(
            rule_shaped_literals(r#"x("a.b", "users[0].id", "x", "c_d.e_f") "g.h.i" ".j""#),
            ["a.b", "c_d.e_f"]
        );
    }
}
