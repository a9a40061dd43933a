// The bank's case API (crates/server/src/cases.rs), same origin only. The
// PIN travels in the X-Case-Pin header, never in a URL.

import type { SubmitHash } from "./report.js";

export type Kind = "pdq" | "md5" | "sha256";
export type Role = "plain" | "extra";

/** A hash of a case, as its owner sees it. */
export interface CaseHash {
  id: number;
  /** The public id of its value, as platforms see it; absent once withdrawn. */
  hash_id?: number;
  kind: Kind;
  role: Role;
  /** PDQ only: `pdq` (the whole image) or the part of the picture hashed. */
  label?: string;
  value?: string;
  quality?: number;
  status: "active" | "suspended" | "withdrawn";
}

export interface Created {
  case_number: string;
  pin: string;
  created_at: string;
  hashes: CaseHash[];
}

export interface CaseReport {
  hash_id: number;
  reported_at: string;
  outcome?: "removed" | "not_violating" | "pending_review";
  outcome_at?: string;
}

export interface CasePlatform {
  platform: string;
  matches_reported: number;
  removed: number;
  reports: CaseReport[];
}

export interface CaseView {
  case_number: string;
  status: "open" | "withdrawn";
  category?: "minor";
  created_at: string;
  withdrawn_at?: string;
  hashes: CaseHash[];
  platforms: CasePlatform[];
}

export interface Withdrawn {
  case_number: string;
  status: "withdrawn";
  withdrawn_at: string;
  hashes_erased: number;
}

/** A failed call: HTTP status (0: no answer), the bank's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown, pin?: string): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (pin !== undefined) headers["x-case-pin"] = pin;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch (err) {
    throw new ApiError(0, "network", String(err));
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = (json ?? {}) as { error?: string; message?: string };
    const retry = Number(response.headers.get("retry-after"));
    throw new ApiError(
      response.status,
      error.error ?? "http_" + response.status,
      error.message ?? response.statusText,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  }
  return json as T;
}

/** Files a case: exactly the fields the bank reads, nothing else. */
export function fileCase(hashes: readonly SubmitHash[], minor: boolean): Promise<Created> {
  const body: { hashes: object[]; category?: "minor" } = {
    hashes: hashes.map((h) =>
      h.kind === "pdq"
        ? { kind: h.kind, value: h.value, quality: h.quality, role: h.role, label: h.label ?? "pdq" }
        : { kind: h.kind, value: h.value, role: h.role },
    ),
  };
  if (minor) body.category = "minor";
  return call<Created>("POST", "/v1/cases", body);
}

export function viewCase(number: string, pin: string): Promise<CaseView> {
  return call<CaseView>("GET", "/v1/cases/" + encodeURIComponent(number), undefined, pin);
}

export function withdrawCase(number: string, pin: string): Promise<Withdrawn> {
  return call<Withdrawn>("POST", "/v1/cases/" + encodeURIComponent(number) + "/withdraw", undefined, pin);
}
