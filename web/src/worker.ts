// The hashing worker: runs crates/media and crates/pdq (WebAssembly) off the
// page's thread, one file at a time. It receives a file's bytes and answers
// with hashes; it has no network access of its own beyond loading itself.

import init, { fingerprint } from "../pkg/hashbank_wasm.js";
import type { Answer, Job, Report } from "./report.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: Answer): void;
}

const scope = self as unknown as WorkerScope;
const ready = init();
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const job = event.data;
  queue = queue.then(() => run(job));
};

async function run(job: Job): Promise<void> {
  try {
    await ready;
    const started = performance.now();
    const report = JSON.parse(fingerprint(new Uint8Array(job.bytes))) as Report;
    scope.postMessage({ id: job.id, report, millis: performance.now() - started });
  } catch (err) {
    scope.postMessage({ id: job.id, failure: String(err) });
  }
}
