"""
The extension in the real threatexchange CLI against a real bank: fetch,
match, opinions as report outcomes, and deletions after a withdrawal or a
suspension.
"""

import json
import pathlib
import typing as t

from threatexchange.exchanges.fetch_state import SignalOpinion, SignalOpinionCategory
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from hashbank_threatexchange import (
    HashbankClient,
    HashbankCollabConfig,
    HashbankCredentials,
    HashbankSignalExchangeAPI,
)
from hashbank_threatexchange.reports import ReportLedger

# The mapping docs/threatexchange.md states, written out again here so that
# the test does not take it from the code it checks.
WHOLE_PICTURE_PARTS = {
    "trim", "crop95", "crop90", "crop80",
    "crop85tl", "crop85tr", "crop85bl", "crop85br",
}  # fmt: skip


def expected_signal(entry: t.Dict[str, t.Any]) -> t.Optional[t.Tuple[str, str]]:
    kind, value = entry["kind"], entry["value"]
    if kind == "pdq":
        if entry.get("role", "plain") == "plain":
            return ("pdq", value)
        if entry.get("label") in WHOLE_PICTURE_PARTS:
            return ("pdq", value)
        return None
    if kind == "md5":
        return ("video_md5", value)
    if kind == "sha256":
        return ("video_sha256", value)
    return None  # vpdq: the vpdq extension is not installed in these tests


def opinion(category: SignalOpinionCategory) -> SignalOpinion:
    return SignalOpinion(True, category, set())


def signals_of(case_hashes: t.List[t.Dict[str, t.Any]]) -> t.Set[t.Tuple[str, str]]:
    return {s for s in map(expected_signal, case_hashes) if s}


def my_reports(view: t.Dict[str, t.Any], platform: str) -> t.List[t.Dict[str, t.Any]]:
    mine = [p for p in view["platforms"] if p["platform"] == platform]
    return mine[0]["reports"] if mine else []


def api_for(bank_url: str, key: str, ledger: pathlib.Path) -> HashbankSignalExchangeAPI:
    """The extension in-process, as HMA or a script would use it."""
    return HashbankSignalExchangeAPI(
        HashbankCollabConfig(name="bank", bank_url=bank_url),
        HashbankClient(bank_url, key),
        ReportLedger(ledger),
    )


def test_fetch_gets_every_active_hash(bank, platform, pictures, tx):
    _, key = platform
    a, b, crop, top, f0, f1, part, child, gone_pic = pictures.take(9)
    pdq = lambda p: pictures.hashes(p)["pdq"]  # noqa: E731
    video = (
        f"0,100,{pdq(f0)},0.000\n"
        f"1,100,{pdq(f1)},1.000\n"
        f"1,90,{pdq(part)},1.000,crop90\n"
    )
    case = bank.file_case(
        pictures.plain(a)
        + pictures.plain(b)
        + [
            {"kind": "pdq", "role": "extra", "label": "crop90", "value": pdq(crop), "quality": 90},
            {"kind": "pdq", "role": "extra", "label": "top80", "value": pdq(top), "quality": 90},
            {"kind": "vpdq", "value": video},
        ]
    )  # fmt: skip
    minor = bank.file_case(pictures.plain(child), category="minor")
    gone = bank.file_case(pictures.plain(gone_pic))
    bank.withdraw(gone)

    # Small pages, so that the fetch walks several.
    tx.setup(bank.url, key, "--page-size", "4")
    done = tx.run("fetch", verbose=True)
    assert "Up to date" in done.stderr
    assert done.stderr.count("hashbank: 4 feed entries after") >= 3, done.stderr
    got = tx.dataset()

    # Exactly the bank's active hashes, as the feed read directly gives them.
    active = bank.active_hashes(key)
    want = {s for s in map(expected_signal, active.values()) if s}
    assert got == want
    # This test's own cases, in detail.
    assert signals_of(case.hashes) <= got
    assert ("pdq", pdq(crop)) in got  # a crop is matched against whole pictures
    assert ("pdq", pdq(top)) not in got  # top80 only against top80: left out
    assert not any(s[0] == "vpdq" for s in got)
    assert any(e["kind"] == "vpdq" for e in active.values())
    assert signals_of(minor.hashes) <= got
    for h in gone.hashes:
        assert h["value"] not in {s[1] for s in got}

    rows = {(r["signal_type"], r["signal_str"]): r for r in tx.dataset_csv()}
    for s in signals_of(minor.hashes):
        assert rows[s]["category"] == "INVESTIGATION_SEED"
        assert rows[s]["tags"] == "minor"
    for s in signals_of(case.hashes):
        assert rows[s]["tags"] == ""


