"""The pieces without a bank: the mapping, the vPDQ forms, merging, waits."""

import email.utils
import json
import time

import pytest

from threatexchange.exchanges.fetch_state import FetchDelta
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.sha256 import VideoSHA256Signal

from hashbank_threatexchange import (
    TX_MANIFEST,
    HashbankCheckpoint,
    HashbankCollabConfig,
    HashbankCredentials,
    HashbankRecord,
    HashbankSignalExchangeAPI,
)
from hashbank_threatexchange.client import HashbankError, _retry_after_seconds
from hashbank_threatexchange.signals import (
    content_ref_for,
    signal_type_for,
    vpdq_signal_to_text,
    vpdq_text_to_signal,
)

A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
B = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"
COLLAB = HashbankCollabConfig(name="bank", bank_url="https://bank.example.org")
TYPES = [PdqSignal, VideoMD5Signal, VideoSHA256Signal]


def test_manifest_names_the_exchange():
    assert TX_MANIFEST.apis == (HashbankSignalExchangeAPI,)
    assert HashbankSignalExchangeAPI.get_name() == "hashbank"
    assert COLLAB.api == "hashbank"


@pytest.mark.parametrize(
    "kind, role, label, want",
    [
        ("pdq", "plain", "pdq", "pdq"),
        ("pdq", None, None, "pdq"),
        ("pdq", "extra", "trim", "pdq"),
        ("pdq", "extra", "crop90", "pdq"),
        ("pdq", "extra", "crop85br", "pdq"),
        ("pdq", "extra", "top80", None),
        ("pdq", "extra", "bottom80", None),
        ("pdq", "extra", "some-future-part", None),
        ("md5", "plain", None, "video_md5"),
        ("sha256", "plain", None, "video_sha256"),
        ("vpdq", "plain", None, "vpdq"),
        ("tlsh", "plain", None, None),
    ],
)
def test_signal_mapping(kind, role, label, want):
    assert signal_type_for(kind, role, label) == want


def test_vpdq_forms():
    text = f"0,100,{A},0.000\n1,87,{B.upper()},1.000\n1,90,{B},1.000,crop90\n"
    signal = vpdq_text_to_signal(text)
    # The vpdq extension's form: "hex,quality,seconds" per plain frame.
    assert json.loads(signal) == [f"{A},100,0.000", f"{B},87,1.000"]
    assert vpdq_signal_to_text(signal) == f"0,100,{A},0.000\n1,87,{B},1.000\n"
    with pytest.raises(ValueError):
        vpdq_text_to_signal("0,100,nothex,0.0\n")
    with pytest.raises(ValueError):
        vpdq_signal_to_text("[1, 2]")


def test_content_ref_is_stable_and_holds_no_hash():
    ref = content_ref_for("pdq", A)
    assert ref == content_ref_for("pdq", A) != content_ref_for("pdq", B)
    assert ref.startswith("threatexchange:pdq:") and A not in ref


def test_deletion_by_hash_id_removes_the_signal():
    """
    The feed's deletion names only the id: keyed by id, pytx's merge drops
    the record, and the signal leaves the converted dataset.
    """
    api = HashbankSignalExchangeAPI
    state = {}
    api.naive_fetch_merge(
        state,
        {
            "1": HashbankRecord(1, "pdq", A, "plain", "pdq", 100),
            "2": HashbankRecord(2, "md5", "d35c785545392755e7e4164457657269"),
            "3": HashbankRecord(3, "pdq", B, "extra", "crop90", 90, "minor"),
            # The same value as a crop of another picture: one signal, two ids.
            "4": HashbankRecord(4, "pdq", A, "extra", "trim", 90),
        },
    )
    got = api.naive_convert_to_signal_type(TYPES, COLLAB, state)
    assert sorted(got[PdqSignal]) == sorted([A, B])
    assert sorted(got[PdqSignal][A].hash_ids) == [1, 4]
    assert got[PdqSignal][B].minor
    assert [o.tags for o in got[PdqSignal][B].get_as_opinions()] == [{"minor"}]

    api.naive_fetch_merge(state, {"1": None, "2": None})
    got = api.naive_convert_to_signal_type(TYPES, COLLAB, state)
    assert got[PdqSignal][A].hash_ids == [4]  # still held as a crop
    assert VideoMD5Signal not in got
    api.naive_fetch_merge(state, {"4": None})
    got = api.naive_convert_to_signal_type(TYPES, COLLAB, state)
    assert list(got[PdqSignal]) == [B]


def test_invalid_values_are_left_out():
    got = HashbankSignalExchangeAPI.naive_convert_to_signal_type(
        TYPES, COLLAB, {"9": HashbankRecord(9, "pdq", "xyz", "plain", "pdq", 100)}
    )
    assert got == {}


def test_checkpoint_and_delta_survive_pickling():
    import pickle

    delta = FetchDelta(
        {"1": HashbankRecord(1, "pdq", A), "2": None}, HashbankCheckpoint(17, 1)
    )
    again = pickle.loads(pickle.dumps(delta))
    assert again.updates == delta.updates and again.checkpoint == delta.checkpoint


def test_credentials():
    assert HashbankCredentials._from_str(" hbk_ABC_def \n")._are_valid()
    assert not HashbankCredentials("not a key")._are_valid()
    assert "hbk_ABC" not in repr(HashbankCredentials("hbk_ABC_def"))


def test_bank_url_must_be_http():
    from hashbank_threatexchange import HashbankClient

    assert HashbankClient("https://b.example.org/", "hbk_x").bank_url == (
        "https://b.example.org"
    )
    with pytest.raises(HashbankError, match="bank_url must be"):
        HashbankClient("b.example.org", "hbk_x")


def test_retry_after():
    assert _retry_after_seconds("7") == 7
    assert _retry_after_seconds(None) is None
    assert _retry_after_seconds("soon") is None
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= _retry_after_seconds(later) <= 61
