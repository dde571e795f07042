//! Customer-file schema rules: Kakao's ten supported Korean keys, their English aliases,
//! custom keys (numbers only) and the two keys Kakao never allows.

use super::error::ValidationError;
use super::rules;
use super::text::{describe_char, push_json_str, quoted};

/// Kakao's limit on schema entries.
pub const MAX_SCHEMA_ITEMS: usize = 30;

/// (Korean key, camelCase alias, snake_case alias).
const SUPPORTED: &[(&str, &str, &str)] = &[
    ("생년월일", "birthday", "birthday"),
    ("국가", "country", "country"),
    ("지역", "region", "region"),
    ("성별", "gender", "gender"),
    ("연령", "age", "age"),
    ("구매금액", "purchaseAmount", "purchase_amount"),
    ("포인트", "point", "point"),
    ("가입일", "signupDate", "signup_date"),
    ("최근 구매일", "recentPurchaseDate", "recent_purchase_date"),
    ("응모일", "eventApplicationDate", "event_application_date"),
];

/// Keys Kakao refuses in a schema (they identify users; they are not attributes).
const FORBIDDEN: &[&str] = &["앱유저아이디", "전화번호"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Number,
}

impl ValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Number => "number",
        }
    }
}

/// A key after alias mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// One of the ten supported keys, in its canonical Korean form.
    Supported(&'static str),
    /// Any other key: numbers only.
    Custom(String),
}

impl Key {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Supported(k) => k,
            Key::Custom(k) => k,
        }
    }
}

/// The English key Kakao uses for a supported Korean key in the view response (camelCase).
pub fn english_of(korean: &str) -> Option<&'static str> {
    SUPPORTED
        .iter()
        .find(|(k, _, _)| *k == korean)
        .map(|(_, camel, _)| *camel)
}

/// A key's letters for comparison: ASCII letters lower-cased; spaces, underscores and hyphens
/// dropped.
fn letters(key: &str) -> impl Iterator<Item = char> + '_ {
    key.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
}

/// Maps a key to its canonical form: any spelling of one of the ten supported keys — Korean,
/// or English as Kakao's REST doc names them ("purchase amount", "recent purchase date"), as
/// Kakao's sample listing writes them (`birthday`, `age`), in snake_case or camelCase, in any
/// case, with or without spaces, underscores or hyphens (`Purchase Amount`, `PURCHASE_AMOUNT`,
/// `purchaseAmount`, `최근구매일`) — is that Korean key; anything else is custom.
pub fn canonical_key(key: &str) -> Key {
    SUPPORTED
        .iter()
        .find(|(ko, camel, _)| letters(key).eq(letters(ko)) || letters(key).eq(letters(camel)))
        .map_or_else(
            || Key::Custom(key.to_owned()),
            |(ko, _, _)| Key::Supported(ko),
        )
}

/// Checks a key's spelling and that it is allowed at all; returns its canonical form.
pub fn check_key(
    key: &str,
    field: &str,
    rule_prefix: &'static str,
) -> Result<Key, ValidationError> {
    let (empty_rule, format_rule, forbidden_rule) = match rule_prefix {
        "fields" => (
            rules::FIELDS_KEY_EMPTY,
            rules::FIELDS_KEY_FORMAT,
            rules::FIELDS_FORBIDDEN_KEY,
        ),
        _ => (
            rules::SCHEMA_KEY_EMPTY,
            rules::SCHEMA_KEY_FORMAT,
            rules::SCHEMA_FORBIDDEN_KEY,
        ),
    };
    if key.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            empty_rule,
            "a key must not be empty",
        ));
    }
    if let Some(c) = key.chars().find(|c| c.is_control()) {
        return Err(ValidationError::new(
            field,
            format_rule,
            format!("a key must not contain {}", describe_char(c)),
        ));
    }
    if FORBIDDEN.contains(&key) {
        return Err(ValidationError::new(
            field,
            forbidden_rule,
            format!(
                "Kakao never allows the key {} (users are identified by `id`, not by a field)",
                quoted(key)
            ),
        ));
    }
    Ok(canonical_key(key))
}

/// A validated schema, in the caller's key order, keys canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    entries: Vec<(Key, ValueType)>,
}

