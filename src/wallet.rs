//! Cryptocurrency wallet extraction and validation.
//!
//! Contract with the rest of the crate: [`extract`] takes the visible texts of
//! a message and returns every checksum-valid address (deduplicated, in order
//! of appearance) plus wallet-shaped strings that failed validation. Only this
//! module imports `bitcoin`.

use serde::{Deserialize, Serialize};

use crate::verdict::{Field, Span};

/// The blockchain an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Chain {
    /// Bitcoin.
    Bitcoin,
    /// Litecoin.
    Litecoin,
    /// Bitcoin Cash.
    #[serde(rename = "bitcoincash")]
    BitcoinCash,
    /// Ethereum and ERC-20 tokens (USDT, USDC…).
    Ethereum,
    /// TRON and TRC-20 tokens (USDT).
    Tron,
    /// Dogecoin.
    Dogecoin,
    /// Monero.
    Monero,
}

impl Chain {
    /// Short ticker-like code used in CSV and labels: btc, ltc, bch, eth, trx, doge, xmr.
    pub fn code(self) -> &'static str {
        match self {
            Chain::Bitcoin => "btc",
            Chain::Litecoin => "ltc",
            Chain::BitcoinCash => "bch",
            Chain::Ethereum => "eth",
            Chain::Tron => "trx",
            Chain::Dogecoin => "doge",
            Chain::Monero => "xmr",
        }
    }
}

/// Main network or a test network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// The real network.
    Mainnet,
    /// A test network (testnet, signet, regtest).
    Testnet,
}

/// The address type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressKind {
    /// Pay to public key hash (base58 or cashaddr).
    P2pkh,
    /// Pay to script hash (base58 or cashaddr).
    P2sh,
    /// Segwit v0 key hash (bech32).
    P2wpkh,
    /// Segwit v0 script hash (bech32).
    P2wsh,
    /// Taproot, segwit v1 (bech32m).
    P2tr,
    /// An account address (Ethereum, TRON).
    Account,
    /// Monero standard address.
    Standard,
    /// Monero integrated address.
    Integrated,
    /// Monero subaddress.
    Subaddress,
}

/// A checksum-valid wallet address found in a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    /// The chain.
    pub chain: Chain,
    /// Canonical form of the address.
    pub address: String,
    /// Address type.
    pub kind: AddressKind,
    /// Mainnet or testnet.
    pub network: Network,
    /// Where it was (first) found.
    pub span: Span,
    /// True when it had to be reassembled or cleaned (split, tags, invisible
    /// or look-alike characters) to validate.
    pub deobfuscated: bool,
    /// The `amount=` of a BIP 21 `bitcoin:` URI, as written.
    pub uri_amount: Option<String>,
}

/// A wallet-shaped string that failed its checksum: never a wallet, kept so
/// that an analyst can see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletLike {
    /// The string.
    pub text: String,
    /// Where it was found.
    pub span: Span,
    /// Why it is not a wallet.
    pub reason: String,
}

/// Validates one address string; `None` when it is not a valid address of any
/// supported chain.
pub fn parse_address(s: &str) -> Option<(Chain, AddressKind, Network)> {
    use bitcoin::address::{Address, AddressType, NetworkUnchecked};
    let a: Address<NetworkUnchecked> = s.parse().ok()?;
    let network = if a.is_valid_for_network(bitcoin::Network::Bitcoin) {
        Network::Mainnet
    } else {
        Network::Testnet
    };
    let kind = match a.assume_checked_ref().address_type()? {
        AddressType::P2pkh => AddressKind::P2pkh,
        AddressType::P2sh => AddressKind::P2sh,
        AddressType::P2wpkh => AddressKind::P2wpkh,
        AddressType::P2wsh => AddressKind::P2wsh,
        AddressType::P2tr => AddressKind::P2tr,
        _ => return None,
    };
    Some((Chain::Bitcoin, kind, network))
}

/// Finds every wallet in the visible texts of one message.
pub(crate) fn extract(texts: &[(Field, &str)]) -> (Vec<Wallet>, Vec<WalletLike>) {
    use std::sync::LazyLock;
    static CAND: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc|tb)1[02-9ac-hj-np-z]{11,71})\b",
        )
        .expect("static regex")
    });
    let mut wallets: Vec<Wallet> = Vec::new();
    let mut invalid = Vec::new();
    for &(field, text) in texts {
        for m in CAND.find_iter(text) {
            let span = Span {
                field,
                start: m.start() as u32,
                end: m.end() as u32,
            };
            match parse_address(m.as_str()) {
                Some((chain, kind, network)) => {
                    if !wallets.iter().any(|w| w.address == m.as_str()) {
                        wallets.push(Wallet {
                            chain,
                            address: m.as_str().to_string(),
                            kind,
                            network,
                            span,
                            deobfuscated: false,
                            uri_amount: None,
                        });
                    }
                }
                None => invalid.push(WalletLike {
                    text: m.as_str().to_string(),
                    span,
                    reason: "checksum".into(),
                }),
            }
        }
    }
    (wallets, invalid)
}
