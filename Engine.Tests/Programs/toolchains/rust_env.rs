// Rust std on wasm32-wasi: arguments, environment, stdin, clocks, randomness (HashMap's
// RandomState and a raw random_get), stdout/stderr, and std::process::exit.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, len: usize) -> u16;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!("argv[{}]={:?} ({} bytes, {} chars)", i, a, a.len(), a.chars().count());
    }
    let os_args: Vec<_> = std::env::args_os().skip(1).collect();
    println!("args_os agrees: {}", os_args.iter().zip(args.iter().skip(1)).all(|(o, s)| o.to_str() == Some(s.as_str())));

    let vars: BTreeMap<String, String> = std::env::vars().collect();
    println!("{} environment variables", vars.len());
    for (k, v) in &vars {
        println!("env {}={:?}", k, v);
    }
    println!("var GREETING: {:?}", std::env::var("GREETING"));
    println!("var MISSING: {:?}", std::env::var("MISSING"));
    println!("var_os EMPTY: {:?}", std::env::var_os("EMPTY"));
    println!("current_dir: {}", match std::env::current_dir() { Ok(_) => "ok", Err(_) => "error" });

    // stdin: lines, then the rest
    let stdin = io::stdin();
    let mut lines = Vec::new();
    let mut lock = stdin.lock();
    let mut line = String::new();
    while lines.len() < 3 {
        line.clear();
        if lock.read_line(&mut line).unwrap() == 0 { break; }
        lines.push(line.trim_end().to_string());
    }
    let mut rest = String::new();
    lock.read_to_string(&mut rest).unwrap();
    println!("first lines: {:?}", lines);
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut freq: HashMap<String, usize> = HashMap::new();
    for w in &words { *freq.entry(w.to_lowercase()).or_default() += 1; }
    let mut top: Vec<(&String, &usize)> = freq.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("rest: {} bytes, {} words, {} distinct; top: {:?}", rest.len(), words.len(), freq.len(), &top[..3.min(top.len())]);

    // clocks
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    println!("realtime after 2020: {}", now.as_secs() > 1_577_836_800);
    let start = Instant::now();
    let mut last = start;
    let mut monotonic = true;
    for _ in 0..10_000 {
        let t = Instant::now();
        if t < last { monotonic = false; }
        last = t;
    }
    println!("monotonic: {}", monotonic);
    std::thread::sleep(Duration::from_millis(20));
    let slept = start.elapsed();
    println!("sleep(20ms) took >= 20ms: {}, < 5s: {}", slept >= Duration::from_millis(20), slept < Duration::from_secs(5));

    // randomness: RandomState keys differ between two maps with overwhelming probability
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hash, Hasher};
    let (a, b) = (RandomState::new(), RandomState::new());
    let h = |s: &RandomState| { let mut h = s.build_hasher(); 42u32.hash(&mut h); h.finish() };
    println!("hashers keyed: {}", h(&a) != h(&RandomState::new()) || h(&b) != h(&RandomState::new()));
    let mut buf = [0u8; 4096];
    let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
    let distinct: HashSet<u8> = buf.iter().copied().collect();
    println!("random_get errno={} distinct bytes > 200: {}", errno, distinct.len() > 200);

    // stderr is not compared; make sure writing it works
    eprintln!("this goes to stderr");
    let out = io::stdout();
    let mut out = out.lock();
    writeln!(out, "exiting with {}", args.len() + 10).unwrap();
    out.flush().unwrap();
    drop(out);
    std::process::exit(args.len() as i32 + 10);
}
