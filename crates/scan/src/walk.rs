//! Turning command-line paths into the list of files to read: folders
//! expanded in sorted order, links followed only when asked, loops and
//! unreadable folders reported rather than lost. Shared by `hashbank hash`
//! and `hashbank scan`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// How folders are walked.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions {
    /// Follow symbolic links inside folders (loops are detected and reported).
    pub follow_links: bool,
    /// Take every file in folders, not only those with image extensions.
    pub all_files: bool,
    /// Report symbolic links in folders that are not followed, rather than
    /// passing over them.
    pub report_links: bool,
    /// Take files with video extensions from folders too.
    pub videos: bool,
}

/// Why a path could not be walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkErrorKind {
    /// A symbolic link leads back to a folder it is in.
    LinkLoop,
    /// A symbolic link, not followed.
    LinkNotFollowed,
    /// The file or folder could not be read.
    Unreadable,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// Where.
    pub path: PathBuf,
    /// What kind of problem.
    pub kind: WalkErrorKind,
    /// Why, in words.
    pub message: String,
}

/// File extensions taken from folders, compared without case.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jfif", "jpe", "png", "webp", "gif", "bmp", "dib", "tif", "tiff",
];

/// Video file extensions taken from folders when videos are asked for.
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "mp4", "mov", "m4v", "3gp", "3g2", "webm", "mkv", "avi", "ts", "mts", "m2ts", "mpg", "mpeg",
    "flv", "wmv", "ogv",
];

/// Whether the file name has a video extension.
pub fn has_video_extension(path: &Path) -> bool {
    extension_in(path.as_os_str().as_encoded_bytes(), VIDEO_EXTENSIONS)
}

/// Whether the file name has an image extension.
pub fn has_image_extension(path: &Path) -> bool {
    extension_in(path.as_os_str().as_encoded_bytes(), IMAGE_EXTENSIONS)
}

/// Whether the name (raw bytes) ends in `.` and one of `extensions`, without case.
pub(crate) fn extension_in(name: &[u8], extensions: &[&str]) -> bool {
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = &name[dot + 1..];
    let in_last_component = !ext.contains(&b'/') && !ext.contains(&b'\\');
    let stem_present = dot > 0 && !matches!(name[dot - 1], b'/' | b'\\');
    in_last_component
        && stem_present
        && extensions
            .iter()
            .any(|x| x.as_bytes().eq_ignore_ascii_case(ext))
}

/// The files named by `paths`, in order, folders expanded in sorted order.
/// Paths named directly are always taken; inside folders, symbolic links
/// are skipped unless followed, and only image files (and video files, when
/// `videos`) are taken unless `all_files`. Problems become entries of their own so nothing is lost
/// silently.
pub fn walk(paths: &[PathBuf], options: &WalkOptions) -> Vec<Result<PathBuf, WalkError>> {
    let mut out = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => {
                out.push(Err(WalkError {
                    path: root.clone(),
                    kind: WalkErrorKind::Unreadable,
                    message: format!("cannot read: {e}"),
                }));
                continue;
            }
        };
        if !meta.is_dir() {
            out.push(Ok(root.clone()));
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(options.follow_links)
            .sort_by_file_name();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let file_type = entry.file_type();
                    if file_type.is_file()
                        && (options.all_files
                            || has_image_extension(entry.path())
                            || (options.videos && has_video_extension(entry.path())))
                    {
                        out.push(Ok(entry.into_path()));
                    } else if file_type.is_symlink() && options.report_links {
                        out.push(Err(WalkError {
                            path: entry.into_path(),
                            kind: WalkErrorKind::LinkNotFollowed,
                            message: "symbolic link, not followed (see --follow-links)".into(),
                        }));
                    }
                }
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    let (kind, message) = if e.loop_ancestor().is_some() {
                        (
                            WalkErrorKind::LinkLoop,
                            "symbolic link loop, not followed".to_string(),
                        )
                    } else {
                        (
                            WalkErrorKind::Unreadable,
                            format!(
                                "cannot read: {}",
                                e.io_error()
                                    .map_or_else(|| e.to_string(), |io| io.to_string())
                            ),
                        )
                    };
                    out.push(Err(WalkError {
                        path,
                        kind,
                        message,
                    }));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_extensions_ignore_case() {
        assert!(has_image_extension(Path::new("a/B.JPG")));
        assert!(has_image_extension(Path::new("x.tiff")));
        assert!(!has_image_extension(Path::new("notes.txt")));
        assert!(!has_image_extension(Path::new("jpg")));
        assert!(!has_image_extension(Path::new("a/.jpg")));
        assert!(!has_image_extension(Path::new("a.jpg/b")));
    }

    #[cfg(unix)]
    #[test]
    fn loops_and_links_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir(root.join("a")).unwrap();
        std::fs::write(root.join("a/x.jpg"), b"x").unwrap();
        std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
        let kinds = |options: WalkOptions| -> Vec<Option<WalkErrorKind>> {
            walk(std::slice::from_ref(&root), &options)
                .into_iter()
                .map(|r| r.err().map(|e| e.kind))
                .collect()
        };
        assert_eq!(kinds(WalkOptions::default()), vec![None]);
        let reported = WalkOptions {
            report_links: true,
            ..WalkOptions::default()
        };
        assert_eq!(
            kinds(reported),
            vec![Some(WalkErrorKind::LinkNotFollowed), None]
        );
        let followed = WalkOptions {
            follow_links: true,
            ..WalkOptions::default()
        };
        assert_eq!(kinds(followed), vec![Some(WalkErrorKind::LinkLoop), None]);
    }
}
