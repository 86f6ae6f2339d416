// A small LZ77 + canonical-Huffman compressor in Rust (std, wasm32-wasi), built with
// -C target-feature=+simd128 so LLVM vectorizes the hot loops (histograms, match lengths,
// checksums). It compresses generated inputs and the file named by argv[1] if any,
// decompresses them, checks the round trip and prints sizes and checksums. It also prints some
// floating-point and 128-bit integer results that exercise Rust's formatting and arithmetic.
use std::collections::BinaryHeap;
use std::cmp::Reverse;

struct BitWriter { out: Vec<u8>, acc: u64, n: u32 }
impl BitWriter {
    fn new() -> Self { BitWriter { out: Vec::new(), acc: 0, n: 0 } }
    fn put(&mut self, bits: u32, count: u32) {
        self.acc |= (bits as u64) << self.n;
        self.n += count;
        while self.n >= 8 { self.out.push(self.acc as u8); self.acc >>= 8; self.n -= 8; }
    }
    fn finish(mut self) -> Vec<u8> { if self.n > 0 { self.out.push(self.acc as u8); } self.out }
}
struct BitReader<'a> { data: &'a [u8], pos: usize, acc: u64, n: u32 }
impl<'a> BitReader<'a> {
    fn get(&mut self, count: u32) -> u32 {
        while self.n < count {
            let b = if self.pos < self.data.len() { self.data[self.pos] } else { 0 };
            self.pos += 1;
            self.acc |= (b as u64) << self.n;
            self.n += 8;
        }
        let v = (self.acc & ((1u64 << count) - 1)) as u32;
        self.acc >>= count;
        self.n -= count;
        v
    }
}

const SYMBOLS: usize = 256 + 1 + 32; // literals, end, length codes (lengths 3..=258 in 32 buckets)
const MAX_BITS: u32 = 15;

fn length_code(len: usize) -> (usize, u32, u32) {
    // bucket b covers 3 + 8*b .. 3 + 8*b + 7 (3 extra bits)
    let b = (len - 3) / 8;
    (257 + b, ((len - 3) % 8) as u32, 3)
}

fn code_lengths(freq: &[u32]) -> Vec<u32> {
    let mut lengths = vec![0u32; freq.len()];
    let mut heap = BinaryHeap::new();
    let mut parent: Vec<usize> = Vec::new();
    for &f in freq.iter() {
        if f > 0 { heap.push(Reverse((f as u64, parent.len()))); parent.push(usize::MAX); }
    }
    let leaves: Vec<usize> = freq.iter().enumerate().filter(|(_, &f)| f > 0).map(|(s, _)| s).collect();
    if leaves.len() == 1 { lengths[leaves[0]] = 1; return lengths; }
    while heap.len() > 1 {
        let Reverse((fa, a)) = heap.pop().unwrap();
        let Reverse((fb, b)) = heap.pop().unwrap();
        let node = parent.len();
        parent.push(usize::MAX);
        parent[a] = node;
        parent[b] = node;
        heap.push(Reverse((fa + fb, node)));
    }
    for (i, &s) in leaves.iter().enumerate() {
        let mut d = 0; let mut n = i;
        while parent[n] != usize::MAX { n = parent[n]; d += 1; }
        lengths[s] = d.min(MAX_BITS);
    }
    // repair the Kraft inequality after clamping
    loop {
        let kraft: u64 = lengths.iter().filter(|&&l| l > 0).map(|&l| 1u64 << (MAX_BITS - l)).sum();
        if kraft <= 1u64 << MAX_BITS { break; }
        let i = (0..lengths.len()).filter(|&i| lengths[i] > 0 && lengths[i] < MAX_BITS).max_by_key(|&i| (lengths[i], i)).unwrap();
        lengths[i] += 1;
    }
    lengths
}

fn canonical_codes(lengths: &[u32]) -> Vec<u32> {
    let mut count = [0u32; MAX_BITS as usize + 1];
    for &l in lengths { if l > 0 { count[l as usize] += 1; } }
    let mut next = [0u32; MAX_BITS as usize + 2];
    let mut code = 0;
    for bits in 1..=MAX_BITS as usize { code = (code + count[bits - 1]) << 1; next[bits] = code; }
    lengths.iter().map(|&l| if l == 0 { 0 } else { let c = next[l as usize]; next[l as usize] += 1;
        // reverse for LSB-first output
        c.reverse_bits() >> (32 - l) }).collect()
}

