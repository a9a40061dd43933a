// The victim page in a real browser (Debian's Chromium, driven by
// playwright-core) against the real `hashbank serve` on SQLite: hashes
// equal to `hashbank hash`, refusals on the device, filing with the privacy
// proof, the status page, withdrawal and the feed, keyboard only, languages,
// 360 px, labels, contrast, screenshots, and the time to hash 12 MP.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { after, before, describe, test } from "node:test";

import { launch, newPage, pick, snapshot, tabTo, SCREENSHOTS } from "./browser.mjs";
import { bigFile, drawImage, filesUnder, textFile } from "./images.mjs";
import { checkRequests, recordRequests } from "./privacy.mjs";
import { ROOT, Server, TESTDATA } from "./server.mjs";

const PDQ_DATA = join(TESTDATA, "pdq", "data");
const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;
const BRIDGE = join(PDQ_DATA, "bridge-mods");
/** Several different images for a case: photos and a PNG. */
const CASE_IMAGES = [
  join(BRIDGE, "aaa-orig.jpg"),
  join(PDQ_DATA, "reg-test-input", "labelme-subset", "q0122.jpg"),
  join(PDQ_DATA, "reg-test-input", "pen-and-coaster.png"),
  join(PDQ_DATA, "misc-images", "modes", "LA.png"),
];

let server;
let browser;
let scratch;
/** The case filed in "files a case", followed and withdrawn after. */
const filed = { page: null, number: "", pin: "", values: [] };

/** The list's items: their state and what the page computed. */
function items(page) {
  return page.$$eval("#images li", (lis) => lis.map((li) => ({ ...li.dataset })));
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "hashbank-web-files-"));
  server = await Server.start();
  browser = await launch();
  rmSync(SCREENSHOTS, { recursive: true, force: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  console.log(`screenshots: ${relative(ROOT, SCREENSHOTS)}/`);
});

