//! masscan's binary output (`-oB`), read by `--readscan`: a 99-byte header
//! `masscan/1.1\ns:<start>\n` padded with NULs, then records `TYPE LENGTH DATA` (varints, most
//! significant group first), then a 99-byte trailer `masscan/1.1` (which reads as a record of
//! type 109, length 97). All integers big-endian. The reader accepts every record type the
//! original writes (open/closed/ARP/banner, IPv4 and IPv6, and the older types 1, 2, 3, 5), skips
//! unknown types, and on damage returns the records before it and one error.

use super::{BannerRecord, StatusRecord};
use super::{Record, Status};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const HEADER_LEN: usize = 99;
/// Largest record we accept; anything longer is damage, not data.
pub const MAX_RECORD: usize = 1 << 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("not a masscan binary file (no 'masscan/1.' header)")]
    NotMasscan,
    #[error("file ends inside a record at byte {0} (truncated)")]
    Truncated(u64),
    #[error("damaged record at byte {offset}: {why}")]
    Damaged { offset: u64, why: String },
    #[error("read error: {0}")]
    Io(String),
}

/// Reads records from a `-oB` stream.
pub struct BinaryReader<R: Read> {
    inner: R,
    offset: u64,
    /// Scan start time from the header (`s:` line), if present.
    pub start_time: Option<u64>,
    done: bool,
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl<R: Read> BinaryReader<R> {
    pub fn new(mut inner: R) -> Result<Self, ReadError> {
        let mut h = [0u8; HEADER_LEN];
        let n = read_full(&mut inner, &mut h).map_err(|e| ReadError::Io(e.to_string()))?;
        if n < 11 || &h[..10] != b"masscan/1." {
            return Err(ReadError::NotMasscan);
        }
        if n < HEADER_LEN {
            return Err(ReadError::Truncated(n as u64));
        }
        let text = String::from_utf8_lossy(&h);
        let start_time = text
            .lines()
            .find_map(|l| l.strip_prefix("s:"))
            .and_then(|s| s.trim_end_matches('\0').trim().parse().ok());
        Ok(Self {
            inner,
            offset: HEADER_LEN as u64,
            start_time,
            done: false,
        })
    }

    /// A varint; `Ok(None)` at a clean end of file.
    fn varint(&mut self, first: bool) -> Result<Option<u64>, ReadError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let mut b = [0u8; 1];
            let n = read_full(&mut self.inner, &mut b).map_err(|e| ReadError::Io(e.to_string()))?;
            if n == 0 {
                return if first && i == 0 {
                    Ok(None)
                } else {
                    Err(ReadError::Truncated(self.offset))
                };
            }
            self.offset += 1;
            v = (v << 7) | (b[0] & 0x7f) as u64;
            if b[0] & 0x80 == 0 {
                return Ok(Some(v));
            }
        }
        Err(ReadError::Damaged {
            offset: self.offset,
            why: "varint longer than 10 bytes".into(),
        })
    }

    /// The next record: `Ok(None)` at the end (trailer or end of file).
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let at = self.offset;
            let Some(kind) = self.varint(true)? else {
                self.done = true;
                return Ok(None);
            };
            let len = self
                .varint(false)?
                .ok_or(ReadError::Truncated(self.offset))? as usize;
            if len > MAX_RECORD {
                self.done = true;
                return Err(ReadError::Damaged {
                    offset: at,
                    why: format!("record length {len} is implausible"),
                });
            }
            let mut data = vec![0u8; len];
            let n =
                read_full(&mut self.inner, &mut data).map_err(|e| ReadError::Io(e.to_string()))?;
            self.offset += n as u64;
            if n < len {
                self.done = true;
                return Err(ReadError::Truncated(self.offset));
            }
            if kind == 109 {
                // The trailer ("masscan/1.1" read as a record): the end.
                self.done = true;
                return Ok(None);
            }
            match parse_record(kind, &data) {
                Ok(Some(r)) => return Ok(Some(r)),
                Ok(None) => continue, // a type we do not know: skip it, as the original does
                Err(why) => {
                    self.done = true;
                    return Err(ReadError::Damaged { offset: at, why });
                }
            }
        }
    }
}

