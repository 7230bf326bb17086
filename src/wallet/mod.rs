//! Cryptocurrency wallet extraction and validation.
//!
//! Contract with the rest of the crate: `extract` takes the visible texts of
//! a message and returns every checksum-valid address (deduplicated by
//! canonical form, in order of first appearance) plus wallet-shaped strings
//! that failed validation. Only this module imports `bitcoin`.
//!
//! | chain | forms | check |
//! | --- | --- | --- |
//! | Bitcoin | P2PKH `1…`, P2SH `3…`, testnet `m…`/`n…`/`2…`; segwit `bc1q…` (P2WPKH, P2WSH), `bc1p…` (P2TR), `tb1`/`bcrt1`; `bitcoin:` URIs | the `bitcoin` crate: base58check, bech32 / bech32m, witness rules |
//! | Litecoin | `L…`, `M…` (versions 0x30, 0x32), testnet `Q…`, `ltc1…`/`tltc1…`; a legacy `3…` is reported as Bitcoin | base58check, bech32 / bech32m |
//! | Bitcoin Cash | cashaddr `bitcoincash:q…`/`p…`, with or without the prefix, `bchtest:` | 40-bit cashaddr polymod |
//! | Ethereum, ERC-20 | `0x` + 40 hex | EIP-55 when mixed case; all-lower / all-upper accepted unchecked |
//! | TRON, TRC-20 | `T…` (version 0x41) | base58check |
//! | Dogecoin | `D…` (0x1E), `A…`/`9…` (0x16) | base58check |
//! | Monero | standard `4…` (95), integrated (106), subaddress `8…`; testnet, stagenet | Monero base58, network byte, Keccak checksum |
//!
//! # How addresses are found
//!
//! A cheap trigger (a token whose first characters can start some address),
//! a local scan, then validation — the shape of `linkify`'s finder, linear
//! in the text. It runs on the case-preserving folded view of each text
//! ([`crate::normalize::Fold::Case`]), so these come back together:
//!
//! - look-alike letters and digits (Cyrillic `а е о р с`, Greek, fullwidth
//!   `１２３`) and invisible characters (zero-width space/joiners, soft
//!   hyphen, word joiner, BOM) inside an address;
//! - an address wrapped across lines, with `\r\n`, `>` quote markers or an
//!   undecoded `=` soft break at the cut (up to twelve pieces);
//! - spaces inside an address (`1A1zP1eP5QGe fi2DMPTf…`), when the piece
//!   before the space looks random (a digit or an inner capital);
//! - a labelled split: "first part: `X`, second part: `Y`" — one skip over
//!   words (never over something address-like) up to 64 bytes;
//! - surrounding punctuation, quotes, brackets, `<…>`, and a word glued to
//!   an address by a removed inline tag or table cell (`Wallet1A1zP1…`,
//!   `…DivfNaSend` for base58; glued matches need a real checksum);
//! - HTML tags, entities, quoted-printable and base64 are undone upstream
//!   (a block tag leaves a line break, handled as a wrap).
//!
//! A reported wallet always passed its checksum; reassembly only proposes
//! candidates. Inside URLs, e-mail addresses / message-ids and base64 blobs
//! only a whole token with a real checksum counts (no reassembly, no
//! single-case Ethereum address, no wallet-like diagnostics), and `0x` + 40
//! hex followed by more hex on the next line is a wrapped hash, not an
//! address. A line break inside a segwit prefix (`bc` / `1q…`) or between
//! `0` and `x` is reassembled too. Not reassembled: a space or label inside
//! such a prefix, and words glued on both sides of an address.
//!
//! Work is linear in the text. Candidates that are not a whole token as
//! written (reassembled, glued, trimmed) share a validation budget of 256
//! plus one per 32 bytes of text, which real letters never approach; text
//! made of nothing but address-like pieces spends it and is then only
//! searched for whole-token addresses.
//!
//! `deobfuscated` compares the source text at the span with the address as
//! written (the pieces joined): case canonicalisation (bech32 lower-case,
//! EIP-55) and an omitted `bitcoincash:` prefix do not count.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::normalize::{normalize, Fold, Normalized};
use crate::verdict::{Field, Span};

