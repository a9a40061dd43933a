// The page's side of the hashing worker: one worker, started early so that
// the WebAssembly is compiled before the first image; each file's bytes are
// transferred to it, never copied elsewhere and never sent anywhere.

import { MAX_FILE_BYTES } from "./limits.js";
import type { Answer, Report } from "./report.js";

export type Outcome =
  | { kind: "report"; report: Report; millis: number }
  | { kind: "failed"; reason: string };

interface Pending {
  resolve: (outcome: Outcome) => void;
}

export class Hasher {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  /** Starts the worker (and so loads the WebAssembly) if it is not running. */
  start(): Worker {
    if (this.worker === null) {
      const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      worker.onmessage = (event: MessageEvent<Answer>) => this.answer(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.restart(event.message || "the hashing worker stopped");
      };
      this.worker = worker;
    }
    return this.worker;
  }

  /** Fingerprints one file. A file over the size limit is refused unread. */
  async hash(file: File): Promise<Outcome> {
    if (file.size > MAX_FILE_BYTES) {
      const message = `the file is ${file.size} bytes, over the limit of ${MAX_FILE_BYTES} bytes`;
      return { kind: "report", report: tooLarge(message), millis: 0 };
    }
    let bytes: ArrayBuffer;
    try {
      bytes = await file.arrayBuffer();
    } catch (err) {
      return { kind: "failed", reason: String(err) };
    }
    const worker = this.start();
    const id = this.next++;
    return new Promise<Outcome>((resolve) => {
      this.pending.set(id, { resolve });
      worker.postMessage({ id, bytes }, [bytes]);
    });
  }

  private answer(answer: Answer): void {
    const pending = this.pending.get(answer.id);
    if (pending === undefined) return;
    this.pending.delete(answer.id);
    if ("failure" in answer) {
      pending.resolve({ kind: "failed", reason: answer.failure });
    } else {
      pending.resolve({ kind: "report", report: answer.report, millis: answer.millis });
    }
  }

  private restart(reason: string): void {
    this.worker?.terminate();
    this.worker = null;
    for (const pending of this.pending.values()) pending.resolve({ kind: "failed", reason });
    this.pending.clear();
  }
}

function tooLarge(message: string): Report {
  return { fingerprint: null, hashes: [], refusal: { code: "too_large", message } };
}
