// Following a case with its number and PIN: what platforms found and
// removed, the hashes and their state, and withdrawing after a
// confirmation. Number and PIN are kept in this page's memory only while
// the case is open on the screen.

import { ApiError, viewCase, withdrawCase, type CaseHash, type CaseView } from "./api.js";
import { byId, el, focusOn, say, show } from "./dom.js";
import { reasonOf } from "./file-view.js";
import { bind, formatDate, formatDay, language, type Key } from "./i18n/index.js";

export interface CaseViewer {
  /** Opens a case (after filing, without typing the number and PIN again). */
  open(number: string, pin: string): void;
}

const OUTCOMES: Record<string, Key> = {
  removed: "case.outcome.removed",
  not_violating: "case.outcome.not_violating",
  pending_review: "case.outcome.pending_review",
};

const HASH_STATES: Record<CaseHash["status"], Key> = {
  active: "case.hash.active",
  suspended: "case.hash.suspended",
  withdrawn: "case.hash.withdrawn",
};

export function setupCaseView(): CaseViewer {
  const form = byId("case-form", HTMLFormElement);
  const numberInput = byId("case-number", HTMLInputElement);
  const pinInput = byId("case-pin", HTMLInputElement);
  const progress = byId("case-progress", HTMLParagraphElement);
  const error = byId("case-error", HTMLParagraphElement);
  const part = byId("case-part", HTMLDivElement);
  const confirm = byId("confirm", HTMLDialogElement);
  const withdrawError = byId("withdraw-error", HTMLParagraphElement);
  const withdrawProgress = byId("withdraw-progress", HTMLParagraphElement);
  const withdrawn = byId("withdrawn", HTMLParagraphElement);
  const closed = byId("case-closed", HTMLParagraphElement);
  let open: { number: string; pin: string } | null = null;
  let busy = false;

  async function load(number: string, pin: string, focus: boolean): Promise<void> {
    say(error, null);
    say(closed, null);
    bind(progress, "case.opening");
    try {
      const view = await viewCase(number, pin);
      open = { number: view.case_number, pin };
      render(view);
      show(part, true);
      if (focus) focusOn(byId("case-heading", HTMLHeadingElement));
    } catch (err) {
      show(part, false);
      open = null;
      if (err instanceof ApiError && err.status === 401) say(error, "case.error.wrong");
      else if (err instanceof ApiError && err.status === 429) {
        say(error, "case.error.locked", { minutes: Math.max(1, Math.ceil((err.retryAfterSeconds ?? 60) / 60)) });
      } else say(error, "case.error.other", { reason: () => reasonOf(err) });
      error.focus();
    } finally {
      progress.textContent = "";
      progress.removeAttribute("data-i18n");
    }
  }

  error.setAttribute("tabindex", "-1");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    const number = numberInput.value.trim();
    const pin = pinInput.value.trim();
    if (number === "" || pin === "") {
      say(error, "case.error.missing");
      (number === "" ? numberInput : pinInput).focus();
      return;
    }
    busy = true;
    say(withdrawn, null);
    void load(number, pin, true).finally(() => (busy = false));
  });

  byId("withdraw", HTMLButtonElement).addEventListener("click", () => {
    say(withdrawError, null);
    confirm.showModal();
  });
  byId("confirm-no", HTMLButtonElement).addEventListener("click", () => confirm.close());
  byId("confirm-yes", HTMLButtonElement).addEventListener("click", () => {
    confirm.close();
    if (open === null || busy) return;
    const { number, pin } = open;
    busy = true;
    bind(withdrawProgress, "case.withdrawing");
    withdrawCase(number, pin)
      .then(async (done) => {
        await load(number, pin, false);
        say(withdrawn, "case.withdrawn.done", { count: done.hashes_erased });
        focusOn(withdrawn);
      })
      .catch((err: unknown) => {
        say(withdrawError, "case.error.other", { reason: () => reasonOf(err) });
        focusOn(withdrawError);
      })
      .finally(() => {
        busy = false;
        withdrawProgress.textContent = "";
        withdrawProgress.removeAttribute("data-i18n");
      });
  });

  byId("case-close", HTMLButtonElement).addEventListener("click", () => {
    open = null;
    form.reset();
    show(part, false);
    say(withdrawn, null);
    byId("case-facts", HTMLElement).replaceChildren();
    byId("case-found", HTMLElement).replaceChildren();
    byId("case-hash-rows", HTMLElement).replaceChildren();
    say(closed, "case.closed");
    numberInput.focus();
  });

  return {
    open(number, pin) {
      numberInput.value = number;
      pinInput.value = "";
      say(withdrawn, null);
      void load(number, pin, true);
    },
  };
}

