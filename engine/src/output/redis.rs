//! Redis output (`-oR`, `--redis IP[:port]`) as the original writes it: each status record
//! becomes three set additions, `SADD host IP`, `SADD IP PORT/PROTO` and
//! `SADD IP:PORT/PROTO TIME:STATUS:REASON:TTL` (status 1 open, 2 closed, 3 ARP; reason the
//! reply's TCP flags). Banners are not written, as in the original. Sans-IO: the CLI sends them.

use super::{proto_name, Record, Status};

/// The `(key, member)` pairs to add for one record (none for a banner).
pub fn set_additions(r: &Record) -> Vec<(String, String)> {
    let Record::Status(s) = r else {
        return Vec::new();
    };
    let ip = s.ip.to_string();
    let port = format!("{}/{}", s.port, proto_name(s.ip_proto, Some(s.status)));
    let status = match s.status {
        Status::Open => 1,
        Status::Closed => 2,
        Status::Arp => 3,
    };
    let value = format!("{}:{status}:{}:{}", s.time, s.reason, s.ttl);
    vec![
        ("host".to_string(), ip.clone()),
        (ip.clone(), port.clone()),
        (format!("{ip}:{port}"), value),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{BannerRecord, StatusRecord};

    #[test]
    fn three_sets_per_status_none_per_banner() {
        let r = Record::Status(StatusRecord {
            time: 1700000000,
            ip: "198.18.1.1".parse().unwrap(),
            ip_proto: 6,
            port: 80,
            status: Status::Open,
            reason: 0x12,
            ttl: 64,
            mac: None,
        });
        assert_eq!(
            set_additions(&r),
            [
                ("host".to_string(), "198.18.1.1".to_string()),
                ("198.18.1.1".into(), "80/tcp".into()),
                ("198.18.1.1:80/tcp".into(), "1700000000:1:18:64".into()),
            ]
        );
        let b = Record::Banner(BannerRecord {
            time: 0,
            ip: "198.18.1.1".parse().unwrap(),
            ip_proto: 6,
            port: 80,
            app_proto: 4,
            ttl: 64,
            banner: b"x".to_vec(),
        });
        assert!(set_additions(&b).is_empty());
    }
}
