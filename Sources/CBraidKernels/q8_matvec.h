// The shape of the integer kernels of the q8 activation mode (layout in q8_layout.h), shared by the
// instruction sets that instantiate it. The including file defines, over 16 int32 lanes:
//   Q8_PERM(w, idx)      lane i ← lane idx[i] (0..7) of w, the block's eight weight quads;
//   Q8_DOT_U(acc, w, x)  acc + Σ of the four u8 (w) × s8 (x) products of each lane (vpdpbusd);
//   Q8_DOT_S(acc, w, x)  the same for signed weights after Q8_PREP_S(w), starting from Q8_INIT_S(c);
//   Q8_DOT8_U, Q8_DOT8_S, Q8_PREP8_S, Q8_INIT8_S  the same over 8 lanes (one row).
// One weight row at a time: each block is unpacked once into a register and multiplied with the R
// rows' record (all R rows in the lanes of the same instructions), so a block costs nv = R/2 integer
// instructions plus a handful of f32 ones, whatever R — against 2R f32 FMAs in the exact mode.
#pragma once
#include "q8_layout.h"
#include "unpack.h"

typedef uint8_t u8x32 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef float f32x8q __attribute__((vector_size(32)));

INLINE i32x16 load_i32(const uint8_t *p) { i32x16 v; memcpy(&v, p, 64); return v; }
INLINE f32x16 load_f32b(const uint8_t *p) { f32x16 v; memcpy(&v, p, 64); return v; }

