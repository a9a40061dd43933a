//! hashbank's side of `bench/index/run`: makes the data sets and the brute-force
//! truth, then measures the index (build, queries/s, recall, memory, open).
//!
//! ```text
//! bench gen  --n N --data uniform|clustered --queries Q --out DIR
//! bench run  --dir DIR [--radius 31] [--seconds 3]
//! bench open --dir DIR [--radius 31]
//! ```
//!
//! Files in DIR: `base.bin` (N hashes, 32 bytes each, big-endian as
//! `unhexlify(hex)`, the order faiss reads), `queries.bin` (the same for Q
//! queries), `truth.txt` (`query base distance` per pair within the radius,
//! by brute force), `hashbank.hbi` (the saved index). Ids are the base positions.
//! `run` and `open` print one JSON line each.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hashbank_index::{HammingIndex, Hash256};
use rayon::prelude::*;

/// PDQ's match threshold, the radius the benchmark measures.
const DEFAULT_RADIUS: u32 = 31;
/// Near-duplicate queries have 0 to this many bits flipped.
const MAX_QUERY_FLIPS: u64 = 31;
/// Clustered data: clusters of 1 to this many hashes...
const MAX_CLUSTER: u64 = 16;
/// ...each 0 to this many bits from the cluster's centre.
const MAX_CLUSTER_FLIPS: u64 = 8;
/// Bytes per page of resident memory in /proc/self/statm.
const PAGE: u64 = 4096;
/// Clock ticks per second in /proc/self/stat (USER_HZ).
const CLOCK_TICKS: f64 = 100.0;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn hash(&mut self) -> Hash256 {
        Hash256([self.next(), self.next(), self.next(), self.next()])
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn flip(&mut self, hash: Hash256, bits: u64) -> Hash256 {
        let mut out = hash;
        while u64::from(out.distance(&hash)) < bits {
            let p = self.below(256) as usize;
            out.0[p / 64] ^= 1 << (p % 64);
        }
        out
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        arg(&args, "--dir")
            .or_else(|| arg(&args, "--out"))
            .expect("--dir"),
    );
    let radius = arg(&args, "--radius").map_or(DEFAULT_RADIUS, |r| r.parse().expect("radius"));
    match args.first().map(String::as_str) {
        Some("gen") => {
            let n: usize = arg(&args, "--n").expect("--n").parse().expect("n");
            let q: usize = arg(&args, "--queries")
                .expect("--queries")
                .parse()
                .expect("q");
            let data = arg(&args, "--data").expect("--data");
            generate(&dir, n, q, &data, radius);
        }
        Some("run") => {
            let seconds: f64 = arg(&args, "--seconds").map_or(3.0, |s| s.parse().expect("seconds"));
            let engine = arg(&args, "--engine").unwrap_or_else(|| "hashbank".into());
            run(&dir, radius, seconds, &engine);
        }
        Some("open") => open(&dir, radius),
        _ => panic!("usage: bench gen|run|open ..."),
    }
}

fn write_hashes(path: &Path, hashes: &[Hash256]) {
    let mut bytes = Vec::with_capacity(hashes.len() * 32);
    for h in hashes {
        bytes.extend_from_slice(&h.to_bytes());
    }
    fs::write(path, bytes).expect("write hashes");
}

fn read_hashes(path: &Path) -> Vec<Hash256> {
    fs::read(path)
        .expect("read hashes")
        .chunks_exact(32)
        .map(|c| Hash256::from_bytes(c.try_into().expect("32 bytes")))
        .collect()
}

fn generate(dir: &Path, n: usize, q: usize, data: &str, radius: u32) {
    fs::create_dir_all(dir).expect("dir");
    let mut rng = Rng(match data {
        "uniform" => 1,
        "clustered" => 2,
        other => panic!("unknown data {other}"),
    });
    let mut base = Vec::with_capacity(n);
    while base.len() < n {
        let centre = rng.hash();
        if data == "uniform" {
            base.push(centre);
            continue;
        }
        let size = 1 + rng.below(MAX_CLUSTER);
        for _ in 0..size.min((n - base.len()) as u64) {
            let bits = rng.below(MAX_CLUSTER_FLIPS + 1);
            base.push(rng.flip(centre, bits));
        }
    }
    let mut queries = Vec::with_capacity(q);
    for i in 0..q {
        if i % 2 == 0 {
            let stored = base[rng.below(n as u64) as usize];
            let bits = rng.below(MAX_QUERY_FLIPS + 1);
            queries.push(rng.flip(stored, bits));
        } else {
            queries.push(rng.hash());
        }
    }
    write_hashes(&dir.join("base.bin"), &base);
    write_hashes(&dir.join("queries.bin"), &queries);
    // Brute force, independent of the index: every pair within the radius.
    let truth: Vec<Vec<(usize, u32)>> = queries
        .par_iter()
        .map(|query| {
            base.iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let d = h.distance(query);
                    (d <= radius).then_some((i, d))
                })
                .collect()
        })
        .collect();
    let mut out = std::io::BufWriter::new(fs::File::create(dir.join("truth.txt")).expect("truth"));
    for (qi, pairs) in truth.iter().enumerate() {
        for (i, d) in pairs {
            writeln!(out, "{qi} {i} {d}").expect("write truth");
        }
    }
}

