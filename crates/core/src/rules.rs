//! The rule ids of [`ValidationError`](crate::error::ValidationError): one table, the
//! `rules!` list below, makes one constant per id, named after it (`user_id.format` →
//! `USER_ID_FORMAT`), and [`ALL`]. A [`Rule`] can only be made here, and
//! `ValidationError::new` takes a `Rule`: an id that is not in this table cannot reach an error.
//! The ids are public and stable: callers branch on `error.rule`, so an id is never renamed,
//! only added. The build writes them into the package's `ValidationRule` type
//! (`scripts/id_tables.rs`), and the few raised in JS (`pkg-template/webhook.js`, where a read,
//! not a rule, failed) are type-checked against that type.

use serde::{Serialize, Serializer};
use std::fmt;

/// A rule id, e.g. `channel_id.format`: one of the constants of this module.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rule(&'static str);

impl Rule {
    /// The id, as `error.rule` carries it.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Rule> for &str {
    fn eq(&self, other: &Rule) -> bool {
        *self == other.0
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// The table: `NAME = "id";` with its doc, sorted by id. Makes the constants, [`ALL`], and
/// (for the tests) each constant's name.
macro_rules! rules {
    ($($(#[$doc:meta])* $name:ident = $id:literal;)*) => {
        $($(#[$doc])* pub const $name: Rule = Rule($id);)*

        /// Every rule id, sorted, each once (tested).
        pub const ALL: &[Rule] = &[$($name),*];

        /// Each constant's name with its rule.
        #[cfg(test)]
        const NAMES: &[(&str, Rule)] = &[$((stringify!($name), $name)),*];
    };
}

rules! {
    /// A relationship call needs the admin key and the client was built without `adminKey`.
    AUTH_MISSING_ADMIN_KEY = "auth.missing_admin_key";
    /// A customer-file call needs the REST API key and the client was built without `restApiKey`.
    AUTH_MISSING_REST_API_KEY = "auth.missing_rest_api_key";
    /// `baseUrl` carries credentials (`user:password@`).
    BASE_URL_CREDENTIALS = "base_url.credentials";
    /// `baseUrl` contains whitespace or a control character, names no host, or has a query or fragment.
    BASE_URL_FORMAT = "base_url.format";
    /// `baseUrl`'s host is not a valid IPv6 address in brackets, or a domain with a forbidden
    /// character (after percent-decoding), non-ASCII, or ending in a number that is no IPv4 address.
    BASE_URL_HOST = "base_url.host";
    /// `baseUrl`'s port is not digits, or above 65535.
    BASE_URL_PORT = "base_url.port";
    /// `baseUrl` does not start with `https://` or `http://` (in any case).
    BASE_URL_SCHEME = "base_url.scheme";
    /// A client holding an admin or REST API key is built in what looks like a browser, without `dangerouslyAllowBrowser: true`.
    BROWSER_SECRET_KEY = "browser.secret_key";
    /// A channel public id is the empty string.
    CHANNEL_ID_EMPTY = "channel_id.empty";
    /// A channel public id contains a comma, `&`, `=`, whitespace or a control character.
    CHANNEL_ID_FORMAT = "channel_id.format";
    /// A list of channel public ids is empty.
    CHANNEL_IDS_EMPTY = "channel_ids.empty";
    /// The runtime has no global `fetch` and none was passed in the options.
    FETCH_MISSING = "fetch.missing";
    /// `options.fetch` is not a function.
    FETCH_TYPE = "fetch.type";
    /// A user's field under a custom (not Kakao-supported) key has a non-number value.
    FIELDS_CUSTOM_VALUE_TYPE = "fields.custom_value_type";
    /// Two of a user's field names mean the same key (e.g. `age` and `연령`).
    FIELDS_DUPLICATE_KEY = "fields.duplicate_key";
    /// A user's field name is one Kakao never allows (`앱유저아이디` or `전화번호`: users are identified by their id).
    FIELDS_FORBIDDEN_KEY = "fields.forbidden_key";
    /// A user's field name is empty or blank.
    FIELDS_KEY_EMPTY = "fields.key_empty";
    /// A user's field name contains a control character.
    FIELDS_KEY_FORMAT = "fields.key_format";
    /// A user has more fields than a customer file's schema can hold (30, Kakao's REST doc).
    FIELDS_MAX_ITEMS = "fields.max_items";
    /// A user's field value is a string where the file's schema declares a number, or the reverse.
    FIELDS_TYPE_MISMATCH = "fields.type_mismatch";
    /// A user's field is not in the file's schema.
    FIELDS_UNKNOWN_KEY = "fields.unknown_key";
    /// A user's field value is not a string or a finite number (NaN, Infinity, boolean, object…).
    FIELDS_VALUE_TYPE = "fields.value_type";
    /// A customer file id is not a whole number.
    FILE_ID_FORMAT = "file_id.format";
    /// A customer file id is not a positive safe integer.
    FILE_ID_RANGE = "file_id.range";
    /// A customer file name is empty or blank.
    FILE_NAME_EMPTY = "file_name.empty";
    /// A customer file name contains a control character.
    FILE_NAME_FORMAT = "file_name.format";
    /// A webhook handler's `answerWithinMs` is not a whole number from 100 to 2900.
    OPTIONS_ANSWER_WITHIN_MS = "options.answer_within_ms";
    /// A webhook option `bodyTimeoutMs` is not a whole number from 1 to 60000.
    OPTIONS_BODY_TIMEOUT_MS = "options.body_timeout_ms";
    /// A webhook handler's `callTimeoutMs` is not a whole number from 10 to 60000.
    OPTIONS_CALL_TIMEOUT_MS = "options.call_timeout_ms";
    /// `redisSeenStore`'s `client` is not "ioredis" or "node-redis".
    OPTIONS_CLIENT = "options.client";
    /// `concurrency` (client or call) is not a whole number from 1 to 16.
    OPTIONS_CONCURRENCY = "options.concurrency";
    /// A webhook handler's `leaseMs` is not a whole number from 3000 to `seenTtlMs`, longer than `answerWithinMs`.
    OPTIONS_LEASE_MS = "options.lease_ms";
    /// `logLevel` (or the environment variable `KAKAO_TALK_CHANNEL_LOG`) is not `off`, `error`, `warn`, `info` or `debug`.
    OPTIONS_LOG_LEVEL = "options.log_level";
    /// `logger` lacks one of the `debug`, `info`, `warn` and `error` methods (the `Logger` type), or is not an object.
    OPTIONS_LOGGER = "options.logger";
    /// `maxRetries` is not a whole number within its allowed range.
    OPTIONS_MAX_RETRIES = "options.max_retries";
    /// A seen store's key `prefix` is empty, longer than 200 characters or has a control character.
    OPTIONS_PREFIX = "options.prefix";
    /// A webhook handler's `seenTtlMs` is not a whole number from one minute to 30 days.
    OPTIONS_SEEN_TTL_MS = "options.seen_ttl_ms";
    /// A call's `signal` option is not an `AbortSignal`.
    OPTIONS_SIGNAL = "options.signal";
    /// `d1SeenStore`'s `table` is not an SQL identifier.
    OPTIONS_TABLE = "options.table";
    /// `timeoutMs` is not a whole number within its allowed range.
    OPTIONS_TIMEOUT_MS = "options.timeout_ms";
    /// An array changed (its length) while it was read: it was modified during the call.
    PARAMS_CHANGED_WHILE_READ = "params.changed_while_read";
    /// Two parameters that exclude each other are both given (`accessToken` and `userId`).
    PARAMS_EXCLUSIVE = "params.exclusive";
    /// A required parameter is missing.
    PARAMS_REQUIRED = "params.required";
    /// An array has a hole: an index below its length with no element (a sparse array).
    PARAMS_SPARSE_ARRAY = "params.sparse_array";
    /// A parameter has the wrong JS type (not an object, array, string, number or function where one is needed).
    PARAMS_TYPE = "params.type";
    /// An options or parameters object has a key that is not an option there.
    PARAMS_UNKNOWN_KEY = "params.unknown_key";
    /// Reading a parameter threw (e.g. a getter that throws).
    PARAMS_UNREADABLE = "params.unreadable";
    /// A phone id has a character other than digits, spaces and hyphens after an optional leading `+`, or does not start and end with a digit.
    PHONE_FORMAT = "phone.format";
    /// A phone id does not have 9 to 15 digits.
    PHONE_LENGTH = "phone.length";
    /// A phone id is a number or bigint, not a string (a number would drop a leading 0 or `+`).
    PHONE_TYPE = "phone.type";
    /// A schema declares a custom (not Kakao-supported) key with a type other than `number`.
    SCHEMA_CUSTOM_KEY_TYPE = "schema.custom_key_type";
    /// Two schema keys mean the same key (e.g. `age` and `연령`).
    SCHEMA_DUPLICATE_KEY = "schema.duplicate_key";
    /// A schema key is one Kakao never allows (`앱유저아이디` or `전화번호`: users are identified by their id).
    SCHEMA_FORBIDDEN_KEY = "schema.forbidden_key";
    /// A schema key is empty or blank.
    SCHEMA_KEY_EMPTY = "schema.key_empty";
    /// A schema key contains a control character.
    SCHEMA_KEY_FORMAT = "schema.key_format";
    /// A schema has more entries than Kakao allows.
    SCHEMA_MAX_ITEMS = "schema.max_items";
    /// A schema has no entry.
    SCHEMA_MIN_ITEMS = "schema.min_items";
    /// A schema type is not `string` or `number`.
    SCHEMA_VALUE_TYPE = "schema.value_type";
    /// A key or access token is the empty string.
    SECRET_EMPTY = "secret.empty";
    /// A key or access token has a character outside printable ASCII, or a space.
    SECRET_FORMAT = "secret.format";
    /// A string (a value, a key, an id) is not well-formed UTF-16: it has a lone surrogate, which would be sent as U+FFFD.
    STRING_UNPAIRED_SURROGATE = "string.unpaired_surrogate";
    /// A user id is not an integer: a fraction, NaN, a non-digit string or one with leading zeros.
    USER_ID_FORMAT = "user_id.format";
    /// A user id is zero, negative or above 2^63-1.
    USER_ID_RANGE = "user_id.range";
    /// A user id is not a number, bigint or string.
    USER_ID_TYPE = "user_id.type";
    /// A user id given as a JS number is above `Number.MAX_SAFE_INTEGER` (it may already be rounded).
    USER_ID_UNSAFE_NUMBER = "user_id.unsafe_number";
    /// A list of user ids is empty.
    USER_IDS_EMPTY = "user_ids.empty";
    /// `userType` is not `"app"` or `"phone"`.
    USER_TYPE_VALUE = "user_type.value";
    /// The same user appears twice in one call (ids compared as numbers, phones by digits).
    USERS_DUPLICATE_ID = "users.duplicate_id";
    /// An add or delete call lists no user.
    USERS_EMPTY = "users.empty";
    /// The webhook request's body could not be read (raised by webhook.js, which reads it).
    WEBHOOK_BODY = "webhook.body";
    /// The webhook body did not arrive within `bodyTimeoutMs` (raised by webhook.js; answered 408).
    WEBHOOK_BODY_TIMEOUT = "webhook.body_timeout";
    /// The webhook body is larger than the limit (answered 413).
    WEBHOOK_BODY_TOO_LARGE = "webhook.body_too_large";
    /// A webhook body has a key twice in one object, at any depth (`field` names its path).
    WEBHOOK_DUPLICATE_KEY = "webhook.duplicate_key";
    /// A webhook body field that must hold text is the empty string.
    WEBHOOK_EMPTY = "webhook.empty";
    /// A webhook body field contains a control character.
    WEBHOOK_FORMAT = "webhook.format";
    /// The webhook body is not JSON, or not a JSON object.
    WEBHOOK_JSON = "webhook.json";
    /// The webhook request's method is not POST.
    WEBHOOK_METHOD = "webhook.method";
    /// A webhook body's numeric `id` is negative.
    WEBHOOK_NEGATIVE_ID = "webhook.negative_id";
    /// A required webhook body field (or its older name) is missing or null.
    WEBHOOK_REQUIRED = "webhook.required";
    /// A webhook handler's `seen` is a has/add store (such as a `Set`), which cannot hold a claim.
    WEBHOOK_SEEN_STORE = "webhook.seen_store";
    /// A webhook body field has the wrong JSON type.
    WEBHOOK_TYPE = "webhook.type";
    /// The webhook's `updated_at` is not an RFC3339 date-time.
    WEBHOOK_UPDATED_AT = "webhook.updated_at";
    /// A webhook body has an invalid UTF-8 sequence (`field` names the string holding it).
    WEBHOOK_UTF8 = "webhook.utf8";
}

#[cfg(test)]
mod tests {
    use super::{Rule, ALL, NAMES};

    #[test]
    fn all_is_sorted_without_duplicates() {
        assert!(ALL.windows(2).all(|w| w[0] < w[1]), "{ALL:?}");
        assert!(ALL.len() >= 60, "{}", ALL.len());
        assert_eq!(NAMES.len(), ALL.len());
    }

    #[test]
    fn every_constant_is_named_after_its_id() {
        for (name, rule) in NAMES {
            assert_eq!(
                *name,
                rule.as_str().to_ascii_uppercase().replace('.', "_"),
                "{rule}"
            );
        }
    }

    #[test]
    fn every_id_is_a_family_and_a_name_in_lower_snake_case() {
        for rule in ALL {
            let parts: Vec<&str> = rule.as_str().split('.').collect();
            assert_eq!(parts.len(), 2, "{rule}");
            for part in parts {
                assert!(!part.is_empty(), "{rule}");
                assert!(
                    part.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{rule}"
                );
            }
        }
    }

    #[test]
    fn a_rule_reads_and_compares_as_its_id() {
        let rule: Rule = super::USER_ID_FORMAT;
        assert_eq!(rule.as_str(), "user_id.format");
        assert_eq!(rule, "user_id.format");
        assert_eq!(format!("{rule} {rule:?}"), "user_id.format user_id.format");
        assert_eq!(serde_json::to_string(&rule).unwrap(), r#""user_id.format""#);
    }
}
