// One video hashed inside the worker: demuxed by Mediabunny (served from
// the page's own origin), decoded by the browser's WebCodecs VideoDecoder,
// every frame numbered in presentation order; the frames vPDQ keeps go to
// WebAssembly (web/wasm: converted and hashed as `hashbank hash` does), and
// the file's bytes are digested there piece by piece, so a large video is
// never held in memory at once. Nothing leaves the worker but the report.

import { BlobSource, EncodedPacketSink, Input, MATROSKA, MP4, QTFF, WEBM } from "./vendor/mediabunny.mjs";
import type { VideoFingerprint } from "../pkg/hashbank_wasm.js";
import type { RefusalCode, VideoReport } from "./report.js";

/** Makes the WebAssembly side of one video. */
export type Start = (width: number, height: number, frameRate: number, duration: number, size: number) => VideoFingerprint;

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

/** Hashes `file`: the frames, then the file's digests. */
export async function hashVideo(file: File, start: Start, progress: Progress, cancelled: () => boolean): Promise<VideoReport> {
  const input = new Input({ source: new BlobSource(file), formats: [MP4, QTFF, WEBM, MATROSKA] });
  try {
    let track;
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
    const stats = await track.computePacketStats();
    const duration = await track.computeDuration();
    const print = await decodeFrames(track, config, stats.packetCount, stats.averagePacketRate, duration, file, start, progress, cancelled);
    return print;
  } finally {
    input.dispose();
  }
}

async function decodeFrames(
  track: Awaited<ReturnType<Input["getPrimaryVideoTrack"]>> & object,
  config: VideoDecoderConfig,
  packets: number,
  frameRate: number,
  duration: number,
  file: File,
  start: Start,
  progress: Progress,
  cancelled: () => boolean,
): Promise<VideoReport> {
  let print: VideoFingerprint | null = null;
  let number = 0;
  let failure: unknown = null;
  // Kept frames are copied and hashed one at a time, in order.
  let chain: Promise<void> = Promise.resolve();
  const output = (frame: VideoFrame): void => {
    const at = number++;
    chain = chain.then(async () => {
      try {
        if (print === null) {
          const rect = frame.visibleRect;
          const width = rect?.width ?? frame.codedWidth;
          const height = rect?.height ?? frame.codedHeight;
          print = start(width, height, frameRate, duration, file.size);
        }
        if (print.refused()) return;
        if (!print.keeps(at)) {
          print.decoded(at);
          return;
        }
        await addFrame(print, at, frame);
      } finally {
        frame.close();
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
  let sent = 0;
  for await (const packet of sink.packets()) {
    if (cancelled()) {
      decoder.close();
      throw new Cancelled("cancelled");
    }
    if (failure !== null || (print as VideoFingerprint | null)?.refused() === true) break;
    decoder.decode(packet.toEncodedVideoChunk());
    sent++;
    if (decoder.decodeQueueSize >= QUEUE) await drained(decoder);
    if (sent % 16 === 0) {
      await chain;
      progress(0.9 * (sent / Math.max(packets, 1)));
    }
  }
  if (failure === null) {
    try {
      await decoder.flush();
    } catch (err) {
      failure = err;
    }
  }
  await chain;
  if (decoder.state !== "closed") decoder.close();
  if (failure !== null && print === null) {
    return refused("corrupt", `the video could not be decoded: ${String(failure)}`);
  }
  if (print === null) return refused("corrupt", "no frame could be decoded");
  const done: VideoFingerprint = print;
  for (let offset = 0; offset < file.size && !done.refused(); offset += PIECE) {
    if (cancelled()) throw new Cancelled("cancelled");
    const piece = new Uint8Array(await file.slice(offset, offset + PIECE).arrayBuffer());
    done.add_bytes(piece);
    progress(0.9 + 0.1 * Math.min(1, (offset + PIECE) / file.size));
  }
  // Frames hashed before a decoding error stand, as `hashbank hash` keeps
  // what FFmpeg decoded before one.
  return JSON.parse(done.finish()) as VideoReport;
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
  if (format === "I420" || format === "NV12") {
    const buffer = new Uint8Array(frame.allocationSize());
    const layout = await frame.copyTo(buffer);
    const [y, second, third] = layout;
    if (y === undefined || second === undefined) throw new Error("a frame without its planes");
    const width = frame.visibleRect?.width ?? frame.codedWidth;
    const height = frame.visibleRect?.height ?? frame.codedHeight;
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
  const rgba = new Uint8Array(frame.visibleRect!.width * frame.visibleRect!.height * 4);
  await frame.copyTo(rgba, { format: "RGBA" });
  print.add_rgba(at, rgba);
}

function refused(code: RefusalCode, message: string): VideoReport {
  return { video: null, hashes: [], refusal: { code, message } };
}
