"""
Bad input gives a clear error: a wrong, malformed or missing key, an
address that is not a bank (junk, JSON of another shape, 404s, nothing
listening), a bank that stays busy; and waiting on 429 works.

The CLI must say what is wrong, exit non-zero, print no traceback, and
leave no fetched state behind (never an empty dataset that looks fine).
"""

import json
import socket

import pytest

from hashbank_threatexchange import (
    HashbankClient,
    HashbankCollabConfig,
    HashbankCredentials,
    HashbankProtocolError,
    HashbankSignalExchangeAPI,
    HashbankUnavailable,
)
from threatexchange.exchanges.auth import SignalExchangeAPIInvalidAuthException

EMPTY_PAGE = json.dumps({"entries": [], "next_cursor": 0, "more": False}).encode()
JSON = {"Content-Type": "application/json"}


def failed_clearly(done, *phrases: str) -> None:
    text = done.stdout + done.stderr
    assert done.returncode != 0, text
    assert "Traceback" not in text, text
    for phrase in phrases:
        assert phrase in text, text


def nothing_fetched(tx) -> None:
    done = tx.run("dataset", check=False)
    assert done.returncode != 0
    assert "No stored state available" in done.stdout + done.stderr


def test_wrong_key(bank, tx):
    tx.setup(bank.url, "hbk_0000000000000000_WRONGWRONGWRONGWRONGWRONGWRONG")
    done = tx.run("fetch", check=False)
    failed_clearly(done, "Invalid auth for hashbank", "refused the API key", "401")
    nothing_fetched(tx)


def test_malformed_key(bank, tx):
    tx.setup(bank.url, "not a key")
    failed_clearly(
        tx.run("fetch", check=False),
        "Invalid auth for hashbank",
        "TX_HASHBANK_KEY",
    )


def test_missing_key(bank, tx):
    tx.setup(bank.url, None)
    failed_clearly(
        tx.run("fetch", check=False), "TX_HASHBANK_KEY", "~/.tx_hashbank_key"
    )


def test_bank_answering_junk(platform, tx, fake_server):
    junk = fake_server((200, {"Content-Type": "text/html"}, b"<html>hello</html>"))
    tx.setup(junk.url, platform[1])
    failed_clearly(tx.run("fetch", check=False), "not JSON", "<html>hello</html>")
    nothing_fetched(tx)


def test_bank_answering_other_json(platform, tx, fake_server):
    other = fake_server((200, JSON, b'{"hello": "world"}'))
    tx.setup(other.url, platform[1])
    failed_clearly(tx.run("fetch", check=False), "JSON of another shape")
    nothing_fetched(tx)


def test_not_a_bank(platform, tx, fake_server):
    site = fake_server((404, {"Content-Type": "text/plain"}, b"Not Found"))
    tx.setup(site.url + "/some/prefix/", platform[1])
    failed_clearly(
        tx.run("fetch", check=False),
        "does not answer GET /v1/feed like a hashbank bank",
        "HTTP 404",
    )


def test_nothing_listening(platform, tx):
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tx.setup(f"http://127.0.0.1:{port}", platform[1])
    failed_clearly(tx.run("fetch", check=False), "could not reach the bank")


def test_bank_not_an_address(platform, tx):
    tx.setup("bank.example.org", platform[1])
    failed_clearly(tx.run("fetch", check=False), "bank_url must be")


def test_waits_on_429_then_fetches(platform, tx, fake_server):
    busy = json.dumps({"error": "rate_limited", "message": "slow down"}).encode()
    bank = fake_server(
        (429, {**JSON, "Retry-After": "1"}, busy),
        (200, JSON, EMPTY_PAGE),
    )
    tx.setup(bank.url, platform[1])
    done = tx.run("fetch")
    assert "Up to date" in done.stderr
    # The probe twice (429, then its page), then the feed.
    assert len(bank.requests) == 3, bank.requests
    assert all(r.startswith("GET /v1/feed?") for r in bank.requests)


def test_busy_for_ever_gives_up(platform, fake_server):
    busy = json.dumps({"error": "busy", "message": "try later"}).encode()
    bank = fake_server((503, {**JSON, "Retry-After": "0"}, busy))
    client = HashbankClient(bank.url, platform[1], max_attempts=4)
    with pytest.raises(HashbankUnavailable, match=r"still answering .* after 4 tries"):
        client.check()
    assert len(bank.requests) == 4
    # A wait longer than the client will wait: no waiting at all.
    slow = fake_server((503, {**JSON, "Retry-After": "3600"}, busy))
    with pytest.raises(HashbankUnavailable, match="asks to wait 3600s"):
        HashbankClient(slow.url, platform[1]).check()
    assert len(slow.requests) == 1


def test_junk_in_the_middle_of_a_fetch(platform, tx, fake_server):
    # The address looks like a bank, then a page of the feed is junk.
    junk = (200, {"Content-Type": "text/html"}, b"<html>proxy error</html>")
    bank = fake_server((200, JSON, EMPTY_PAGE), junk, (200, JSON, EMPTY_PAGE), junk)
    tx.setup(bank.url, platform[1])
    failed_clearly(tx.run("fetch", check=False), "failed to fetch")
    nothing_fetched(tx)
    # -v says why.
    again = tx.run("fetch", check=False, verbose=True)
    assert "failed to fetch" in again.stderr and "not JSON" in again.stderr


def test_errors_in_process(bank, platform, fake_server):
    """The same errors as exceptions, for HMA and scripts."""
    collab = HashbankCollabConfig(name="bank", bank_url=bank.url)
    with HashbankCredentials.set_default(HashbankCredentials("hbk_0_NOPE"), "test"):
        with pytest.raises(SignalExchangeAPIInvalidAuthException) as e:
            HashbankSignalExchangeAPI.for_collab(collab)
    assert "refused the API key" in e.value.message

    junk = fake_server((200, {"Content-Type": "text/plain"}, b"hello"))
    collab = HashbankCollabConfig(name="junk", bank_url=junk.url)
    with HashbankCredentials.set_default(HashbankCredentials(platform[1]), "test"):
        with pytest.raises(HashbankProtocolError, match="not JSON"):
            HashbankSignalExchangeAPI.for_collab(collab)


def test_opinion_on_a_hash_the_bank_does_not_hold(bank, platform, tx):
    tx.setup(bank.url, platform[1])
    tx.run("fetch")
    done = tx.run("label", "-H", "pdq", "bank", "photo", "--", "ab" * 32, check=False)
    failed_clearly(done, "holds no active pdq hash", "no report made")
