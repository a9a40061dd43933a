//! Records of hashed files, written as JSON lines, CSV or a readable table.

use std::io::Write;
use std::path::Path;

use media::Fingerprint;
use model::hex;
use pdq::Dihedral;
use serde_json::{json, Map, Value};
use video::VideoPrint;

/// `path` as it is printed (see [`Record::path`]).
fn shown(path: &Path) -> String {
    hashbank_scan::archive::printable(path.as_os_str().as_encoded_bytes())
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Aligned text.
    Text,
    /// The vPDQ reference's text form, a line `frame,quality,hex,timestamp`
    /// per frame of each video; `# path` before each video when there are
    /// several. Images are left out.
    Vpdq,
}

/// The result for one file.
#[derive(Debug, Clone)]
pub struct Record {
    /// The file, as given or found, printable: bytes that are not UTF-8 and
    /// control characters escaped as `\xNN` and a backslash as `\\`, so two
    /// files never print alike.
    pub path: String,
    /// Its fingerprint, when it could be made.
    pub print: Option<Fingerprint>,
    /// Its video hash, when it is a video (an animated GIF gives a record
    /// of each).
    pub video: Option<Box<VideoPrint>>,
    /// Why it could not, otherwise.
    pub error: Option<String>,
}

impl Record {
    /// A hashed file.
    pub fn hashed(path: &Path, print: Fingerprint) -> Record {
        Record {
            path: shown(path),
            print: Some(print),
            video: None,
            error: None,
        }
    }

    /// A hashed video.
    pub fn video(path: &Path, print: VideoPrint) -> Record {
        Record {
            path: shown(path),
            print: None,
            video: Some(Box::new(print)),
            error: None,
        }
    }

    /// A file that failed.
    pub fn failed(path: &Path, error: String) -> Record {
        Record {
            path: shown(path),
            print: None,
            video: None,
            error: Some(error),
        }
    }

    /// The record as a JSON object.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("path".into(), json!(self.path));
        if let Some(p) = &self.print {
            map.insert("pdq".into(), json!(p.pdq.to_hex()));
            map.insert("quality".into(), json!(p.quality));
            map.insert("md5".into(), json!(hex(&p.md5)));
            map.insert("sha256".into(), json!(hex(&p.sha256)));
            map.insert("width".into(), json!(p.width));
            map.insert("height".into(), json!(p.height));
            if let Some(all) = &p.dihedral {
                let variants: Map<String, Value> = Dihedral::ALL
                    .iter()
                    .zip(all)
                    .map(|(t, h)| (t.label().to_string(), json!(h.to_hex())))
                    .collect();
                map.insert("dihedral".into(), Value::Object(variants));
            }
        }
        if let Some(v) = &self.video {
            map.insert("kind".into(), json!("video"));
            map.insert("duration".into(), json!(round3(v.duration)));
            map.insert("frame_rate".into(), json!(round3(v.stream.frame_rate)));
            map.insert("width".into(), json!(v.stream.width));
            map.insert("height".into(), json!(v.stream.height));
            map.insert("codec".into(), json!(v.stream.codec));
            map.insert("md5".into(), json!(hex(&v.md5)));
            map.insert("sha256".into(), json!(hex(&v.sha256)));
            let frames = |frames: &[model::VideoFrame]| -> Value {
                frames
                    .iter()
                    .map(|f| {
                        json!({
                            "frame": f.number,
                            "pdq": f.hash.to_hex(),
                            "quality": f.quality,
                            "timestamp": round3(f.timestamp),
                        })
                    })
                    .collect()
            };
            map.insert("frames".into(), frames(&v.hash.frames));
            if !v.hash.parts.is_empty() {
                let parts: Vec<Value> = v
                    .hash
                    .parts
                    .iter()
                    .map(|p| json!({"label": p.label, "frames": frames(&p.frames)}))
                    .collect();
                map.insert("parts".into(), Value::Array(parts));
            }
        }
        if let Some(e) = &self.error {
            map.insert("error".into(), json!(e));
        }
        Value::Object(map)
    }
}

/// Seconds to the millisecond, as the vPDQ forms write them.
fn round3(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes records in one format.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    dihedral: bool,
    /// Whether `# path` lines precede each video in the vPDQ form.
    headed: bool,
}

