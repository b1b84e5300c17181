//! SSRF guard: which IP addresses harvest refuses to connect to, and a DNS resolver that
//! filters them out so the address that was checked is the address that is connected to.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::{Error, Result};

/// The special-purpose range `ip` belongs to, or `None` for an ordinary public address.
///
/// IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4, Teredo) are judged by
/// the IPv4 address they carry.
///
/// ```
/// use harvest_core::scrape::ssrf::special_range;
/// assert_eq!(special_range("10.1.2.3".parse().unwrap()).as_deref(), Some("private (10.0.0.0/8)"));
/// assert_eq!(special_range("93.184.216.34".parse().unwrap()), None);
/// ```
pub fn special_range(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => v4_range(v4).map(str::to_string),
        IpAddr::V6(v6) => v6_range(v6),
    }
}

fn v4_range(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    let n = u32::from(ip);
    let in_net = |base: [u8; 4], bits: u32| {
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        n & mask == u32::from(Ipv4Addr::from(base)) & mask
    };
    Some(match () {
        _ if n == u32::MAX => "broadcast (255.255.255.255)",
        _ if in_net([0, 0, 0, 0], 8) => "unspecified (0.0.0.0/8)",
        _ if in_net([10, 0, 0, 0], 8) => "private (10.0.0.0/8)",
        _ if in_net([100, 64, 0, 0], 10) => "carrier-grade NAT (100.64.0.0/10)",
        _ if o[0] == 127 => "loopback (127.0.0.0/8)",
        _ if in_net([169, 254, 0, 0], 16) => "link-local (169.254.0.0/16)",
        _ if in_net([172, 16, 0, 0], 12) => "private (172.16.0.0/12)",
        _ if in_net([192, 0, 0, 0], 24) => "IETF protocol assignments (192.0.0.0/24)",
        _ if in_net([192, 0, 2, 0], 24) => "documentation (192.0.2.0/24)",
        _ if in_net([192, 88, 99, 0], 24) => "6to4 relay anycast (192.88.99.0/24)",
        _ if in_net([192, 168, 0, 0], 16) => "private (192.168.0.0/16)",
        _ if in_net([198, 18, 0, 0], 15) => "benchmarking (198.18.0.0/15)",
        _ if in_net([198, 51, 100, 0], 24) => "documentation (198.51.100.0/24)",
        _ if in_net([203, 0, 113, 0], 24) => "documentation (203.0.113.0/24)",
        _ if in_net([224, 0, 0, 0], 4) => "multicast (224.0.0.0/4)",
        _ if in_net([240, 0, 0, 0], 4) => "reserved (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_range(ip: Ipv6Addr) -> Option<String> {
    let s = ip.segments();
    let n = u128::from(ip);
    let in_net = |base: Ipv6Addr, bits: u32| {
        let mask = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        n & mask == u128::from(base) & mask
    };
    let v4_at = |shift: u32| Ipv4Addr::from((n >> shift) as u32);
    let embedded =
        |v4: Ipv4Addr, form: &str| v4_range(v4).map(|r| format!("{r} embedded in {form} {ip}"));
    if ip.is_unspecified() {
        return Some("unspecified (::/128)".into());
    }
    if ip.is_loopback() {
        return Some("loopback (::1/128)".into());
    }
    if in_net(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96) {
        return embedded(v4_at(0), "IPv4-mapped IPv6 (::ffff:0:0/96)");
    }
    if in_net(Ipv6Addr::UNSPECIFIED, 96) {
        return embedded(v4_at(0), "IPv4-compatible IPv6 (::/96)")
            .or_else(|| Some("deprecated IPv4-compatible IPv6 (::/96)".into()));
    }
    if in_net(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96) {
        return embedded(v4_at(0), "NAT64 (64:ff9b::/96)");
    }
    if in_net(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48) {
        return Some("local-use NAT64 (64:ff9b:1::/48)".into());
    }
    if in_net(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64) {
        return Some("discard-only (100::/64)".into());
    }
    if in_net(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32) {
        // Teredo carries the server address in bits 32..64 and the client address,
        // bit-inverted, in the last 32 bits.
        let server = v4_at(64);
        let client = Ipv4Addr::from(!(n as u32));
        return embedded(client, "Teredo (2001::/32)")
            .or_else(|| embedded(server, "Teredo (2001::/32)"));
    }
    if in_net(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32) {
        return Some("documentation (2001:db8::/32)".into());
    }
    if in_net(Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0), 48) {
        return Some("benchmarking (2001:2::/48)".into());
    }
    if in_net(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        return embedded(v4_at(80), "6to4 (2002::/16)");
    }
    if in_net(Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20) {
        return Some("documentation (3fff::/20)".into());
    }
    if s[0] & 0xfe00 == 0xfc00 {
        return Some("unique-local (fc00::/7)".into());
    }
    if s[0] & 0xffc0 == 0xfe80 {
        return Some("link-local (fe80::/10)".into());
    }
    if s[0] & 0xffc0 == 0xfec0 {
        return Some("site-local (fec0::/10)".into());
    }
    if s[0] & 0xff00 == 0xff00 {
        return Some("multicast (ff00::/8)".into());
    }
    None
}

/// Which special addresses a scraper may connect to anyway.
///
/// ```
/// use harvest_core::scrape::ssrf::AddressPolicy;
/// let policy = AddressPolicy { allowed_networks: vec!["10.1.0.0/16".parse().unwrap()], ..Default::default() };
/// assert_eq!(policy.refusal("10.1.2.3".parse().unwrap()), None);
/// assert_eq!(policy.refusal("10.2.0.1".parse().unwrap()).as_deref(), Some("private (10.0.0.0/8)"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Every address is allowed (local use and tests).
    pub allow_private: bool,
    /// These networks are allowed even though they are special (an integrator's own hosts).
    pub allowed_networks: Vec<ipnet::IpNet>,
}

