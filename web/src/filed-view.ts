// After filing: the case number and PIN, shown once, with the warning to
// keep them, and the receipt. They stay in this page's memory only (to
// open the case with one click) until she files another case or closes
// the page; nothing is stored on the device.

import type { CreatedCase } from "./api.js";
import { byId, focusOn, show } from "./dom.js";
import { downloadReceipt } from "./receipt.js";

export interface FiledView {
  show(created: CreatedCase): void;
}

export function setupFiledView(follow: (number: string, pin: string) => void, again: () => void): FiledView {
  let current: CreatedCase | null = null;
  byId("receipt", HTMLButtonElement).addEventListener("click", () => {
    if (current !== null) downloadReceipt(current);
  });
  byId("follow", HTMLButtonElement).addEventListener("click", () => {
    if (current !== null) follow(current.case_number, current.pin);
  });
  byId("again", HTMLButtonElement).addEventListener("click", () => {
    current = null;
    byId("filed-number", HTMLElement).textContent = "";
    byId("filed-pin", HTMLElement).textContent = "";
    again();
  });
  return {
    show(created) {
      current = created;
      byId("filed-number", HTMLElement).textContent = created.case_number;
      byId("filed-pin", HTMLElement).textContent = created.pin;
      show(byId("file-part", HTMLDivElement), false);
      show(byId("filed-part", HTMLDivElement), true);
      focusOn(byId("filed-title", HTMLHeadingElement));
    },
  };
}
