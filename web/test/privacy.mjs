// The privacy proof: every request the page makes is recorded, and none may
// leave the server's origin or carry any piece of an image. A piece is any
// 64 bytes in a row of a picked file (a small fraction of any photo), found
// as raw bytes, base64 (at each of the three alignments) or hex.

const WINDOW = 64;
const STEP = WINDOW / 2;

/** Records the URL and body of every request `page` makes. */
export function recordRequests(page) {
  const requests = [];
  page.on("request", (request) => {
    requests.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() });
  });
  return requests;
}

/**
 * An index of the files' contents in every encoding: each aligned piece of
 * STEP characters. Any run of WINDOW characters of an encoded file contains
 * one of them, so looking up every STEP-long run of a body finds any such
 * run it contains.
 */
export function indexFiles(files) {
  const index = new Map();
  for (const { name, bytes } of files) {
    const encodings = [
      ["raw", bytes.toString("latin1")],
      ["hex", bytes.toString("hex")],
      ["base64", bytes.toString("base64")],
      ["base64+1", bytes.subarray(1).toString("base64")],
      ["base64+2", bytes.subarray(2).toString("base64")],
    ];
    for (const [encoding, text] of encodings) {
      const width = encoding === "raw" ? STEP : encoding === "hex" ? STEP * 2 : Math.ceil((STEP * 4) / 3);
      for (let i = 0; i + width <= text.length; i += width) {
        index.set(text.slice(i, i + width), `${name} (${encoding}, offset ${i})`);
      }
    }
  }
  return index;
}

/** The first piece of a file found in `text`, if any. */
function findPiece(index, text, widths) {
  for (const width of widths) {
    for (let i = 0; i + width <= text.length; i++) {
      const hit = index.get(text.slice(i, i + width));
      if (hit !== undefined) return hit;
    }
  }
  return null;
}

/** Throws unless every request stayed on `origin` and carried no piece of any file. */
export function checkRequests(requests, origin, files) {
  if (requests.length === 0) throw new Error("no request was recorded");
  const index = indexFiles(files);
  const widths = [STEP, STEP * 2, Math.ceil((STEP * 4) / 3)];
  for (const request of requests) {
    const url = new URL(request.url);
    if (url.origin !== origin) throw new Error(`a request left the origin: ${request.method} ${request.url}`);
    const texts = [decodeURIComponent(request.url)];
    if (request.body !== null) {
      texts.push(request.body.toString("latin1"));
      texts.push(request.body.toString("utf8"));
    }
    for (const text of texts) {
      const hit = findPiece(index, text, widths);
      if (hit !== null) throw new Error(`${request.method} ${request.url} carries image bytes: ${hit}`);
    }
  }
}
