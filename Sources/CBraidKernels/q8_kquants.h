// Integer kernels of the q8 activation mode for K-quant weights (Q4_K, Q6_K), shared by the instruction
// sets that instantiate them (q8_kquants.c portable, q8_kquants_avx2.c, q8_kquants_vnni.c). The including
// file defines
//   KQ_PAIRS(w, x):      32 int16 lanes, each w0·x0 + w1·x1 of two adjacent u8 (w) × s8 (x) bytes (`vpmaddubsw`;
//                        the weights are at most 63, so no pair saturates);
//   KQ_SCALED(a, p, s):  a (16 int32 lanes) + the sums of the two adjacent int16 products p·s in each lane (`vpdpwssd`);
//   KQ_MADD(a, b):       8 int32 lanes, the sums of adjacent int16 products a·b (`vpmaddwd`, 256 bits).
//
// The activation rows come in the compact form the quantizer writes (q8_layout.h): one scale d_x per
// 256-element super-block, so a super-block of weights and a row meet in integers up to one f32 product:
//   Q4_K (value d·sc_j·q − dmin·mn_j):   d·d_x · Σ_j sc_j·Σ_j q·x  −  dmin·d_x · Σ_j mn_j·Σ_j x
//   Q6_K (value d·sc_i·(q − 32)):        d·d_x · Σ_i sc_i·Σ_i q·x  −  32 · d·d_x · Σ_i sc_i·Σ_i x
// (j: 32-element blocks; i: 16-element halves; Σ x from the row's half sums). A super-block of one weight row
// is unpacked once (four registers of unsigned bytes, 64 elements each, and the sub-block scales spread
// over the int16 lanes they multiply) and used for every row. A row adds its super-block terms to a 16-lane
// and an 8-lane f32 sum, added up in one fixed order at the end. Every row goes through exactly the same
// operations (none fused: each product and sum is its own statement) whatever the row count and
// instruction set, so a row's result does not depend on the batch, and the integer sums are exact.
#pragma once
#include "q8_layout.h"
#include "unpack.h"

typedef int16_t i16x32k __attribute__((vector_size(64)));
typedef int16_t i16x16k __attribute__((vector_size(32)));
typedef int16_t i16x8k __attribute__((vector_size(16)));
typedef int32_t i32x8k __attribute__((vector_size(32)));

/// The compact rows of one product (q8_layout.h) and their super-block count.
typedef struct {
    const int8_t *values;
    const int8_t *paired;
    const float *d;
    const int16_t *halves;
    long supers;
} kq_rows;

INLINE i32x16 kq_load_i32(const void *p) { i32x16 v; memcpy(&v, p, 64); return v; }
INLINE i16x16k kq_load_i16(const int16_t *p) { i16x16k v; memcpy(&v, p, 32); return v; }

/// The lanes of a 16-lane sum added in a fixed order.
INLINE float kq_total16(f32x16 acc) {
    f32x8 a = __builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15);
    f32x4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    f32x2 c = __builtin_shufflevector(b, b, 0, 1) + __builtin_shufflevector(b, b, 2, 3);
    return c[0] + c[1];
}

/// The lanes of an 8-lane sum added in a fixed order.
INLINE float kq_total8(f32x8 acc) {
    f32x4 b = __builtin_shufflevector(acc, acc, 0, 1, 2, 3) + __builtin_shufflevector(acc, acc, 4, 5, 6, 7);
    f32x2 c = __builtin_shufflevector(b, b, 0, 1) + __builtin_shufflevector(b, b, 2, 3);
    return c[0] + c[1];
}

#define KQ_16(a) a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a
#define KQ_8(a) a, a, a, a, a, a, a, a
/// int16 scales for a register of two 32-element blocks: sixteen lanes (32 elements) each.
#define KQ_TWO(v, a, b) __builtin_shufflevector(v, v, KQ_16(a), KQ_16(b))
/// int16 scales for a register of four 16-element halves a … a + 3: eight lanes each.
#define KQ_FOUR(v, a) __builtin_shufflevector(v, v, KQ_8(a), KQ_8(a + 1), KQ_8(a + 2), KQ_8(a + 3))

/// A weight super-block unpacked for the rows: four registers of byte values, the int16 scale of each
/// lane of their pair sums, the int16 factors of the row's half sums, and the f32 factors of both sums.
typedef struct {
    i32x16 w[4];
    i16x32k scales[4];
    i16x16k halves;
    float d, dmin;
} kq_super;

