"""Seeds of bench/fuzz/run: small files of every kind each target reads.

    seeds.py TESTDATA ROOT OUT

Writes OUT/jpeg, OUT/media_decode and OUT/archive: JPEGs (the JPEG crate's
coverage cases, the smallest of TESTDATA, and Pillow's variants:
progressive, grey, CMYK, subsampling, restart markers), images of every
format the media crate reads (PNG of every colour type, GIF, BMP, TIFF,
WebP lossy, lossless and animated), and archives holding them (zip, tar,
tar.gz, gzip, nested, with folders, links, hostile names and a small
bomb), each prefixed by the archive target's choice of limits. The
bank file and JSON seeds come from the targets themselves and from
fuzz/seeds.
"""

import gzip
import io
import pathlib
import sys
import tarfile
import zipfile

from PIL import Image

# Files of TESTDATA taken as seeds: the smallest, at most this many of a
# kind, each at most this large (a fuzz input stays small to stay fast).
MAX_TESTDATA = 30
MAX_SEED_BYTES = 24 << 10


def smallest(testdata, patterns):
    files = sorted(
        (p for pattern in patterns for p in testdata.rglob(pattern) if p.is_file()),
        key=lambda p: (p.stat().st_size, str(p)),
    )
    return [p for p in files if p.stat().st_size <= MAX_SEED_BYTES][:MAX_TESTDATA]


def photo(testdata, size):
    """A real photograph, resized: natural content compresses naturally."""
    source = smallest(testdata, ["*.jpg"])[0]
    with Image.open(source) as im:
        return im.convert("RGB").resize(size)


