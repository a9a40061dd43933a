// The bank's case API (crates/server/src/cases.rs), same origin only. The
// PIN travels in the X-Case-Pin header, never in a URL.

import type { CaseView, CreatedCase, NewCase, NewHash, Withdrawn } from "./api-types.js";

// The bodies are the bank's own types (crates/api), made into api-types.ts.
export type { CaseHash, CaseView, CreatedCase, NewHash, Withdrawn } from "./api-types.js";

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

/** A hash as filed: exactly the fields the bank reads, nothing else. */
function filed(h: NewHash): NewHash {
  const out: NewHash = { kind: h.kind, value: h.value };
  if (h.kind === "pdq" && h.quality !== undefined) out.quality = h.quality;
  if (h.role !== undefined) out.role = h.role;
  if (h.kind === "pdq") out.label = h.label ?? "pdq";
  return out;
}

/** Files a case. */
export function fileCase(hashes: readonly NewHash[], minor: boolean): Promise<CreatedCase> {
  const body: NewCase = { hashes: hashes.map(filed) };
  if (minor) body.category = "minor";
  return call<CreatedCase>("POST", "/v1/cases", body);
}

export function viewCase(number: string, pin: string): Promise<CaseView> {
  return call<CaseView>("GET", "/v1/cases/" + encodeURIComponent(number), undefined, pin);
}

export function withdrawCase(number: string, pin: string): Promise<Withdrawn> {
  return call<Withdrawn>("POST", "/v1/cases/" + encodeURIComponent(number) + "/withdraw", undefined, pin);
}
