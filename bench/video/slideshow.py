"""Slideshow videos made with FFmpeg from photographs, as a phone would film
them: 1080p at 30 frames/s, each photograph with a slow zoom (so every frame
differs), a key frame each second."""

import subprocess
from pathlib import Path


def make_slideshow(photos, path: Path, seconds_each: int, codec) -> None:
    """Writes the slideshow of `photos` to `path`, `seconds_each` seconds a
    photograph, encoded with the FFmpeg arguments `codec`. The file appears
    only when whole."""
    args = ["ffmpeg", "-v", "error", "-y"]
    for p in photos:
        args += ["-loop", "1", "-t", str(seconds_each), "-framerate", "30", "-i", str(p)]
    chains = [
        f"[{i}:v]scale=2112:1188:force_original_aspect_ratio=increase,crop=2112:1188,"
        f"zoompan=z='1+0.0015*on':d=1:s=1920x1080:fps=30,setsar=1[v{i}]"
        for i in range(len(photos))
    ]
    graph = ";".join(chains) + ";" + "".join(f"[v{i}]" for i in range(len(photos)))
    graph += f"concat=n={len(photos)}:v=1:a=0,format=yuv420p[out]"
    part = path.with_suffix(".part.mp4")
    args += ["-filter_complex", graph, "-map", "[out]", "-g", "30"] + list(codec) + [str(part)]
    subprocess.run(args, check=True)
    part.rename(path)
