// Integer kernels of the q8 activation mode for K-quant weights (Q4_K, Q6_K), shared by the instruction
// sets that instantiate them (q8_kquants.c portable, q8_kquants_avx2.c, q8_kquants_vnni.c). The including
// file defines KQ_DOT(acc, w, x): acc (16 int32 lanes) + the sums of the four u8 (w) × s8 (x) products of
// each lane (`vpdpbusd`).
//
// The activation rows come in the compact form the quantizer writes (q8_layout.h): int8 values in element
// order, per-block scales d_x, block sums Σ q and half-block sums. A 256-element super-block of one weight
// row is unpacked once into four registers of unsigned bytes (64 elements each: two 32-element blocks) and
// multiplied with every row. Each lane of a product holds the integer sum of four element products; it is
// converted to f32 and scaled in its lane by the factor of its block (or half-block), so no horizontal sum
// is taken inside the loop:
//   Q4_K (value d1_j·q − m1_j):             Σ_lanes (Σ q·x) · d1_j·d_x,j   −  Σ_j m1_j·Σ x_j·d_x,j
//   Q6_K (value d·sc_i·(q − 32) per half i): Σ_lanes (Σ q·x) · d·sc_i·d_x,i −  32 · Σ_i (Σ x_i) · d·sc_i·d_x,i
// A row's 16-lane sum (and Q4_K's 8-lane min sum) is added up in one fixed order at the end. Every row goes
// through exactly the same operations (none fused: each product and sum is its own statement) whatever the
// row count and instruction set, so a row's result does not depend on the batch, and the integer sums are exact.
#pragma once
#include "q8_layout.h"
#include "unpack.h"

typedef int32_t i32x8k __attribute__((vector_size(32)));

/// The compact rows of one product (q8_layout.h) and their block count.
typedef struct {
    const int8_t *values;
    const float *dx;
    const float *sums;
    const int32_t *halves;
    long blocks;
} kq_rows;

INLINE i32x16 kq_load_i32(const void *p) { i32x16 v; memcpy(&v, p, 64); return v; }
INLINE f32x8 kq_load_f32x8(const float *p) { f32x8 v; memcpy(&v, p, 32); return v; }

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

INLINE i32x16 kq_broadcast32(const uint8_t *p) {
    i32x8k v;
    memcpy(&v, p, 32);
    return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
}

/// Register p's lane factors from per-block factors f (8 lanes): blocks 2p (lanes 0-7) and 2p + 1 (8-15).
#define KQ_BLOCKS(f, a, b) __builtin_shufflevector(f, f, a, a, a, a, a, a, a, a, b, b, b, b, b, b, b, b)
/// Register p's lane factors from per-half factors f (16 lanes): halves 4p … 4p + 3, four lanes each.
#define KQ_HALVES(f, a) \
    __builtin_shufflevector(f, f, a, a, a, a, a + 1, a + 1, a + 1, a + 1, a + 2, a + 2, a + 2, a + 2, a + 3, a + 3, a + 3, a + 3)

/// The four lane products of one super-block: register p of `w` against elements 64p … 64p + 63 of `x`.
INLINE void kq_dots(const i32x16 w[4], const int8_t *x, f32x16 z[4]) {
    for (int p = 0; p < 4; p++) z[p] = __builtin_convertvector(KQ_DOT((i32x16){0}, w[p], kq_load_i32(x + 64 * p)), f32x16);
}

/// Q4_K super-block s: its 256 nibbles as bytes in element order (two blocks a register), d1 and m1.
INLINE void kq_unpack_q4_K(const uint8_t *row, long s, i32x16 w[4], f32x8 *d1, f32x8 *m1) {
    const uint8_t *block = row + 144 * s;
    q4_K_state st;
    k_super_scales(block, &st);
    *d1 = st.d;
    *m1 = st.m;
    const i32x16 shift = {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4};
    for (int p = 0; p < 4; p++) w[p] = (kq_broadcast32(block + 16 + 32 * p) >> shift) & 0x0f0f0f0f;
}

/// Q6_K super-block s: its 256 six-bit values (0..63) as bytes in element order and the sixteen factors d·sc_i.
INLINE void kq_unpack_q6_K(const uint8_t *row, long s, i32x16 w[4], f32x16 *factors) {
    const uint8_t *block = row + 210 * s;
    *factors = from_i8(load_i8(block + 192)) * half(block + 208);
    const i32x16 shift = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2};
    for (int h = 0; h < 2; h++) {
        i32x16 ql = kq_load_i32(block + 64 * h), high = kq_broadcast32(block + 128 + 32 * h);
        // Blocks 4h, 4h + 1: low nibbles of ql, bits 0-1 / 2-3 of qh; blocks 4h + 2, 4h + 3: high nibbles, bits 4-5 / 6-7.
        w[2 * h] = (ql & 0x0f0f0f0f) | (((high >> shift) & 0x03030303) << 4);
        w[2 * h + 1] = ((ql >> 4) & 0x0f0f0f0f) | (((high >> (shift + 4)) & 0x03030303) << 4);
    }
}

