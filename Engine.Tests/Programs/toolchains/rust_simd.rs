// Explicit wasm SIMD through core::arch::wasm32 (Rust 1.63, +simd128): every lane operation
// family applied to pseudo-random vectors with special values mixed in (NaN, -0.0, infinities,
// min/max integers), each result folded into a per-operation checksum. Differences from
// wasmtime show up as a differing line. The sign and payload of a NaN produced by arithmetic are
// nondeterministic in wasm (wasmtime's f32x4.min gives 0xffc00000, for one), so results of
// float arithmetic have their NaN lanes replaced by one canonical NaN before they are folded
// (nan32/nan64); bitwise float operations (abs, neg, lane moves) are folded as they are.
use std::arch::wasm32::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn f32(&mut self) -> f32 {
        const SPECIAL: [f32; 10] = [0.0, -0.0, 1.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MIN_POSITIVE, 2147483648.0, -2147483904.0];
        let r = self.next();
        if r % 5 == 0 { SPECIAL[(r >> 8) as usize % SPECIAL.len()] } else { (r as i32 as f32) / ((r >> 40) as f32 + 1.0) }
    }
    fn f64(&mut self) -> f64 {
        const SPECIAL: [f64; 10] = [0.0, -0.0, 0.5, -1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE, 9.3e18, -4294967296.5];
        let r = self.next();
        if r % 5 == 0 { SPECIAL[(r >> 8) as usize % SPECIAL.len()] } else { (r as i64 as f64) / ((r >> 30) as f64 + 1.0) }
    }
    fn v128(&mut self) -> v128 {
        let r = self.next();
        match r % 7 {
            0 => f32x4(self.f32(), self.f32(), self.f32(), self.f32()),
            1 => f64x2(self.f64(), self.f64()),
            2 => i16x8(i16::MIN, i16::MAX, -1, 0, 1, (r >> 16) as i16, (r >> 32) as i16, 0x7f),
            3 => i8x16(-128, 127, -1, 0, 1, 0x40, -0x41, (r >> 8) as i8, (r >> 16) as i8, (r >> 24) as i8, 2, 3, -2, -3, 100, -100),
            _ => u64x2(self.next(), self.next()),
        }
    }
}

fn nan32(v: v128) -> v128 { v128_bitselect(f32x4_splat(f32::NAN), v, f32x4_ne(v, v)) }
fn nan64(v: v128) -> v128 { v128_bitselect(f64x2_splat(f64::NAN), v, f64x2_ne(v, v)) }

#[inline(never)]
fn bits(v: v128) -> (u64, u64) {
    (u64x2_extract_lane::<0>(v), u64x2_extract_lane::<1>(v))
}

