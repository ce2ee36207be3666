//! The address a request comes from, for the login throttle and the per-address rate
//! limit: one rule for both.
//!
//! Without a configured proxy it is the peer's address, and `X-Forwarded-For` is ignored
//! (anyone can send it). Behind proxies listed in `trusted_proxies`, and only for
//! requests whose peer is one of them, it is read from `X-Forwarded-For`: each proxy
//! appends the address it received the request from, so the list is walked from the
//! right, past our own proxies, to the first address that is not one of them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use taavon_app::AppError;
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

use crate::error::ApiError;
use crate::state::AppState;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address, by `client_address`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The client's address of a request from `peer` with these headers.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // An entry that is not an address ends the walk at the last proxy we trust.
        let Ok(address) = hop.parse::<IpAddr>() else {
            break;
        };
        client = address.to_canonical();
        if !trusted_proxies.contains(&client) {
            break;
        }
    }
    client
}

fn peer_of(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = peer_of(&parts.extensions).ok_or_else(|| {
            ApiError(AppError::Internal(
                "the server was started without the peer's address".into(),
            ))
        })?;
        Ok(Self(client_address(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

/// The per-address rate limit's key: the client's address by the same rule, throttled as
/// the login throttle counts it (an IPv6 address by its /64).
#[derive(Clone, Debug)]
pub struct ClientKeyExtractor {
    pub trusted_proxies: std::sync::Arc<[IpAddr]>,
}

impl KeyExtractor for ClientKeyExtractor {
    type Key = IpAddr;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = peer_of(request.extensions()).ok_or(GovernorError::UnableToExtractKey)?;
        Ok(taavon_app::auth::throttle_source(client_address(
            peer,
            request.headers(),
            &self.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded_for: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded_for {
            headers.append(FORWARDED_FOR, value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_a_trusted_proxy_the_forwarded_header_is_ignored() {
        // Establishes that a client cannot choose its own address by sending the header.
        let spoofed = headers(&["203.0.113.9"]);
        assert_eq!(
            client_address(ip("198.51.100.1"), &spoofed, &[]),
            ip("198.51.100.1")
        );
        let proxies = [ip("10.0.0.1")];
        assert_eq!(
            client_address(ip("198.51.100.1"), &spoofed, &proxies),
            ip("198.51.100.1"),
            "a peer that is not our proxy is its own address"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        // Establishes the walk: entries a client prepended are not believed, our proxies
        // are skipped, a malformed entry stops the walk, no header means the proxy itself.
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        let forwarded = headers(&["6.6.6.6, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &forwarded, &proxies),
            ip("203.0.113.9")
        );
        let malformed = headers(&["203.0.113.9, garbage"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &malformed, &proxies),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
        let mapped = ip("::ffff:10.0.0.1");
        assert_eq!(
            client_address(mapped, &headers(&["2001:db8::7"]), &proxies),
            ip("2001:db8::7")
        );
    }
}
