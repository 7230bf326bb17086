//! Classification throughput in four regimes, against a parse-only baseline.
//!
//! - `sextortion_4k`: a typical ~4 KB scam (multipart/alternative, QP text
//!   and base64 HTML, a wallet, an amount, a deadline).
//! - `newsletter_50k`: a ~50 KB HTML newsletter (tables, CSS, a hidden
//!   preheader, entities, crypto-market news: a hard negative).
//! - `attachments_2m`: a ~2 MB mail: a short text part and base64 PDF and
//!   zip attachments (which are never decoded).
//! - `dev_corpus`: every message of the dev corpus
//!   (`../shared/corpus/dev/messages/*.eml`, or `$SEXTORTION_DEV_CORPUS`),
//!   as a batch run sees them after splitting an mbox; skipped with a note
//!   when absent.
//!
//! Groups: `classify_bytes` / `classify_msgs` (the same work reported as
//! bytes/s and messages/s), `parse_only_bytes` / `parse_only_msgs` (mailparse
//! alone: `parse_mail` and `get_body_raw` of every `text/*` part — the floor
//! our pipeline is measured against), and `build` (`Classifier::new`).
//!
//! The classifier is built outside the timed loop; the label is asserted
//! inside it. The ratio to the floor: `classify_bytes/<regime>` against
//! `parse_only_bytes/<regime>` (figures in docs/performance.md).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../examples/common/mod.rs"]
mod floor;
use common::base64;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use sextortion::{Classifier, Label};

/// One regime: messages and the label each must get.
struct Regime {
    name: &'static str,
    messages: Vec<(Vec<u8>, Label)>,
}

impl Regime {
    fn bytes(&self) -> u64 {
        self.messages.iter().map(|(m, _)| m.len() as u64).sum()
    }
}

fn qp(input: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for b in input.bytes() {
        if b == b'\n' {
            out.push_str("\r\n");
            col = 0;
            continue;
        }
        if col >= 72 {
            out.push_str("=\r\n");
            col = 0;
        }
        if (b' '..=b'~').contains(&b) && b != b'=' {
            out.push(b as char);
            col += 1;
        } else {
            out.push_str(&format!("={b:02X}"));
            col += 3;
        }
    }
    out
}

/// Deterministic pseudo-random bytes (xorshift), for attachment bodies.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.extend_from_slice(&seed.to_le_bytes());
    }
    v.truncate(len);
    v
}

const LETTER: &str = "Hello!

I have very bad news for you. Some months ago I gained access to the devices you use \
to browse the internet. I hacked your operating system through a trojan and since then \
I have been watching everything you do. I also have access to all your contacts, your \
emails and your social networks.

Your password is sunshine2019 — yes, I know it. I sent this message from your own account.

Not so long ago I recorded a video of you through your webcam while you were watching \
adult videos and satisfying yourself. With a single click I can send this video to all \
your contacts, colleagues, friends and family, and publish it on social networks.

If you want to prevent this, transfer $1450 (USD) in Bitcoin equivalent to my wallet:
bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq

You have 48 hours after opening this email. I get a notification as soon as you read it.
Once I receive the payment I will delete the video and you will never hear from me again.
Do not reply to this email, it was sent from your own account. Do not go to the police:
if I notice that you told anyone, the video goes out immediately.

If you do not know how to buy Bitcoin, search Google for \"how to buy bitcoin\". It is easy.
";

fn sextortion_4k() -> Vec<u8> {
    let html = format!(
        "<html><body><div style=\"font-family:Arial\">{}</div></body></html>",
        LETTER
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
            .collect::<String>()
    );
    format!(
        "Return-Path: <victim@example.org>\r\nReceived: from mail.example.net (mail.example.net [203.0.113.7])\r\n\
         \tby mx.example.org with ESMTP id 4F1a2b3c; Tue, 12 Mar 2024 08:15:02 +0000\r\n\
         Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=victim@example.org; dkim=none; dmarc=fail\r\n\
         From: victim@example.org\r\nTo: victim@example.org\r\nSubject: Your account has been hacked! Change your password.\r\n\
         Date: Tue, 12 Mar 2024 08:14:55 +0000\r\nMessage-ID: <20240312081455.3f2a@example.net>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"=_alt_7c1\"\r\n\r\n\
         --=_alt_7c1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n\
         --=_alt_7c1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--=_alt_7c1--\r\n",
        qp(LETTER),
        base64(html.as_bytes())
    )
    .into_bytes()
}

