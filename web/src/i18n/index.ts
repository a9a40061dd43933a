// The page's languages: which one to use, switching, and filling in the
// strings. Every element with text is bound to a key here, so a switch
// rewrites the whole page in place (focus and state stay).

import { de } from "./de.js";
import { en, type Key, type Messages } from "./en.js";
import { fr } from "./fr.js";
import { nl } from "./nl.js";

export type { Key } from "./en.js";
export type Lang = "nl" | "fr" | "de" | "en";
export const LANGS: readonly Lang[] = ["nl", "fr", "de", "en"];
const TABLES: Record<Lang, Messages> = { nl, fr, de, en };

/** Only the language choice is remembered on the device, nothing else. */
const STORAGE_KEY = "hashbank.language";

/** A value put into a string: fixed, or computed each time (dates). */
export type Var = string | number | (() => string);
export type Vars = Record<string, Var>;

interface Binding {
  key: Key;
  vars: Vars;
}

/** Text and attribute bindings of each bound element. */
const bindings = new WeakMap<Element, Map<string, Binding>>();
const TEXT = "#text";

let current: Lang = "en";
const listeners: (() => void)[] = [];

/** Calls `listener` after each switch (for text that is not bound to a key). */
export function onLanguage(listener: () => void): void {
  listeners.push(listener);
}

/** The first of the reader's languages the page has, else English. */
export function chooseLanguage(preferred: readonly string[], stored: string | null): Lang {
  if (stored !== null && isLang(stored)) return stored;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0] ?? "";
    if (isLang(primary)) return primary;
  }
  return "en";
}

function isLang(word: string): word is Lang {
  return (LANGS as readonly string[]).includes(word);
}

export function language(): Lang {
  return current;
}

/** A language's name in that language. */
export function selfName(lang: Lang): string {
  return TABLES[lang]["lang.self"];
}

/** The string `key` in the current language with `vars` filled in. */
export function t(key: Key, vars: Vars = {}): string {
  return TABLES[current][key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === "function" ? value() : String(value);
  });
}

/** Sets the element's text (or attribute `attr`) to `key`, now and after each switch. */
export function bind(el: Element, key: Key, vars: Vars = {}, attr: string = TEXT): void {
  let map = bindings.get(el);
  if (map === undefined) {
    map = new Map();
    bindings.set(el, map);
  }
  el.setAttribute("data-i18n", "");
  map.set(attr, { key, vars });
  apply(el, attr, { key, vars });
}

function apply(el: Element, attr: string, binding: Binding): void {
  const text = t(binding.key, binding.vars);
  if (attr === TEXT) el.textContent = text;
  else el.setAttribute(attr, text);
}

/** Binds the static markup: `data-t="key"` for text, `data-t-ATTR="key"` for attributes. */
export function bindStatic(root: ParentNode): void {
  for (const el of root.querySelectorAll("*")) {
    for (const { name, value } of Array.from(el.attributes)) {
      if (name === "data-t") bind(el, value as Key);
      else if (name.startsWith("data-t-")) bind(el, value as Key, {}, name.slice("data-t-".length));
    }
  }
}

/** Switches to `lang`, remembers the choice, and rewrites every bound string. */
export function setLanguage(lang: Lang, remember: boolean): void {
  current = lang;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Storage may be off (private windows): the choice lasts this visit.
    }
  }
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const map = bindings.get(el);
    if (map === undefined) continue;
    for (const [attr, binding] of map) apply(el, attr, binding);
  }
  for (const listener of listeners) listener();
}

/** The language remembered on this device, if any. */
export function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** A date and time in the current language, e.g. "3 March 2026, 14:05". */
/** A day (`YYYY-MM-DD`) in the current language, without a time. */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(current, { dateStyle: "long", timeZone: "UTC" }).format(date);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: "long", timeStyle: "short" }).format(date);
}
