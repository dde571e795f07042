//! Parsing of Kakao's answers: register, add and view; and which failures stop the
//! remaining batches.

use crate::core::error::{ApiError, ResponseError};
use crate::core::id_map;
use crate::core::ids::MAX_SAFE_INTEGER;
use crate::core::json::{value_text, JsonObject};
use crate::core::schema::canonical_key;
use crate::core::text::push_json_str;
use crate::core::time::parse_kakao_datetime;

fn bad(body: &str, message: impl Into<String>) -> ResponseError {
    ResponseError::new(200, message, body)
}

fn object(body: &str) -> Result<serde_json::Map<String, serde_json::Value>, ResponseError> {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad(body, "expected a JSON object")),
        Err(e) => Err(bad(body, format!("not JSON: {e}"))),
    }
}

fn count(
    map: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    body: &str,
) -> Result<u64, ResponseError> {
    map.get(key)
        .and_then(serde_json::Value::as_u64)
        .filter(|n| *n as f64 <= MAX_SAFE_INTEGER)
        .ok_or_else(|| {
            bad(
                body,
                format!("{key} is missing or not a non-negative integer"),
            )
        })
}

/// A file id from an answer: a positive safe integer (0 names no file).
fn file_id(
    map: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    body: &str,
) -> Result<u64, ResponseError> {
    match count(map, key, body)? {
        0 => Err(bad(body, format!("{key} is 0, which names no file"))),
        id => Ok(id),
    }
}

/// The register answer: `{"file_id": 437}`, a positive id.
pub fn parse_register(body: &str) -> Result<u64, ResponseError> {
    file_id(&object(body)?, "file_id", body)
}

/// The add answer to a batch of `sent` users for file `file_id`: `(request_count,
/// success_count)`. Kakao's REST doc answers `{"file_id": 437, "request_count": 10,
/// "success_count": 9}`; an answer about another file, counting another number of users than
/// were sent, or more successes than requests contradicts the question and is an error.
/// `file_id` may be absent (only the counts are needed), but not different.
pub fn parse_add(body: &str, sent: usize, file_id: u64) -> Result<(u64, u64), ResponseError> {
    let m = object(body)?;
    let requested = count(&m, "request_count", body)?;
    let succeeded = count(&m, "success_count", body)?;
    if m.contains_key("file_id") {
        let answered = count(&m, "file_id", body)?;
        if answered != file_id {
            return Err(bad(
                body,
                format!("Kakao answered for file_id {answered} but file_id {file_id} was sent"),
            ));
        }
    }
    if u64::try_from(sent).ok() != Some(requested) {
        return Err(bad(
            body,
            format!("request_count is {requested} but {sent} users were sent"),
        ));
    }
    if succeeded > requested {
        return Err(bad(
            body,
            format!("success_count {succeeded} is more than request_count {requested}"),
        ));
    }
    Ok((requested, succeeded))
}

/// Results are written in camelCase ([`CustomerFileList::json`]): the JSON that reaches JS
/// (dates as epoch millis).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFile {
    pub file_id: u64,
    pub file_name: String,
    /// Lower-cased (`USING` → `using`); unknown values pass through.
    pub status: String,
    /// UTC epoch millis of `update_at`.
    pub updated_at: Option<i64>,
    /// Canonical Korean keys → `string` / `number`.
    pub schema: Vec<(String, String)>,
    /// Kakao's fields of this file that could not be read (`update_at`, `status`, `schema`),
    /// by Kakao's name, with the raw value as Kakao sent it; the field itself is then read as
    /// absent (`updatedAt: null`, `status: ""`, `schema: {}`). Left out when empty. One odd
    /// field of one file never costs the caller the other files.
    pub unreadable: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFileList {
    pub files: Vec<CustomerFile>,
    pub empty_slot: u64,
    pub using_slot: u64,
}

