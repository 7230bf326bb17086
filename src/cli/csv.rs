//! Just enough CSV (RFC 4180): writing records and reading label files.

use std::io::{self, Write};

/// Writes one row, quoting fields that need it.
pub fn write_row<W: Write>(w: &mut W, fields: &[&str]) -> io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        if f.contains([',', '"', '\n', '\r']) {
            w.write_all(b"\"")?;
            w.write_all(f.replace('"', "\"\"").as_bytes())?;
            w.write_all(b"\"")?;
        } else {
            w.write_all(f.as_bytes())?;
        }
    }
    w.write_all(b"\n")
}

/// Text from a message, defused for spreadsheets: a cell starting with
/// `=`, `+`, `-`, `@` or a tab would be run as a formula by Excel or
/// LibreOffice, and subjects are written by the attacker. Such a cell gets
/// a leading `'`.
pub fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Parses CSV text into rows of fields (quoted fields may hold commas,
/// doubled quotes and newlines). Returns the 1-based line of each row.
pub fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push((row_line, std::mem::take(&mut row)));
                }
                any = false;
                line += 1;
                row_line = line;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(format!("line {row_line}: unterminated quoted field"));
    }
    if any || !field.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        write_row(&mut out, &["a", "b,c", "say \"hi\"", "x\ny", ""]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
        let rows = parse(&text).unwrap();
        assert_eq!(
            rows,
            vec![(
                1,
                vec![
                    "a".into(),
                    "b,c".into(),
                    "say \"hi\"".into(),
                    "x\ny".into(),
                    "".into()
                ]
            )]
        );
    }

    #[test]
    fn label_file() {
        let rows =
            parse("file,label\r\na.eml,sextortion\r\n\r\nb.eml,\"other, really\"\n").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[2],
            (4, vec!["b.eml".to_string(), "other, really".to_string()])
        );
        assert!(parse("a,\"b\n").is_err());
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("Hello"), "Hello");
    }
}
