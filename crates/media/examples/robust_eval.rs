//! `bench/robustness`: how many altered copies each matching method finds,
//! and at what risk.
//!
//! Reads a set laid out as `DATA_DIR/images/<id>.<ext>` (originals),
//! `DATA_DIR/variants/<file>` (altered copies) and `DATA_DIR/manifest.csv`
//! (`variant_file,original_id,transform`). Indexes the originals, queries
//! every copy and prints, per transform, recall (the copy matches its own
//! original) and false matches (it matches another original) for three
//! methods:
//!
//! * **plain**: the plain PDQ hash of the copy against the plain hashes of
//!   the originals, at distance 31;
//! * **dihedral**: the copy's 8 dihedral hashes against the plain hashes,
//!   at 31;
//! * **hashbank**: `media::robust` as shipped: `query_hashes` against
//!   `bank_hashes` of every original in one bank, decided per stored hash by
//!   `decide_stored` (the bank, its feed and a local copy of it do not know
//!   which stored hashes come from one image); a copy matches the originals
//!   whose stored hashes it matches, and every other original it matches is
//!   a false match;
//! * **grouped** (one extra column): the same candidates decided by
//!   `decide`, which groups stored hashes by image, as only the victim's
//!   side could.
//!
//! For each method it gives the distances of the non-matching pairs (a copy
//! against an original it is not a copy of) over every comparison the
//! method makes: the minimum and the 0.1th percentile. Then the cost (hashing
//! time per image, single thread, and hashes per image) and one summary line
//! against the goals; exits 1 when a goal is missed. Hashes of quality under
//! 50 are neither indexed nor looked up, for every method. An original whose
//! plain hash is under 50 cannot be filed at all (the bank and the page
//! refuse it), so recall is given twice: over all copies, and over the copies
//! of the originals that can be filed; the recall goals are judged on the
//! second, and the originals that cannot be filed are named.
//!
//! `cargo run --release -p hashbank-media --example robust_eval -- DATA_DIR`

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use media::robust::{self, BankHash, BankLabel, Candidate, QueryHash, QueryLabel};
use media::{decode, Decoded, Limits, Pipeline};
use pdq::{Hash256, MATCH_DISTANCE, QUALITY_THRESHOLD};

/// Recall every transform but the excluded one must reach.
const GOAL_RECALL_EACH: f64 = 0.95;
/// The transform exempt from [`GOAL_RECALL_EACH`].
const GOAL_EXEMPT: &str = "rot_5";
/// Recall averaged over all transforms.
const GOAL_RECALL_MEAN: f64 = 0.90;

/// Distances 0..=256 counted.
#[derive(Clone)]
struct Histogram([u64; 257]);

impl Histogram {
    fn new() -> Histogram {
        Histogram([0; 257])
    }
    fn add(&mut self, d: u32) {
        self.0[d as usize] += 1;
    }
    fn total(&self) -> u64 {
        self.0.iter().sum()
    }
    /// The smallest distance `d` with more than `fraction` of the counts at
    /// or below it (the order statistic of rank `floor(fraction * n)`).
    fn quantile(&self, fraction: f64) -> Option<u32> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let rank = (fraction * n as f64).floor() as u64;
        let mut seen = 0;
        for (d, &c) in self.0.iter().enumerate() {
            seen += c;
            if seen > rank {
                return Some(d as u32);
            }
        }
        None
    }
}

struct Original {
    id: String,
    bank: Vec<BankHash>,
}

struct Query {
    file: String,
    original: usize,
    transform: String,
    hashes: Vec<QueryHash>,
    dihedral: Option<[Hash256; 8]>,
}

fn load(path: &Path) -> Result<Decoded, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    decode(&bytes, &Limits::default(), Pipeline::Canonical)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn usable(quality: u8) -> bool {
    quality >= QUALITY_THRESHOLD
}

#[derive(Default)]
struct Tally {
    found: usize,
    false_matches: usize,
    /// Copies found whose original can be filed.
    found_fileable: usize,
}

