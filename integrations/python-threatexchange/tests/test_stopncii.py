"""
The bank's StopNCII-shaped API (/v1/stopncii) through python-threatexchange's
own StopNCII client (`StopNCIIAPI` with `base_url_override` = the bank): a
full fetch equals the feed, paging, feedback arriving as outcomes on the
case, and a withdrawal coming as Withdrawn records with the values to delete.
"""

import typing as t

import pytest
import requests
from threatexchange.exchanges.clients.stopncii.api import (
    StopNCIIAPI,
    StopNCIICaseStatus,
    StopNCIICSPFeedbackValue,
    StopNCIIEndpoint,
    StopNCIISignalType,
)


def client(bank: t.Any, key: str) -> StopNCIIAPI:
    # The platform key is both the subscription key and the function key.
    return StopNCIIAPI(key, key, base_url_override=bank.url + "/v1/stopncii")


def records(api: StopNCIIAPI, start: int = StopNCIIAPI.DEFAULT_START_TIME) -> t.List[t.Any]:
    return [r for page in api.fetch_hashes_iter(start) for r in page.hashRecords]


def state(recs: t.List[t.Any]) -> t.Dict[t.Tuple[str, str], str]:
    """Records are states: a later record of a value replaces an earlier."""
    out: t.Dict[t.Tuple[str, str], str] = {}
    for r in recs:
        assert r.caseNumbers == {}
        out[(r.signalType.value, r.hashValue)] = r.hashStatus.value
    return out


def feed_as_stopncii(bank: t.Any, key: str) -> t.Set[t.Tuple[str, str]]:
    """The active hashes read from /v1/feed, with StopNCII's type names."""
    out = set()
    for h in bank.active_hashes(key).values():
        if h["kind"] == "pdq" and h.get("label", "pdq") in ("pdq", "trim", "crop90"):
            out.add(("ImagePDQ", h["value"]))
        elif h["kind"] == "md5":
            out.add(("VideoMD5", h["value"]))
    return out


def test_a_full_fetch_equals_the_feed_and_pages(bank, pictures) -> None:
    _, key = bank.add_platform("stopncii")
    for path in pictures.take(3):
        bank.file_case(pictures.plain(path))
    api = client(bank, key)
    got = state(records(api))
    assert {k for k, v in got.items() if v == "Active"} >= feed_as_stopncii(bank, key)
    assert {k for k, v in got.items() if v == "Active"} == feed_as_stopncii(bank, key)
    # Small pages: the same records, through nextPageToken.
    pages = []
    token = ""
    while True:
        page = api.fetch_hashes(page_size=2, start_timestamp=0, next_page=token)
        assert page.count == len(page.hashRecords) <= 2
        pages.append(page)
        if not page.hasMoreRecords:
            break
        token = page.nextPageToken or ""
    assert len(pages) > 1
    assert state([r for p in pages for r in p.hashRecords]) == got


def test_feedback_arrives_as_outcomes(bank, pictures) -> None:
    name, key = bank.add_platform("stopncii-feedback")
    path = pictures.take(1)[0]
    case = bank.file_case(pictures.plain(path))
    api = client(bank, key)
    records(api)  # what a client sees first; feedback is on hashes it was given
    api = StopNCIIAPI(
        key,
        key,
        additional_function_keys={StopNCIIEndpoint.SubmitFeedback: key},
        base_url_override=bank.url + "/v1/stopncii",
    )
    pdq = pictures.hashes(path)["pdq"]
    api.submit_feedback(StopNCIISignalType.ImagePDQ, pdq, StopNCIICSPFeedbackValue.Blocked)
    mine = [p for p in bank.view(case)["platforms"] if p["platform"] == name]
    assert mine and [r["outcome"] for r in mine[0]["reports"]] == ["removed"]
    api.submit_feedback(StopNCIISignalType.ImagePDQ, pdq, StopNCIICSPFeedbackValue.NotBlocked)
    mine = [p for p in bank.view(case)["platforms"] if p["platform"] == name]
    assert [r["outcome"] for r in mine[0]["reports"]] == ["not_violating"]


def test_a_withdrawal_comes_as_withdrawn_with_the_value(bank, pictures) -> None:
    _, key = bank.add_platform("stopncii-withdrawal")
    path = pictures.take(1)[0]
    case = bank.file_case(pictures.plain(path))
    api = client(bank, key)
    first = list(api.fetch_hashes_iter(0))
    checkpoint = first[-1].nextSetTimestamp
    h = pictures.hashes(path)
    assert state([r for p in first for r in p.hashRecords])[("ImagePDQ", h["pdq"])] == "Active"
    bank.withdraw(case)
    later = records(api, checkpoint)
    by_value = {r.hashValue: r for r in later}
    assert by_value[h["pdq"]].hashStatus == StopNCIICaseStatus.Withdrawn
    assert by_value[h["md5"]].hashStatus == StopNCIICaseStatus.Withdrawn
    assert by_value[h["md5"]].signalType == StopNCIISignalType.VideoMD5
    # A client that applies the records in order ends without them.
    final = state(records(api, 0))
    assert final[("ImagePDQ", h["pdq"])] == "Withdrawn"


def test_a_wrong_key_is_refused(bank) -> None:
    api = client(bank, "hbk_wrong")
    with pytest.raises(requests.HTTPError) as refused:
        api.fetch_hashes(start_timestamp=0)
    assert refused.value.response.status_code == 401
