"""What the bench/serve scripts share: the release binary, starting
`hashbank serve` and waiting for it, sampling its resident memory, the load
generator oha, pulling the feed, and the line that names the machine.
Standard library only."""

import concurrent.futures
import functools
import http.client
import json
import os
import random
import re
import subprocess
import tempfile
import sys
import threading
import time
import urllib.parse
import urllib.request

# Feed entries per page when pulling the whole feed.
FEED_PAGE = 10000
# Cheap argon2 for runs that measure something else than argon2 (the crash
# loop): the settings the CLI tests use.
LIGHT_ARGON2 = {"HASHBANK_ARGON2_MEMORY_KIB": "256", "HASHBANK_ARGON2_ITERATIONS": "1"}


def binary(root):
    """The release `hashbank` the runner built (in CARGO_TARGET_DIR when
    set), or the one HASHBANK_BIN names."""
    if os.environ.get("HASHBANK_BIN"):
        return os.path.abspath(os.environ["HASHBANK_BIN"])
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(root, "target")
    path = os.path.join(os.path.abspath(target), "release", "hashbank")
    if not os.access(path, os.X_OK):
        sys.exit(f"no release build at {path}")
    return path


def random_pdq(rng):
    """A random PDQ hash the bank accepts: one with far too few or too many
    set bits (outside 96 to 160, about 1 in 16,000) is drawn again."""
    while True:
        number = rng.getrandbits(256)
        if 96 <= bin(number).count("1") <= 160:
            return "%064x" % number


def flip(value, bits, rng):
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return "%064x" % number


def write_hashes(path, count, rng, keep_every=0):
    """Writes `count` random PDQ hashes as import lines to `path`; returns
    every `keep_every`-th value (all of them when 0) to query with later."""
    kept = []
    with open(path, "w") as f:
        lines = []
        for n in range(count):
            value = random_pdq(rng)
            if keep_every == 0 or n % keep_every == 0:
                kept.append(value)
            lines.append('{"kind":"pdq","value":"%s","quality":100}\n' % value)
            if len(lines) >= 100000:
                f.writelines(lines)
                lines = []
        f.writelines(lines)
    return kept


def read_cases(path):
    """(number, pin) of each case `hashbank import --cases-out` wrote."""
    cases = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            number, pin, _ = line.split()
            cases.append((number, pin))
    return cases


