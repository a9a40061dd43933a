//! Turning command-line paths into the list of files to read.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// How folders are walked.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions {
    /// Follow symbolic links inside folders (loops are detected and reported).
    pub follow_links: bool,
    /// Take every file in folders, not only those with image extensions.
    pub all_files: bool,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// Where.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// File extensions taken from folders, compared without case.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jfif", "jpe", "png", "webp", "gif", "bmp", "dib", "tif", "tiff",
];

/// Whether the file name has an image extension.
pub fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// The files named by `paths`, in order, folders expanded in sorted order.
/// Paths named directly are always taken; inside folders, symbolic links
/// are skipped unless followed, and only image files are taken unless
/// `all_files`. Problems become entries of their own so nothing is lost
/// silently.
pub fn walk(paths: &[PathBuf], options: &WalkOptions) -> Vec<Result<PathBuf, WalkError>> {
    let mut out = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => {
                out.push(Err(WalkError {
                    path: root.clone(),
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
                        && (options.all_files || has_image_extension(entry.path()))
                    {
                        out.push(Ok(entry.into_path()));
                    }
                }
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    let message = if e.loop_ancestor().is_some() {
                        "symbolic link loop, not followed".to_string()
                    } else {
                        format!(
                            "cannot read: {}",
                            e.io_error()
                                .map_or_else(|| e.to_string(), |io| io.to_string())
                        )
                    };
                    out.push(Err(WalkError { path, message }));
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
    }
}