fn newsletter_50k() -> Vec<u8> {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Weekly markets</title><style>\
         body{margin:0;font-family:Helvetica,Arial,sans-serif} .preheader{display:none!important;max-height:0;overflow:hidden}\
         td.col{padding:12px 18px;vertical-align:top} a{color:#0a58ca} .small{font-size:11px;color:#777}\
         @media screen and (max-width:600px){td.col{display:block;width:100%!important}}</style></head><body>\
         <div class=\"preheader\">Bitcoin tops $70,000 &ndash; plus what the ETF flows mean for you</div>\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\">\
         <table role=\"presentation\" width=\"600\" style=\"max-width:600px\">",
    );
    let topics = [
        ("Bitcoin ETF inflows hit a record", "Spot bitcoin funds took in $1.1&nbsp;billion this week as investors returned after the halving. Analysts at several banks expect volatility to stay elevated into the summer; we look at what that means for long-term holders and for anyone thinking of buying their first fraction of a coin."),
        ("Security corner: protect your exchange account", "Turn on two-factor authentication, never reuse your password, and be wary of emails claiming your account was hacked. Real exchanges will never ask you to send crypto to a wallet address to &ldquo;verify&rdquo; your identity."),
        ("Ethereum&rsquo;s next upgrade", "Developers scheduled the upgrade for the second quarter. Fees on layer-two networks have already dropped by more than 90&nbsp;percent, and the staking queue is shorter than it has been in months."),
        ("Webinar: taxes and crypto in 2024", "Join our free webinar on Thursday at 18:00 CET. Our tax advisers explain how to report gains, what counts as income and which records you should keep. Seats are limited &mdash; register within 48 hours to keep yours."),
        ("Reader question", "&laquo;I lost access to my wallet after changing phones. Can support recover it?&raquo; Unfortunately not: only your recovery phrase can. Store it offline and never type it into a website."),
    ];
    let mut i = 0;
    while html.len() < 48_000 {
        let (title, text) = topics[i % topics.len()];
        html.push_str(&format!(
            "<tr><td class=\"col\"><h2 style=\"margin:0 0 8px;font-size:20px\">{title}</h2>\
             <p style=\"margin:0 0 12px;line-height:1.5\">{text}</p>\
             <p><a href=\"https://news.example.com/story/{i}?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=weekly\">Read more &rarr;</a></p>\
             <img src=\"https://news.example.com/img/{i}.png\" width=\"560\" alt=\"chart {i}\" style=\"display:block\"></td></tr>\n"
        ));
        i += 1;
    }
    html.push_str(
        "<tr><td class=\"small\">You receive this email because you subscribed at example.com. \
         <a href=\"https://news.example.com/unsubscribe\">Unsubscribe</a> &middot; &copy; 2024 Example Media</td></tr>\
         </table></td></tr></table></body></html>",
    );
    format!(
        "From: \"Example Markets\" <news@example.com>\r\nTo: reader@example.org\r\nSubject: Weekly markets: Bitcoin tops $70k\r\n\
         Date: Fri, 15 Mar 2024 06:00:00 +0000\r\nMessage-ID: <weekly-2024-11@example.com>\r\nMIME-Version: 1.0\r\n\
         List-Unsubscribe: <https://news.example.com/unsubscribe>\r\n\
         Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
        qp(&html)
    )
    .into_bytes()
}

fn attachments_2m() -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n".to_vec();
    pdf.extend_from_slice(&noise(1_150_000, 0x9e37_79b9_7f4a_7c15));
    pdf.extend_from_slice(b"\n%%EOF\n");
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    zip.extend_from_slice(&noise(300_000, 0xdead_beef_cafe_f00d));
    format!(
        "From: Accounts <billing@supplier.example>\r\nTo: buyer@example.org\r\nSubject: Invoice 2024-0315 and delivery note\r\n\
         Date: Fri, 15 Mar 2024 09:30:00 +0100\r\nMessage-ID: <inv-2024-0315@supplier.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix-0315\"\r\n\r\n\
         --mix-0315\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Good morning,\r\n\r\nplease find attached invoice 2024-0315 for the March delivery and the delivery note.\r\n\
         Payment is due within 30 days by bank transfer. Let us know if anything is missing.\r\n\r\nKind regards,\r\nAccounts team\r\n\
         --mix-0315\r\nContent-Type: application/pdf; name=\"invoice-2024-0315.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"invoice-2024-0315.pdf\"\r\n\r\n{}\r\n\
         --mix-0315\r\nContent-Type: application/zip; name=\"delivery-note.zip\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"delivery-note.zip\"\r\n\r\n{}\r\n--mix-0315--\r\n",
        base64(&pdf),
        base64(&zip)
    )
    .into_bytes()
}

