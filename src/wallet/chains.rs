//! Address validation per chain. Every function here takes one complete
//! candidate string (already reassembled and folded by the scanner) and says
//! whether it is a checksum-valid address, and if so its canonical form.

use bitcoin::address::{Address, AddressType, NetworkUnchecked};
use bitcoin::base58;
use bitcoin::bech32::primitives::decode::SegwitHrpstringError;
use bitcoin::bech32::segwit;

use super::keccak::keccak256;
use super::{cashaddr, monero};
use super::{AddressKind, Chain, Network};

/// A validated address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Valid {
    pub chain: Chain,
    pub kind: AddressKind,
    pub network: Network,
    /// Canonical form: bech32 and cashaddr lower-case (cashaddr with its
    /// prefix), Ethereum EIP-55 checksummed, base58 as written.
    pub canonical: String,
    /// False when nothing but the shape was checked: an all-lower or
    /// all-upper Ethereum address carries no checksum.
    pub checksummed: bool,
}

/// Why a wallet-shaped string is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reject {
    /// Wrong length, alphabet or mixed case.
    Shape,
    /// The checksum does not match.
    Checksum,
    /// Mixed-case Ethereum address whose case does not match EIP-55.
    Eip55,
    /// Checksum-valid, but a version byte no supported chain uses.
    Version,
    /// Checksum-valid, but an unknown Monero network byte.
    NetworkByte,
    /// Checksum-valid bech32 with an unknown human-readable part.
    Hrp,
}

impl Reject {
    /// The `reason` of a [`super::WalletLike`].
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Reject::Shape => "malformed",
            Reject::Checksum => "checksum mismatch",
            Reject::Eip55 => "EIP-55 checksum mismatch",
            Reject::Version => "unknown version byte",
            Reject::NetworkByte => "unknown network byte",
            Reject::Hrp => "unknown bech32 prefix",
        }
    }
}

fn ok(
    chain: Chain,
    kind: AddressKind,
    network: Network,
    canonical: String,
) -> Result<Valid, Reject> {
    Ok(Valid {
        chain,
        kind,
        network,
        canonical,
        checksummed: true,
    })
}

/// Validates any supported address form.
pub(crate) fn validate(s: &str) -> Result<Valid, Reject> {
    let b = s.as_bytes();
    if b.len() > 2 && (s.starts_with("0x") || s.starts_with("0X")) {
        return ethereum(s);
    }
    if let Some((prefix, payload)) = s.split_once(':') {
        return cash(payload, Some(prefix));
    }
    let mut best = Reject::Shape;
    if bech32_hrp_len(s).is_some() {
        match bech32(s) {
            Ok(v) => return Ok(v),
            Err(e) => best = e,
        }
    }
    if matches!(b.first(), Some(b'q' | b'p' | b'Q' | b'P')) && matches!(b.len(), 42 | 61) {
        match cash(s, None) {
            Ok(v) => return Ok(v),
            Err(e) => best = best.min_reject(e),
        }
    }
    if matches!(b.len(), 95 | 106) {
        return xmr(s);
    }
    if (25..=35).contains(&b.len()) {
        match base58check(s) {
            Ok(v) => return Ok(v),
            Err(e) => best = best.min_reject(e),
        }
    }
    Err(best)
}

impl Reject {
    /// The more informative of two reasons.
    fn min_reject(self, other: Reject) -> Reject {
        if self == Reject::Shape {
            other
        } else {
            self
        }
    }
}

/// Length of the human-readable part plus separator when `s` starts with a
/// supported segwit prefix (either case).
pub(crate) fn bech32_hrp_len(s: &str) -> Option<usize> {
    const HRPS: [&str; 6] = ["bc1", "tb1", "bcrt1", "ltc1", "tltc1", "rltc1"];
    let b = s.as_bytes();
    HRPS.iter()
        .find(|h| b.len() > h.len() && b[..h.len()].eq_ignore_ascii_case(h.as_bytes()))
        .map(|h| h.len())
}

