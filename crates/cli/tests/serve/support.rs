//! Running the real `hashbank` binary against a SQLite file or a PostgreSQL
//! database of its own, and talking to it over HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_hashbank");
/// The variable naming a PostgreSQL server the tests may create databases on.
pub const POSTGRES_VAR: &str = "HASHBANK_TEST_POSTGRES";
/// Light argon2 for tests only: the default cost would make every case
/// creation and PIN check take tens of milliseconds.
const LIGHT_ARGON2: [(&str, &str); 2] = [
    ("HASHBANK_ARGON2_MEMORY_KIB", "256"),
    ("HASHBANK_ARGON2_ITERATIONS", "1"),
];
/// How long a server may take to listen and load.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Servers in tests follow the feed this often (ms).
pub const FOLLOW_MS: &str = "200";
/// Servers in tests release feed entries right after each write unless a
/// test says otherwise (`--feed-hold-secs` overrides these).
const RELEASE_AT_ONCE: [(&str, &str); 2] = [
    ("HASHBANK_FEED_HOLD_SECS", "0"),
    ("HASHBANK_FEED_DELETE_HOLD_SECS", "0"),
];
/// The variable naming the audit key file.
const AUDIT_KEY_VAR: &str = "HASHBANK_AUDIT_KEY_FILE";
/// Rate limits high enough for tests that file and open many cases from one
/// address; a test of a limit gives its own value, which replaces these.
const LOOSE_LIMITS: [&str; 6] = [
    "--key-tries-per-minute",
    "--key-tries-per-minute-global",
    "--pin-tries-per-minute",
    "--pin-tries-per-minute-global",
    "--filings-per-minute",
    "--filings-per-minute-global",
];
/// The per-minute rate [`LOOSE_LIMITS`] set.
const LOOSE_RATE: &str = "1000000";

/// A database of one test: a SQLite file in a temporary folder, or a
/// PostgreSQL database made for the test and dropped after it.
pub struct TestDb {
    pub url: String,
    postgres: Option<(String, String)>,
    /// The audit key every command and server of a PostgreSQL bank is given
    /// (a SQLite bank's lies beside its file).
    pub audit_key: Option<std::path::PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("bank.db").display());
        TestDb {
            url,
            postgres: None,
            audit_key: None,
            _dir: Some(dir),
        }
    }

    pub fn postgres() -> TestDb {
        let admin = std::env::var(POSTGRES_VAR).unwrap_or_else(|_| {
            panic!(
                "{POSTGRES_VAR} is not set: the PostgreSQL tests need a server where they may create \
                 databases, e.g. {POSTGRES_VAR}=postgres://postgres@127.0.0.1:5432/postgres. \
                 `bash scripts/test.sh` installs and starts one and sets it."
            )
        });
        let name = format!("hashbank_test_{}", random_hex(12));
        admin_sql(&admin, &format!("CREATE DATABASE {name}"));
        let url = match admin.rfind('/') {
            Some(slash) if slash > admin.find("://").map_or(0, |s| s + 2) => {
                let (base, rest) = admin.split_at(slash);
                let query = rest.find('?').map_or("", |q| &rest[q..]);
                format!("{base}/{name}{query}")
            }
            _ => format!("{admin}/{name}"),
        };
        let dir = tempfile::tempdir().expect("temporary folder");
        let key = dir.path().join("bank.audit-key");
        std::fs::write(&key, format!("key = {}\nfrom = 1\n", random_hex(64))).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        TestDb {
            url,
            postgres: Some((admin, name)),
            audit_key: Some(key),
            _dir: Some(dir),
        }
    }

    /// The SQLite file, for a SQLite bank.
    pub fn file(&self) -> Option<std::path::PathBuf> {
        let path = self.url.strip_prefix("sqlite://")?;
        Some(std::path::PathBuf::from(path))
    }

    /// The variables that give commands the bank's audit key.
    pub fn key_env(&self) -> Vec<(&'static str, std::path::PathBuf)> {
        self.audit_key
            .iter()
            .map(|k| (AUDIT_KEY_VAR, k.clone()))
            .collect()
    }

    /// Runs `statement` on the bank's database directly (to tamper with it).
    pub fn sql(&self, statement: &str) {
        run_sql(&self.url, statement);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            admin_sql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

fn admin_sql(url: &str, statement: &str) {
    run_sql(url, statement);
}

fn run_sql(url: &str, statement: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database: {e}"));
        sqlx::raw_sql(statement)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
        let _ = conn.close().await;
    });
}

