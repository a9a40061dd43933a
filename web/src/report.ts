// What the hashing worker answers for one file: the page's copy of the
// Rust types in web/wasm/src (report.rs, refusal.rs); the hashes to submit
// are the bank's own NewHash (api-types.ts, made from crates/api).

import type { NewHash } from "./api-types.js";

export type RefusalCode = "not_an_image" | "too_large" | "too_many_pixels" | "corrupt" | "low_quality";

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

/** A file's bytes, sent to the worker (transferred, not copied). */
export interface Job {
  id: number;
  bytes: ArrayBuffer;
}

/** The worker's answer: a report and the time hashing took, or a failure. */
export type Answer =
  | { id: number; report: Report; millis: number }
  | { id: number; failure: string };