impl<R: Read> Iterator for BinaryReader<R> {
    type Item = Result<Record, ReadError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

fn be16(d: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([d[at], d[at + 1]])
}

fn be32(d: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}

fn v6(d: &[u8], at: usize) -> IpAddr {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[at..at + 16]);
    IpAddr::V6(Ipv6Addr::from(b))
}

fn status_of(kind: u64) -> Status {
    match kind {
        6 | 10 | 1 => Status::Open,
        7 | 11 | 2 => Status::Closed,
        _ => Status::Arp,
    }
}

fn parse_record(kind: u64, d: &[u8]) -> Result<Option<Record>, String> {
    let need = |n: usize| {
        if d.len() < n {
            Err(format!(
                "record type {kind} is {} bytes, needs {n}",
                d.len()
            ))
        } else {
            Ok(())
        }
    };
    let v4 = |at: usize| IpAddr::V4(Ipv4Addr::from(be32(d, at)));
    Ok(Some(match kind {
        1 | 2 => {
            need(12)?;
            Record::Status(StatusRecord {
                mac: None,
                time: be32(d, 0),
                ip: v4(4),
                ip_proto: 6,
                port: be16(d, 8),
                status: status_of(kind),
                reason: d[10],
                ttl: d[11],
            })
        }
        6..=8 => {
            need(13)?;
            Record::Status(StatusRecord {
                mac: None,
                time: be32(d, 0),
                ip: v4(4),
                ip_proto: d[8],
                port: be16(d, 9),
                status: status_of(kind),
                reason: d[11],
                ttl: d[12],
            })
        }
        10..=12 => {
            need(26)?;
            Record::Status(StatusRecord {
                mac: None,
                time: be32(d, 0),
                ip: v6(d, 10),
                ip_proto: d[4],
                port: be16(d, 5),
                status: status_of(kind),
                reason: d[7],
                ttl: d[8],
            })
        }
        3 => {
            need(12)?;
            Record::Banner(BannerRecord {
                time: be32(d, 0),
                ip: v4(4),
                ip_proto: 6,
                port: be16(d, 8),
                app_proto: be16(d, 10),
                ttl: 0,
                banner: d[12..].to_vec(),
            })
        }
        5 => {
            need(13)?;
            Record::Banner(BannerRecord {
                time: be32(d, 0),
                ip: v4(4),
                ip_proto: d[8],
                port: be16(d, 9),
                app_proto: be16(d, 11),
                ttl: 0,
                banner: d[13..].to_vec(),
            })
        }
        9 => {
            need(14)?;
            Record::Banner(BannerRecord {
                time: be32(d, 0),
                ip: v4(4),
                ip_proto: d[8],
                port: be16(d, 9),
                app_proto: be16(d, 11),
                ttl: d[13],
                banner: d[14..].to_vec(),
            })
        }
        13 => {
            need(27)?;
            Record::Banner(BannerRecord {
                time: be32(d, 0),
                ip: v6(d, 11),
                ip_proto: d[4],
                port: be16(d, 5),
                app_proto: be16(d, 7),
                ttl: d[9],
                banner: d[27..].to_vec(),
            })
        }
        _ => return Ok(None),
    }))
}

fn push_varint(out: &mut Vec<u8>, v: u64) {
    let mut groups = [0u8; 10];
    let mut n = 0;
    let mut x = v;
    loop {
        groups[n] = (x & 0x7f) as u8;
        n += 1;
        x >>= 7;
        if x == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        out.push(groups[i] | if i > 0 { 0x80 } else { 0 });
    }
}

/// The 99-byte header.
pub fn header(start_time: u64) -> Vec<u8> {
    let mut h = format!("masscan/1.1\ns:{start_time}\n").into_bytes();
    h.resize(HEADER_LEN, 0);
    h
}

