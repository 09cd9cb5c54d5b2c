//! Template parsing without the cost of the literal text.
//!
//! Tera's parser (pest) spends about a thousand instructions on each character of literal text
//! (it tries every tag opener at every position), and three quarters of the template bytes are
//! literal text (README.md § Performance, callgrind). So before parsing, each literal run
//! between two tags is replaced by one character from Unicode's private use area that encodes
//! its index; after parsing, each text node that is such a character becomes the text node Tera
//! itself would have built, with `{%-`/`-%}` trimming applied the same way. (A placeholder
//! *tag* would not do: a tag costs pest far more than the text it replaces.) The result is the
//! same AST, which a unit test checks for every embedded template.
//!
//! Templates that already contain private-use characters, or use `{% raw %}` (whose contents
//! are not tags), are parsed as they are.

use tera::Template;
use tera::ast::Node;

/// The first private-use code point; literal `i` becomes `BASE + i`.
const BASE: u32 = 0xE000;
/// The number of literals one template can have on the fast path (the private use area).
const MAX: usize = 0x1900;

fn placeholder(index: usize) -> Option<char> {
    (index < MAX)
        .then(|| char::from_u32(BASE + index as u32))
        .flatten()
}

fn is_private_use(c: char) -> bool {
    (BASE..BASE + MAX as u32).contains(&(c as u32))
}

/// Parses `source` as Tera would (same AST), hoisting literal text out of the parser's way.
pub(super) fn parse(name: &str, source: &str) -> tera::Result<Template> {
    let Some((reduced, literals)) = hoist(source) else {
        return Template::new(name, None, source);
    };
    let mut template = Template::new(name, None, &reduced)?;
    restore(&mut template.ast, &literals);
    for block in template.blocks.values_mut() {
        restore(&mut block.body, &literals);
    }
    for definition in template.macros.values_mut() {
        restore(&mut definition.body, &literals);
    }
    Ok(template)
}

/// The source with every literal run replaced by a placeholder, and the runs (already trimmed
/// for the adjacent tags' `-`). `None` when the template is better parsed as it is.
fn hoist(source: &str) -> Option<(String, Vec<String>)> {
    if source.chars().any(is_private_use) {
        return None;
    }
    let mut reduced = String::with_capacity(source.len() / 3);
    let mut literals = vec![];
    let mut rest = source;
    // Whether the tag before the current text ended with `-` (`-%}`): trim the text's start.
    let mut trim_start = false;
    loop {
        let open = find_open(rest);
        let (text, tail) = rest.split_at(open.unwrap_or(rest.len()));
        // Whether the next tag starts with `-` (`{%-`): trim the text's end.
        let trim_end = tail.as_bytes().get(2) == Some(&b'-');
        let mut literal = text;
        if trim_start {
            literal = literal.trim_start();
        }
        if trim_end {
            literal = literal.trim_end();
        }
        if !literal.is_empty() {
            reduced.push(placeholder(literals.len())?);
            literals.push(literal.to_string());
        }
        if open.is_none() {
            break;
        }
        let len = tag_len(tail)?;
        let tag = &tail[..len];
        let inner = tag[2..len - 2].trim_matches('-').trim();
        if tag.starts_with("{%") && inner == "raw" {
            return None;
        }
        reduced.push_str(tag);
        trim_start = tag.as_bytes()[len - 3] == b'-';
        rest = &tail[len..];
    }
    Some((reduced, literals))
}

/// Where the next tag (`{{`, `{%` or `{#`) starts.
fn find_open(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#'))
}

/// The length of the tag at the start of `tail`, closers inside string literals skipped
/// (Tera strings have no escapes: a string ends at the next quote of its kind). `None` for an
/// unclosed tag, left to Tera's parser to report.
fn tag_len(tail: &str) -> Option<usize> {
    let bytes = tail.as_bytes();
    let close = match bytes[1] {
        b'{' => b'}',
        b'%' => b'%',
        _ => b'#',
    };
    let mut quote = None;
    let mut i = 2;
    while i + 1 < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if close != b'#' && matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if b == close && bytes[i + 1] == b'}' => return Some(i + 2),
            None => {}
        }
        i += 1;
    }
    None
}

/// Puts the literals back where their placeholders are, in every nested body.
fn restore(nodes: &mut [Node], literals: &[String]) {
    for node in nodes.iter_mut() {
        match node {
            Node::Text(text) => {
                let mut chars = text.chars();
                if let (Some(c), None) = (chars.next(), chars.next())
                    && is_private_use(c)
                    && let Some(literal) = literals.get((c as u32 - BASE) as usize)
                {
                    *text = literal.clone();
                }
            }
            Node::MacroDefinition(_, m, _) => restore(&mut m.body, literals),
            Node::FilterSection(_, f, _) => restore(&mut f.body, literals),
            Node::Block(_, b, _) => restore(&mut b.body, literals),
            Node::Forloop(_, f, _) => {
                restore(&mut f.body, literals);
                if let Some(body) = &mut f.empty_body {
                    restore(body, literals);
                }
            }
            Node::If(i, _) => {
                for (_, _, body) in &mut i.conditions {
                    restore(body, literals);
                }
                if let Some((_, body)) = &mut i.otherwise {
                    restore(body, literals);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The macros of a template keyed by name, for comparisons.
    fn macros(t: &Template) -> HashMap<String, Vec<Node>> {
        t.macros
            .iter()
            .map(|(k, v)| (k.clone(), v.body.clone()))
            .collect()
    }

    fn same_as_tera(name: &str, source: &str) {
        let ours = parse(name, source).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let theirs = Template::new(name, None, source).unwrap();
        assert_eq!(ours.ast, theirs.ast, "{name}");
        assert_eq!(macros(&ours), macros(&theirs), "{name}");
        let blocks = |t: &Template| -> HashMap<String, Vec<Node>> {
            t.blocks
                .iter()
                .map(|(k, v)| (k.clone(), v.body.clone()))
                .collect()
        };
        assert_eq!(blocks(&ours), blocks(&theirs), "{name}");
    }

    #[test]
    fn every_embedded_template_parses_to_the_same_tree() {
        let mut sources = vec![];
        super::super::collect(&super::super::TEMPLATES, &mut sources);
        assert!(sources.len() > 10, "the templates are embedded");
        for (name, source) in sources {
            assert!(hoist(source).is_some(), "{name} takes the fast path");
            same_as_tera(&name, source);
        }
    }

    #[test]
    fn trimming_strings_macros_and_nesting_match_tera() {
        for (i, source) in [
            "a  {%- if x -%}  b {{ y }}\n {%- else %} c {%- endif %}\n  d",
            "{% macro m(v) -%}\n  <{{ v }}>\n{%- endmacro m %}x{{ self::m(v=1) }}",
            "{{ \"}}\" ~ '%}' }} after {% set s = `{{` %}{{ s }}",
            "{% for a in xs %} [{{ a }}] {% else %} none {% endfor %}\n",
            "{# a comment with {{ braces }} #} text {#- trimmed -#}   more",
            "{% filter upper %} shout {{ x }} {% endfilter %}",
            "no tags at all\n",
            "",
        ]
        .iter()
        .enumerate()
        {
            same_as_tera(&format!("case{i}"), source);
        }
    }

    #[test]
    fn raw_blocks_and_private_use_text_are_parsed_as_they_are() {
        assert!(hoist("{% raw %}{{ not a tag }}{% endraw %}").is_none());
        assert!(hoist("a \u{E000} b").is_none());
        same_as_tera("raw", "a {% raw %}{{ x }}{% endraw %} b");
    }
}
