// The images and videos she picked: each is hashed on the device as soon as
// it is picked, shown by name with its state (a video with a progress bar
// and a cancel button while it is read), and can be removed. Previews are
// off by default (she may not want to see the images again); when turned
// on they are made from the local file with an object URL, shown small,
// and revoked when the image is removed, the previews are turned off or
// the case is filed. Nothing here leaves the device.

import { el } from "./dom.js";
import { Hasher, type VideoJob } from "./hasher.js";
import { bind, type Key, type Vars } from "./i18n/index.js";
import { MAX_FILE_MB, MAX_MEGAPIXELS, MAX_VIDEO_BYTES, MAX_VIDEO_GB, MAX_VIDEO_MINUTES } from "./limits.js";
import type { NewHash } from "./api.js";
import type { Print, RefusalCode, VideoPrint } from "./report.js";

type Refusal =
  | RefusalCode
  | "duplicate"
  | "failed"
  | "video_unsupported"
  | "not_a_video"
  | "video_too_large"
  | "video_corrupt"
  | "video_low_quality";

/** A video's refusals in words about a video. */
const VIDEO_REFUSALS: Partial<Record<Refusal, Refusal>> = {
  not_an_image: "not_a_video",
  too_large: "video_too_large",
  corrupt: "video_corrupt",
  low_quality: "video_low_quality",
};

/** Whether a file is a video, by its type or else its name. */
export function isVideo(file: File): boolean {
  return file.type.startsWith("video/") || /\.(mp4|m4v|mov|webm|mkv)$/i.test(file.name);
}

interface Item {
  id: number;
  file: File;
  state: "reading" | "ready" | "refused";
  print: Print | null;
  video: VideoPrint | null;
  /** A video being read: how to stop it. */
  job: VideoJob | null;
  progress: HTMLProgressElement | null;
  button: HTMLButtonElement;
  hashes: NewHash[];
  refusal: Refusal | null;
  li: HTMLLIElement;
  stateText: HTMLParagraphElement;
  preview: { url: string; img: HTMLImageElement } | null;
}

const REFUSAL_KEYS: Record<Refusal, Key> = {
  not_an_image: "refusal.not_an_image",
  too_large: "refusal.too_large",
  too_many_pixels: "refusal.too_many_pixels",
  too_long: "refusal.too_long",
  corrupt: "refusal.corrupt",
  low_quality: "refusal.low_quality",
  duplicate: "refusal.duplicate",
  failed: "refusal.failed",
  video_unsupported: "refusal.video_unsupported",
  not_a_video: "refusal.not_a_video",
  video_too_large: "refusal.video_too_large",
  video_corrupt: "refusal.video_corrupt",
  video_low_quality: "refusal.video_low_quality",
};

export class ImageList {
  private readonly items: Item[] = [];
  private next = 1;
  private previews = false;

  constructor(
    private readonly hasher: Hasher,
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly changed: () => void,
    private readonly focusAfterRemoval: () => HTMLElement,
  ) {}

  /** Adds files and starts hashing them. */
  add(files: Iterable<File>): void {
    for (const file of files) {
      const item = this.render(file);
      this.items.push(item);
      this.list.append(item.li);
      if (isVideo(file)) {
        this.addVideo(item);
        continue;
      }
      void this.hasher.hash(file).then((outcome) => {
        if (!this.items.includes(item)) return;
        if (outcome.kind === "failed") this.refuse(item, "failed");
        else {
          item.print = outcome.report.fingerprint;
          if (item.print !== null) {
            for (const [name, value] of Object.entries(item.print)) item.li.dataset[name] = String(value);
          }
          item.li.dataset.millis = outcome.millis.toFixed(1);
          const duplicate = this.duplicateOf(item);
          if (outcome.report.refusal !== null) this.refuse(item, outcome.report.refusal.code);
          else if (duplicate !== null) this.refuse(item, "duplicate", { name: duplicate.file.name });
          else this.accept(item, outcome.report.hashes);
        }
        this.showPreview(item);
        this.changed();
      });
    }
    this.update();
  }

  /** Hashes a video in the worker, showing its progress. */
  private addVideo(item: Item): void {
    const progress = el("progress", { attrs: { max: "100", value: "0" }, tattrs: { "aria-label": "file.progress.label" }, vars: { name: item.file.name } });
    item.progress = progress;
    item.stateText.after(progress);
    bind(item.stateText, "file.state.video", { percent: 0 });
    bind(item.button, "file.cancel", { name: item.file.name });
    bind(item.button, "file.cancel.label", { name: item.file.name }, "aria-label");
    item.li.dataset.kind = "video";
    const job = this.hasher.hashVideo(item.file, (share) => {
      const percent = Math.min(100, Math.floor(share * 100));
      progress.value = percent;
      bind(item.stateText, "file.state.video", { percent });
    });
    item.job = job;
    void job.outcome.then((outcome) => {
      item.job = null;
      if (!this.items.includes(item)) return;
      progress.remove();
      item.progress = null;
      bind(item.button, "file.remove", { name: item.file.name });
      bind(item.button, "file.remove.label", { name: item.file.name }, "aria-label");
      if (outcome.kind === "cancelled") return;
      if (outcome.kind === "failed") this.refuse(item, "failed");
      else if (outcome.kind === "unsupported") this.refuse(item, "video_unsupported");
      else {
        const report = outcome.report;
        item.video = report.video;
        if (item.video !== null) {
          for (const [name, value] of Object.entries(item.video)) item.li.dataset[name] = String(value);
        }
        item.li.dataset.millis = outcome.millis.toFixed(1);
        const duplicate = this.duplicateOf(item);
        if (report.refusal !== null) this.refuse(item, report.refusal.code);
        else if (duplicate !== null) this.refuse(item, "duplicate", { name: duplicate.file.name });
        else this.accept(item, report.hashes);
      }
      this.changed();
    });
  }

