//! The redis output's connection (`--redis IP[:port]`, `--redis-pwd`): the redis crate's
//! synchronous client, one pipeline of `SADD`s per flush (the output thread flushes at least
//! once a second), `PING` on open as the original does, `QUIT` on close. What is written is
//! [`masscan_engine::output::redis`]'s.

use crate::args::UserError;
use masscan_engine::config::defaults;
use masscan_engine::output::redis::set_additions;
use masscan_engine::output::Record;
use std::time::Duration;

pub struct RedisSink {
    con: redis::Connection,
    pipe: redis::Pipeline,
    queued: usize,
    target: String,
}

/// `IP[:port]` (port [`defaults::REDIS_PORT`] by default) as a socket address, or why not.
pub fn parse_target(s: &str) -> Result<std::net::SocketAddr, String> {
    let bad = || format!("bad --redis '{s}': give IP or IP:PORT (e.g. 127.0.0.1:6379)");
    if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        return Ok((ip, defaults::REDIS_PORT).into());
    }
    let addr: std::net::SocketAddr = s.parse().map_err(|_| bad())?;
    if addr.port() == 0 {
        return Err(bad());
    }
    Ok(addr)
}

impl RedisSink {
    pub fn connect(target: &str, password: Option<&str>) -> Result<Self, UserError> {
        let fail = |e: &dyn std::fmt::Display| UserError(format!("redis {target}: {e}"));
        let addr = parse_target(target).map_err(UserError)?;
        let url = format!("redis://{}/", addr);
        let client = redis::Client::open(url.as_str()).map_err(|e| fail(&e))?;
        let mut con = client
            .get_connection_with_timeout(Duration::from_secs(5))
            .map_err(|e| fail(&e))?;
        if let Some(pwd) = password {
            redis::cmd("AUTH")
                .arg(pwd)
                .query::<()>(&mut con)
                .map_err(|e| fail(&e))?;
        }
        let pong: String = redis::cmd("PING").query(&mut con).map_err(|e| fail(&e))?;
        if pong != "PONG" {
            return Err(fail(&format!("answered PING with '{pong}'")));
        }
        Ok(Self {
            con,
            pipe: redis::pipe(),
            queued: 0,
            target: target.to_string(),
        })
    }

    pub fn record(&mut self, r: &Record) -> Result<(), UserError> {
        for (key, member) in set_additions(r) {
            self.pipe.cmd("SADD").arg(key).arg(member).ignore();
            self.queued += 1;
        }
        if self.queued >= 3000 {
            self.flush()?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> Result<(), UserError> {
        if self.queued == 0 {
            return Ok(());
        }
        let r = self.pipe.query::<()>(&mut self.con);
        self.pipe.clear();
        self.queued = 0;
        r.map_err(|e| UserError(format!("redis {}: {e}", self.target)))
    }

    pub fn close(&mut self) -> Result<(), UserError> {
        self.flush()?;
        let _ = redis::cmd("QUIT").query::<()>(&mut self.con);
        Ok(())
    }
}
