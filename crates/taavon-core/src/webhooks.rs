//! The rules of webhook delivery (issue 19), pure: which addresses a subscription may
//! never reach (no SSRF), and the retry schedule.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The Standard Webhooks specification's usual schedule, one entry per attempt: the
/// first at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the attempt before;
/// the delivery is dead when the last fails.
pub const RETRY_SCHEDULE_SECONDS: [i64; 8] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

/// After `attempts` failed attempts, the delay before the next one, or `None` when the
/// schedule is spent (the delivery is dead).
pub fn retry_delay_seconds(schedule: &[i64], attempts: usize) -> Option<i64> {
    schedule.get(attempts).copied()
}

/// Whether a subscription's URL may not reach `address`: loopback, private, shared
/// (carrier-grade NAT), link-local (the cloud metadata address among them), unspecified,
/// multicast and broadcast addresses, and IPv6's equivalents (an IPv4-mapped address
/// judged as its IPv4 address).
pub fn address_forbidden(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_forbidden(v4),
            None => v6_forbidden(v6),
        },
    }
}

fn v4_forbidden(a: Ipv4Addr) -> bool {
    let [first, second, ..] = a.octets();
    a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_multicast()
        || a.is_broadcast()
        || a.is_documentation()
        || first == 0
        || (first == 100 && (64..128).contains(&second))
        || first >= 240
}

fn v6_forbidden(a: Ipv6Addr) -> bool {
    let first = a.segments()[0];
    a.is_loopback()
        || a.is_unspecified()
        || a.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // The AWS metadata service's IPv6 address lies in fd00:ec2::/32 (unique local).
        || a.to_ipv4().is_some_and(|v4| v4.is_unspecified() || v4.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden(text: &str) -> bool {
        address_forbidden(text.parse().unwrap_or_else(|_| panic!("{text}")))
    }

    #[test]
    fn loopback_private_link_local_and_metadata_addresses_are_forbidden() {
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(forbidden(address), "{address}");
        }
        for address in ["8.8.8.8", "185.143.232.1", "2001:4860:4860::8888"] {
            assert!(!forbidden(address), "{address}");
        }
    }

    #[test]
    fn the_schedule_gives_a_delay_per_retry_then_none() {
        assert_eq!(retry_delay_seconds(&RETRY_SCHEDULE_SECONDS, 1), Some(5));
        assert_eq!(retry_delay_seconds(&RETRY_SCHEDULE_SECONDS, 7), Some(36000));
        assert_eq!(retry_delay_seconds(&RETRY_SCHEDULE_SECONDS, 8), None);
    }
}
