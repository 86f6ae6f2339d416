// A Rust panic on wasm32-wasi: std prints the message to stderr and aborts (panic=abort is the
// target's default), which is a wasm `unreachable` trap. stdout written before must survive.
use std::io::Write;

fn parse_all(items: &[&str]) -> Vec<i32> {
    items.iter().map(|s| s.parse::<i32>().expect("not a number")).collect()
}

fn main() {
    println!("parsed {:?}", parse_all(&["1", "22", "-333"]));
    std::io::stdout().flush().unwrap();
    let v = parse_all(&["4", "five", "6"]);
    println!("unreachable: {:?}", v);
}
