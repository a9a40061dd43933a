//! hyper answers a request it cannot parse (a broken request line, headers
//! past the size limit) by itself, before the app sees it, with an empty
//! body. Every other answer of the server is a JSON error, so the
//! connection's writes are watched for those answers and each is replaced
//! with the same status and a JSON body saying what went wrong.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose parse-error answers from hyper carry a JSON body.
pub(crate) struct JsonParseErrors<I> {
    inner: I,
    /// A replacement being written: its bytes, how many are out, and how
    /// long hyper's own answer was (reported written once all are out).
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<I> JsonParseErrors<I> {
    pub(crate) fn new(inner: I) -> Self {
        JsonParseErrors {
            inner,
            pending: None,
        }
    }
}

/// hyper's empty answers are about 120 bytes; longer writes are not one.
const CANNED_MAX_BYTES: usize = 512;

/// hyper's answer to an unparsable request: an error status line, then only
/// `connection: close`, `content-length: 0` and `date`. The app's own
/// answers always name a content type.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    // Most writes are the app's answers and bodies: a look at the first
    // bytes and the length lets them pass without reading them.
    if buf.len() > CANNED_MAX_BYTES
        || !(buf.starts_with(b"HTTP/1.1 4") || buf.starts_with(b"HTTP/1.1 5"))
    {
        return None;
    }
    let text = std::str::from_utf8(buf).ok()?;
    let head = text.strip_suffix("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let code: u16 = status_line
        .strip_prefix("HTTP/1.1 ")?
        .get(..3)?
        .parse()
        .ok()?;
    let mut zero_length = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => zero_length = value.trim() == "0",
            "connection" | "date" => {}
            _ => return None,
        }
    }
    if !zero_length {
        return None;
    }
    let (error, message) = match code {
        431 => (
            "headers_too_large",
            "the request's line and headers are larger than the server reads",
        ),
        505 => ("http_version", "the server speaks HTTP/1.1 (and HTTP/1.0)"),
        400..=499 => ("bad_request", "the request could not be read as HTTP"),
        _ => return None,
    };
    let body = format!(r#"{{"error":"{error}","message":"{message}"}}"#);
    Some(
        format!(
            "{status_line}\r\ncontent-type: application/json\r\nconnection: close\r\n\
             cache-control: no-store\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<I: AsyncWrite + Unpin> JsonParseErrors<I> {
    /// Writes what is left of the replacement; `Ready(Ok(n))` with the
    /// length of hyper's answer once all is out.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((bytes, done, answered)) = &mut self.pending {
            if *done == bytes.len() {
                let answered = *answered;
                self.pending = None;
                return Poll::Ready(Ok(answered));
            }
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *done += n,
                other => return other,
            }
        }
        Poll::Ready(Ok(0))
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for JsonParseErrors<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match replacement(buf) {
                Some(bytes) => this.pending = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        this.poll_pending(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            // hyper's answer has no body: it comes as one slice.
            let first = bufs.iter().find(|b| !b.is_empty());
            let only = bufs.iter().filter(|b| !b.is_empty()).count() == 1;
            match first.filter(|_| only).and_then(|b| replacement(b)) {
                Some(bytes) => {
                    let answered = first.map_or(0, |b| b.len());
                    this.pending = Some((bytes, 0, answered));
                }
                None => return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
            }
        }
        this.poll_pending(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_empty_error_answers_are_replaced() {
        let canned = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 16:43:27 GMT\r\n\r\n";
        let out = String::from_utf8(replacement(canned).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("content-type: application/json"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"], "bad_request");
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert!(String::from_utf8(replacement(big).unwrap())
            .unwrap()
            .contains("headers_too_large"));
        // The app's answers, and anything else, pass as they are.
        let app = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(app).is_none());
        let ok = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert!(replacement(ok).is_none());
        assert!(replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{").is_none());
        assert!(replacement(b"{\"entries\":[]}").is_none());
    }
}
