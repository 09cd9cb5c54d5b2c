fn main() {
    std::process::exit(smgen::cli::main());
}
