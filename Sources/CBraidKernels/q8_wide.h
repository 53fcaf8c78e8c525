// The 16-row form of the q8 kernels (included by q8_matvec.h): weight quads broadcast, not permuted.
//
// A 16-row record's vector v holds quad v of every row (lane i = row i), so the weight operand of
// vector v is weight quad v in all 16 lanes: a `vpbroadcastd` from memory, which costs a load and no
// shuffle (the permutes of the smaller groups cost one vector instruction each). The quads of four weight rows are unpacked once per chunk of blocks into a small buffer (also
// their d and m), then each activation vector loaded feeds four `vpdpbusd` (one per weight row). The
// f32 steps per block are the generic form's, in its order, so a row's result is unchanged.
#pragma once

#define Q8W_ROWS 4     /* weight rows per pass (q8w_pass_*_4) */
#define Q8W_CHUNK 32   /* blocks unpacked ahead per pass */

/// Weight row `row`'s blocks [g0, g0 + n) unpacked: 32 quad bytes (u8; Q8_0 made unsigned), d, m.
#define DEFINE_Q8W_UNPACK(T, SIGNED)                                                           \
    INLINE void q8w_unpack_##T(const uint8_t *row, long g0, long n, uint8_t *quads, float *d, float *m) { \
        for (long k = 0; k < n; k++) {                                                          \
            i32x16 wq = q8_unpack_##T(row, g0 + k, d + k, m + k);                               \
            if (SIGNED) wq = Q8_PREP_S(wq);                                          \
            i32x8 lo = q8_lo8(wq);                                                              \
            memcpy(quads + 32 * k, &lo, 32);                                                    \
        }                                                                                       \
    }

INLINE i32x16 q8w_splat(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return (i32x16){0} + v;
}