/// The group a query label belongs to in the per-pair report.
fn query_group(l: QueryLabel) -> String {
    match l {
        QueryLabel::Dihedral(_) => "dihedral".into(),
        other => other.as_str().into(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: robust_eval DATA_DIR [--misses]");
        return ExitCode::from(2);
    };
    let misses = args.iter().any(|a| a == "--misses");
    match run(&dir, misses) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("robust_eval: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &Path, misses: bool) -> Result<bool, String> {
    let manifest = std::fs::read_to_string(dir.join("manifest.csv"))
        .map_err(|e| format!("{}: {e}", dir.join("manifest.csv").display()))?;
    let mut rows = Vec::new();
    for line in manifest.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.trim().split(',').collect();
        if cols.len() < 3 {
            return Err(format!("manifest line {line:?}: expected 3 columns"));
        }
        rows.push((cols[0].to_owned(), cols[1].to_owned(), cols[2].to_owned()));
    }
    // Originals by id (file stem), in sorted order.
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    let entries = std::fs::read_dir(dir.join("images")).map_err(|e| format!("images/: {e}"))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            files.insert(stem.to_owned(), path.clone());
        }
    }

    // Bank side: every original, timed against the plain hash alone.
    let mut originals = Vec::new();
    let (mut t_bank, mut t_bank_plain) = (0f64, 0f64);
    for (id, path) in &files {
        let image = load(path)?;
        let start = Instant::now();
        std::hint::black_box(pdq::hash(&image.as_image()));
        t_bank_plain += start.elapsed().as_secs_f64();
        let start = Instant::now();
        let bank = robust::bank_hashes(&image);
        t_bank += start.elapsed().as_secs_f64();
        originals.push(Original {
            id: id.clone(),
            bank,
        });
    }
    let index: HashMap<&str, usize> = originals
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.as_str(), i))
        .collect();

    // Query side: every variant.
    let mut queries = Vec::new();
    let (mut t_query, mut t_query_plain) = (0f64, 0f64);
    for (file, original, transform) in &rows {
        let Some(&oi) = index.get(original.as_str()) else {
            return Err(format!("{file}: original {original} not in images/"));
        };
        let image = load(&dir.join("variants").join(file))?;
        let start = Instant::now();
        std::hint::black_box(pdq::hash(&image.as_image()));
        t_query_plain += start.elapsed().as_secs_f64();
        let start = Instant::now();
        let hashes = robust::query_hashes(&image);
        t_query += start.elapsed().as_secs_f64();
        let all = pdq::hash_dihedral(&image.as_image());
        queries.push(Query {
            file: file.clone(),
            original: oi,
            transform: transform.clone(),
            hashes,
            dihedral: usable(all.quality).then_some(all.hashes),
        });
    }

    // The three methods.
    let methods = ["plain", "dihedral", "hashbank"];
    const METHODS: usize = 4;
    let mut tallies: BTreeMap<(String, usize), Tally> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    // An original whose plain PDQ hash is under the quality threshold cannot
    // be filed (the bank and the page refuse it), so no method can find its
    // copies; recall is also given over the copies of the others.
    let fileable: Vec<bool> = originals
        .iter()
        .map(|o| o.bank.first().is_some_and(|h| usable(h.quality)))
        .collect();
    let mut counts_fileable: BTreeMap<String, usize> = BTreeMap::new();
    let mut non_match = vec![Histogram::new(); methods.len()];
    let mut per_pair: BTreeMap<(String, String), (Histogram, u32)> = BTreeMap::new();
    let mut second_view = Histogram::new();
    for q in &queries {
        *counts.entry(q.transform.clone()).or_default() += 1;
        *counts_fileable.entry(q.transform.clone()).or_default() +=
            usize::from(fileable[q.original]);
        let plain = q.hashes.first().filter(|h| usable(h.quality));
        let mut matched: [Vec<usize>; METHODS] = Default::default();
        let mut candidates = Vec::new();
        for (oi, o) in originals.iter().enumerate() {
            let bank_plain = o.bank.first().filter(|h| usable(h.quality));
            // (a) plain.
            if let (Some(a), Some(b)) = (plain, bank_plain) {
                let d = a.hash.distance(&b.hash);
                if oi != q.original {
                    non_match[0].add(d);
                }
                if d <= MATCH_DISTANCE {
                    matched[0].push(oi);
                }
            }
            // (b) the 8 dihedral hashes of the copy.
            if let (Some(all), Some(b)) = (&q.dihedral, bank_plain) {
                let mut hit = false;
                for h in all {
                    let d = h.distance(&b.hash);
                    if oi != q.original {
                        non_match[1].add(d);
                    }
                    hit |= d <= MATCH_DISTANCE;
                }
                if hit {
                    matched[1].push(oi);
                }
            }
            // (c) hashbank: every compared pair becomes a candidate.
            let mut closest_per_stored: Vec<u32> = Vec::new();
            for (si, b) in o.bank.iter().enumerate() {
                if !usable(b.quality) {
                    continue;
                }
                let mut closest = u32::MAX;
                for qh in q.hashes.iter().filter(|h| usable(h.quality)) {
                    let Some(r) = robust::radius(qh.label, b.label) else {
                        continue;
                    };
                    let d = qh.hash.distance(&b.hash);
                    closest = closest.min(d);
                    if oi != q.original {
                        non_match[2].add(d);
                        let slot = per_pair
                            .entry((query_group(qh.label), b.label.as_str().to_owned()))
                            .or_insert((Histogram::new(), r));
                        slot.0.add(d);
                    }
                    if d <= robust::SEARCH_RADIUS {
                        candidates.push(Candidate {
                            query: qh.label,
                            image: oi as u64,
                            stored: (oi * 1000 + si) as u64,
                            label: b.label,
                            distance: d,
                        });
                    }
                }
                if closest != u32::MAX {
                    closest_per_stored.push(closest);
                }
            }
            // What a corroborated match needs: the second closest stored hash.
            if oi != q.original && closest_per_stored.len() >= 2 {
                closest_per_stored.sort_unstable();
                second_view.add(closest_per_stored[1]);
            }
        }
        matched[2] = robust::decide_stored(&candidates)
            .iter()
            .map(|m| m.image as usize)
            .collect();
        matched[2].dedup();
        matched[3] = robust::decide(&candidates)
            .iter()
            .map(|m| m.image as usize)
            .collect();
        if misses && !matched[2].contains(&q.original) {
            // The closest compared pair per query label, with its own original.
            let own = &originals[q.original].bank;
            let mut closest: BTreeMap<String, (u32, &str)> = BTreeMap::new();
            for qh in q.hashes.iter().filter(|h| usable(h.quality)) {
                for b in own.iter().filter(|h| usable(h.quality)) {
                    if robust::radius(qh.label, b.label).is_some() {
                        let d = qh.hash.distance(&b.hash);
                        let e = closest
                            .entry(qh.label.as_str().into())
                            .or_insert((d, b.label.as_str()));
                        if d < e.0 {
                            *e = (d, b.label.as_str());
                        }
                    }
                }
            }
            let pairs: Vec<String> = closest
                .iter()
                .map(|(q, (d, b))| format!("{q}-{b} {d}"))
                .collect();
            let qualities = format!(
                "quality copy {} original {}",
                q.hashes[0].quality, own[0].quality
            );
            eprintln!("miss {} ({qualities}): {}", q.file, pairs.join(", "));
        }
        for (mi, found) in matched.iter().enumerate() {
            let t = tallies.entry((q.transform.clone(), mi)).or_default();
            let hit = usize::from(found.contains(&q.original));
            t.found += hit;
            if fileable[q.original] {
                t.found_fileable += hit;
            }
            t.false_matches += found.iter().filter(|&&o| o != q.original).count();
        }
    }

    // Per transform. Recall over all copies, and over the copies of the
    // originals that can be filed (the goals are judged on the latter: a
    // picture the bank refuses is not a matching miss).
    let unfileable: Vec<&str> = originals
        .iter()
        .zip(&fileable)
        .filter(|(_, &f)| !f)
        .map(|(o, _)| o.id.as_str())
        .collect();
    println!(
        "| transform | copies | recall plain | recall dihedral | recall hashbank | recall grouped | false plain | false dihedral | false hashbank | false grouped | copies of fileable originals | recall plain, fileable | recall hashbank, fileable |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut mean = [0f64; METHODS];
    let mut mean_fileable = [0f64; METHODS];
    let mut false_total = [0usize; METHODS];
    let mut worst: Option<(f64, String)> = None;
    for (transform, &n) in &counts {
        let nf = counts_fileable[transform];
        let mut recall = [0f64; METHODS];
        let mut recall_fileable = [0f64; METHODS];
        let mut falses = [0usize; METHODS];
        for mi in 0..METHODS {
            let t = &tallies[&(transform.clone(), mi)];
            recall[mi] = t.found as f64 / n as f64;
            recall_fileable[mi] = if nf == 0 {
                0.0
            } else {
                t.found_fileable as f64 / nf as f64
            };
            falses[mi] = t.false_matches;
            mean[mi] += recall[mi] / counts.len() as f64;
            mean_fileable[mi] += recall_fileable[mi] / counts.len() as f64;
            false_total[mi] += t.false_matches;
        }
        if transform != GOAL_EXEMPT && worst.as_ref().is_none_or(|(r, _)| recall_fileable[2] < *r) {
            worst = Some((recall_fileable[2], transform.clone()));
        }
        println!(
            "| `{transform}` | {n} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {} | {nf} | {:.3} | {:.3} |",
            recall[0],
            recall[1],
            recall[2],
            recall[3],
            falses[0],
            falses[1],
            falses[2],
            falses[3],
            recall_fileable[0],
            recall_fileable[2]
        );
    }
    println!(
        "| **mean of {}** | {} | **{:.3}** | **{:.3}** | **{:.3}** | {:.3} | {} | {} | {} | {} | {} | **{:.3}** | **{:.3}** |",
        counts.len(),
        queries.len(),
        mean[0],
        mean[1],
        mean[2],
        mean[3],
        false_total[0],
        false_total[1],
        false_total[2],
        false_total[3],
        counts_fileable.values().sum::<usize>(),
        mean_fileable[0],
        mean_fileable[2]
    );
    println!();
    println!(
        "originals: {}, of which {} cannot be filed (plain PDQ quality under {QUALITY_THRESHOLD}){}",
        originals.len(),
        unfileable.len(),
        if unfileable.is_empty() {
            String::new()
        } else {
            format!(": {}", unfileable.join(", "))
        }
    );
    println!();

    // Non-matching distances.
    println!(
        "| method | non-matching comparisons | min distance | 0.1th percentile | match radius |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (mi, name) in methods.iter().enumerate() {
        let h = &non_match[mi];
        let radius = if mi == 2 {
            robust::SEARCH_RADIUS
        } else {
            MATCH_DISTANCE
        };
        println!(
            "| {name} | {} | {} | {} | {radius} |",
            h.total(),
            h.quantile(0.0).map_or("-".into(), |d| d.to_string()),
            h.quantile(0.001).map_or("-".into(), |d| d.to_string()),
        );
    }
    println!(
        "| hashbank, corroboration: second closest stored hash of a non-matching original | {} | {} | {} | {} |",
        second_view.total(),
        second_view.quantile(0.0).map_or("-".into(), |d| d.to_string()),
        second_view.quantile(0.001).map_or("-".into(), |d| d.to_string()),
        robust::CORROBORATION_RADIUS
    );
    println!();
    println!("hashbank, non-matching distances per pair of labels (query, stored):");
    println!();
    println!("| query | stored | comparisons | min | 0.1th percentile | radius |");
    println!("|---|---|---:|---:|---:|---:|");
    for ((ql, bl), (h, r)) in &per_pair {
        println!(
            "| {ql} | {bl} | {} | {} | {} | {r} |",
            h.total(),
            h.quantile(0.0).unwrap_or(0),
            h.quantile(0.001).unwrap_or(0)
        );
    }
    println!();

    // Cost.
    let n_orig = originals.len() as f64;
    let n_query = queries.len() as f64;
    let stored: usize = originals
        .iter()
        .map(|o| o.bank.iter().filter(|h| usable(h.quality)).count())
        .sum();
    let stored_extra: usize = originals
        .iter()
        .map(|o| {
            o.bank
                .iter()
                .filter(|h| usable(h.quality) && h.label != BankLabel::Plain)
                .count()
        })
        .sum();
    let looked_up: usize = queries
        .iter()
        .map(|q| q.hashes.iter().filter(|h| usable(h.quality)).count())
        .sum();
    println!("| cost (single thread, decoded pixels in memory) | plain PDQ | hashbank |");
    println!("|---|---:|---:|");
    println!(
        "| bank side: ms per original | {:.2} | {:.2} |",
        1e3 * t_bank_plain / n_orig,
        1e3 * t_bank / n_orig
    );
    println!(
        "| bank side: hashes stored per original | 1 | {:.2} (1 plain + {:.2} extra) |",
        stored as f64 / n_orig,
        stored_extra as f64 / n_orig
    );
    println!(
        "| query side: ms per copy | {:.2} | {:.2} |",
        1e3 * t_query_plain / n_query,
        1e3 * t_query / n_query
    );
    println!(
        "| query side: hashes looked up per copy | 1 | {:.2} |",
        looked_up as f64 / n_query
    );
    println!();

    let p001 = non_match[2].quantile(0.001).unwrap_or(0);
    let (worst_recall, worst_name) = worst.unwrap_or((0.0, "-".into()));
    let pass = worst_recall >= GOAL_RECALL_EACH
        && mean_fileable[2] >= GOAL_RECALL_MEAN
        && false_total[2] == 0
        && p001 > robust::SEARCH_RADIUS;
    println!(
        "robustness: hashbank as shipped recall mean {:.3} over copies of fileable originals, {:.3} over all (goal >= {GOAL_RECALL_MEAN:.2}; plain {:.3}, dihedral {:.3}, grouped {:.3}), lowest except {GOAL_EXEMPT} {:.3} on {worst_name} (goal >= {GOAL_RECALL_EACH:.2}), false matches {} (goal 0), non-matching 0.1th percentile {p001} (goal > {}): {}",
        mean_fileable[2],
        mean[2],
        mean[0],
        mean[1],
        mean[3],
        worst_recall,
        false_total[2],
        robust::SEARCH_RADIUS,
        if pass { "PASS" } else { "FAIL" }
    );
    Ok(pass)
}