def encoded(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpegs(testdata, root, rgb):
    out = {}
    for p in sorted((root / "crates/jpeg/tests/jpeg_support/cases").glob("*.jpg")):
        out[f"case-{p.name}"] = p.read_bytes()
    for p in smallest(testdata, ["*.jpg", "*.jpeg"]):
        out[f"testdata-{p.name}"] = p.read_bytes()
    variants = {
        "baseline.jpg": (rgb, {"quality": 80}),
        "progressive.jpg": (rgb, {"progressive": True}),
        "optimized.jpg": (rgb, {"optimize": True, "subsampling": 0}),
        "s422.jpg": (rgb, {"subsampling": 1}),
        "grey.jpg": (rgb.convert("L"), {}),
        "grey-progressive.jpg": (rgb.convert("L"), {"progressive": True}),
        "cmyk.jpg": (rgb.convert("CMYK"), {}),
        "restart.jpg": (rgb, {"restart_marker_blocks": 2}),
        "odd.jpg": (rgb.resize((17, 9)), {}),
    }
    for name, (image, options) in variants.items():
        out[f"pil-{name}"] = encoded(image, "JPEG", **options)
    return out


def images(testdata, rgb):
    out = {}
    for p in smallest(testdata, ["*.png", "*.webp", "*.jpg"])[:12]:
        out[f"testdata-{p.name}"] = p.read_bytes()
    small = rgb.resize((24, 16))
    rgba = small.convert("RGBA")
    rgba.putalpha(128)
    variants = {
        "rgb.png": (small, "PNG", {}),
        "rgba.png": (rgba, "PNG", {}),
        "grey.png": (small.convert("L"), "PNG", {}),
        "grey-alpha.png": (small.convert("LA"), "PNG", {}),
        "palette.png": (small.convert("P"), "PNG", {}),
        "bits.png": (small.convert("1"), "PNG", {}),
        "sixteen.png": (small.convert("I;16"), "PNG", {}),
        "interlaced.png": (small, "PNG", {"interlace": 1}),
        "still.gif": (small.convert("P"), "GIF", {}),
        "moving.gif": (small.convert("P"), "GIF", {
            "save_all": True, "append_images": [small.rotate(90).convert("P")], "duration": 50}),
        "rgb.bmp": (small, "BMP", {}),
        "palette.bmp": (small.convert("P"), "BMP", {}),
        "raw.tiff": (small, "TIFF", {}),
        "lzw.tiff": (small, "TIFF", {"compression": "tiff_lzw"}),
        "deflate.tiff": (small.convert("L"), "TIFF", {"compression": "tiff_adobe_deflate"}),
        "packbits.tiff": (small, "TIFF", {"compression": "packbits"}),
        "lossy.webp": (small, "WEBP", {"quality": 50}),
        "lossless.webp": (small, "WEBP", {"lossless": True}),
        "alpha.webp": (rgba, "WEBP", {"quality": 50}),
        "moving.webp": (small, "WEBP", {
            "save_all": True, "append_images": [small.rotate(90)], "duration": 50}),
        "photo.jpg": (small, "JPEG", {}),
        "progressive.jpg": (small, "JPEG", {"progressive": True}),
    }
    for name, (image, fmt, options) in variants.items():
        out[f"pil-{name}"] = encoded(image, fmt, **options)
    return out


def zip_of(entries, method=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries:
            if data is None:
                z.writestr(zipfile.ZipInfo(name), b"")
            elif isinstance(data, tuple):
                # A symbolic link: its target as the data, the mode in the
                # external attributes.
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o120777 << 16
                z.writestr(info, data[1])
            else:
                z.writestr(name, data)
    return out.getvalue()


def tar_of(entries, fmt=tarfile.USTAR_FORMAT, mode="w"):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, format=fmt) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif isinstance(data, tuple):
                info.type = tarfile.SYMTYPE if data[0] == "symlink" else tarfile.LNKTYPE
                info.linkname = data[1]
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def archives(pictures):
    jpg, png, webp = pictures["pil-photo.jpg"], pictures["pil-rgb.png"], pictures["pil-lossy.webp"]
    files = [("photos/a.jpg", jpg), ("b.png", png), ("notes.txt", b"not an image\n")]
    inner_zip = zip_of([("inner/c.webp", webp), ("d.jpg", jpg)])
    inner_tgz = gzip.compress(tar_of([("e.png", png)]))
    out = {
        "plain.zip": zip_of(files + [("photos/", None)]),
        "stored.zip": zip_of(files, zipfile.ZIP_STORED),
        "empty.zip": zip_of([]),
        "hostile.zip": zip_of([("../up.jpg", jpg), ("/abs.jpg", jpg), ("C:/drive.jpg", jpg),
                               ("link.jpg", ("symlink", "/etc/passwd")), ("ok.jpg", jpg)]),
        "nested.zip": zip_of([("in.zip", inner_zip), ("in.tar.gz", inner_tgz), ("f.jpg", jpg)]),
        "bomb.zip": zip_of([("zeros.jpg", b"\xff\xd8" + bytes(2 << 20))]),
        "plain.tar": tar_of(files + [("photos", None), ("link", ("symlink", "photos/a.jpg")),
                                     ("hard", ("hardlink", "b.png"))]),
        "gnu.tar": tar_of([("x" * 150 + ".jpg", jpg), ("../up.jpg", jpg)], tarfile.GNU_FORMAT),
        "pax.tar": tar_of([("y" * 120 + "/z.png", png), ("w.webp", webp)], tarfile.PAX_FORMAT),
        "nested.tar": tar_of([("in.zip", inner_zip), ("g.jpg", jpg)]),
        "photos.tar.gz": gzip.compress(tar_of(files)),
        "photo.jpg.gz": gzip.compress(jpg),
        "twice.gz": gzip.compress(gzip.compress(png)),
        "members.gz": gzip.compress(png[:40]) + gzip.compress(png[40:]),
        "bomb.gz": gzip.compress(bytes(4 << 20)),
    }
    # The first byte chooses the limits: default (0) or tight (1).
    return {f"{choice}-{name}": bytes([choice]) + data
            for name, data in out.items() for choice in (0, 1)}


def write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    print(f"{folder.name}: {len(files)} seeds", file=sys.stderr)


def main():
    testdata, root, out = (pathlib.Path(a) for a in sys.argv[1:4])
    rgb = photo(testdata, (64, 48))
    pictures = images(testdata, rgb)
    write(out / "jpeg", jpegs(testdata, root, rgb))
    write(out / "media_decode", pictures)
    write(out / "archive", archives(pictures))


if __name__ == "__main__":
    main()