fn read_truth(dir: &Path) -> HashSet<(usize, u64)> {
    fs::read_to_string(dir.join("truth.txt"))
        .expect("truth")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().expect("q"), f[1].parse().expect("i"))
        })
        .collect()
}

/// CPU seconds (user and system) this process has used so far.
fn cpu_seconds() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").expect("stat");
    // Fields after the command name (which is in parentheses): utime is the
    // 14th field of the line, stime the 15th, in clock ticks.
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / CLOCK_TICKS
}

fn resident_bytes() -> u64 {
    let statm = fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: u64 = statm
        .split(' ')
        .nth(1)
        .expect("rss")
        .parse()
        .expect("pages");
    pages * PAGE
}

/// Recall against the truth; panics on any pair that is not in it (a wrong answer).
fn recall(found: &[Vec<hashbank_index::Match>], truth: &HashSet<(usize, u64)>) -> f64 {
    let mut hits = 0usize;
    for (qi, matches) in found.iter().enumerate() {
        for m in matches {
            assert!(
                truth.contains(&(qi, m.id)),
                "false match: query {qi}, id {}",
                m.id
            );
            hits += 1;
        }
    }
    if truth.is_empty() {
        1.0
    } else {
        hits as f64 / truth.len() as f64
    }
}

/// Queries per second on one thread, running the set again until `seconds` passed.
fn queries_per_second(index: &HammingIndex, queries: &[Hash256], radius: u32, seconds: f64) -> f64 {
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < Duration::from_secs_f64(seconds) || done == 0 {
        for q in queries {
            std::hint::black_box(index.search(q, radius));
        }
        done += queries.len();
    }
    done as f64 / start.elapsed().as_secs_f64()
}

fn run(dir: &Path, radius: u32, seconds: f64, engine: &str) {
    let base = read_hashes(&dir.join("base.bin"));
    let queries = read_hashes(&dir.join("queries.bin"));
    let truth = read_truth(dir);
    let n = base.len();
    let before = resident_bytes();
    let start = Instant::now();
    let index = HammingIndex::build(base.iter().enumerate().map(|(i, &h)| (i as u64, h)));
    let build = start.elapsed().as_secs_f64();
    let memory = resident_bytes().saturating_sub(before);
    let found: Vec<_> = queries.iter().map(|q| index.search(q, radius)).collect();
    let recall = recall(&found, &truth);
    let qps = queries_per_second(&index, &queries, radius, seconds);
    let path = dir.join(format!("{engine}.hbi"));
    let start = Instant::now();
    index.save(&path).expect("save");
    let save = start.elapsed().as_secs_f64();
    let file_bytes = fs::metadata(&path).expect("saved").len();
    println!(
        "{{\"engine\":\"{engine}\",\"n\":{n},\"build_s\":{build:.3},\"qps\":{qps:.1},\"recall\":{recall:.6},\
         \"bytes_per_hash\":{:.2},\"save_s\":{save:.3},\"file_bytes_per_hash\":{:.2}}}",
        memory as f64 / n as f64,
        file_bytes as f64 / n as f64
    );
}

fn open(dir: &Path, radius: u32) {
    let queries = read_hashes(&dir.join("queries.bin"));
    let truth = read_truth(dir);
    let before = resident_bytes();
    let cpu = cpu_seconds();
    let start = Instant::now();
    let index = HammingIndex::open(dir.join("hashbank.hbi")).expect("open");
    let open = start.elapsed().as_secs_f64();
    let open_cpu = cpu_seconds() - cpu;
    let memory = resident_bytes().saturating_sub(before);
    let n = index.len();
    let found: Vec<_> = queries.iter().map(|q| index.search(q, radius)).collect();
    let recall = recall(&found, &truth);
    println!(
        "{{\"engine\":\"hashbank-opened\",\"n\":{n},\"open_s\":{open:.3},\"open_cpu_s\":{open_cpu:.2},\"recall\":{recall:.6},\"bytes_per_hash\":{:.2}}}",
        memory as f64 / n as f64
    );
}
