// Videos on the victim page, in Debian's Chromium against the real
// `hashbank serve`: every sample video and clips made here (WebM, MOV)
// hashed in the page give `hashbank hash`'s frame numbers and hashes; a
// video this browser cannot decode, one over the limits and a broken one
// are refused on the device in her language; a video is filed by keyboard
// alone with the privacy proof over every request, followed, and withdrawn
// with its frame hashes leaving the feed; a long video can be cancelled.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";

import { launch, newPage, pick, snapshot, tabTo } from "./browser.mjs";
import { checkRequests, recordRequests } from "./privacy.mjs";
import { Server, TESTDATA } from "./server.mjs";

const SAMPLES = join(TESTDATA, "vpdq", "videos");
const RADIUS = 31;

let server;
let browser;
let scratch;
/** Clips made here with FFmpeg. */
const made = {};

function ffmpeg(args) {
  execFileSync("ffmpeg", ["-v", "error", "-nostdin", "-y", ...args], { stdio: ["ignore", "ignore", "inherit"] });
}

function items(page) {
  return page.$$eval("#images li", (lis) => lis.map((li) => ({ ...li.dataset, state: li.dataset.state, text: li.querySelector(".state")?.textContent ?? "" })));
}

/** The plain frames of a vPDQ text: [number, hex]. */
function frames(text) {
  return text
    .split("\n")
    .map((line) => line.split(","))
    .filter((fields) => fields.length === 4)
    .map(([number, , hex]) => [Number(number), hex]);
}

function distance(a, b) {
  let x = BigInt("0x" + a) ^ BigInt("0x" + b);
  let bits = 0;
  while (x > 0n) {
    bits += Number(x & 1n);
    x >>= 1n;
  }
  return bits;
}

