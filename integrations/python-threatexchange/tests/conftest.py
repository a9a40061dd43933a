"""
Fixtures: a real `hashbank serve` on SQLite, platform keys, cases filed from
the benign pictures of ../shared/testdata, and the threatexchange CLI run in
a home folder of its own for every test (it keeps its state under
~/.threatexchange), so that no test touches the real home or another test.

The bank runs with the feed's hold off (--feed-hold-secs 0,
--feed-delete-hold-secs 0, --feed-mix-writes 1), so that what a test files
or withdraws is on the feed at once, and with the per-client limits raised,
since every request here comes from 127.0.0.1.
"""

import http.server
import json
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import threading
import time
import typing as t

import pytest
import requests

REPO = pathlib.Path(__file__).resolve().parents[3]
TESTDATA = pathlib.Path(
    os.environ.get("HASHBANK_TESTDATA", str(REPO.parent / "shared" / "testdata"))
)
# 63 unrelated photographs, at least 98 PDQ bits apart from each other
# (testdata/robustness/README.md), and edited copies of each.
PICTURES = TESTDATA / "robustness" / "images"
VARIANTS = TESTDATA / "robustness" / "variants"
# The threatexchange CLI of the venv running the tests.
TX = str(pathlib.Path(sys.executable).parent / "threatexchange")
EXTENSION = "hashbank_threatexchange"


