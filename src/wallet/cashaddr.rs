//! Bitcoin Cash addresses (cashaddr), written from the specification
//! (bitcoincashorg `spec/cashaddr.md`): a prefix, `:`, and a base32 payload
//! (bech32's alphabet) ending in a 40-bit BCH-code checksum computed over the
//! prefix's low 5 bits, a zero separator and the payload.

/// Base32 alphabet shared with bech32.
pub(crate) const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// The prefixes a scammer may write or leave out.
pub(crate) const PREFIXES: [(&str, bool); 3] =
    [("bitcoincash", true), ("bchtest", false), ("bchreg", false)];

fn polymod(values: impl Iterator<Item = u8>) -> u64 {
    let mut c: u64 = 1;
    for d in values {
        let c0 = (c >> 35) as u8;
        c = ((c & 0x07_ffff_ffff) << 5) ^ u64::from(d);
        if c0 & 0x01 != 0 {
            c ^= 0x98_f2bc_8e61;
        }
        if c0 & 0x02 != 0 {
            c ^= 0x79_b76d_99e2;
        }
        if c0 & 0x04 != 0 {
            c ^= 0xf3_3e5f_b3c4;
        }
        if c0 & 0x08 != 0 {
            c ^= 0xae_2eab_e2a8;
        }
        if c0 & 0x10 != 0 {
            c ^= 0x1e_4f43_e470;
        }
    }
    c ^ 1
}

fn value(b: u8) -> Option<u8> {
    CHARSET
        .iter()
        .position(|&c| c == b.to_ascii_lowercase())
        .map(|p| p as u8)
}

/// What a valid cashaddr payload says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// true for P2SH, false for P2PKH.
    pub p2sh: bool,
    /// The hash (20 or 32 bytes).
    pub hash: Vec<u8>,
}

/// Why a cashaddr is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    Shape,
    Checksum,
    Version,
}

/// Verifies `payload` (without prefix) under `prefix`.
pub(crate) fn decode(prefix: &str, payload: &str) -> Result<Decoded, Error> {
    let p = payload.as_bytes();
    let all_lower = p.iter().all(|b| !b.is_ascii_uppercase())
        && prefix.bytes().all(|b| !b.is_ascii_uppercase());
    let all_upper = p.iter().all(|b| !b.is_ascii_lowercase())
        && prefix.bytes().all(|b| !b.is_ascii_lowercase());
    if !(all_lower || all_upper) || p.len() < 9 || p.len() > 120 || !prefix.is_ascii() {
        return Err(Error::Shape);
    }
    let mut vals = Vec::with_capacity(p.len());
    for &b in p {
        vals.push(value(b).ok_or(Error::Shape)?);
    }
    let pre = prefix.bytes().map(|b| b & 0x1f);
    if polymod(pre.chain(std::iter::once(0)).chain(vals.iter().copied())) != 0 {
        return Err(Error::Checksum);
    }
    let data = &vals[..vals.len() - 8];
    // 5-bit groups to bytes; the padding must be zero and shorter than 5 bits.
    let mut bytes = Vec::with_capacity(data.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &v in data {
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 5 || acc != 0 {
        return Err(Error::Version);
    }
    let (&version, hash) = bytes.split_first().ok_or(Error::Version)?;
    let size = match version & 0x07 {
        0 => 20,
        3 => 32,
        _ => return Err(Error::Version),
    };
    let p2sh = match (version >> 3) & 0x0f {
        0 => false,
        1 => true,
        _ => return Err(Error::Version),
    };
    if version & 0x80 != 0 || hash.len() != size {
        return Err(Error::Version);
    }
    Ok(Decoded {
        p2sh,
        hash: hash.to_vec(),
    })
}

/// Encodes a hash as a cashaddr payload (tests and property tests).
#[cfg(test)]
pub(crate) fn encode(prefix: &str, p2sh: bool, hash: &[u8]) -> String {
    let size_bits = if hash.len() == 32 { 3 } else { 0 };
    let version = (u8::from(p2sh) << 3) | size_bits;
    let mut bytes = vec![version];
    bytes.extend_from_slice(hash);
    let mut data = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            data.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        data.push(((acc << (5 - bits)) & 31) as u8);
    }
    let pre = prefix.bytes().map(|b| b & 0x1f);
    let pm = polymod(
        pre.chain(std::iter::once(0))
            .chain(data.iter().copied())
            .chain([0u8; 8]),
    );
    for i in 0..8 {
        data.push(((pm >> (5 * (7 - i))) & 31) as u8);
    }
    let payload: String = data.iter().map(|&v| CHARSET[v as usize] as char).collect();
    format!("{prefix}:{payload}")
}
