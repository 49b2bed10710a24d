//! HTTP (the request is [`super::http_request`]'s); reports the response header (`http`), the
//! `Server` header (`http.server`), a redirect's (3xx) `Location` header (`http.location`,
//! ours: the original matches the header and drops it), the page's `<title>` (`title`) and,
//! with `--capture html`, the body (`html`).

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
        let redirect = is_redirect(header);
        for line in header.split(|&c| c == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > 7 && line[..7].eq_ignore_ascii_case(b"server:") {
                found.push(Found::new(app::HTTP_SERVER, trim(&line[7..])));
            } else if redirect && line.len() > 9 && line[..9].eq_ignore_ascii_case(b"location:") {
                found.push(Found::new(app::HTTP_LOCATION, trim(&line[9..])));
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

/// Whether the status line's code is 3xx (`HTTP/1.1 301 Moved Permanently`).
fn is_redirect(header: &[u8]) -> bool {
    let status = header.split(|&c| c == b' ').nth(1).unwrap_or_default();
    status.len() == 3 && status[0] == b'3' && status.iter().all(u8::is_ascii_digit)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// nginx 1.22's answer to `GET /moved` where `moved` is a directory (its own redirect to
    /// the name with a slash; header lines as nginx writes them, RFC 9110 §15.4.2).
    const MOVED: &[u8] = b"HTTP/1.1 301 Moved Permanently\r\nServer: nginx/1.22.1\r\n\
Date: Mon, 07 Dec 2026 17:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 169\r\n\
Location: http://198.18.1.1/moved/\r\nConnection: keep-alive\r\n\r\n<html>\r\n\
<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n\
<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n\
</body>\r\n</html>\r\n";

    fn found(reply: &[u8]) -> Vec<Found> {
        let cfg = BannerConfig::default();
        let mut h = Http::default();
        h.data(reply, &cfg);
        let mut f = Vec::new();
        h.finish(&cfg, &mut f);
        f
    }

    fn location(f: &[Found]) -> Option<&[u8]> {
        f.iter()
            .find(|f| f.app == app::HTTP_LOCATION)
            .map(|f| f.text.as_slice())
    }

    #[test]
    fn a_redirect_reports_its_location() {
        let f = found(MOVED);
        assert_eq!(location(&f), Some(&b"http://198.18.1.1/moved/"[..]));
        let apps: Vec<u16> = f.iter().map(|f| f.app).collect();
        assert_eq!(
            apps,
            [app::HTTP, app::HTTP_SERVER, app::HTTP_LOCATION, app::TITLE]
        );
        // Any case, no space after the colon, 302/307/308 alike.
        for status in [
            "302 Found",
            "307 Temporary Redirect",
            "308 Permanent Redirect",
        ] {
            let r = format!("HTTP/1.0 {status}\r\nlocation:/x\r\n\r\n");
            assert_eq!(location(&found(r.as_bytes())), Some(&b"/x"[..]), "{status}");
        }
    }

    #[test]
    fn only_a_3xx_has_one() {
        for r in [
            &b"HTTP/1.1 201 Created\r\nLocation: /new/1\r\n\r\n"[..],
            b"HTTP/1.1 30 Odd\r\nLocation: /a\r\n\r\n",
            b"HTTP/1.1 3000 Odd\r\nLocation: /a\r\n\r\n",
            b"HTTP/1.1 301 Moved\r\nX-Location: /a\r\n\r\n",
        ] {
            assert_eq!(location(&found(r)), None, "{}", String::from_utf8_lossy(r));
        }
    }

    #[test]
    fn every_truncation() {
        let line_end = MOVED
            .windows(2)
            .skip(137)
            .position(|w| w == b"\r\n")
            .unwrap()
            + 137;
        for cut in 0..MOVED.len() {
            let f = found(&MOVED[..cut]);
            let loc = location(&f);
            // Once the whole Location line is in, it is reported; cut inside it, what is in.
            if cut >= line_end {
                assert_eq!(loc, Some(&b"http://198.18.1.1/moved/"[..]), "{cut}");
            } else if let Some(l) = loc {
                assert!(b"http://198.18.1.1/moved/".starts_with(l), "{cut}");
            }
        }
    }
}