/// Runs `hashbank ARGS --database URL` to completion.
pub fn hashbank(db: &TestDb, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--database", &db.url])
        .envs(LIGHT_ARGON2)
        .envs(db.key_env())
        .output()
        .expect("running hashbank")
}

/// Adds a platform (creating the bank if it is new); returns its API key.
pub fn add_platform(db: &TestDb, name: &str) -> String {
    let out = hashbank(db, &["platform", "add", name, "--create"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// An answer: status, JSON body, headers.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

/// Adds investigator `name` with a contact text in Dutch and English; its key.
pub fn add_investigator(db: &TestDb, name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let contact = dir.path().join("contact.json");
    std::fs::write(
        &contact,
        json!({
            "nl": "Bel 02 000 00 00 (werkdagen 9-17 uur) en noem de referentie.",
            "en": "Call +32 2 000 00 00 (weekdays 9-17) and quote the reference.",
        })
        .to_string(),
    )
    .unwrap();
    let out = hashbank(
        db,
        &[
            "investigator",
            "add",
            name,
            "--contact",
            contact.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Credentials a request carries.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Key(String),
    Pin(String),
}

/// A running `hashbank serve`.
pub struct Server {
    child: Child,
    pub base: String,
    client: Client,
    said: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(db: &TestDb, extra: &[&str]) -> Server {
        Server::start_with(db, extra, true)
    }

    /// A server with the default argon2 cost (`light` false) or the light
    /// one of tests.
    pub fn start_with(db: &TestDb, extra: &[&str], light: bool) -> Server {
        let client = Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Server::start_full(db, extra, light, client)
    }

    /// Starts a server whose answers `client` reads (e.g. one that trusts
    /// the server's own TLS certificate).
    pub fn start_with_client(db: &TestDb, extra: &[&str], client: Client) -> Server {
        Server::start_full(db, extra, true, client)
    }

    fn start_full(db: &TestDb, extra: &[&str], light: bool, client: Client) -> Server {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--database", &db.url, "--listen", "127.0.0.1:0"])
            .args(["--follow-interval-ms", FOLLOW_MS]);
        for flag in LOOSE_LIMITS {
            if !extra.contains(&flag) {
                command.args([flag, LOOSE_RATE]);
            }
        }
        command.args(extra).envs(RELEASE_AT_ONCE).envs(db.key_env());
        if light {
            command.envs(LIGHT_ARGON2);
        } else {
            command
                .env_remove(LIGHT_ARGON2[0].0)
                .env_remove(LIGHT_ARGON2[1].0);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting hashbank serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let said = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = said.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("hashbank: listening on ") {
                    let _ = tx.send(addr.to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let base = rx
            .recv_timeout(START_TIMEOUT)
            .expect("the server did not say where it listens");
        let server = Server {
            child,
            base,
            client,
            said,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Ok(r) = self.client.get(format!("{}/readyz", self.base)).send() {
                if r.status() == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not become ready");
    }

    /// The lines the server printed on stdout so far.
    pub fn said(&self) -> Vec<String> {
        self.said.lock().unwrap().clone()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `HOST:PORT` the server listens on.
    pub fn address(&self) -> String {
        self.base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, rest)| rest)
            .to_string()
    }

    /// Sends SIGTERM (an orderly shutdown).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
    }

    /// Waits up to `timeout` for the server to exit; its exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn send(&self, method: &str, path: &str, auth: &Auth, body: Option<&Value>) -> Answer {
        self.try_send(method, path, auth, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        auth: &Auth,
        body: Option<&Value>,
    ) -> reqwest::Result<Answer> {
        self.try_send_from(None, method, path, auth, body)
    }

    /// Sends a request saying, in `X-Forwarded-For`, that it comes from
    /// `from` (believed only by a server told to trust 127.0.0.1).
    pub fn send_from(
        &self,
        from: &str,
        method: &str,
        path: &str,
        auth: &Auth,
        body: Option<&Value>,
    ) -> Answer {
        self.try_send_from(Some(from), method, path, auth, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn try_send_from(
        &self,
        from: Option<&str>,
        method: &str,
        path: &str,
        auth: &Auth,
        body: Option<&Value>,
    ) -> reqwest::Result<Answer> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(from) = from {
            request = request.header("X-Forwarded-For", from);
        }
        request = match auth {
            Auth::None => request,
            Auth::Key(key) => request.bearer_auth(key),
            Auth::Pin(pin) => request.header("X-Case-Pin", pin),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send()?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Answer {
            status,
            body,
            headers,
        })
    }

    pub fn raw(&self) -> &Client {
        &self.client
    }

    pub fn get(&self, path: &str, auth: &Auth) -> Answer {
        self.send("GET", path, auth, None)
    }

    pub fn post(&self, path: &str, auth: &Auth, body: &Value) -> Answer {
        self.send("POST", path, auth, Some(body))
    }

    /// Files a case; returns (number, PIN, the answer's body).
    pub fn create_case(&self, hashes: Value, minor: bool) -> (String, String, Value) {
        let mut body = json!({ "hashes": hashes });
        if minor {
            body["category"] = json!("minor");
        }
        let answer = self.post("/v1/cases", &Auth::None, &body);
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        let number = answer.body["case_number"].as_str().unwrap().to_string();
        let pin = answer.body["pin"].as_str().unwrap().to_string();
        (number, pin, answer.body)
    }

    /// Matches one hash; returns the matches.
    pub fn match_one(&self, key: &str, kind: &str, value: &str) -> Vec<Value> {
        let answer = self.post(
            "/v1/match",
            &Auth::Key(key.into()),
            &json!({ "hashes": [{ "kind": kind, "value": value }] }),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body["results"][0]["matches"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Reports `hash_id` as `key`'s match, with the platform's own hash
    /// `value` of the content `content_ref`.
    pub fn report(&self, key: &str, hash_id: i64, value: &str, content_ref: &str) -> Answer {
        self.post(
            "/v1/reports",
            &Auth::Key(key.into()),
            &json!({"hash_id": hash_id, "value": value, "content_ref": content_ref}),
        )
    }

    /// Gives report `report_id`'s outcome as `key`.
    pub fn outcome(&self, key: &str, report_id: i64, outcome: &str) -> Answer {
        self.post(
            &format!("/v1/reports/{report_id}/outcome"),
            &Auth::Key(key.into()),
            &json!({ "outcome": outcome }),
        )
    }

    /// The whole feed from cursor 0.
    pub fn whole_feed(&self, key: &str) -> Vec<Value> {
        let mut after = 0;
        let mut entries = Vec::new();
        loop {
            let page = self.get(
                &format!("/v1/feed?after={after}&limit=10000"),
                &Auth::Key(key.into()),
            );
            assert_eq!(page.status, 200, "{:?}", page.body);
            entries.extend(page.body["entries"].as_array().unwrap().iter().cloned());
            after = page.body["next_cursor"].as_i64().unwrap();
            if !page.body["more"].as_bool().unwrap() {
                return entries;
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `digits` random hex digits (not cryptographic; distinct across calls).
/// 64 digits are drawn so that they also make a PDQ hash the bank accepts
/// (about 1 in 16,000 random ones has too few or too many set bits), since
/// most tests file them as PDQ hashes.
pub fn random_hex(digits: usize) -> String {
    loop {
        let hex = any_hex(digits);
        let bits: u32 = hex
            .chars()
            .map(|c| c.to_digit(16).unwrap().count_ones())
            .sum();
        if digits != 64 || (104..=152).contains(&bits) {
            return hex;
        }
    }
}

fn any_hex(digits: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    while out.len() < digits {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out.truncate(digits);
    out
}

/// A random PDQ hash value the bank accepts.
pub fn random_pdq() -> String {
    random_hex(64)
}

/// A PDQ hash entry of quality 90.
pub fn pdq(value: &str) -> Value {
    json!({ "kind": "pdq", "value": value, "quality": 90 })
}

/// `value` with its last `bits` bits flipped (bits <= 4).
pub fn flip_last_bits(value: &str, bits: u32) -> String {
    let last = u8::from_str_radix(&value[63..], 16).unwrap();
    let flipped = last ^ ((1u8 << bits) - 1);
    format!("{}{:x}", &value[..63], flipped)
}

/// Polls `check` every 100 ms until it holds or `timeout` passes.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if check() {
            return true;
        }
        if started.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
