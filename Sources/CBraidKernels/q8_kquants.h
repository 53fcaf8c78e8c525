// Integer kernels of the q8 activation mode for K-quant weights (Q4_K, Q6_K), shared by the instruction
// sets that instantiate them (q8_kquants.c portable, q8_kquants_avx2.c, q8_kquants_vnni.c). The including
// file defines KQ_DOT(acc, w, x): acc (16 int32 lanes) + the sums of the four u8 (w) × s8 (x) products of
// each lane (`vpdpbusd`).
//
// The activation rows (quantized per 32-element block, q8_layout.h) are first copied into a compact form
// (`kq_rows`): each row's int8 values in element order, its per-block scales d_x, and the integer sums of
// its 16-element halves. A 256-element super-block of one weight row is then unpacked once into four
// registers of unsigned bytes (two blocks each) and multiplied with every row. For row r and block j:
//   Q4_K (value d1_j·q − m1_j):            t_j = d1_j·Σ q·x − m1_j·Σ x
//   Q6_K (value d·sc_i·(q − 32) per half i): t_j = d · Σ_i sc_i·(Σ q·x − 32·Σ x)   (integer inside)
// and the row accumulates t_j·d_x,j in lane j of an 8-lane sum (lane j: blocks j, j + 8, … of the row),
// added up in one fixed order at the end. Every row goes through exactly the same operations (none
// fused: each product and sum is its own statement) whatever the row count and instruction set, so a
// row's result does not depend on the batch, and the integer sums are exact.
#pragma once
#include "q8_layout.h"
#include "unpack.h"

typedef int8_t i8x64 __attribute__((vector_size(64)));
typedef uint8_t u8x64 __attribute__((vector_size(64)));
typedef int32_t i32x8k __attribute__((vector_size(32)));

/// Compact activation rows, row r at r × (its length): values (32 int8 a block, element order), dx (the
/// block scales), sums (Σ q of each block, exact in f32) and halves (Σ q of each 16-element half).
typedef struct {
    const int8_t *values;
    const float *dx;
    const float *sums;
    const int32_t *halves;
    long blocks;
} kq_rows;

INLINE i32x16 kq_load_i32(const void *p) { i32x16 v; memcpy(&v, p, 64); return v; }

/// Lanes 4q..4q+3 of z_k summed into lane 4k + q of the result (k = 0..3): the sixteen 16-element
/// half-block sums of a super-block, in element order.
INLINE i32x16 kq_halves(i32x16 z0, i32x16 z1, i32x16 z2, i32x16 z3) {
#define KQ_EVEN 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define KQ_ODD 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
    i32x16 a = __builtin_shufflevector(z0, z1, KQ_EVEN) + __builtin_shufflevector(z0, z1, KQ_ODD);
    i32x16 b = __builtin_shufflevector(z2, z3, KQ_EVEN) + __builtin_shufflevector(z2, z3, KQ_ODD);
    return __builtin_shufflevector(a, b, KQ_EVEN) + __builtin_shufflevector(a, b, KQ_ODD);
}

/// Adjacent lanes of a 16-lane vector added: the eight block sums from sixteen half sums.
INLINE i32x8k kq_pairs(i32x16 h) {
    return __builtin_shufflevector(h, h, 0, 2, 4, 6, 8, 10, 12, 14) + __builtin_shufflevector(h, h, 1, 3, 5, 7, 9, 11, 13, 15);
}

/// The eight lanes of a row's sum added in a fixed order.
INLINE float kq_total(f32x8 acc) {
    f32x4 a = __builtin_shufflevector(acc, acc, 0, 1, 2, 3) + __builtin_shufflevector(acc, acc, 4, 5, 6, 7);
    f32x2 b = __builtin_shufflevector(a, a, 0, 1) + __builtin_shufflevector(a, a, 2, 3);
    return b[0] + b[1];
}

