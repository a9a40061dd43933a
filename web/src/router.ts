// Three views, chosen by the address's fragment (#file, #case, #about), so
// that the browser's back button works. Case numbers and PINs are never
// put in the address.

import { byId, focusOn } from "./dom.js";

export type View = "file" | "case" | "about";
const VIEWS: readonly View[] = ["file", "case", "about"];

/** Shows the view named in the address; `focus` moves focus to its heading. */
export function showView(focus: boolean): View | null {
  const name = location.hash.replace(/^#/, "") || "file";
  if (!(VIEWS as readonly string[]).includes(name)) return null;
  const view = name as View;
  for (const other of VIEWS) byId("view-" + other, HTMLElement).hidden = other !== view;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-route]")) {
    if (link.dataset.route === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (focus) {
    const heading = byId("view-" + view, HTMLElement).querySelector<HTMLElement>("h1:not([hidden])");
    const visible = Array.from(byId("view-" + view, HTMLElement).querySelectorAll<HTMLElement>("h1")).find(
      (h) => h.offsetParent !== null,
    );
    focusOn(visible ?? heading ?? byId("main", HTMLElement));
  }
  return view;
}

/** Goes to `view` (through the address, so that back returns). */
export function go(view: View): void {
  if (location.hash === "#" + view) showView(true);
  else location.hash = view;
}

export function startRouter(): void {
  window.addEventListener("hashchange", () => showView(true));
  showView(false);
}
