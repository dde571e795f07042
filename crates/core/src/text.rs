//! Text for messages and JSON: a string as a JSON literal, quoted, and a character named.
//! Imports nothing of the crate: every other module may use it (the arrows run one way).

/// Appends `s` as a JSON string literal.
pub fn push_json_str(out: &mut String, s: &str) {
    // Most strings (ids, keys, dates) need no escaping: copy them without serde's detour.
    if !needs_escape(s) {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // Serializing a &str to JSON cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// Whether `s` needs escaping in a JSON string (a quote, a backslash or a control character);
/// any other character is written as is, as `serde_json` writes it.
pub fn needs_escape(s: &str) -> bool {
    s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// Where `needle` first occurs in `hay` (a byte offset, on a char boundary: both are UTF-8).
/// By hand, as `replace_str` below: a `&str` pattern of `str::find`, `contains`, `replace` or
/// `split_once` links core's two-way searcher, whose slicing can panic with a message that
/// links `char`'s `Debug` and its Unicode printability tables (~8 KB of wasm together).
/// `a`, `b` and `c` joined: one allocation of the right size, no formatting machinery (for the
/// strings of every request: URL, endpoint, `Authorization`).
pub fn join3(a: &str, b: &str, c: &str) -> String {
    let mut out = String::with_capacity(a.len().saturating_add(b.len()).saturating_add(c.len()));
    out.push_str(a);
    out.push_str(b);
    out.push_str(c);
    out
}

pub fn find_str(hay: &str, needle: &str) -> Option<usize> {
    find_bytes(hay.as_bytes(), needle.as_bytes())
}

/// Where `n` first occurs in `h`, as [`find_str`] on bytes.
pub fn find_bytes(h: &[u8], n: &[u8]) -> Option<usize> {
    let Some(&first) = n.first() else {
        return Some(0);
    };
    let mut i = 0usize;
    while let Some(rest) = h.get(i..) {
        if rest.len() < n.len() {
            return None;
        }
        if rest.first() == Some(&first) && rest.starts_with(n) {
            return Some(i);
        }
        i = i.saturating_add(1);
    }
    None
}

/// `s` split at byte `at`, as `str::split_at` (whose panic message links `char`'s `Debug`):
/// `(s, "")` when `at` is past the end or not a char boundary.
pub fn split_at(s: &str, at: usize) -> (&str, &str) {
    match (s.get(..at), s.get(at..)) {
        (Some(head), Some(tail)) => (head, tail),
        _ => (s, ""),
    }
}

/// `hay` split around the first `needle`, as `str::split_once` with a `&str` does.
pub fn split_once_str<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find_str(hay, needle)?;
    Some((hay.get(..at)?, hay.get(at.saturating_add(needle.len())..)?))
}

/// `hay` with every (non-overlapping, leftmost first) `needle` replaced by `with`, as
/// `str::replace` does; `needle` must not be empty (then `hay` is returned as is).
pub fn replace_str(hay: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return hay.to_owned();
    }
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(at) = find_str(rest, needle) {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push_str(with);
        rest = rest
            .get(at.saturating_add(needle.len())..)
            .unwrap_or_default();
    }
    out.push_str(rest);
    out
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
    fn str_searches_match_core_s() {
        let hays = [
            "",
            "a",
            "abc",
            "aaaa",
            "가나다가나",
            "x://y://z",
            "::1::",
            "ab ab  ab",
        ];
        let needles = ["a", "aa", "ab", "가나", "://", "::", " ", "abcd", "z"];
        for h in hays {
            for n in needles {
                assert_eq!(find_str(h, n), h.find(n), "{h} {n}");
                assert_eq!(split_once_str(h, n), h.split_once(n), "{h} {n}");
                assert_eq!(replace_str(h, n, "[R]"), h.replace(n, "[R]"), "{h} {n}");
            }
        }
        assert_eq!(find_str("abc", ""), Some(0));
        assert_eq!(split_at("가a", 3), ("가", "a"));
        assert_eq!(split_at("abc", 0), ("", "abc"));
        assert_eq!(split_at("가", 1), ("가", ""));
        assert_eq!(replace_str("abc", "", "x"), "abc");
    }

    #[test]
    fn quoted_and_described() {
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        assert_eq!(describe_char(','), "a comma");
        assert_eq!(describe_char('x'), "'x'");
        assert_eq!(describe_char('\u{7}'), "a control character (U+0007)");
    }
}
