//! The terminal behind the wizard: a [`Prompter`] trait the question flow talks to, and its
//! dialoguer implementation. Tests drive the flow with a scripted prompter instead.

use crate::error::{Error, Result};
use console::Term;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Select};

/// What the wizard needs from a terminal. `key` names the question (its dotted spec path, or
/// `format`, `confirm`, `network.endpoints.keep`) so that a script can answer by name.
pub trait Prompter {
    /// Prints text that is not a question (help, summary, an error at the prompt).
    fn say(&mut self, text: &str);
    fn input(&mut self, key: &str, prompt: &str, default: &str) -> Result<String>;
    fn confirm(&mut self, key: &str, prompt: &str, default: bool) -> Result<bool>;
    fn select(
        &mut self,
        key: &str,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize>;
    fn multi_select(
        &mut self,
        key: &str,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>>;
    /// Columns to wrap text to.
    fn width(&self) -> usize {
        80
    }
    /// An answer was rejected: take back what the prompt echoed for it (a success mark
    /// beside a value that is not kept would mislead) and show `message`.
    fn reject(&mut self, _key: &str, _prompt: &str, _answer: &str, message: &str) {
        self.say(message);
    }
    /// Asks a text question again, prefilled with the rejected answer.
    fn input_again(
        &mut self,
        key: &str,
        prompt: &str,
        _default: &str,
        rejected: &str,
    ) -> Result<String> {
        self.input(key, prompt, rejected)
    }
}

/// Prompts on stderr with dialoguer, as every other smgen message.
pub struct TermPrompter {
    term: Term,
    theme: Box<dyn Theme>,
}

impl TermPrompter {
    /// `color: false` (NO_COLOR, `--no-color`): plain text. Otherwise the colorful theme
    /// where the terminal takes colors (console's own detection).
    pub fn new(color: bool) -> TermPrompter {
        if !color {
            console::set_colors_enabled(false);
            console::set_colors_enabled_stderr(false);
        }
        let theme: Box<dyn Theme> = if console::colors_enabled_stderr() {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(SimpleTheme)
        };
        TermPrompter {
            term: Term::stderr(),
            theme,
        }
    }

    /// Rows a list may take: the terminal's height less room for the help above it.
    fn list_rows(&self) -> usize {
        let (rows, _) = self.term.size();
        usize::from(rows).saturating_sub(8).max(5)
    }
}

/// dialoguer reports Ctrl-C as an interrupted read (console raises SIGINT, which the init
/// command's handler turns into exit 130; this path covers the read returning first).
fn map(err: dialoguer::Error, term: &Term) -> Error {
    let dialoguer::Error::IO(io) = err;
    let _ = term.show_cursor();
    if io.kind() == std::io::ErrorKind::Interrupted {
        Error::Interrupted
    } else {
        Error::io("reading from the terminal", io)
    }
}

impl Prompter for TermPrompter {
    fn say(&mut self, text: &str) {
        let _ = self.term.write_line(text);
    }

    fn input(&mut self, _key: &str, prompt: &str, default: &str) -> Result<String> {
        let mut input = Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .allow_empty(true);
        if !default.is_empty() {
            input = input.default(default.to_string());
        }
        input
            .interact_text_on(&self.term)
            .map_err(|e| map(e, &self.term))
    }

    fn confirm(&mut self, _key: &str, prompt: &str, default: bool) -> Result<bool> {
        Confirm::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .default(default)
            .interact_on(&self.term)
            .map_err(|e| map(e, &self.term))
    }

    fn select(
        &mut self,
        _key: &str,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize> {
        Select::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .max_length(self.list_rows())
            .interact_on(&self.term)
            .map_err(|e| map(e, &self.term))
    }

    fn multi_select(
        &mut self,
        _key: &str,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let picked = MultiSelect::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .items(items)
            .defaults(checked)
            .max_length(self.list_rows())
            // dialoguer would echo whole items; the first word (the key) keeps it one line.
            .report(false)
            .interact_on(&self.term)
            .map_err(|e| map(e, &self.term))?;
        let keys: Vec<&str> = picked
            .iter()
            .filter_map(|&i| items[i].split_whitespace().next())
            .collect();
        self.say(&wrap(
            &format!("{prompt}: {}", keys.join(", ")),
            self.width(),
            "",
        ));
        Ok(picked)
    }

    fn width(&self) -> usize {
        usize::from(self.term.size().1).clamp(40, 80)
    }

    fn reject(&mut self, _key: &str, prompt: &str, answer: &str, message: &str) {
        // dialoguer echoed `✔ PROMPT · ANSWER` (or `PROMPT: ANSWER`) on as many rows as it
        // takes; replace it with a cross.
        let cols = usize::from(self.term.size().1).max(1);
        let echoed = prompt.chars().count() + answer.chars().count() + 4;
        let _ = self.term.clear_last_lines(echoed.div_ceil(cols).max(1));
        let cross = if console::colors_enabled_stderr() {
            console::style("✘").red().to_string()
        } else {
            "✘".to_string()
        };
        let _ = self
            .term
            .write_line(&format!("{cross} {prompt} · {answer}"));
        let _ = self.term.write_line(message);
    }

    fn input_again(
        &mut self,
        _key: &str,
        prompt: &str,
        default: &str,
        rejected: &str,
    ) -> Result<String> {
        let mut input = Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .with_initial_text(rejected)
            .allow_empty(true);
        if !default.is_empty() {
            input = input.default(default.to_string());
        }
        input
            .interact_text_on(&self.term)
            .map_err(|e| map(e, &self.term))
    }
}

/// Greedy word wrap to `width` columns, every line starting with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let room = width.saturating_sub(indent.chars().count() + 1).max(20);
    let mut lines = vec![];
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines.join("\n")
}

/// `text` cut to `width` columns with an ellipsis, for list items that must stay one line.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_line_within_the_width() {
        let text = "VPC only: all Studio traffic goes through your VPC, so it can reach \
                    private resources such as RDS, and nothing leaves it unless you allow it.";
        let out = wrap(text, 40, "  ");
        assert!(out.lines().count() > 2, "{out}");
        for line in out.lines() {
            assert!(line.chars().count() < 40, "{line:?}");
            assert!(line.starts_with("  "), "{line:?}");
        }
        let words: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn fit_cuts_long_items_only() {
        assert_eq!(fit("short", 10), "short");
        let cut = fit("a much longer item text", 10);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
    }
}
