//! A case is acknowledged only once committed: SIGKILL the server during a
//! burst of case creations, restart it, and every acknowledged case is there.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

/// Threads filing cases at once.
const WRITERS: usize = 4;
/// Acknowledged cases after which the server is killed.
const KILL_AFTER: usize = 40;

#[test]
fn sigkill_during_a_burst_loses_no_acknowledged_case_sqlite() {
    sigkill_during_a_burst(&TestDb::sqlite());
}

#[test]
fn sigkill_during_a_burst_loses_no_acknowledged_case_postgres() {
    sigkill_during_a_burst(&TestDb::postgres());
}

fn sigkill_during_a_burst(db: &TestDb) {
    let mut server = Server::start(db, &[]);
    let base = server.base.clone();
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let acknowledged = acknowledged.clone();
            let failed = failed.clone();
            let base = base.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(60) {
                    let hashes: Vec<_> = (0..5).map(|_| pdq(&random_hex(64))).collect();
                    let answer = client
                        .post(format!("{base}/v1/cases"))
                        .json(&json!({ "hashes": hashes }))
                        .send();
                    match answer {
                        Ok(r) if r.status() == 201 => {
                            let body: serde_json::Value = r.json().unwrap();
                            acknowledged.lock().unwrap().push((
                                body["case_number"].as_str().unwrap().into(),
                                body["pin"].as_str().unwrap().into(),
                            ));
                        }
                        // The server is gone: stop.
                        _ => {
                            *failed.lock().unwrap() += 1;
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < KILL_AFTER
        && started.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= KILL_AFTER,
        "only {} cases acknowledged",
        acknowledged.len()
    );
    assert_eq!(
        *failed.lock().unwrap(),
        WRITERS,
        "every writer saw the server die"
    );

    let server = Server::start(db, &[]);
    for (number, pin) in &acknowledged {
        let answer = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
        assert_eq!(
            answer.status, 200,
            "acknowledged case {number} lost: {:?}",
            answer.body
        );
        assert_eq!(answer.body["hashes"].as_array().unwrap().len(), 5);
    }
}
