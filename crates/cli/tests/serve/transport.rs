//! Connections as a stranger would try them: half a request, a body that
//! never ends, idle sockets, more sockets than the server takes; an
//! orderly shutdown; HTTPS; errors that are JSON whatever breaks.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

/// Generous bound for a timeout of a second or two to fire.
const FIRES_WITHIN: Duration = Duration::from_secs(30);

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.address()).expect("connecting");
    stream.set_read_timeout(Some(FIRES_WITHIN)).unwrap();
    stream
}

/// Reads until the server closes the connection; what it sent. Panics when
/// the connection is still open after [`FIRES_WITHIN`].
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "the server kept the connection open; received so far: {:?}",
                    String::from_utf8_lossy(&received)
                )
            }
            Err(e) => panic!("reading: {e}"),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// Reads one answer (head and a body of its Content-Length); returns
/// (status, head, body).
fn read_answer(stream: &mut TcpStream) -> (u16, String, String) {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let head = text[..end].to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                let body = text[end + 4..end + 4 + length].to_string();
                let status = head[9..12].parse().unwrap();
                return (status, head, body);
            }
        }
        let n = stream.read(&mut buf).expect("reading an answer");
        assert!(n > 0, "closed before a whole answer: {text:?}");
        received.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn half_a_header_is_cut_off() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &["--header-timeout-secs", "1"]);
    // Connected, nothing sent.
    let mut silent = connect(&server);
    // Half a request head, the rest never comes.
    let mut half = connect(&server);
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: bank\r\nX-Slow: ")
        .unwrap();
    assert_eq!(read_until_closed(&mut silent), "");
    let answer = read_until_closed(&mut half);
    assert!(!answer.contains("200 OK"), "{answer}");
    // The server still answers.
    assert_eq!(server.get("/healthz", &Auth::None).status, 200);
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &["--header-timeout-secs", "1"]);
    let mut stream = connect(&server);
    for _ in 0..2 {
        // Kept alive between requests sent at once...
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: bank\r\n\r\n")
            .unwrap();
        let (status, _, body) = read_answer(&mut stream);
        assert_eq!(status, 200, "{body}");
    }
    // ...then closed once idle.
    assert_eq!(read_until_closed(&mut stream), "");
}

