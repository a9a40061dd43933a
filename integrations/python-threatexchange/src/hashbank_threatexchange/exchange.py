"""
A hashbank bank as a python-threatexchange SignalExchangeAPI.

Fetching walks the bank's feed (GET /v1/feed) from a cursor kept in the
checkpoint. Fetched records are keyed by the bank's hash id: an addition
stores the hash under its id, and a deletion (a withdrawn case, a
suspended hash), which names only the id, sets that key to None, which
both python-threatexchange's in-memory merge and HMA's storage treat as
"remove this record". The id -> (kind, value) map that a deletion needs is
therefore the fetched state itself.

Opinions go back as reports with outcomes (POST /v1/reports, then
POST /v1/reports/{id}/outcome); see report_opinion.
"""

import logging
import re
import time
import typing as t
from dataclasses import dataclass, field

from threatexchange.exchanges import auth
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI
from threatexchange.signal_type.signal_base import SignalType

from hashbank_threatexchange import signals
from hashbank_threatexchange.client import (
    HashbankAuthError,
    HashbankClient,
    HashbankError,
    MAX_PAGE,
    MIN_PAGE,
)
from hashbank_threatexchange.reports import ReportLedger

log = logging.getLogger(__name__)

API_NAME = "hashbank"

# The bank's outcome for each kind of opinion.
OUTCOME_FOR_OPINION = {
    state.SignalOpinionCategory.POSITIVE_CLASS: "removed",
    state.SignalOpinionCategory.NEGATIVE_CLASS: "not_violating",
    state.SignalOpinionCategory.INVESTIGATION_SEED: "pending_review",
}


@dataclass
class HashbankCredentials(auth.CredentialHelper):
    """
    A platform's API key of the bank (`hashbank platform add` prints it).

    Looked for in the environment variable TX_HASHBANK_KEY, then in the
    file ~/.tx_hashbank_key; HMA stores it as {"api_key": "hbk_..."}.
    """

    ENV_VARIABLE: t.ClassVar[str] = "TX_HASHBANK_KEY"
    FILE_NAME: t.ClassVar[str] = "~/.tx_hashbank_key"

    # repr=False: the key must not reach logs or tracebacks.
    api_key: str = field(
        repr=False,
        metadata={"help": "the platform's API key of the bank (hbk_...)"},
    )

    @classmethod
    def _from_str(cls, s: str) -> "HashbankCredentials":
        return cls(api_key=s.strip())

    def _are_valid(self) -> bool:
        # hbk_ID_SECRET; the bank decides whether it is a live key.
        return bool(re.fullmatch(r"hbk_[A-Za-z0-9_-]+", self.api_key or ""))


@dataclass
class _HashbankCollabRequired:
    # Alone in its own class so that it precedes the inherited fields that
    # have defaults (dataclass field order).
    bank_url: str = field(
        metadata={"help": "the bank's address, e.g. https://bank.example.org"}
    )


@dataclass
class HashbankCollabConfig(CollaborationConfigWithDefaults, _HashbankCollabRequired):
    """One bank to fetch from and report to."""

    api: str = field(init=False, default=API_NAME)
    page_size: int = field(
        default=1000,
        metadata={"help": f"feed entries per request ({MIN_PAGE} to {MAX_PAGE})"},
    )


@dataclass
class HashbankCheckpoint(state.FetchCheckpointBase):
    """Where the next fetch resumes: the feed's next_cursor."""

    cursor: int
    # When that page was read (Unix seconds), for progress displays.
    fetched_at: int

    def get_progress_timestamp(self) -> t.Optional[int]:
        return self.fetched_at


@dataclass
class HashbankRecord:
    """One active hash of the bank, as the feed gave it."""

    hash_id: int
    kind: str
    value: str
    role: str = "plain"
    label: t.Optional[str] = None
    quality: t.Optional[int] = None
    category: t.Optional[str] = None

    @property
    def signal_type(self) -> t.Optional[str]:
        return signals.signal_type_for(self.kind, self.role, self.label)


@dataclass
class HashbankSignalMetadata(state.FetchedSignalMetadata):
    """
    What is known about one signal: the bank's ids of it (usually one) and
    whether a case of a minor holds it.

    Every bank hash comes from a person's own case and nobody has reviewed
    the pictures, so the opinion is INVESTIGATION_SEED: a match is a reason
    to look, and the outcome goes back to the bank.
    """

    hash_ids: t.List[int] = field(default_factory=list)
    minor: bool = False

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        tags = {"minor"} if self.minor else set()
        return [
            state.SignalOpinion(
                False, state.SignalOpinionCategory.INVESTIGATION_SEED, tags
            )
        ]


def _record_from_entry(entry: t.Dict[str, t.Any]) -> t.Optional[HashbankRecord]:
    """An addition as a record, or None when it maps to no signal type."""
    quality = entry.get("quality")
    record = HashbankRecord(
        hash_id=entry["hash_id"],
        kind=entry["kind"],
        value=entry["value"],
        role=entry.get("role") or "plain",
        label=entry.get("label"),
        quality=quality if isinstance(quality, int) else None,
        category=entry.get("category"),
    )
    return record if record.signal_type is not None else None