impl CustomerFile {
    /// `{fileId, fileName, status, updatedAt, schema, unreadable}` (the fields' order;
    /// `unreadable` left out when empty): the text `#[derive(Serialize)]` wrote, written with
    /// the crate's one JSON writer (a derive links its own copy of serde_json's serializer).
    pub fn json(&self) -> String {
        let o = JsonObject::new()
            .uint("fileId", self.file_id)
            .str("fileName", &self.file_name)
            .str("status", &self.status)
            .opt_int("updatedAt", self.updated_at)
            .raw("schema", &pairs_as_object(&self.schema));
        if self.unreadable.is_empty() {
            o.finish()
        } else {
            o.raw("unreadable", &value_text_of_map(&self.unreadable))
                .finish()
        }
    }
}

impl CustomerFileList {
    /// `{files, emptySlot, usingSlot}` as JSON (see [`CustomerFile::json`]).
    pub fn json(&self) -> String {
        let mut files = Vec::with_capacity(self.files.len());
        for f in &self.files {
            files.push(f.json());
        }
        JsonObject::new()
            .raws("files", &files)
            .uint("emptySlot", self.empty_slot)
            .uint("usingSlot", self.using_slot)
            .finish()
    }
}

/// A map of Kakao's raw values as JSON (keys in byte order, as `serde_json::Map` keeps them).
fn value_text_of_map(m: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(&mut out, k);
        out.push(':');
        out.push_str(&value_text(v));
    }
    out.push('}');
    out
}

fn parse_file(v: &serde_json::Value, i: usize, body: &str) -> Result<CustomerFile, ResponseError> {
    let serde_json::Value::Object(m) = v else {
        return Err(bad(body, format!("results[{i}] is not an object")));
    };
    let file_id = file_id(m, "file_id", body)?;
    let text = |key: &str| -> Result<Option<String>, ResponseError> {
        match m.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(
                body,
                format!(
                    "results[{i}].{key} is not a string: {}",
                    crate::core::json::value_text(other)
                ),
            )),
        }
    };
    let file_name = text("file_name")?
        .ok_or_else(|| bad(body, format!("results[{i}].file_name is missing")))?;
    let mut unreadable = serde_json::Map::new();
    let mut keep = |key: &str| {
        if let Some(v) = m.get(key) {
            unreadable.insert(key.to_owned(), v.clone());
        }
    };
    let status = match m.get("status") {
        Some(serde_json::Value::String(s)) => s.to_ascii_lowercase(),
        None | Some(serde_json::Value::Null) => String::new(),
        Some(_) => {
            keep("status");
            String::new()
        }
    };
    let updated_at = match m.get("update_at") {
        Some(serde_json::Value::String(s)) => {
            let at = parse_kakao_datetime(s);
            if at.is_none() {
                keep("update_at");
            }
            at
        }
        None | Some(serde_json::Value::Null) => None,
        Some(_) => {
            keep("update_at");
            None
        }
    };
    let schema = read_schema(m.get("schema")).unwrap_or_else(|| {
        keep("schema");
        Vec::new()
    });
    Ok(CustomerFile {
        file_id,
        file_name,
        status,
        updated_at,
        schema,
        unreadable,
    })
}