/// Base58check: Bitcoin (through the `bitcoin` crate), Litecoin, Dogecoin,
/// TRON.
pub(crate) fn base58check(s: &str) -> Result<Valid, Reject> {
    let data = match base58::decode_check(s) {
        Ok(d) => d,
        Err(base58::Error::IncorrectChecksum(_)) => return Err(Reject::Checksum),
        Err(_) => return Err(Reject::Shape),
    };
    if data.len() != 21 {
        return Err(Reject::Version);
    }
    use AddressKind::{P2pkh, P2sh};
    use Chain::*;
    use Network::*;
    let (chain, kind, net) = match data[0] {
        0x00 | 0x05 | 0x6f | 0xc4 => return bitcoin_base58(s, &data),
        0x30 => (Litecoin, P2pkh, Mainnet),
        0x32 => (Litecoin, P2sh, Mainnet),
        0x3a => (Litecoin, P2sh, Testnet),
        0x1e => (Dogecoin, P2pkh, Mainnet),
        0x16 => (Dogecoin, P2sh, Mainnet),
        0x41 => (Tron, AddressKind::Account, Mainnet),
        _ => return Err(Reject::Version),
    };
    ok(chain, kind, net, s.to_string())
}

/// Bitcoin base58 from its already checked payload (version + hash160),
/// built as a `bitcoin::Address` rather than decoded a second time.
fn bitcoin_base58(s: &str, data: &[u8]) -> Result<Valid, Reject> {
    use bitcoin::hashes::Hash;
    use bitcoin::{NetworkKind, PubkeyHash, ScriptHash};
    let hash: [u8; 20] = data[1..].try_into().map_err(|_| Reject::Version)?;
    let (net, network) = match data[0] {
        0x00 | 0x05 => (NetworkKind::Main, Network::Mainnet),
        _ => (NetworkKind::Test, Network::Testnet),
    };
    let (a, kind) = match data[0] {
        0x00 | 0x6f => (
            Address::p2pkh(PubkeyHash::from_byte_array(hash), net),
            AddressKind::P2pkh,
        ),
        _ => (
            Address::p2sh_from_hash(ScriptHash::from_byte_array(hash), net),
            AddressKind::P2sh,
        ),
    };
    let canonical = a.to_string();
    debug_assert_eq!(canonical, s);
    ok(Chain::Bitcoin, kind, network, canonical)
}

/// Bitcoin, any form, through the `bitcoin` crate.
fn bitcoin(s: &str) -> Result<Valid, Reject> {
    let a: Address<NetworkUnchecked> = s.parse().map_err(|_| Reject::Checksum)?;
    let network = if a.is_valid_for_network(bitcoin::Network::Bitcoin) {
        Network::Mainnet
    } else {
        Network::Testnet
    };
    let a = a.assume_checked();
    let kind = match a.address_type() {
        Some(AddressType::P2pkh) => AddressKind::P2pkh,
        Some(AddressType::P2sh) => AddressKind::P2sh,
        Some(AddressType::P2wpkh) => AddressKind::P2wpkh,
        Some(AddressType::P2wsh) => AddressKind::P2wsh,
        Some(AddressType::P2tr) => AddressKind::P2tr,
        Some(AddressType::P2a) => AddressKind::P2a,
        _ => AddressKind::WitnessUnknown,
    };
    ok(Chain::Bitcoin, kind, network, a.to_string())
}

