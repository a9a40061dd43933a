"""
Talking to one hashbank bank with one platform key.

Only what a platform uses is here: the feed, the match API, reports and
their outcomes (docs/api.md in the hashbank repository). Every answer is
checked against the shape the bank documents, so that a wrong address, a
proxy's error page or a stranger's server gives an error saying so rather
than an empty result.

Waiting: a bank that answers 429 (rate limited) or 503 (starting, busy,
over its connection cap) says in Retry-After how long to wait. The client
waits that long and asks again, a bounded number of times and never longer
than `max_wait` seconds at once; past that it gives up with an error.
"""

import datetime
import email.utils
import logging
import re
import time
import typing as t

import requests

from threatexchange.cli.exceptions import CommandError, ReturnCode

from hashbank_threatexchange.version import __version__

log = logging.getLogger(__name__)

# The largest cursor the bank accepts: asking for the feed after it is a
# cheap authenticated request that returns no hash.
MAX_CURSOR = 2**63 - 1
# The feed's page size bounds (docs/api.md).
MIN_PAGE = 1
MAX_PAGE = 10_000


class HashbankError(CommandError):
    """
    Something went wrong between this machine and the bank.

    It derives from the threatexchange CLI's CommandError only so that the
    CLI prints the message alone, without a traceback, when the error ends
    a command; anywhere else (HMA, scripts) it is an ordinary Exception.
    """

    def __init__(
        self,
        message: str,
        *,
        status: t.Optional[int] = None,
        code: t.Optional[str] = None,
    ) -> None:
        super().__init__(message, ReturnCode.EXTERNAL_DEPENDENCY_ERROR.value)
        self.message = message
        # The HTTP status and the bank's error code, when there was an answer.
        self.status = status
        self.code = code


class HashbankAuthError(HashbankError):
    """The bank refused the key (401)."""


class HashbankProtocolError(HashbankError):
    """The answer is not one a hashbank bank gives."""


class HashbankUnavailable(HashbankError):
    """No answer, or still busy after the bounded waits."""


def _snippet(text: str, limit: int = 80) -> str:
    """The start of an unexpected body, quoted, for an error message."""
    text = text.strip()
    if len(text) > limit:
        text = text[:limit] + "..."
    return repr(text)


def _reason(e: Exception) -> str:
    """The useful part of a connection error ("[Errno 111] Connection refused")."""
    text = str(e)
    m = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    return m.group(0) if m else text


def _retry_after_seconds(value: t.Optional[str]) -> t.Optional[float]:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _is_int(v: t.Any) -> bool:
    # JSON booleans are ints in Python; the bank never sends one for a number.
    return isinstance(v, int) and not isinstance(v, bool)


