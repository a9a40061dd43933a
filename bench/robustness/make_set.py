#!/usr/bin/env python3
"""Builds a robustness set laid out like ../shared/testdata/robustness.

    make_set.py OUT_DIR SOURCES.csv

SOURCES.csv has a header and the columns `id,path,licence`: one benign
photograph per row (no people), `path` readable by Pillow. OUT_DIR receives
`images/<id>.jpg`, `variants/<id>__<transform>.<ext>`, `manifest.csv` and
`originals.csv`, with the 21 transforms defined in the robustness README:

1. the source is decoded (EXIF orientation applied, transparency flattened on
   white), converted to RGB, downscaled with Lanczos so that the long side is
   at most 640 px, and saved as `images/<id>.jpg` (JPEG quality 92, 4:2:0);
2. every variant is made from the decoded `images/<id>.jpg`, saved as JPEG
   quality 90 (4:2:0) unless the transform says otherwise.
"""

import csv
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

LONG_SIDE = 640
ORIGINAL_QUALITY = 92
VARIANT_QUALITY = 90
SUBSAMPLING_420 = 2

# The screenshot canvas: a dark image viewer with a title bar and a side
# panel of buttons, the picture centred at a fixed point right of the panel.
SCREEN = (1920, 1080)
SCREEN_BACKGROUND = (38, 40, 44)
SCREEN_TITLE = (60, 63, 68)
SCREEN_TITLE_HEIGHT = 36
SCREEN_PANEL = (48, 50, 55)
SCREEN_PANEL_WIDTH = 260
SCREEN_BUTTON = (70, 73, 79)
SCREEN_PICTURE_CENTRE = (1127, 569)

CAPTION = "WHEN YOU SEE IT AGAIN"
WATERMARK = "PhotoShare"


