//! `hashbank sync` through the real binaries: a first copy, resuming from
//! the cursor, deletions, damaged files, and a bank that refuses the key
//! or is not a bank.

mod scan_support;
#[allow(dead_code)]
#[path = "serve/support.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use scan_support::*;
use serde_json::json;
use support::{add_platform, hashbank as operator, pdq, random_hex, Auth, Server, TestDb};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `N feed entries` figure of a sync's summary.
fn entries_fetched(out: &std::process::Output) -> u64 {
    let text = stdout(out);
    let before = text
        .split(" feed entries")
        .next()
        .unwrap_or_else(|| panic!("{text}"));
    before
        .rsplit(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text}"))
}

fn open(path: &Path) -> hashbank_scan::LocalBank {
    hashbank_scan::LocalBank::open(path).unwrap()
}

#[test]
fn a_second_sync_fetches_only_what_changed() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "syncer");
    let server = Server::start(&db, &[]);
    let dir = tempfile::tempdir().unwrap();
    let key_path = key_file(dir.path(), &key);
    let out = dir.path().join("bank.hbl");
    let hashes: Vec<_> = (0..7).map(|_| pdq(&random_hex(64))).collect();
    let (number, pin, _) = server.create_case(json!(hashes), false);
    server.create_case(json!([{"kind": "md5", "value": random_hex(32)}]), true);

    // Pages of three: 8 entries in 3 requests.
    let first = sync(&server.base, &key_path, &out, &["--page-size", "3"]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        stdout(&first).contains("8 added, 0 deleted"),
        "{}",
        text(&first)
    );
    assert!(
        stdout(&first).contains("8 hashes (7 pdq, 1 md5, 0 sha256, 0 videos)"),
        "{}",
        text(&first)
    );
    assert!(stdout(&first).contains("in 3 requests"), "{}", text(&first));
    let copy = open(&out);
    assert_eq!((copy.len(), copy.source()), (8, server.base.as_str()));

    // Nothing changed: nothing fetched, the file untouched.
    let before = std::fs::read(&out).unwrap();
    let second = sync(&server.base, &key_path, &out, &[]);
    assert_eq!(entries_fetched(&second), 0, "{}", text(&second));
    assert_eq!(std::fs::read(&out).unwrap(), before);

    // One more case, with an extra hash of a part of the picture: only its
    // hashes are fetched, each with its label.
    let extra = json!({"kind": "pdq", "value": random_hex(64), "quality": 90,
                       "role": "extra", "label": "crop90"});
    let (_, _, created) = server.create_case(json!([pdq(&random_hex(64)), extra]), false);
    let third = sync(&server.base, &key_path, &out, &[]);
    assert_eq!(entries_fetched(&third), 2, "{}", text(&third));
    assert!(
        stdout(&third).contains("2 added, 0 deleted"),
        "{}",
        text(&third)
    );
    let copy = open(&out);
    assert_eq!(copy.len(), 10);
    let labels: Vec<_> = created["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| copy.meta(h["hash_id"].as_u64().unwrap()).unwrap())
        .map(|m| (m.role.as_str(), m.label.map(|l| l.as_str())))
        .collect();
    assert_eq!(
        labels,
        vec![("plain", Some("pdq")), ("extra", Some("crop90"))]
    );

    // A withdrawal: seven deletions.
    let withdrawn = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 200);
    let fourth = sync(&server.base, &key_path, &out, &[]);
    assert_eq!(entries_fetched(&fourth), 7, "{}", text(&fourth));
    assert!(
        stdout(&fourth).contains("0 added, 7 deleted"),
        "{}",
        text(&fourth)
    );
    let copy = open(&out);
    assert_eq!(copy.per_kind(), [2, 1, 0, 0]);

    // A fresh copy agrees with the one kept up to date.
    let fresh = dir.path().join("fresh.hbl");
    assert!(sync(&server.base, &key_path, &fresh, &[]).status.success());
    let fresh = open(&fresh);
    assert_eq!(
        (fresh.per_kind(), fresh.cursor()),
        (copy.per_kind(), copy.cursor())
    );

    // The key shows nowhere.
    for run in [&first, &second, &third, &fourth] {
        assert!(!text(run).contains(&key));
    }
}

