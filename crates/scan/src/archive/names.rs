//! Names of archive entries: those that would climb out of the archive are
//! refused (nothing is ever written to disk, but such a name is a sign of a
//! hostile archive and would mislead a reader of the report), and the rest
//! made safe to print without two names ever printing alike.

use crate::skip::{Skip, SkipKind};

/// An entry's name as text, or why it is refused (`unsafe_name`).
pub fn check_name(raw: &[u8]) -> Result<String, Skip> {
    let unsafe_name = |why: &str| Skip::new(SkipKind::UnsafeName, why);
    if raw.is_empty() {
        return Err(unsafe_name("an entry without a name"));
    }
    if raw.contains(&0) {
        return Err(unsafe_name("a NUL byte in the entry's name"));
    }
    if matches!(raw[0], b'/' | b'\\') {
        return Err(unsafe_name("an absolute path in the archive"));
    }
    if raw.len() >= 2 && raw[0].is_ascii_alphabetic() && raw[1] == b':' {
        return Err(unsafe_name("a drive letter in the archive"));
    }
    if raw
        .split(|&b| b == b'/' || b == b'\\')
        .any(|part| part == b"..")
    {
        return Err(unsafe_name("a path that climbs out of the archive (`..`)"));
    }
    Ok(printable(raw))
}

/// `raw` as text that can be printed and read back: each byte that is not
/// part of valid UTF-8 (always 80 to FF) and each ASCII control character
/// as `\xNN`, any other control character as `\u{NNNN}`, a backslash as
/// `\\`; every other character as it is. Two different names never print
/// alike.
pub fn printable(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() && c.is_ascii() => {
                    out.push_str(&format!("\\x{:02X}", c as u32));
                }
                c if c.is_control() => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_climb_out_are_refused() {
        for bad in [
            &b""[..],
            b"../../evil.jpg",
            b"a/../../b.jpg",
            b"a\\..\\b.jpg",
            b"/etc/passwd",
            b"\\windows\\x.jpg",
            b"C:\\x.jpg",
            b"c:x.jpg",
            b"a\0.jpg",
            b"..",
        ] {
            let err = check_name(bad).unwrap_err();
            assert_eq!(err.kind, SkipKind::UnsafeName, "{bad:?}");
        }
    }

    #[test]
    fn ordinary_names_pass_printable() {
        assert_eq!(check_name(b"dir/photo.jpg").unwrap(), "dir/photo.jpg");
        assert_eq!(check_name(b"a..b/..c.jpg").unwrap(), "a..b/..c.jpg");
        assert_eq!(check_name(b"x\x1b[31m.jpg").unwrap(), "x\\x1B[31m.jpg");
        assert_eq!(check_name(b"caf\xe9.jpg").unwrap(), "caf\\xE9.jpg");
        assert_eq!(check_name("café.jpg".as_bytes()).unwrap(), "café.jpg");
        assert_eq!(printable(b"a\\b"), "a\\\\b");
        assert_eq!(
            printable("x\u{85}y\u{2028}".as_bytes()),
            "x\\u{0085}y\u{2028}"
        );
    }

    #[test]
    fn different_names_never_print_alike() {
        // Names that a lossy conversion, or escaping without escaping the
        // escape character, would print alike.
        let names: [&[u8]; 9] = [
            b"caf\x85.jpg",
            b"caf\xe9.jpg",
            "caf\u{85}.jpg".as_bytes(),
            "caf\u{fffd}.jpg".as_bytes(),
            b"caf\\xE9.jpg",
            b"caf\\\\xE9.jpg",
            b"caf\x1b.jpg",
            b"caf?.jpg",
            b"caf\\x1B.jpg",
        ];
        let mut shown: Vec<String> = names.iter().map(|n| printable(n)).collect();
        shown.sort();
        shown.dedup();
        assert_eq!(shown.len(), names.len(), "{shown:?}");
    }
}
