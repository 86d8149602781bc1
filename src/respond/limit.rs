//! Who is asking, and how often they may.
//!
//! Behind a web server every connection comes from the proxy (usually
//! 127.0.0.1), and the visitor's address is in `X-Forwarded-For`. That
//! header is believed only from the `--trusted-proxy` addresses; from
//! anyone else it is ignored, so a client cannot spread a flood over
//! made-up addresses. The chain is read from the right, skipping trusted
//! hops, as a proxy appends the address it saw. IPv6 clients are limited
//! by their /64, which one host usually holds whole.
//!
//! The limit is a token bucket per client: a burst of a few comments,
//! refilled at the configured rate per hour. Buckets that are full again
//! are forgotten, so memory stays bounded by the clients of the last
//! hour.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct Proxies(Vec<IpNet>);

impl Proxies {
    /// Parses `--trusted-proxy` values: addresses or networks
    /// (`127.0.0.1`, `10.0.0.0/8`, `::1`).
    pub fn parse(values: &[String]) -> Result<Proxies, String> {
        values
            .iter()
            .map(|v| {
                let v = v.trim();
                v.parse::<IpNet>()
                    .or_else(|_| v.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("`{v}` is not an address or network (e.g. 127.0.0.1 or 10.0.0.0/8)")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Proxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer, or (when the peer is a trusted
    /// proxy) the nearest untrusted address the proxies forwarded.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            let Some(ip) = parse_hop(hop) else {
                // Garbage in the chain: stop at the last address a
                // trusted proxy vouched for.
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }
}

/// An IPv4 address written as IPv6 (`::ffff:1.2.3.4`) is the IPv4 one.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `1.2.3.4:5678`, `::1` or
/// `[::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sock) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    None
}

/// What a client is limited as: its address, or its /64 for IPv6.
fn bucket_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let mut seg = v6.segments();
            seg[4..].fill(0);
            IpAddr::V6(seg.into())
        }
        v4 => v4,
    }
}

/// Token buckets by client.
#[derive(Debug)]
pub struct Limiter {
    burst: f64,
    per_second: f64,
    buckets: HashMap<IpAddr, (f64, Instant)>,
}

impl Limiter {
    /// `per_hour` comments an hour after a burst of `burst`; 0 turns the
    /// limit off.
    pub fn new(burst: u32, per_hour: u32) -> Limiter {
        Limiter {
            burst: f64::from(burst.max(1)),
            per_second: f64::from(per_hour) / 3600.0,
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `client`, or says how long until one is free.
    pub fn take(&mut self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_second == 0.0 {
            return Ok(());
        }
        if self.buckets.len() >= 100_000 {
            self.forget_full(now);
        }
        let (tokens, at) = self
            .buckets
            .entry(bucket_key(client))
            .or_insert((self.burst, now));
        let refilled = (*tokens
            + now.saturating_duration_since(*at).as_secs_f64() * self.per_second)
            .min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / self.per_second))
        }
    }

    /// Drops the buckets that have refilled (their clients are as new).
    fn forget_full(&mut self, now: Instant) {
        let (burst, rate) = (self.burst, self.per_second);
        self.buckets.retain(|_, (tokens, at)| {
            *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = Proxies::parse(&["127.0.0.1".into(), "10.0.0.0/8".into()])
            .unwrap_or_else(|e| panic!("{e}"));
        // Untrusted peer: its header is ignored.
        assert_eq!(
            proxies.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9")
        );
        // Trusted peer: the rightmost untrusted hop.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.1, 10.1.2.3"]),
            ip("198.51.100.1")
        );
        // Two headers, a port, and an IPv4-mapped peer.
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &["6.6.6.6", "198.51.100.7:4711"]),
            ip("198.51.100.7")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        // Garbage stops at the last vouched address.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["1.1.1.1, nonsense"]),
            ip("127.0.0.1")
        );
        assert!(Proxies::parse(&["localhost".into()]).is_err());
    }

    #[test]
    fn buckets_allow_a_burst_then_the_rate() {
        let mut limiter = Limiter::new(3, 3600);
        let t = Instant::now();
        let a = ip("198.51.100.1");
        for _ in 0..3 {
            assert!(limiter.take(a, t).is_ok());
        }
        let wait = limiter.take(a, t).err();
        assert!(wait.is_some_and(|w| w <= Duration::from_secs(1)));
        // Another client is not affected.
        assert!(limiter.take(ip("198.51.100.2"), t).is_ok());
        // One token a second comes back.
        assert!(limiter.take(a, t + Duration::from_millis(1100)).is_ok());
        // IPv6 neighbours in one /64 share a bucket.
        let mut limiter = Limiter::new(1, 60);
        assert!(limiter.take(ip("2001:db8::1"), t).is_ok());
        assert!(limiter.take(ip("2001:db8::2"), t).is_err());
        assert!(limiter.take(ip("2001:db8:0:1::1"), t).is_ok());
        // Off.
        let mut limiter = Limiter::new(1, 0);
        assert!(limiter.take(a, t).is_ok() && limiter.take(a, t).is_ok());
    }
}