/// The 99-byte trailer written on close.
pub fn trailer() -> Vec<u8> {
    let mut t = b"masscan/1.1".to_vec();
    t.resize(HEADER_LEN, 0);
    t
}

/// Appends one record in the original's layout.
pub fn push_record(out: &mut Vec<u8>, r: &Record) {
    let mut d = Vec::with_capacity(32);
    let kind = match r {
        Record::Status(StatusRecord {
            mac: _,
            time,
            ip,
            ip_proto,
            port,
            status,
            reason,
            ttl,
        }) => match ip {
            IpAddr::V4(a) => {
                d.extend_from_slice(&time.to_be_bytes());
                d.extend_from_slice(&a.octets());
                d.push(*ip_proto);
                d.extend_from_slice(&port.to_be_bytes());
                d.extend_from_slice(&[*reason, *ttl]);
                match status {
                    Status::Open => 6,
                    Status::Closed => 7,
                    Status::Arp => 8,
                }
            }
            IpAddr::V6(a) => {
                d.extend_from_slice(&time.to_be_bytes());
                d.push(*ip_proto);
                d.extend_from_slice(&port.to_be_bytes());
                d.extend_from_slice(&[*reason, *ttl, 6]);
                d.extend_from_slice(&a.octets());
                match status {
                    Status::Open => 10,
                    Status::Closed => 11,
                    Status::Arp => 12,
                }
            }
        },
        Record::Banner(BannerRecord {
            time,
            ip,
            ip_proto,
            port,
            app_proto,
            ttl,
            banner,
        }) => match ip {
            IpAddr::V4(a) => {
                d.extend_from_slice(&time.to_be_bytes());
                d.extend_from_slice(&a.octets());
                d.push(*ip_proto);
                d.extend_from_slice(&port.to_be_bytes());
                d.extend_from_slice(&app_proto.to_be_bytes());
                d.push(*ttl);
                d.extend_from_slice(banner);
                9
            }
            IpAddr::V6(a) => {
                d.extend_from_slice(&time.to_be_bytes());
                d.push(*ip_proto);
                d.extend_from_slice(&port.to_be_bytes());
                d.extend_from_slice(&app_proto.to_be_bytes());
                d.extend_from_slice(&[*ttl, 6]);
                d.extend_from_slice(&a.octets());
                d.extend_from_slice(banner);
                13
            }
        },
    };
    push_varint(out, kind);
    push_varint(out, d.len() as u64);
    out.extend_from_slice(&d);
}

/// Where `--append-output` continues an existing `-oB` file: `Ok(None)` for an empty file
/// (write a header), else the length to keep: everything but the trailer, or, for a file whose
/// scan was killed before writing its trailer, everything up to the last complete record.
pub fn append_point(existing: &[u8]) -> Result<Option<usize>, String> {
    if existing.is_empty() {
        return Ok(None);
    }
    if !existing.starts_with(b"masscan/1.") || existing.len() < HEADER_LEN {
        return Err("it is not a masscan binary file".into());
    }
    if existing.len() >= 2 * HEADER_LEN && existing[existing.len() - HEADER_LEN..] == trailer()[..]
    {
        return Ok(Some(existing.len() - HEADER_LEN));
    }
    let mut r = BinaryReader::new(existing).map_err(|e| e.to_string())?;
    let mut keep = r.offset;
    while let Ok(Some(_)) = r.next_record() {
        keep = r.offset;
    }
    Ok(Some(keep as usize))
}

