//! Amount and deadline extraction through the public API, on whole messages
//! written for these tests (MIME alternatives, quoted-printable, HTML).

fn classify(raw: &str) -> sextortion::Verdict {
    sextortion::classify(raw.replace('\n', "\r\n").as_bytes())
}

/// The demanded amounts as (value, currency, raw), and the deadline hours.
fn extracted(v: &sextortion::Verdict) -> (Vec<(f64, &str, &str)>, Option<u32>) {
    let a = v
        .amounts
        .iter()
        .map(|a| (a.value, a.currency.as_str(), a.raw.as_str()))
        .collect();
    (a, v.deadline_hours())
}

#[test]
fn english_letter_with_trojan_driver_trap() {
    let v = classify(
        "From: you@example.org
To: you@example.org
Subject: Your account is compromised

Hello!

I am a hacker who has access to your operating system. I installed a trojan
driver on your device a few months ago, and I update its signatures every 4 hours
so that your antivirus stays silent. For the last 3 months I have been watching you.

I made a video of you while you were watching adult sites. I want $1450 (USD) in
Bitcoin equivalent. My BTC wallet: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa

You have 50 hours (2 days +) after opening this letter to make the payment.
Otherwise the video goes to all your contacts.
",
    );
    assert_eq!(
        extracted(&v),
        (vec![(1450.0, "USD", "$1450 (USD)")], Some(50))
    );
}

#[test]
fn german_alternative_parts_reported_once() {
    let v = classify(
        "From: a@example.org
To: a@example.org
Subject: =?UTF-8?Q?Zahlung_f=C3=A4llig?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=\"b\"

--b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Ich habe ein Video von Ihnen aufgenommen. =C3=9Cberweisen Sie 1=C2=A0500 EUR in=
 Bitcoin an meine Wallet: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa
Sie haben zwei Tage Zeit. Ich aktualisiere die Signaturen alle 4 Stunden.

--b
Content-Type: text/html; charset=utf-8

<html><body><p>Ich habe ein Video von Ihnen aufgenommen. &Uuml;berweisen Sie
<b>1&nbsp;500&nbsp;EUR</b> in Bitcoin an meine Wallet:
1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa</p><p>Sie haben zwei Tage Zeit.</p></body></html>
--b--
",
    );
    let (amounts, hours) = extracted(&v);
    assert_eq!(amounts, vec![(1500.0, "EUR", "1\u{a0}500 EUR")]);
    assert_eq!(hours, Some(48));
    assert_eq!(v.amounts[0].span.field, sextortion::Field::Body(0));
}

#[test]
fn newsletter_has_no_demand() {
    let v = classify(
        "From: news@example.com
To: reader@example.org
Subject: Weekly security digest

Ransomware gangs made $923 million in 2019, and the market for stolen data is
worth $3.4 billion. Order 123456 ships in 5 days. Our premium plan costs
$19.99 per month. Backups run every 4 hours.
",
    );
    assert_eq!(extracted(&v), (vec![], None));
}

#[test]
fn french_letter_with_homoglyphs_and_zero_width() {
    let v = classify(
        "From: a@example.org
To: a@example.org
Subject: Attention
Content-Type: text/plain; charset=utf-8

J'ai enregistré une vidéo de vous. Envoyez-mоi 9\u{200B}50 € en bitсоin à mоn
pоrtefeuille : 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa. Vous avez 48 heures.
",
    );
    assert_eq!(
        extracted(&v),
        (vec![(950.0, "EUR", "9\u{200B}50 €")], Some(48))
    );
}

#[test]
fn btc_and_fiat_twins_fiat_first() {
    let v = classify(
        "From: a@example.org
To: a@example.org
Subject: last warning

Send 0.05 BTC (about $950) to my wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa
within 48 hours.
",
    );
    let (amounts, hours) = extracted(&v);
    assert_eq!(
        amounts,
        vec![(950.0, "USD", "$950"), (0.05, "BTC", "0.05 BTC")]
    );
    assert_eq!(hours, Some(48));
}

#[test]
fn quoted_reply() {
    let v = classify(
        "From: a@example.org
To: a@example.org
Subject: Re: video

> You have 48
> hours to pay 1 200 USD to my Bitcoin wallet
> 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa
",
    );
    assert_eq!(
        extracted(&v),
        (vec![(1200.0, "USD", "1 200 USD")], Some(48))
    );
}