  /** Shows or hides the previews. */
  setPreviews(on: boolean): void {
    this.previews = on;
    for (const item of this.items) this.showPreview(item);
  }

  /** Whether some image or video is still being hashed. */
  busy(): boolean {
    return this.items.some((i) => i.state === "reading");
  }

  /** The usable images. */
  ready(): number {
    return this.items.filter((i) => i.state === "ready").length;
  }

  refused(): number {
    return this.items.filter((i) => i.state === "refused").length;
  }

  /** Every hash to submit, each once. */
  hashes(): NewHash[] {
    const seen = new Set<string>();
    const out: NewHash[] = [];
    for (const item of this.items) {
      if (item.state !== "ready") continue;
      for (const hash of item.hashes) {
        const key = hash.kind + ":" + hash.value;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(hash);
      }
    }
    return out;
  }

  /** Forgets every image and revokes every preview. */
  clear(): void {
    for (const item of [...this.items]) this.remove(item, false);
  }

  private render(file: File): Item {
    const id = this.next++;
    const stateText = el("p", { class: "state", t: "file.state.reading" });
    const name = el("span", { class: "name", text: file.name });
    const remove = el("button", {
      t: "file.remove",
      attrs: { type: "button" },
      tattrs: { "aria-label": "file.remove.label" },
      vars: { name: file.name },
    });
    const li = el("li", { attrs: { "data-state": "reading", "data-name": file.name } }, el("div", { class: "about" }, name, stateText), remove);
    const item: Item = {
      id,
      file,
      state: "reading",
      print: null,
      video: null,
      job: null,
      progress: null,
      button: remove,
      hashes: [],
      refusal: null,
      li,
      stateText,
      preview: null,
    };
    remove.addEventListener("click", () => this.remove(item, true));
    return item;
  }

  private accept(item: Item, hashes: NewHash[]): void {
    item.state = "ready";
    item.hashes = hashes;
    item.li.dataset.state = "ready";
    item.li.dataset.hashes = String(hashes.length);
    bind(item.stateText, "file.state.ready");
  }

  private refuse(item: Item, code: Refusal, vars: Vars = {}): void {
    const refusal = (item.li.dataset.kind === "video" ? VIDEO_REFUSALS[code] : undefined) ?? code;
    item.state = "refused";
    item.refusal = refusal;
    item.li.dataset.state = "refused";
    item.li.dataset.refusal = refusal;
    item.li.classList.add("refused");
    const max =
      refusal === "too_many_pixels"
        ? MAX_MEGAPIXELS
        : refusal === "too_long"
          ? MAX_VIDEO_MINUTES
          : refusal === "video_too_large"
            ? MAX_VIDEO_GB
            : MAX_FILE_MB;
    bind(item.stateText, REFUSAL_KEYS[refusal], { max, ...vars });
  }

  private duplicateOf(item: Item): Item | null {
    const sha = item.print?.sha256 ?? item.video?.sha256;
    if (sha === undefined) return null;
    return (
      this.items.find((other) => other !== item && other.state === "ready" && (other.print?.sha256 ?? other.video?.sha256) === sha) ?? null
    );
  }

  private showPreview(item: Item): void {
    // Videos have no preview: a frame would be decoded again to show it.
    const wanted = this.previews && item.print !== null;
    if (wanted && item.preview === null) {
      const url = URL.createObjectURL(item.file);
      const img = el("img", { attrs: { src: url, decoding: "async" }, tattrs: { alt: "file.preview.alt" }, vars: { name: item.file.name } });
      item.li.prepend(img);
      item.preview = { url, img };
    } else if (!wanted && item.preview !== null) {
      item.preview.img.remove();
      URL.revokeObjectURL(item.preview.url);
      item.preview = null;
    }
  }

  private remove(item: Item, moveFocus: boolean): void {
    const index = this.items.indexOf(item);
    if (index < 0) return;
    this.items.splice(index, 1);
    item.job?.cancel();
    item.job = null;
    if (item.preview !== null) URL.revokeObjectURL(item.preview.url);
    item.preview = null;
    item.li.remove();
    if (moveFocus) {
      const neighbour = this.items[index] ?? this.items[index - 1];
      const button = neighbour?.li.querySelector("button");
      (button ?? this.focusAfterRemoval()).focus();
    }
    this.update();
    this.changed();
  }

  private update(): void {
    this.empty.hidden = this.items.length > 0;
  }
}
