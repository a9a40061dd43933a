// The command line's default limits (crates/media: DEFAULT_MAX_FILE_BYTES,
// DEFAULT_MAX_PIXELS). The file size is checked here before a file is read;
// both are checked again in WebAssembly.

export const MAX_FILE_MB = 64;
export const MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024;
export const MAX_MEGAPIXELS = 100;

/** The most hashes one case holds (crates/bank: MAX_HASHES_PER_CASE). */
export const MAX_HASHES_PER_CASE = 500;
