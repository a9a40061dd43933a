// How it works, and the help contacts the operator sets in config.json
// (served beside the page; see docs/victim-page.md).

import { el } from "./dom.js";
import { bind, language, onLanguage, type Lang } from "./i18n/index.js";

type Texts = Partial<Record<Lang, string>>;

interface HelpContact {
  name: Texts;
  text?: Texts;
  phone?: string;
  url?: string;
}

interface Config {
  help?: HelpContact[];
}

export async function setupAboutView(): Promise<void> {
  const list = document.getElementById("help-list");
  if (list === null) return;
  let contacts: HelpContact[] | null = null;
  try {
    const response = await fetch("config.json", { cache: "no-store", credentials: "omit" });
    if (response.ok) contacts = ((await response.json()) as Config).help ?? [];
  } catch {
    contacts = null;
  }
  const render = (): void => {
    if (contacts === null) {
      const item = el("li", { t: "about.help.none" });
      list.replaceChildren(item);
      return;
    }
    list.replaceChildren(...contacts.map(contactNode));
  };
  render();
  onLanguage(render);
}

function pick(texts: Texts | undefined): string {
  if (texts === undefined) return "";
  return texts[language()] ?? texts.en ?? Object.values(texts)[0] ?? "";
}

function contactNode(contact: HelpContact): HTMLElement {
  const item = el("li", {}, el("span", { class: "name", text: pick(contact.name) }));
  const text = pick(contact.text);
  if (text !== "") item.append(el("span", { text }));
  const links = el("span", { class: "actions" });
  if (contact.phone !== undefined) {
    const phone = contact.phone;
    const call = el("a", { attrs: { href: "tel:" + phone.replace(/[^0-9+]/g, "") } });
    bind(call, "about.help.call", { phone });
    links.append(call);
  }
  if (contact.url !== undefined && /^https?:\/\//.test(contact.url)) {
    const site = el("a", { attrs: { href: contact.url, rel: "noopener noreferrer", target: "_blank" } });
    bind(site, "about.help.site", { url: contact.url.replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, "") });
    links.append(site);
  }
  if (links.childNodes.length > 0) item.append(el("br"), links);
  return item;
}