function render(view: CaseView): void {
  bind(byId("case-heading", HTMLHeadingElement), "case.heading", { number: view.case_number });
  const facts: [Key, Node][] = [
    ["case.status", el("span", { t: view.status === "open" ? "case.status.open" : "case.status.withdrawn" })],
    ["case.filed", dateNode(view.created_at)],
  ];
  if (view.withdrawn_at !== undefined) facts.push(["case.withdrawn", dateNode(view.withdrawn_at)]);
  if (view.category === "minor") facts.push(["case.minor", el("span", { t: "case.minor.yes" })]);
  byId("case-facts", HTMLElement).replaceChildren(
    ...facts.flatMap(([key, value]) => [el("dt", { t: key }), el("dd", {}, value)]),
  );

  const found = byId("case-found", HTMLElement);
  if (view.platforms.length === 0) found.replaceChildren(el("p", { t: "case.found.none" }));
  else found.replaceChildren(...view.platforms.map(platformNode));
  const finds = view.finds ?? [];
  if (finds.length > 0) found.append(el("h3", { t: "case.finds.title" }), ...finds.map(findNode));

  const rows = [...view.hashes].sort((a, b) => rank(a) - rank(b) || a.id - b.id).map((hash) =>
    el(
      "tr",
      {},
      el("td", { t: hashKind(hash), vars: { frames: hash.value === undefined ? 0 : videoFrames(hash.value).length } }),
      el("td", { t: HASH_STATES[hash.status] }),
      hash.value === undefined ? el("td", { t: "case.hash.erased" }) : el("td", { class: "hash", text: shownValue(hash) }),
    ),
  );
  byId("case-hash-rows", HTMLElement).replaceChildren(...rows);
  bind(byId("case-hashes-summary", HTMLElement), "case.hashes.show", { count: view.hashes.length });
  show(byId("withdraw-part", HTMLDivElement), view.status === "open");
}

/** Whole-image hashes and videos first, then the exact-file ones, then the parts. */
function rank(hash: CaseHash): number {
  if (hash.kind === "pdq") return hash.role === "plain" ? 0 : 3;
  if (hash.kind === "vpdq") return 0;
  return hash.kind === "md5" ? 1 : 2;
}

function hashKind(hash: CaseHash): Key {
  if (hash.kind === "md5") return "case.hash.md5";
  if (hash.kind === "sha256") return "case.hash.sha256";
  if (hash.kind === "vpdq") return "case.hash.video";
  return hash.role === "plain" ? "case.hash.whole" : "case.hash.part";
}

/** The plain frames of a video's vPDQ text (its parts' lines have a label). */
function videoFrames(value: string): string[] {
  return value.split("\n").filter((line) => line.split(",").length === 4);
}

/** A hash as shown: a video by its first frame's hash. */
function shownValue(hash: CaseHash): string {
  if (hash.kind !== "vpdq" || hash.value === undefined) return hash.value ?? "";
  const first = videoFrames(hash.value)[0]?.split(",")[2] ?? "";
  return first + " …";
}

/** The moments of her video a copy shows, so she knows which part was found. */
function momentsNode(moments: number[]): HTMLElement {
  const shown = 12;
  const list = moments.slice(0, shown).map(clock).join(", ");
  if (moments.length <= shown) return el("td", { text: list });
  return el("td", { t: "case.report.moments.more", vars: { moments: list, more: moments.length - shown } });
}

/** Seconds as 0:07 or 1:02:03. */
function clock(seconds: number): string {
  const whole = Math.floor(seconds);
  const s = String(whole % 60).padStart(2, "0");
  const m = Math.floor(whole / 60) % 60;
  const h = Math.floor(whole / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function dateNode(iso: string): HTMLElement {
  return el("time", { t: "case.date", vars: { date: () => formatDate(iso) }, attrs: { datetime: iso } });
}

/** An investigator's find: who, when, what to quote, and how to reach them if she wants to. */
function findNode(find: NonNullable<CaseView["finds"]>[number]): HTMLElement {
  const what = el("p", {
    t: "case.finds.find",
    vars: { date: () => formatDay(find.found_on), unit: find.unit, hashes: find.hashes, files: find.files },
  });
  const reference = el("p", { t: "case.finds.reference", vars: { reference: find.reference } });
  const languages = Object.keys(find.contact);
  // The unit's own text in the page's language, else English, else the first it gave.
  const textIn = (lang: string | undefined): string | undefined => {
    const text = lang === undefined ? undefined : find.contact[lang];
    return typeof text === "string" ? text : undefined;
  };
  const contactIn = (): string => textIn(language()) ?? textIn("en") ?? textIn(languages[0]) ?? "";
  const contact =
    languages.length === 0
      ? el("p", { t: "case.finds.no_contact" })
      : el("p", { class: "contact", t: "case.finds.contact", vars: { contact: contactIn } });
  return el("div", { class: "find" }, what, reference, el("p", { t: "case.finds.choice" }), contact);
}

function platformNode(platform: CaseView["platforms"][number]): HTMLElement {
  const summary = el("p", {
    t: "case.found.platform",
    vars: { platform: platform.platform, matches: platform.matches_reported, removed: platform.removed },
  });
  const head = el(
    "tr",
    {},
    el("th", { t: "case.report.date", attrs: { scope: "col" } }),
    el("th", { t: "case.report.outcome", attrs: { scope: "col" } }),
    el("th", { t: "case.report.outcome_date", attrs: { scope: "col" } }),
  );
  const videos = platform.reports.some((report) => (report.moments ?? []).length > 0);
  if (videos) head.append(el("th", { t: "case.report.moments", attrs: { scope: "col" } }));
  const rows = platform.reports.map((report) => {
    const row = el(
      "tr",
      {},
      el("td", {}, dateNode(report.reported_at)),
      el("td", { t: report.outcome === undefined ? "case.outcome.none" : (OUTCOMES[report.outcome] ?? "case.outcome.none") }),
      el("td", {}, report.outcome_at === undefined ? document.createTextNode("") : dateNode(report.outcome_at)),
    );
    if (videos) row.append(momentsNode(report.moments ?? []));
    return row;
  });
  const table = el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
  return el("div", { class: "platform" }, summary, el("div", { class: "table-wrap" }, table));
}