/// Segwit bech32 / bech32m (BIP 173, BIP 350): Bitcoin and Litecoin.
pub(crate) fn bech32(s: &str) -> Result<Valid, Reject> {
    let (hrp, version, program) = match segwit::decode(s) {
        Ok(d) => d,
        Err(e) if matches!(e.0, SegwitHrpstringError::Checksum(_)) => return Err(Reject::Checksum),
        Err(_) => return Err(Reject::Shape),
    };
    let (chain, network) = match hrp.as_str().to_ascii_lowercase().as_str() {
        "bc" => return bitcoin(s),
        "tb" | "bcrt" => return bitcoin(s),
        "ltc" => (Chain::Litecoin, Network::Mainnet),
        "tltc" | "rltc" => (Chain::Litecoin, Network::Testnet),
        _ => return Err(Reject::Hrp),
    };
    let kind = match (version.to_u8(), program.len()) {
        (0, 20) => AddressKind::P2wpkh,
        (0, 32) => AddressKind::P2wsh,
        (1, 32) => AddressKind::P2tr,
        _ => AddressKind::WitnessUnknown,
    };
    ok(chain, kind, network, s.to_ascii_lowercase())
}

/// Bitcoin Cash cashaddr; without a written prefix, `bitcoincash` then the
/// test prefixes are tried.
pub(crate) fn cash(payload: &str, prefix: Option<&str>) -> Result<Valid, Reject> {
    let mut best = Reject::Shape;
    for (pre, main) in cashaddr::PREFIXES {
        if let Some(p) = prefix {
            if !p.eq_ignore_ascii_case(pre) {
                continue;
            }
        }
        let written = prefix.unwrap_or(if payload.bytes().any(|b| b.is_ascii_uppercase()) {
            // A prefix-less upper-case payload is checked under the upper-case prefix.
            match pre {
                "bitcoincash" => "BITCOINCASH",
                "bchtest" => "BCHTEST",
                _ => "BCHREG",
            }
        } else {
            pre
        });
        match cashaddr::decode(written, payload) {
            Ok(d) => {
                let kind = if d.p2sh {
                    AddressKind::P2sh
                } else {
                    AddressKind::P2pkh
                };
                let net = if main {
                    Network::Mainnet
                } else {
                    Network::Testnet
                };
                let canonical = format!("{pre}:{}", payload.to_ascii_lowercase());
                return ok(Chain::BitcoinCash, kind, net, canonical);
            }
            Err(cashaddr::Error::Checksum) => best = best.min_reject(Reject::Checksum),
            Err(cashaddr::Error::Version) => return Err(Reject::Version),
            Err(cashaddr::Error::Shape) => {}
        }
    }
    Err(best)
}

/// Ethereum (and ERC-20 tokens): `0x` + 40 hex digits. Mixed case must be
/// the EIP-55 checksum; all-lower and all-upper carry none and are
/// accepted as such.
pub(crate) fn ethereum(s: &str) -> Result<Valid, Reject> {
    let b = s.as_bytes();
    if b.len() != 42
        || !(s.starts_with("0x") || s.starts_with("0X"))
        || !b[2..].iter().all(u8::is_ascii_hexdigit)
    {
        return Err(Reject::Shape);
    }
    let hex = &s[2..];
    let canonical = eip55(hex);
    let has_lower = hex.bytes().any(|c| c.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|c| c.is_ascii_uppercase());
    let mixed = has_lower && has_upper;
    if mixed && canonical[2..] != *hex {
        return Err(Reject::Eip55);
    }
    Ok(Valid {
        chain: Chain::Ethereum,
        kind: AddressKind::Account,
        network: Network::Mainnet,
        canonical,
        checksummed: mixed,
    })
}

/// The EIP-55 form of 40 hex digits, with `0x`.
fn eip55(hex: &str) -> String {
    let lower = hex.to_ascii_lowercase();
    let hash = keccak256(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

/// Monero.
pub(crate) fn xmr(s: &str) -> Result<Valid, Reject> {
    match monero::validate(s) {
        Ok((kind, net)) => ok(Chain::Monero, kind, net, s.to_string()),
        Err(monero::Error::Shape) => Err(Reject::Shape),
        Err(monero::Error::Checksum) => Err(Reject::Checksum),
        Err(monero::Error::NetworkByte) => Err(Reject::NetworkByte),
    }
}
