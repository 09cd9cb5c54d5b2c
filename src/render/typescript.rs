//! TypeScript for the CDK renderer, with nothing of the CDK in it: string literals, comments,
//! identifiers, object keys, and a layout pass that indents by bracket depth (2 spaces, as `cdk
//! init` and prettier write it), so templates need not track indentation. The references to the
//! generated app's constructs are `render/cdk/refs.rs`.
//!
//! Every spec value reaches TypeScript through [`string`] (inside code) or [`comment`] (inside a
//! `//` comment); templates only place the fragments built here.

/// A single-quoted TypeScript string literal. Quotes and backslashes are escaped, and so is
/// every line terminator of ECMAScript (`\n`, `\r`, U+2028, U+2029) and every other control
/// character, so no value can end the literal or the line. `${` needs nothing: it interpolates
/// only in template literals, which the generated code never builds from values.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Text for a `//` line comment: line terminators become spaces (a newline would end the
/// comment and start code) and `*/` is broken up, so the text is also safe in a block comment.
pub fn comment(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    flat.replace("*/", "* /")
}

/// PascalCase identifier from a name (`sm-regulated` → `SmRegulated`, `studio_domain` →
/// `StudioDomain`); characters other than ASCII letters and digits never reach the result.
pub fn pascal(s: &str) -> String {
    use heck::ToUpperCamelCase;
    let id: String = s
        .replace(['.', '-'], "_")
        .to_upper_camel_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("X{id}")
    } else {
        id
    }
}

/// An object key: bare when it is an identifier, quoted otherwise (`'aws:SourceAccount'`).
pub fn key(k: &str) -> String {
    let ident = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident { k.to_string() } else { string(k) }
}

/// Bracket depth change of one line, outside string literals and comments; `leading` counts the
/// closers the line starts with (they belong to the outer level). `in_block` carries an open
/// `/* … */` comment across lines.
fn scan(line: &str, in_block: &mut bool) -> (i32, i32) {
    let b = line.as_bytes();
    let (mut net, mut leading, mut seen_code) = (0i32, 0i32, false);
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if *in_block {
            if c == b'*' && b.get(i + 1) == Some(&b'/') {
                *in_block = false;
                i += 1;
            }
        } else if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'/' if b.get(i + 1) == Some(&b'/') => break,
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    *in_block = true;
                    i += 1;
                }
                b'\'' | b'"' | b'`' => quote = Some(c),
                b'{' | b'[' | b'(' => net += 1,
                b'}' | b']' | b')' => {
                    net -= 1;
                    if !seen_code {
                        leading += 1;
                    }
                }
                _ => {}
            }
            if !matches!(c, b'}' | b']' | b')' | b' ') {
                seen_code = true;
            }
        }
        i += 1;
    }
    (net, leading)
}

/// Closes `n` brackets on the stack of open lines (each entry: brackets its line left open).
fn close(open: &mut Vec<i32>, mut n: i32) {
    while n > 0 {
        let Some(top) = open.last_mut() else { return };
        if n >= *top {
            n -= *top;
            open.pop();
        } else {
            *top -= n;
            n = 0;
        }
    }
}

