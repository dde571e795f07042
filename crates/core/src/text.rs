//! Text for messages and JSON: a string as a JSON literal, quoted, and a character named.
//! Imports nothing of the crate: every other module may use it (the arrows run one way).

/// Appends `s` as a JSON string literal.
pub fn push_json_str(out: &mut String, s: &str) {
    // Most strings (ids, keys, dates) need no escaping: copy them without serde's detour.
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // Serializing a &str to JSON cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// `s` in double quotes, escaped as JSON: what `{s:?}` shows for ordinary text, without pulling
/// Rust's Unicode printability tables into the wasm.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    push_json_str(&mut out, s);
    out
}

/// Names a character in an error message without echoing invisible ones raw.
pub fn describe_char(c: char) -> String {
    match c {
        ',' => "a comma".to_owned(),
        '&' => "'&'".to_owned(),
        '=' => "'='".to_owned(),
        '\r' => "a carriage return (CR)".to_owned(),
        '\n' => "a line feed (LF)".to_owned(),
        '\0' => "a NUL character".to_owned(),
        c if c.is_whitespace() => format!("whitespace (U+{:04X})", c as u32),
        c if c.is_control() => format!("a control character (U+{:04X})", c as u32),
        c if !c.is_ascii() => format!("a non-ASCII character (U+{:04X})", c as u32),
        c => quoted(c.encode_utf8(&mut [0; 4])).replace('"', "'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_json_str_matches_serde_json() {
        for s in [
            "",
            "plain",
            "생년월일",
            "quote \" and \\ backslash",
            "tab\tnewline\ncr\r",
            "\u{0}\u{1f}\u{7f}",
            "emoji 🎉 and \u{2028}",
            "\"",
        ] {
            let mut out = String::from("x");
            push_json_str(&mut out, s);
            assert_eq!(
                out,
                format!("x{}", serde_json::to_string(s).unwrap()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn quoted_and_described() {
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        assert_eq!(describe_char(','), "a comma");
        assert_eq!(describe_char('x'), "'x'");
        assert_eq!(describe_char('\u{7}'), "a control character (U+0007)");
    }
}