#[test]
fn damaged_files_are_refused_and_rebuild_starts_over() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "rebuilder");
    let server = Server::start(&db, &[]);
    server.create_case(json!([pdq(&random_hex(64)), pdq(&random_hex(64))]), false);
    let dir = tempfile::tempdir().unwrap();
    let key_path = key_file(dir.path(), &key);
    let out = dir.path().join("bank.hbl");
    assert!(sync(&server.base, &key_path, &out, &[]).status.success());
    let good = std::fs::read(&out).unwrap();

    // Truncated (a copy cut short) and altered bytes: refused, the file kept.
    for damaged in [good[..good.len() / 2].to_vec(), {
        let mut bad = good.clone();
        let at = bad.len() - 100;
        bad[at] ^= 0x40;
        bad
    }] {
        std::fs::write(&out, &damaged).unwrap();
        let refused = sync(&server.base, &key_path, &out, &[]);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
        assert!(stderr(&refused).contains("bank.hbl"), "{}", text(&refused));
        assert!(stderr(&refused).contains("--rebuild"), "{}", text(&refused));
        assert_eq!(std::fs::read(&out).unwrap(), damaged);
    }
    let rebuilt = sync(&server.base, &key_path, &out, &["--rebuild"]);
    assert!(rebuilt.status.success(), "{}", text(&rebuilt));
    assert!(stdout(&rebuilt).contains("2 added"), "{}", text(&rebuilt));
    assert_eq!(open(&out).len(), 2);

    // A file of another bank is not mixed in.
    let other = sync(
        &server.base.replace("127.0.0.1", "localhost"),
        &key_path,
        &out,
        &[],
    );
    assert_eq!(other.status.code(), Some(2), "{}", text(&other));
    assert!(
        stderr(&other).contains("holds a copy of the bank at"),
        "{}",
        text(&other)
    );

    // A failed run (the bank gone) leaves the file as it was, and nothing beside it.
    let before = std::fs::read(&out).unwrap();
    let url = server.base.clone();
    drop(server);
    let failed = sync(&url, &key_path, &out, &[]);
    assert_eq!(failed.status.code(), Some(2), "{}", text(&failed));
    assert!(
        stderr(&failed).contains("cannot reach the bank"),
        "{}",
        text(&failed)
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn refused_keys_and_other_servers_say_so() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "revoked-platform");
    let server = Server::start(&db, &["--key-cache-ms", "0"]);
    let dir = tempfile::tempdir().unwrap();
    let key_path = key_file(dir.path(), &key);
    let out = dir.path().join("bank.hbl");
    let revoked = operator(&db, &["platform", "revoke", "revoked-platform"]);
    assert!(revoked.status.success());
    let refused = sync(&server.base, &key_path, &out, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        stderr(&refused).contains("refused the key: revoked or wrong"),
        "{}",
        text(&refused)
    );
    assert!(!text(&refused).contains(&key));
    assert!(!out.exists());

    // A web server that is not a bank.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = "<html>a blog</html>";
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let blog = sync(&format!("http://{addr}"), &key_path, &out, &[]);
    assert_eq!(blog.status.code(), Some(2), "{}", text(&blog));
    assert!(
        stderr(&blog).contains("does not look like a hashbank server"),
        "{}",
        text(&blog)
    );

    // A key file others can read is used, with a warning.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let other_key = add_platform(&db, "open-key");
        let open_key = key_file(dir.path(), &other_key);
        std::fs::set_permissions(&open_key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warned = sync(&server.base, &open_key, &out, &[]);
        assert!(warned.status.success(), "{}", text(&warned));
        assert!(stderr(&warned).contains("chmod 600"), "{}", text(&warned));
        assert!(!text(&warned).contains(&other_key));
    }
}

#[test]
fn the_key_never_goes_over_plain_http_to_another_host() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "careful");
    let server = Server::start(&db, &[]);
    server.create_case(json!([pdq(&random_hex(64))]), false);
    let dir = tempfile::tempdir().unwrap();
    let key_path = key_file(dir.path(), &key);
    let out = dir.path().join("bank.hbl");
    let port = server.base.rsplit(':').next().unwrap().to_string();
    // 0.0.0.0 reaches this machine's server too, but it is not a loopback
    // address: it stands for a host across the network.
    let remote = format!("http://0.0.0.0:{port}");
    let refusal = "refusing to send the platform key over plain http:// to another host";
    for url in [
        remote.as_str(),
        "http://bank.example.org",
        "http://[::2]:8080",
    ] {
        let refused = sync(url, &key_path, &out, &[]);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
        assert!(stderr(&refused).contains(refusal), "{}", text(&refused));
        assert!(stderr(&refused).contains("--insecure-http"));
        assert!(!out.exists());
    }
    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    let images = images.to_str().unwrap();
    let key_arg = key_path.to_str().unwrap();
    let scanned = scan(&[images, "--bank", &remote, "--key-file", key_arg]);
    assert_eq!(scanned.code, 2, "{}", scanned.stderr);
    assert!(scanned.stderr.contains(refusal), "{}", scanned.stderr);
    let scanned = scan(&[
        images,
        "--bank",
        &server.base,
        "--key-file",
        key_arg,
        "--report-to",
        &remote,
    ]);
    assert_eq!(scanned.code, 2, "{}", scanned.stderr);
    assert!(scanned.stderr.contains(refusal), "{}", scanned.stderr);

    // --insecure-http sends it all the same, with a warning.
    let allowed = sync(&remote, &key_path, &out, &["--insecure-http"]);
    assert!(allowed.status.success(), "{}", text(&allowed));
    assert!(
        stderr(&allowed).contains("warning: sending the platform key"),
        "{}",
        text(&allowed)
    );
    let scanned = scan(&[
        images,
        "--bank",
        &remote,
        "--key-file",
        key_arg,
        "--insecure-http",
    ]);
    assert_eq!(scanned.code, 0, "{}", scanned.stderr);
    assert!(scanned.stderr.contains("warning: sending the platform key"));

    // This machine by name or loopback address needs no flag and gets no
    // warning.
    for (n, url) in [
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
    ]
    .iter()
    .enumerate()
    {
        let fine = sync(url, &key_path, &dir.path().join(format!("{n}.hbl")), &[]);
        assert!(fine.status.success(), "{}", text(&fine));
        assert!(!stderr(&fine).contains("warning"), "{}", text(&fine));
    }
}
