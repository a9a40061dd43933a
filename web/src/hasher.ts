// The page's side of the hashing worker: one worker, started early so that
// the WebAssembly is compiled before the first file. An image's bytes are
// transferred to it; a video is handed over as the File itself and read
// there piece by piece. Nothing is copied elsewhere or sent anywhere.

import { MAX_FILE_BYTES, MAX_VIDEO_BYTES } from "./limits.js";
import type { Answer, Report, VideoReport } from "./report.js";

export type Outcome =
  | { kind: "report"; report: Report; millis: number }
  | { kind: "failed"; reason: string };

export type VideoOutcome =
  | { kind: "video"; report: VideoReport; millis: number }
  | { kind: "unsupported"; reason: string }
  | { kind: "cancelled" }
  | { kind: "failed"; reason: string };

interface Pending {
  resolve: (answer: Answer | { failure: string }) => void;
  progress?: (share: number) => void;
}

/** A video being hashed: its outcome, and how to stop it. */
export interface VideoJob {
  outcome: Promise<VideoOutcome>;
  cancel: () => void;
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

  /** Fingerprints one image file. A file over the size limit is refused unread. */
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
    const answer = await new Promise<Answer | { failure: string }>((resolve) => {
      this.pending.set(id, { resolve });
      worker.postMessage({ id, bytes }, [bytes]);
    });
    if ("report" in answer) return { kind: "report", report: answer.report, millis: answer.millis };
    return { kind: "failed", reason: "failure" in answer ? answer.failure : "an unexpected answer" };
  }

  /**
   * Hashes one video in the worker, reporting progress (0 to 1) as it goes.
   * A file over the size limit is refused unread.
   */
  hashVideo(file: File, progress: (share: number) => void): VideoJob {
    if (file.size > MAX_VIDEO_BYTES) {
      const message = `the file is ${file.size} bytes, over the limit of ${MAX_VIDEO_BYTES} bytes`;
      const report: VideoReport = { video: null, hashes: [], refusal: { code: "too_large", message } };
      return { outcome: Promise.resolve({ kind: "video", report, millis: 0 }), cancel: () => {} };
    }
    const worker = this.start();
    const id = this.next++;
    const outcome = new Promise<Answer | { failure: string }>((resolve) => {
      this.pending.set(id, { resolve, progress });
      worker.postMessage({ id, video: file });
    }).then((answer): VideoOutcome => {
      if ("video" in answer) return { kind: "video", report: answer.video, millis: answer.millis };
      if ("unsupported" in answer) return { kind: "unsupported", reason: answer.unsupported };
      if ("cancelled" in answer) return { kind: "cancelled" };
      return { kind: "failed", reason: "failure" in answer ? answer.failure : "an unexpected answer" };
    });
    return { outcome, cancel: () => this.worker?.postMessage({ id, cancel: true }) };
  }

  private answer(answer: Answer): void {
    const pending = this.pending.get(answer.id);
    if (pending === undefined) return;
    if ("progress" in answer) {
      pending.progress?.(answer.progress);
      return;
    }
    this.pending.delete(answer.id);
    pending.resolve(answer);
  }

  private restart(reason: string): void {
    this.worker?.terminate();
    this.worker = null;
    for (const pending of this.pending.values()) pending.resolve({ failure: reason });
    this.pending.clear();
  }
}

function tooLarge(message: string): Report {
  return { fingerprint: null, hashes: [], refusal: { code: "too_large", message } };
}
