//! Who is asking: the client's address, for the rate limits and the PIN
//! lockout. It is the TCP peer's address; only when the peer is a reverse
//! proxy the operator named (`--trusted-proxy`) is `X-Forwarded-For`
//! believed, and then the client is the rightmost address in it that is not
//! itself a trusted proxy (the addresses left of it were written by the
//! client and prove nothing). An IPv6 client is its /64, since one host
//! commonly holds a whole /64.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::error::ApiError;
use crate::limits::TrustedProxy;
use crate::AppState;

/// The header a reverse proxy names the client in.
const FORWARDED_FOR: &str = "x-forwarded-for";
/// Most addresses of `X-Forwarded-For` looked at, from the right.
const MAX_FORWARDED: usize = 16;

/// The client's address as the limits key it: IPv4 as it is (also when it
/// comes mapped into IPv6), IPv6 cut to its /64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client `addr` as the limits key it.
    pub fn of(addr: IpAddr) -> ClientAddr {
        match addr {
            IpAddr::V4(v4) => ClientAddr(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientAddr(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientAddr(IpAddr::V6(Ipv6Addr::from(bits)))
                }
            },
        }
    }

    /// The client of a request from `peer` with `headers`, given the
    /// trusted proxies.
    pub fn from_peer(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> ClientAddr {
        let is_trusted = |addr: &IpAddr| trusted.iter().any(|proxy| proxy.contains(addr));
        let mut client = peer;
        if is_trusted(&peer) {
            // Every X-Forwarded-For header, in order, read from the right.
            let forwarded: Vec<&str> = headers
                .get_all(FORWARDED_FOR)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .collect();
            for entry in forwarded.iter().rev().take(MAX_FORWARDED) {
                let Some(addr) = parse_forwarded(entry) else {
                    break;
                };
                client = addr;
                if !is_trusted(&addr) {
                    break;
                }
            }
        }
        ClientAddr::of(client)
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// An address of `X-Forwarded-For`: `192.0.2.1`, `2001:db8::1`, and the
/// forms with a port some proxies write (`192.0.2.1:443`, `[2001:db8::1]:443`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    /// The TCP peer comes from the connection (`ConnectInfo`); a request
    /// without one (a router called directly, in tests) is taken as from
    /// 127.0.0.1.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
        Ok(ClientAddr::from_peer(
            peer,
            &parts.headers,
            &state.limits.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_forwarded_header_from_an_untrusted_peer_is_ignored() {
        let trusted: Vec<TrustedProxy> = vec!["10.0.0.1".parse().unwrap()];
        let client =
            ClientAddr::from_peer(ip("203.0.113.9"), &headers(&["198.51.100.7"]), &trusted);
        assert_eq!(client, ClientAddr(ip("203.0.113.9")));
        let none = ClientAddr::from_peer(ip("10.0.0.1"), &headers(&["198.51.100.7"]), &[]);
        assert_eq!(none, ClientAddr(ip("10.0.0.1")));
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_address() {
        let trusted: Vec<TrustedProxy> = vec![
            "10.0.0.1".parse().unwrap(),
            "172.16.0.0/12".parse().unwrap(),
        ];
        // The client wrote a false first address; the proxies appended theirs.
        let h = headers(&["1.2.3.4, 198.51.100.7", "172.16.5.5"]);
        let client = ClientAddr::from_peer(ip("10.0.0.1"), &h, &trusted);
        assert_eq!(client, ClientAddr(ip("198.51.100.7")));
        // With a port, and garbage further left.
        let h = headers(&["nonsense, [2001:db8:1:2:3::9]:443"]);
        let client = ClientAddr::from_peer(ip("10.0.0.1"), &h, &trusted);
        assert_eq!(client, ClientAddr(ip("2001:db8:1:2::")));
        // Garbage on the right: the proxy itself is the client.
        let h = headers(&["198.51.100.7, nonsense"]);
        let client = ClientAddr::from_peer(ip("10.0.0.1"), &h, &trusted);
        assert_eq!(client, ClientAddr(ip("10.0.0.1")));
    }

    #[test]
    fn ipv6_clients_are_their_64_and_mapped_ipv4_is_ipv4() {
        let a = ClientAddr::of(ip("2001:db8:aa:bb:1:2:3:4"));
        let b = ClientAddr::of(ip("2001:db8:aa:bb:ffff::1"));
        assert_eq!(a, b);
        assert_ne!(a, ClientAddr::of(ip("2001:db8:aa:bc::1")));
        assert_eq!(a.to_string(), "2001:db8:aa:bb::/64");
        assert_eq!(
            ClientAddr::of(ip("::ffff:192.0.2.1")),
            ClientAddr(ip("192.0.2.1"))
        );
    }
}
