//! A self-contained HTML report: inline CSS, inline SVG charts drawn here,
//! no script, no network. Every string that came from a message is
//! escaped — subjects, families and even addresses are attacker-controlled.

use std::fmt::Write as _;

use super::summary::{DayRow, Summary};
use super::text::{html, num};

const SEXT: &str = "#c0392b";
const SUSP: &str = "#e67e22";
const OTHER: &str = "#95a5a6";
const BAR: &str = "#2c6fbb";

/// Rows shown in the wallet and day tables (the JSON summary has them all).
const MAX_ROWS: usize = 2000;

pub fn render(s: &Summary, inputs: &[String]) -> String {
    let mut h = String::with_capacity(64 << 10);
    let t = &s.totals;
    h.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<title>sextortion scan report</title><style>",
        "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}",
        "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}",
        ".muted{color:#777}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}",
        ".card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}",
        ".card b{display:block;font-size:20px}.sext b{color:#c0392b}.susp b{color:#e67e22}",
        "table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}",
        "th{background:#f6f6f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}",
        "code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}",
        "svg{display:block;margin:8px 0;max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#444}",
        ".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}",
        "</style></head><body>\n"
    ));
    h.push_str("<h1>Sextortion scan report</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"muted\">sextortion {} — inputs: {}</p>",
        env!("CARGO_PKG_VERSION"),
        inputs
            .iter()
            .map(|i| format!("<code>{}</code>", html(i)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    h.push_str("<div class=\"cards\">");
    for (class, label, v) in [
        ("", "messages", t.messages.to_string()),
        ("sext", "sextortion", t.sextortion.to_string()),
        ("susp", "suspicious", t.suspicious.to_string()),
        ("", "clean", t.clean.to_string()),
        ("", "errors", t.errors.to_string()),
        ("", "distinct wallets", t.distinct_wallets.to_string()),
        ("", "MB scanned", format!("{:.1}", t.bytes as f64 / 1e6)),
    ] {
        let _ = write!(
            h,
            "<div class=\"card {class}\"><b>{}</b>{label}</div>",
            html(&v)
        );
    }
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<p class=\"muted\">Dates {} to {}; {} message(s) without a usable date. Wallets, families, languages and amounts count flagged (sextortion or suspicious) messages only.</p>",
        html(t.first_date.as_deref().unwrap_or("-")),
        html(t.last_date.as_deref().unwrap_or("-")),
        t.undated
    );

    // Volume over time.
    let (unit, bars, outside) = volume(&s.days);
    let _ = writeln!(h, "<h2>Messages per {unit}</h2>");
    h.push_str(&format!(
        "<div class=\"legend muted\"><span style=\"background:{SEXT}\"></span>sextortion<span style=\"background:{SUSP}\"></span>suspicious<span style=\"background:{OTHER}\"></span>other</div>"
    ));
    if bars.is_empty() {
        h.push_str("<p class=\"muted\">No dated messages.</p>\n");
    } else {
        h.push_str(&stacked_bars(
            &bars,
            &[SEXT, SUSP, OTHER],
            &format!("messages per {unit}"),
        ));
        if t.sextortion + t.suspicious > 0 {
            // Flagged mail is usually a sliver of the total: its own scale.
            let flagged: Vec<(String, Vec<f64>)> = bars
                .iter()
                .map(|(l, v)| (l.clone(), vec![v[0], v[1]]))
                .collect();
            let _ = writeln!(
                h,
                "<p class=\"muted\">Flagged messages only (sextortion, suspicious):</p>"
            );
            h.push_str(&stacked_bars(
                &flagged,
                &[SEXT, SUSP],
                &format!("flagged messages per {unit}"),
            ));
        }
        if outside > 0 {
            let _ = writeln!(h, "<p class=\"muted\">{outside} message(s) dated outside the charted range (outliers) are left out of the chart but counted in the table.</p>");
        }
    }

    // Wallets.
    h.push_str("<h2>Top wallets</h2>\n");
    if s.wallets.is_empty() {
        h.push_str("<p class=\"muted\">No wallet in flagged messages.</p>\n");
    } else {
        let top: Vec<(String, f64)> = s
            .wallets
            .iter()
            .take(15)
            .map(|w| (format!("{}:{}", w.chain, w.address), w.messages as f64))
            .collect();
        h.push_str(&hbars(&top, BAR, "messages per wallet"));
    }
    h.push_str("<table id=\"wallets\"><thead><tr><th>chain</th><th>address</th><th class=\"n\">messages</th><th class=\"n\">sextortion</th><th>first</th><th>last</th><th>amounts asked</th><th>families</th></tr></thead><tbody>\n");
    for w in s.wallets.iter().take(MAX_ROWS) {
        let amounts: Vec<String> = w
            .amounts
            .iter()
            .take(5)
            .map(|a| format!("{} {} ×{}", num(a.value), a.currency, a.messages))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html(&w.chain),
            html(&w.address),
            w.messages,
            w.sextortion,
            day_cell(w.first_date.as_deref()),
            day_cell(w.last_date.as_deref()),
            html(&amounts.join(", ")),
            html(&w.families.join(", "))
        );
    }
    h.push_str("</tbody></table>\n");
    if s.wallets.len() > MAX_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{} more wallets in the JSON summary.</p>",
            s.wallets.len() - MAX_ROWS
        );
    }

    // Amounts.
    h.push_str("<h2>Amounts demanded</h2>\n");
    for a in s.amounts.iter().take(3) {
        let bars: Vec<(String, f64)> = a
            .buckets
            .iter()
            .map(|b| (format!("{}–{}", num(b.lo), num(b.hi)), b.messages as f64))
            .collect();
        let _ = writeln!(
            h,
            "<p><b>{}</b> — {} messages; min {}, median {}, max {}</p>",
            html(&a.currency),
            a.messages,
            num(a.min),
            num(a.median),
            num(a.max)
        );
        let stacked: Vec<(String, Vec<f64>)> =
            bars.into_iter().map(|(l, v)| (l, vec![v])).collect();
        h.push_str(&stacked_bars(
            &stacked,
            &[BAR],
            &format!("{} amounts", a.currency),
        ));
    }
    h.push_str("<table><thead><tr><th>currency</th><th class=\"n\">messages</th><th class=\"n\">min</th><th class=\"n\">median</th><th class=\"n\">max</th><th class=\"n\">total</th></tr></thead><tbody>\n");
    for a in &s.amounts {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html(&a.currency),
            a.messages,
            num(a.min),
            num(a.median),
            num(a.max),
            num(a.total)
        );
    }
    h.push_str("</tbody></table>\n");

    // Families and languages.
    for (title, rows) in [
        ("Template families", &s.families),
        ("Languages", &s.languages),
    ] {
        let _ = writeln!(h, "<h2>{title}</h2>");
        h.push_str("<table><thead><tr><th>name</th><th class=\"n\">flagged</th><th class=\"n\">sextortion</th></tr></thead><tbody>\n");
        for r in rows {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                html(&r.name),
                r.messages,
                r.sextortion
            );
        }
        h.push_str("</tbody></table>\n");
    }

    // Days.
    h.push_str("<h2>Messages per day</h2>\n<table><thead><tr><th>date (UTC)</th><th class=\"n\">messages</th><th class=\"n\">sextortion</th><th class=\"n\">suspicious</th></tr></thead><tbody>\n");
    for d in s.days.iter().rev().take(MAX_ROWS) {
        let _ = writeln!(h, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", html(&d.date), d.messages, d.sextortion, d.suspicious);
    }
    h.push_str("</tbody></table>\n</body></html>\n");
    h
}