struct Sums(Vec<(&'static str, u64)>);
impl Sums {
    fn add(&mut self, name: &'static str, v: v128) {
        let (a, b) = bits(v);
        let h = a.wrapping_mul(0x9E3779B97F4A7C15) ^ b.rotate_left(29).wrapping_mul(0xC2B2AE3D27D4EB4F);
        match self.0.iter_mut().find(|e| e.0 == name) {
            Some(e) => e.1 = e.1.rotate_left(7) ^ h,
            None => self.0.push((name, h)),
        }
    }
}

fn main() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut s = Sums(Vec::new());
    let mut mem = [0u8; 64];
    for _ in 0..4000 {
        let a = rng.v128();
        let b = rng.v128();
        let c = rng.v128();
        // integer arithmetic
        s.add("i8x16.add/sub", i8x16_add(a, i8x16_sub(b, c)));
        s.add("i8x16.add_sat", v128_or(i8x16_add_sat(a, b), u8x16_add_sat(b, c)));
        s.add("i8x16.sub_sat", v128_xor(i8x16_sub_sat(a, b), u8x16_sub_sat(b, c)));
        s.add("i8x16.min/max", v128_xor(i8x16_min(a, b), u8x16_max(b, c)));
        s.add("u8x16.avgr", u8x16_avgr(a, b));
        s.add("i8x16.abs/neg/popcnt", v128_xor(i8x16_abs(a), v128_xor(i8x16_neg(b), i8x16_popcnt(c))));
        s.add("i16x8.mul", i16x8_mul(a, b));
        s.add("i16x8.q15mulr", i16x8_q15mulr_sat(a, b));
        s.add("i16x8.extmul", v128_xor(i16x8_extmul_low_i8x16(a, b), u16x8_extmul_high_u8x16(b, c)));
        s.add("i16x8.extadd", v128_xor(i16x8_extadd_pairwise_i8x16(a), u16x8_extadd_pairwise_u8x16(b)));
        s.add("i32x4.mul/dot", v128_xor(i32x4_mul(a, b), i32x4_dot_i16x8(b, c)));
        s.add("i32x4.extmul", v128_xor(i32x4_extmul_high_i16x8(a, b), u32x4_extmul_low_u16x8(b, c)));
        s.add("i64x2.mul/add", i64x2_add(i64x2_mul(a, b), c));
        s.add("i64x2.extmul", v128_xor(i64x2_extmul_low_i32x4(a, b), u64x2_extmul_high_u32x4(b, c)));
        s.add("i32x4.min/max", v128_xor(i32x4_min(a, b), u32x4_max(b, c)));
        s.add("i64x2.abs/neg", v128_xor(i64x2_abs(a), i64x2_neg(b)));
        // shifts with in-range and out-of-range counts
        let n = (rng.next() % 70) as u32;
        s.add("shifts8", v128_xor(i8x16_shl(a, n), v128_xor(i8x16_shr(b, n), u8x16_shr(c, n))));
        s.add("shifts16", v128_xor(i16x8_shl(a, n), v128_xor(i16x8_shr(b, n), u16x8_shr(c, n))));
        s.add("shifts32", v128_xor(i32x4_shl(a, n), v128_xor(i32x4_shr(b, n), u32x4_shr(c, n))));
        s.add("shifts64", v128_xor(i64x2_shl(a, n), v128_xor(i64x2_shr(b, n), u64x2_shr(c, n))));
        // comparisons
        s.add("cmp8", v128_xor(i8x16_lt(a, b), v128_xor(u8x16_ge(b, c), i8x16_eq(a, c))));
        s.add("cmp16", v128_xor(i16x8_gt(a, b), v128_xor(u16x8_le(b, c), i16x8_ne(a, c))));
        s.add("cmp32", v128_xor(i32x4_le(a, b), v128_xor(u32x4_gt(b, c), i32x4_eq(a, c))));
        s.add("cmp64", v128_xor(i64x2_lt(a, b), v128_xor(i64x2_ge(b, c), i64x2_ne(a, c))));
        s.add("cmpf32", v128_xor(f32x4_lt(a, b), v128_xor(f32x4_ge(b, c), f32x4_ne(a, a))));
        s.add("cmpf64", v128_xor(f64x2_le(a, b), v128_xor(f64x2_gt(b, c), f64x2_eq(a, a))));
        // bitwise
        s.add("bitselect", v128_bitselect(a, b, c));
        s.add("andnot/not", v128_xor(v128_andnot(a, b), v128_not(c)));
        let flags = (v128_any_true(a) as u64) | (i8x16_all_true(b) as u64) << 1 | (i16x8_all_true(c) as u64) << 2
            | (i32x4_all_true(a) as u64) << 3 | (i64x2_all_true(b) as u64) << 4
            | (i8x16_bitmask(a) as u64) << 8 | (i16x8_bitmask(b) as u64) << 24 | (i32x4_bitmask(c) as u64) << 32 | (i64x2_bitmask(a) as u64) << 40;
        s.add("reductions", u64x2(flags, 0));
        // floating point
        s.add("f32x4.arith", v128_xor(nan32(f32x4_add(a, b)), v128_xor(nan32(f32x4_mul(b, c)), nan32(f32x4_div(a, c)))));
        s.add("f32x4.sqrt", nan32(f32x4_sqrt(a)));
        s.add("f32x4.abs/neg", v128_xor(f32x4_abs(b), f32x4_neg(c)));
        s.add("f32x4.min/max", v128_xor(nan32(f32x4_min(a, b)), nan32(f32x4_max(b, c))));
        s.add("f32x4.pmin/pmax", v128_xor(f32x4_pmin(a, b), f32x4_pmax(b, c)));
        s.add("f32x4.rounding", v128_xor(nan32(f32x4_ceil(a)), v128_xor(nan32(f32x4_floor(b)), v128_xor(nan32(f32x4_trunc(c)), nan32(f32x4_nearest(a))))));
        s.add("f64x2.arith", v128_xor(nan64(f64x2_sub(a, b)), v128_xor(nan64(f64x2_mul(b, c)), nan64(f64x2_div(a, c)))));
        s.add("f64x2.min/max", v128_xor(nan64(f64x2_min(a, b)), v128_xor(nan64(f64x2_max(b, c)), f64x2_pmin(a, c))));
        s.add("f64x2.rounding", v128_xor(nan64(f64x2_ceil(a)), v128_xor(nan64(f64x2_floor(b)), v128_xor(nan64(f64x2_trunc(c)), nan64(f64x2_nearest(a))))));
        s.add("f64x2.sqrt", nan64(f64x2_sqrt(b)));
        // conversions
        s.add("trunc_sat32", v128_xor(i32x4_trunc_sat_f32x4(a), u32x4_trunc_sat_f32x4(b)));
        s.add("trunc_sat64", v128_xor(i32x4_trunc_sat_f64x2_zero(a), u32x4_trunc_sat_f64x2_zero(b)));
        s.add("convert", v128_xor(f32x4_convert_i32x4(a), v128_xor(f32x4_convert_u32x4(b), f64x2_convert_low_i32x4(c))));
        s.add("convert_u64", f64x2_convert_low_u32x4(a));
        s.add("demote/promote", v128_xor(nan32(f32x4_demote_f64x2_zero(a)), nan64(f64x2_promote_low_f32x4(b))));
        s.add("narrow", v128_xor(i8x16_narrow_i16x8(a, b), v128_xor(u8x16_narrow_i16x8(b, c), v128_xor(i16x8_narrow_i32x4(a, c), u16x8_narrow_i32x4(c, b)))));
        s.add("extend", v128_xor(i16x8_extend_low_i8x16(a), v128_xor(u32x4_extend_high_u16x8(b), v128_xor(i64x2_extend_low_i32x4(c), u64x2_extend_high_u32x4(a)))));
        // shuffles, swizzles, lanes, splats
        s.add("swizzle", i8x16_swizzle(a, v128_and(b, u8x16_splat(0x1f))));
        s.add("shuffle", i8x16_shuffle::<0, 17, 2, 19, 31, 30, 7, 8, 16, 1, 10, 27, 12, 13, 29, 15>(a, b));
        s.add("shuffle32", i32x4_shuffle::<3, 6, 1, 4>(b, c));
        let x = rng.next();
        s.add("replace/extract", i8x16_replace_lane::<5>(i16x8_replace_lane::<3>(i32x4_replace_lane::<2>(f64x2_replace_lane::<0>(a, f64::from_bits(x)), x as i32), (x >> 8) as i16), (x >> 16) as i8));
        s.add("extract", u64x2((i8x16_extract_lane::<9>(a) as i64 as u64) ^ (u8x16_extract_lane::<3>(b) as u64) << 8 ^ (i16x8_extract_lane::<7>(c) as i64 as u64) << 16
            ^ (u16x8_extract_lane::<1>(a) as u64) << 32 ^ (f32x4_extract_lane::<2>(b).to_bits() as u64) << 17, f64x2_extract_lane::<1>(c).to_bits()));
        s.add("splat", v128_xor(i8x16_splat(x as i8), v128_xor(i16x8_splat((x >> 8) as i16), v128_xor(f32x4_splat(f32::from_bits(x as u32)), f64x2_splat(f64::from_bits(x))))));
        // memory: loads with splat/zero/lane/extend and stores of lanes at unaligned offsets
        let off = (x % 40) as usize;
        unsafe {
            v128_store(mem.as_mut_ptr().add(off) as *mut v128, a);
            v128_store64_lane::<1>(b, mem.as_mut_ptr().add(off / 2) as *mut u64);
            v128_store8_lane::<7>(c, mem.as_mut_ptr().add(63 - off));
            let p = mem.as_ptr().add(off / 3);
            s.add("load", v128_load(p as *const v128));
            s.add("load_splat", v128_xor(v128_load8_splat(p), v128_xor(v128_load16_splat(p as *const u16), v128_xor(v128_load32_splat(p as *const u32), v128_load64_splat(p as *const u64)))));
            s.add("load_zero", v128_xor(v128_load32_zero(p as *const u32), v128_load64_zero(p.add(3) as *const u64)));
            s.add("load_ext", v128_xor(i16x8_load_extend_i8x8(p as *const i8), v128_xor(u32x4_load_extend_u16x4(p.add(1) as *const u16), i64x2_load_extend_i32x2(p.add(2) as *const i32))));
            s.add("load_lane", v128_load8_lane::<11>(a, p.add(5)));
            s.add("load_lane64", v128_load64_lane::<0>(b, p.add(7) as *const u64));
        }
    }
    for (name, h) in &s.0 {
        println!("{:<22} {:016x}", name, h);
    }
    println!("{} operation groups", s.0.len());
}
