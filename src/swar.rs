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

/// The high bit set in exactly the bytes of `x` that are ASCII letters or
/// digits.
#[inline(always)]
pub(crate) fn alnum_exact(x: u64) -> u64 {
    // With the high bits cleared, adding `0x80 - lo` to every byte sets its
    // high bit exactly when the byte is >= `lo`, and never carries into the
    // next byte (0x7f + 0x80 - 0x30 < 0x100).
    let at_least = |v: u64, lo: u8| v + LANES * u64::from(0x80 - lo);
    let y = x & !HIGH;
    let digit = at_least(y, b'0') & !at_least(y, b'9' + 1);
    // `| 0x20` maps `A-Z` onto `a-z` and no other byte into `a-z`.
    let folded = y | (LANES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    // Bytes from 0x80 up (UTF-8) are none of these.
    (digit | letter) & !x & HIGH
}

/// One bit for each of the 64 bytes of `b` from `at` (bit `k` for byte
/// `at + k`) that is an ASCII letter or digit; none past the end of `b`.
#[inline(always)]
pub(crate) fn alnum_block(b: &[u8], at: usize) -> u64 {
    fn bits_of(block: &[u8; 64]) -> u64 {
        (0..8).fold(0, |bits, j| {
            bits | lane_bits(alnum_exact(load(block, 8 * j))) << (8 * j)
        })
    }
    match b.get(at..at + 64) {
        Some(block) => bits_of(block.try_into().expect("64 bytes")),
        None => {
            // Padded with zeros, which are not alphanumeric.
            let rest = b.get(at..).unwrap_or_default();
            let mut last = [0u8; 64];
            last[..rest.len()].copy_from_slice(rest);
            bits_of(&last)
        }
    }
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
            proptest::prop_assert_eq!(alnum_exact(x), lanes(&|c| c.is_ascii_alphanumeric()));
        }

        #[test]
        fn alnum_block_marks_letters_and_digits(
            b in proptest::collection::vec(proptest::num::u8::ANY, 0..150),
            at in 0usize..160,
        ) {
            let want = (0..64).fold(0u64, |m, k| {
                m | u64::from(b.get(at + k).is_some_and(u8::is_ascii_alphanumeric)) << k
            });
            proptest::prop_assert_eq!(alnum_block(&b, at), want);
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