impl AddressPolicy {
    /// The special range that makes `ip` refused under this policy, if any.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        if self.allow_private || self.allowed_networks.iter().any(|n| n.contains(&ip)) {
            return None;
        }
        special_range(ip)
    }
}

/// Refuses URLs harvest must not fetch: non-http(s) schemes always, literal IP hosts in a
/// special range unless the policy allows them. Host names are checked later, by
/// [`GuardedResolver`], on the addresses DNS returns.
pub fn check_url(url: &Url, policy: &AddressPolicy) -> Result<()> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: format!(
                "scheme `{}` is not allowed (only http and https; read local files with read_file)",
                url.scheme()
            ),
        });
    }
    let ip = match url.host() {
        None => {
            return Err(Error::InvalidUrl {
                url: url.to_string(),
                reason: "no host".into(),
            })
        }
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
    };
    match policy.refusal(ip) {
        Some(range) => Err(Error::PrivateAddress {
            host: url.host_str().unwrap_or_default().to_string(),
            addr: ip.to_string(),
            range,
        }),
        None => Ok(()),
    }
}

/// The error [`GuardedResolver`] hands to reqwest; the scraper finds it again in the
/// error chain and turns it into [`Error::PrivateAddress`].
#[derive(Debug, Clone)]
pub(crate) struct PrivateAddressRefused {
    pub host: String,
    pub addr: String,
    pub range: String,
}

impl fmt::Display for PrivateAddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} resolves to {} ({})",
            self.host, self.addr, self.range
        )
    }
}

impl std::error::Error for PrivateAddressRefused {}

impl PrivateAddressRefused {
    /// Looks for a refusal anywhere in an error's source chain.
    pub(crate) fn find(err: &(dyn std::error::Error + 'static)) -> Option<Self> {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cur {
            if let Some(r) = e.downcast_ref::<PrivateAddressRefused>() {
                return Some(r.clone());
            }
            cur = e.source();
        }
        None
    }
}