class Server:
    """A running `hashbank serve` on a free port of 127.0.0.1."""

    def __init__(self, binary, db, extra=(), env=None, log=None):
        self.started = time.time()
        self.proc = subprocess.Popen(
            [binary, "serve", "--database", db, "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=log or subprocess.DEVNULL, text=True,
            env={**os.environ, **(env or {})})
        self.pid = self.proc.pid
        # The first lines may say more (which page folder is served); the
        # address is on the line that says "listening on".
        line = ""
        while "listening on " not in line:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("hashbank serve stopped before it listened")
        self.base = line.strip().split("listening on ", 1)[1]
        self.port = int(self.base.rsplit(":", 1)[1])
        # Keep reading what it prints, so that it never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def wait_ready(self, timeout=600):
        """Seconds from the start of the process until /readyz answered 200."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hashbank serve exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        return time.time() - self.started
            except Exception:
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not become ready")

    def kill(self):
        """SIGKILL, as a crash would."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                # An orderly stop may save the matcher (seconds for millions).
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rss_mb(pid):
    """VmRSS of `pid` in MB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


class RssSampler(threading.Thread):
    """Samples a process's VmRSS every `interval` s; keeps the maximum. When
    it passes `abort_mb`, kills the process (SIGKILL) so that a run cannot
    take the machine's memory, and says so in `aborted`."""

    def __init__(self, pid, interval=0.1, abort_mb=None, on_abort=None):
        super().__init__(daemon=True)
        self.pid, self.interval, self.abort_mb, self.on_abort = pid, interval, abort_mb, on_abort
        self.max_mb, self.last_mb, self.aborted, self.aborted_at = 0.0, 0.0, None, None
        self.samples = []
        self._halt = threading.Event()

    def run(self):
        started = time.time()
        while not self._halt.is_set():
            mb = rss_mb(self.pid)
            if mb is None:
                return
            self.last_mb = mb
            self.max_mb = max(self.max_mb, mb)
            self.samples.append((time.time() - started, mb))
            if self.abort_mb and mb > self.abort_mb and not self.aborted:
                self.aborted_at = time.time()
                self.aborted = f"server killed at {mb:,.0f} MB resident (over --rss-abort {self.abort_mb:,} MB)"
                if self.on_abort:
                    self.on_abort()
                return
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def ensure_oha():
    for candidate in ("oha", os.path.expanduser("~/.cargo/bin/oha")):
        try:
            subprocess.run([candidate, "--version"], check=True, capture_output=True)
            return candidate
        except (FileNotFoundError, subprocess.CalledProcessError):
            continue
    sys.exit("oha is missing (the runner installs it)")


def oha(base, key, body_file, seconds, connections, rate=None, path="/v1/match"):
    """POST `body_file` to `path` under oha; the figures and what failed.
    Requests still in flight when the time is up are cut off, not failed."""
    cmd = [ensure_oha(), "--no-tui", "--output-format", "json", "-z", f"{seconds}s",
           "-c", str(connections), "-m", "POST", "-T", "application/json",
           "-H", f"Authorization: Bearer {key}", "-D", body_file]
    if rate:
        cmd += ["-q", str(rate), "--latency-correction"]
    out = subprocess.run(cmd + [base + path], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    codes = result.get("statusCodeDistribution", {})
    errors = {e: n for e, n in result.get("errorDistribution", {}).items() if "deadline" not in e}
    pct = result["latencyPercentiles"]
    return {
        "rps": result["summary"]["requestsPerSec"] or 0.0,
        # No answer at all: no latency to give.
        "p50": pct["p50"] * 1000 if pct["p50"] is not None else float("nan"),
        "p99": pct["p99"] * 1000 if pct["p99"] is not None else float("nan"),
        "requests": sum(codes.values()),
        "codes": codes,
        "bad": {c: n for c, n in codes.items() if c != "200"},
        "errors": errors,
        "failed": sum(n for c, n in codes.items() if c != "200") + sum(errors.values()),
    }


def request(base, method, path, body=None, headers=None, timeout=30, source=None):
    """(status, JSON body or None, headers); status 0 when no answer came.
    `source` is the local address to send from (any of 127.0.0.0/8 on
    loopback), so that one machine can stand for many clients."""
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json", **(headers or {})})
        r = conn.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return r.status, parsed, dict(r.getheaders())
    except (OSError, http.client.HTTPException):
        return 0, None, {}
    finally:
        conn.close()


def ensure_audit_key(binary, db):
    """A PostgreSQL bank's audit key must be given to every command: makes
    one for this run and names it in the environment every later command
    inherits (a SQLite bank keeps its own beside the file)."""
    if not db.startswith("postgres") or os.environ.get("HASHBANK_AUDIT_KEY_FILE"):
        return
    path = os.path.join(tempfile.mkdtemp(prefix="hashbank-bench-key-"), "audit-key")
    subprocess.run([binary, "audit", "new-key", "--out", path, "--database", db], check=True,
                   stdout=subprocess.DEVNULL)
    os.environ["HASHBANK_AUDIT_KEY_FILE"] = path


def create_bank(binary, db, env=None):
    """Makes the bank's database by starting `hashbank serve` on it once
    (operator commands refuse to create a missing one); the seconds it
    took to be ready on the empty bank."""
    ensure_audit_key(binary, db)
    server = Server(binary, db, env=env)
    try:
        return server.wait_ready()
    finally:
        server.stop()


def add_platform(binary, db, name, env=None):
    """`hashbank platform add NAME`: the key it prints."""
    out = subprocess.run([binary, "platform", "add", name, "--database", db],
                         capture_output=True, text=True, env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise RuntimeError(f"hashbank platform add: {out.stderr.strip()}")
    return out.stdout.strip().splitlines()[-1].strip()


def pull_feed(base, key, page=FEED_PAGE, visit=None):
    """Pulls the whole feed from cursor 0: (entries, pages, seconds). Calls
    `visit(entry)` on each entry when given. As a client that reads the
    Link header would: on one kept-alive connection, the next page is asked
    for (on a second thread) before this one is parsed. The parse waits
    until that request is on the wire: json.loads holds the interpreter's
    lock for the whole parse, and a request not yet sent when it starts is
    sent only after it, so the server would never work while the client
    parses."""
    started = time.time()
    entries, pages = 0, 0
    parts = urllib.parse.urlsplit(base)
    connection = (http.client.HTTPSConnection if parts.scheme == "https"
                  else http.client.HTTPConnection)(parts.hostname, parts.port, timeout=120)

    def fetch(path, sent):
        connection.request("GET", path, headers={"Authorization": f"Bearer {key}"})
        sent.set()
        r = connection.getresponse()
        raw = r.read()
        if r.status != 200:
            raise RuntimeError(f"GET {path}: {r.status} {raw[:200]!r}")
        return raw, r.getheader("Link")

    def ask(pool, path):
        sent = threading.Event()
        pending = pool.submit(fetch, path, sent)
        sent.wait(timeout=120)
        return pending

    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = ask(pool, f"/v1/feed?after=0&limit={page}")
            while True:
                raw, link = pending.result()
                m = re.match(r'<([^>]+)>; rel="next"', link or "")
                if m:
                    pending = ask(pool, m.group(1))
                body = json.loads(raw)
                entries += len(body["entries"])
                if visit:
                    for entry in body["entries"]:
                        visit(entry)
                pages += 1
                if not body["more"]:
                    return entries, pages, time.time() - started
                if not m:
                    pending = ask(pool, f"/v1/feed?after={body['next_cursor']}&limit={page}")
    finally:
        connection.close()


def machine():
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except FileNotFoundError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB RAM"


@functools.lru_cache(maxsize=None)
def commit(root):
    """The commit of the tree at `root`, as first asked: the scripts ask at
    their start, when the runner has just built the binary, so that a commit
    made while a long run goes on is not named as the one measured."""
    try:
        out = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return out + ("+changes" if dirty else "")
    except Exception:
        return "unknown commit"


def header(name, root, what):
    """The first line of every table: what, when, where, which code."""
    load = os.getloadavg()[0]
    return (f"{name}: {what}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}; "
            f"commit {commit(root)}; load average {load:.1f}")


def seeded(seed):
    return random.Random(seed)
