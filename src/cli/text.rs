//! Making attacker-controlled text safe to show: terminals (no escape
//! sequences), HTML (escaped), mail headers (one line).

/// Control characters (ANSI escapes, CR, bidi overrides) shown escaped, so
/// a subject cannot drive the terminal.
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// At most `n` characters, with `…` when cut.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Pads (or cuts) to exactly `n` characters.
pub fn pad(s: &str, n: usize) -> String {
    let t = truncate(s, n);
    let len = t.chars().count();
    format!("{t}{}", " ".repeat(n - len.min(n)))
}

/// HTML-escapes text and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// One header-field value: no CR, LF or other control characters, bounded.
pub fn header_value(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncate(one_line.trim(), max)
}

/// A number with at most three decimals, no trailing zeros (`1200`, `0.05`).
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(terminal("a\x1b[31mred\r\n"), "a\\u{1b}[31mred\\r\\n");
        assert_eq!(terminal("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(
            html("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(header_value("a\r\nX-Evil: 1", 100), "a  X-Evil: 1");
        assert_eq!(truncate("héllo wörld", 5), "héll…");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(num(1200.0), "1200");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(12.3456), "12.346");
    }
}
