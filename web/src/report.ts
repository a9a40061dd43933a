// What the hashing worker answers for one file: the page's copy of the
// Rust types in web/wasm/src (report.rs, refusal.rs); the hashes to submit
// are the bank's own NewHash (api-types.ts, made from crates/api).

import type { NewHash } from "./api-types.js";

export type RefusalCode = "not_an_image" | "too_large" | "too_many_pixels" | "too_long" | "corrupt" | "low_quality";

/** A file's fingerprint, as `hashbank hash` prints it. */
export interface Print {
  pdq: string;
  quality: number;
  md5: string;
  sha256: string;
  width: number;
  height: number;
}

export interface Report {
  fingerprint: Print | null;
  hashes: NewHash[];
  refusal: { code: RefusalCode; message: string } | null;
}

/** A video's fingerprint (web/wasm/src/video.rs: VideoPrint). */
export interface VideoPrint {
  frames: number;
  decoded: number;
  width: number;
  height: number;
  frame_rate: number;
  step: number;
  md5: string;
  sha256: string;
  /** The vPDQ hash in the reference's text form, its parts after it. */
  vpdq: string;
}

export interface VideoReport {
  video: VideoPrint | null;
  hashes: NewHash[];
  refusal: { code: RefusalCode; message: string } | null;
}

/**
 * Work for the worker: an image's bytes (transferred, not copied), a video
 * (the File itself, read there piece by piece), or cancelling a video.
 */
export type Job =
  | { id: number; bytes: ArrayBuffer }
  | { id: number; video: File }
  | { id: number; cancel: true };

/**
 * The worker's answer: a report and the time hashing took, a failure, a
 * video's progress (0 to 1), or a video this browser cannot decode.
 */
export type Answer =
  | { id: number; report: Report; millis: number }
  | { id: number; video: VideoReport; millis: number }
  | { id: number; progress: number }
  | { id: number; unsupported: string }
  | { id: number; cancelled: true }
  | { id: number; failure: string };
