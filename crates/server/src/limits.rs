//! Rate limits per client address and for everyone together, on what a
//! stranger can ask for without credentials: keys the server has not
//! verified before, PIN tries and case filing. Each is a GCRA limiter
//! (`governor`): a client may spend its whole minute's allowance at once,
//! then one more as each share of the minute passes. A refused request is
//! answered 429 with `Retry-After` before any work is done for it.
//!
//! The per-client state is bounded: entries that are back to a full
//! allowance are dropped every so often, and when [`MAX_CLIENTS`] addresses
//! are still held, requests from new addresses are refused as if the global
//! limit had been reached.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::client::ClientAddr;
use crate::error::ApiError;
use crate::AppState;

/// Most client addresses each limiter holds at once.
pub const MAX_CLIENTS: usize = 100_000;
/// The per-client state is pruned once every this many checks.
const PRUNE_EVERY: u64 = 1024;

/// Requests per minute allowed to one client and to everyone together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Per client address (an IPv6 client is its /64).
    pub per_client: u32,
    /// From all clients together.
    pub global: u32,
}

/// Keys not verified before, per minute, by default: a platform's key is
/// verified once and then cached, so this counts wrong keys.
pub const DEFAULT_KEY_TRIES: Rate = Rate {
    per_client: 10,
    global: 600,
};
/// PIN tries per minute by default.
pub const DEFAULT_PIN_TRIES: Rate = Rate {
    per_client: 10,
    global: 600,
};
/// Case filings (new cases and added hashes) per minute by default.
pub const DEFAULT_FILINGS: Rate = Rate {
    per_client: 5,
    global: 300,
};

/// The limits of one server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Requests with a platform key the server has not verified before.
    pub key_tries: Rate,
    /// Requests with a case number and PIN.
    pub pin_tries: Rate,
    /// `POST /v1/cases` and `POST /v1/cases/{number}/hashes`.
    pub filings: Rate,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            key_tries: DEFAULT_KEY_TRIES,
            pin_tries: DEFAULT_PIN_TRIES,
            filings: DEFAULT_FILINGS,
            trusted_proxies: Vec::new(),
        }
    }
}

/// An address or network (`10.0.0.1`, `10.0.0.0/8`, `fd00::/8`) of reverse
/// proxies in front of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedProxy(pub IpNet);

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if let Ok(net) = text.parse::<IpNet>() {
            return Ok(TrustedProxy(net.trunc()));
        }
        text.parse::<IpAddr>()
            .map(|addr| TrustedProxy(IpNet::from(addr)))
            .map_err(|_| format!("{text:?} is not an address or a network (ADDR or ADDR/LEN)"))
    }
}

impl TrustedProxy {
    /// Whether `addr` is this proxy (or in this network).
    pub fn contains(&self, addr: &IpAddr) -> bool {
        self.0.contains(addr)
    }
}

/// The limiters of a running server.
pub(crate) struct Limiters {
    pub(crate) key_tries: Limiter,
    pub(crate) pin_tries: Limiter,
    pub(crate) filings: Limiter,
    pub(crate) trusted_proxies: Vec<TrustedProxy>,
}

impl Limiters {
    pub(crate) fn new(limits: &Limits) -> Limiters {
        Limiters {
            key_tries: Limiter::new("platform key tries", limits.key_tries),
            pin_tries: Limiter::new("PIN tries", limits.pin_tries),
            filings: Limiter::new("case filings", limits.filings),
            trusted_proxies: limits.trusted_proxies.clone(),
        }
    }
}

/// One kind of request, limited per client and globally.
pub(crate) struct Limiter {
    what: &'static str,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    global: DefaultDirectRateLimiter,
    checks: AtomicU64,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"))
}

