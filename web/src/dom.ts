// Small helpers for building and finding elements. Text always goes in
// through textContent or a binding, never as markup.

import { bind, type Key, type Vars } from "./i18n/index.js";

export interface Props {
  /** Class names. */
  class?: string;
  /** The translated text of the element. */
  t?: Key;
  /** Values for `t`. */
  vars?: Vars;
  /** Untranslated text (names, numbers, hashes). */
  text?: string;
  /** Attributes. */
  attrs?: Record<string, string>;
  /** Translated attributes: attribute name to key (using `vars`). */
  tattrs?: Record<string, Key>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class !== undefined) node.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  if (props.t !== undefined) bind(node, props.t, props.vars ?? {});
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, key] of Object.entries(props.tattrs ?? {})) bind(node, key, props.vars ?? {}, name);
  node.append(...children);
  return node;
}

/** The element with id `id`, which must be of type `type`. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return node;
}

/** Shows or hides an element. */
export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}

/** Moves focus to `node` (a heading or panel), so a screen reader reads on from it. */
export function focusOn(node: HTMLElement): void {
  if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
  node.focus();
}

/** Shows `key` in a message element, or hides it when `key` is null. */
export function say(node: HTMLElement, key: Key | null, vars: Vars = {}): void {
  if (key === null) {
    node.textContent = "";
    node.removeAttribute("data-i18n");
    node.hidden = true;
    return;
  }
  bind(node, key, vars);
  node.hidden = false;
}
