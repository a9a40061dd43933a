// Debian's Chromium driven by playwright-core (never a browser download),
// and the checks made on every page state: screenshots at desktop and phone
// sizes, no horizontal scrolling at 360 px, labels, visible focus, contrast.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

import { ROOT } from "./server.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "web", "screenshots");
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/** Launches headless Chromium with a fresh profile (playwright makes a new user-data-dir). */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** A new page at desktop size in a fresh context with browser language `locale`. */
export async function newPage(browser, origin, locale = "en-GB") {
  const context = await browser.newContext({ viewport: DESKTOP, locale, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  page.problems = problems;
  // File choosers are caught from the start. Playwright does not wait for
  // the browser to start catching them when a test begins to wait for one,
  // so a key press right after could open the real chooser instead (nothing,
  // headless) and the test would wait in vain.
  page.on("filechooser", () => {});
  await page.goto(origin + "/");
  await page.waitForSelector("html[data-ready=true]");
  return page;
}

/**
 * Screenshots the page as it is at desktop size and at 360 px, checking at
 * each size that nothing scrolls sideways, and at phone size the labels and
 * contrast of what is shown.
 */
export async function snapshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize();
  await page.setViewportSize(DESKTOP);
  await settle(page);
  await page.screenshot({ path: join(SCREENSHOTS, `desktop-${name}.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await settle(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`${name}: the page scrolls sideways by ${overflow} px at 360 px wide`);
  await page.screenshot({ path: join(SCREENSHOTS, `phone-${name}.png`), fullPage: true });
  await checkLabels(page, name);
  await checkContrast(page, name);
  if (size !== null) await page.setViewportSize(size);
}

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Every visible control has an accessible name. */
export async function checkLabels(page, name) {
  const unlabelled = await page.evaluate(() => {
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const named = (el) => {
      if ((el.getAttribute("aria-label") ?? "").trim() !== "") return true;
      const by = el.getAttribute("aria-labelledby");
      if (by !== null && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent ?? "").trim() !== "")) return true;
      if ("labels" in el && el.labels !== null && Array.from(el.labels).some((l) => l.textContent.trim() !== "")) return true;
      if (el.tagName === "BUTTON" || el.tagName === "A" || el.tagName === "SUMMARY") return el.textContent.trim() !== "";
      return false;
    };
    return Array.from(document.querySelectorAll("input, select, textarea, button, a[href], summary"))
      .filter(visible)
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
  if (unlabelled.length > 0) throw new Error(`${name}: controls without a label: ${unlabelled.join(" | ")}`);
}

/** Every visible text meets WCAG AA contrast against its background. */
export async function checkContrast(page, name) {
  const failures = await page.evaluate(() => {
    const parse = (colour) => {
      const m = /rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[, /]+([\d.]+))?\)/.exec(colour);
      if (m === null) return null;
      return { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] };
    };
    const luminance = ({ r, g, b }) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el) => {
      for (let node = el; node !== null; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg !== null && bg.a > 0.99) return bg;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let text = walker.nextNode(); text !== null; text = walker.nextNode()) {
      const el = text.parentElement;
      if (el === null || seen.has(el) || text.textContent.trim() === "") continue;
      seen.add(el);
      if (el.getClientRects().length === 0) continue;
      if (el.closest("dialog:not([open])") !== null) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden") continue;
      // Inside an open modal dialog only the dialog counts (the rest is behind the backdrop).
      const modal = document.querySelector("dialog[open]");
      if (modal !== null && !modal.contains(el)) continue;
      const fg = parse(style.color);
      if (fg === null) continue;
      const l1 = luminance(fg);
      const l2 = luminance(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)}:1 "${text.textContent.trim().slice(0, 40)}"`);
    }
    return out;
  });
  if (failures.length > 0) throw new Error(`${name}: too little contrast: ${failures.join(" | ")}`);
}

/** The focused element shows a visible focus ring (3px outline or more). */
export async function focusIsVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return { ok: false, what: "nothing focused" };
    // The file input is drawn by its label, which shows the focus ring.
    const drawn = el.matches("input[type=file]") && el.nextElementSibling?.tagName === "LABEL" ? el.nextElementSibling : el;
    const style = getComputedStyle(drawn);
    const width = parseFloat(style.outlineWidth);
    const ok = style.outlineStyle !== "none" && width >= 2;
    return { ok, what: `${el.tagName.toLowerCase()}#${el.id} outline ${style.outlineStyle} ${style.outlineWidth}` };
  });
}

/** Picks `paths` in the page's file input and waits until none is being read. */
export async function pick(page, paths, timeout = 300_000) {
  const before = await page.locator("#images li").count();
  await page.setInputFiles("#pick", paths);
  await page.waitForFunction(
    (n) => {
      const items = Array.from(document.querySelectorAll("#images li"), (li) => /** @type {HTMLElement} */ (li));
      return items.length === n && items.every((li) => li.dataset.state !== "reading");
    },
    before + paths.length,
    { timeout },
  );
}

/** Presses Tab until `selector` has focus, checking the focus ring at every stop. */
export async function tabTo(page, selector, key = "Tab") {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(key);
    // Past the last control focus leaves the page, and the next Tab comes back to the first.
    if (await page.evaluate(() => document.activeElement === document.body)) continue;
    const focus = await focusIsVisible(page);
    assert.ok(focus.ok, `focus not visible on ${focus.what}`);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`${selector} cannot be reached with the keyboard`);
}