def test_match_finds_the_filed_picture_only(bank, platform, pictures, tx):
    _, key = platform
    filed, other = pictures.take(2)
    bank.file_case(pictures.plain(filed))
    # The key from the file this time, not the environment.
    keyfile = tx.home / ".tx_hashbank_key"
    keyfile.write_text(key + "\n")
    keyfile.chmod(0o600)
    tx.setup(bank.url, None)
    tx.run("fetch")

    found = tx.match("photo", filed)
    assert found.startswith("pdq ") and "(bank)" in found, found
    # An edited copy (JPEG quality 70) is found too: PDQ within 31 bits.
    assert "(bank)" in tx.match("photo", pictures.variant(filed, "jpeg_q70"))
    assert tx.match("photo", other) == ""

    # The file's MD5 and SHA-256 (python-threatexchange's video types).
    by_bytes = tx.match("video", filed, "--all")
    assert "video_md5" in by_bytes and "video_sha256" in by_bytes, by_bytes
    assert tx.match("video", other) == ""


def test_opinions_show_on_the_case_page(bank, platform, pictures, tx, tmp_path):
    name, key = platform
    pic = pictures.take(1)[0]
    case = bank.file_case(pictures.plain(pic))
    pdq = next(h for h in case.hashes if h["kind"] == "pdq")
    md5 = next(h for h in case.hashes if h["kind"] == "md5")
    tx.setup(bank.url, key)
    tx.run("fetch")

    # The CLI's label command gives a positive opinion: removed.
    tx.run("label", "-H", "pdq", "bank", "photo", "--", pdq["value"])
    reports = my_reports(bank.view(case), name)
    assert [(r["hash_id"], r.get("outcome")) for r in reports] == [
        (pdq["hash_id"], "removed")
    ]

    # A negative opinion on the same signal, through the extension with the
    # CLI's record of reports: the same report, now not_violating.
    api = api_for(bank.url, key, tx.state_dir / "hashbank_reports.json")
    api.report_opinion(
        PdqSignal, pdq["value"], opinion(SignalOpinionCategory.NEGATIVE_CLASS)
    )
    reports = my_reports(bank.view(case), name)
    assert [(r["hash_id"], r.get("outcome")) for r in reports] == [
        (pdq["hash_id"], "not_violating")
    ]

    # Without that record (another machine, say), the bank's 409 answer
    # names the report: still the same one, now pending_review.
    api = api_for(bank.url, key, tmp_path / "elsewhere.json")
    api.report_opinion(
        PdqSignal, pdq["value"], opinion(SignalOpinionCategory.INVESTIGATION_SEED)
    )
    view = bank.view(case)
    reports = my_reports(view, name)
    assert [(r["hash_id"], r.get("outcome")) for r in reports] == [
        (pdq["hash_id"], "pending_review")
    ]

    # An MD5 opinion through for_collab, as HMA builds the exchange: a second
    # report, for the MD5 hash.
    collab = HashbankCollabConfig(name="bank", bank_url=bank.url)
    with HashbankCredentials.set_default(HashbankCredentials(key), "test"):
        api = HashbankSignalExchangeAPI.for_collab(collab)
    api.report_opinion(
        VideoMD5Signal, md5["value"], opinion(SignalOpinionCategory.POSITIVE_CLASS)
    )
    view = bank.view(case)
    outcomes = {r["hash_id"]: r.get("outcome") for r in my_reports(view, name)}
    assert outcomes == {pdq["hash_id"]: "pending_review", md5["hash_id"]: "removed"}
    mine = next(p for p in view["platforms"] if p["platform"] == name)
    assert (mine["matches_reported"], mine["removed"]) == (2, 1)