/// Q4_K super-block s. Its 128 bytes of nibbles are read 64 at a time: the low nibbles hold blocks 0 and 2
/// (4 and 6), the high ones 1 and 3 (5 and 7): the order of the rows' `paired` values.
INLINE void kq_unpack_q4_K(const uint8_t *row, long s, kq_super *u) {
    const uint8_t *block = row + 144 * s;
    for (int h = 0; h < 2; h++) {
        i32x16 q = kq_load_i32(block + 16 + 64 * h);
        u->w[2 * h] = q & 0x0f0f0f0f;
        u->w[2 * h + 1] = (q >> 4) & 0x0f0f0f0f;
    }
    u8x8k sc, mn;
    k_scale_bytes(block, &sc, &mn);
    i16x8k scales = __builtin_convertvector(sc, i16x8k), mins = __builtin_convertvector(mn, i16x8k);
    u->scales[0] = KQ_TWO(scales, 0, 2);
    u->scales[1] = KQ_TWO(scales, 1, 3);
    u->scales[2] = KQ_TWO(scales, 4, 6);
    u->scales[3] = KQ_TWO(scales, 5, 7);
    u->halves = __builtin_shufflevector(mins, mins, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    f32x2 dm = half_pair(block);
    u->d = dm[0];
    u->dmin = dm[1];
}

/// Q6_K super-block s: its 256 six-bit values (0..63) as bytes in element order; the min factor is the
/// half's scale (times 32, applied at the end).
INLINE void kq_unpack_q6_K(const uint8_t *row, long s, kq_super *u) {
    const uint8_t *block = row + 210 * s;
    const i32x16 shift = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2};
    for (int h = 0; h < 2; h++) {
        i32x8k hb;
        memcpy(&hb, block + 128 + 32 * h, 32);
        i32x16 ql = kq_load_i32(block + 64 * h);
        i32x16 high = __builtin_shufflevector(hb, hb, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
        // Elements 0-63 of the half: low nibbles of ql, bits 0-1 / 2-3 of qh; 64-127: high nibbles, bits 4-5 / 6-7.
        u->w[2 * h] = (ql & 0x0f0f0f0f) | (((high >> shift) & 0x03030303) << 4);
        u->w[2 * h + 1] = ((ql >> 4) & 0x0f0f0f0f) | (((high >> (shift + 4)) & 0x03030303) << 4);
    }
    i16x16k scales = __builtin_convertvector(load_i8(block + 192), i16x16k);
    u->scales[0] = KQ_FOUR(scales, 0);
    u->scales[1] = KQ_FOUR(scales, 4);
    u->scales[2] = KQ_FOUR(scales, 8);
    u->scales[3] = KQ_FOUR(scales, 12);
    u->halves = scales;
    u->d = half(block + 208);
    u->dmin = 32 * u->d;   // exact: a power of two
}

/// Super-block s of the unpacked weights against compact row r (`x`: its values in the weights' order),
/// added to the row's sums.
INLINE void kq_row(const kq_super *u, const int8_t *x, const kq_rows *xr, long r, long s, f32x16 *acc, f32x8 *mins) {
    i32x16 dot = {0};
    for (int p = 0; p < 4; p++) dot = KQ_SCALED(dot, KQ_PAIRS(u->w[p], kq_load_i32(x + 64 * p)), u->scales[p]);
    i32x8k m = KQ_MADD(kq_load_i16(xr->halves + (r * xr->supers + s) * 16), u->halves);
    float dx = xr->d[r * xr->supers + s];
    float f = u->d * dx, fm = u->dmin * dx;
    f32x16 t = __builtin_convertvector(dot, f32x16) * f;
    *acc = *acc + t;
    f32x8 tm = __builtin_convertvector(m, f32x8) * fm;
    *mins = *mins + tm;
}

INLINE long kq_block_bytes(int type) { return type == T_Q4_K ? 144 : 210; }

/// Asks for the weights 4 KiB ahead of `block` (its `bytes`, one line at a time). The hardware prefetchers
/// stop at each 4 KiB page of the mapped file, and a one-row product has too little work between loads to
/// hide the miss that follows: in `Benchmarks/kernel-bench.c` on a 151936-row Q4_K matrix (far larger than
/// the caches) this takes one row from 0.035 to 0.027 ns a weight. Prefetches never fault, so reading past
/// the matrix's end is harmless.
INLINE void kq_prefetch_ahead(const uint8_t *block, long bytes) {
    for (long i = 0; i < bytes; i += 64) __builtin_prefetch(block + 4096 + i, 0, 3);
}

/// Weight rows [o0, o1) of `type` against `rows` (≤ 16) compact rows. Inlined with rows = 1 too, where the
/// sums stay in registers.
INLINE void kq_matvec(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr, long rows,
                      float *y, long ys) {
    long supers = xr->supers;
    const int8_t *values = type == T_Q4_K ? xr->paired : xr->values;
    for (long o = o0; o < o1; o++) {
        const uint8_t *row = w + o * row_bytes;
        f32x16 acc[16];
        f32x8 mins[16];
        for (long r = 0; r < rows; r++) {
            acc[r] = (f32x16){0};
            mins[r] = (f32x8){0};
        }
        for (long s = 0; s < supers; s++) {
            kq_prefetch_ahead(row + kq_block_bytes(type) * s, kq_block_bytes(type));
            kq_super u;
            if (type == T_Q4_K) kq_unpack_q4_K(row, s, &u);
            else kq_unpack_q6_K(row, s, &u);
            for (long r = 0; r < rows; r++) kq_row(&u, values + (r * supers + s) * 256, xr, r, s, &acc[r], &mins[r]);
        }
        for (long r = 0; r < rows; r++) y[r * ys + o] = kq_total16(acc[r]) - kq_total8(mins[r]);
    }
}

/// The entry point of one instruction set: weight rows [o0, o1) of `type` (Q4_K or Q6_K); each type and
/// one row (decoding a single stream) take their own instance.
#define DEFINE_KQ_ENTRY(NAME)                                                                       \
    void NAME(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,       \
              long rows, float *y, long ys) {                                                        \
        if (type == T_Q4_K) {                                                                        \
            if (rows == 1) kq_matvec(T_Q4_K, w, row_bytes, o0, o1, xr, 1, y, ys);                    \
            else kq_matvec(T_Q4_K, w, row_bytes, o0, o1, xr, rows, y, ys);                           \
        } else if (type == T_Q6_K) {                                                                 \
            if (rows == 1) kq_matvec(T_Q6_K, w, row_bytes, o0, o1, xr, 1, y, ys);                    \
            else kq_matvec(T_Q6_K, w, row_bytes, o0, o1, xr, rows, y, ys);                           \
        }                                                                                            \
    }
