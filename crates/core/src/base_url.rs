//! The `baseUrl` check: the subset of the WHATWG URL Standard (<https://url.spec.whatwg.org/>)
//! that decides whether `fetch` can ever reach an `http(s)` origin, so that a URL every call
//! would fail on is refused when the client is built instead of after three attempts.
//!
//! Written by hand rather than with the `url` crate: that crate (with IDNA tables) would add
//! far more to the wasm file than the SDK's whole validation layer, and the SDK needs only a
//! yes/no on the host and port, not a parsed and serialised URL. What is checked:
//! - the scheme, `http` or `https` in any case (schemes are case-insensitive), then `://`;
//! - no credentials (`user:password@`), no query, no fragment, no backslash, no whitespace or
//!   control characters (stricter than WHATWG, which would strip or rewrite some of them);
//! - the host: an IPv6 address in brackets (the standard's IPv6 parser); otherwise a domain
//!   after percent-decoding, without the standard's forbidden domain code points, ASCII only
//!   (an internationalised name must be written in its `xn--` form: no IDNA tables here), and
//!   when its last label is a number, a valid IPv4 address (decimal, octal or hex parts);
//! - the port: digits only, at most 65535 (an empty port means the default).
//!
//! The URL is returned as given, with the scheme lower-cased and trailing slashes removed.

use super::decimal::parse_u64;
use super::error::ValidationError;
use super::rules::{self, Rule};
use super::text::{describe_char, find_str, quoted, split_at, split_once_str};

fn err(rule: Rule, msg: impl Into<String>) -> ValidationError {
    ValidationError::new("baseUrl", rule, msg)
}

/// Whether `s` holds the ASCII character `b`. Not `str::contains(char)`: its search for a
/// multi-byte char links core's two-way searcher and a slicing panic (see `text::find_str`).
fn has(s: &str, b: u8) -> bool {
    s.bytes().any(|x| x == b)
}

/// Checks `baseUrl` (see the module comment); returns it normalised.
pub fn normalize_base_url(url: &str) -> Result<String, ValidationError> {
    if let Some(c) = url.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(err(
            rules::BASE_URL_FORMAT,
            format!("must not contain {}", describe_char(c)),
        ));
    }
    let (scheme, rest) = split_once_str(url, "://")
        .filter(|(s, _)| s.eq_ignore_ascii_case("https") || s.eq_ignore_ascii_case("http"))
        .ok_or_else(|| {
            err(
                rules::BASE_URL_SCHEME,
                "must start with https:// or http://",
            )
        })?;
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| split_at(rest, i));
    if has(authority, b'@') {
        return Err(err(
            rules::BASE_URL_CREDENTIALS,
            "must not contain credentials (user:password@); pass keys as options",
        ));
    }
    if has(url, b'?') || has(url, b'#') {
        return Err(err(
            rules::BASE_URL_FORMAT,
            "must not contain a query (?) or fragment (#)",
        ));
    }
    if has(url, b'\\') {
        return Err(err(
            rules::BASE_URL_FORMAT,
            "must not contain a backslash (write / )",
        ));
    }
    let (host, port) = split_port(authority);
    if host.is_empty() {
        return Err(err(rules::BASE_URL_FORMAT, "must name a host"));
    }
    check_host(host)?;
    if let Some(port) = port {
        check_port(port)?;
    }
    let mut out = scheme.to_ascii_lowercase();
    out.push_str("://");
    out.push_str(authority);
    out.push_str(path.trim_end_matches('/'));
    Ok(out)
}

/// `host[:port]`: the port is after the last `:` outside brackets.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    let host_end = if authority.starts_with('[') {
        authority
            .find(']')
            .map_or(authority.len(), |i| i.saturating_add(1))
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, tail) = split_at(authority, host_end.min(authority.len()));
    match tail.strip_prefix(':') {
        Some(port) => (host, Some(port)),
        // Something after `]` that is not `:port` makes the host invalid.
        None if !tail.is_empty() => (authority, None),
        None => (host, None),
    }
}

fn check_port(port: &str) -> Result<(), ValidationError> {
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            rules::BASE_URL_PORT,
            format!("the port must be digits, got {}", quoted(port)),
        ));
    }
    let digits = port.trim_start_matches('0');
    if digits.len() > 5 || parse_u64(digits, 10).unwrap_or(0) > 65_535 {
        return Err(err(
            rules::BASE_URL_PORT,
            format!("the port must be at most 65535, got {port}"),
        ));
    }
    Ok(())
}

