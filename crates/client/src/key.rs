//! The platform's API key, read from a file and never shown.

use std::fmt;
use std::path::Path;

/// Largest key file read: a key is a short line; anything longer is not a
/// key file.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// A platform API key. Its `Debug` form hides it, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// It could not be read.
    #[error("{}: cannot read the key file: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// It does not hold a key on its first line.
    #[error("{}: no API key on the first line of the key file", path.display())]
    Empty {
        /// The file.
        path: std::path::PathBuf,
    },
    /// It is too long or not text.
    #[error("{}: not a key file (a key file holds the API key on its first line)", path.display())]
    NotAKeyFile {
        /// The file.
        path: std::path::PathBuf,
    },
}

impl ApiKey {
    /// A key from its text.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key on the first line of `path` (trimmed). Warns, without
    /// refusing, when the file can be read by other users.
    pub fn from_file(path: &Path) -> Result<ApiKey, KeyFileError> {
        let io = |source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.len() > MAX_KEY_FILE_BYTES {
            return Err(KeyFileError::NotAKeyFile { path: path.into() });
        }
        warn_if_shared(path, &meta);
        let bytes = std::fs::read(path).map_err(io)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| KeyFileError::NotAKeyFile { path: path.into() })?;
        let key = text.lines().next().unwrap_or("").trim();
        if key.is_empty() {
            return Err(KeyFileError::Empty { path: path.into() });
        }
        if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(KeyFileError::NotAKeyFile { path: path.into() });
        }
        Ok(ApiKey(key.to_string()))
    }

    /// The key, for the `Authorization` header, and for a bank that keeps
    /// it to send it (an exchange's source key); never to print.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(hidden)")
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path, meta: &std::fs::Metadata) {
    use std::os::unix::fs::PermissionsExt;
    /// Permission bits for the group and for others.
    const GROUP_AND_OTHERS: u32 = 0o077;
    if meta.permissions().mode() & GROUP_AND_OTHERS != 0 {
        tracing::warn!(
            "{}: the key file can be read by other users; `chmod 600` it",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_: &Path, _: &std::fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_first_line_and_stay_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "  hbk_abc.def  \nsecond line\n").unwrap();
        let key = ApiKey::from_file(&path).unwrap();
        assert_eq!(key.expose(), "hbk_abc.def");
        assert!(!format!("{key:?}").contains("abc"));
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            ApiKey::from_file(&path),
            Err(KeyFileError::Empty { .. })
        ));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            ApiKey::from_file(&path),
            Err(KeyFileError::NotAKeyFile { .. })
        ));
        assert!(matches!(
            ApiKey::from_file(&dir.path().join("none")),
            Err(KeyFileError::Io { .. })
        ));
    }
}