class HashbankClient:
    """
    The platform routes of one bank, with one key.

    bank_url is the bank's address (https://bank.example.org, or with a
    path prefix when a reverse proxy serves it under one); api_key is the
    key `hashbank platform add` printed.
    """

    def __init__(
        self,
        bank_url: str,
        api_key: str,
        *,
        timeout: t.Tuple[float, float] = (10.0, 120.0),
        max_attempts: int = 5,
        max_wait: float = 120.0,
        session: t.Optional[requests.Session] = None,
        sleep: t.Callable[[float], None] = time.sleep,
    ) -> None:
        self.bank_url = normalize_bank_url(bank_url)
        self._key = api_key
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.max_wait = max_wait
        self.session = session or requests.Session()
        self._sleep = sleep

    def __repr__(self) -> str:
        # Never the key.
        return f"HashbankClient({self.bank_url!r})"

    # -- the routes -------------------------------------------------------

    def check(self) -> None:
        """
        Make sure the address is a hashbank bank and the key is accepted.

        It asks for the feed after the largest cursor, which returns no
        hash: a cheap way to learn about a wrong key or address before
        anything is written locally.
        """
        self.feed_page(MAX_CURSOR, 1)

    def feed_page(self, after: int, limit: int) -> t.Dict[str, t.Any]:
        """One page of the feed after a cursor, its shape checked."""
        limit = min(MAX_PAGE, max(MIN_PAGE, int(limit)))
        _, body = self._call(
            "GET", "/v1/feed", params={"after": str(after), "limit": str(limit)}
        )
        return self._checked_feed_page(body, after)

    def match(self, request_body: t.Dict[str, t.Any]) -> t.List[t.Dict[str, t.Any]]:
        """POST /v1/match; the per-query results, in query order."""
        _, body = self._call("POST", "/v1/match", json_body=request_body)
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or len(results) != len(
            request_body.get("hashes", [])
        ):
            raise self._shape_error("POST /v1/match", "no results list per query")
        for r in results:
            if not isinstance(r, dict) or not isinstance(r.get("matches"), list):
                raise self._shape_error("POST /v1/match", "a result without matches")
        return results

    def report(
        self,
        hash_id: int,
        value: str,
        label: t.Optional[str],
        content_ref: str,
    ) -> t.Tuple[int, t.Dict[str, t.Any]]:
        """
        POST /v1/reports.

        Gives (201, {report_id}) for a new report and (409, error body) when
        this platform reported the same content for the hash before; any
        other answer raises.
        """
        body: t.Dict[str, t.Any] = {
            "hash_id": hash_id,
            "value": value,
            "content_ref": content_ref,
        }
        if label is not None:
            body["label"] = label
        status, answer = self._call(
            "POST", "/v1/reports", json_body=body, accept=(201, 409)
        )
        if status == 201 and not _is_int(
            answer.get("report_id") if isinstance(answer, dict) else None
        ):
            raise self._shape_error("POST /v1/reports", "no report_id")
        return status, answer

    def set_outcome(self, report_id: int, outcome: str) -> bool:
        """
        POST /v1/reports/{id}/outcome.

        True when recorded; False when the bank knows no such report of this
        platform (404: never made, or gone with a withdrawn case).
        """
        status, answer = self._call(
            "POST",
            f"/v1/reports/{int(report_id)}/outcome",
            json_body={"outcome": outcome},
            accept=(200, 404),
        )
        if status == 404:
            return False
        if not isinstance(answer, dict) or answer.get("outcome") != outcome:
            raise self._shape_error(
                f"POST /v1/reports/{report_id}/outcome", "the outcome is not echoed"
            )
        return True

    # -- plumbing ---------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: t.Optional[t.Dict[str, str]] = None,
        json_body: t.Optional[t.Dict[str, t.Any]] = None,
        accept: t.Tuple[int, ...] = (200,),
    ) -> t.Tuple[int, t.Any]:
        """
        One request, waited for and retried on 429/503; the status and the
        parsed JSON body of an accepted answer. Anything else raises a
        HashbankError naming the bank, the route and what came back.
        """
        what = f"{method} {path}"
        url = self.bank_url + path
        headers = {
            "Authorization": f"Bearer {self._key}",
            "Accept": "application/json",
            "User-Agent": f"hashbank-threatexchange/{__version__}",
        }
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers=headers,
                    timeout=self.timeout,
                    # A redirect would carry the key elsewhere or turn a POST
                    # into a GET: refuse it and say where it pointed.
                    allow_redirects=False,
                )
            except requests.exceptions.Timeout as e:
                raise HashbankUnavailable(
                    f"the bank at {self.bank_url} did not answer {what} in time ({e})"
                ) from None
            except requests.exceptions.RequestException as e:
                raise HashbankUnavailable(
                    f"could not reach the bank at {self.bank_url} for {what}: {_reason(e)}"
                ) from None

            status = resp.status_code
            if status in (429, 503) and status not in accept:
                wait = _retry_after_seconds(resp.headers.get("Retry-After"))
                if wait is None:
                    wait = float(min(2 ** (attempt - 1), 30))
                if attempt >= self.max_attempts or wait > self.max_wait:
                    raise HashbankUnavailable(
                        f"the bank at {self.bank_url} is still answering {what} with "
                        f"{status} {self._error_text(resp)} after {attempt} "
                        f"tr{'y' if attempt == 1 else 'ies'}"
                        + (
                            f" (it asks to wait {wait:.0f}s, more than {self.max_wait:.0f}s)"
                            if wait > self.max_wait
                            else ""
                        ),
                        status=status,
                        code=self._error_code(resp),
                    )
                log.warning(
                    "hashbank: %s answered %d; waiting %.1fs before try %d of %d",
                    what,
                    status,
                    wait,
                    attempt + 1,
                    self.max_attempts,
                )
                self._sleep(wait)
                continue

            if status in accept:
                return status, self._json(resp, what)

            if 300 <= status < 400:
                raise HashbankProtocolError(
                    f"the bank at {self.bank_url} answered {what} with a redirect "
                    f"({status}) to {resp.headers.get('Location')!r}: set bank_url to the "
                    "address the bank answers on itself",
                    status=status,
                )
            if status == 401:
                raise HashbankAuthError(
                    f"the bank at {self.bank_url} refused the API key for {what} "
                    f"(401 {self._error_text(resp)}): use a platform key of this bank "
                    "that was not revoked (TX_HASHBANK_KEY or ~/.tx_hashbank_key)",
                    status=status,
                    code=self._error_code(resp),
                )
            code = self._error_code(resp)
            if code is None and path == "/v1/feed":
                # Not even an error in the bank's own format: most likely not
                # a bank at all, or a wrong path prefix.
                raise HashbankProtocolError(
                    f"{self.bank_url} does not answer {what} like a hashbank bank "
                    f"(HTTP {status}, {self._describe_body(resp)}): check bank_url",
                    status=status,
                )
            raise HashbankError(
                f"the bank at {self.bank_url} answered {what} with {status} "
                f"{self._error_text(resp)}",
                status=status,
                code=code,
            )
        raise AssertionError("unreachable")  # the loop returns or raises

    def _json(self, resp: requests.Response, what: str) -> t.Any:
        try:
            return resp.json()
        except ValueError:
            raise HashbankProtocolError(
                f"{self.bank_url} answered {what} with something that is not JSON "
                f"(HTTP {resp.status_code}, {self._describe_body(resp)}): is bank_url "
                "the address of a hashbank bank?",
                status=resp.status_code,
            ) from None

    @staticmethod
    def _describe_body(resp: requests.Response) -> str:
        ctype = resp.headers.get("Content-Type", "no Content-Type")
        return f"{ctype}: {_snippet(resp.text)}"

    @staticmethod
    def _error_body(resp: requests.Response) -> t.Optional[t.Dict[str, str]]:
        """The bank's `{error, message}` body, when the answer has one."""
        try:
            body = resp.json()
        except ValueError:
            return None
        if (
            isinstance(body, dict)
            and isinstance(body.get("error"), str)
            and isinstance(body.get("message"), str)
        ):
            return body
        return None

    def _error_code(self, resp: requests.Response) -> t.Optional[str]:
        body = self._error_body(resp)
        return body["error"] if body else None

    def _error_text(self, resp: requests.Response) -> str:
        body = self._error_body(resp)
        if body:
            return f"{body['error']}: {body['message']}"
        return f"({self._describe_body(resp)})"

    def _shape_error(self, what: str, problem: str) -> HashbankProtocolError:
        return HashbankProtocolError(
            f"the bank at {self.bank_url} answered {what} with JSON of another shape "
            f"({problem}): is bank_url the address of a hashbank bank, and is this "
            "extension recent enough for it?"
        )

    def _checked_feed_page(self, body: t.Any, after: int) -> t.Dict[str, t.Any]:
        what = "GET /v1/feed"
        if not isinstance(body, dict):
            raise self._shape_error(what, "not an object")
        entries = body.get("entries")
        next_cursor = body.get("next_cursor")
        more = body.get("more")
        if not isinstance(entries, list):
            raise self._shape_error(what, "no entries list")
        if not _is_int(next_cursor) or not isinstance(more, bool):
            raise self._shape_error(what, "no next_cursor or more")
        last = after
        for e in entries:
            if not isinstance(e, dict):
                raise self._shape_error(what, "an entry that is not an object")
            cursor, op, hash_id = e.get("cursor"), e.get("op"), e.get("hash_id")
            if not _is_int(cursor) or not _is_int(hash_id):
                raise self._shape_error(what, "an entry without cursor or hash_id")
            if cursor <= last:
                raise self._shape_error(what, "entries out of cursor order")
            last = cursor
            if op == "add":
                if not isinstance(e.get("kind"), str) or not isinstance(
                    e.get("value"), str
                ):
                    raise self._shape_error(what, "an addition without kind or value")
            elif op != "delete":
                raise self._shape_error(what, f"an entry with op {op!r}")
        if entries and next_cursor < last:
            raise self._shape_error(what, "next_cursor before the last entry")
        if more and next_cursor <= after:
            # A page that says more follows but does not move on would make
            # the fetch loop for ever.
            raise self._shape_error(what, "more entries promised without progress")
        return body


def normalize_bank_url(bank_url: str) -> str:
    """
    The bank's address without a trailing slash; an error for anything
    that is not an http(s) address.
    """
    url = (bank_url or "").strip()
    if not (url.startswith("https://") or url.startswith("http://")):
        raise HashbankError(
            f"bank_url must be the bank's http(s) address, e.g. "
            f"https://bank.example.org, not {url!r}"
        )
    return url.rstrip("/")