impl Schema {
    /// Validates `(key, declared type)` pairs as given by the caller. `field` is the path of the
    /// schema object, e.g. `schema`.
    pub fn parse<'a, I>(pairs: I, field: &str) -> Result<Schema, ValidationError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut entries: Vec<(Key, ValueType)> = Vec::new();
        let mut originals: Vec<&str> = Vec::new();
        for (key, ty) in pairs {
            let path = format!("{field}.{key}");
            if entries.len() == MAX_SCHEMA_ITEMS {
                return Err(ValidationError::new(
                    field,
                    rules::SCHEMA_MAX_ITEMS,
                    format!("a schema can have at most {MAX_SCHEMA_ITEMS} entries"),
                ));
            }
            let canonical = check_key(key, &path, "schema")?;
            let value_type = match ty {
                "string" => ValueType::String,
                "number" => ValueType::Number,
                other => {
                    return Err(ValidationError::new(
                        path,
                        rules::SCHEMA_VALUE_TYPE,
                        format!(
                            "the type must be \"string\" or \"number\", got {}",
                            quoted(other)
                        ),
                    ))
                }
            };
            if let Key::Custom(_) = canonical {
                if value_type != ValueType::Number {
                    return Err(ValidationError::new(
                        path,
                        rules::SCHEMA_CUSTOM_KEY_TYPE,
                        format!(
                            "{} is not one of Kakao's supported keys, and a custom key must be \"number\" (supported keys: {})",
                            quoted(key),
                            supported_list()
                        ),
                    ));
                }
            }
            if let Some(pos) = entries.iter().position(|(k, _)| *k == canonical) {
                let first = originals.get(pos).copied().unwrap_or_default();
                return Err(ValidationError::new(
                    path,
                    rules::SCHEMA_DUPLICATE_KEY,
                    format!(
                        "{} and {} both mean {}",
                        quoted(key),
                        quoted(first),
                        quoted(canonical.as_str())
                    ),
                ));
            }
            entries.push((canonical, value_type));
            originals.push(key);
        }
        if entries.is_empty() {
            return Err(ValidationError::new(
                field,
                rules::SCHEMA_MIN_ITEMS,
                "a schema needs at least one entry",
            ));
        }
        Ok(Schema { entries })
    }

    pub fn entries(&self) -> &[(Key, ValueType)] {
        &self.entries
    }

    pub fn type_of(&self, key: &Key) -> Option<ValueType> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, t)| *t)
    }

    /// The schema as Kakao's JSON object, Korean keys: `{"생년월일":"string","연령":"number"}`.
    pub fn to_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, t)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, k.as_str());
            out.push(':');
            push_json_str(out, t.as_str());
        }
        out.push('}');
    }
}