INLINE i32x16 kq_broadcast32(const uint8_t *p) {
    i32x8k v;
    memcpy(&v, p, 32);
    return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
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

/// Q6_K super-block s: its 256 six-bit values (0..63) as bytes in element order, the sixteen scales and d.
INLINE void kq_unpack_q6_K(const uint8_t *row, long s, i32x16 w[4], i32x16 *scales, float *d) {
    const uint8_t *block = row + 210 * s;
    *scales = __builtin_convertvector(load_i8(block + 192), i32x16);
    *d = half(block + 208);
    const i32x16 shift = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2};
    for (int h = 0; h < 2; h++) {
        i32x16 ql = kq_load_i32(block + 64 * h), high = kq_broadcast32(block + 128 + 32 * h);
        // Blocks 4h, 4h + 1: low nibbles of ql, bits 0-1 / 2-3 of qh; blocks 4h + 2, 4h + 3: high nibbles, bits 4-5 / 6-7.
        w[2 * h] = (ql & 0x0f0f0f0f) | (((high >> shift) & 0x03030303) << 4);
        w[2 * h + 1] = ((ql >> 4) & 0x0f0f0f0f) | (((high >> (shift + 4)) & 0x03030303) << 4);
    }
}

/// The sixteen half-block integer dot products of one super-block of weights with row r.
INLINE i32x16 kq_dots(const i32x16 w[4], const int8_t *x) {
    i32x16 z[4];
    for (int p = 0; p < 4; p++) z[p] = KQ_DOT((i32x16){0}, w[p], kq_load_i32(x + 64 * p));
    return kq_halves(z[0], z[1], z[2], z[3]);
}

/// One weight row's super-blocks against `rows` compact rows: UNPACK_SB unpacks super-block s (into
/// wq and its factors), TERMS gives the eight block terms t_j of row r from the sixteen half-block dot
/// products `h`; the row adds t_j · d_x,j to lane j.
#define KQ_ROW_LOOP(UNPACK_SB, TERMS)                                                          \
    for (long o = o0; o < o1; o++) {                                                           \
        const uint8_t *row = w + o * row_bytes;                                                \
        f32x8 acc[16];                                                                         \
        for (long r = 0; r < rows; r++) acc[r] = (f32x8){0};                                  \
        for (long s = 0; s < supers; s++) {                                                    \
            UNPACK_SB;                                                                         \
            for (long r = 0; r < rows; r++) {                                                  \
                i32x16 h = kq_dots(wq, xr->values + r * 32 * blocks + 256 * s);                \
                f32x8 t;                                                                       \
                TERMS;                                                                         \
                f32x8 dx;                                                                      \
                memcpy(&dx, xr->dx + r * blocks + 8 * s, 32);                                  \
                f32x8 u = t * dx;                                                              \
                acc[r] = acc[r] + u;                                                           \
            }                                                                                  \
        }                                                                                      \
        for (long r = 0; r < rows; r++) y[r * ys + o] = kq_total(acc[r]);                      \
    }

/// Weight rows [o0, o1) of Q4_K against `rows` (≤ 16) compact rows.
INLINE void kq_matvec_q4_K(const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr, long rows,
                           float *y, long ys) {
    long blocks = xr->blocks, supers = blocks / 8;
    KQ_ROW_LOOP(i32x16 wq[4]; f32x8 d1; f32x8 m1; kq_unpack_q4_K(row, s, wq, &d1, &m1),
                f32x8 sums;
                memcpy(&sums, xr->sums + r * blocks + 8 * s, 32);
                f32x8 p = m1 * sums;
                t = __builtin_convertvector(kq_pairs(h), f32x8) * d1;
                t = t - p)
}

/// Weight rows [o0, o1) of Q6_K against `rows` (≤ 16) compact rows.
INLINE void kq_matvec_q6_K(const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr, long rows,
                           float *y, long ys) {
    long blocks = xr->blocks, supers = blocks / 8;
    KQ_ROW_LOOP(i32x16 wq[4]; i32x16 scales; float d; kq_unpack_q6_K(row, s, wq, &scales, &d),
                i32x16 halves = kq_load_i32(xr->halves + r * 2 * blocks + 16 * s);
                i32x16 centred = (h - 32 * halves) * scales;
                t = __builtin_convertvector(kq_pairs(centred), f32x8) * d)
}

/// The entry point of one instruction set: weight rows [o0, o1) of `type` (Q4_K or Q6_K).
#define DEFINE_KQ_ENTRY(NAME)                                                                  \
    void NAME(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,  \
              long rows, float *y, long ys) {                                                   \
        if (type == T_Q4_K) kq_matvec_q4_K(w, row_bytes, o0, o1, xr, rows, y, ys);              \
        else if (type == T_Q6_K) kq_matvec_q6_K(w, row_bytes, o0, o1, xr, rows, y, ys);         \
    }
