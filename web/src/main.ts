// The page's start: language, static strings, the three views, the router,
// and the hashing worker (started at once so WebAssembly is ready early).

import { byId, el } from "./dom.js";
import { setupAboutView } from "./about-view.js";
import { setupCaseView } from "./case-view.js";
import { setupFiledView } from "./filed-view.js";
import { setupFileView } from "./file-view.js";
import { Hasher } from "./hasher.js";
import {
  bind,
  bindStatic,
  chooseLanguage,
  language,
  LANGS,
  onLanguage,
  selfName,
  setLanguage,
  storedLanguage,
} from "./i18n/index.js";
import { go, startRouter } from "./router.js";

function languageSwitcher(): void {
  const nav = byId("languages", HTMLElement);
  const buttons = LANGS.map((lang) => {
    const button = el("button", { text: selfName(lang), attrs: { type: "button", lang } });
    button.addEventListener("click", () => setLanguage(lang, true));
    return button;
  });
  const mark = (): void => {
    for (const [i, button] of buttons.entries()) {
      button.setAttribute("aria-pressed", String(LANGS[i] === language()));
    }
  };
  onLanguage(mark);
  mark();
  nav.replaceChildren(...buttons);
}

function start(): void {
  bindStatic(document);
  const title = document.querySelector("title");
  if (title !== null) bind(title, "page.title");
  setLanguage(chooseLanguage(navigator.languages, storedLanguage()), false);
  languageSwitcher();

  const hasher = new Hasher();
  hasher.start();
  const caseView = setupCaseView();
  const filedView = setupFiledView(
    (number, pin) => {
      go("case");
      caseView.open(number, pin);
    },
    () => fileView.reset(),
  );
  const fileView = setupFileView(hasher, (created) => filedView.show(created));
  void setupAboutView();

  byId("loading", HTMLElement).hidden = true;
  startRouter();
  document.documentElement.dataset.ready = "true";
}

start();