fn bad_host(host: &str, why: &str) -> ValidationError {
    err(
        rules::BASE_URL_HOST,
        format!("the host {} {why}", quoted(host)),
    )
}

fn check_host(host: &str) -> Result<(), ValidationError> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(|| {
            bad_host(
                host,
                "opens an IPv6 address with [ but does not close it with ]",
            )
        })?;
        return if is_ipv6(inner) {
            Ok(())
        } else {
            Err(bad_host(host, "is not a valid IPv6 address"))
        };
    }
    let decoded = percent_decode(host);
    let domain = std::str::from_utf8(&decoded)
        .map_err(|_| bad_host(host, "percent-decodes to bytes that are not UTF-8"))?;
    if let Some(c) = domain.chars().find(|c| is_forbidden_domain_char(*c)) {
        return Err(bad_host(
            host,
            &format!("must not contain {} (WHATWG forbidden domain code point; a % must start a valid %XX escape)", describe_char(c)),
        ));
    }
    if !domain.is_ascii() {
        return Err(bad_host(
            host,
            "is not ASCII: write an internationalised domain name in its xn-- (punycode) form",
        ));
    }
    if ends_in_number(domain) && !is_ipv4(domain) {
        return Err(bad_host(
            host,
            "ends in a number but is not a valid IPv4 address",
        ));
    }
    Ok(())
}

/// WHATWG's forbidden domain code points.
fn is_forbidden_domain_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            ' ' | '#' | '%' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|'
        )
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Percent-decodes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let pair = (
            bytes.get(i.saturating_add(1)).copied().and_then(hex_value),
            bytes.get(i.saturating_add(2)).copied().and_then(hex_value),
        );
        match (b, pair) {
            (b'%', (Some(h), Some(l))) => {
                out.push(h.wrapping_shl(4) | l);
                i = i.saturating_add(3);
            }
            _ => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    out
}