/** The share of `from`'s hashes with one of `to`'s within the radius. */
function share(from, to) {
  const found = from.filter((a) => to.some((b) => distance(a, b) <= RADIUS)).length;
  return found / from.length;
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "hashbank-web-videos-"));
  made.webm = join(scratch, "clip.webm");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "6", "-c:v", "libvpx-vp9", "-b:v", "300k", "-deadline", "realtime", made.webm]);
  made.mov = join(scratch, "clip.mov");
  ffmpeg(["-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=24", "-t", "5", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", made.mov]);
  made.hevc = join(scratch, "phone.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "2", "-c:v", "libx265", "-x265-params", "log-level=error", "-tag:v", "hvc1", made.hevc]);
  made.long = join(scratch, "long.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=1", "-t", "3700", "-c:v", "libx264", "-preset", "ultrafast", made.long]);
  made.broken = join(scratch, "broken.mp4");
  const sample = readFileSync(join(SAMPLES, "chair-19-sd-bar.mp4"));
  writeFileSync(made.broken, sample.subarray(0, 4000));
  made.fake = join(scratch, "notes.mp4");
  writeFileSync(made.fake, "these are notes, not a video\n".repeat(20));
  // Over 4 GiB, and sparse: no disk is written.
  made.huge = join(scratch, "huge.mp4");
  execFileSync("truncate", ["-s", String(4 * 1024 ** 3 + 1), made.huge]);
  made.slow = join(scratch, "slow.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "40", "-c:v", "libx264", "-preset", "ultrafast", made.slow]);
  server = await Server.start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe("videos on the victim page", () => {
  test("frame numbers and hashes equal `hashbank hash` on every sample video, a WebM and a MOV", async () => {
    const paths = [...readdirSync(SAMPLES).sort().map((name) => join(SAMPLES, name)), made.webm, made.mov];
    assert.equal(paths.length, 16);
    const page = await newPage(browser, server.origin);
    await pick(page, paths);
    const got = await items(page);
    const distances = [];
    const millis = [];
    for (const [i, path] of paths.entries()) {
      const have = got[i];
      assert.equal(have.name, basename(path));
      assert.equal(have.state, "ready", `${basename(path)}: ${have.text}`);
      const [native] = server.hash(path);
      assert.equal(native.kind, "video", basename(path));
      const ours = frames(have.vpdq);
      assert.deepEqual(ours.map(([n]) => n), native.frames.map((f) => f.frame), `${basename(path)}: frame numbers`);
      for (const [j, [, hex]] of ours.entries()) distances.push(distance(hex, native.frames[j].pdq));
      const a = ours.map(([, hex]) => hex);
      const b = native.frames.map((f) => f.pdq);
      assert.ok(share(a, b) >= 0.95 && share(b, a) >= 0.95, `${basename(path)}: matches its native hash both ways`);
      assert.equal(have.md5, native.md5, `${basename(path)}: MD5`);
      assert.equal(have.sha256, native.sha256, `${basename(path)}: SHA-256`);
      if (path.startsWith(SAMPLES)) {
        // Only what the kept frames need was decoded: not the rest of a
        // group of pictures after its last kept frame.
        assert.ok(Number(have.decoded) < Number(have.frames) * Number(have.step), `${basename(path)}: decoded ${have.decoded}`);
      }
      millis.push(Number(have.millis));
    }
    distances.sort((x, y) => x - y);
    const max = distances.at(-1);
    const zero = distances.filter((d) => d === 0).length;
    console.log(
      `videos: ${paths.length} hashed in the page with hashbank hash's frame numbers; ${distances.length} frames, ` +
        `${zero} equal, median ${distances[distances.length >> 1]} bits, max ${max}; ` +
        `time per video: median ${millis.sort((x, y) => x - y)[millis.length >> 1].toFixed(0)} ms`,
    );
    // The browser decodes H.264 and VP9 with its own build of FFmpeg's
    // decoders and the page converts to RGB as FFmpeg does: the bound is
    // a few bits, not the 31 of a match.
    assert.ok(max <= 8, `a frame hash ${max} bits from the native one`);
    await snapshot(page, "13-videos-ready");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("refuses on the device, in her language, a video the browser cannot decode, one too long, a broken one", async () => {
    const page = await newPage(browser, server.origin, "de-BE");
    const requests = recordRequests(page);
    assert.match(await page.textContent("#pick-hint"), /bis zu 60 Minuten und 4 GB pro Video/, "the limits are shown before she picks");
    await pick(page, [made.hevc, made.long, made.broken, made.fake, made.huge]);
    const got = await items(page);
    assert.deepEqual(
      got.map((g) => [g.name, g.state, g.refusal]),
      [
        ["phone.mp4", "refused", "video_unsupported"],
        ["long.mp4", "refused", "too_long"],
        ["broken.mp4", "refused", got[2].refusal === "not_a_video" ? "not_a_video" : "video_corrupt"],
        ["notes.mp4", "refused", "not_a_video"],
        ["huge.mp4", "refused", "video_too_large"],
      ],
    );
    assert.equal(got[4].millis, "0.0", "the file over the limit is refused unread");
    assert.match(got[4].text, /größer als 4 GB/);
    assert.match(got[0].text, /Dieser Browser kann diese Art von Video nicht lesen/);
    assert.match(got[0].text, /hashbank hash/, "what she can do");
    assert.match(got[1].text, /länger als 60 Minuten/);
    for (const g of got.slice(2, 4)) assert.match(g.text, /kein Video|Dieses Video scheint beschädigt/, g.name);
    await snapshot(page, "14-videos-refused-de");
    await page.click("#languages button[lang=nl]");
    assert.match((await items(page))[0].text, /Deze browser kan dit soort video niet lezen/);
    await page.click("#languages button[lang=fr]");
    assert.match((await items(page))[0].text, /Ce navigateur ne sait pas lire ce type de vidéo/);
    assert.ok(requests.every((r) => r.method === "GET"), "nothing was sent");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("a video being read shows its progress and can be cancelled; the next one is still read", async () => {
    const page = await newPage(browser, server.origin);
    await page.setInputFiles("#pick", [made.slow]);
    await page.waitForFunction(() => {
      const bar = document.querySelector("#images li progress");
      return bar instanceof HTMLProgressElement && bar.value > 0;
    });
    const label = await page.getAttribute("#images li button", "aria-label");
    assert.equal(label, "Stop reading slow.mp4 and remove it");
    assert.match(await page.textContent("#images li .state"), /Making the fingerprints on this device: \d+% done\./);
    await snapshot(page, "15-video-progress");
    await page.click("#images li button");
    assert.equal(await page.locator("#images li").count(), 0, "cancelled and removed");
    await pick(page, [join(SAMPLES, "doorknob-hd-no-bar.mp4")]);
    assert.equal((await items(page))[0].state, "ready");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("keyboard only: a video filed, followed and withdrawn; only hashes leave the device", async () => {
    const video = join(SAMPLES, "pattern-sd-grey-bar.mp4");
    const page = await newPage(browser, server.origin);
    const requests = recordRequests(page);
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await tabTo(page, "#pick");
    const chooser = page.waitForEvent("filechooser");
    await page.keyboard.press("Space");
    await (await chooser).setFiles([video]);
    await page.waitForFunction(() => document.querySelector("#images li")?.getAttribute("data-state") === "ready", null, { timeout: 120_000 });
    await tabTo(page, "#minor-yes");
    await page.keyboard.press("ArrowDown");
    assert.ok(await page.isChecked("#minor-no"));
    await tabTo(page, "#send");
    const answer = page.waitForResponse((r) => r.url().endsWith("/v1/cases"));
    await page.keyboard.press("Enter");
    const created = await (await answer).json();
    await page.waitForSelector("#filed-part:not([hidden])");

    checkRequests(requests, server.origin, [{ name: basename(video), bytes: readFileSync(video) }]);
    const posts = requests.filter((r) => r.method !== "GET");
    assert.equal(posts.length, 1, "one request sends data: the filing");
    const body = JSON.parse(posts[0].body.toString("utf8"));
    const [native] = server.hash(video);
    assert.deepEqual(body.hashes.map((h) => h.kind), ["vpdq", "md5", "sha256"]);
    assert.deepEqual(frames(body.hashes[0].value).map(([n, hex]) => [n, hex]), native.frames.map((f) => [f.frame, f.pdq]));
    assert.equal(body.hashes[1].value, native.md5);
    const feed = await server.feed();
    const entry = feed.find((e) => e.op === "add" && e.kind === "vpdq" && created.hashes.some((h) => h.value === e.value));
    assert.ok(entry !== undefined, "the video is on the feed");
    // A platform found a copy: its own vPDQ hash of it, made natively.
    const copy = native.frames.map((f) => `${f.frame},${f.quality},${f.pdq},${f.timestamp}`).join("\n");
    await server.platform("POST", "/v1/reports", { hash_id: entry.hash_id, value: copy, content_ref: "upload-video-1" });
    const moments = native.frames.filter((f) => f.quality >= 50).map((f) => `0:${String(Math.floor(f.timestamp)).padStart(2, "0")}`);

    await tabTo(page, "#follow");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#case-part:not([hidden])");
    await tabTo(page, "#case-hashes-summary");
    await page.keyboard.press("Enter");
    const rows = await page.$$eval("#case-hash-rows tr", (trs) => trs.map((tr) => tr.textContent));
    assert.match(rows[0], new RegExp(`vPDQ, video \\(${native.frames.length} frames\\)`));
    const found = await page.textContent("#case-found");
    assert.match(found, /test-platform: matches found: 1, removed: 0\./);
    assert.match(found, /Moments of your video/);
    assert.ok(found.includes(moments.join(", ")), `the moments ${moments.join(", ")} in: ${found}`);
    await snapshot(page, "16-case-video");
    await tabTo(page, "#withdraw");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm[open]");
    await tabTo(page, "#confirm-yes");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#withdrawn:not([hidden])");
    const after = await server.feed();
    assert.ok(after.some((e) => e.op === "delete" && e.hash_id === entry.hash_id), "the video's deletion is on the feed");
    assert.ok(!after.some((e) => e.value === entry.value), "no feed entry holds the withdrawn video");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