/// A file's `schema`: Kakao sends a JSON string with English keys (an object is accepted too);
/// keys canonical (Korean), types lower-cased. `None` when it cannot be read.
fn read_schema(v: Option<&serde_json::Value>) -> Option<Vec<(String, String)>> {
    let parsed;
    let map = match v {
        None | Some(serde_json::Value::Null) => return Some(Vec::new()),
        Some(serde_json::Value::String(s)) => {
            parsed = serde_json::from_str::<serde_json::Value>(s).ok()?;
            parsed.as_object()?
        }
        Some(serde_json::Value::Object(o)) => o,
        Some(_) => return None,
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (k, v) in map {
        let ty = v.as_str()?.to_ascii_lowercase();
        pairs.push((canonical_key(k).as_str().to_owned(), ty));
    }
    Some(pairs)
}

/// The view answer. Every file id is positive and listed once; the slot counts are
/// non-negative integers (Kakao's REST doc documents no relation between them and `results`,
/// so none is checked).
pub fn parse_view(body: &str) -> Result<CustomerFileList, ResponseError> {
    let m = object(body)?;
    let files: Vec<CustomerFile> = match m.get("results") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => {
            // A loop, not `collect::<Result<..>>()`: each such collect links its own adapter.
            let mut files = Vec::with_capacity(a.len());
            for (i, v) in a.iter().enumerate() {
                files.push(parse_file(v, i, body)?);
            }
            files
        }
        Some(_) => return Err(bad(body, "results is not an array")),
    };
    let mut ids = id_map::with_capacity(files.len());
    if let Some(again) = files
        .iter()
        .enumerate()
        .find(|(i, f)| ids.insert(f.file_id, *i).is_some())
        .map(|(_, f)| f)
    {
        return Err(bad(
            body,
            format!("results lists file_id {} twice", again.file_id),
        ));
    }
    Ok(CustomerFileList {
        files,
        empty_slot: count(&m, "empty_slot", body)?,
        using_slot: count(&m, "using_slot", body)?,
    })
}

/// After a batch failed for good: do the remaining batches stand a chance? Not when the key,
/// the file, the channel or the quota is the problem: those batches are reported unsent.
pub fn fails_every_batch(e: &ApiError) -> bool {
    matches!(e.status, 401 | 403)
        || matches!(
            e.code,
            Some(-3 | -4 | -5 | -6 | -10 | -11 | -12 | -401 | -541 | -544 | -816 | -819 | -911)
        )
}

