//! Eight bytes at a time in a `u64` ("SIMD within a register"): the byte
//! searches that are too short for a `memchr` call to pay (runs between
//! tags, QP escapes, words) and the class tests no `memchr` does.

/// `0x01` in every byte.
pub(crate) const LANES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub(crate) const HIGH: u64 = LANES * 0x80;

/// Bytes `i..i + 8` of `b` as a little-endian word: byte `i` is the lowest.
#[inline(always)]
pub(crate) fn load(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

/// The high bit set in each zero byte of `x`. Only the lowest set bit is
/// exact: a borrow may also mark the byte above a zero byte.
#[inline(always)]
pub(crate) fn zero_byte(x: u64) -> u64 {
    x.wrapping_sub(LANES) & !x & HIGH
}

/// The high bit set in each byte of `x` equal to `b` (lowest bit exact).
#[inline(always)]
pub(crate) fn eq_byte(x: u64, b: u8) -> u64 {
    zero_byte(x ^ (LANES * u64::from(b)))
}

/// The high bit set in exactly the bytes of `x` equal to `b`: no carry
/// crosses a byte, so every lane is exact.
#[inline(always)]
pub(crate) fn eq_exact(x: u64, b: u8) -> u64 {
    let y = x ^ (LANES * u64::from(b));
    !(((y & !HIGH) + !HIGH) | y) & HIGH
}

/// The high bit set in exactly the bytes of `x` below `b`, for `b` up to
/// `0x80`.
#[inline(always)]
pub(crate) fn lt_exact(x: u64, b: u8) -> u64 {
    debug_assert!(b <= 0x80);
    // Low seven bits plus (0x80 - b) carries into the high bit exactly when
    // they are at least b; a byte with its high bit set is never below.
    !(((x & !HIGH) + LANES * u64::from(0x80 - b)) | x) & HIGH
}

/// The index of the byte holding the lowest set bit of a non-zero mask.
#[inline(always)]
pub(crate) fn first_lane(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// An exact mask (high bits only, as [`eq_exact`] gives) as eight bits:
/// bit `k` for byte `k`.
#[inline(always)]
pub(crate) fn lane_bits(mask: u64) -> u64 {
    // Bit 8k + 7 moves to bit 56 + k; no two products meet in the top byte.
    ((mask >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn exact_tests_mark_every_lane(w in proptest::array::uniform8(proptest::num::u8::ANY), b in proptest::num::u8::ANY) {
            let x = load(&w, 0);
            let lanes = |f: &dyn Fn(u8) -> bool| {
                w.iter().enumerate().fold(0u64, |m, (k, &c)| if f(c) { m | 0x80 << (8 * k) } else { m })
            };
            proptest::prop_assert_eq!(eq_exact(x, b), lanes(&|c| c == b));
            let lt = b.min(0x80);
            proptest::prop_assert_eq!(lt_exact(x, lt), lanes(&|c| c < lt));
            let bits = w.iter().enumerate().fold(0u64, |m, (k, &c)| m | u64::from(c == b) << k);
            proptest::prop_assert_eq!(lane_bits(eq_exact(x, b)), bits);
        }
    }

    #[test]
    fn lowest_marked_lane_is_the_first_match() {
        for len in 0..8 {
            for needle in [0u8, b'=', 0x80, 0xff] {
                for filler in [1u8, b'a', 0x7f, 0x81, 0xfe] {
                    if filler == needle {
                        continue;
                    }
                    let mut w = [filler; 8];
                    let mut expect = None;
                    for (k, slot) in w.iter_mut().enumerate().skip(len) {
                        if (k - len) % 3 == 0 {
                            *slot = needle;
                            expect.get_or_insert(k);
                        }
                    }
                    let m = eq_byte(load(&w, 0), needle);
                    assert_eq!((m != 0).then(|| first_lane(m)), expect, "{w:?} {needle}");
                }
            }
        }
    }
}