def hashbank_bin() -> str:
    path = os.environ.get("HASHBANK_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"HASHBANK_BIN must name the hashbank binary (got {path!r})")
    return path


# -- the bank -------------------------------------------------------------


class Case(t.NamedTuple):
    number: str
    pin: str
    hashes: t.List[t.Dict[str, t.Any]]  # as the bank answered: hash_id, kind, value...


class Bank:
    """A running `hashbank serve` and what tests do with it over HTTP."""

    def __init__(self, workdir: pathlib.Path) -> None:
        self.workdir = workdir
        self.database = f"sqlite://{workdir / 'bank.db'}"
        self.url = ""
        self.proc: t.Optional[subprocess.Popen] = None
        self._platforms = 0

    def start(self) -> None:
        self.log = open(self.workdir / "serve.log", "w")
        self.proc = subprocess.Popen(
            [
                hashbank_bin(),
                "serve",
                "--database",
                self.database,
                "--create",
                "--listen",
                "127.0.0.1:0",
                "--feed-hold-secs",
                "0",
                "--feed-delete-hold-secs",
                "0",
                "--feed-mix-writes",
                "1",
                "--key-tries-per-minute",
                "10000",
                "--pin-tries-per-minute",
                "10000",
                "--filings-per-minute",
                "10000",
                "--shutdown-grace-secs",
                "1",
            ],
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        # The chosen port is printed on stdout: "hashbank: listening on URL".
        lines: "queue.Queue[str]" = queue.Queue()
        assert self.proc.stdout is not None
        out = self.proc.stdout

        def read() -> None:
            for line in out:
                lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        deadline = time.time() + 30
        while not self.url:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                self.stop()
                pytest.fail(f"hashbank serve printed no address: {self.serve_log()}")
            if "listening on " in line:
                self.url = line.split("listening on ", 1)[1].strip().rstrip("/")
        while True:
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                pytest.fail(f"hashbank serve never got ready: {self.serve_log()}")
            time.sleep(0.1)

    def serve_log(self) -> str:
        self.log.flush()
        return (self.workdir / "serve.log").read_text()[-2000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # operator side

    def add_platform(self, prefix: str = "tx") -> t.Tuple[str, str]:
        """A new platform: (name, key). The key is printed once, on stdout."""
        self._platforms += 1
        name = f"{prefix}-{self._platforms}"
        done = subprocess.run(
            [hashbank_bin(), "platform", "add", name, "--database", self.database],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            check=True,
        )
        key = done.stdout.strip()
        assert key.startswith("hbk_"), done
        return name, key

    # victim side

    def file_case(
        self, hashes: t.List[t.Dict[str, t.Any]], category: t.Optional[str] = None
    ) -> Case:
        body: t.Dict[str, t.Any] = {"hashes": hashes}
        if category:
            body["category"] = category
        r = requests.post(self.url + "/v1/cases", json=body, timeout=30)
        assert r.status_code == 201, r.text
        answer = r.json()
        return Case(answer["case_number"], answer["pin"], answer["hashes"])

    def withdraw(self, case: Case) -> None:
        r = requests.post(
            f"{self.url}/v1/cases/{case.number}/withdraw",
            headers={"X-Case-Pin": case.pin},
            timeout=60,
        )
        assert r.status_code == 200, r.text

    def view(self, case: Case) -> t.Dict[str, t.Any]:
        r = requests.get(
            f"{self.url}/v1/cases/{case.number}",
            headers={"X-Case-Pin": case.pin},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return r.json()

    # platform side, straight from the feed (what the tests compare with)

    def active_hashes(self, key: str) -> t.Dict[int, t.Dict[str, t.Any]]:
        """The bank's active hashes by id, from the whole feed read directly."""
        active: t.Dict[int, t.Dict[str, t.Any]] = {}
        after = 0
        while True:
            r = requests.get(
                self.url + "/v1/feed",
                params={"after": after, "limit": 10000},
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            )
            assert r.status_code == 200, r.text
            page = r.json()
            for e in page["entries"]:
                if e["op"] == "add":
                    active[e["hash_id"]] = e
                else:
                    active.pop(e["hash_id"], None)
            after = page["next_cursor"]
            if not page["more"]:
                return active


@pytest.fixture(scope="session")
def bank(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Bank]:
    b = Bank(tmp_path_factory.mktemp("bank"))
    b.start()
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture(scope="session")
def platform(bank: Bank) -> t.Tuple[str, str]:
    """The platform most tests act as: (name, key)."""
    return bank.add_platform("cli")


# -- pictures and their hashes -----------------------------------------------


class Pictures:
    """
    Hands out pictures no other test used, so that no two tests' cases share
    a hash (the bank keeps one id per value, whatever the cases).
    """

    def __init__(self) -> None:
        self.pool = sorted(PICTURES.glob("*.jpg"))
        if len(self.pool) < 30:
            pytest.fail(f"benign test pictures missing in {PICTURES}")
        self.cache: t.Dict[pathlib.Path, t.Dict[str, t.Any]] = {}

    def take(self, n: int = 1) -> t.List[pathlib.Path]:
        if len(self.pool) < n:
            pytest.fail("out of test pictures")
        taken, self.pool = self.pool[:n], self.pool[n:]
        return taken

    def hashes(self, path: pathlib.Path) -> t.Dict[str, t.Any]:
        """`hashbank hash FILE`: pdq, quality, md5, sha256."""
        if path not in self.cache:
            out = subprocess.run(
                [hashbank_bin(), "hash", str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            self.cache[path] = json.loads(out.splitlines()[0])
        return self.cache[path]

    def plain(self, path: pathlib.Path) -> t.List[t.Dict[str, t.Any]]:
        """What the victim page files for one picture: PDQ, MD5, SHA-256."""
        h = self.hashes(path)
        return [
            {"kind": "pdq", "value": h["pdq"], "quality": h["quality"]},
            {"kind": "md5", "value": h["md5"]},
            {"kind": "sha256", "value": h["sha256"]},
        ]

    @staticmethod
    def variant(path: pathlib.Path, transform: str) -> pathlib.Path:
        found = sorted(VARIANTS.glob(f"{path.stem}__{transform}.*"))
        assert found, f"no {transform} variant of {path.name}"
        return found[0]


@pytest.fixture(scope="session")
def pictures() -> Pictures:
    return Pictures()


# -- the threatexchange CLI ------------------------------------------------------


class TxCli:
    """The `threatexchange` command with a home of its own."""

    def __init__(self, home: pathlib.Path) -> None:
        self.home = home
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TX_") and k not in ("HOME", "PYTHONPATH")
        }
        self.env["HOME"] = str(home)
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"

    @property
    def state_dir(self) -> pathlib.Path:
        return self.home / ".threatexchange"

    def run(
        self, *args: str, check: bool = True, verbose: bool = False
    ) -> subprocess.CompletedProcess:
        cmd = [TX] + (["-v"] if verbose else []) + list(args)
        done = subprocess.run(
            cmd,
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} exited {done.returncode}\n"
                f"stdout: {done.stdout}\nstderr: {done.stderr}"
            )
        return done

    def setup(
        self, bank_url: str, key: t.Optional[str], *options: str, collab: str = "bank"
    ) -> None:
        """The key given and one collab for the bank (the extension is added)."""
        if key is not None:
            self.env["TX_HASHBANK_KEY"] = key
        self.run(
            "config", "collab", "edit", "hashbank", collab, "--create",
            "--bank-url", bank_url, *options,
        )  # fmt: skip

    def dataset(self) -> t.Set[t.Tuple[str, str]]:
        """The local copy as (signal type, signal) pairs."""
        out = self.run("dataset", "-P", "-S").stdout
        return {tuple(line.split(" ", 1)) for line in out.splitlines() if line}  # type: ignore[misc]

    def dataset_csv(self) -> t.List[t.Dict[str, str]]:
        import csv
        import io

        return list(csv.DictReader(io.StringIO(self.run("dataset", "-P", "--csv").stdout)))

    def match(self, content_type: str, path: pathlib.Path, *extra: str) -> str:
        return self.run("match", *extra, content_type, str(path)).stdout


@pytest.fixture(scope="session")
def tx_template(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """
    A CLI state with the extension added, by the real command, once: every
    test starts from a copy (each CLI run costs a second or two).
    """
    home = tmp_path_factory.mktemp("tx-template")
    done = TxCli(home).run("config", "extensions", "add", EXTENSION)
    assert "hashbank - HashbankSignalExchangeAPI" in done.stdout, done.stdout
    return home / ".threatexchange"


@pytest.fixture
def tx(tmp_path: pathlib.Path, tx_template: pathlib.Path) -> TxCli:
    home = tmp_path / "home"
    home.mkdir()
    cli = TxCli(home)
    shutil.copytree(tx_template, cli.state_dir)
    return cli


# -- a stand-in for a bank that answers wrongly -------------------------------------


class FakeServer:
    """
    A tiny HTTP server answering each request with the next of a list of
    (status, headers, body) answers (the last one repeats), and counting
    the requests.
    """

    def __init__(self, answers: t.List[t.Tuple[int, t.Dict[str, str], bytes]]) -> None:
        self.answers = list(answers)
        self.requests: t.List[str] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                fake.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, headers, body = (
                    fake.answers.pop(0) if len(fake.answers) > 1 else fake.answers[0]
                )
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: t.Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_server() -> t.Iterator[t.Callable[..., FakeServer]]:
    made: t.List[FakeServer] = []

    def make(*answers: t.Tuple[int, t.Dict[str, str], bytes]) -> FakeServer:
        s = FakeServer(list(answers))
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


@pytest.fixture(scope="session", autouse=True)
def _ledger_off_home(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[None]:
    """
    The CLI runs get a HOME of their own; this keeps the extension's report
    ledger away from the real home when tests use the extension in-process.
    """
    saved = {k: os.environ.get(k) for k in ("TX_STATEDIR", "TX_HASHBANK_REPORTS")}
    os.environ.pop("TX_STATEDIR", None)
    os.environ["TX_HASHBANK_REPORTS"] = str(
        tmp_path_factory.mktemp("ledger") / "hashbank_reports.json"
    )
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