describe("the victim page", () => {
  test("hashes in the browser equal `hashbank hash` for every image in pdq/data", async () => {
    const paths = filesUnder(PDQ_DATA).filter((p) => IMAGE.test(p));
    assert.equal(paths.length, 49);
    const native = new Map(server.hash(PDQ_DATA).map((r) => [resolve(r.path), r]));
    const page = await newPage(browser, server.origin);
    await pick(page, paths);
    const got = await items(page);
    assert.equal(got.length, paths.length);
    for (const [i, path] of paths.entries()) {
      const want = native.get(path);
      assert.ok(want !== undefined, `no native record for ${path}`);
      const have = got[i];
      assert.equal(have.name, basename(path));
      for (const field of ["pdq", "quality", "md5", "sha256", "width", "height"]) {
        assert.equal(have[field], String(want[field]), `${relative(PDQ_DATA, path)}: ${field}`);
      }
    }
    const millis = got.map((g) => Number(g.millis)).sort((a, b) => a - b);
    console.log(
      `pdq/data: ${paths.length} images hashed in the page, equal to hashbank hash; ` +
        `WebAssembly time per image: median ${millis[millis.length >> 1].toFixed(0)} ms, max ${millis.at(-1).toFixed(0)} ms`,
    );
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("refuses on the device a text file, a blank picture and a file over the limit", async () => {
    const page = await newPage(browser, server.origin);
    const requests = recordRequests(page);
    const text = textFile(join(scratch, "notes.txt"));
    const blank = await drawImage(browser, join(scratch, "blank.png"), { width: 640, height: 480, type: "image/png", textured: false });
    const big = bigFile(join(scratch, "huge.jpg"), 64 * 1024 * 1024 + 1);
    await pick(page, [text, blank, big]);
    const got = await items(page);
    assert.deepEqual(
      got.map((g) => [g.name, g.state, g.refusal]),
      [
        ["notes.txt", "refused", "not_an_image"],
        ["blank.png", "refused", "low_quality"],
        ["huge.jpg", "refused", "too_large"],
      ],
    );
    assert.equal(got[1].quality, "0");
    assert.equal(got[2].millis, "0.0", "the file over the limit is refused unread");
    const messages = await page.$$eval("#images li .state", (ps) => ps.map((p) => p.textContent));
    assert.match(messages[0], /not an image/);
    assert.match(messages[1], /too little detail/);
    assert.match(messages[2], /larger than 64 MB/);
    await page.click("#minor-no");
    await page.click("#send");
    await assert.doesNotReject(page.waitForSelector("#send-error:not([hidden])"));
    assert.match(await page.textContent("#send-error"), /at least one image/);
    await snapshot(page, "02-file-refused");
    assert.ok(requests.every((r) => r.method === "GET"), "nothing was sent");
    await page.context().close();
  });

  test("files a case: only hashes leave the device, and a receipt without the PIN", async () => {
    const page = await newPage(browser, server.origin);
    const requests = recordRequests(page);
    await page.reload();
    await page.waitForSelector("html[data-ready=true]");
    await snapshot(page, "01-file-empty");
    await pick(page, CASE_IMAGES);
    const got = await items(page);
    assert.deepEqual(got.map((g) => g.state), ["ready", "ready", "ready", "ready"]);
    assert.equal(await page.locator("#images img").count(), 0, "previews are off by default");
    await page.check("#previews");
    await page.waitForFunction(() => Array.from(document.querySelectorAll("img"), (img) => /** @type {HTMLImageElement} */ (img)).every((img) => img.complete));
    assert.equal(await page.locator("#images img").count(), 4);
    assert.ok((await page.$$eval("#images img", (imgs) => imgs.map((i) => i.src))).every((s) => s.startsWith("blob:")));
    await page.click("#minor-no");
    await snapshot(page, "03-file-ready");

    const answer = page.waitForResponse((r) => r.url().endsWith("/v1/cases") && r.request().method() === "POST");
    await page.click("#send");
    const created = await (await answer).json();
    await page.waitForSelector("#filed-part:not([hidden])");
    assert.equal(await page.textContent("#filed-number"), created.case_number);
    assert.equal(await page.textContent("#filed-pin"), created.pin);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "filed-title");
    assert.equal(await page.locator("#images img").count(), 0, "previews are gone after filing");
    await snapshot(page, "04-filed");

    // The privacy proof over every request made since the page opened.
    const files = CASE_IMAGES.map((path) => ({ name: basename(path), bytes: readFileSync(path) }));
    checkRequests(requests, server.origin, files);
    const posts = requests.filter((r) => r.method !== "GET");
    assert.equal(posts.length, 1, "one request sends data: the filing");
    const body = JSON.parse(posts[0].body.toString("utf8"));
    assert.deepEqual(Object.keys(body), ["hashes"], "no category when the answer is no");
    for (const hash of body.hashes) {
      const keys = Object.keys(hash).sort();
      assert.deepEqual(keys, hash.kind === "pdq" ? ["kind", "label", "quality", "role", "value"] : ["kind", "role", "value"]);
      assert.match(hash.value, /^[0-9a-f]+$/);
      if (hash.kind === "pdq") assert.equal(hash.label === "pdq", hash.role === "plain", `${hash.label} goes with role ${hash.role}`);
    }
    const plain = body.hashes.filter((h) => h.role === "plain");
    for (const path of CASE_IMAGES) {
      const [native] = server.hash(path);
      assert.ok(plain.some((h) => h.kind === "pdq" && h.value === native.pdq), `${basename(path)}: plain PDQ sent`);
      assert.ok(plain.some((h) => h.kind === "md5" && h.value === native.md5), `${basename(path)}: MD5 sent`);
      assert.ok(plain.some((h) => h.kind === "sha256" && h.value === native.sha256), `${basename(path)}: SHA-256 sent`);
    }
    const extra = body.hashes.filter((h) => h.role === "extra");
    console.log(`filed ${files.length} images as ${body.hashes.length} hashes (${plain.length} plain, ${extra.length} extra); ${requests.length} requests, none with image bytes`);

    const download = page.waitForEvent("download");
    await page.click("#receipt");
    const receipt = readFileSync(await (await download).path(), "utf8");
    assert.ok(receipt.includes(created.case_number));
    assert.ok(!receipt.includes(created.pin), "the receipt never holds the PIN");
    for (const hash of created.hashes) assert.ok(receipt.includes(hash.value), "the receipt lists every hash");

    const feed = await server.feed();
    const values = new Set(feed.filter((e) => e.op === "add").map((e) => e.value));
    for (const hash of created.hashes) assert.ok(values.has(hash.value), "the feed holds the case's hashes");
    const labels = new Map(body.hashes.filter((h) => h.kind === "pdq").map((h) => [h.value, h.label]));
    for (const entry of feed.filter((e) => e.op === "add" && labels.has(e.value))) {
      assert.equal(entry.label, labels.get(entry.value), "the feed carries each PDQ hash's label");
    }
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], "nothing stored on the device");
    assert.deepEqual(page.problems, []);
    Object.assign(filed, { page, number: created.case_number, pin: created.pin, values: created.hashes.map((h) => h.value) });
  });

  test("the status page shows the hashes, what platforms found and what they removed", async () => {
    const { page } = filed;
    const feed = await server.feed();
    const target = feed.find((e) => e.op === "add" && e.value === filed.values[0]);
    const report = await server.platform("POST", "/v1/reports", { hash_id: target.hash_id, value: target.value, content_ref: "upload-1" });
    await server.platform("POST", `/v1/reports/${report.report_id}/outcome`, { outcome: "removed" });
    await server.platform("POST", "/v1/reports", { hash_id: target.hash_id, value: target.value, content_ref: "upload-2" });
    // An investigator finds it in seized material.
    const matched = await server.investigator("POST", "/v1/match", { hashes: [{ kind: target.kind, value: target.value, label: target.label }] });
    assert.equal(matched.results[0].matches[0].hash_id, target.hash_id);
    await server.investigator("POST", "/v1/finds", { hash_id: target.hash_id, reference: "PV-2026-123", found_on: "2026-11-30", files: 2 });

    await page.click("#follow");
    await page.waitForSelector("#case-part:not([hidden])");
    assert.equal(await page.evaluate(() => location.hash), "#case");
    assert.ok(!(await page.evaluate(() => location.href)).includes(filed.pin), "the PIN is never in the address");
    assert.equal(await page.textContent("#case-heading"), `Case ${filed.number}`);
    const facts = await page.textContent("#case-facts");
    assert.match(facts, /Open: platforms look for these images/);
    const found = await page.textContent("#case-found");
    assert.match(found, /test-platform: matches found: 2, removed: 1\./);
    assert.match(found, /Removed/);
    assert.match(found, /Waiting for the platform's decision/);
    assert.match(found, /Found in an investigation/);
    assert.match(found, /On November 30, 2026, test-unit found your images in material seized in an investigation: 1 of your fingerprints, in 2 files\./);
    assert.match(found, /Reference to quote: PV-2026-123/);
    assert.match(found, /whether you contact them is your choice/);
    assert.match(found, /Call 02 000 00 00/);
    // In her language: the page's words and the unit's own text.
    await page.click("#languages button[lang=nl]");
    const gevonden = await page.textContent("#case-found");
    assert.match(gevonden, /Gevonden in een onderzoek/);
    assert.match(gevonden, /Referentie om te vermelden: PV-2026-123/);
    assert.match(gevonden, /Bel 02 000 00 00/);
    await page.click("#languages button[lang=en]");
    await page.evaluate(() => localStorage.clear());
    await page.click("#case-hashes-summary");
    const rows = await page.$$eval("#case-hash-rows tr", (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, filed.values.length);
    assert.ok(rows.every((r) => r.includes("Active")));
    await snapshot(page, "05-case-open");

    // A wrong PIN is answered in plain words.
    const other = await newPage(browser, server.origin);
    await other.goto(server.origin + "/#case");
    await other.fill("#case-number", filed.number);
    await other.fill("#case-pin", "000000");
    await other.click("#case-open");
    await other.waitForSelector("#case-error:not([hidden])");
    assert.match(await other.textContent("#case-error"), /not right/);
    await snapshot(other, "06-case-wrong-pin");
    await other.context().close();
  });

  test("withdraws after a confirmation, and the hashes leave the feed", async () => {
    const { page } = filed;
    await page.click("#withdraw");
    await page.waitForSelector("#confirm[open]");
    assert.match(await page.textContent("#confirm"), /every fingerprint in it is erased/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-no", "the safe choice has focus");
    await snapshot(page, "07-withdraw-confirm");
    await page.click("#confirm-no");
    assert.equal(await page.locator("#confirm[open]").count(), 0);
    assert.equal((await server.feed()).filter((e) => e.op === "delete").length, 0, "cancel withdraws nothing");

    await page.click("#withdraw");
    await page.click("#confirm-yes");
    await page.waitForSelector("#withdrawn:not([hidden])");
    assert.match(await page.textContent("#withdrawn"), new RegExp(`${filed.values.length} fingerprints were erased`));
    assert.match(await page.textContent("#case-facts"), /Withdrawn/);
    assert.ok(await page.locator("#withdraw-part").isHidden());
    await page.click("#case-hashes-summary").catch(() => {});
    const rows = await page.$$eval("#case-hash-rows tr", (trs) => trs.map((tr) => tr.textContent));
    assert.ok(rows.every((r) => r.includes("Erased")));
    await snapshot(page, "08-case-withdrawn");

    const feed = await server.feed();
    const leaked = feed.filter((e) => e.value !== undefined && filed.values.includes(e.value));
    assert.deepEqual(leaked, [], "no feed entry holds a withdrawn value");
    const deleted = new Set(feed.filter((e) => e.op === "delete").map((e) => e.hash_id));
    assert.ok(deleted.size >= filed.values.length, "a deletion for every hash");

    await page.click("#case-close");
    assert.ok(await page.locator("#case-part").isHidden());
    assert.equal(await page.inputValue("#case-number"), "");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("keyboard only: pick, answer, file, follow and withdraw", async () => {
    const page = await newPage(browser, server.origin);
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await tabTo(page, "a.skip");
    await tabTo(page, "#pick");
    const chooser = page.waitForEvent("filechooser");
    await page.keyboard.press("Space");
    await (await chooser).setFiles(CASE_IMAGES.slice(0, 2));
    await page.waitForFunction(() => {
      const items = Array.from(document.querySelectorAll("#images li"), (li) => /** @type {HTMLElement} */ (li));
      return items.length === 2 && items.every((li) => li.dataset.state === "ready");
    });
    await tabTo(page, "#previews");
    await page.keyboard.press("Space");
    assert.ok(await page.isChecked("#previews"));
    await tabTo(page, "#images li:first-child button");
    await tabTo(page, "#minor-yes");
    await page.keyboard.press("Space");
    assert.ok(await page.isChecked("#minor-yes"));
    await tabTo(page, "#send");
    const answer = page.waitForResponse((r) => r.url().endsWith("/v1/cases"));
    await page.keyboard.press("Enter");
    const created = await (await answer).json();
    await page.waitForSelector("#filed-part:not([hidden])");
    await tabTo(page, "#follow");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#case-part:not([hidden])");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "case-heading");
    assert.match(await page.textContent("#case-facts"), /Under 18\s*Yes/);
    const minor = (await server.feed()).filter((e) => created.hashes.some((h) => h.value === e.value));
    assert.ok(minor.length > 0 && minor.every((e) => e.category === "minor"));
    await tabTo(page, "#case-hashes-summary");
    await page.keyboard.press("Enter");
    await tabTo(page, "#withdraw");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm[open]");
    await page.keyboard.press("Escape");
    assert.equal(await page.locator("#confirm[open]").count(), 0, "Escape cancels");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm[open]");
    await tabTo(page, "#confirm-yes");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#withdrawn:not([hidden])");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "withdrawn");
    await tabTo(page, "#case-close");
    await page.keyboard.press("Enter");
    await tabTo(page, "a[data-route=about]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#view-about:not([hidden])");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("languages: from the browser, switchable, remembered; same keys everywhere", async () => {
    const strings = (lang) => import(new URL(`../dist/js/i18n/${lang}.js`, import.meta.url).href);
    const { en } = await strings("en");
    const { nl } = await strings("nl");
    const { fr } = await strings("fr");
    const { de } = await strings("de");
    const holes = (s) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const [name, table] of [["nl", nl], ["fr", fr], ["de", de]]) {
      assert.deepEqual(Object.keys(table).sort(), Object.keys(en).sort(), name);
      for (const key of Object.keys(en)) {
        assert.ok(table[key].trim() !== "", `${name} ${key} is empty`);
        assert.equal(holes(table[key]), holes(en[key]), `${name} ${key}: the same {values}`);
      }
    }

    const checks = [
      ["fr-BE", "fr", fr["file.title"]],
      ["nl-BE", "nl", nl["file.title"]],
      ["de-BE", "de", de["file.title"]],
      ["de-DE", "de", de["file.title"]],
      ["es-ES", "en", en["file.title"]],
    ];
    for (const [locale, lang, title] of checks) {
      const page = await newPage(browser, server.origin, locale);
      assert.equal(await page.getAttribute("html", "lang"), lang, locale);
      assert.equal(await page.textContent("#file-title"), title);
      await page.context().close();
    }

    const german = await newPage(browser, server.origin, "de-BE");
    await snapshot(german, "09-file-de");
    await german.goto(server.origin + "/#case");
    await german.waitForSelector("#view-case:not([hidden])");
    assert.equal(await german.textContent("#case-title"), de["case.title"]);
    await snapshot(german, "12-case-form-de");
    assert.deepEqual(german.problems, []);
    await german.context().close();

    const page = await newPage(browser, server.origin, "fr-BE");
    await snapshot(page, "09-file-fr");
    await page.click("#languages button[lang=nl]");
    assert.equal(await page.getAttribute("html", "lang"), "nl");
    assert.equal(await page.textContent("#file-title"), nl["file.title"]);
    assert.equal(await page.getAttribute("#languages button[lang=nl]", "aria-pressed"), "true");
    assert.equal(await page.title(), nl["page.title"]);
    await page.reload();
    await page.waitForSelector("html[data-ready=true]");
    assert.equal(await page.getAttribute("html", "lang"), "nl", "the choice is remembered");
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), ["hashbank.language"], "only the language is stored");
    await snapshot(page, "10-file-nl");
    await page.goto(server.origin + "/#about");
    await page.waitForSelector("#help-list li");
    assert.match(await page.textContent("#help-list"), /Instituut voor de gelijkheid van vrouwen en mannen/);
    assert.match(await page.textContent("#help-list"), /116 000/);
    await page.click("#languages button[lang=de]");
    assert.equal(await page.getAttribute("html", "lang"), "de");
    assert.equal(await page.textContent("#about-title"), de["about.title"]);
    assert.match(await page.textContent("#help-list"), /Institut für die Gleichheit von Frauen und Männern/);
    assert.match(await page.textContent("#help-list"), /116 000 anrufen/);
    await snapshot(page, "11-about-de");
    await page.click("#languages button[lang=en]");
    assert.match(await page.textContent("#help-list"), /Institute for the Equality of Women and Men/);
    const links = await page.$$eval("#help-list a", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(links.includes("https://www.police.be") && links.includes("https://childfocus.be") && links.includes("tel:116000"));
    await snapshot(page, "11-about");
    await page.goto(server.origin + "/#case");
    await snapshot(page, "12-case-form");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("time to hash a 12 MP JPEG in the page (printed, not asserted)", async () => {
    const path = await drawImage(browser, join(scratch, "photo-12mp.jpg"), {
      width: 4000,
      height: 3000,
      type: "image/jpeg",
      textured: true,
    });
    const native = server.hash(path)[0];
    const page = await newPage(browser, server.origin);
    // Warm the worker with a small image first, as a visitor's page is warm by the time she picks.
    await pick(page, [CASE_IMAGES[1]]);
    const started = Date.now();
    await pick(page, [path]);
    const wall = Date.now() - started;
    const got = (await items(page))[1];
    assert.equal(got.pdq, native.pdq, "the 12 MP JPEG hashes as `hashbank hash` does");
    assert.equal(`${got.width}x${got.height}`, "4000x3000");
    const size = (readFileSync(path).length / 1e6).toFixed(1);
    console.log(
      `12 MP JPEG (4000x3000, ${size} MB): hashed in the page in ${wall} ms from picking to ready; ` +
        `${Number(got.millis).toFixed(0)} ms in WebAssembly; ${got.hashes} hashes`,
    );
    await page.context().close();
  });
});