/// Writes a whole binary file (tests, `--readscan -oB`).
pub fn write_all<W: Write>(w: &mut W, start_time: u64, records: &[Record]) -> io::Result<()> {
    let mut out = header(start_time);
    for r in records {
        push_record(&mut out, r);
    }
    out.extend_from_slice(&trailer());
    w.write_all(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<Record> {
        vec![
            Record::Status(StatusRecord {
                mac: None,
                time: 1,
                ip: "198.18.0.3".parse().unwrap(),
                ip_proto: 6,
                port: 22,
                status: Status::Open,
                reason: 0x12,
                ttl: 64,
            }),
            Record::Status(StatusRecord {
                mac: None,
                time: 2,
                ip: "2001:db8::1".parse().unwrap(),
                ip_proto: 6,
                port: 443,
                status: Status::Closed,
                reason: 0x14,
                ttl: 60,
            }),
            Record::Status(StatusRecord {
                mac: None,
                time: 3,
                ip: "198.18.0.9".parse().unwrap(),
                ip_proto: 0,
                port: 0,
                status: Status::Arp,
                reason: 0,
                ttl: 0,
            }),
            Record::Banner(BannerRecord {
                time: 4,
                ip: "198.18.0.3".parse().unwrap(),
                ip_proto: 6,
                port: 21,
                app_proto: 5,
                ttl: 64,
                banner: b"220 hi\r\n".to_vec(),
            }),
            Record::Banner(BannerRecord {
                time: 5,
                ip: "2001:db8::2".parse().unwrap(),
                ip_proto: 6,
                port: 80,
                app_proto: 31,
                ttl: 64,
                banner: vec![0; 300],
            }),
        ]
    }

    fn read_all(bytes: &[u8]) -> (Vec<Record>, Option<ReadError>) {
        let mut out = Vec::new();
        let r = match BinaryReader::new(bytes) {
            Ok(r) => r,
            Err(e) => return (out, Some(e)),
        };
        for rec in r {
            match rec {
                Ok(x) => out.push(x),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    #[test]
    fn round_trip_every_type() {
        let mut f = Vec::new();
        write_all(&mut f, 1795396339, &sample()).unwrap();
        let (got, err) = read_all(&f);
        assert_eq!(err, None);
        assert_eq!(got, sample());
        assert_eq!(
            BinaryReader::new(&f[..]).unwrap().start_time,
            Some(1795396339)
        );
    }

    #[test]
    fn truncation_keeps_what_came_before() {
        let mut f = Vec::new();
        write_all(&mut f, 0, &sample()).unwrap();
        let cut = &f[..f.len() - 99 - 10];
        let (got, err) = read_all(cut);
        assert_eq!(got, sample()[..4].to_vec());
        assert!(matches!(err, Some(ReadError::Truncated(_))), "{err:?}");
        assert_eq!(read_all(b"hello").1, Some(ReadError::NotMasscan));
        assert!(matches!(
            read_all(&f[..50]).1,
            Some(ReadError::Truncated(50))
        ));
    }

    #[test]
    fn append_continues_before_the_trailer() {
        let mut f = Vec::new();
        write_all(&mut f, 7, &sample()[..2]).unwrap();
        let keep = append_point(&f).unwrap().unwrap();
        f.truncate(keep);
        for r in &sample()[2..] {
            push_record(&mut f, r);
        }
        f.extend_from_slice(&trailer());
        assert_eq!(read_all(&f), (sample(), None));
        // A file cut anywhere (a killed scan) continues after its last complete record.
        let whole = append_point(&f).unwrap().unwrap();
        assert_eq!(append_point(&f[..f.len() - 3]), Ok(Some(whole)));
        let mut cut = f[..whole].to_vec();
        let before_last = {
            let mut g = header(7);
            for r in &sample()[..sample().len() - 1] {
                push_record(&mut g, r);
            }
            g.len()
        };
        cut.truncate(whole - 1);
        assert_eq!(append_point(&cut), Ok(Some(before_last)));
        assert!(append_point(b"not masscan at all").is_err());
        assert_eq!(append_point(b""), Ok(None));
    }

    #[test]
    fn varints_are_most_significant_first() {
        let mut v = Vec::new();
        push_varint(&mut v, 300);
        assert_eq!(v, [0x82, 0x2c]);
        v.clear();
        push_varint(&mut v, 127);
        assert_eq!(v, [0x7f]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut f = header(0);
            f.extend_from_slice(&tail);
            let _ = read_all(&f);
        }
    }
}