class HashbankSignalExchangeAPI(
    auth.SignalExchangeWithAuth[HashbankCollabConfig, HashbankCredentials],
    SignalExchangeAPI[
        HashbankCollabConfig,
        HashbankCheckpoint,
        HashbankSignalMetadata,
        str,
        HashbankRecord,
    ],
):
    """
    A hashbank bank: its feed in, opinions out as report outcomes.

    Records are keyed by the bank's hash id (as text); see the module's
    docstring for why.
    """

    def __init__(
        self,
        collab: HashbankCollabConfig,
        client: HashbankClient,
        ledger: t.Optional[ReportLedger] = None,
    ) -> None:
        super().__init__()
        self.collab = collab
        self.client = client
        self.ledger = ledger if ledger is not None else ReportLedger()

    @classmethod
    def get_name(cls) -> str:
        return API_NAME

    @staticmethod
    def get_config_cls() -> t.Type[HashbankCollabConfig]:
        return HashbankCollabConfig

    @staticmethod
    def get_checkpoint_cls() -> t.Type[HashbankCheckpoint]:
        return HashbankCheckpoint

    @staticmethod
    def get_record_cls() -> t.Type[HashbankSignalMetadata]:
        return HashbankSignalMetadata

    @staticmethod
    def get_credential_cls() -> t.Type[HashbankCredentials]:
        return HashbankCredentials

    @classmethod
    def for_collab(
        cls,
        collab: HashbankCollabConfig,
        credentials: t.Optional[HashbankCredentials] = None,
    ) -> "HashbankSignalExchangeAPI":
        """
        A ready instance: the key found, the address checked with one cheap
        request, so that a wrong key or address is told before anything is
        fetched or written (the threatexchange CLI prints errors raised here,
        while errors raised during a fetch only show with -v).
        """
        credentials = credentials or HashbankCredentials.get(cls)
        client = HashbankClient(collab.bank_url, credentials.api_key)
        try:
            client.check()
        except HashbankAuthError as e:
            raise auth.SignalExchangeAPIInvalidAuthException(cls, e.message) from None
        return cls(collab, client)

    # -- fetching ---------------------------------------------------------

    def fetch_iter(
        self,
        _supported_signal_types: t.Sequence[t.Type[SignalType]],
        checkpoint: t.Optional[HashbankCheckpoint],
    ) -> t.Iterator[state.FetchDelta[str, HashbankRecord, HashbankCheckpoint]]:
        """
        Page through the feed from the checkpoint's cursor (0, a full copy,
        the first time), a delta per page, until the bank says no more.

        Every mapped addition is kept whatever signal types are installed
        now (naive_convert_to_signal_type picks the installed ones), so
        that installing one later, vpdq say, needs no fresh full fetch.
        """
        after = checkpoint.cursor if checkpoint is not None else 0
        limit = self.collab.page_size
        while True:
            try:
                page = self.client.feed_page(after, limit)
            except HashbankError as e:
                # The CLI shows exceptions from a fetch only with -v; say it
                # at error level for everyone else (HMA logs it).
                log.error("hashbank: fetch from %s failed: %s", self.client.bank_url, e)
                raise
            updates: t.Dict[str, t.Optional[HashbankRecord]] = {}
            for entry in page["entries"]:
                key = str(entry["hash_id"])
                if entry["op"] == "delete":
                    updates[key] = None
                else:
                    # An addition that maps to no signal type is stored as a
                    # deletion: nothing to keep, and if a record of that id
                    # was kept before, it goes.
                    updates[key] = _record_from_entry(entry)
            next_cursor = page["next_cursor"]
            log.info(
                "hashbank: %d feed entries after %d from %s",
                len(page["entries"]),
                after,
                self.client.bank_url,
            )
            yield state.FetchDelta(
                updates, HashbankCheckpoint(next_cursor, int(time.time()))
            )
            if not page["more"]:
                return
            after = next_cursor

    @classmethod
    def naive_convert_to_signal_type(
        cls,
        signal_types: t.Sequence[t.Type[SignalType]],
        collab: HashbankCollabConfig,
        fetched: t.Mapping[str, t.Optional[HashbankRecord]],
    ) -> t.Dict[t.Type[SignalType], t.Dict[str, HashbankSignalMetadata]]:
        by_name = {st.get_name(): st for st in signal_types}
        ret: t.Dict[t.Type[SignalType], t.Dict[str, HashbankSignalMetadata]] = {}
        for record in fetched.values():
            if record is None:
                continue
            s_type = by_name.get(record.signal_type or "")
            if s_type is None:
                continue
            try:
                signal = s_type.validate_signal_str(
                    signals.signal_str_for(record.kind, record.value)
                )
            except Exception as e:  # each signal type raises its own
                log.warning(
                    "hashbank: leaving out hash %d, not a valid %s: %s",
                    record.hash_id,
                    s_type.get_name(),
                    e,
                )
                continue
            # Two bank hashes may give one signal (a picture's plain hash
            # equal to another's crop, say): one entry holding both ids.
            meta = ret.setdefault(s_type, {}).setdefault(
                signal, HashbankSignalMetadata()
            )
            meta.hash_ids.append(record.hash_id)
            meta.minor = meta.minor or record.category == "minor"
        return ret

    # -- opinions ---------------------------------------------------------

    def report_opinion(
        self,
        s_type: t.Type[SignalType],
        signal: str,
        opinion: state.SignalOpinion,
    ) -> None:
        """
        Tell the bank what became of content matching a signal.

        1. Find the bank's id of the signal: the match API, asked for that
           exact hash, gives it (and with it the right to report it).
        2. Report the match with the signal as this platform's hash and a
           content reference made from the signal (stable, so that a
           later opinion on the same signal reaches the same report).
        3. Give the report the outcome: positive -> removed, negative ->
           not_violating, investigation seed -> pending_review.
        """
        outcome = OUTCOME_FOR_OPINION.get(opinion.category)
        if outcome is None:
            raise HashbankError(f"no bank outcome for opinion {opinion.category!r}")
        type_name = s_type.get_name()
        kind = signals.KIND_FOR_SIGNAL_TYPE.get(type_name)
        if kind is None:
            raise HashbankError(
                f"a hashbank bank holds no {type_name} signals: it takes opinions on "
                + ", ".join(sorted(signals.KIND_FOR_SIGNAL_TYPE))
            )
        signal = signal.strip()
        if kind == "vpdq":
            try:
                value = signals.vpdq_signal_to_text(signal)
            except ValueError as e:
                raise HashbankError(str(e)) from None
        else:
            signal = signal.lower()
            value = signal
        hash_id = self._find_hash_id(kind, value, type_name, signal)
        content_ref = signals.content_ref_for(type_name, signal)
        label = "pdq" if kind == "pdq" else None
        bank = self.client.bank_url

        remembered = self.ledger.get(bank, hash_id, content_ref)
        if remembered is not None:
            if self.client.set_outcome(remembered, outcome):
                return
            self.ledger.forget(bank, hash_id, content_ref)

        status, answer = self.client.report(hash_id, value, label, content_ref)
        if status == 201:
            report_id = answer["report_id"]
        else:
            report_id = self._earlier_report_id(answer)
        self.ledger.remember(bank, hash_id, content_ref, report_id)
        if not self.client.set_outcome(report_id, outcome):
            raise HashbankError(
                f"the bank at {bank} lost report {report_id} before its outcome "
                "was given (was the case withdrawn just now?)"
            )

    def _find_hash_id(self, kind: str, value: str, type_name: str, signal: str) -> int:
        """The bank's id of exactly this hash, through the match API."""
        query: t.Dict[str, t.Any] = {"kind": kind, "value": value}
        request: t.Dict[str, t.Any] = {"hashes": [query]}
        if kind == "pdq":
            # The plain label and radius 0: only the same hash, stored as a
            # whole picture or as one of the parts mapped to pdq.
            query["label"] = "pdq"
            request["radius"] = 0
        matches = self.client.match(request)[0]["matches"]
        found = [m for m in matches if isinstance(m, dict) and m.get("kind") == kind]
        if kind == "vpdq":
            # Videos match by shares of frames; take the closest video.
            found = [m for m in found if isinstance(m.get("shares"), dict)]
            found.sort(
                key=lambda m: (
                    -float(m["shares"].get("query", 0)),
                    -float(m["shares"].get("stored", 0)),
                )
            )
        else:
            found = [m for m in found if str(m.get("hash", "")).lower() == value]
            found.sort(key=lambda m: m.get("role") != "plain")
        if not found or not isinstance(found[0].get("hash_id"), int):
            short = signal if len(signal) <= 70 else signal[:67] + "..."
            raise HashbankError(
                f"the bank at {self.client.bank_url} holds no active {type_name} "
                f"hash {short} (withdrawn, suspended, or not from this bank): "
                "no report made"
            )
        return found[0]["hash_id"]

    def _earlier_report_id(self, answer: t.Any) -> int:
        """
        The id of the report a 409 answer refers to.

        The bank names it in the answer's report_id (a bank of an older
        version only in the message, "... report 1234"); a 409 that names
        none (a withdrawn case, say) is passed on as it is.
        """
        named = answer.get("report_id") if isinstance(answer, dict) else None
        if isinstance(named, int) and not isinstance(named, bool):
            return named
        message = answer.get("message") if isinstance(answer, dict) else None
        m = re.search(r"\breport (\d+)\b", message or "")
        if m is None:
            raise HashbankError(
                f"the bank at {self.client.bank_url} refused the report (409 "
                f"{message or answer!r})",
                status=409,
            )
        return int(m.group(1))
