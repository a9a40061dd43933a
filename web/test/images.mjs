// Test images made on the spot: benign synthetic pictures drawn by the
// browser's canvas (no file of people, nothing large committed), and files
// that must be refused.

import { readdirSync, statSync, truncateSync, writeFileSync, closeSync, openSync } from "node:fs";
import { join } from "node:path";

/** Every file under `dir`, sorted, recursively. */
export function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/**
 * A `width` x `height` picture encoded by Chromium (`type` image/jpeg or
 * image/png), drawn in a blank page: gradients, shapes and grain when
 * `textured`, one flat colour otherwise.
 */
export async function drawImage(browser, path, { width, height, type, textured }) {
  const page = await browser.newPage();
  try {
    const base64 = await page.evaluate(
      async ({ width, height, type, textured }) => {
        const canvas = new OffscreenCanvas(width, height);
        const g = canvas.getContext("2d");
        if (textured) {
          const sky = g.createLinearGradient(0, 0, width, height);
          sky.addColorStop(0, "#2a6f97");
          sky.addColorStop(0.5, "#f4d58d");
          sky.addColorStop(1, "#8d0801");
          g.fillStyle = sky;
          g.fillRect(0, 0, width, height);
          let seed = 7;
          const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
          for (let i = 0; i < 400; i++) {
            g.fillStyle = `hsl(${Math.floor(random() * 360)} 60% ${Math.floor(20 + random() * 60)}%)`;
            g.beginPath();
            g.ellipse(random() * width, random() * height, 10 + random() * width / 8, 10 + random() * height / 8, random() * 3, 0, 2 * Math.PI);
            g.fill();
          }
          const image = g.getImageData(0, 0, width, height);
          for (let i = 0; i < image.data.length; i += 4) {
            const grain = (random() - 0.5) * 24;
            image.data[i] += grain;
            image.data[i + 1] += grain;
            image.data[i + 2] += grain;
          }
          g.putImageData(image, 0, 0);
        } else {
          g.fillStyle = "#d8d8d8";
          g.fillRect(0, 0, width, height);
        }
        const blob = await canvas.convertToBlob({ type, quality: 0.9 });
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = "";
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(binary);
      },
      { width, height, type, textured },
    );
    writeFileSync(path, Buffer.from(base64, "base64"));
    return path;
  } finally {
    await page.close();
  }
}

/** A file of `bytes` zero bytes (sparse), for the size limit. */
export function bigFile(path, bytes) {
  closeSync(openSync(path, "w"));
  truncateSync(path, bytes);
  return path;
}

export function textFile(path) {
  writeFileSync(path, "These are notes, not an image.\n");
  return path;
}