impl<W: Write> Writer<W> {
    /// A writer; CSV starts with its header.
    pub fn new(mut out: W, format: Format, dihedral: bool) -> std::io::Result<Writer<W>> {
        match format {
            Format::Csv => {
                let mut header = vec!["path", "pdq", "quality", "md5", "sha256", "width", "height"];
                if dihedral {
                    header.extend(Dihedral::ALL.iter().map(|t| t.label()));
                }
                header.extend(["frame", "timestamp", "error"]);
                writeln!(out, "{}", header.join(","))?;
            }
            Format::Text => {
                writeln!(out, "{:<64}  {:>7}  {:>11}  path", "pdq", "quality", "size")?;
            }
            Format::Jsonl | Format::Vpdq => {}
        }
        Ok(Writer {
            out,
            format,
            dihedral,
            headed: true,
        })
    }

    /// In the vPDQ form, leaves out the `# path` lines (one video only).
    pub fn without_headings(mut self) -> Writer<W> {
        self.headed = false;
        self
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Record) -> std::io::Result<()> {
        match self.format {
            Format::Jsonl => writeln!(self.out, "{}", record.to_json()),
            Format::Csv => self.write_csv(record),
            Format::Text => self.write_text(record),
            Format::Vpdq => self.write_vpdq(record),
        }
    }

    fn write_vpdq(&mut self, record: &Record) -> std::io::Result<()> {
        if let Some(v) = &record.video {
            if self.headed {
                writeln!(self.out, "# {}", record.path)?;
            }
            self.out.write_all(v.hash.to_text().as_bytes())?;
        } else if let Some(error) = &record.error {
            writeln!(self.out, "# {}: {error}", record.path)?;
        }
        Ok(())
    }

    fn write_csv(&mut self, record: &Record) -> std::io::Result<()> {
        let variants = if self.dihedral { 8 } else { 0 };
        if let Some(v) = &record.video {
            // A row per frame, with the file's digests and size on each.
            for f in &v.hash.frames {
                let mut fields = vec![
                    csv_field(&record.path),
                    f.hash.to_hex(),
                    f.quality.to_string(),
                    hex(&v.md5),
                    hex(&v.sha256),
                    v.stream.width.to_string(),
                    v.stream.height.to_string(),
                ];
                fields.extend(std::iter::repeat_n(String::new(), variants));
                fields.extend([f.number.to_string(), format!("{:.3}", f.timestamp)]);
                fields.push(String::new());
                writeln!(self.out, "{}", fields.join(","))?;
            }
            return Ok(());
        }
        let mut fields = vec![csv_field(&record.path)];
        match &record.print {
            Some(p) => {
                fields.extend([
                    p.pdq.to_hex(),
                    p.quality.to_string(),
                    hex(&p.md5),
                    hex(&p.sha256),
                    p.width.to_string(),
                    p.height.to_string(),
                ]);
                if let Some(all) = &p.dihedral {
                    fields.extend(all.iter().map(|h| h.to_hex()));
                }
            }
            None => fields.extend(std::iter::repeat_n(String::new(), 6 + variants)),
        }
        fields.extend([String::new(), String::new()]);
        fields.push(record.error.as_deref().map(csv_field).unwrap_or_default());
        writeln!(self.out, "{}", fields.join(","))
    }

    fn write_text(&mut self, record: &Record) -> std::io::Result<()> {
        if let Some(v) = &record.video {
            for f in &v.hash.frames {
                writeln!(
                    self.out,
                    "{}  {:>7}  {:>11}  {} @ {:.3} s (frame {})",
                    f.hash,
                    f.quality,
                    format!("{}x{}", v.stream.width, v.stream.height),
                    record.path,
                    f.timestamp,
                    f.number
                )?;
            }
            return Ok(());
        }
        match (&record.print, &record.error) {
            (Some(p), _) => {
                writeln!(
                    self.out,
                    "{}  {:>7}  {:>11}  {}",
                    p.pdq,
                    p.quality,
                    format!("{}x{}", p.width, p.height),
                    record.path
                )?;
                if let Some(all) = &p.dihedral {
                    for (t, h) in Dihedral::ALL.iter().zip(all) {
                        writeln!(self.out, "{h}  {:>7}", t.label())?;
                    }
                }
                Ok(())
            }
            (None, error) => writeln!(
                self.out,
                "{:<64}  {:>7}  {:>11}  {}: {}",
                "error",
                "-",
                "-",
                record.path,
                error.as_deref().unwrap_or("unknown error")
            ),
        }
    }

    /// Flushes what was written.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// Flushes and ends the output.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("a.jpg"), "a.jpg");
        assert_eq!(csv_field("a,b.jpg"), "\"a,b.jpg\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn failed_records_carry_only_path_and_error() {
        let r = Record::failed(Path::new("x.jpg"), "not an image".into());
        assert_eq!(
            r.to_json(),
            json!({"path": "x.jpg", "error": "not an image"})
        );
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out, Format::Csv, false).unwrap();
        w.write(&r).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().nth(1).unwrap(), "x.jpg,,,,,,,,,not an image");
    }
}
