//! HTTP (the request is [`super::http_request`]'s); reports the response header (`http`), the
//! `Server` header (`http.server`), the page's `<title>` (`title`) and, with `--capture html`,
//! the body (`html`).

use super::{app, BannerConfig, Found};

#[derive(Default)]
pub struct Http {
    buf: Vec<u8>,
}

impl Http {
    /// Keeps the bytes; done when the header is complete and the title (or the body's end,
    /// when capturing HTML) is in.
    pub fn data(&mut self, d: &[u8], cfg: &BannerConfig) -> bool {
        self.buf.extend_from_slice(d);
        let Some((_, body)) = split_header(&self.buf) else {
            return false;
        };
        if cfg.capture_html {
            return false; // until the server closes or the byte cap is reached
        }
        find(body, b"</title").is_some()
    }

    pub fn finish(self, cfg: &BannerConfig, found: &mut Vec<Found>) {
        let (header, body) = match split_header(&self.buf) {
            Some(hb) => hb,
            None => (&self.buf[..], &[][..]),
        };
        if header.is_empty() {
            return;
        }
        if !header
            .get(..5)
            .is_some_and(|h| h.eq_ignore_ascii_case(b"HTTP/"))
        {
            // Not an HTTP reply: what the server said, unlabelled.
            found.push(Found::new(app::HEUR, &self.buf[..]));
            return;
        }
        found.push(Found::new(app::HTTP, header));
        for line in header.split(|&c| c == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > 7 && line[..7].eq_ignore_ascii_case(b"server:") {
                found.push(Found::new(app::HTTP_SERVER, trim(&line[7..])));
            }
        }
        if let Some(t) = title(body) {
            found.push(Found::new(app::TITLE, t));
        }
        if cfg.capture_html && !body.is_empty() {
            found.push(Found::new(app::HTML, body));
        }
    }
}

/// The header (without the blank line ending it) and the body, once the blank line is in.
fn split_header(buf: &[u8]) -> Option<(&[u8], &[u8])> {
    if let Some(i) = find(buf, b"\r\n\r\n") {
        return Some((&buf[..i], &buf[i + 4..]));
    }
    find(buf, b"\n\n").map(|i| (&buf[..i], &buf[i + 2..]))
}

/// The text of the first `<title>` element, whitespace collapsed.
fn title(body: &[u8]) -> Option<Vec<u8>> {
    let open = find(body, b"<title")?;
    let start = open + body[open..].iter().position(|&c| c == b'>')? + 1;
    let end = find(&body[start..], b"</title")
        .map(|e| start + e)
        .unwrap_or(body.len());
    let mut t = Vec::new();
    for w in body[start..end]
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !t.is_empty() {
            t.push(b' ');
        }
        t.extend_from_slice(w);
    }
    Some(t)
}

fn trim(s: &[u8]) -> &[u8] {
    let a = s
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(s.len());
    let b = s
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(a, |b| b + 1);
    &s[a..b.max(a)]
}

/// Case-insensitive search.
pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}
