#!/usr/bin/env python3
"""Hashes Meta's sample videos with the reference package (pip `vpdq`) at
every frame, one file NAME.txt per video in the reference's text form
(`frame,quality,hex,timestamp`), for the conformance test of
crates/video/tests/reference.rs (HASHBANK_TEST_VPDQ_PEER).

    python3 scripts/vpdq-peer.py OUT [VIDEOS]

VIDEOS defaults to ../shared/testdata/vpdq/videos beside the repository.
"""

import importlib.metadata
import pathlib
import sys

import vpdq


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    root = pathlib.Path(__file__).resolve().parent.parent
    videos = (
        pathlib.Path(sys.argv[2])
        if len(sys.argv) > 2
        else root.parent / "shared" / "testdata" / "vpdq" / "videos"
    )
    names = sorted(videos.glob("*.mp4"))
    if not names:
        print(f"no videos in {videos}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for video in names:
        features = vpdq.computeHash(str(video), seconds_per_hash=0, thread_count=1)
        lines = [
            f"{f.frame_number},{f.quality},{f.hex},{f.timestamp:.3f}\n" for f in features
        ]
        (out / f"{video.stem}.txt").write_text("".join(lines))
    version = importlib.metadata.version("vpdq")
    print(f"pip vpdq {version}: {len(names)} sample videos hashed into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