/// Re-indents rendered TypeScript by bracket nesting, one level (2 spaces) per line that leaves
/// brackets open, as prettier does (`new X(this, 'Id', {` opens one level, `});` closes it);
/// indents the inner lines of block comments by one more space, drops blank lines after an
/// opening or before a closing line, collapses runs of blank lines and trims trailing space.
pub fn layout(src: &str) -> String {
    let mut out: Vec<String> = vec![];
    let mut open: Vec<i32> = vec![];
    let mut in_block = false;
    for raw in src.lines() {
        let text = raw.trim();
        if text.is_empty() {
            let after_open = out
                .last()
                .is_none_or(|l| l.is_empty() || l.ends_with(['{', '[', '(']));
            if !after_open {
                out.push(String::new());
            }
            continue;
        }
        let was_block = in_block;
        let (net, leading) = scan(text, &mut in_block);
        if leading > 0 && out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        close(&mut open, leading);
        let extra = if was_block && text.starts_with('*') {
            " "
        } else {
            ""
        };
        out.push(format!("{}{extra}{text}", "  ".repeat(open.len())));
        let rest = net + leading;
        if rest > 0 {
            open.push(rest);
        } else {
            close(&mut open, -rest);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_break_out() {
        assert_eq!(string("it's"), r"'it\'s'");
        assert_eq!(string("back\\slash"), r"'back\\slash'");
        assert_eq!(string("a\nb\rc\td"), r"'a\nb\rc\td'");
        assert_eq!(string("\u{2028}\u{2029}"), r"'\u2028\u2029'");
        assert_eq!(string("nul\u{0}bell\u{7}"), r"'nul\u0000bell\u0007'");
        // Inert inside a single-quoted literal: no template literal, no comment.
        assert_eq!(string("${process.exit(1)}"), "'${process.exit(1)}'");
        assert_eq!(string("*/ x /*"), "'*/ x /*'");
        assert_eq!(string("\"double\""), "'\"double\"'");
        assert_eq!(string("ünïcödé ✓"), "'ünïcödé ✓'");
    }

    #[test]
    fn hostile_strings_round_trip_as_json() {
        // A single-quoted TS literal with `\'` is JSON once the quotes are swapped: check the
        // decoded value equals the input for every hostile string.
        for s in [
            "'; process.exit(1); '",
            "\\'",
            "a\\\nb",
            "}\n}); new Evil(",
            "${x}`${y}`",
            "*/ /* // <!-- -->",
            "\u{2028}line\u{2029}para",
            "tab\there\u{1b}[31m",
        ] {
            let lit = string(s);
            assert!(lit.starts_with('\'') && lit.ends_with('\''));
            let body = &lit[1..lit.len() - 1];
            assert!(
                !body.contains(['\n', '\r', '\u{2028}', '\u{2029}']),
                "{lit}"
            );
            // Every quote in the body is escaped.
            let mut prev_backslashes = 0;
            for c in body.chars() {
                if c == '\'' {
                    assert_eq!(prev_backslashes % 2, 1, "unescaped quote in {lit}");
                }
                prev_backslashes = if c == '\\' { prev_backslashes + 1 } else { 0 };
            }
            let json = format!("\"{}\"", body.replace("\\'", "'").replace('"', "\\\""));
            let back: String = serde_json::from_str(&json).expect("valid JSON string");
            assert_eq!(back, s);
        }
    }

    #[test]
    fn comments_stay_on_one_line_and_closed() {
        assert_eq!(comment("a\nb\u{2028}c"), "a b c");
        assert_eq!(comment("x */ evil() /*"), "x * / evil() /*");
        assert!(!comment("*/\r\n*/").contains("*/"));
    }

    #[test]
    fn pascal_identifiers() {
        assert_eq!(pascal("sm-regulated"), "SmRegulated");
        assert_eq!(pascal("studio_domain"), "StudioDomain");
        assert_eq!(pascal("sagemaker.api"), "SagemakerApi");
        assert_eq!(pascal("1x'; y"), "X1xY");
    }

    #[test]
    fn layout_indents_by_brackets_outside_strings_and_comments() {
        let src = "export class A {\n\nconstructor() {\n// a { comment\nconst x = '{ not a bracket';\n/**\n* Doc ( comment\n*/\nf({\na: [1,\n2],\n});\n\n\n}\n\n}\n";
        let want = "export class A {\n  constructor() {\n    // a { comment\n    const x = '{ not a bracket';\n    /**\n     * Doc ( comment\n     */\n    f({\n      a: [1,\n        2],\n    });\n  }\n}\n";
        assert_eq!(layout(src), want);
    }

    #[test]
    fn layout_handles_escaped_quotes() {
        let src = "f('it\\'s (', {\na: 1,\n});\n";
        assert_eq!(layout(src), "f('it\\'s (', {\n  a: 1,\n});\n");
    }

    /// Reads a single-quoted literal the way ECMAScript does (the escapes `string` writes, and
    /// the other single-character ones); `None` when it is malformed: no closing quote, a raw
    /// line terminator, an unknown escape, or text after the closing quote.
    fn read_literal(lit: &str) -> Option<String> {
        let mut chars = lit.strip_prefix('\'')?.chars();
        let mut out = String::new();
        loop {
            match chars.next()? {
                '\'' => return chars.next().is_none().then_some(out),
                '\n' | '\r' | '\u{2028}' | '\u{2029}' => return None,
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    c @ ('\'' | '"' | '\\') => out.push(c),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    _ => return None,
                },
                c => out.push(c),
            }
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Any string at all is one well-formed literal that reads back exactly, and any
        /// comment text stays on one line.
        #[test]
        fn any_string_is_one_literal(s in proptest::collection::vec(proptest::prelude::any::<char>(), 0..48).prop_map(String::from_iter)) {
            let lit = string(&s);
            proptest::prop_assert_eq!(read_literal(&lit), Some(s.clone()), "{}", lit);
            let c = comment(&s);
            let one_line = !c.contains(['\n', '\r', '\u{2028}', '\u{2029}']);
            proptest::prop_assert!(one_line, "comment {:?}", c);
            proptest::prop_assert!(!c.contains("*/"));
        }
    }
}
