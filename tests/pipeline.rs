//! End-to-end behaviours of `classify` that cross module boundaries.

use sextortion::{classify, Label, Note};

const LETTER: &str = "I recorded you through your webcam while you were on an adult site. \
I will send the video to all your contacts unless you pay.";

#[test]
fn payment_link_gives_wallet_and_amount() {
    let raw = format!(
        "Subject: x\r\nContent-Type: text/html\r\n\r\n<p>{LETTER}</p>\
         <a href=\"bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.05\">Pay here</a>"
    );
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion);
    assert_eq!(v.wallets.len(), 1);
    assert_eq!(v.wallets[0].uri_amount.as_deref(), Some("0.05"));
    assert_eq!(
        (v.amounts[0].value, v.amounts[0].currency.as_str()),
        (0.05, "BTC")
    );
}

#[test]
fn scam_inside_forwarded_attachment_is_found() {
    let raw = format!(
        "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n\
         Subject: inner\r\nContent-Type: text/plain\r\n\r\n{LETTER} Bitcoin wallet: \
         bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\r\n--b--\r\n"
    );
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion);
    assert_eq!(
        v.wallets[0].address,
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    );
}

#[test]
fn hidden_filler_between_letters_is_removed() {
    // Every letter of the key words separated by zero-size filler.
    let spread = |w: &str| -> String {
        w.chars()
            .map(|c| format!("{c}<span style=\"font-size:0\">zq</span>"))
            .collect()
    };
    let html = format!(
        "I {} you through your {}. I will {} the video to all your {}. Pay in {} to \
         1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.",
        spread("recorded"),
        spread("webcam"),
        spread("send"),
        spread("contacts"),
        spread("bitcoin")
    );
    let raw = format!("Subject: x\r\nContent-Type: text/html\r\n\r\n<p>{html}</p>");
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion, "{:?}", v.breakdown);
    assert!(v.signals.contains(&sextortion::Signal::HiddenText));
}

/// A letter laid out as MJML lays out mail (cells of zero font size
/// around columns that set their own) is read: the reader sees it, and it
/// must not look hidden to the filter.
#[test]
fn letter_in_zero_size_cells_that_reset_the_size_is_read() {
    let raw = format!(
        "Subject: x\r\nContent-Type: text/html\r\n\r\n<table><tr>\
         <td style=\"font-size:0px;line-height:0\"><div style=\"font-size:15px;line-height:1.5\">\
         <p>{LETTER} Send 0.1 BTC to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 48 hours.</p>\
         </div></td></tr></table>"
    );
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion, "{:?}", v.breakdown);
    assert_eq!(v.wallets.len(), 1);
    assert!(!v.signals.contains(&sextortion::Signal::HiddenText));
}

#[test]
fn news_article_about_the_scam_is_not_sextortion() {
    let raw = "Subject: Police warn of sextortion emails\r\n\r\n\
        Police warn of a wave of sextortion emails. The scammers claim to have recorded \
        the victim through the webcam on an adult site and threaten to send the video to \
        all your contacts unless you pay $1,200 in bitcoin within 48 hours. \
        Do not pay the ransom and report the email, police said.";
    let v = classify(raw.as_bytes());
    assert_ne!(v.label, Label::Sextortion, "{:?}", v.breakdown);
    assert!(v
        .breakdown
        .iter()
        .any(|c| c.source == "commentary" && c.points < 0.0));
}

#[test]
fn not_an_email_gets_a_note_not_a_panic() {
    let v = classify(b"\x00\x01\x02 binary \xff\xfe");
    assert_eq!(v.label, Label::Clean);
    assert!(v.notes.contains(&Note::NotAnEmail));
}
