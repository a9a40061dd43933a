//! Names of archive entries: those that would climb out of the archive are
//! refused (nothing is ever written to disk, but such a name is a sign of a
//! hostile archive and would mislead a reader of the report), and the rest
//! made safe to print.

use crate::skip::{Skip, SkipKind};

/// The character shown in place of control characters in names.
const REPLACEMENT: char = '?';

/// The entry name `raw` made printable, or why the entry is skipped.
/// Refused: empty names, NUL bytes, absolute paths (`/`, `\`), drive
/// letters (`C:`) and `..` components.
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

/// `raw` as text: invalid UTF-8 replaced, control characters shown as `?`.
pub fn printable(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .map(|c| if c.is_control() { REPLACEMENT } else { c })
        .collect()
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
        assert_eq!(check_name(b"x\x1b[31m.jpg").unwrap(), "x?[31m.jpg");
        assert_eq!(check_name(b"caf\xe9.jpg").unwrap(), "caf\u{fffd}.jpg");
    }
}