/// Q4_1 block g: its 32 nibbles as bytes in element order (quads in lanes 0..7), d and m.
INLINE i32x16 q8_unpack_q4_1(const uint8_t *row, long g, float *d, float *m) {
    const uint8_t *block = row + 20 * g;
    f32x2 dm = half_pair(block);
    *d = dm[0];
    *m = dm[1];
    u8x16 q = load_u8(block + 4);
    u8x32 bytes = __builtin_shufflevector(q & 15, q >> 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                          16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    i32x8 quads;
    memcpy(&quads, &bytes, 32);
    return __builtin_shufflevector(quads, (i32x8){0}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// Q8_0 block g: its 32 signed values (quads in lanes 0..7) and d.
INLINE i32x16 q8_unpack_q8_0(const uint8_t *row, long g, float *d, float *m) {
    const uint8_t *block = row + 34 * g;
    *d = half(block);
    *m = 0;
    i32x8 quads;
    memcpy(&quads, block + 2, 32);
    return __builtin_shufflevector(quads, (i32x8){0}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// Lanes ≡ r (mod R) summed into every one of them (R = 16: nothing to do).
INLINE i32x16 q8_fold(i32x16 v, int rows) {
    if (rows <= 8) v += __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    if (rows <= 4) v += __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
    if (rows <= 2) v += __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    if (rows <= 1) v += __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
    return v;
}

/// One row (R = 1) on eight lanes: the block's quads fill exactly one 256-bit vector, so the
/// products, the fold and the f32 steps run at half the width (and cost) of the 16-lane form, with the
/// same operations per row, so the row's result is bit for bit what it gets in a larger group.
#define DEFINE_Q8_SINGLE(T, SIGNED)                                                            \
    INLINE void q8_group_##T##_1(const uint8_t *w, long row_bytes, long blocks, long o0, long o1, \
                                 const uint8_t *xq, float *y, long ys) {                         \
        (void)ys;                                                                               \
        const long record = 64 + Q8_TAIL_BYTES;                                                 \
        for (long o = o0; o < o1; o++) {                                                        \
            const uint8_t *row = w + o * row_bytes;                                             \
            f32x8q acc = {0};                                                                   \
            for (long g = 0; g < blocks; g++) {                                                 \
                const uint8_t *rec = xq + g * record, *tail = rec + 64;                         \
                float dw, m;                                                                    \
                i32x8 wq = q8_lo8(q8_unpack_##T(row, g, &dw, &m)), dot;                         \
                i32x8 xv;                                                                       \
                memcpy(&xv, rec, 32);                                                           \
                if (SIGNED) {                                                                   \
                    i32x8 c;                                                                    \
                    memcpy(&c, tail + 128, 32);                                                 \
                    dot = Q8_DOT8_S(Q8_INIT8_S(c), Q8_PREP8_S(wq), xv);                         \
                } else {                                                                        \
                    dot = Q8_DOT8_U((i32x8){0}, wq, xv);                                        \
                }                                                                               \
                dot += __builtin_shufflevector(dot, dot, 4, 5, 6, 7, 0, 1, 2, 3);               \
                dot += __builtin_shufflevector(dot, dot, 2, 3, 0, 1, 6, 7, 4, 5);               \
                dot += __builtin_shufflevector(dot, dot, 1, 0, 3, 2, 5, 4, 7, 6);               \
                f32x8q d, s, t = __builtin_convertvector(dot, f32x8q) * dw;                     \
                memcpy(&d, tail, 32);                                                           \
                memcpy(&s, tail + 64, 32);                                                      \
                if (!(SIGNED)) t += m * s;                                                      \
                acc += t * d;                                                                   \
            }                                                                                   \
            y[o] = acc[0];                                                                      \
        }                                                                                       \
    }

INLINE i32x8 q8_lo8(i32x16 v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }

#include "q8_wide.h"

/// Weight rows [o0, o1) against one group of R rows (their records at `xq`) of weight type T.
#define DEFINE_Q8_GROUP(T, SIGNED, R)                                                          \
    INLINE void q8_group_##T##_##R(const uint8_t *w, long row_bytes, long blocks, long o0, long o1, \
                                   const uint8_t *xq, float *y, long ys) {                       \
        enum { NV = (R) >= 2 ? (R) / 2 : 1, PER = 16 / (R) };                                   \
        const long record = 64 * NV + Q8_TAIL_BYTES;                                            \
        i32x16 idx[NV];                                                                         \
        _Pragma("clang loop unroll(full)")                                                      \
        for (int v = 0; v < NV; v++)                                                            \
            _Pragma("clang loop unroll(full)")                                                  \
            for (int i = 0; i < 16; i++) idx[v][i] = (v * PER + i / (R)) & 7;                   \
        for (long o = o0; o < o1; o++) {                                                        \
            const uint8_t *row = w + o * row_bytes;                                             \
            f32x16 acc = {0};                                                                   \
            for (long g = 0; g < blocks; g++) {                                                 \
                const uint8_t *rec = xq + g * record, *tail = rec + 64 * NV;                    \
                float dw, m;                                                                    \
                i32x16 wq = q8_unpack_##T(row, g, &dw, &m);                                     \
                i32x16 dot;                                                                     \
                if (SIGNED) {                                                                   \
                    wq = Q8_PREP_S(wq);                                                         \
                    dot = Q8_INIT_S(load_i32(tail + 128));                                      \
                } else {                                                                        \
                    dot = (i32x16){0};                                                          \
                }                                                                               \
                _Pragma("clang loop unroll(full)")                                              \
                for (int v = 0; v < NV; v++) {                                                  \
                    i32x16 wv = (R) == 1 ? wq : Q8_PERM(wq, idx[v]), xv = load_i32(rec + 64 * v);               \
                    dot = SIGNED ? Q8_DOT_S(dot, wv, xv) : Q8_DOT_U(dot, wv, xv);               \
                }                                                                               \
                f32x16 t = from_i32(q8_fold(dot, R)) * dw;                                      \
                if (!(SIGNED)) t += m * load_f32b(tail + 64);                                   \
                acc += t * load_f32b(tail);                                                     \
            }                                                                                   \
            _Pragma("clang loop unroll(full)")                                                  \
            for (int r = 0; r < (R); r++) y[r * ys + o] = acc[r];                               \
        }                                                                                       \
    }

#define DEFINE_Q8_TYPE(T, SIGNED)                                                              \
    DEFINE_Q8W_TYPE(T, SIGNED) DEFINE_Q8_GROUP(T, SIGNED, 8) DEFINE_Q8_GROUP(T, SIGNED, 4) \
    DEFINE_Q8_GROUP(T, SIGNED, 2) DEFINE_Q8_SINGLE(T, SIGNED)                                   \
    INLINE void q8_matvec_##T(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,  \
                              const uint8_t *xq, long rows, float *y, long ys) {                \
        long blocks = inputs / 32;                                                              \
        for (long r0 = 0; r0 < rows;) {                                                         \
            long group = q8_group_rows(rows - r0);                                              \
            float *yg = y + r0 * ys;                                                            \
            switch (group) {                                                                    \
            case 16: q8_group16_##T(w, row_bytes, blocks, o0, o1, xq, q8_group_real(16, rows - r0), yg, ys); break; \
            case 8: q8_group_##T##_8(w, row_bytes, blocks, o0, o1, xq, yg, ys); break;          \
            case 4: q8_group_##T##_4(w, row_bytes, blocks, Q8_SMALL(T, 4), o1, xq, yg, ys); break; \
            case 2: q8_group_##T##_2(w, row_bytes, blocks, Q8_SMALL(T, 2), o1, xq, yg, ys); break; \
            default: q8_group_##T##_1(w, row_bytes, blocks, Q8_SMALL(T, 1), o1, xq, yg, ys); break; \
            }                                                                                   \
            xq += blocks * q8_record_bytes(group);                                              \
            r0 += group;                                                                        \
        }                                                                                       \
    }

/// The entry point of one instruction set's kernels (expanded after the including file's macros).
#define DEFINE_Q8_ENTRY(NAME)                                                                  \
    DEFINE_Q8_TYPE(q4_1, 0)                                                                     \
    DEFINE_Q8_TYPE(q8_0, 1)                                                                     \
    void NAME(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,        \
              const uint8_t *xq, long rows, float *y, long ys) {                                \
        if (type == T_Q4_1) q8_matvec_q4_1(w, row_bytes, inputs, o0, o1, xq, rows, y, ys);      \
        else if (type == T_Q8_0) q8_matvec_q8_0(w, row_bytes, inputs, o0, o1, xq, rows, y, ys); \
    }
