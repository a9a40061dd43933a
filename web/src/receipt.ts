// The receipt she can download after filing: a text file made in the page,
// in her language, with the case number, the date and the hashes. Never
// the PIN, never anything of an image but its hashes.

import type { CaseHash } from "./api.js";
import { formatDate, t } from "./i18n/index.js";

export interface Filed {
  case_number: string;
  created_at: string;
  hashes: readonly CaseHash[];
}

/** The receipt's text. */
export function receiptText(filed: Filed): string {
  const lines = [
    t("receipt.title"),
    "",
    `${t("receipt.number")}: ${filed.case_number}`,
    `${t("receipt.date")}: ${formatDate(filed.created_at)} (${filed.created_at})`,
    `${t("receipt.count")}: ${filed.hashes.length}`,
    "",
  ];
  for (const hash of filed.hashes) {
    const quality = hash.quality === undefined ? "" : ` quality=${hash.quality}`;
    const label = hash.label === undefined ? "" : ` ${hash.label}`;
    lines.push(`${hash.kind} ${hash.role}${label} ${hash.value ?? ""}${quality}`);
  }
  lines.push("", t("receipt.note"), "");
  return lines.join("\n");
}

/** Offers the receipt as a download; the file is made here, not fetched. */
export function downloadReceipt(filed: Filed): void {
  const blob = new Blob([receiptText(filed)], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = t("receipt.file", { number: filed.case_number });
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