/// Bars over time: per day when the dates span at most 400 days, else per
/// month, else per year; zero-filled. Bogus dates (1970 from a zero
/// timestamp, 2099 from a broken clock) would flatten everything, so the
/// range is cut to the quartiles widened by three interquartile ranges (at
/// least 30 days) and to the 0.5 %–99.5 % quantiles; messages outside it
/// are counted in the third value returned.
fn volume(days: &[DayRow]) -> (&'static str, Vec<(String, Vec<f64>)>, u64) {
    let parsed: Vec<(i64, &DayRow)> = days
        .iter()
        .filter_map(|d| Some((days_from_date(&d.date)?, d)))
        .collect();
    let total: u64 = parsed.iter().map(|(_, d)| d.messages).sum();
    if total == 0 {
        return ("day", Vec::new(), 0);
    }
    // The day below which a share `q` of the messages lies.
    let quantile = |q: f64| {
        let want = (q * total as f64).floor() as u64;
        let mut acc = 0;
        for (n, d) in &parsed {
            acc += d.messages;
            if acc > want {
                return *n;
            }
        }
        parsed[parsed.len() - 1].0
    };
    let (q1, q3) = (quantile(0.25), quantile(0.75));
    let fence = (3 * (q3 - q1)).max(30);
    let (lo_fence, hi_fence) = (
        quantile(0.005).max(q1 - fence),
        quantile(0.995).min(q3 + fence),
    );
    // The range runs from the first to the last day with mail inside the fences.
    let inside = || {
        parsed
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| (lo_fence..=hi_fence).contains(n))
    };
    let (lo, hi) = (inside().min().unwrap_or(q1), inside().max().unwrap_or(q3));
    let outside: u64 = parsed
        .iter()
        .filter(|(n, _)| *n < lo || *n > hi)
        .map(|(_, d)| d.messages)
        .sum();
    let key: fn(i64) -> (i64, String) = if hi - lo <= 400 {
        |n| (n, date_from_days(n))
    } else if hi - lo <= 400 * 31 {
        |n| {
            let (y, m, _) = civil(n);
            (y * 12 + m as i64 - 1, format!("{y:04}-{m:02}"))
        }
    } else {
        |n| {
            let (y, _, _) = civil(n);
            (y, format!("{y:04}"))
        }
    };
    let unit = if hi - lo <= 400 {
        "day"
    } else if hi - lo <= 400 * 31 {
        "month"
    } else {
        "year"
    };
    let (k0, k1) = (key(lo).0, key(hi).0);
    let mut bars: Vec<(String, Vec<f64>)> = Vec::new();
    // Zero-filled: walk the keys from k0 to k1 through the days.
    let mut n = lo;
    let mut last_key = k0 - 1;
    while n <= hi {
        let (k, label) = key(n);
        if k != last_key {
            bars.push((label, vec![0.0; 3]));
            last_key = k;
        }
        n += 1;
    }
    for (n, d) in &parsed {
        if *n < lo || *n > hi {
            continue;
        }
        let k = key(*n).0;
        let i = (k - k0) as usize;
        if let Some((_, v)) = bars.get_mut(i) {
            v[0] += d.sextortion as f64;
            v[1] += d.suspicious as f64;
            v[2] += (d.messages - d.sextortion - d.suspicious) as f64;
        }
    }
    debug_assert!(bars.len() as i64 == k1 - k0 + 1);
    (unit, bars, outside)
}