/// W weight rows from `o` against the 16 rows whose records are at `xq` (W = Q8W_ROWS or 1).
#define DEFINE_Q8W_PASS(T, SIGNED, W)                                                          \
    INLINE void q8w_pass_##T##_##W(const uint8_t *w, long row_bytes, long blocks, long o,       \
                                   const uint8_t *xq, float *out) {                              \
        enum { RECORD = 64 * 8 + Q8_TAIL_BYTES };                                               \
        _Alignas(64) uint8_t quads[W][Q8W_CHUNK * 32];                                          \
        float dw[W][Q8W_CHUNK], mw[W][Q8W_CHUNK];                                               \
        f32x16 acc[W];                                                                          \
        _Pragma("clang loop unroll(full)")                                                      \
        for (int k = 0; k < (W); k++) acc[k] = (f32x16){0};                                     \
        /* the next pass's rows, fetched a few lines a block: they are read in one burst */     \
        const uint8_t *ahead = w + (o + (W)) * row_bytes, *ahead_end = ahead + (W) * row_bytes;  \
        long lines = ((W) * row_bytes / 64 + blocks) / blocks;                                  \
        for (long g0 = 0; g0 < blocks; g0 += Q8W_CHUNK) {                                       \
            long n = blocks - g0 < Q8W_CHUNK ? blocks - g0 : Q8W_CHUNK;                         \
            _Pragma("clang loop unroll(full)")                                                  \
            for (int k = 0; k < (W); k++)                                                       \
                q8w_unpack_##T(w + (o + k) * row_bytes, g0, n, quads[k], dw[k], mw[k]);         \
            for (long j = 0; j < n; j++) {                                                      \
                const uint8_t *rec = xq + (g0 + j) * RECORD, *tail = rec + 64 * 8;              \
                for (long l = 0; l < lines && ahead < ahead_end; l++, ahead += 64)              \
                    __builtin_prefetch(ahead);                                                  \
                i32x16 dot[W];                                                                  \
                _Pragma("clang loop unroll(full)")                                              \
                for (int k = 0; k < (W); k++)                                                   \
                    dot[k] = SIGNED ? Q8_INIT_S(load_i32(tail + 128)) : (i32x16){0};                       \
                _Pragma("clang loop unroll(full)")                                              \
                for (int v = 0; v < 8; v++) {                                                   \
                    i32x16 xv = load_i32(rec + 64 * v);                                         \
                    _Pragma("clang loop unroll(full)")                                          \
                    for (int k = 0; k < (W); k++)                                               \
                        dot[k] = SIGNED ? Q8_DOT_S(dot[k], q8w_splat(quads[k] + 32 * j + 4 * v), xv) \
                                     : Q8_DOT_U(dot[k], q8w_splat(quads[k] + 32 * j + 4 * v), xv);    \
                }                                                                               \
                f32x16 dx = load_f32b(tail), s = load_f32b(tail + 64);                          \
                _Pragma("clang loop unroll(full)")                                              \
                for (int k = 0; k < (W); k++) {                                                 \
                    f32x16 t = from_i32(dot[k]) * dw[k][j];                                     \
                    if (!(SIGNED)) t += mw[k][j] * s;                                           \
                    acc[k] += t * dx;                                                           \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
        _Pragma("clang loop unroll(full)")                                                      \
        for (int k = 0; k < (W); k++) memcpy(out + 16 * k, &acc[k], 64);                        \
    }

#define Q8W_LO1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define Q8W_HI1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
#define Q8W_LO2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define Q8W_HI2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define Q8W_LO4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define Q8W_HI4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define Q8W_LO8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define Q8W_HI8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
/// One stage of the transposition of m[16]: for rows i with bit s clear, rows i and i + s exchange blocks.
#define Q8W_STAGE(S, LO, HI)                                                                   \
    _Pragma("clang loop unroll(full)")                                                          \
    for (int i = 0; i < 16; i++)                                                                \
        if (!(i & (S))) {                                                                       \
            f32x16 a = m[i], b = m[i + (S)];                                                    \
            m[i] = __builtin_shufflevector(a, b, LO);                                           \
            m[i + (S)] = __builtin_shufflevector(a, b, HI);                                     \
        }

/// Results of a tile of up to 16 weight rows (tile[k] holds weight row k's 16 rows) stored for the group's `rows`
/// real rows, row by row: 16 outputs of a row are one cache line. Rows of the output lie `ys` floats apart, often a
/// multiple of 4 KiB, so writing each weight row's 16 results separately would evict its own lines from L1 every pass.
INLINE void q8w_store(const float (*tile)[16], long n, long rows, float *y, long ys) {
    if (n == 16) {
        // A full tile transposed in registers: four stages in which rows i and i + s swap their alternate
        // s-lane blocks (s = 1, 2, 4, 8), one two-source shuffle per row a stage. (Left to itself, the
        // compiler turned the loop below into gathers, 5% of a 16-row step.)
        f32x16 m[16];
        for (int k = 0; k < 16; k++) memcpy(&m[k], tile[k], 64);
        Q8W_STAGE(1, Q8W_LO1, Q8W_HI1)
        Q8W_STAGE(2, Q8W_LO2, Q8W_HI2)
        Q8W_STAGE(4, Q8W_LO4, Q8W_HI4)
        Q8W_STAGE(8, Q8W_LO8, Q8W_HI8)
        for (long r = 0; r < rows; r++) memcpy(y + r * ys, &m[r], 64);
        return;
    }
    for (long r = 0; r < rows; r++)
        for (long k = 0; k < n; k++) y[r * ys + k] = tile[k][r];
}

#define DEFINE_Q8W_TYPE(T, SIGNED)                                                             \
    DEFINE_Q8W_UNPACK(T, SIGNED)                                                                \
    DEFINE_Q8W_PASS(T, SIGNED, 4)                                                               \
    DEFINE_Q8W_PASS(T, SIGNED, 1)                                                               \
    INLINE void q8_group16_##T(const uint8_t *w, long row_bytes, long blocks, long o0, long o1, \
                               const uint8_t *xq, long rows, float *y, long ys) {                \
        _Alignas(64) float tile[16][16];                                                        \
        for (long t0 = o0; t0 < o1; t0 += 16) {                                                 \
            long n = o1 - t0 < 16 ? o1 - t0 : 16, k = 0;                                        \
            for (; k + 4 <= n; k += 4) q8w_pass_##T##_4(w, row_bytes, blocks, t0 + k, xq, tile[k]); \
            for (; k < n; k++) q8w_pass_##T##_1(w, row_bytes, blocks, t0 + k, xq, tile[k]);     \
            q8w_store(tile, n, rows, y + t0, ys);                                               \
        }                                                                                       \
    }
