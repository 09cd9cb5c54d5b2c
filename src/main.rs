fn main() {
    // A panic is a bug in smgen, never the user's fault: say so in a few lines and ask for a
    // report, instead of a backtrace. Exit 101 as Rust does for panics, so scripts see a crash.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "error: smgen {} hit an internal error{location}: {message}\n\
             This is a bug in smgen, not a problem with your input. Please report it with the \
             command you ran and your smgen.toml (nothing was written unless smgen said so).",
            env!("CARGO_PKG_VERSION")
        );
    }));
    std::process::exit(smgen::cli::main());
}