/// Vertical (stacked) bars with a y axis and a few x labels.
fn stacked_bars(bars: &[(String, Vec<f64>)], colors: &[&str], title: &str) -> String {
    let (w, hgt, left, bottom, top) = (1000.0, 240.0, 48.0, 40.0, 12.0);
    let max = bars
        .iter()
        .map(|(_, v)| v.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(1.0);
    let nice = nice_max(max);
    let plot_w = w - left - 10.0;
    let plot_h = hgt - bottom - top;
    let step = plot_w / bars.len() as f64;
    let bw = (step * 0.8).max(1.0);
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {hgt}\" width=\"{w}\" height=\"{hgt}\" role=\"img\" aria-label=\"{}\">",
        html(title)
    );
    for i in 0..=4 {
        let v = nice * i as f64 / 4.0;
        let y = top + plot_h - plot_h * v / nice;
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e5e5e5\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            left - 6.0,
            y + 4.0,
            num(v)
        );
    }
    let label_every = (bars.len() as f64 / 12.0).ceil().max(1.0) as usize;
    for (i, (label, values)) in bars.iter().enumerate() {
        let x = left + step * i as f64 + (step - bw) / 2.0;
        let mut y = top + plot_h;
        let total: f64 = values.iter().sum();
        for (v, c) in values.iter().zip(colors) {
            if *v <= 0.0 {
                continue;
            }
            let bh = plot_h * v / nice;
            y -= bh;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{c}\"><title>{}: {}</title></rect>",
                html(label),
                num(total)
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bw / 2.0,
                top + plot_h + 16.0,
                html(label)
            );
        }
    }
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\"/></svg>",
        w - 10.0,
        top + plot_h,
        top + plot_h
    );
    s
}

