//! Single-threaded hashing speed for `bench/hash`: reads image files named
//! on the command line and prints one JSON object with seconds per image
//! for each pipeline, end to end (read, decode, hash) and core only (hash of
//! already decoded pixels), over `--rounds` rounds (median round reported).
//!
//! `cargo run --release -p hashbank-media --example bench_hash -- --rounds 3 [--only fast] FILE...`

use std::time::Instant;

use media::{decode, Limits, Pipeline};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 3;
    if args.first().map(String::as_str) == Some("--rounds") {
        rounds = args[1].parse().expect("--rounds N");
        args.drain(..2);
    }
    // `--only fast|canonical` times one pipeline (for profiling).
    let mut only = None;
    if args.first().map(String::as_str) == Some("--only") {
        only = Some(args[1].clone());
        args.drain(..2);
    }
    let limits = Limits::default();
    let mut report = Vec::new();
    for (name, pipeline) in [("canonical", Pipeline::Canonical), ("fast", Pipeline::Fast)] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let mut end_to_end = Vec::new();
        let mut core = Vec::new();
        for _ in 0..rounds {
            let start = Instant::now();
            let mut decoded = Vec::new();
            for path in &args {
                let bytes = std::fs::read(path).expect("read");
                let d = decode(&bytes, &limits, pipeline).expect("decode");
                std::hint::black_box(pdq::hash(&d.as_image()));
                decoded.push(d);
            }
            end_to_end.push(start.elapsed().as_secs_f64() / args.len() as f64);
            let start = Instant::now();
            for d in &decoded {
                std::hint::black_box(pdq::hash(&d.as_image()));
            }
            core.push(start.elapsed().as_secs_f64() / args.len() as f64);
        }
        report.push(format!(
            "\"{name}\": {{\"end_to_end_s\": {:.6}, \"core_s\": {:.6}}}",
            median(end_to_end),
            median(core)
        ));
    }
    if only.is_some() {
        println!("{{{}}}", report.join(", "));
        return;
    }
    // The core alone on a 512x512 RGB buffer.
    let pixels: Vec<u8> = (0..512 * 512 * 3)
        .map(|i: usize| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let image = pdq::Image::rgb(512, 512, &pixels).expect("512x512");
    let reps = 200;
    let mut per = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(pdq::hash(&image));
        }
        per.push(start.elapsed().as_secs_f64() / f64::from(reps));
    }
    report.push(format!("\"core_512_s\": {:.7}", median(per)));
    println!("{{{}}}", report.join(", "));
}
