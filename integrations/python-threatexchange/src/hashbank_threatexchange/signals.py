"""
Which python-threatexchange signal type each hashbank hash becomes.

    hashbank                                  python-threatexchange
    pdq, plain (label pdq)                    pdq           (PdqSignal)
    pdq, extra: trim, crop95/90/80, crop85*   pdq           (PdqSignal)
    pdq, extra: top80, bottom80, unknown      left out
    md5                                       video_md5     (VideoMD5Signal)
    sha256                                    video_sha256  (VideoSHA256Signal)
    vpdq (its plain frames)                   vpdq          (the vpdq extension's VPDQSignal)

Why (docs/threatexchange.md has the longer version): the bank itself
compares a whole picture with the whole original, its trim and its crops,
so those parts can go into a PDQ index that is queried with whole pictures.
top80 and bottom80 are compared by the bank only with the same part of a
query, which a python-threatexchange client never computes, so they would
only add chances of a wrong match. MD5 and SHA-256 are hashes of the file's
bytes, which python-threatexchange files under its video signal types (any
file hashes the same way). A video's vPDQ hash is turned into the vpdq
extension's form, its plain frames only (the reference's vPDQ hash; the
bank's per-frame parts are its own extension of it); it is used only where
that signal type is installed.
"""

import hashlib
import json
import re
import typing as t

PDQ = "pdq"
VIDEO_MD5 = "video_md5"
VIDEO_SHA256 = "video_sha256"
VPDQ = "vpdq"

# The stored parts the bank compares with a whole picture (docs/api.md,
# POST /v1/match): besides the plain hash, its trim and its crops.
WHOLE_PICTURE_PARTS = frozenset(
    {
        "trim",
        "crop95",
        "crop90",
        "crop80",
        "crop85tl",
        "crop85tr",
        "crop85bl",
        "crop85br",
    }
)

# python-threatexchange signal type name -> hashbank kind, for reports.
KIND_FOR_SIGNAL_TYPE = {
    PDQ: "pdq",
    VIDEO_MD5: "md5",
    VIDEO_SHA256: "sha256",
    VPDQ: "vpdq",
}

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def signal_type_for(
    kind: str, role: t.Optional[str], label: t.Optional[str]
) -> t.Optional[str]:
    """The signal type name a bank hash becomes, or None to leave it out."""
    if kind == "pdq":
        if role in (None, "plain") and label in (None, "pdq"):
            return PDQ
        if role == "extra" and label in WHOLE_PICTURE_PARTS:
            return PDQ
        return None
    if kind == "md5":
        return VIDEO_MD5
    if kind == "sha256":
        return VIDEO_SHA256
    if kind == "vpdq":
        return VPDQ
    return None


def signal_str_for(kind: str, value: str) -> str:
    """The signal string of a bank value, in python-threatexchange's form."""
    if kind == "vpdq":
        return vpdq_text_to_signal(value)
    return value.strip().lower()


def vpdq_text_to_signal(text: str) -> str:
    """
    A video's vPDQ hash in the bank's text form -> the vpdq extension's form.

    The bank writes a line `frame,quality,pdq-hex,seconds` per frame, then
    optionally a line `frame,quality,pdq-hex,seconds,label` per part of a
    frame. The vpdq extension keeps a JSON list of "pdq-hex,quality,seconds"
    strings, one per frame. Only the plain frames are kept: they are the
    reference's vPDQ hash, which python-threatexchange compares frame with
    frame, and which the bank checks a video report against. Raises
    ValueError for a line that is not of the bank's form.
    """
    features = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        fields = line.split(",")
        if len(fields) not in (4, 5):
            raise ValueError(f"vPDQ line {number} has {len(fields)} fields")
        if len(fields) == 5:
            continue  # a part of a frame
        _frame, quality, pdq_hex, seconds = fields
        pdq_hex = pdq_hex.lower()
        if not _HEX64.match(pdq_hex):
            raise ValueError(f"vPDQ line {number}: not a PDQ hash")
        q = int(quality)
        s = float(seconds)
        if not 0 <= q <= 100 or s < 0:
            raise ValueError(f"vPDQ line {number}: quality or time out of range")
        # As the bank's own python-threatexchange form (crates/model): three
        # decimals of a second.
        features.append(f"{pdq_hex},{q},{s:.3f}")
    return json.dumps(features)


def vpdq_signal_to_text(signal: str) -> str:
    """
    The vpdq extension's form -> the bank's text form, for a match query:
    one line per feature, numbered in order.
    """
    try:
        features = json.loads(signal)
    except ValueError:
        raise ValueError("not a vpdq signal: not JSON") from None
    if not isinstance(features, list):
        raise ValueError("not a vpdq signal: not a list")
    lines = []
    for i, feature in enumerate(features):
        if not isinstance(feature, str) or feature.count(",") != 2:
            raise ValueError(f"not a vpdq signal: feature {i}")
        pdq_hex, quality, seconds = feature.split(",")
        lines.append(f"{i},{int(quality)},{pdq_hex.lower()},{float(seconds):.3f}")
    return "".join(line + "\n" for line in lines)


def content_ref_for(signal_type: str, signal: str) -> str:
    """
    The content reference of a report made from an opinion on a signal.

    Stable for one signal, so that a second opinion on it reaches the same
    report (the bank keeps one report per platform, hash and content
    reference). A digest rather than the value itself: the reference is
    kept by the bank and in this machine's small record of reports, and
    neither needs a copy of the hash.
    """
    digest = hashlib.sha256(f"{signal_type}:{signal}".encode()).hexdigest()[:32]
    return f"threatexchange:{signal_type}:{digest}"