def font(size):
    """A scalable font when Pillow has FreeType, else its bitmap font."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:
        return ImageFont.load_default()


def save_jpeg(im, path, quality=VARIANT_QUALITY):
    im.save(path, "JPEG", quality=quality, subsampling=SUBSAMPLING_420)


def crop_fraction(im, left, top, right, bottom):
    """Cuts the given fractions off each edge."""
    w, h = im.size
    return im.crop((round(w * left), round(h * top), w - round(w * right), h - round(h * bottom)))


def letterbox(im):
    w, h = im.size
    bar = round(h * 0.10)
    out = Image.new("RGB", (w, h + 2 * bar), (0, 0, 0))
    out.paste(im, (0, bar))
    return out


def border(im):
    w, h = im.size
    bx, by = round(w * 0.10), round(h * 0.10)
    out = Image.new("RGB", (w + 2 * bx, h + 2 * by), (255, 255, 255))
    out.paste(im, (bx, by))
    return out


def caption(im):
    w, h = im.size
    out = im.copy()
    draw = ImageDraw.Draw(out)
    top = h - round(h * 0.20)
    draw.rectangle((0, top, w, h), fill=(0, 0, 0))
    f = font(max(10, round(h * 0.08)))
    box = draw.textbbox((0, 0), CAPTION, font=f)
    tw, th = box[2] - box[0], box[3] - box[1]
    draw.text(((w - tw) / 2 - box[0], top + (h - top - th) / 2 - box[1]), CAPTION, fill=(255, 255, 255), font=f)
    return out


def screenshot(im):
    canvas = Image.new("RGB", SCREEN, SCREEN_BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, SCREEN[0], SCREEN_TITLE_HEIGHT - 1), fill=SCREEN_TITLE)
    draw.text((16, 8), "image viewer - IMG_0001.jpg", fill=(220, 220, 220), font=font(20))
    draw.rectangle((0, SCREEN_TITLE_HEIGHT, SCREEN_PANEL_WIDTH - 1, SCREEN[1]), fill=SCREEN_PANEL)
    for k in range(8):
        y = 70 + 60 * k
        draw.rectangle((20, y, 240, y + 40), fill=SCREEN_BUTTON)
    w, h = im.size
    x = SCREEN_PICTURE_CENTRE[0] - w // 2
    y = SCREEN_PICTURE_CENTRE[1] - h // 2
    canvas.paste(im, (x, y))
    return canvas


def watermark(im):
    w, h = im.size
    bw = round(w * 0.22)
    bh = round(bw * 0.375)
    x1, y1 = w - round(w * 0.03), h - round(h * 0.03)
    x0, y0 = x1 - bw, y1 - bh
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rounded_rectangle((x0, y0, x1, y1), radius=max(2, bh // 6), fill=(255, 255, 255, 150))
    r = bh * 0.32
    cx, cy = x0 + bh * 0.45, (y0 + y1) / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(20, 20, 20, 230), width=max(1, round(bh * 0.07)))
    f = font(max(8, round(bh * 0.28)))
    box = draw.textbbox((0, 0), WATERMARK, font=f)
    draw.text((x0 + bh * 0.9 - box[0], cy - (box[3] - box[1]) / 2 - box[1]), WATERMARK, fill=(40, 40, 40, 230), font=f)
    return Image.alpha_composite(im.convert("RGBA"), layer).convert("RGB")


def lanczos(im, fw, fh):
    w, h = im.size
    return im.resize((max(1, round(w * fw)), max(1, round(h * fh))), Image.LANCZOS)


# name -> (function, extension)
TRANSFORMS = {
    "jpeg_q30": (lambda im: im, "jpg", 30),
    "jpeg_q70": (lambda im: im, "jpg", 70),
    "scale_50": (lambda im: lanczos(im, 0.5, 0.5), "jpg", None),
    "scale_25": (lambda im: lanczos(im, 0.25, 0.25), "jpg", None),
    "crop_05": (lambda im: crop_fraction(im, 0.025, 0.025, 0.025, 0.025), "jpg", None),
    "crop_10": (lambda im: crop_fraction(im, 0.05, 0.05, 0.05, 0.05), "jpg", None),
    "crop_20": (lambda im: crop_fraction(im, 0.10, 0.10, 0.10, 0.10), "jpg", None),
    "crop_15_offcenter": (lambda im: crop_fraction(im, 0.12, 0.03, 0.03, 0.12), "jpg", None),
    "letterbox_black": (letterbox, "jpg", None),
    "border_white": (border, "jpg", None),
    "mirror": (ImageOps.mirror, "jpg", None),
    "rot_90": (lambda im: im.transpose(Image.Transpose.ROTATE_270), "jpg", None),
    "rot_5": (lambda im: im.rotate(5, resample=Image.BICUBIC, expand=True, fillcolor=(0, 0, 0)), "jpg", None),
    "gray": (lambda im: im.convert("L"), "jpg", None),
    "bright_p30": (lambda im: ImageEnhance.Brightness(im).enhance(1.3), "jpg", None),
    "contrast_m30": (lambda im: ImageEnhance.Contrast(im).enhance(0.7), "jpg", None),
    "blur_s2": (lambda im: im.filter(ImageFilter.GaussianBlur(radius=2)), "jpg", None),
    "caption_20": (caption, "jpg", None),
    "screenshot": (screenshot, "png", None),
    "watermark": (watermark, "jpg", None),
    "stretch_13": (lambda im: lanczos(im, 1.3, 1.0), "jpg", None),
}


def original(path):
    im = Image.open(path)
    im = ImageOps.exif_transpose(im)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        flat = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(flat, im)
    im = im.convert("RGB")
    w, h = im.size
    if max(w, h) > LONG_SIDE:
        s = LONG_SIDE / max(w, h)
        im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
    return im, (w, h)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, sources = Path(sys.argv[1]), Path(sys.argv[2])
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "variants").mkdir(parents=True, exist_ok=True)
    with open(sources, newline="") as f:
        rows = list(csv.DictReader(f))
    manifest = [("variant_file", "original_id", "transform")]
    originals = [("original_id", "file", "source", "source_size", "stored_size", "licence")]
    for row in rows:
        ident = row["id"]
        im, size = original(row["path"])
        stored = out / "images" / f"{ident}.jpg"
        save_jpeg(im, stored, ORIGINAL_QUALITY)
        base = Image.open(stored).convert("RGB")
        originals.append((ident, stored.name, row["path"], "%dx%d" % size, "%dx%d" % base.size, row.get("licence", "")))
        for name, (fn, ext, quality) in TRANSFORMS.items():
            v = fn(base)
            vname = f"{ident}__{name}.{ext}"
            if ext == "png":
                v.save(out / "variants" / vname, "PNG")
            else:
                save_jpeg(v, out / "variants" / vname, quality or VARIANT_QUALITY)
            manifest.append((vname, ident, name))
        print(ident, "%dx%d" % base.size, file=sys.stderr)
    for name, table in (("manifest.csv", manifest), ("originals.csv", originals)):
        with open(out / name, "w", newline="") as f:
            csv.writer(f).writerows(table)


if __name__ == "__main__":
    main()
