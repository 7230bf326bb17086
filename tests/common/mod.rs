//! Helpers shared by the integration tests: synthetic letters and temporary
//! directories. Every message here is written for the tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Valid Bitcoin addresses (the genesis address and BIP examples).
pub const WALLETS: [&str; 3] = [
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
];

/// A short synthetic sextortion letter paying to `wallet`.
pub fn scam(n: usize, wallet: &str, amount: u32, day: u32) -> String {
    format!(
        "From: Hacker <victim{n}@example.com>\n\
         To: victim{n}@example.com\n\
         Subject: Your device was hacked <{n}>\n\
         Date: Mon, {day} May 2024 10:00:00 +0000\n\
         Message-ID: <scam{n}@example.com>\n\
         \n\
         Hello,\n\
         \n\
         I hacked your device a few months ago and installed malware on it. I recorded\n\
         you with your webcam while you were watching adult videos. Send ${amount} in bitcoin\n\
         to {wallet} within 48 hours or the video goes to all\n\
         your contacts. Do not reply to this email and do not go to the police.\n"
    )
}

/// An ordinary letter.
pub fn clean(n: usize) -> String {
    format!(
        "From: Alice <alice@example.org>\n\
         To: bob@example.org\n\
         Subject: Lunch on Friday? ({n})\n\
         Date: Tue, 7 May 2024 12:00:00 +0200\n\
         Message-ID: <clean{n}@example.org>\n\
         \n\
         Hi Bob, are you free for lunch on Friday? The new place near the station\n\
         has good reviews. Let me know.\n\
         Alice\n"
    )
}

/// `n` letters, a scam every `every` (from the first), the others clean.
pub fn mixed(n: usize, every: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i % every == 0 {
                scam(i, WALLETS[i % 3], 700 + i as u32, 6)
            } else {
                clean(i)
            }
        })
        .collect()
}

/// Messages joined into an mboxrd: `From ` separators, an empty line
/// between messages, body lines matching `>*From ` quoted with one more `>`.
pub fn mbox(messages: &[String]) -> String {
    let mut out = String::new();
    for (i, m) in messages.iter().enumerate() {
        out.push_str(&format!(
            "From sender{i}@example.com Mon May  6 10:00:00 2024\n"
        ));
        for line in m.split_inclusive('\n') {
            if line.trim_start_matches('>').starts_with("From ") {
                out.push('>');
            }
            out.push_str(line);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sextortion-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `data` to `rel` (creating parent directories); returns the path.
    pub fn write(&self, rel: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Base64 (RFC 2045), lines of 76 characters joined by CRLF: how mail
/// clients send a base64 body.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() / 3 * 4 + data.len() / 57 * 2 + 8);
    for (i, c) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