fn dev_corpus() -> Option<Regime> {
    let dir = std::env::var_os("SEXTORTION_DEV_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dev"));
    let labels = std::fs::read_to_string(dir.join("labels.csv")).ok()?;
    let mut messages = Vec::new();
    for line in labels.lines().skip(1) {
        let mut f = line.split(',');
        let (Some(file), Some(label)) = (f.next(), f.next()) else {
            continue;
        };
        let raw = std::fs::read(dir.join("messages").join(file)).ok()?;
        let label = if label == "sextortion" {
            Label::Sextortion
        } else {
            Label::Clean
        };
        messages.push((raw, label));
    }
    Some(Regime {
        name: "dev_corpus",
        messages,
    })
}

fn regimes() -> Vec<Regime> {
    let mut v = vec![
        Regime {
            name: "sextortion_4k",
            messages: vec![(sextortion_4k(), Label::Sextortion)],
        },
        Regime {
            name: "newsletter_50k",
            messages: vec![(newsletter_50k(), Label::Clean)],
        },
        Regime {
            name: "attachments_2m",
            messages: vec![(attachments_2m(), Label::Clean)],
        },
    ];
    match dev_corpus() {
        Some(r) => v.push(r),
        None => eprintln!(
            "note: dev corpus not found (../shared/corpus/dev or $SEXTORTION_DEV_CORPUS): dev_corpus skipped"
        ),
    }
    v
}

/// Everything a mail filter pays for: the whole pipeline, label checked.
/// The dev corpus is labelled sextortion / other; "other" may come out
/// Clean or Suspicious, never Sextortion.
fn classify_all(clf: &Classifier, r: &Regime) -> usize {
    let mut n = 0;
    for (raw, want) in &r.messages {
        let v = clf.classify(black_box(raw));
        let ok = match want {
            Label::Sextortion => v.label == Label::Sextortion,
            _ if r.name == "dev_corpus" => v.label != Label::Sextortion,
            w => v.label == *w,
        };
        assert!(ok, "{}: got {} want {}", r.name, v.label, want);
        n += v.evidence.len();
    }
    n
}

/// The floor: mailparse parsing and transfer decoding of every text part,
/// nothing else (the same pass as `examples/parse_only` and `examples/ratio`).
fn parse_only(r: &Regime) -> usize {
    floor::parse_only_pass(r.messages.iter().map(|(m, _)| m.as_slice()))
}

fn configure(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, r: &Regime) {
    if r.bytes() > 10 << 20 {
        // One pass over the corpus takes most of a second: ten flat samples.
        g.sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(8))
            .warm_up_time(Duration::from_secs(1));
    } else {
        g.sampling_mode(SamplingMode::Auto)
            .sample_size(30)
            .measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_secs(1));
    }
}

fn benches(c: &mut Criterion) {
    let clf = Classifier::new().expect("built-in templates");
    let regimes = regimes();
    for r in &regimes {
        eprintln!(
            "{}: {} message(s), {} bytes",
            r.name,
            r.messages.len(),
            r.bytes()
        );
    }
    // Each regime is reported twice, as bytes/s and as messages/s, for our
    // classifier and for the parse-only floor.
    type Run<'a> = &'a dyn Fn(&Regime) -> usize;
    let classify_run = |r: &Regime| classify_all(&clf, r);
    let runs: [(&str, bool, Run); 4] = [
        ("classify_bytes", true, &classify_run),
        ("classify_msgs", false, &classify_run),
        ("parse_only_bytes", true, &parse_only),
        ("parse_only_msgs", false, &parse_only),
    ];
    for (group, bytes, run) in runs {
        let mut g = c.benchmark_group(group);
        for r in &regimes {
            configure(&mut g, r);
            g.throughput(if bytes {
                Throughput::Bytes(r.bytes())
            } else {
                Throughput::Elements(r.messages.len() as u64)
            });
            g.bench_function(r.name, |b| b.iter(|| run(r)));
        }
        g.finish();
    }
    let mut g = c.benchmark_group("build");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("classifier_new", |b| {
        b.iter(|| Classifier::new().expect("built-in templates"))
    });
    g.finish();
}

criterion_group!(classify, benches);
criterion_main!(classify);