enum Token { Lit(u8), Match(usize, usize) }

fn lz77(data: &[u8]) -> Vec<Token> {
    const WINDOW: usize = 1 << 15;
    let mut head = vec![usize::MAX; 1 << 14];
    let mut prev = vec![usize::MAX; data.len()];
    let hash = |i: usize| ((data[i] as usize) << 6 ^ (data[i + 1] as usize) << 3 ^ data[i + 2] as usize) & ((1 << 14) - 1);
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let mut best = (0, 0);
        if i + 3 <= data.len() {
            let h = hash(i);
            let mut cand = head[h];
            let mut chain = 0;
            while cand != usize::MAX && i - cand <= WINDOW && chain < 64 {
                let max = (data.len() - i).min(258);
                let len = data[cand..cand + max].iter().zip(&data[i..i + max]).take_while(|(a, b)| a == b).count();
                if len > best.0 { best = (len, i - cand); }
                cand = prev[cand];
                chain += 1;
            }
            prev[i] = head[h];
            head[h] = i;
        }
        if best.0 >= 3 {
            for j in i + 1..i + best.0 {
                if j + 3 <= data.len() { let h = hash(j); prev[j] = head[h]; head[h] = j; }
            }
            out.push(Token::Match(best.0, best.1));
            i += best.0;
        } else {
            out.push(Token::Lit(data[i]));
            i += 1;
        }
    }
    out
}

fn compress(data: &[u8]) -> Vec<u8> {
    let tokens = lz77(data);
    let mut freq = vec![0u32; SYMBOLS];
    for t in &tokens { match *t { Token::Lit(b) => freq[b as usize] += 1, Token::Match(l, _) => freq[length_code(l).0] += 1 } }
    freq[256] += 1;
    let lengths = code_lengths(&freq);
    let codes = canonical_codes(&lengths);
    let mut w = BitWriter::new();
    w.put(data.len() as u32 & 0xffff, 16);
    w.put((data.len() >> 16) as u32, 16);
    for &l in &lengths { w.put(l, 4); }
    for t in &tokens {
        match *t {
            Token::Lit(b) => w.put(codes[b as usize], lengths[b as usize]),
            Token::Match(l, d) => {
                let (s, extra, n) = length_code(l);
                w.put(codes[s], lengths[s]);
                w.put(extra, n);
                w.put((d - 1) as u32, 15);
            }
        }
    }
    w.put(codes[256], lengths[256]);
    w.finish()
}

fn decompress(data: &[u8]) -> Vec<u8> {
    let mut r = BitReader { data, pos: 0, acc: 0, n: 0 };
    let len = r.get(16) as usize | (r.get(16) as usize) << 16;
    let lengths: Vec<u32> = (0..SYMBOLS).map(|_| r.get(4)).collect();
    let codes = canonical_codes(&lengths);
    // decode table indexed by MAX_BITS bits
    let mut table = vec![(0u16, 0u8); 1 << MAX_BITS];
    for s in 0..SYMBOLS {
        let l = lengths[s];
        if l == 0 { continue; }
        let mut c = codes[s] as usize;
        while c < table.len() { table[c] = (s as u16, l as u8); c += 1 << l; }
    }
    let mut out = Vec::with_capacity(len);
    loop {
        let peek = { while r.n < MAX_BITS { let b = if r.pos < data.len() { data[r.pos] } else { 0 }; r.pos += 1; r.acc |= (b as u64) << r.n; r.n += 8; } (r.acc & ((1 << MAX_BITS) - 1)) as usize };
        let (s, l) = table[peek];
        r.get(l as u32);
        let s = s as usize;
        if s < 256 { out.push(s as u8); }
        else if s == 256 { break; }
        else {
            let l = 3 + (s - 257) * 8 + r.get(3) as usize;
            let d = r.get(15) as usize + 1;
            let start = out.len() - d;
            for k in 0..l { let b = out[start + k]; out.push(b); }
        }
    }
    assert_eq!(out.len(), len);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for i in 0..256u32 {
        let mut c = i;
        for _ in 0..8 { c = if c & 1 != 0 { 0xEDB88320 ^ (c >> 1) } else { c >> 1 }; }
        table[i as usize] = c;
    }
    !data.iter().fold(!0u32, |c, &b| table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8))
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk { a += x as u32; b += a; }
        a %= 65521; b %= 65521;
    }
    b << 16 | a
}