impl Limiter {
    fn new(what: &'static str, rate: Rate) -> Limiter {
        Limiter {
            what,
            per_client: RateLimiter::keyed(per_minute(rate.per_client)),
            global: RateLimiter::direct(per_minute(rate.global)),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one request of `client` from the allowances, or answers 429.
    /// The client's own allowance is asked first, so that a client over its
    /// limit does not spend everyone's.
    pub(crate) fn check(&self, client: &ClientAddr) -> Result<(), ApiError> {
        let clock = DefaultClock::default();
        let full = || self.per_client.len() >= MAX_CLIENTS;
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
            || full()
        {
            self.per_client.retain_recent();
            self.per_client.shrink_to_fit();
            if full() {
                return Err(limited(self.what, Duration::from_secs(1), "everyone"));
            }
        }
        if let Err(not_until) = self.per_client.check_key(&client.0) {
            let wait = not_until.wait_time_from(clock.now());
            return Err(limited(self.what, wait, "your address"));
        }
        if let Err(not_until) = self.global.check() {
            let wait = not_until.wait_time_from(clock.now());
            return Err(limited(self.what, wait, "everyone"));
        }
        Ok(())
    }

    /// Client addresses held.
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.per_client.len()
    }
}

fn limited(what: &str, wait: Duration, whom: &str) -> ApiError {
    ApiError {
        retry_after: Some(wait.max(Duration::from_secs(1))),
        ..ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many {what} from {whom}; try again later"),
        )
    }
}

/// A PIN try allowed by the limits, from this client.
pub(crate) struct PinTry(pub ClientAddr);

impl FromRequestParts<AppState> for PinTry {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client = ClientAddr::from_request_parts(parts, state).await?;
        state.limits.pin_tries.check(&client)?;
        Ok(PinTry(client))
    }
}

/// A filing allowed by the limits (checked before the body is read).
pub(crate) struct Filing;

impl FromRequestParts<AppState> for Filing {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client = ClientAddr::from_request_parts(parts, state).await?;
        state.limits.filings.check(&client)?;
        Ok(Filing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(text: &str) -> ClientAddr {
        ClientAddr(text.parse().unwrap())
    }

    #[test]
    fn a_client_over_its_limit_is_refused_with_a_wait() {
        let limiter = Limiter::new(
            "tries",
            Rate {
                per_client: 3,
                global: 100,
            },
        );
        for _ in 0..3 {
            limiter.check(&client("192.0.2.1")).unwrap();
        }
        let refused = limiter.check(&client("192.0.2.1")).unwrap_err();
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.code, "rate_limited");
        let wait = refused.retry_after.unwrap();
        assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(20));
        // Another client is not held back.
        limiter.check(&client("192.0.2.2")).unwrap();
    }

    #[test]
    fn the_global_limit_holds_whatever_the_addresses() {
        let limiter = Limiter::new(
            "tries",
            Rate {
                per_client: 100,
                global: 5,
            },
        );
        for i in 0..5 {
            limiter.check(&client(&format!("192.0.2.{i}"))).unwrap();
        }
        let refused = limiter.check(&client("198.51.100.1")).unwrap_err();
        assert!(refused.message.contains("everyone"), "{}", refused.message);
    }

    #[test]
    fn a_client_refused_does_not_spend_the_global_allowance() {
        let limiter = Limiter::new(
            "tries",
            Rate {
                per_client: 2,
                global: 4,
            },
        );
        for _ in 0..50 {
            let _ = limiter.check(&client("192.0.2.1"));
        }
        limiter.check(&client("192.0.2.2")).unwrap();
        limiter.check(&client("192.0.2.3")).unwrap();
        assert_eq!(limiter.clients(), 3);
    }

    #[test]
    fn trusted_proxies_parse_as_addresses_and_networks() {
        let one: TrustedProxy = "10.0.0.1".parse().unwrap();
        assert!(one.contains(&"10.0.0.1".parse().unwrap()));
        assert!(!one.contains(&"10.0.0.2".parse().unwrap()));
        let net: TrustedProxy = "10.1.2.3/16".parse().unwrap();
        assert!(net.contains(&"10.1.200.1".parse().unwrap()));
        let v6: TrustedProxy = "fd00::/8".parse().unwrap();
        assert!(v6.contains(&"fd12::1".parse().unwrap()));
        assert!("proxy.example".parse::<TrustedProxy>().is_err());
    }
}