fn supported_list() -> String {
    let mut out = String::new();
    for (ko, camel, _) in SUPPORTED {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(ko);
        out.push_str(" (");
        out.push_str(camel);
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Schema, ValidationError> {
        Schema::parse(pairs.iter().copied(), "schema")
    }

    fn json(s: &Schema) -> String {
        let mut out = String::new();
        s.to_json(&mut out);
        out
    }

    #[test]
    fn doc_sample_and_aliases() {
        let s = parse(&[
            ("생년월일", "string"),
            ("성별", "string"),
            ("연령", "number"),
        ])
        .unwrap();
        assert_eq!(
            json(&s),
            r#"{"생년월일":"string","성별":"string","연령":"number"}"#
        );
        let s = parse(&[
            ("birthday", "string"),
            ("purchase_amount", "number"),
            ("recentPurchaseDate", "string"),
            ("최근 구매일2", "number"),
        ])
        .unwrap();
        assert_eq!(
            json(&s),
            r#"{"생년월일":"string","구매금액":"number","최근 구매일":"string","최근 구매일2":"number"}"#
        );
    }

    #[test]
    fn every_alias_maps_to_its_korean_key() {
        for (ko, camel, snake) in SUPPORTED {
            assert_eq!(canonical_key(ko), Key::Supported(ko));
            assert_eq!(canonical_key(camel), Key::Supported(ko));
            assert_eq!(canonical_key(snake), Key::Supported(ko));
            assert_eq!(english_of(ko), Some(*camel));
        }
        assert_eq!(canonical_key("Birthday2"), Key::Custom("Birthday2".into()));
        assert_eq!(canonical_key("purchase"), Key::Custom("purchase".into()));
    }

    #[test]
    fn every_spelling_of_a_standard_key_is_that_key() {
        // Kakao's REST doc names them in English with spaces; its sample listing is lower case.
        let cases: &[(&str, &[&str])] = &[
            (
                "생년월일",
                &["birthday", "Birthday", "BIRTHDAY", "birth day"],
            ),
            (
                "구매금액",
                &[
                    "purchase amount",
                    "Purchase Amount",
                    "purchase_amount",
                    "PURCHASE_AMOUNT",
                    "purchaseAmount",
                    "PurchaseAmount",
                    "purchase-amount",
                    "purchaseamount",
                ],
            ),
            (
                "최근 구매일",
                &[
                    "recent purchase date",
                    "Recent Purchase Date",
                    "recent_purchase_date",
                    "recentPurchaseDate",
                    "최근구매일",
                    "최근 구매일",
                ],
            ),
            (
                "가입일",
                &[
                    "signup date",
                    "Signup Date",
                    "signup_date",
                    "signupDate",
                    "SIGNUP_DATE",
                ],
            ),
            (
                "응모일",
                &[
                    "event application date",
                    "event_application_date",
                    "eventApplicationDate",
                    "Event Application Date",
                ],
            ),
            ("성별", &["gender", "Gender"]),
            ("연령", &["age", "AGE"]),
        ];
        for (ko, spellings) in cases {
            for s in *spellings {
                assert_eq!(canonical_key(s), Key::Supported(ko), "{s}");
            }
        }
        // A listing's spaced keys make a schema that registers and takes users again.
        let s = parse(&[
            ("purchase amount", "number"),
            ("recent purchase date", "string"),
        ])
        .unwrap();
        assert_eq!(json(&s), r#"{"구매금액":"number","최근 구매일":"string"}"#);
    }

    #[test]
    fn thirty_entries_ok_thirty_one_refused() {
        let keys: Vec<String> = (0..31).map(|i| format!("custom{i}")).collect();
        let thirty: Vec<(&str, &str)> = keys
            .iter()
            .take(30)
            .map(|k| (k.as_str(), "number"))
            .collect();
        assert_eq!(parse(&thirty).unwrap().entries().len(), 30);
        let all: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "number")).collect();
        let e = parse(&all).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("schema", "schema.max_items"));
    }

    #[test]
    fn refused_schemas() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (&[], "schema", "schema.min_items"),
            (
                &[("앱유저아이디", "number")],
                "schema.앱유저아이디",
                "schema.forbidden_key",
            ),
            (
                &[("전화번호", "string")],
                "schema.전화번호",
                "schema.forbidden_key",
            ),
            (
                &[("vipLevel", "string")],
                "schema.vipLevel",
                "schema.custom_key_type",
            ),
            (
                &[("연령", "number"), ("age", "number")],
                "schema.age",
                "schema.duplicate_key",
            ),
            (
                &[("signup_date", "string"), ("signupDate", "string")],
                "schema.signupDate",
                "schema.duplicate_key",
            ),
            (&[("연령", "boolean")], "schema.연령", "schema.value_type"),
            (&[("연령", "Number")], "schema.연령", "schema.value_type"),
            (&[("", "number")], "schema.", "schema.key_empty"),
            (&[("a\nb", "number")], "schema.a\nb", "schema.key_format"),
        ];
        for (pairs, field, rule) in cases {
            let e = parse(pairs).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule), (*field, *rule), "{pairs:?}");
        }
        let e = parse(&[("연령", "number"), ("age", "number")]).unwrap_err();
        assert_eq!(e.message, "\"age\" and \"연령\" both mean \"연령\"");
    }

    #[test]
    fn supported_keys_take_either_type() {
        for (ko, _, _) in SUPPORTED {
            for ty in ["string", "number"] {
                assert!(parse(&[(ko, ty)]).is_ok(), "{ko} {ty}");
            }
        }
    }
}
