//! Rate limiting: token buckets per client address and for the whole
//! server, used on `POST /api/ingest`.
//!
//! A bucket holds up to `burst` tokens and refills at `per_minute` tokens a
//! minute; a request takes one token from its client's bucket and one from
//! the global bucket, or is refused with the time until both have one.
//! IPv6 clients are counted by their /64 network (one host usually holds a
//! whole /64). The table of clients is bounded: buckets that have refilled
//! are forgotten first, and past [`MAX_CLIENTS`] the per-client table is
//! cleared (the global bucket still holds).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most client buckets kept at once.
pub const MAX_CLIENTS: usize = 10_000;

/// One token bucket's shape; `per_minute == 0` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const UNLIMITED: Rate = Rate {
        per_minute: 0,
        burst: 0,
    };

    fn limited(&self) -> bool {
        self.per_minute > 0
    }

    fn capacity(&self) -> f64 {
        f64::from(self.burst.max(1))
    }

    fn per_second(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: &Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: rate.capacity(),
            at: now,
        }
    }

    fn refill(&mut self, rate: &Rate, now: Instant) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate.per_second()).min(rate.capacity());
        self.at = now;
    }

    /// Time until one token is there (zero when one is).
    fn wait(&self, rate: &Rate) -> Duration {
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / rate.per_second())
        }
    }
}

#[derive(Debug)]
struct State {
    global: Bucket,
    clients: HashMap<IpAddr, Bucket>,
}

/// Token buckets per client and global.
#[derive(Debug)]
pub struct Limiter {
    per_client: Rate,
    global: Rate,
    state: Mutex<State>,
}

/// The key a client is counted under: its IPv4 address, or the /64 of its
/// IPv6 address (IPv4-mapped addresses count as IPv4).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl Limiter {
    pub fn new(per_client: Rate, global: Rate) -> Limiter {
        let now = Instant::now();
        Limiter {
            per_client,
            global,
            state: Mutex::new(State {
                global: Bucket::full(&global, now),
                clients: HashMap::new(),
            }),
        }
    }

    /// Take a token for `client` (unknown clients share the global bucket
    /// only); `Err(wait)` when refused, with the time until a retry can
    /// succeed.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let st = &mut *st;
        let mut wait = Duration::ZERO;
        if self.global.limited() {
            st.global.refill(&self.global, now);
            wait = wait.max(st.global.wait(&self.global));
        }
        let key = client.map(client_key);
        if let (Some(key), true) = (key, self.per_client.limited()) {
            if !st.clients.contains_key(&key) && st.clients.len() >= MAX_CLIENTS {
                let rate = self.per_client;
                st.clients.retain(|_, b| {
                    b.refill(&rate, now);
                    b.tokens < rate.capacity()
                });
                if st.clients.len() >= MAX_CLIENTS {
                    st.clients.clear();
                }
            }
            let b = st
                .clients
                .entry(key)
                .or_insert_with(|| Bucket::full(&self.per_client, now));
            b.refill(&self.per_client, now);
            wait = wait.max(b.wait(&self.per_client));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if self.global.limited() {
            st.global.tokens -= 1.0;
        }
        if let (Some(key), true) = (key, self.per_client.limited()) {
            if let Some(b) = st.clients.get_mut(&key) {
                b.tokens -= 1.0;
            }
        }
        Ok(())
    }

    /// How many clients have a bucket now (for tests).
    pub fn clients(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clients
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn burst_then_refill() {
        let l = Limiter::new(
            Rate {
                per_minute: 60,
                burst: 3,
            },
            Rate::UNLIMITED,
        );
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(ip("10.0.0.1"), t0).is_ok());
        }
        let wait = l.check(ip("10.0.0.1"), t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        // Another client has its own bucket.
        assert!(l.check(ip("10.0.0.2"), t0).is_ok());
        // One token a second.
        assert!(l
            .check(ip("10.0.0.1"), t0 + Duration::from_millis(1010))
            .is_ok());
        assert!(l
            .check(ip("10.0.0.1"), t0 + Duration::from_millis(1020))
            .is_err());
    }

    #[test]
    fn the_global_bucket_holds_for_everyone() {
        let l = Limiter::new(
            Rate {
                per_minute: 600,
                burst: 100,
            },
            Rate {
                per_minute: 6,
                burst: 2,
            },
        );
        let t0 = Instant::now();
        assert!(l.check(ip("10.0.0.1"), t0).is_ok());
        assert!(l.check(ip("10.0.0.2"), t0).is_ok());
        let wait = l.check(ip("10.0.0.3"), t0).unwrap_err();
        assert!(wait >= Duration::from_secs(9), "{wait:?}");
        assert!(l.check(None, t0).is_err());
    }

    #[test]
    fn a_refusal_takes_no_token() {
        let l = Limiter::new(
            Rate {
                per_minute: 60,
                burst: 1,
            },
            Rate {
                per_minute: 60,
                burst: 2,
            },
        );
        let t0 = Instant::now();
        assert!(l.check(ip("10.0.0.1"), t0).is_ok());
        // Refused by its own bucket: the global token is not spent.
        assert!(l.check(ip("10.0.0.1"), t0).is_err());
        assert!(l.check(ip("10.0.0.1"), t0).is_err());
        assert!(l.check(ip("10.0.0.2"), t0).is_ok());
    }

    #[test]
    fn ipv6_counts_by_slash_64_and_the_table_is_bounded() {
        let l = Limiter::new(
            Rate {
                per_minute: 1,
                burst: 1,
            },
            Rate::UNLIMITED,
        );
        let t0 = Instant::now();
        assert!(l.check(ip("2001:db8:1:2::1"), t0).is_ok());
        assert!(l.check(ip("2001:db8:1:2:ffff::9"), t0).is_err());
        assert!(l.check(ip("2001:db8:1:3::1"), t0).is_ok());
        assert_eq!(
            client_key("::ffff:10.1.2.3".parse().unwrap()),
            "10.1.2.3".parse::<IpAddr>().unwrap()
        );
        for i in 0..(MAX_CLIENTS as u32 + 50) {
            let _ = l.check(Some(IpAddr::V4(i.into())), t0);
        }
        assert!(l.clients() <= MAX_CLIENTS);
    }

    #[test]
    fn unlimited_never_refuses() {
        let l = Limiter::new(Rate::UNLIMITED, Rate::UNLIMITED);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(l.check(ip("10.0.0.1"), t0).is_ok());
        }
        assert_eq!(l.clients(), 0);
    }
}
