//! A JSON object written by hand: the wasm edge's records, hook infos and log data are small
//! objects of strings and integers, and writing them here, in one non-generic writer, links
//! far less code than building a `serde_json::Value` tree (or a `Serialize` impl per shape).
//! Keys are written in the order given: callers give them in byte order, the order
//! `serde_json::Map` (a `BTreeMap`) writes them in, so the text is what `json!` made.

use super::text::push_json_str;
use std::fmt::Write;

/// `v` as compact JSON text. Not `v.to_string()`: its `Display` links two more copies of the
/// `Value` serializer (compact and pretty, over a formatter), this one is shared with
/// `serde_json::to_string` of a result. Writing a `Value` cannot fail (its keys are strings).
pub fn value_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A JSON object being written: `JsonObject::new().str("a", "x").int("b", 1).finish()`.
pub struct JsonObject {
    out: String,
}

impl Default for JsonObject {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonObject {
    pub fn new() -> JsonObject {
        JsonObject {
            out: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        push_json_str(&mut self.out, key);
        self.out.push(':');
        &mut self.out
    }

    /// `key` with a JSON text as its value (an object, an array, a number, `null`).
    pub fn raw(mut self, key: &str, json: &str) -> JsonObject {
        self.key(key).push_str(json);
        self
    }

    pub fn str(mut self, key: &str, value: &str) -> JsonObject {
        push_json_str(self.key(key), value);
        self
    }

    /// `key` with a string, or `null`.
    pub fn opt_str(self, key: &str, value: Option<&str>) -> JsonObject {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    pub fn int(mut self, key: &str, value: i64) -> JsonObject {
        // Writing to a String cannot fail.
        let _ = write!(self.key(key), "{value}");
        self
    }

    /// `key` with an integer, or `null`.
    pub fn opt_int(self, key: &str, value: Option<i64>) -> JsonObject {
        match value {
            Some(v) => self.int(key, v),
            None => self.raw(key, "null"),
        }
    }

    pub fn uint(mut self, key: &str, value: u64) -> JsonObject {
        // Writing to a String cannot fail.
        let _ = write!(self.key(key), "{value}");
        self
    }

    /// `key` with an unsigned integer, or `null`.
    pub fn opt_uint(self, key: &str, value: Option<u64>) -> JsonObject {
        match value {
            Some(v) => self.uint(key, v),
            None => self.raw(key, "null"),
        }
    }

    pub fn bool(self, key: &str, value: bool) -> JsonObject {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// `key` with an array of strings.
    pub fn strs(mut self, key: &str, values: &[String]) -> JsonObject {
        let out = self.key(key);
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, v);
        }
        out.push(']');
        self
    }

    /// `key` with an array of JSON texts.
    pub fn raws(mut self, key: &str, values: &[String]) -> JsonObject {
        let out = self.key(key);
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(v);
        }
        out.push(']');
        self
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_what_json_macro_writes() {
        let text = JsonObject::new()
            .int("attempt", -3)
            .raw("headers", r#"{"a":"b"}"#)
            .opt_int("none", None)
            .opt_int("some", Some(7))
            .uint("big", u64::MAX)
            .opt_uint("noUint", None)
            .opt_uint("someUint", Some(9))
            .opt_str("noStr", None)
            .bool("ok", true)
            .bool("off", false)
            .str("quote", "say \"hi\"\n")
            .raws("raws", &["1".to_owned(), "{}".to_owned()])
            .strs("userIds", &["u\\1".to_owned(), "u2".to_owned()])
            .finish();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({
                "attempt": -3, "headers": { "a": "b" }, "none": null, "some": 7, "noStr": null,
                "big": u64::MAX, "noUint": null, "someUint": 9,
                "ok": true, "off": false, "quote": "say \"hi\"\n", "raws": [1, {}],
                "userIds": ["u\\1", "u2"],
            })
        );
        assert_eq!(
            JsonObject::new().strs("a", &[]).raws("b", &[]).finish(),
            r#"{"a":[],"b":[]}"#
        );
        assert_eq!(JsonObject::new().finish(), "{}");
        assert_eq!(
            JsonObject::new()
                .str("endpoint", "GET /x")
                .int("status", 200)
                .finish(),
            json!({ "status": 200, "endpoint": "GET /x" }).to_string()
        );
    }

    #[test]
    fn value_text_is_what_display_writes() {
        let v = json!({ "b": [1, 2.5, -3, null, true], "a": { "z": "q\"\n", "y": 1e300 } });
        assert_eq!(value_text(&v), v.to_string());
        assert_eq!(value_text(&json!("x")), "\"x\"");
    }
}