mod cashaddr;
mod chains;
mod keccak;
mod monero;
#[cfg(test)]
mod oracle;
#[cfg(test)]
mod proptests;
mod scan;
#[cfg(test)]
mod tests;

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
    /// Pay to anchor, segwit v1 with the 2-byte anchor program.
    P2a,
    /// Any other valid witness version / program length (BIP 350 future
    /// versions).
    #[serde(rename = "witness_unknown")]
    WitnessUnknown,
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
    /// Canonical form of the address: bech32 and cashaddr lower-case (cashaddr
    /// with its `bitcoincash:` prefix), Ethereum EIP-55, base58 as written.
    pub address: String,
    /// Address type.
    pub kind: AddressKind,
    /// Mainnet or testnet.
    pub network: Network,
    /// Where it was (first) found.
    pub span: Span,
    /// True when it had to be reassembled or cleaned (split, tags, invisible
    /// or look-alike characters) to validate: the source text at `span` is
    /// not the address as written.
    pub deobfuscated: bool,
    /// The `amount=` of a BIP 21 `bitcoin:` URI (or `litecoin:`,
    /// `dogecoin:`, `bitcoincash:`, Monero's `tx_amount=`), as written.
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

/// Validates one address string (any supported chain, any case rules the
/// chain allows); `None` when it is not a valid address.
pub fn parse_address(s: &str) -> Option<(Chain, AddressKind, Network)> {
    chains::validate(s)
        .ok()
        .map(|v| (v.chain, v.kind, v.network))
}

/// The canonical form of a valid address: bech32 and cashaddr lower-case
/// (cashaddr with its `bitcoincash:` prefix), Ethereum EIP-55 checksummed,
/// base58 unchanged. `None` when `s` is not a valid address.
pub fn canonical_address(s: &str) -> Option<String> {
    chains::validate(s).ok().map(|v| v.canonical)
}

/// Finds the wallets in one text (spans point into `text` as
/// [`Field::Body`]`(0)`).
///
/// ```
/// let w = sextortion::wallet::find_wallets("pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now");
/// assert_eq!(w[0].address, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
/// assert_eq!(w[0].chain.code(), "btc");
/// ```
pub fn find_wallets(text: &str) -> Vec<Wallet> {
    extract(&[(Field::Body(0), text)], &[normalize(text, Fold::Case)]).0
}

/// At most this many wallet-shaped failures are kept per message: they are
/// diagnostics, and a hostile message could hold thousands.
const MAX_WALLET_LIKE: usize = 64;

/// [`extract`] for texts without a prebuilt Case view (tests).
#[cfg(test)]
pub(crate) fn extract_texts(texts: &[(Field, &str)]) -> (Vec<Wallet>, Vec<WalletLike>) {
    let cases: Vec<Normalized> = texts
        .iter()
        .map(|(_, t)| normalize(t, Fold::Case))
        .collect();
    extract(texts, &cases)
}

/// Finds every wallet in the visible texts of one message. `cases[i]` is the
/// [`Fold::Case`] view of `texts[i]` (look-alikes folded, invisible
/// characters dropped, case kept); spans map back through it.
pub(crate) fn extract(
    texts: &[(Field, &str)],
    cases: &[Normalized],
) -> (Vec<Wallet>, Vec<WalletLike>) {
    let mut wallets: Vec<Wallet> = Vec::new();
    let mut invalid: Vec<WalletLike> = Vec::new();
    // Canonical address → index in `wallets`; failed texts already kept.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut seen_bad: HashSet<String> = HashSet::new();
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    for (&(field, text), view) in texts.iter().zip(cases) {
        hits.clear();
        misses.clear();
        scan::scan(view.as_str(), &mut hits, &mut misses);
        for h in hits.drain(..) {
            if let Some(&i) = seen.get(&h.valid.canonical) {
                let w = &mut wallets[i];
                if w.uri_amount.is_none() {
                    w.uri_amount = h.uri_amount;
                }
                continue;
            }
            let (s, e) = view.source_range(h.start, h.end);
            let raw = text.get(s..e).unwrap_or("");
            seen.insert(h.valid.canonical.clone(), wallets.len());
            wallets.push(Wallet {
                chain: h.valid.chain,
                address: h.valid.canonical,
                kind: h.valid.kind,
                network: h.valid.network,
                span: Span {
                    field,
                    start: s as u32,
                    end: e as u32,
                },
                deobfuscated: raw != h.written,
                uri_amount: h.uri_amount,
            });
        }
        for m in misses.drain(..) {
            if invalid.len() >= MAX_WALLET_LIKE {
                break;
            }
            let (s, e) = view.source_range(m.start, m.end);
            let raw = text.get(s..e).unwrap_or("");
            if !seen_bad.insert(raw.to_string()) {
                continue;
            }
            invalid.push(WalletLike {
                text: raw.to_string(),
                span: Span {
                    field,
                    start: s as u32,
                    end: e as u32,
                },
                reason: m.reject.reason().to_string(),
            });
        }
    }
    (wallets, invalid)
}