/// A reqwest DNS resolver that resolves with tokio and drops special-range addresses.
///
/// reqwest connects only to the addresses this returns, so there is no window between the
/// check and the connection for a second DNS answer to slip in (no DNS rebinding).
#[derive(Debug, Clone, Default)]
pub(crate) struct GuardedResolver {
    pub policy: AddressPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let policy = self.policy.clone();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let mut public = Vec::with_capacity(resolved.len());
            for addr in resolved {
                match policy.refusal(addr.ip()) {
                    None => public.push(addr),
                    Some(range) => {
                        refused.get_or_insert((addr.ip(), range));
                    }
                }
            }
            if public.is_empty() {
                if let Some((ip, range)) = refused {
                    return Err(Box::new(PrivateAddressRefused {
                        host,
                        addr: ip.to_string(),
                        range,
                    })
                        as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_form_is_refused_and_public_addresses_pass() {
        let refused = [
            ("127.0.0.1", "loopback (127.0.0.0/8)"),
            ("10.0.0.1", "private (10.0.0.0/8)"),
            ("172.16.5.4", "private (172.16.0.0/12)"),
            ("192.168.1.1", "private (192.168.0.0/16)"),
            ("169.254.169.254", "link-local (169.254.0.0/16)"),
            ("100.64.0.1", "carrier-grade NAT (100.64.0.0/10)"),
            ("0.0.0.0", "unspecified (0.0.0.0/8)"),
            ("255.255.255.255", "broadcast (255.255.255.255)"),
            ("224.0.0.1", "multicast (224.0.0.0/4)"),
            ("192.0.2.1", "documentation (192.0.2.0/24)"),
            ("198.51.100.7", "documentation (198.51.100.0/24)"),
            ("203.0.113.9", "documentation (203.0.113.0/24)"),
            ("198.18.0.1", "benchmarking (198.18.0.0/15)"),
            ("198.19.255.255", "benchmarking (198.18.0.0/15)"),
            ("240.0.0.1", "reserved (240.0.0.0/4)"),
            ("::1", "loopback (::1/128)"),
            ("::", "unspecified (::/128)"),
            ("fc00::1", "unique-local (fc00::/7)"),
            ("fd12:3456::1", "unique-local (fc00::/7)"),
            ("fe80::1", "link-local (fe80::/10)"),
            ("ff02::1", "multicast (ff00::/8)"),
            ("2001:db8::1", "documentation (2001:db8::/32)"),
            ("::ffff:127.0.0.1", "loopback (127.0.0.0/8) embedded in IPv4-mapped IPv6 (::ffff:0:0/96) ::ffff:127.0.0.1"),
            ("::ffff:10.0.0.1", "private (10.0.0.0/8) embedded in IPv4-mapped IPv6 (::ffff:0:0/96) ::ffff:10.0.0.1"),
            ("::127.0.0.1", "loopback (127.0.0.0/8) embedded in IPv4-compatible IPv6 (::/96) ::7f00:1"),
            ("64:ff9b::a9fe:a9fe", "link-local (169.254.0.0/16) embedded in NAT64 (64:ff9b::/96) 64:ff9b::a9fe:a9fe"),
            ("2002:7f00:1::", "loopback (127.0.0.0/8) embedded in 6to4 (2002::/16) 2002:7f00:1::"),
            ("2002:c0a8:101::1", "private (192.168.0.0/16) embedded in 6to4 (2002::/16) 2002:c0a8:101::1"),
            // Teredo client 127.0.0.1 is stored inverted: 0x80ff_fffe.
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback (127.0.0.0/8) embedded in Teredo (2001::/32) 2001:0:4136:e378:8000:63bf:80ff:fffe"),
        ];
        for (addr, range) in refused {
            let ip: IpAddr = addr.parse().unwrap();
            assert_eq!(special_range(ip).as_deref(), Some(range), "{addr}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(special_range(public.parse().unwrap()), None, "{public}");
        }
    }

    #[test]
    fn odd_ipv4_spellings_normalise_to_loopback_and_are_refused() {
        for spelling in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0x7f000001/",
            "http://[::ffff:7f00:1]/",
        ] {
            let url = Url::parse(spelling).unwrap();
            let err = check_url(&url, &AddressPolicy::default()).unwrap_err();
            assert!(
                matches!(&err, Error::PrivateAddress { range, .. } if range.starts_with("loopback (127.0.0.0/8)")),
                "{spelling}: {err}"
            );
        }
        assert_eq!(
            Url::parse("http://0x7f.1/").unwrap().host_str(),
            Some("127.0.0.1")
        );
    }

    #[test]
    fn non_http_schemes_are_invalid_urls() {
        for u in [
            "file:///etc/passwd",
            "ftp://example.com/",
            "gopher://example.com/",
        ] {
            let err = check_url(
                &Url::parse(u).unwrap(),
                &AddressPolicy {
                    allow_private: true,
                    ..Default::default()
                },
            )
            .unwrap_err();
            assert_eq!(err.code(), "INVALID_URL", "{u}");
        }
    }
}
