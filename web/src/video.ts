// One video hashed inside the worker: demuxed by Mediabunny (served from
// the page's own origin), decoded by the browser's WebCodecs VideoDecoder,
// every frame numbered in presentation order; the frames vPDQ keeps go to
// WebAssembly (web/wasm: converted and hashed as `hashbank hash` does), and
// the file's bytes are digested there piece by piece, so a large video is
// never held in memory at once. Only the packets the kept frames need are
// decoded, where the packets allow planning it (web/wasm: VideoPlanner);
// if the decoder then gives a frame the plan did not foresee, or misses a
// kept one, the video is decoded again whole.

import { BlobSource, EncodedPacketSink, Input, MATROSKA, MP4, QTFF, WEBM } from "./vendor/mediabunny.mjs";
import type { VideoFingerprint, VideoPlanner } from "../pkg/hashbank_wasm.js";
import type { RefusalCode, VideoReport } from "./report.js";

/** The WebAssembly side. */
export interface Wasm {
  start(width: number, height: number, frameRate: number, duration: number, size: number): VideoFingerprint;
  step(frameRate: number): number;
  planner(codec: string): VideoPlanner;
}

/** How far along: 0 to 1. */
export type Progress = (share: number) => void;

/** Why a video was not hashed in this browser, when the browser is the reason. */
export class Unsupported extends Error {}

/** The video was cancelled. */
export class Cancelled extends Error {}

/** The file is read for its digests in pieces this large. */
const PIECE = 8 * 1024 * 1024;

/** At most this many packets wait in the decoder. */
const QUEUE = 8;

/** At most this many decoded frames wait to be hashed. */
const PILE = 4;

type Track = NonNullable<Awaited<ReturnType<Input["getPrimaryVideoTrack"]>>>;

/** Hashes `file`: the frames, then the file's digests. */
export async function hashVideo(file: File, wasm: Wasm, progress: Progress, cancelled: () => boolean): Promise<VideoReport> {
  const input = new Input({ source: new BlobSource(file), formats: [MP4, QTFF, WEBM, MATROSKA] });
  try {
    let track: Track | null;
    try {
      if (!(await input.canRead())) return refused("not_an_image", "the file is not an MP4, MOV, WebM or Matroska video");
      track = await input.getPrimaryVideoTrack();
    } catch (err) {
      return refused("corrupt", `the file cannot be read as a video: ${String(err)}`);
    }
    if (track === null) return refused("not_an_image", "the file holds no video track");
    const config = await track.getDecoderConfig();
    if (config === null || !(await track.canDecode())) {
      const codec = (await track.getCodec()) ?? "unknown";
      throw new Unsupported(`this browser cannot decode ${codec} video`);
    }
    // The packets' timestamps and key flags, and for H.264 and HEVC their
    // NAL headers: what the plan needs.
    const planner = wasm.planner(track.codec ?? "");
    const timestamps: number[] = [];
    const sink = new EncodedPacketSink(track);
    const metadataOnly = !planner.reads_data();
    try {
      for await (const packet of sink.packets(undefined, undefined, { metadataOnly })) {
        if (cancelled()) throw new Cancelled("cancelled");
        timestamps.push(packet.timestamp);
        planner.add(packet.microsecondTimestamp, packet.type === "key", metadataOnly ? new Uint8Array(0) : packet.data);
      }
    } catch (err) {
      planner.free();
      throw err;
    }
    if (timestamps.length === 0) {
      planner.free();
      return refused("corrupt", "the video track holds no frame");
    }
    const duration = await track.computeDuration();
    const frameRate = frameRateOf(timestamps, duration);
    const step = wasm.step(frameRate);
    const plan = planner.plan(step) ?? null;
    planner.free();
    const run = (plan: Int32Array | null) =>
      decode(track, config, plan, timestamps.length, { frameRate, duration, step }, file, wasm, progress, cancelled);
    const print = (plan !== null ? await run(plan) : null) ?? (await run(null));
    if (print === null) return refused("corrupt", "the decoder gave frames out of order");
    return await digest(print, file, progress, cancelled);
  } finally {
    input.dispose();
  }
}

/**
 * Frames a second as FFmpeg states a stream's average: the frames over the
 * span from the first one's start to the last one's end.
 */
function frameRateOf(timestamps: number[], end: number): number {
  let first = Infinity;
  for (const t of timestamps) first = Math.min(first, t);
  const span = end - first;
  return span > 0 ? Number((timestamps.length / span).toPrecision(16)) : 0;
}

interface Stream {
  frameRate: number;
  duration: number;
  step: number;
}

/**
 * Decodes the packets `plan` sends (all when null) and hashes the kept
 * frames. Null when the plan failed: a frame it did not foresee, or a kept
 * frame missing.
 */