/// `(key, type)` pairs as one JSON object, in order (a `__proto__` key stays a plain key:
/// JSON.parse makes it an own property).
fn pairs_as_object(pairs: &[(String, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(&mut out, k);
        out.push(':');
        push_json_str(&mut out, v);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_doc_view_sample_exactly() {
        let body = r#"{
          "results":[
            {
              "file_id":437,
              "file_name": "VIPCustomerList",
              "status":"USING",
              "update_at":"2019-02-03 13:22:33",
              "schema": "{\"birthday\":\"string\",\"gender\":\"string\",\"age\":\"number\"}"
            }
          ],
          "empty_slot":27,
          "using_slot":3
        }"#;
        let list = parse_view(body).unwrap();
        assert_eq!(
            list,
            CustomerFileList {
                files: vec![CustomerFile {
                    file_id: 437,
                    file_name: "VIPCustomerList".into(),
                    status: "using".into(),
                    // 2019-02-03 13:22:33 KST = 04:22:33 UTC
                    updated_at: Some(1_549_167_753_000),
                    schema: vec![
                        ("연령".into(), "number".into()),
                        ("생년월일".into(), "string".into()),
                        ("성별".into(), "string".into()),
                    ],
                    unreadable: serde_json::Map::new(),
                }],
                empty_slot: 27,
                using_slot: 3,
            }
        );
    }

    #[test]
    fn view_quirks_and_bad_bodies() {
        let ok = parse_view(r#"{"results":[{"file_id":1,"file_name":"a","status":"ARCHIVED","update_at":"2019-02-03T04:22:33Z","schema":"{\"custom1\":\"number\"}"}],"empty_slot":29,"using_slot":1}"#).unwrap();
        let f = ok.files.first().unwrap();
        assert_eq!(f.status, "archived");
        assert_eq!(f.updated_at, Some(1_549_167_753_000));
        assert_eq!(f.schema, vec![("custom1".to_owned(), "number".to_owned())]);
        // Java's Timestamp.toString() form: fractional seconds.
        let java = parse_view(r#"{"results":[{"file_id":1,"file_name":"a","status":"USING","update_at":"2019-02-03 13:22:33.0","schema":"{}"}],"empty_slot":29,"using_slot":1}"#).unwrap();
        assert_eq!(java.files[0].updated_at, Some(1_549_167_753_000));
        assert!(java.files[0].unreadable.is_empty());
        // One unreadable optional field of one file: that file keeps the raw value, the
        // others are read as usual.
        let list = parse_view(r#"{"results":[{"file_id":1,"file_name":"a","status":"USING","update_at":"03/02/2019","schema":"{\"age\":\"number\"}"},{"file_id":2,"file_name":"b","status":7,"update_at":20190203,"schema":"{bad"},{"file_id":3,"file_name":"c","status":"USING","update_at":"2019-02-03 13:22:33","schema":{"age":1}}],"empty_slot":27,"using_slot":3}"#).unwrap();
        let [a, b, c] = &list.files[..] else {
            panic!("{list:?}")
        };
        assert_eq!((a.updated_at, a.status.as_str()), (None, "using"));
        assert_eq!(a.schema, vec![("연령".to_owned(), "number".to_owned())]);
        assert_eq!(
            serde_json::to_string(&a.unreadable).unwrap(),
            r#"{"update_at":"03/02/2019"}"#
        );
        assert_eq!(
            (b.updated_at, b.status.as_str(), b.schema.len()),
            (None, "", 0)
        );
        assert_eq!(
            serde_json::to_string(&b.unreadable).unwrap(),
            r#"{"schema":"{bad","status":7,"update_at":20190203}"#
        );
        assert_eq!(c.updated_at, Some(1_549_167_753_000));
        assert_eq!(
            serde_json::to_string(&c.unreadable).unwrap(),
            r#"{"schema":{"age":1}}"#
        );
        // Serialized for JS: `unreadable` only where something was.
        let json = list.json();
        assert_eq!(json.matches("unreadable").count(), 3);
        // Written as `#[derive(Serialize)]` wrote it: fields in order, `unreadable` by Kakao's
        // names in byte order with the raw values, the schema's pairs in order.
        assert_eq!(
            json,
            concat!(
                r#"{"files":[{"fileId":1,"fileName":"a","status":"using","updatedAt":null,"schema":{"연령":"number"},"unreadable":{"update_at":"03/02/2019"}},"#,
                r#"{"fileId":2,"fileName":"b","status":"","updatedAt":null,"schema":{},"unreadable":{"schema":"{bad","status":7,"update_at":20190203}},"#,
                r#"{"fileId":3,"fileName":"c","status":"using","updatedAt":1549167753000,"schema":{},"unreadable":{"schema":{"age":1}}}],"emptySlot":27,"usingSlot":3}"#
            )
        );
        assert_eq!(
            CustomerFileList {
                files: vec![],
                empty_slot: 0,
                using_slot: 0
            }
            .json(),
            r#"{"files":[],"emptySlot":0,"usingSlot":0}"#
        );
        assert!(!java.json().contains("unreadable"));
        for body in [
            "",
            "[]",
            r#"{"results":[]}"#,
            r#"{"results":[{"file_name":"a"}],"empty_slot":1,"using_slot":1}"#,
            r#"{"results":[{"file_id":1}],"empty_slot":1,"using_slot":1}"#,
        ] {
            assert!(parse_view(body).is_err(), "{body}");
        }
    }

    #[test]
    fn add_and_register_answers() {
        assert_eq!(
            parse_add(
                r#"{"file_id": 437, "request_count": 10, "success_count": 9}"#,
                10,
                437
            ),
            Ok((10, 9))
        );
        // Without file_id the counts still answer the batch.
        assert_eq!(
            parse_add(r#"{"request_count": 2, "success_count": 0}"#, 2, 437),
            Ok((2, 0))
        );
        assert!(parse_add(r#"{"file_id": 437}"#, 10, 437).is_err());
        assert!(parse_add("", 10, 437).is_err());
        assert_eq!(parse_register(r#"{ "file_id" : 437 }"#), Ok(437));
        assert!(parse_register(r#"{ "file_id" : -1 }"#).is_err());
    }

    #[test]
    fn answers_that_contradict_the_question_are_errors() {
        let add = |body: &str| parse_add(body, 10, 437).map_err(|e| (e.status, e.message));
        assert_eq!(
            add(r#"{"file_id": 437, "request_count": 10, "success_count": 11}"#),
            Err((200, "success_count 11 is more than request_count 10".into()))
        );
        assert_eq!(
            add(r#"{"file_id": 437, "request_count": 9, "success_count": 9}"#),
            Err((200, "request_count is 9 but 10 users were sent".into()))
        );
        assert_eq!(
            add(r#"{"file_id": 438, "request_count": 10, "success_count": 10}"#),
            Err((
                200,
                "Kakao answered for file_id 438 but file_id 437 was sent".into()
            ))
        );
        assert_eq!(
            add(r#"{"file_id": "437", "request_count": 10, "success_count": 10}"#),
            Err((
                200,
                "file_id is missing or not a non-negative integer".into()
            ))
        );
        let e = parse_add(r#"{"request_count": 1, "success_count": 2}"#, 1, 437).unwrap_err();
        assert_eq!(
            e.body_snippet,
            r#"{"request_count": 1, "success_count": 2}"#
        );
        // Register: file_id 0 or negative names no file.
        assert_eq!(
            parse_register(r#"{"file_id": 0}"#).map_err(|e| e.message),
            Err("file_id is 0, which names no file".into())
        );
        assert!(parse_register(r#"{"file_id": -437}"#).is_err());
        assert!(parse_register(r#"{"file_id": 437.5}"#).is_err());
        // View: a file id 0, a file listed twice, negative slots.
        let view = |results: &str, empty: &str| {
            parse_view(&format!(
                r#"{{"results":[{results}],"empty_slot":{empty},"using_slot":1}}"#
            ))
            .map_err(|e| e.message)
        };
        let file = |id: u64| format!(r#"{{"file_id":{id},"file_name":"a","status":"USING"}}"#);
        assert_eq!(
            view(&file(0), "29"),
            Err("file_id is 0, which names no file".into())
        );
        assert_eq!(
            view(&format!("{},{},{}", file(5), file(6), file(5)), "27"),
            Err("results lists file_id 5 twice".into())
        );
        assert_eq!(
            view(&file(5), "-1"),
            Err("empty_slot is missing or not a non-negative integer".into())
        );
        assert_eq!(
            view(&format!("{},{}", file(5), file(6)), "28").map(|l| l.files.len()),
            Ok(2)
        );
    }

    #[test]
    fn a_schema_key_named_like_an_object_internal_is_kept() {
        let body = r#"{"results":[{"file_id":1,"file_name":"a","status":"USING","schema":"{\"__proto__\":\"number\",\"constructor\":\"number\",\"age\":\"number\"}"}],"empty_slot":29,"using_slot":1}"#;
        let list = parse_view(body).unwrap();
        // In the order of Kakao's (English) keys, each mapped to its canonical key.
        assert_eq!(
            list.files[0].schema,
            vec![
                ("__proto__".to_owned(), "number".to_owned()),
                ("연령".to_owned(), "number".to_owned()),
                ("constructor".to_owned(), "number".to_owned()),
            ]
        );
    }

    #[test]
    fn which_failures_stop_the_remaining_batches() {
        let e = |status, body| ApiError::from_response(status, body);
        assert!(fails_every_batch(&e(401, r#"{"msg":"x","code":-401}"#)));
        assert!(fails_every_batch(&e(400, r#"{"msg":"x","code":-816}"#)));
        assert!(fails_every_batch(&e(400, r#"{"msg":"x","code":-10}"#)));
        assert!(!fails_every_batch(&e(400, r#"{"msg":"x","code":-2}"#)));
        assert!(!fails_every_batch(&e(503, "")));
    }
}
