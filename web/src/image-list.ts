// The images she picked: each is hashed on the device as soon as it is
// picked, shown by name with its state, and can be removed. Previews are
// off by default (she may not want to see the images again); when turned
// on they are made from the local file with an object URL, shown small,
// and revoked when the image is removed, the previews are turned off or
// the case is filed. Nothing here leaves the device.

import { el } from "./dom.js";
import { Hasher } from "./hasher.js";
import { bind, type Key, type Vars } from "./i18n/index.js";
import { MAX_FILE_MB, MAX_MEGAPIXELS } from "./limits.js";
import type { NewHash } from "./api.js";
import type { Print, RefusalCode } from "./report.js";

type Refusal = RefusalCode | "duplicate" | "failed";

interface Item {
  id: number;
  file: File;
  state: "reading" | "ready" | "refused";
  print: Print | null;
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
  corrupt: "refusal.corrupt",
  low_quality: "refusal.low_quality",
  duplicate: "refusal.duplicate",
  failed: "refusal.failed",
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

  /** Shows or hides the previews. */
  setPreviews(on: boolean): void {
    this.previews = on;
    for (const item of this.items) this.showPreview(item);
  }

  /** Whether some image is still being hashed. */
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
    const item: Item = { id, file, state: "reading", print: null, hashes: [], refusal: null, li, stateText, preview: null };
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

  private refuse(item: Item, refusal: Refusal, vars: Vars = {}): void {
    item.state = "refused";
    item.refusal = refusal;
    item.li.dataset.state = "refused";
    item.li.dataset.refusal = refusal;
    item.li.classList.add("refused");
    bind(item.stateText, REFUSAL_KEYS[refusal], { max: refusal === "too_many_pixels" ? MAX_MEGAPIXELS : MAX_FILE_MB, ...vars });
  }

  private duplicateOf(item: Item): Item | null {
    if (item.print === null) return null;
    const sha = item.print.sha256;
    return this.items.find((other) => other !== item && other.state === "ready" && other.print?.sha256 === sha) ?? null;
  }

  private showPreview(item: Item): void {
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