async function decode(
  track: Track,
  config: VideoDecoderConfig,
  plan: Int32Array | null,
  packets: number,
  stream: Stream,
  file: File,
  wasm: Wasm,
  progress: Progress,
  cancelled: () => boolean,
): Promise<VideoFingerprint | null> {
  // Frame numbers by timestamp (the chunk's microseconds, which the
  // decoder's frames carry).
  const numbers = new Map<number, number>();
  let print: VideoFingerprint | null = null;
  let counted = 0;
  let unplanned = false;
  let failure: unknown = null;
  // Kept frames are copied and hashed one at a time, in order, while the
  // decoder goes on; it waits when frames pile up.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const output = (frame: VideoFrame): void => {
    let at: number;
    if (plan === null) at = counted++;
    else {
      const known = numbers.get(frame.timestamp);
      if (known === undefined) {
        unplanned = true;
        frame.close();
        return;
      }
      at = known;
    }
    pending++;
    chain = chain.then(async () => {
      try {
        if (print === null) {
          const rect = frame.visibleRect;
          print = wasm.start(rect?.width ?? frame.codedWidth, rect?.height ?? frame.codedHeight, stream.frameRate, stream.duration, file.size);
        }
        if (print.refused()) return;
        if (!print.keeps(at)) print.decoded(at);
        else await addFrame(print, at, frame);
      } finally {
        frame.close();
        pending--;
      }
    });
  };
  const decoder = new VideoDecoder({
    output,
    error: (err) => {
      failure = err;
    },
  });
  decoder.configure(config);
  const sink = new EncodedPacketSink(track);
  let index = 0;
  let kept = 0;
  try {
    for await (const packet of sink.packets()) {
      if (cancelled()) throw new Cancelled("cancelled");
      if (failure !== null || unplanned || (print as VideoFingerprint | null)?.refused() === true) break;
      const number = plan === null ? index : (plan[index] ?? -1);
      index++;
      if (number < 0) continue;
      const chunk = packet.toEncodedVideoChunk();
      if (plan !== null) {
        numbers.set(chunk.timestamp, number);
        if (number % stream.step === 0) kept++;
      }
      decoder.decode(chunk);
      if (decoder.decodeQueueSize >= QUEUE) await drained(decoder);
      if (pending > PILE) await chain;
      if (index % 16 === 0) progress(0.9 * (index / Math.max(packets, 1)));
    }
    if (failure === null && !unplanned) {
      try {
        await decoder.flush();
      } catch (err) {
        failure = err;
      }
    }
    await chain;
  } finally {
    if (decoder.state !== "closed") decoder.close();
  }
  const done = print as VideoFingerprint | null;
  if (plan !== null && (unplanned || failure !== null || (done !== null && !done.refused() && done.hashed() !== kept))) {
    done?.free();
    return null;
  }
  if (done === null) {
    const fingerprint = wasm.start(0, 0, stream.frameRate, stream.duration, file.size);
    return fingerprint;
  }
  // Frames hashed before a decoding error stand, as `hashbank hash` keeps
  // what FFmpeg decoded before one.
  return done;
}

/** Adds the file's bytes, piece by piece, and finishes the report. */
async function digest(print: VideoFingerprint, file: File, progress: Progress, cancelled: () => boolean): Promise<VideoReport> {
  for (let offset = 0; offset < file.size && !print.refused(); offset += PIECE) {
    if (cancelled()) {
      print.free();
      throw new Cancelled("cancelled");
    }
    const piece = new Uint8Array(await file.slice(offset, offset + PIECE).arrayBuffer());
    print.add_bytes(piece);
    progress(0.9 + 0.1 * Math.min(1, (offset + PIECE) / file.size));
  }
  return JSON.parse(print.finish()) as VideoReport;
}

/** Waits until the decoder has taken some of its queue. */
function drained(decoder: VideoDecoder): Promise<void> {
  return new Promise((resolve) => {
    decoder.addEventListener("dequeue", () => resolve(), { once: true });
  });
}

/** Hands one kept frame's pixels to WebAssembly. */
async function addFrame(print: VideoFingerprint, at: number, frame: VideoFrame): Promise<void> {
  const format = frame.format;
  const width = frame.visibleRect?.width ?? frame.codedWidth;
  const height = frame.visibleRect?.height ?? frame.codedHeight;
  if (format === "I420" || format === "NV12") {
    const buffer = new Uint8Array(frame.allocationSize());
    const layout = await frame.copyTo(buffer);
    const [y, second, third] = layout;
    if (y === undefined || second === undefined) throw new Error("a frame without its planes");
    const cw = Math.ceil(width / 2);
    const ch = Math.ceil(height / 2);
    const luma = buffer.subarray(y.offset, y.offset + y.stride * (height - 1) + width);
    if (format === "I420" && third !== undefined) {
      const u = buffer.subarray(second.offset, second.offset + second.stride * (ch - 1) + cw);
      const v = buffer.subarray(third.offset, third.offset + third.stride * (ch - 1) + cw);
      print.add_i420(at, luma, y.stride, u, v, second.stride);
      return;
    }
    // NV12: one plane of U and V in turn.
    const u = new Uint8Array(cw * ch);
    const v = new Uint8Array(cw * ch);
    for (let row = 0; row < ch; row++) {
      const from = second.offset + row * second.stride;
      for (let x = 0; x < cw; x++) {
        u[row * cw + x] = buffer[from + 2 * x] ?? 0;
        v[row * cw + x] = buffer[from + 2 * x + 1] ?? 0;
      }
    }
    print.add_i420(at, luma, y.stride, u, v, cw);
    return;
  }
  // Any other layout: the browser's own conversion.
  const rgba = new Uint8Array(width * height * 4);
  await frame.copyTo(rgba, { format: "RGBA" });
  print.add_rgba(at, rgba);
}

function refused(code: RefusalCode, message: string): VideoReport {
  return { video: null, hashes: [], refusal: { code, message } };
}