/// Q4_K: super-block s (unpacked: w, d1, m1) against compact row r, added to the row's sums.
INLINE void kq_row_q4_K(const i32x16 w[4], f32x8 d1, f32x8 m1, const kq_rows *xr, long r, long s, f32x16 *acc,
                        f32x8 *mins) {
    long blocks = xr->blocks;
    f32x16 z[4];
    kq_dots(w, xr->values + r * 32 * blocks + 256 * s, z);
    f32x8 dx = kq_load_f32x8(xr->dx + r * blocks + 8 * s);
    f32x8 f = d1 * dx;
    f32x16 u0 = z[0] * KQ_BLOCKS(f, 0, 1);
    f32x16 u1 = z[1] * KQ_BLOCKS(f, 2, 3);
    f32x16 u2 = z[2] * KQ_BLOCKS(f, 4, 5);
    f32x16 u3 = z[3] * KQ_BLOCKS(f, 6, 7);
    f32x16 u = (u0 + u1) + (u2 + u3);
    *acc = *acc + u;
    f32x8 m = m1 * kq_load_f32x8(xr->sums + r * blocks + 8 * s);
    f32x8 mx = m * dx;
    *mins = *mins + mx;
}

/// Q6_K: super-block s (unpacked: w and the half factors) against compact row r, added to the row's sum.
INLINE void kq_row_q6_K(const i32x16 w[4], f32x16 factors, const kq_rows *xr, long r, long s, f32x16 *acc) {
    long blocks = xr->blocks;
    f32x16 z[4];
    kq_dots(w, xr->values + r * 32 * blocks + 256 * s, z);
    f32x8 dx = kq_load_f32x8(xr->dx + r * blocks + 8 * s);
    f32x16 f = factors * __builtin_shufflevector(dx, dx, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    f32x16 u0 = z[0] * KQ_HALVES(f, 0);
    f32x16 u1 = z[1] * KQ_HALVES(f, 4);
    f32x16 u2 = z[2] * KQ_HALVES(f, 8);
    f32x16 u3 = z[3] * KQ_HALVES(f, 12);
    f32x16 u = (u0 + u1) + (u2 + u3);
    // The −32 of every weight: 32 · Σ x of each half, exact in int32 and in f32.
    f32x16 centre = __builtin_convertvector(kq_load_i32(xr->halves + r * 2 * blocks + 16 * s) * 32, f32x16);
    f32x16 c = centre * f;
    u = u - c;
    *acc = *acc + u;
}

/// Weight rows [o0, o1) of Q4_K against `rows` (≤ 16) compact rows. Inlined with rows = 1 too, where the
/// sums stay in registers.
INLINE void kq_matvec_q4_K(const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr, long rows,
                           float *y, long ys) {
    long supers = xr->blocks / 8;
    for (long o = o0; o < o1; o++) {
        const uint8_t *row = w + o * row_bytes;
        f32x16 acc[16];
        f32x8 mins[16];
        for (long r = 0; r < rows; r++) {
            acc[r] = (f32x16){0};
            mins[r] = (f32x8){0};
        }
        for (long s = 0; s < supers; s++) {
            i32x16 wq[4];
            f32x8 d1, m1;
            kq_unpack_q4_K(row, s, wq, &d1, &m1);
            for (long r = 0; r < rows; r++) kq_row_q4_K(wq, d1, m1, xr, r, s, &acc[r], &mins[r]);
        }
        for (long r = 0; r < rows; r++) y[r * ys + o] = kq_total16(acc[r]) - kq_total8(mins[r]);
    }
}

/// Weight rows [o0, o1) of Q6_K against `rows` (≤ 16) compact rows.
INLINE void kq_matvec_q6_K(const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr, long rows,
                           float *y, long ys) {
    long supers = xr->blocks / 8;
    for (long o = o0; o < o1; o++) {
        const uint8_t *row = w + o * row_bytes;
        f32x16 acc[16];
        for (long r = 0; r < rows; r++) acc[r] = (f32x16){0};
        for (long s = 0; s < supers; s++) {
            i32x16 wq[4];
            f32x16 factors;
            kq_unpack_q6_K(row, s, wq, &factors);
            for (long r = 0; r < rows; r++) kq_row_q6_K(wq, factors, xr, r, s, &acc[r]);
        }
        for (long r = 0; r < rows; r++) y[r * ys + o] = kq_total16(acc[r]);
    }
}

/// The entry point of one instruction set: weight rows [o0, o1) of `type` (Q4_K or Q6_K); one row (decoding a
/// single stream) takes its own instance, whose sums live in registers.
#define DEFINE_KQ_ENTRY(NAME)                                                                       \
    void NAME(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,       \
              long rows, float *y, long ys) {                                                        \
        if (type == T_Q4_K) {                                                                        \
            if (rows == 1) kq_matvec_q4_K(w, row_bytes, o0, o1, xr, 1, y, ys);                       \
            else kq_matvec_q4_K(w, row_bytes, o0, o1, xr, rows, y, ys);                              \
        } else if (type == T_Q6_K) {                                                                 \
            if (rows == 1) kq_matvec_q6_K(w, row_bytes, o0, o1, xr, 1, y, ys);                       \
            else kq_matvec_q6_K(w, row_bytes, o0, o1, xr, rows, y, ys);                              \
        }                                                                                            \
    }