def test_vpdq_opinion_reaches_the_video(bank, platform, pictures, tmp_path):
    """
    A video's hash goes through the vpdq extension's form and back. The vpdq
    extension itself needs the `vpdq` package (FFmpeg), so a stand-in signal
    type of the same name takes its place.
    """
    name, key = platform
    f0, f1, f2, part = pictures.take(4)
    pdq = lambda p: pictures.hashes(p)["pdq"]  # noqa: E731
    video = (
        f"0,100,{pdq(f0)},0.000\n1,100,{pdq(f1)},1.000\n2,100,{pdq(f2)},2.000\n"
        f"1,90,{pdq(part)},1.000,crop90\n"
    )
    case = bank.file_case([{"kind": "vpdq", "value": video}])

    class StandInVpdq:
        @staticmethod
        def get_name() -> str:
            return "vpdq"

        @staticmethod
        def validate_signal_str(s: str) -> str:
            return s

    api = api_for(bank.url, key, tmp_path / "ledger.json")
    fetched: t.Dict[str, t.Any] = {}
    for delta in api.fetch_iter([], None):
        api.naive_fetch_merge(fetched, delta.updates)
    by_type = api.naive_convert_to_signal_type([StandInVpdq], api.collab, fetched)  # type: ignore[list-item]
    hash_id = case.hashes[0]["hash_id"]
    signal = next(s for s, m in by_type[StandInVpdq].items() if hash_id in m.hash_ids)
    # The plain frames, as the vpdq extension keeps them; no parts.
    assert json.loads(signal) == [
        f"{pdq(f0)},100,0.000", f"{pdq(f1)},100,1.000", f"{pdq(f2)},100,2.000"
    ]  # fmt: skip

    api.report_opinion(StandInVpdq, signal, opinion(SignalOpinionCategory.POSITIVE_CLASS))  # type: ignore[arg-type]
    reports = my_reports(bank.view(case), name)
    assert [(r["hash_id"], r.get("outcome")) for r in reports] == [(hash_id, "removed")]


def test_withdrawal_deletes_on_the_next_fetch(bank, platform, pictures, tx):
    _, key = platform
    kept_pic, gone_pic = pictures.take(2)
    kept = bank.file_case(pictures.plain(kept_pic))
    gone = bank.file_case(pictures.plain(gone_pic))
    tx.setup(bank.url, key)
    tx.run("fetch")
    assert signals_of(gone.hashes) <= tx.dataset()
    assert "(bank)" in tx.match("photo", gone_pic)

    bank.withdraw(gone)
    done = tx.run("fetch", verbose=True)
    # Resumed from the checkpoint, not a fresh full copy.
    assert "feed entries after 0 " not in done.stderr, done.stderr
    got = tx.dataset()
    assert not signals_of(gone.hashes) & got
    assert signals_of(kept.hashes) <= got
    assert tx.match("photo", gone_pic) == ""
    assert tx.match("video", gone_pic) == ""
    assert "(bank)" in tx.match("photo", kept_pic)


def test_suspension_deletes_on_the_next_fetch(bank, pictures, tx, tmp_path):
    pic = pictures.take(1)[0]
    case = bank.file_case(pictures.plain(pic))
    pdq = next(h for h in case.hashes if h["kind"] == "pdq")
    _, key = bank.add_platform("watcher")
    tx.setup(bank.url, key)
    tx.run("fetch")
    assert ("pdq", pdq["value"]) in tx.dataset()

    # Three platforms find it not violating (--suspend-after 3): suspended,
    # a deletion on the feed.
    for i in range(3):
        _, reviewer = bank.add_platform("reviewer")
        api_for(bank.url, reviewer, tmp_path / f"ledger{i}.json").report_opinion(
            PdqSignal, pdq["value"], opinion(SignalOpinionCategory.NEGATIVE_CLASS)
        )
    status = {h["hash_id"]: h["status"] for h in bank.view(case)["hashes"]}
    assert status[pdq["hash_id"]] == "suspended"

    tx.run("fetch")
    got = tx.dataset()
    assert ("pdq", pdq["value"]) not in got
    # Only the PDQ hash was suspended; the file's MD5 and SHA-256 stay.
    assert signals_of([h for h in case.hashes if h["kind"] != "pdq"]) <= got
