// The 16-row form of the q8 kernels (included by q8_matvec.h): weight quads broadcast, not permuted.
//
// A 16-row record's vector v holds quad v of every row (lane i = row i), so the weight operand of
// vector v is weight quad v in all 16 lanes: a `vpbroadcastd` from memory, which costs a load and no
// shuffle (the permutes of the smaller groups cost one vector instruction each). The quads of four weight rows
// are unpacked once per chunk of blocks into a small buffer (also their d and m), then each activation vector loaded feeds four `vpdpbusd` (one per weight row). The
// f32 steps per block are the generic form's, in its order, so a row's result is unchanged.
#pragma once

#define Q8W_ROWS 4     /* weight rows per pass (q8w_pass_*_4) */
/// Blocks unpacked at a time per weight row. Small, so that out-of-order execution overlaps a chunk's unpacking (on
/// the shuffle and load pipes) with the previous chunk's `vpdpbusd`s (on the multiply pipes, which also do every FMA):
/// with 32 the unpacking ran mostly alone, 4 measured 5–7% faster (kernel-bench, 16 rows, Q4_1 and Q8_0); unpacking
/// the next chunk into a second buffer first measured no better than this.
#define Q8W_CHUNK 4

#ifndef Q8W_WIDE_UNPACK
#define Q8W_WIDE_UNPACK 0   /* 1: Q4_1 four blocks at a time with 512-bit word permutes (the includer has AVX-512 BW) */
#endif

typedef uint16_t q8w_u16x32 __attribute__((vector_size(64)));
typedef uint16_t q8w_u16x8 __attribute__((vector_size(16)));
typedef _Float16 q8w_f16x8 __attribute__((vector_size(16)));

/// Four Q4_1 blocks from `b` (80 bytes: d, m and 16 nibble bytes each) as q8_unpack_q4_1 gives them, 128 quad bytes
/// at `quads`: each output vector is two blocks' nibble bytes, each twice, picked by one word permute; a per-word
/// shift of 0 or 4 and a mask then leave the low nibbles in the first copy and the high ones in the second (a word's
/// two bytes lie in the same copy, so the shift of one word serves both).
INLINE void q8w_unpack4_q4_1(const uint8_t *b, uint8_t *quads, float *d, float *m) {
    q8w_u16x32 a;
    q8w_u16x8 t8;
    memcpy(&a, b, 64);
    memcpy(&t8, b + 64, 16);
    q8w_u16x32 t = __builtin_shufflevector(t8, t8, 0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                           -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const q8w_u16x32 shift = {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4,
                              0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4};
    q8w_u16x32 v0 = __builtin_shufflevector(a, t, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9,
                                            12, 13, 14, 15, 16, 17, 18, 19, 12, 13, 14, 15, 16, 17, 18, 19);
    q8w_u16x32 v1 = __builtin_shufflevector(a, t, 22, 23, 24, 25, 26, 27, 28, 29, 22, 23, 24, 25, 26, 27, 28, 29,
                                            32, 33, 34, 35, 36, 37, 38, 39, 32, 33, 34, 35, 36, 37, 38, 39);
    v0 = (v0 >> shift) & 0x0F0F;
    v1 = (v1 >> shift) & 0x0F0F;
    memcpy(quads, &v0, 64);
    memcpy(quads + 64, &v1, 64);
    // d and m of the four blocks, gathered as eight halves and widened: lanes 0–3 are d, lanes 4–7 m.
    q8w_u16x8 halves = __builtin_shufflevector(a, a, 0, 10, 20, 30, 1, 11, 21, 31);
    q8w_f16x8 h;
    memcpy(&h, &halves, 16);
    f32x8 f = __builtin_convertvector(h, f32x8);
    memcpy(d, &f, 16);
    memcpy(m, (const float *)&f + 4, 16);
}

/// Q4_1 blocks [g0, g0 + n) of `row` unpacked four at a time where the includer has AVX-512 BW (a rest of 1–3
/// blocks: the last four again, overlapping blocks already unpacked, which get the same bytes); returns how many
/// blocks it unpacked, n or 0.
INLINE long q8w_wide_q4_1(const uint8_t *row, long g0, long n, uint8_t *quads, float *d, float *m) {
    if (!Q8W_WIDE_UNPACK || n < 4) return 0;
    long k = 0;
    for (; k + 4 <= n; k += 4) q8w_unpack4_q4_1(row + 20 * (g0 + k), quads + 32 * k, d + k, m + k);
    if (k < n) q8w_unpack4_q4_1(row + 20 * (g0 + n - 4), quads + 32 * (n - 4), d + n - 4, m + n - 4);
    return n;
}

/// Q8_0 has no nibbles to split, and unpacking it four blocks at a time measured no faster: the one-block form
/// unpacks every block (returns 0).
INLINE long q8w_wide_q8_0(const uint8_t *row, long g0, long n, uint8_t *quads, float *d, float *m) {
    (void)row, (void)g0, (void)n, (void)quads, (void)d, (void)m;
    return 0;
}

/// Weight row `row`'s blocks [g0, g0 + n) unpacked: 32 quad bytes (u8; Q8_0 made unsigned), d, m.
#define DEFINE_Q8W_UNPACK(T, SIGNED)                                                           \
    INLINE void q8w_unpack_##T(const uint8_t *row, long g0, long n, uint8_t *quads, float *d, float *m) { \
        for (long k = q8w_wide_##T(row, g0, n, quads, d, m); k < n; k++) {                     \
            i32x16 wq = q8_unpack_##T(row, g0 + k, d + k, m + k);                               \
            if (SIGNED) wq = Q8_PREP_S(wq);                                                     \
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
