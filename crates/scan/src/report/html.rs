//! A readable report in one HTML file: the counts, the matches grouped by
//! bank hash (with `investigate`), the matches and the skipped files. No
//! images, no thumbnails, nothing loaded from anywhere: every text is
//! escaped and the page forbids every outside resource.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::groups::groups;
use super::summary::{count, seconds};
use crate::scan::ScanOutcome;

/// The page's style, inline (the page loads nothing).
const STYLE: &str = "body{font-family:sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}\
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#eee}td.num{text-align:right}\
tr.minor td{background:#fde8e8}\
td.path{font-family:monospace;word-break:break-all}";

/// `text` with the characters HTML gives meaning to escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes the report.
pub fn write_html(out: &mut dyn Write, outcome: &ScanOutcome, investigate: bool) -> io::Result<()> {
    let mut page = String::new();
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    page.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    page.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let _ = writeln!(
        page,
        "<title>hashbank scan report</title><style>{STYLE}</style></head><body>"
    );
    page.push_str("<h1>hashbank scan report</h1>\n");
    summary(&mut page, outcome);
    if investigate {
        grouped(&mut page, outcome);
    }
    matches(&mut page, outcome);
    skips(&mut page, outcome);
    page.push_str("</body></html>\n");
    out.write_all(page.as_bytes())?;
    out.flush()
}

fn summary(page: &mut String, outcome: &ScanOutcome) {
    let s = &outcome.stats;
    page.push_str("<h2>Summary</h2>\n<table>\n");
    let rows = [
        ("Files looked at", count(s.files())),
        ("Images hashed", count(s.hashed)),
        ("Archives opened", count(s.archives)),
        ("Other files passed over", count(s.other)),
        ("Files matching", count(s.matched_files)),
        ("Matches", count(outcome.matches.len() as u64)),
        ("Files skipped", count(s.skipped_total())),
        ("Time", format!("{} s", seconds(s.elapsed))),
    ];
    for (name, value) in rows {
        let _ = writeln!(
            page,
            "<tr><th>{name}</th><td class=\"num\">{value}</td></tr>"
        );
    }
    for (kind, n) in &s.skipped {
        let _ = writeln!(
            page,
            "<tr><th>Skipped: {}</th><td class=\"num\">{}</td></tr>",
            kind.as_str(),
            count(*n)
        );
    }
    page.push_str("</table>\n");
    if !outcome.errors.is_empty() {
        page.push_str("<h2>Errors: the scan is incomplete</h2>\n<ul>\n");
        for e in &outcome.errors {
            let _ = writeln!(page, "<li>{}</li>", escape(e));
        }
        page.push_str("</ul>\n");
    }
}

fn grouped(page: &mut String, outcome: &ScanOutcome) {
    let groups = groups(&outcome.matches);
    page.push_str("<h2>By bank hash</h2>\n");
    if groups.is_empty() {
        page.push_str("<p>No match.</p>\n");
        return;
    }
    page.push_str(
        "<table>\n<tr><th>Hash id</th><th>Kind</th><th>Role</th><th>Category</th><th>Files</th><th>Paths</th></tr>\n",
    );
    for g in groups {
        let paths: Vec<String> = g.paths.iter().map(|p| escape(p)).collect();
        let _ = writeln!(
            page,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"path\">{}</td></tr>",
            if g.category.is_some() { " class=\"minor\"" } else { "" },
            g.hash_id,
            g.kind,
            g.role.as_str(),
            g.category.map_or("", |c| c.as_str()),
            g.paths.len(),
            paths.join("<br>")
        );
    }
    page.push_str("</table>\n");
}

fn matches(page: &mut String, outcome: &ScanOutcome) {
    page.push_str("<h2>Matches</h2>\n");
    if outcome.matches.is_empty() {
        page.push_str("<p>No match.</p>\n");
        return;
    }
    page.push_str(
        "<table>\n<tr><th>Path</th><th>Hash id</th><th>Kind</th><th>Role</th><th>Distance</th><th>Query</th><th>Evidence</th><th>Category</th><th>Moments</th></tr>\n",
    );
    for m in &outcome.matches {
        let _ = writeln!(
            page,
            "<tr{}><td class=\"path\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if m.category.is_some() { " class=\"minor\"" } else { "" },
            escape(&m.path),
            m.hash_id,
            m.kind,
            m.role.as_str(),
            m.distance,
            m.label.as_str(),
            m.evidence.as_str(),
            m.category.map_or("", |c| c.as_str()),
            escape(&super::moments(m)),
        );
    }
    page.push_str("</table>\n");
}

fn skips(page: &mut String, outcome: &ScanOutcome) {
    page.push_str("<h2>Skipped files</h2>\n");
    if outcome.skips.is_empty() {
        page.push_str("<p>None.</p>\n");
        return;
    }
    page.push_str("<table>\n<tr><th>Path</th><th>Reason</th><th>Detail</th></tr>\n");
    for s in &outcome.skips {
        let _ = writeln!(
            page,
            "<tr><td class=\"path\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.path),
            s.kind.as_str(),
            escape(&s.detail)
        );
    }
    page.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashes::{Category, Kind, Role};
    use crate::scan::{MatchRecord, SkipRecord};
    use crate::skip::SkipKind;

    #[test]
    fn everything_is_escaped_and_nothing_loads() {
        let outcome = ScanOutcome {
            matches: vec![MatchRecord {
                frames: Vec::new(),
                shares: None,
                path: "<img src=x onerror=alert(1)>.jpg".into(),
                hash_id: 7,
                kind: Kind::Pdq,
                role: Role::Plain,
                distance: 4,
                label: crate::Label::Pdq(model::QueryLabel::Trim),
                evidence: model::Evidence::Pair,
                category: Some(Category::Minor),
                value: crate::hashes::HashValue::Pdq(pdq::Hash256::ZERO),
            }],
            skips: vec![SkipRecord {
                path: "a&b\".jpg".into(),
                kind: SkipKind::NotAnImage,
                detail: "<script>".into(),
            }],
            ..ScanOutcome::default()
        };
        let mut out = Vec::new();
        write_html(&mut out, &outcome, true).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(!page.contains("<img") && !page.contains("<script>"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.jpg"));
        assert!(page.contains("a&amp;b&quot;.jpg"));
        assert!(page.contains("default-src 'none'"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(page.contains("By bank hash"));
    }
}