#[test]
fn a_body_that_does_not_arrive_in_time_gets_408() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &["--body-timeout-secs", "1"]);

    // Part of the body, then nothing.
    let mut stalled = connect(&server);
    stalled
        .write_all(
            b"POST /v1/cases HTTP/1.1\r\nHost: bank\r\nContent-Type: application/json\r\n\
              Content-Length: 200\r\n\r\n{\"hashes\": [",
        )
        .unwrap();
    let (status, head, body) = read_answer(&mut stalled);
    assert_eq!(status, 408, "{head}\n{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], json!("body_timeout"));
    assert!(head.to_lowercase().contains("connection: close"), "{head}");
    read_until_closed(&mut stalled);

    // A byte at a time, each well within the timeout: the body as a whole
    // is late all the same.
    let mut trickle = connect(&server);
    trickle
        .write_all(
            b"POST /v1/cases HTTP/1.1\r\nHost: bank\r\nContent-Type: application/json\r\n\
              Content-Length: 200\r\n\r\n",
        )
        .unwrap();
    let mut writer = trickle.try_clone().unwrap();
    let dripping = std::thread::spawn(move || {
        for _ in 0..200 {
            if writer.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let (status, _, body) = read_answer(&mut trickle);
    assert_eq!(status, 408, "{body}");
    read_until_closed(&mut trickle);
    dripping.join().unwrap();
    assert_eq!(server.get("/healthz", &Auth::None).status, 200);
}

#[test]
fn over_the_connection_cap_new_clients_get_503_with_retry_after() {
    let db = TestDb::sqlite();
    let server = Server::start(
        &db,
        &["--max-connections", "4", "--header-timeout-secs", "60"],
    );
    // More idle sockets than the cap.
    let idle: Vec<TcpStream> = (0..8).map(|_| connect(&server)).collect();
    let fresh = || {
        reqwest::blocking::Client::builder()
            .timeout(FIRES_WITHIN)
            .build()
            .unwrap()
    };
    let answer = fresh()
        .get(format!("{}/healthz", server.base))
        .send()
        .expect("the server answers over the cap");
    assert_eq!(answer.status(), 503);
    let wait: u64 = answer.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    let body: Value = answer.json().unwrap();
    assert_eq!(body["error"], json!("overloaded"));

    // Once the idle sockets go, the server answers again.
    drop(idle);
    assert!(eventually(FIRES_WITHIN, || {
        fresh()
            .get(format!("{}/healthz", server.base))
            .send()
            .is_ok_and(|r| r.status() == 200)
    }));
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let db = TestDb::sqlite();
    let mut server = Server::start(&db, &[]);
    let body = json!({ "hashes": [pdq(&random_hex(64))] }).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = connect(&server);
    write!(
        stream,
        "POST /v1/cases HTTP/1.1\r\nHost: bank\r\nContent-Type: application/json\r\n\
         Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server asks for the body: the request is in its hands.
    let (status, _, _) = read_answer(&mut stream);
    assert_eq!(status, 100);
    stream.write_all(first.as_bytes()).unwrap();
    server.terminate();
    // The server stops accepting...
    assert!(
        eventually(FIRES_WITHIN, || TcpStream::connect(server.address())
            .is_err()),
        "still accepting after SIGTERM"
    );
    // ...and still finishes the request.
    stream.write_all(rest.as_bytes()).unwrap();
    let (status, _, answer) = read_answer(&mut stream);
    assert_eq!(status, 201, "{answer}");
    let created: Value = serde_json::from_str(&answer).unwrap();
    assert!(created["case_number"].is_string());
    let exit = server.wait_exit(FIRES_WITHIN).expect("the server exits");
    assert!(exit.success(), "{exit:?}");
}

/// A self-signed certificate for 127.0.0.1 and localhost: (cert PEM,
/// key PEM).
fn self_signed() -> (String, String) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    (cert.cert.pem(), cert.key_pair.serialize_pem())
}

#[test]
fn https_with_hsts() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed();
    let cert_file = dir.path().join("cert.pem");
    let key_file = dir.path().join("key.pem");
    std::fs::write(&cert_file, &cert).unwrap();
    std::fs::write(&key_file, &key).unwrap();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes()).unwrap())
        .timeout(FIRES_WITHIN)
        .build()
        .unwrap();
    let cert_arg = cert_file.to_str().unwrap();
    let key_arg = key_file.to_str().unwrap();
    let server =
        Server::start_with_client(&db, &["--tls-cert", cert_arg, "--tls-key", key_arg], client);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let health = server.get("/healthz", &Auth::None);
    assert_eq!(health.status, 200);
    assert_eq!(
        health.headers["strict-transport-security"],
        "max-age=31536000"
    );
    let missing = server.get("/v1/nothing", &Auth::None);
    assert_eq!((missing.status, missing.code()), (404, "not_found"));
    assert!(missing.headers.contains_key("strict-transport-security"));

    // Plain HTTP to the TLS port fails, and the server goes on.
    let plain = reqwest::blocking::Client::builder()
        .timeout(FIRES_WITHIN)
        .build()
        .unwrap()
        .get(format!("http://{}/healthz", server.address()))
        .send();
    assert!(
        plain.is_err() || plain.as_ref().is_ok_and(|r| r.status() != 200),
        "{plain:?}"
    );
    let mut raw = connect(&server);
    raw.write_all(b"GET /healthz HTTP/1.1\r\nHost: bank\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut raw);
    assert!(!answer.contains("200 OK"));
    assert_eq!(server.get("/healthz", &Auth::None).status, 200);

    // Without TLS, no HSTS.
    let plain_server = Server::start(&TestDb::sqlite(), &[]);
    let health = plain_server.get("/healthz", &Auth::None);
    assert!(!health.headers.contains_key("strict-transport-security"));
}

#[test]
fn bad_certificate_files_stop_the_start_clearly() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed();
    let (_, other_key) = self_signed();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let cert_file = write("cert.pem", &cert);
    let key_file = write("key.pem", &key);
    let other_key_file = write("other.pem", &other_key);
    let garbage = write("garbage.pem", "not a certificate\n");
    let missing = dir.path().join("missing.pem").to_str().unwrap().to_string();
    for (cert, key, says) in [
        (&missing, &key_file, "missing.pem: cannot read"),
        (&garbage, &key_file, "garbage.pem: no certificate"),
        (&key_file, &key_file, "key.pem: no certificate"),
        (&cert_file, &garbage, "garbage.pem: no private key"),
        (&cert_file, &cert_file, "cert.pem: no private key"),
        (
            &cert_file,
            &other_key_file,
            "not a usable certificate and key",
        ),
    ] {
        let out = std::process::Command::new(BIN)
            .args(["serve", "--database", &db.url, "--listen", "127.0.0.1:0"])
            .args(["--tls-cert", cert, "--tls-key", key])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{cert} {key}");
        assert!(stderr.contains(says), "{says:?} not in {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"));
    }
    // One of the pair alone is a usage error.
    let out = std::process::Command::new(BIN)
        .args(["serve", "--database", &db.url, "--tls-cert", &cert_file])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}