/// WHATWG "ends in a number": the last label (a trailing dot aside) is all digits or `0x` hex.
fn ends_in_number(domain: &str) -> bool {
    let trimmed = domain.strip_suffix('.').unwrap_or(domain);
    let last = trimmed.rsplit('.').next().unwrap_or_default();
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One part of a WHATWG IPv4 address: decimal, `0x` hex or leading-zero octal.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (h, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (part.get(1..).unwrap_or_default(), 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    // A number this long exceeds 2³² in any radix: no overflow to handle.
    if digits.len() > 32 {
        return None;
    }
    parse_u64(digits, radix)
}

/// WHATWG's IPv4 parser, as a yes/no.
fn is_ipv4(domain: &str) -> bool {
    let trimmed = domain.strip_suffix('.').unwrap_or(domain);
    let parts: Vec<&str> = trimmed.split('.').collect();
    let n = parts.len();
    if n > 4 {
        return false;
    }
    // A loop, not `collect::<Option<..>>()`: each such collect links its own adapter.
    let mut numbers = Vec::with_capacity(n);
    for p in &parts {
        match ipv4_number(p) {
            Some(x) => numbers.push(x),
            None => return false,
        }
    }
    let Some((last, init)) = numbers.split_last() else {
        return false;
    };
    // The last part fills the remaining bytes: < 256^(5 - n).
    let limit = 256u64.checked_pow(u32::try_from(5usize.saturating_sub(n)).unwrap_or(0));
    init.iter().all(|x| *x <= 255) && limit.is_some_and(|l| *last < l)
}

/// WHATWG's IPv6 parser (host between the brackets), as a yes/no: 8 groups of 1–4 hex digits,
/// or fewer around one `::`; the last 32 bits may be written as a dotted IPv4 address.
fn is_ipv6(s: &str) -> bool {
    let (head, tail, compressed) = match split_once_str(s, "::") {
        Some((h, t)) => (h, Some(t), true),
        None => (s, None, false),
    };
    if tail.is_some_and(|t| find_str(t, "::").is_some()) {
        return false;
    }
    fn groups(part: &str) -> Vec<&str> {
        if part.is_empty() {
            Vec::new()
        } else {
            part.split(':').collect()
        }
    }
    let mut all = groups(head);
    all.extend(groups(tail.unwrap_or_default()));
    let mut count: usize = 0;
    let last_index = all.len().saturating_sub(1);
    for (i, g) in all.iter().enumerate() {
        if i == last_index && has(g, b'.') {
            if !is_ipv4_in_ipv6(g) {
                return false;
            }
            count = count.saturating_add(2);
        } else if (1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit()) {
            count = count.saturating_add(1);
        } else {
            return false;
        }
    }
    if compressed {
        count <= 7
    } else {
        count == 8
    }
}

/// Four decimal numbers ≤ 255 without leading zeros.
fn is_ipv4_in_ipv6(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && parse_u64(p, 10).is_some_and(|n| n <= 255)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(url: &str) -> &'static str {
        normalize_base_url(url).map_or_else(|e| e.rule, |_| "ok")
    }

    #[test]
    fn accepted_and_normalised() {
        for (input, out) in [
            ("https://kapi.kakao.com/", "https://kapi.kakao.com"),
            (
                "http://127.0.0.1:8080/prefix",
                "http://127.0.0.1:8080/prefix",
            ),
            ("HTTP://Example.COM", "http://Example.COM"),
            ("HtTpS://kapi.kakao.com//", "https://kapi.kakao.com"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            (
                "http://[::ffff:192.168.0.1]/",
                "http://[::ffff:192.168.0.1]",
            ),
            ("http://[1:2:3:4:5:6:7:8]", "http://[1:2:3:4:5:6:7:8]"),
            ("http://host:", "http://host:"),
            ("http://host:65535", "http://host:65535"),
            ("http://0x7f.1", "http://0x7f.1"),
            ("http://exa%2Dmple.com", "http://exa%2Dmple.com"),
            (
                "http://xn--bcher-kva.example/",
                "http://xn--bcher-kva.example",
            ),
            ("http://localhost/a%zz", "http://localhost/a%zz"),
        ] {
            assert_eq!(normalize_base_url(input).as_deref(), Ok(out), "{input}");
        }
    }

    #[test]
    fn refused_with_their_rule() {
        for (input, want) in [
            ("ftp://x", "base_url.scheme"),
            ("kapi.kakao.com", "base_url.scheme"),
            ("http:/x", "base_url.scheme"),
            ("https://", "base_url.format"),
            ("http://:80", "base_url.format"),
            ("https://user:pw@kapi.kakao.com", "base_url.credentials"),
            ("https://kapi.kakao.com?x=1", "base_url.format"),
            ("https://kapi.kakao.com/#f", "base_url.format"),
            ("https://kapi.kakao.com\r\n", "base_url.format"),
            ("http://a\\b", "base_url.format"),
            ("http://[::1", "base_url.host"),
            ("http://[::1]x", "base_url.host"),
            ("http://[::g]", "base_url.host"),
            ("http://[1:2:3:4:5:6:7:8:9]", "base_url.host"),
            ("http://[1:2:3:4:5:6:7]", "base_url.host"),
            ("http://[1::2::3]", "base_url.host"),
            ("http://[:1::2]", "base_url.host"),
            ("http://[::1.2.3.04]", "base_url.host"),
            ("http://[fe80::1%25eth0]", "base_url.host"),
            ("http://exa%zzmple.com", "base_url.host"),
            ("http://exa%2Fmple.com", "base_url.host"),
            ("http://exa%ffmple.com", "base_url.host"),
            ("http://ex<ample.com", "base_url.host"),
            ("http://bücher.example", "base_url.host"),
            ("http://1.2.3.256", "base_url.host"),
            ("http://1.2.3.4.5", "base_url.host"),
            ("http://example.09", "base_url.host"),
            ("http://4294967296", "base_url.host"),
            ("http://host:99999", "base_url.port"),
            ("http://host:65536", "base_url.port"),
            ("http://host:8a", "base_url.port"),
            ("http://host:-1", "base_url.port"),
        ] {
            assert_eq!(rule(input), want, "{input}");
        }
    }

    #[test]
    fn ipv4_numbers_follow_whatwg() {
        assert!(is_ipv4("127.0.0.1"));
        assert!(is_ipv4("4294967295"));
        assert!(is_ipv4("0x7f.0.0.1"));
        assert!(is_ipv4("0177.0.0.1"));
        assert!(is_ipv4("1.2.3.4."));
        assert!(!is_ipv4("08.0.0.1"));
        assert!(!is_ipv4("1.2.65536"));
        assert!(is_ipv4("1.2.65535"));
        assert!(!is_ipv4(&"9".repeat(40)));
    }

    #[test]
    fn messages_name_the_part() {
        let e = normalize_base_url("http://[::1").unwrap_err();
        assert_eq!(e.field, "baseUrl");
        assert_eq!(
            e.message,
            "the host \"[::1\" opens an IPv6 address with [ but does not close it with ]"
        );
        let e = normalize_base_url("http://host:99999").unwrap_err();
        assert_eq!(e.message, "the port must be at most 65535, got 99999");
    }
}
