//! CSV: one row per match, per skipped file and (with `investigate`) per
//! matched bank hash, told apart by the first column.

use std::io::{self, Write};

use super::groups::groups;
use crate::scan::ScanOutcome;

/// The header row.
pub const CSV_HEADER: &str =
    "record,path,hash_id,kind,role,distance,query,evidence,category,skipped,detail,files,moments";

/// A CSV field: quoted when it holds a comma, a quote or a line break; a
/// text that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading `'`, since file
/// names in a seized collection are chosen by whoever made it.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Writes the outcome as CSV.
pub fn write_csv(out: &mut dyn Write, outcome: &ScanOutcome, investigate: bool) -> io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    for m in &outcome.matches {
        writeln!(
            out,
            "match,{},{},{},{},{},{},{},{},,,,{}",
            csv_field(&m.path),
            m.hash_id,
            m.kind,
            m.role.as_str(),
            m.distance,
            m.label.as_str(),
            m.evidence.as_str(),
            m.category.map_or("", |c| c.as_str()),
            csv_field(&super::moments(m)),
        )?;
    }
    for s in &outcome.skips {
        writeln!(
            out,
            "skip,{},,,,,,,,{},{},,",
            csv_field(&s.path),
            s.kind,
            csv_field(&s.detail)
        )?;
    }
    if investigate {
        for g in groups(&outcome.matches) {
            writeln!(
                out,
                "group,,{},{},{},,,,{},,,{},",
                g.hash_id,
                g.kind,
                g.role.as_str(),
                g.category.map_or("", |c| c.as_str()),
                g.paths.len()
            )?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a.jpg"), "a.jpg");
        assert_eq!(csv_field("a,b.jpg"), "\"a,b.jpg\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_field("-x,y"), "\"'-x,y\"");
    }
}