/// Every error is `{"error", "message"}` JSON whose message names no Rust
/// type or module.
#[test]
fn every_error_is_plain_json() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "checker");
    let server = Server::start(&db, &["--max-body-bytes", "4096"]);
    let raw = server.raw();
    let url = |path: &str| format!("{}{path}", server.base);
    let json_post = |path: &str, body: &str| {
        raw.post(url(path))
            .header("content-type", "application/json")
            .bearer_auth(&key)
            .body(body.to_string())
    };
    let requests = vec![
        ("body a number", json_post("/v1/cases", "5"), 400),
        ("body a list", json_post("/v1/cases", "[]"), 400),
        (
            "hashes a string",
            json_post("/v1/cases", r#"{"hashes": "x"}"#),
            400,
        ),
        (
            "kind a number",
            json_post("/v1/cases", r#"{"hashes": [{"kind": 3, "value": "00"}]}"#),
            400,
        ),
        (
            "quality out of range",
            json_post(
                "/v1/cases",
                r#"{"hashes": [{"kind": "pdq", "value": "00", "quality": 300}]}"#,
            ),
            400,
        ),
        (
            "unknown kind",
            json_post(
                "/v1/cases",
                r#"{"hashes": [{"kind": "crc32", "value": "00"}]}"#,
            ),
            400,
        ),
        ("broken JSON", json_post("/v1/cases", "{\"hashes\": ["), 400),
        (
            "radius text",
            json_post("/v1/match", r#"{"hashes": [], "radius": "x"}"#),
            400,
        ),
        (
            "report id not a number",
            json_post("/v1/reports/abc/outcome", r#"{"outcome": "removed"}"#),
            400,
        ),
        (
            "report id too large",
            json_post(
                "/v1/reports/99999999999999999999999/outcome",
                r#"{"outcome": "removed"}"#,
            ),
            400,
        ),
        (
            "cursor not a number",
            raw.get(url("/v1/feed?after=abc")).bearer_auth(&key),
            400,
        ),
        (
            "cursor too large",
            raw.get(url("/v1/feed?after=99999999999999999999999"))
                .bearer_auth(&key),
            400,
        ),
        (
            "no content type",
            raw.post(url("/v1/cases")).body("{}"),
            415,
        ),
        (
            "too large",
            json_post(
                "/v1/cases",
                &format!("{{\"x\": \"{}\"}}", "a".repeat(10_000)),
            ),
            413,
        ),
        ("no route", raw.get(url("/v1/nothing")), 404),
        ("no route outside /v1", raw.get(url("/nothing")), 404),
        ("wrong method", raw.delete(url("/v1/cases")), 405),
        ("wrong method on health", raw.post(url("/healthz")), 405),
        ("no key", raw.get(url("/v1/feed")), 401),
    ];
    for (what, request, status) in requests {
        let response = request.send().unwrap();
        assert_eq!(response.status().as_u16(), status, "{what}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("application/json"),
            "{what}: {content_type}"
        );
        let body: Value = response.json().unwrap();
        let code = body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: {body}"));
        assert!(!code.is_empty(), "{what}");
        let message = body["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: {body}"));
        for rust in [
            "::",
            "struct ",
            "enum ",
            "u8",
            "u16",
            "u32",
            "u64",
            "i64",
            "usize",
            "variant",
            "Rejection",
            "Failed to",
        ] {
            assert!(
                !message.contains(rust),
                "{what}: {message:?} names {rust:?}"
            );
        }
    }
}

/// Requests hyper cannot parse (before the app sees them) are answered
/// with their status and a JSON body too, and the connection closed.
#[test]
fn unparsable_requests_get_json_errors() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &[]);
    let big_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(800_000)
    );
    let cases = [
        ("garbage", "GARBAGE\r\n\r\n".to_string(), 400, "bad_request"),
        (
            "a space in a header name",
            "GET /healthz HTTP/1.1\r\nHo st: x\r\n\r\n".to_string(),
            400,
            "bad_request",
        ),
        ("headers too large", big_header, 431, "headers_too_large"),
    ];
    for (what, request, status, code) in cases {
        let mut stream = connect(&server);
        // The server may answer (and close) before it has read it all.
        let _ = stream.write_all(request.as_bytes());
        let (got, head, body) = read_answer(&mut stream);
        assert_eq!(got, status, "{what}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{what}: {head}"
        );
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"], code, "{what}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The server still answers well-formed requests.
    let mut stream = connect(&server);
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut stream).0, 200);
}
