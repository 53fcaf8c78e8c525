// The shape of the quantized matrix-vector products, shared by the translation units that
// instantiate them (kernels.c for every instruction set, q4_1_avx512.c for AVX-512 lookups).
// A product of type T unpacks with `unpack_T` (unpack.h; q4_1_avx512.c adds its own).
#pragma once
#include "unpack.h"

INLINE float sum16(f32x16 v) {
    f32x8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
        + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    f32x4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

// W weight rows (1 or 2) against R activation rows: each 32-element group of a weight row is
// unpacked once into registers and used for all R rows; every (weight row, activation row) pair
// has two accumulators (even and odd half of the group). Two weight rows per pass give a single
// activation row four independent FMA chains, so one stream is bound by throughput rather than by
// FMA latency. The accumulation order of a pair is the same in every form, so a row's result does
// not depend on how many rows (or weight rows) share the pass. The three steps below are shared by
// DEFINE_DOT and DEFINE_DOT_K, so both forms accumulate in exactly the same order.

/// The accumulators of a W × R form, zeroed.
#define DOT_ZERO(R, W)                                                                        \
    f32x16 lo[W][R], hi[W][R];                                                                 \
    _Pragma("clang loop unroll(full)")                                                         \
    for (int w = 0; w < W; w++)                                                                \
        _Pragma("clang loop unroll(full)")                                                     \
        for (int r = 0; r < R; r++) lo[w][r] = hi[w][r] = (f32x16){0};

/// The unpacked group of each weight row (a[w], b[w]) times the 32 elements at `at` of every activation row.
#define DOT_GROUP(R, W, at)                                                                   \
    _Pragma("clang loop unroll(full)")                                                         \
    for (int r = 0; r < R; r++) {                                                              \
        const float *xr = x + r * xs + (at);                                                   \
        f32x16 x0 = load_f32(xr), x1 = load_f32(xr + 16);                                      \
        _Pragma("clang loop unroll(full)")                                                     \
        for (int w = 0; w < W; w++) {                                                          \
            lo[w][r] += a[w] * x0;                                                             \
            hi[w][r] += b[w] * x1;                                                             \
        }                                                                                      \
    }

/// Each pair's two accumulators added and stored.
#define DOT_STORE(R, W)                                                                       \
    _Pragma("clang loop unroll(full)")                                                         \
    for (int w = 0; w < W; w++)                                                                \
        _Pragma("clang loop unroll(full)")                                                     \
        for (int r = 0; r < R; r++) y[r * ys + w * ystep] = sum16(lo[w][r] + hi[w][r]);

#define DEFINE_DOT(NAME, UNPACK, R, W)                                                        \
    INLINE void NAME(const uint8_t *row, long wstep, long groups, const float *x, long xs,     \
                     float *y, long ys, long ystep) {                                          \
        DOT_ZERO(R, W)                                                                         \
        for (long g = 0; g < groups; g++) {                                                    \
            f32x16 a[W], b[W];                                                                 \
            _Pragma("clang loop unroll(full)")                                                 \
            for (int w = 0; w < W; w++) UNPACK(row + w * wstep, g, &a[w], &b[w]);              \
            DOT_GROUP(R, W, 32 * g)                                                            \
        }                                                                                      \
        DOT_STORE(R, W)                                                                        \
    }

// `wide` (a constant in each instantiation) allows the forms with 16 accumulators (8 rows, or
// 4 rows × 2 weight rows), which only fit where there are 32 vector registers (AVX-512).
// K-quants (256-element super-blocks): the same products, with the super-block's scales decoded
// once (`PREP(row, s, &state)`) for its eight groups, which are then unpacked by
// `UNPACK(row, s, j, &state, &a, &b)` with j a constant (the loop over j is unrolled).
#define DEFINE_DOT_K(NAME, STATE, PREP, UNPACK, R, W)                                         \
    INLINE void NAME(const uint8_t *row, long wstep, long groups, const float *x, long xs,     \
                     float *y, long ys, long ystep) {                                          \
        DOT_ZERO(R, W)                                                                         \
        for (long s = 0; s < groups / 8; s++) {                                                \
            STATE state[W];                                                                    \
            _Pragma("clang loop unroll(full)")                                                 \
            for (int w = 0; w < W; w++) PREP(row + w * wstep, s, &state[w]);                   \
            _Pragma("clang loop unroll(full)")                                                 \
            for (int j = 0; j < 8; j++) {                                                      \
                f32x16 a[W], b[W];                                                             \
                _Pragma("clang loop unroll(full)")                                             \
                for (int w = 0; w < W; w++) UNPACK(row + w * wstep, s, j, &state[w], &a[w], &b[w]); \
                DOT_GROUP(R, W, 256 * s + 32 * j)                                              \
            }                                                                                  \
        }                                                                                      \
        DOT_STORE(R, W)                                                                        \
    }

#define DEFINE_DOTS(T)                                                                        \
    DEFINE_DOT(dot1_##T, unpack_##T, 1, 2)                                                      \
    DEFINE_DOT(dot1s_##T, unpack_##T, 1, 1)                                                     \
    DEFINE_DOT(dot2_##T, unpack_##T, 2, 2)                                                      \
    DEFINE_DOT(dot2s_##T, unpack_##T, 2, 1)                                                     \
    DEFINE_DOT(dot4_##T, unpack_##T, 4, 2)                                                      \
    DEFINE_DOT(dot4s_##T, unpack_##T, 4, 1)                                                     \
    DEFINE_DOT(dot8_##T, unpack_##T, 8, 1)

/// The products of a K-quant T: `T##_state`, `prep_##T` and `unpack_sb_##T` (see DEFINE_DOT_K).
#define DEFINE_DOTS_K(T)                                                                      \
    DEFINE_DOT_K(dot1_##T, T##_state, prep_##T, unpack_sb_##T, 1, 2)                            \
    DEFINE_DOT_K(dot1s_##T, T##_state, prep_##T, unpack_sb_##T, 1, 1)                           \
    DEFINE_DOT_K(dot2_##T, T##_state, prep_##T, unpack_sb_##T, 2, 2)                            \
    DEFINE_DOT_K(dot2s_##T, T##_state, prep_##T, unpack_sb_##T, 2, 1)                           \
    DEFINE_DOT_K(dot4_##T, T##_state, prep_##T, unpack_sb_##T, 4, 2)                            \
    DEFINE_DOT_K(dot4s_##T, T##_state, prep_##T, unpack_sb_##T, 4, 1)                           \
    DEFINE_DOT_K(dot8_##T, T##_state, prep_##T, unpack_sb_##T, 8, 1)

#define DEFINE_PRODUCTS(T, XBYTES) DEFINE_DOTS(T) DEFINE_MATVEC(T, XBYTES)

/// The matrix-vector product of T over the dot products dot*_##T.
#define DEFINE_MATVEC(T, XBYTES)                                                              \
    INLINE void matvec_##T(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,   \
                           const float *x, long xs, long rows, float *y, long ys, int wide) { \
        long groups = inputs / 32;                                                             \
        long o = o0;                                                                           \
        /* Pairs of weight rows while the row count allows them: row o with row o + half, so  \
           that each of the two is still read front to back (a stream the prefetcher follows). */ \
        if (rows < 8 && (rows < 4 || wide) && o1 - o0 >= 2) {                                  \
            long half = (o1 - o0) / 2;                                                         \
            for (; o < o0 + half; o++) {                                                       \
                const uint8_t *row = w + o * row_bytes;                                        \
                long step = half * row_bytes, r = 0;                                           \
                if (wide) {                                                                    \
                    for (; r + 4 <= rows; r += 4) dot4_##T(row, step, groups, x + r * xs, xs, y + r * ys + o, ys, half); \
                }                                                                              \
                for (; r + 2 <= rows; r += 2) dot2_##T(row, step, groups, x + r * xs, xs, y + r * ys + o, ys, half); \
                for (; r < rows; r++) dot1_##T(row, step, groups, x + r * xs, xs, y + r * ys + o, ys, half); \
            }                                                                                  \
            o = o0 + 2 * half;                                                                 \
        }                                                                                      \
        if (o >= o1) return;                                                                   \
        /* Blocks of activation rows that stay in L1 (XBYTES, about 24 KiB) while the weight   \
           rows of the chunk pass by: with 16 rows of 576 inputs, a pass over all rows for each \
           weight row would evict them every time. Types whose unpacking costs more than the   \
           misses (K-quants) pass an unbounded XBYTES. */                                      \
        long block = wide ? 8 : 4;                                                             \
        while (block > 1 && block * inputs * 4 > (XBYTES)) block /= 2;                         \
        for (long r0 = 0; r0 < rows; r0 += block) {                                            \
            long r1 = r0 + block < rows ? r0 + block : rows;                                   \
            for (long oo = o; oo < o1; oo++) {                                                 \
                const uint8_t *row = w + oo * row_bytes;                                       \
                long r = r0;                                                                   \
                if (wide) {                                                                    \
                    for (; r + 8 <= r1; r += 8) dot8_##T(row, 0, groups, x + r * xs, xs, y + r * ys + oo, ys, 0); \
                }                                                                              \
                for (; r + 4 <= r1; r += 4) dot4s_##T(row, 0, groups, x + r * xs, xs, y + r * ys + oo, ys, 0); \
                for (; r + 2 <= r1; r += 2) dot2s_##T(row, 0, groups, x + r * xs, xs, y + r * ys + oo, ys, 0); \
                for (; r < r1; r++) dot1s_##T(row, 0, groups, x + r * xs, xs, y + r * ys + oo, ys, 0); \
            }                                                                                  \
        }                                                                                      \
    }

/// Rows of type T dequantized to f32 with the reference's unpacking (prefill tiles).
#define DEFINE_DEQUANT(T)                                                                     \
    INLINE void dequant_##T(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,  \
                            float *dst) {                                                      \
        long groups = inputs / 32;                                                             \
        for (long o = o0; o < o1; o++) {                                                       \
            const uint8_t *row = w + o * row_bytes;                                            \
            float *out = dst + (o - o0) * inputs;                                              \
            for (long g = 0; g < groups; g++) {                                                \
                f32x16 a, b;                                                                   \
                unpack_##T(row, g, &a, &b);                                                    \
                store_f32(out + 32 * g, a);                                                    \
                store_f32(out + 32 * g + 16, b);                                               \
            }                                                                                  \
        }                                                                                      \
    }

/// A type's products (with activation blocks kept to about 24 KiB) and dequantization.
#define DEFINE_TYPE(T) DEFINE_PRODUCTS(T, 24576) DEFINE_DEQUANT(T)
/// The same for K-quants, whose unpacking costs more than re-reading activations from L2.
#define DEFINE_TYPE_K(T) DEFINE_DOTS_K(T) DEFINE_MATVEC(T, 1L << 40) DEFINE_DEQUANT(T)