fn histogram_entropy(data: &[u8]) -> f64 {
    let mut h = [0u32; 256];
    for &b in data { h[b as usize] += 1; }
    let n = data.len() as f64;
    h.iter().filter(|&&c| c > 0).map(|&c| { let p = c as f64 / n; -p * p.log2() }).sum()
}

fn sum_of_squares(v: &[i32]) -> i64 { v.iter().map(|&x| (x as i64) * (x as i64)).sum() }

fn xorshift(state: &mut u64) -> u64 { *state ^= *state << 13; *state ^= *state >> 7; *state ^= *state << 17; *state }

fn main() {
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let text: String = (0..2000).map(|i| format!("line {} of the quick brown fox {} jumps over the lazy dog\n", i, i * i % 97)).collect();
    inputs.push(("text".into(), text.into_bytes()));
    let mut s = 0x9E3779B97F4A7C15u64;
    inputs.push(("random".into(), (0..50_000).map(|_| xorshift(&mut s) as u8).collect()));
    inputs.push(("skewed".into(), (0..80_000).map(|_| { let r = xorshift(&mut s); (r.trailing_zeros() as u8) + b'a' }).collect()));
    inputs.push(("zeros".into(), vec![0u8; 100_000]));
    inputs.push(("one".into(), vec![b'x']));
    if let Some(path) = std::env::args().nth(1) {
        inputs.push((path.clone(), std::fs::read(&path).expect("read input")));
    }
    for (name, data) in &inputs {
        let packed = compress(data);
        let unpacked = decompress(&packed);
        println!("{:>8}: {:>7} -> {:>7} bytes, ratio {:.3}, entropy {:.4} bits/byte, crc32 {:08x}, adler32 {:08x}, packed crc32 {:08x}, round trip {}",
            name, data.len(), packed.len(), packed.len() as f64 / data.len() as f64, histogram_entropy(data),
            crc32(data), adler32(data), crc32(&packed), if unpacked == *data { "ok" } else { "FAILED" });
    }

    let v: Vec<i32> = (0..10_000).map(|i| (i * 7919 % 20011) - 10000).collect();
    println!("sum of squares {}", sum_of_squares(&v));
    let mut sorted = v.clone();
    sorted.sort_unstable();
    println!("median {} min {} max {}", sorted[sorted.len() / 2], sorted[0], sorted[sorted.len() - 1]);

    // floating point formatting and math
    let xs = [0.1f64 + 0.2, 1.0 / 3.0, 2f64.sqrt(), std::f64::consts::PI.sin(), 1e300 * 1e10, -0.0, f64::NAN, 5e-324, 123456789.0e-20];
    for x in xs { println!("{} {:e} {:.17} {:?}", x, x, x, x.to_bits()); }
    let fs = [0.1f32, 16777217.0, 3.4e38, 1.17549435e-38, 1e-45];
    for x in fs { println!("{} {:e} {}", x, x, x.to_bits()); }
    println!("{:.6} {:.6} {:.6} {:.6}", 10f64.ln(), 0.5f64.exp(), 2f64.powf(0.5), 1e-7f64.atan2(-1.0));
    println!("{} {} {} {}", (2.5f64).round(), (-2.5f64).round(), (1e20f64) as i64, (-1e20f64) as i32);
    println!("{} {} {}", f64::NAN as i32, (300.7f32) as u8, (-5.5f64) as u32);

    // 128-bit integers and overflow behaviour
    let a: u128 = 0xDEADBEEF_CAFEBABE_12345678_9ABCDEF0;
    let b: u128 = 0x0123_4567_89AB_CDEF;
    println!("{} {} {} {}", a.wrapping_mul(b), a / b, a % b, (a as i128).wrapping_neg());
    let f: u128 = (1..=34u128).product();
    println!("34! = {}", f);
    println!("{:?} {:?} {:?}", 200u8.checked_add(100), i32::MIN.checked_div(-1), i64::MAX.overflowing_add(1));
    println!("{} {} {}", (-7i32).rem_euclid(3), (-7i32) / 2, (-7i32) >> 1);
    println!("{} {} {} {}", 0x1234_5678u32.rotate_left(12), 0x80u8.leading_zeros(), 0u64.trailing_zeros(), (0xF0F0u16).count_ones());
}
