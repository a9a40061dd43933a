// The hashing worker: runs crates/media and crates/pdq (WebAssembly) off the
// page's thread, one file at a time. It receives an image's bytes or a
// video file and answers with hashes (a video's progress as it goes); it
// has no network access of its own beyond loading itself.

import init, { fingerprint, video_step, VideoFingerprint, VideoPlanner } from "../pkg/hashbank_wasm.js";
import type { Answer, Job, Report } from "./report.js";
import { Cancelled, hashVideo, Unsupported, type Wasm } from "./video.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: Answer): void;
}

const scope = self as unknown as WorkerScope;
const ready = init();
let queue: Promise<void> = Promise.resolve();
const cancelled = new Set<number>();
const wasm: Wasm = {
  start: (width, height, frameRate, duration, size) => new VideoFingerprint(width, height, frameRate, duration, size),
  step: video_step,
  planner: (codec) => new VideoPlanner(codec),
};

scope.onmessage = (event) => {
  const job = event.data;
  if ("cancel" in job) {
    cancelled.add(job.id);
    return;
  }
  queue = queue.then(() => run(job));
};

async function run(job: Exclude<Job, { cancel: true }>): Promise<void> {
  try {
    await ready;
    const started = performance.now();
    if ("video" in job) {
      if (cancelled.has(job.id)) throw new Cancelled("cancelled");
      const video = await hashVideo(
        job.video,
        wasm,
        (share) => scope.postMessage({ id: job.id, progress: share }),
        () => cancelled.has(job.id),
      );
      scope.postMessage({ id: job.id, video, millis: performance.now() - started });
      return;
    }
    const report = JSON.parse(fingerprint(new Uint8Array(job.bytes))) as Report;
    scope.postMessage({ id: job.id, report, millis: performance.now() - started });
  } catch (err) {
    if (err instanceof Cancelled) scope.postMessage({ id: job.id, cancelled: true });
    else if (err instanceof Unsupported) scope.postMessage({ id: job.id, unsupported: err.message });
    else scope.postMessage({ id: job.id, failure: String(err) });
  } finally {
    cancelled.delete(job.id);
  }
}
