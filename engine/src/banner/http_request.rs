//! The HTTP hello's request, as the `--http-*` options shape it: request line (`--http-method`,
//! `--http-url`, `--http-version`), a `Host` header naming the target (or `--http-host`), our
//! `User-Agent`, `Accept: */*`, then `--http-header NAME:VALUE` (replacing a header of that
//! name, else added), one `Cookie` line per `--http-cookie`, and `--http-payload` as the body
//! with its `Content-Length`, in the order the original applies them.

use std::net::IpAddr;

/// What the `--http-*` options set; the defaults give `GET / HTTP/1.0`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// `--http-method` (default `GET`).
    pub method: Option<String>,
    /// `--http-url` / `--http-uri` (default `/`).
    pub url: Option<String>,
    /// `--http-version` (default `HTTP/1.0`).
    pub version: Option<String>,
    /// `--http-host` (default: the target's address).
    pub host: Option<String>,
    /// `--http-header NAME:VALUE`, in order given.
    pub headers: Vec<(String, String)>,
    /// `--http-cookie`, in order given.
    pub cookies: Vec<String>,
    /// `--http-payload`: the request's body.
    pub payload: Option<Vec<u8>>,
}

impl HttpRequest {
    /// Appends the request for `ip` to `out`.
    pub fn write(&self, ip: IpAddr, user_agent: &str, out: &mut Vec<u8>) {
        let target = match ip {
            IpAddr::V4(a) => a.to_string(),
            IpAddr::V6(a) => format!("[{a}]"),
        };
        let mut fields: Vec<(&str, &str)> = vec![
            ("Host", self.host.as_deref().unwrap_or(&target)),
            ("User-Agent", user_agent),
            ("Accept", "*/*"),
        ];
        let length = self.payload.as_ref().map(|p| p.len().to_string());
        if let Some(n) = &length {
            replace(&mut fields, "Content-Length", n);
        }
        for (name, value) in &self.headers {
            replace(&mut fields, name, value);
        }
        for c in &self.cookies {
            fields.push(("Cookie", c));
        }
        let line = format!(
            "{} {} {}\r\n",
            self.method.as_deref().unwrap_or("GET"),
            self.url.as_deref().unwrap_or("/"),
            self.version.as_deref().unwrap_or("HTTP/1.0")
        );
        out.extend_from_slice(line.as_bytes());
        for (name, value) in fields {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if let Some(p) = &self.payload {
            out.extend_from_slice(p);
        }
    }
}

/// Sets header `name` (any case) to `value` where it is, or adds it at the end.
fn replace<'a>(fields: &mut Vec<(&'a str, &'a str)>, name: &'a str, value: &'a str) {
    match fields
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some(f) => f.1 = value,
        None => fields.push((name, value)),
    }
}

/// Splits `--http-header NAME:VALUE` as the original does (name and value trimmed); `None`
/// without a colon or with an empty name.
pub fn split_header(v: &str) -> Option<(String, String)> {
    let (name, value) = v.split_once(':')?;
    let name = name.trim();
    if name.is_empty() || name.contains(|c: char| c.is_ascii_control()) {
        return None;
    }
    Some((name.to_string(), value.trim_start().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 30));

    fn req(r: &HttpRequest) -> String {
        let mut out = Vec::new();
        r.write(IP, "ua/1", &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn default_request_names_the_target() {
        assert_eq!(
            req(&HttpRequest::default()),
            "GET / HTTP/1.0\r\nHost: 198.18.1.30\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n"
        );
        let mut out = Vec::new();
        HttpRequest::default().write("::1".parse().unwrap(), "u", &mut out);
        assert!(out.starts_with(b"GET / HTTP/1.0\r\nHost: [::1]\r\n"));
    }

    #[test]
    fn every_option_changes_its_part() {
        let r = HttpRequest {
            method: Some("POST".into()),
            url: Some("/api?x=1".into()),
            version: Some("HTTP/1.1".into()),
            host: Some("example.test".into()),
            headers: vec![
                ("X-Scan".into(), "lab".into()),
                ("accept".into(), "text/html".into()),
            ],
            cookies: vec!["a=1".into(), "b=2".into()],
            payload: Some(b"q=masscan".to_vec()),
        };
        assert_eq!(
            req(&r),
            "POST /api?x=1 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: ua/1\r\n\
             Accept: text/html\r\nContent-Length: 9\r\nX-Scan: lab\r\nCookie: a=1\r\n\
             Cookie: b=2\r\n\r\nq=masscan"
        );
    }

    #[test]
    fn a_header_option_overrides_host_and_user_agent() {
        let r = HttpRequest {
            headers: vec![
                ("HOST".into(), "h".into()),
                ("User-Agent".into(), "x".into()),
            ],
            ..HttpRequest::default()
        };
        assert_eq!(
            req(&r),
            "GET / HTTP/1.0\r\nHost: h\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n"
        );
    }

    #[test]
    fn header_values_split_as_the_original() {
        assert_eq!(
            split_header("X-A :  b:c"),
            Some(("X-A".into(), "b:c".into()))
        );
        assert_eq!(split_header("novalue"), None);
        assert_eq!(split_header(" : v"), None);
        assert_eq!(split_header("a:"), Some(("a".into(), String::new())));
    }
}
