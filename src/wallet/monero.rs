//! Monero addresses: Monero's base58 variant (8-byte blocks each written as
//! 11 characters, the last partial block shorter), a varint network byte,
//! the public spend and view keys (plus a payment id for integrated
//! addresses), and the first 4 bytes of Keccak-256 as checksum.

use super::keccak::keccak256;
use super::{AddressKind, Network};

const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Characters needed for a block of n bytes, n = 0..=8.
const ENCODED_BLOCK: [usize; 9] = [0, 2, 3, 5, 6, 7, 9, 10, 11];

fn digit(b: u8) -> Option<u64> {
    ALPHABET.iter().position(|&c| c == b).map(|p| p as u64)
}

/// Decodes Monero base58; `None` on a bad character, length or overflow.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let full = b.len() / 11;
    let last = ENCODED_BLOCK.iter().position(|&n| n == b.len() % 11)?;
    let mut out = Vec::with_capacity(full * 8 + last);
    for (i, block) in b.chunks(11).enumerate() {
        let n = if i < full { 8 } else { last };
        let mut v: u128 = 0;
        for &c in block {
            v = v * 58 + u128::from(digit(c)?);
        }
        if v >> (8 * n) != 0 {
            return None;
        }
        out.extend_from_slice(&v.to_be_bytes()[16 - n..]);
    }
    Some(out)
}

/// Encodes Monero base58 (tests).
#[cfg(test)]
pub(crate) fn encode(data: &[u8]) -> String {
    let mut s = String::new();
    for block in data.chunks(8) {
        let mut v: u128 = 0;
        for &b in block {
            v = (v << 8) | u128::from(b);
        }
        let n = ENCODED_BLOCK[block.len()];
        let mut chars = vec![b'1'; n];
        for c in chars.iter_mut().rev() {
            *c = ALPHABET[(v % 58) as usize];
            v /= 58;
        }
        s.push_str(std::str::from_utf8(&chars).expect("ascii"));
    }
    s
}

/// Why a Monero-shaped string is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    Shape,
    Checksum,
    NetworkByte,
}

/// Validates a 95-character standard/subaddress or 106-character integrated
/// address.
pub(crate) fn validate(s: &str) -> Result<(AddressKind, Network), Error> {
    let expect_len = match s.len() {
        95 => 69,
        106 => 77,
        _ => return Err(Error::Shape),
    };
    let d = decode(s).ok_or(Error::Shape)?;
    if d.len() != expect_len {
        return Err(Error::Shape);
    }
    let (body, sum) = d.split_at(d.len() - 4);
    if keccak256(body)[..4] != *sum {
        return Err(Error::Checksum);
    }
    // Network bytes (all single-byte varints): mainnet 18/19/42,
    // testnet 53/54/63, stagenet 24/25/36.
    let (kind, net) = match body[0] {
        18 => (AddressKind::Standard, Network::Mainnet),
        19 => (AddressKind::Integrated, Network::Mainnet),
        42 => (AddressKind::Subaddress, Network::Mainnet),
        53 | 24 => (AddressKind::Standard, Network::Testnet),
        54 | 25 => (AddressKind::Integrated, Network::Testnet),
        63 | 36 => (AddressKind::Subaddress, Network::Testnet),
        _ => return Err(Error::NetworkByte),
    };
    if (kind == AddressKind::Integrated) != (expect_len == 77) {
        return Err(Error::NetworkByte);
    }
    Ok((kind, net))
}

/// Builds a valid address from a network byte and key material (tests).
#[cfg(test)]
pub(crate) fn build(net_byte: u8, keys: &[u8]) -> String {
    let mut body = vec![net_byte];
    body.extend_from_slice(keys);
    let sum = keccak256(&body);
    body.extend_from_slice(&sum[..4]);
    encode(&body)
}