/// Horizontal bars with their labels, for rankings.
fn hbars(rows: &[(String, f64)], color: &str, title: &str) -> String {
    let (w, row_h, label_w) = (1000.0, 22.0, 440.0);
    let hgt = row_h * rows.len() as f64 + 8.0;
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1.0);
    let plot_w = w - label_w - 60.0;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {hgt}\" width=\"{w}\" height=\"{hgt}\" role=\"img\" aria-label=\"{}\">",
        html(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let bw = (plot_w * v / max).max(1.0);
        let shown = if label.chars().count() > 62 {
            format!("{}…", label.chars().take(61).collect::<String>())
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            html(&shown),
            y + 3.0,
            row_h - 6.0,
            html(label),
            num(*v),
            label_w + bw + 6.0,
            y + 15.0,
            num(*v)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The top of a count axis with four gridlines at whole steps of 1, 2 or 5 × 10ⁿ.
fn nice_max(x: f64) -> f64 {
    let mut p = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            if 4.0 * m * p >= x {
                return 4.0 * m * p;
            }
        }
        p *= 10.0;
    }
}

/// The day of an RFC 3339 date, the full date as a tooltip.
fn day_cell(d: Option<&str>) -> String {
    match d {
        Some(d) => format!(
            "<span title=\"{}\">{}</span>",
            html(d),
            html(&super::summary::day_of(d).unwrap_or_else(|| d.to_string()))
        ),
        None => "-".into(),
    }
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (proleptic Gregorian).
fn days_from_date(d: &str) -> Option<i64> {
    let y: i64 = d.get(0..4)?.parse().ok()?;
    let m: u32 = d.get(5..7)?.parse().ok()?;
    let day: u32 = d.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// (year, month, day) of days since 1970-01-01.
fn civil(n: i64) -> (i64, u32, u32) {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn date_from_days(n: i64) -> String {
    let (y, m, d) = civil(n);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        for d in [
            "1970-01-01",
            "2000-02-29",
            "2024-05-06",
            "2100-12-31",
            "1969-12-31",
        ] {
            assert_eq!(date_from_days(days_from_date(d).unwrap()), d);
        }
        assert_eq!(days_from_date("1970-01-02"), Some(1));
        assert_eq!(days_from_date("2024-13-01"), None);
    }

    #[test]
    fn volume_fills_gaps_and_drops_outliers() {
        let row = |d: &str, n| DayRow {
            date: d.into(),
            messages: n,
            sextortion: 1,
            suspicious: 0,
        };
        let mut days = vec![row("1970-01-01", 3)];
        days.extend([
            row("2024-05-01", 200),
            row("2024-05-04", 200),
            row("2099-01-01", 3),
        ]);
        let (unit, bars, outside) = volume(&days);
        assert_eq!((unit, bars.len(), outside), ("day", 4, 6));
        assert_eq!(bars[1].1.iter().sum::<f64>(), 0.0);
        assert_eq!(
            (
                nice_max(5.0),
                nice_max(1.0),
                nice_max(2000.0),
                nice_max(2001.0)
            ),
            (8.0, 4.0, 2000.0, 4000.0)
        );
    }

    #[test]
    fn escapes_message_text() {
        let mut s = Summary::default();
        s.families.push(super::super::summary::CountRow {
            name: "<script>x</script>".into(),
            messages: 1,
            sextortion: 1,
        });
        let page = render(&s, &["<img src=x>".into()]);
        assert!(!page.contains("<script>x") && !page.contains("<img src=x>"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
