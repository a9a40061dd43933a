"""
A small record of the reports this machine made, by bank, hash id and
content reference.

The bank keeps one report per platform, hash and content reference and
refuses a second one (409); the outcome of an opinion given again (a
positive one turned negative after review, say) goes to the first report.
This record finds that report's id without another request. When it is
missing (another machine made the report, the file was lost, HMA runs
without a writable home), the id is read from the bank's 409 answer.

The file holds bank addresses, hash ids, content references (digests,
never hash values) and report ids. It lives at $TX_HASHBANK_REPORTS, or
hashbank_reports.json in the threatexchange CLI's state folder
($TX_STATEDIR, by default ~/.threatexchange).
"""

import json
import logging
import os
import pathlib
import tempfile
import typing as t

log = logging.getLogger(__name__)


def default_path() -> pathlib.Path:
    explicit = os.environ.get("TX_HASHBANK_REPORTS")
    if explicit:
        return pathlib.Path(explicit).expanduser()
    state_dir = os.environ.get("TX_STATEDIR", "~/.threatexchange")
    return pathlib.Path(state_dir).expanduser() / "hashbank_reports.json"


class ReportLedger:
    """Report ids by (bank, hash id, content reference), kept in a JSON file."""

    def __init__(self, path: t.Optional[pathlib.Path] = None) -> None:
        self.path = path if path is not None else default_path()

    @staticmethod
    def _key(bank_url: str, hash_id: int, content_ref: str) -> str:
        return f"{bank_url} {hash_id} {content_ref}"

    def _load(self) -> t.Dict[str, int]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            log.warning("hashbank: ignoring unreadable %s: %s", self.path, e)
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            k: v
            for k, v in data.items()
            if isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        }

    def _store(self, data: t.Dict[str, int]) -> None:
        # Written whole to a temporary file, then renamed over the old one,
        # so that a reader never sees half a file. A failure only costs the
        # shortcut: the bank's 409 answer still names the report.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=".hashbank_reports.", dir=str(self.path.parent)
            )
            try:
                with os.fdopen(fd, "w") as f:
                    json.dump(data, f, indent=1, sort_keys=True)
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                pathlib.Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            log.warning("hashbank: could not write %s: %s", self.path, e)

    def get(self, bank_url: str, hash_id: int, content_ref: str) -> t.Optional[int]:
        return self._load().get(self._key(bank_url, hash_id, content_ref))

    def remember(
        self, bank_url: str, hash_id: int, content_ref: str, report_id: int
    ) -> None:
        data = self._load()
        data[self._key(bank_url, hash_id, content_ref)] = report_id
        self._store(data)

    def forget(self, bank_url: str, hash_id: int, content_ref: str) -> None:
        data = self._load()
        if data.pop(self._key(bank_url, hash_id, content_ref), None) is not None:
            self._store(data)
