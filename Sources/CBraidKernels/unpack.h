// Unpacking of GGUF weight blocks into f32 vectors, one 32-element group at a time.
//
// Every `unpack_*` returns the dequantized values of group `g` (elements 32g..32g+31) of a row
// as two 16-lane vectors, computed with the same formula as ggml's reference dequantization
// (and Braid's `dequantizeRow`), so a dot product over them equals the dot product with the
// dequantized matrix up to summation order. All functions are always-inline: each kernel that
// uses them is compiled once per instruction set (see kernels.c).
#pragma once
#include <stdint.h>
#include <string.h>

typedef float f32x16 __attribute__((vector_size(64)));
typedef float f32x8 __attribute__((vector_size(32)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));
typedef uint16_t u16x16 __attribute__((vector_size(32)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int8_t i8x16 __attribute__((vector_size(16)));

#define INLINE static inline __attribute__((always_inline))

typedef _Float16 f16x2 __attribute__((vector_size(4)));
typedef float f32x2 __attribute__((vector_size(8)));

// Dequantized values must equal the reference's bit for bit. Where a type's value is `d·q ± m`, the
// compiler may fuse the multiply and add (where the instruction set has FMA: one instruction less per
// 16 weights) without changing it: d·q is exact in f32 (at most 11 + 6 + 5 significant bits), so fused
// or not there is one rounding. Q6_K's d·scale·q, which is not exact, has no add to fuse with.

enum {
    T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q4_1 = 3, T_Q5_0 = 6, T_Q5_1 = 7, T_Q8_0 = 8,
    T_Q4_K = 12, T_Q5_K = 13, T_Q6_K = 14, T_BF16 = 30
};

INLINE u8x16 load_u8(const uint8_t *p) { u8x16 v; memcpy(&v, p, 16); return v; }
INLINE i8x16 load_i8(const uint8_t *p) { i8x16 v; memcpy(&v, p, 16); return v; }
INLINE f32x16 load_f32(const float *p) { f32x16 v; memcpy(&v, p, 64); return v; }
INLINE void store_f32(float *p, f32x16 v) { memcpy(p, &v, 64); }
INLINE f32x16 splat(float s) { return (f32x16){0} + s; }
INLINE f32x16 from_u8(u8x16 v) { return __builtin_convertvector(__builtin_convertvector(v, i32x16), f32x16); }
INLINE f32x16 from_i8(i8x16 v) { return __builtin_convertvector(__builtin_convertvector(v, i32x16), f32x16); }
INLINE f32x16 from_i32(i32x16 v) { return __builtin_convertvector(v, f32x16); }

/// IEEE binary16 bits to float, exactly (normals, subnormals, infinities, NaN), without F16C:
/// the bits shifted into f32 position and scaled by 2^112 re-bias the exponent.
INLINE u32x16 half_bits_to_float_bits(u32x16 h) {
    u32x16 sign = (h & 0x8000u) << 16;
    u32x16 magnitude = (h & 0x7fffu) << 13;
    f32x16 scaled;
    memcpy(&scaled, &magnitude, 64);
    scaled *= 0x1p112f;
    u32x16 bits;
    memcpy(&bits, &scaled, 64);
    u32x16 special = (u32x16)((h & 0x7c00u) == 0x7c00u);   // all ones where inf/NaN
    bits = (bits & ~special) | ((magnitude | 0x7f800000u) & special);
    return bits | sign;
}

/// Two adjacent binary16 scales (d, m) converted together (one instruction with F16C).
INLINE f32x2 half_pair(const uint8_t *p) {
    f16x2 h;
    memcpy(&h, p, 4);
    return __builtin_convertvector(h, f32x2);
}

/// A scalar binary16 (block scales): `_Float16` converts with one instruction where the
/// function is compiled for F16C (the AVX2/AVX-512 kernels) and through the compiler's
/// runtime elsewhere.
INLINE float half(const uint8_t *p) {
    _Float16 h;
    memcpy(&h, p, 2);
    return (float)h;
}

INLINE void unpack_f32(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const float *p = (const float *)(const void *)row + 32 * g;
    *a = load_f32(p);
    *b = load_f32(p + 16);
}

INLINE f32x16 halves(const uint8_t *p, int bf16) {
    u16x16 raw;
    memcpy(&raw, p, 32);
    u32x16 wide = __builtin_convertvector(raw, u32x16);
    u32x16 bits = bf16 ? wide << 16 : half_bits_to_float_bits(wide);
    f32x16 f;
    memcpy(&f, &bits, 64);
    return f;
}

INLINE void unpack_f16(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    *a = halves(row + 64 * g, 0);
    *b = halves(row + 64 * g + 32, 0);
}

INLINE void unpack_bf16(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    *a = halves(row + 64 * g, 1);
    *b = halves(row + 64 * g + 32, 1);
}

/// Q4_0: f16 d; u8 qs[16]; low nibbles are elements 0..15, high 16..31; value (q - 8) * d.
INLINE void unpack_q4_0(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 18 * g;
    f32x16 d = splat(half(block));
    u8x16 q = load_u8(block + 2);
    *a = (from_u8(q & 15) - 8.0f) * d;
    *b = (from_u8(q >> 4) - 8.0f) * d;
}

/// Q4_1: f16 d; f16 m; u8 qs[16]; value q * d + m.
INLINE void unpack_q4_1(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 20 * g;
    f32x2 dm = half_pair(block);
    f32x16 d = splat(dm[0]), m = splat(dm[1]);
    u8x16 q = load_u8(block + 4);
    *a = from_u8(q & 15) * d + m;
    *b = from_u8(q >> 4) * d + m;
}

/// The fifth bits of a Q5_0/Q5_1 block (bit j of qh belongs to element j) as 16 on or 0.
INLINE void fifth_bits(uint32_t qh, i32x16 *low, i32x16 *high) {
    const u32x16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    u32x16 bits = (u32x16){0} + qh;
    *low = (i32x16)(((bits >> lane) & 1u) << 4);
    *high = (i32x16)(((bits >> (lane + 16u)) & 1u) << 4);
}

/// Q5_0: f16 d; u32 qh; u8 qs[16]; value (q - 16) * d with a 5-bit q.
INLINE void unpack_q5_0(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 22 * g;
    f32x16 d = splat(half(block));
    uint32_t qh;
    memcpy(&qh, block + 2, 4);
    i32x16 hl, hh;
    fifth_bits(qh, &hl, &hh);
    u8x16 q = load_u8(block + 6);
    *a = from_i32((__builtin_convertvector(q & 15, i32x16) | hl) - 16) * d;
    *b = from_i32((__builtin_convertvector(q >> 4, i32x16) | hh) - 16) * d;
}

/// Q5_1: f16 d; f16 m; u32 qh; u8 qs[16]; value q * d + m.
INLINE void unpack_q5_1(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 24 * g;
    f32x16 d = splat(half(block)), m = splat(half(block + 2));
    uint32_t qh;
    memcpy(&qh, block + 4, 4);
    i32x16 hl, hh;
    fifth_bits(qh, &hl, &hh);
    u8x16 q = load_u8(block + 8);
    *a = from_i32(__builtin_convertvector(q & 15, i32x16) | hl) * d + m;
    *b = from_i32(__builtin_convertvector(q >> 4, i32x16) | hh) * d + m;
}

/// Q8_0: f16 d; i8 qs[32]; value q * d.
INLINE void unpack_q8_0(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 34 * g;
    f32x16 d = splat(half(block));
    *a = from_i8(load_i8(block + 2)) * d;
    *b = from_i8(load_i8(block + 18)) * d;
}

/// Sub-block j's 6-bit scale and min of a Q4_K/Q5_K super-block (12 packed bytes).
INLINE void k_scale_min(const uint8_t *s, int j, float *scale, float *min) {
    if (j < 4) {
        *scale = (float)(s[j] & 63);
        *min = (float)(s[j + 4] & 63);
    } else {
        *scale = (float)((s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4));
        *min = (float)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

/// The 32 four-bit values of sub-block j of a Q4_K/Q5_K super-block: the low (j even) or high (j odd)
/// nibbles of the 32 bytes at `qs`.
INLINE void k_nibbles(const uint8_t *qs, int j, u8x16 *q0, u8x16 *q1) {
    *q0 = load_u8(qs);
    *q1 = load_u8(qs + 16);
    if (j & 1) {
        *q0 >>= 4;
        *q1 >>= 4;
    } else {
        *q0 &= 15;
        *q1 &= 15;
    }
}

/// Q4_K (256 elements, 144 bytes): f16 d; f16 dmin; u8 scales[12]; u8 qs[128]. Sub-block j
/// (32 elements) uses the low (j even) or high (j odd) nibbles of qs[32(j/2) ..< 32(j/2)+32];
/// value d·scale·q − dmin·min.
INLINE void unpack_q4_K(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 144 * (g >> 3);
    int j = (int)(g & 7);
    float scale, min;
    k_scale_min(block + 4, j, &scale, &min);
    f32x16 d = splat(half(block) * scale), m = splat(half(block + 2) * min);
    const uint8_t *qs = block + 16 + 32 * (j >> 1);
    u8x16 q0, q1;
    k_nibbles(qs, j, &q0, &q1);
    *a = d * from_u8(q0) - m;
    *b = d * from_u8(q1) - m;
}

/// Q5_K (176 bytes): f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]. Like Q4_K; the fifth
/// bit of element l of sub-block j is bit j of qh[l].
INLINE void unpack_q5_K(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 176 * (g >> 3);
    int j = (int)(g & 7);
    float scale, min;
    k_scale_min(block + 4, j, &scale, &min);
    f32x16 d = splat(half(block) * scale), m = splat(half(block + 2) * min);
    const uint8_t *qs = block + 48 + 32 * (j >> 1);
    u8x16 q0, q1;
    k_nibbles(qs, j, &q0, &q1);
    u8x16 h0 = ((load_u8(block + 16) >> j) & 1) << 4, h1 = ((load_u8(block + 32) >> j) & 1) << 4;
    *a = d * from_u8(q0 | h0) - m;
    *b = d * from_u8(q1 | h1) - m;
}

/// Q6_K (210 bytes): u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d. Group k (0..7) of a super-block
/// is quarter k%4 of half k/4; each 16 elements have their own scale; value d·scale·(q − 32).
INLINE void unpack_q6_K(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 210 * (g >> 3);
    int k = (int)(g & 7), half_ = k >> 2, quarter = k & 3;
    const uint8_t *ql = block + 64 * half_ + (quarter & 1) * 32;
    const uint8_t *qh = block + 128 + 32 * half_;
    const int8_t *sc = (const int8_t *)(const void *)(block + 192 + 8 * half_);
    int shift = 2 * quarter;
    float d = half(block + 208);
    for (int c = 0; c < 2; c++) {
        u8x16 l = load_u8(ql + 16 * c);
        l = quarter < 2 ? (l & 15) : (l >> 4);
        u8x16 q = l | (((load_u8(qh + 16 * c) >> shift) & 3) << 4);
        f32x16 v = splat(d * (float)sc[c + 2 * quarter]) * from_i32(__builtin_convertvector(q, i32x16) - 32);
        if (c == 0) *a = v; else *b = v;
    }
}


// K-quants a super-block at a time (DEFINE_DOT_K in matvec.h): the scales of the super-block's
// sub-blocks are decoded once into a state, and its eight 32-element groups are unpacked with the
// group's index j a compile-time constant. The values are those of unpack_q4_K / q5_K / q6_K.

/// The eight sub-block factors of a Q4_K/Q5_K super-block: d·scale_j and dmin·min_j.
typedef struct { f32x8 d, m; } q4_K_state;
typedef q4_K_state q5_K_state;

typedef uint8_t u8x8k __attribute__((vector_size(8)));

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "k_scale_bytes reads four scale bytes at a time as a little-endian word"
#endif

/// The eight 6-bit scales and mins of a Q4_K/Q5_K super-block (`k_scale_min` for j = 0..7), decoded four at a
/// time with 32-bit masks and shifts in general-purpose registers: sixteen scalar extractions cost as much as
/// the dot products of a one-row Q4_K product, and byte shuffles took vector slots that the loop is short of
/// (Q4_K one row in L3: 0.027 ns a weight with shuffles, 0.023 with this).
INLINE void k_scale_bytes(const uint8_t *block, u8x8k *scales, u8x8k *mins) {
    // The 12 scale bytes s[0..11] as three words. Sub-blocks 0-3: scale s[j] & 63, min s[j + 4] & 63.
    // Sub-blocks 4-7: scale (s[j + 4] & 15) | (s[j - 4] >> 6) << 4, min (s[j + 4] >> 4) | (s[j] >> 6) << 4.
    uint32_t u0, u1, u2;
    memcpy(&u0, block + 4, 4);
    memcpy(&u1, block + 8, 4);
    memcpy(&u2, block + 12, 4);
    uint64_t sc = (uint64_t)(u0 & 0x3f3f3f3fu) | (uint64_t)((u2 & 0x0f0f0f0fu) | ((u0 >> 2) & 0x30303030u)) << 32;
    uint64_t mn = (uint64_t)(u1 & 0x3f3f3f3fu) | (uint64_t)(((u2 >> 4) & 0x0f0f0f0fu) | ((u1 >> 2) & 0x30303030u)) << 32;
    memcpy(scales, &sc, 8);
    memcpy(mins, &mn, 8);
}

INLINE void k_super_scales(const uint8_t *block, q4_K_state *st) {
    u8x8k sc, mn;
    k_scale_bytes(block, &sc, &mn);
    f32x8 scale = __builtin_convertvector(sc, f32x8), min = __builtin_convertvector(mn, f32x8);
    f32x2 dm = half_pair(block);
    st->d = scale * dm[0];
    st->m = min * dm[1];
}

INLINE void prep_q4_K(const uint8_t *row, long s, q4_K_state *st) { k_super_scales(row + 144 * s, st); }
INLINE void prep_q5_K(const uint8_t *row, long s, q5_K_state *st) { k_super_scales(row + 176 * s, st); }

INLINE void unpack_sb_q4_K(const uint8_t *row, long s, int j, const q4_K_state *st, f32x16 *a, f32x16 *b) {
    u8x16 q0, q1;
    k_nibbles(row + 144 * s + 16 + 32 * (j >> 1), j, &q0, &q1);
    f32x16 d = splat(st->d[j]), m = splat(st->m[j]);
    *a = d * from_u8(q0) - m;
    *b = d * from_u8(q1) - m;
}

INLINE void unpack_sb_q5_K(const uint8_t *row, long s, int j, const q5_K_state *st, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 176 * s;
    u8x16 q0, q1;
    k_nibbles(block + 48 + 32 * (j >> 1), j, &q0, &q1);
    u8x16 h0 = ((load_u8(block + 16) >> j) & 1) << 4, h1 = ((load_u8(block + 32) >> j) & 1) << 4;
    f32x16 d = splat(st->d[j]), m = splat(st->m[j]);
    *a = d * from_u8(q0 | h0) - m;
    *b = d * from_u8(q1 | h1) - m;
}

/// The sixteen factors d·scale_i of a Q6_K super-block (one per 16 elements).
typedef struct { f32x16 d; } q6_K_state;

INLINE void prep_q6_K(const uint8_t *row, long s, q6_K_state *st) {
    const uint8_t *block = row + 210 * s;
    st->d = from_i8(load_i8(block + 192)) * half(block + 208);
}

typedef uint8_t u8x32k __attribute__((vector_size(32)));
typedef int8_t i8x32k __attribute__((vector_size(32)));

INLINE void unpack_sb_q6_K(const uint8_t *row, long s, int k, const q6_K_state *st, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 210 * s;
    int half_ = k >> 2, quarter = k & 3, shift = 2 * quarter;
    const uint8_t *ql = block + 64 * half_ + (quarter & 1) * 32, *qh = block + 128 + 32 * half_;
    u8x32k l, h;
    memcpy(&l, ql, 32);
    memcpy(&h, qh, 32);
    l = quarter < 2 ? (l & 15) : (l >> 4);
    i8x32k q = (i8x32k)(l | (((h >> shift) & 3) << 4)) - 32;
    i8x16 q0 = __builtin_shufflevector(q, q, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    i8x16 q1 = __builtin_shufflevector(q, q, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    *a = splat(st->d[8 * half_ + 2 * quarter]) * from_i8(q0);
    *b = splat(st->d[8 * half_ + 2 * quarter + 1]) * from_i8(q1);
}
