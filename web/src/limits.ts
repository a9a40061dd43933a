// The command line's default limits (crates/media: DEFAULT_MAX_FILE_BYTES,
// DEFAULT_MAX_PIXELS). The file size is checked here before a file is read;
// both are checked again in WebAssembly.

export const MAX_FILE_MB = 64;
export const MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024;
export const MAX_MEGAPIXELS = 100;

/**
 * A video's limits (web/wasm/src/video.rs: MAX_VIDEO_SECONDS and
 * MAX_VIDEO_BYTES), checked in WebAssembly; shown before she picks.
 */
export const MAX_VIDEO_MINUTES = 60;
export const MAX_VIDEO_GB = 4;
export const MAX_VIDEO_BYTES = MAX_VIDEO_GB * 1024 * 1024 * 1024;

/** The most hashes one case holds (crates/bank: MAX_HASHES_PER_CASE). */
export const MAX_HASHES_PER_CASE = 500;
