// Filing a case: pick images (file picker or drag and drop), one question,
// then only the hashes (and the answer) are sent.

import { ApiError, fileCase, type CreatedCase } from "./api.js";
import { byId, focusOn, say, show } from "./dom.js";
import { Hasher } from "./hasher.js";
import { bind, t, type Key, type Vars } from "./i18n/index.js";
import { ImageList } from "./image-list.js";
import { MAX_FILE_MB, MAX_HASHES_PER_CASE, MAX_VIDEO_GB, MAX_VIDEO_MINUTES } from "./limits.js";

export interface FileView {
  /** Back to an empty form. */
  reset(): void;
}

export function setupFileView(hasher: Hasher, filed: (created: CreatedCase) => void): FileView {
  const form = byId("file-form", HTMLFormElement);
  const pick = byId("pick", HTMLInputElement);
  const drop = byId("drop", HTMLDivElement);
  const previews = byId("previews", HTMLInputElement);
  const summary = byId("summary", HTMLParagraphElement);
  const minorYes = byId("minor-yes", HTMLInputElement);
  const minorNo = byId("minor-no", HTMLInputElement);
  const minorError = byId("minor-error", HTMLParagraphElement);
  const send = byId("send", HTMLButtonElement);
  const sendStatus = byId("send-status", HTMLParagraphElement);
  const sendError = byId("send-error", HTMLParagraphElement);
  let sending = false;

  bind(byId("pick-hint", HTMLParagraphElement), "file.pick.hint", { max: MAX_FILE_MB, minutes: MAX_VIDEO_MINUTES, gb: MAX_VIDEO_GB });

  const images = new ImageList(
    hasher,
    byId("images", HTMLUListElement),
    byId("images-empty", HTMLParagraphElement),
    () => updateSummary(),
    () => pick,
  );

  function updateSummary(): void {
    const ready = images.ready();
    const hashes = images.hashes().length;
    const refused = images.refused();
    const parts: [Key, Vars][] = [];
    if (ready === 0) parts.push(["file.summary.none", {}]);
    else if (ready === 1) parts.push(["file.summary.one", { hashes }]);
    else parts.push(["file.summary", { images: ready, hashes }]);
    if (refused > 0) parts.push(["file.summary.refused", { count: refused }]);
    summary.replaceChildren(
      ...parts.map(([key, vars]) => {
        const span = document.createElement("span");
        bind(span, key, vars);
        return span;
      }),
    );
    // One space between the sentences.
    for (const span of Array.from(summary.children).slice(1)) span.before(" ");
    if (!images.busy()) say(sendError, null);
  }

  pick.addEventListener("change", () => {
    if (pick.files !== null) images.add(Array.from(pick.files));
    // Forget the selection so that the same file can be picked again after removal.
    pick.value = "";
  });

  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const files = event.dataTransfer?.files;
    if (files !== undefined && files.length > 0) images.add(Array.from(files));
  });
  // A file dropped beside the zone must not make the browser open it.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());

  previews.addEventListener("change", () => images.setPreviews(previews.checked));
  for (const radio of [minorYes, minorNo]) {
    radio.addEventListener("change", () => {
      say(minorError, null);
      radio.closest("fieldset")?.removeAttribute("aria-invalid");
    });
  }

  function fail(key: Key, vars: Vars = {}, focus: HTMLElement = send): void {
    say(sendError, key, vars);
    focus.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sending) return;
    say(sendError, null);
    if (images.busy()) return fail("file.error.busy");
    if (images.ready() === 0) return fail("file.error.no_images", {}, pick);
    if (!minorYes.checked && !minorNo.checked) {
      say(minorError, "file.error.minor");
      byId("minor", HTMLFieldSetElement).setAttribute("aria-invalid", "true");
      minorYes.focus();
      return;
    }
    const hashes = images.hashes();
    if (hashes.length > MAX_HASHES_PER_CASE) {
      return fail("file.error.too_many", { hashes: hashes.length, max: MAX_HASHES_PER_CASE });
    }
    sending = true;
    send.setAttribute("aria-busy", "true");
    bind(sendStatus, "file.sending");
    fileCase(hashes, minorYes.checked)
      .then((created) => {
        images.clear();
        form.reset();
        previews.checked = false;
        images.setPreviews(false);
        updateSummary();
        filed(created);
      })
      .catch((err: unknown) => fail("file.error.send", { reason: () => reasonOf(err) }))
      .finally(() => {
        sending = false;
        send.removeAttribute("aria-busy");
        sendStatus.textContent = "";
        sendStatus.removeAttribute("data-i18n");
      });
  });

  updateSummary();
  return {
    reset() {
      images.clear();
      form.reset();
      say(sendError, null);
      say(minorError, null);
      updateSummary();
      show(byId("file-part", HTMLDivElement), true);
      show(byId("filed-part", HTMLDivElement), false);
      focusOn(byId("file-title", HTMLHeadingElement));
    },
  };
}

/** A failure in plain words: the network, a busy service, or the bank's message. */
export function reasonOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t("net.error");
    if (err.status === 503) return t("net.busy");
    return err.message.endsWith(".") ? err.message : err.message + ".";
  }
  return String(err);
}

