//! A flood of strangers at the default argon2 cost and the default limits:
//! 300 wrong platform keys and 300 PIN guesses at once, each from its own
//! address (through a trusted proxy, so that only the global limits and the
//! argon2 pool hold them). Every request is answered, some with 429 or 503
//! and Retry-After, and the server stays under 512 MB resident during and
//! after.

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;

use crate::support::*;

/// The resident memory ceiling at default settings.
const CEILING_KB: u64 = 512 * 1024;
/// Concurrent strangers of each kind.
const STRANGERS: usize = 300;

fn resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[test]
fn strangers_at_once_stay_under_the_memory_ceiling() {
    let db = TestDb::sqlite();
    // The platform's key at the default argon2 cost, as in production.
    let out = Command::new(BIN)
        .args([
            "platform",
            "add",
            "photos",
            "--create",
            "--database",
            &db.url,
        ])
        .env_remove("HASHBANK_ARGON2_MEMORY_KIB")
        .env_remove("HASHBANK_ARGON2_ITERATIONS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();
    let server = Server::start_with(
        &db,
        &[
            "--trusted-proxy",
            "127.0.0.1",
            // The defaults, given here because the tests' support loosens them.
            "--key-tries-per-minute",
            "10",
            "--key-tries-per-minute-global",
            "600",
            "--pin-tries-per-minute",
            "10",
            "--pin-tries-per-minute-global",
            "600",
            "--filings-per-minute",
            "5",
            "--filings-per-minute-global",
            "300",
        ],
        false,
    );
    let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), false);
    let wrong_pin = (if pin.starts_with('0') { "1" } else { "0" }).to_string() + &pin[1..];
    let key_id_part = &key[..key.len() - 32];

    let pid = server.pid();
    let before = resident_kb(pid);
    let done = AtomicBool::new(false);
    let peak = AtomicU64::new(before);
    let answers = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(resident_kb(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let mut requests = Vec::new();
        for i in 0..STRANGERS {
            let from = format!("10.1.{}.{}", i / 200, i % 200 + 1);
            // The real key id with a secret of its own: each costs argon2
            // unless a limit or the pool refuses it.
            let wrong_key = format!("{key_id_part}{i:032}");
            let server = &server;
            requests.push(scope.spawn(move || {
                server.try_send_from(Some(&from), "GET", "/v1/feed", &Auth::Key(wrong_key), None)
            }));
        }
        for i in 0..STRANGERS {
            let from = format!("10.2.{}.{}", i / 200, i % 200 + 1);
            let path = format!("/v1/cases/{number}");
            let guess = Auth::Pin(wrong_pin.clone());
            let server = &server;
            requests.push(
                scope.spawn(move || server.try_send_from(Some(&from), "GET", &path, &guess, None)),
            );
        }
        let answers: Vec<_> = requests.into_iter().map(|r| r.join().unwrap()).collect();
        done.store(true, Ordering::Relaxed);
        answers
    });

    let mut refused = 0;
    for answer in answers {
        let answer = answer.expect("every request is answered");
        match answer.status {
            401 => {}
            429 | 503 => {
                refused += 1;
                let wait: u64 = answer.headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(wait >= 1);
                assert!(answer.body["error"].is_string(), "{:?}", answer.body);
            }
            other => panic!("status {other}: {:?}", answer.body),
        }
    }
    assert!(refused > 0, "nothing was refused");
    std::thread::sleep(Duration::from_secs(1));
    let after = resident_kb(pid);
    let peak = peak.load(Ordering::Relaxed).max(after);
    eprintln!("resident: before {before} kB, peak {peak} kB, after {after} kB; {refused} refused");
    assert!(peak < CEILING_KB, "peak {peak} kB");
    assert!(after < CEILING_KB, "after {after} kB");
    // The server still answers.
    assert_eq!(server.get("/healthz", &Auth::None).status, 200);
}
