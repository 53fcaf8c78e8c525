// The one-row form of the VNNI kernels (included by q8_vnni.c): eight weight rows a pass.
//
// One activation row fills only eight lanes of a block's product, and its block sum needs a horizontal
// fold; done per weight row, the fold and the scalar f32 steps cost more than the products. Here two
// weight rows share each `vpdpbusd` (lanes 0–7 and 8–15, the activation's eight quads broadcast to both
// halves), the block sums of eight weight rows are folded together (one transpose-and-add), and the f32
// steps run once for the eight, on the lanes of one vector. Each lane's f32 steps are the generic form's
// (t = Σ·d_w, t += m·s, acc += t·d_x, blocks in order), so a row's result is unchanged.
#pragma once

/// Weight rows a and b's block g as one vector: a's 32 values in lanes 0–7, b's in lanes 8–15, each in
/// the quad order of a record (Q4_1: low nibbles, then high nibbles).
INLINE __m512i q8o_pair_q4_1(const uint8_t *a, const uint8_t *b, long g) {
    __m256i packed = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const void *)(a + 20 * g + 4))),
                                             _mm_loadu_si128((const void *)(b + 20 * g + 4)), 1);
    // 128-bit chunks a, a, b, b; the second of each pair shifted right by 4 (its high nibbles)
    __m512i doubled = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 1, 0, 1, 2, 3, 2, 3), _mm512_castsi256_si512(packed));
    const long long four = 0x0004000400040004LL;
    __m512i shift = _mm512_setr_epi64(0, 0, four, four, 0, 0, four, four);
    return _mm512_and_si512(_mm512_srlv_epi16(doubled, shift), _mm512_set1_epi8(15));
}

INLINE __m512i q8o_pair_q8_0(const uint8_t *a, const uint8_t *b, long g) {
    __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const void *)(a + 34 * g + 2))),
                                      _mm256_loadu_si256((const void *)(b + 34 * g + 2)), 1);
    return _mm512_xor_si512(both, _mm512_set1_epi8((char)0x80));   // unsigned for vpdpbusd; c undoes it
}

/// Four products (p = 0..3: weight rows 2p in lanes 0–7, 2p+1 in lanes 8–15) folded to the eight rows'
/// sums: lane 4k holds row k's, lane 4k+1 row 4+k's (lanes 4k+2, 4k+3 repeat them).
INLINE __m512i q8o_fold(__m512i d0, __m512i d1, __m512i d2, __m512i d3) {
    // 128-bit chunks: d_p = [2p.lo 2p.hi (2p+1).lo (2p+1).hi] → rows 0,1,2,3 and 4,5,6,7, four lanes each
    __m512i s01 = _mm512_add_epi32(_mm512_shuffle_i64x2(d0, d1, 0x88), _mm512_shuffle_i64x2(d0, d1, 0xdd));
    __m512i s23 = _mm512_add_epi32(_mm512_shuffle_i64x2(d2, d3, 0x88), _mm512_shuffle_i64x2(d2, d3, 0xdd));
    __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi32(s01, s23), _mm512_unpackhi_epi32(s01, s23));
    return _mm512_add_epi32(u, _mm512_shuffle_epi32(u, _MM_PERM_BADC));
}

/// Eight weight rows' (d, m) of block g in q8o_fold's lane order (Q8_0: m = 0).
INLINE void q8o_scales(const uint8_t *w, __m256i offsets, long at, int has_min, __m512 *d, __m512 *m) {
    __m256i dm = _mm256_i32gather_epi32((const int *)(const void *)(w + at), offsets, 1);
    const __m512i lanes = _mm512_setr_epi32(0, 4, 0, 4, 1, 5, 1, 5, 2, 6, 2, 6, 3, 7, 3, 7);   // q8o_fold's order
    *d = _mm512_permutexvar_ps(lanes, _mm512_castps256_ps512(_mm256_cvtph_ps(_mm256_cvtepi32_epi16(dm))));
    *m = has_min ? _mm512_permutexvar_ps(lanes, _mm512_castps256_ps512(_mm256_cvtph_ps(
                                                    _mm256_cvtepi32_epi16(_mm256_srli_epi32(dm, 16)))))
                 : _mm512_setzero_ps();
}

/// Activation row r of a group of R ≤ 4 rows (its record at `rec`, q8_layout.h): its eight quads in
/// lanes 0–7 and again in 8–15.
INLINE __m512i q8o_row(const uint8_t *rec, int R, int r) {
    if (R == 1) return _mm512_broadcast_i64x4(_mm256_load_si256((const void *)rec));
    int idx[16];
    for (int i = 0; i < 16; i++) {
        int j = i % 8, per_vector = 16 / R;
        idx[i] = (j / per_vector) * 16 + (j % per_vector) * R + r;
    }
    __m512i lanes = _mm512_loadu_si512(idx), v0 = _mm512_load_si512((const void *)rec);
    if (R == 2) return _mm512_permutexvar_epi32(lanes, v0);
    return _mm512_permutex2var_epi32(v0, lanes, _mm512_load_si512((const void *)(rec + 64)));
}

/// Weight rows [o, o + 8) of type T (block bytes BB) against a group of R ≤ 4 activation rows.
#define DEFINE_Q8O_PASS(T, SIGNED, BB, R)                                                      \
    INLINE void q8o_pass_##T##_##R(const uint8_t *w, long row_bytes, long blocks, long o,       \
                                   const uint8_t *xq, float *y, long ys) {                       \
        const long record = q8_record_bytes(R);                                                 \
        const uint8_t *r = w + o * row_bytes;                                                   \
        __m256i offsets = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),         \
                                             _mm256_set1_epi32((int)row_bytes));                 \
        /* eight rows four passes ahead, a few lines a block: eight rows read at once are more  \
           memory streams than the hardware prefetcher follows, and one row is bound by memory  \
           (a 59 MB Q4_1 matrix: 0.057-0.061 ns a weight one pass ahead, 0.048-0.051 four); into \
           L2: four passes of 1536-wide Q8_0 rows are 52 KiB, more than L1, and prefetching them  \
           into L1 evicted the lines in use (0.078-0.089 ns a weight against 0.039-0.047) */       \
        const uint8_t *ahead = r + 32 * row_bytes, *ahead_end = ahead + 8 * row_bytes;          \
        long lines = (8 * row_bytes / 64 + blocks) / blocks;                                    \
        f32x16 acc[R];                                                                          \
        _Pragma("clang loop unroll(full)")                                                      \
        for (int a = 0; a < (R); a++) acc[a] = (f32x16){0};                                     \
        for (long g = 0; g < blocks; g++) {                                                     \
            const uint8_t *rec = xq + g * record, *tail = rec + record - Q8_TAIL_BYTES;         \
            for (long l = 0; l < lines && ahead < ahead_end; l++, ahead += 64)                  \
                __builtin_prefetch(ahead, 0, 2);                                               \
            __m512i wq[4];                                                                      \
            _Pragma("clang loop unroll(full)")                                                  \
            for (int p = 0; p < 4; p++)                                                         \
                wq[p] = q8o_pair_##T(r + 2 * p * row_bytes, r + (2 * p + 1) * row_bytes, g);    \
            __m512 dw, mw;                                                                      \
            q8o_scales(r, offsets, (BB) * g, !(SIGNED), &dw, &mw);                              \
            _Pragma("clang loop unroll(full)")                                                  \
            for (int a = 0; a < (R); a++) {                                                     \
                __m512i x = q8o_row(rec, R, a), dot[4];                                         \
                _Pragma("clang loop unroll(full)")                                              \
                for (int p = 0; p < 4; p++) dot[p] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq[p], x); \
                __m512i sum = q8o_fold(dot[0], dot[1], dot[2], dot[3]);                         \
                if (SIGNED) {                                                                   \
                    int32_t c;                                                                  \
                    memcpy(&c, tail + 128 + 4 * a, 4);                                          \
                    sum = _mm512_add_epi32(sum, _mm512_set1_epi32(c));                          \
                }                                                                               \
                float dx, s;                                                                    \
                memcpy(&dx, tail + 4 * a, 4);                                                   \
                memcpy(&s, tail + 64 + 4 * a, 4);                                               \
                f32x16 t = from_i32((i32x16)sum) * (f32x16)dw;                                  \
                if (!(SIGNED)) t += (f32x16)mw * s;                                             \
                acc[a] += t * dx;                                                               \
            }                                                                                   \
        }                                                                                       \
        _Pragma("clang loop unroll(full)")                                                      \
        for (int a = 0; a < (R); a++)                                                           \
            _Pragma("clang loop unroll(full)")                                                  \
            for (int k = 0; k < 4; k++) {                                                       \
                y[a * ys + o + k] = acc[a][4 * k];                                              \
                y[a * ys + o + 4 + k] = acc[a][4 * k + 1];                                      \
            }                                                                                   \
    }

/// Weight rows from o0 in passes of eight against a group of R = 1, 2 or 4 rows; returns the first
/// weight row left for the generic form (fewer than eight remain).
#define DEFINE_Q8O_SIZE(T, SIGNED, BB, R)                                                      \
    DEFINE_Q8O_PASS(T, SIGNED, BB, R)                                                           \
    INLINE long q8o_run_##T##_##R(const uint8_t *w, long row_bytes, long blocks, long o0, long o1, \
                                  const uint8_t *xq, float *y, long ys) {                        \
        long o = o0;                                                                            \
        /* the passes prefetch four passes ahead: ask for the first four's rows now, or a chunk \
           starts with four passes of misses */                                                 \
        const uint8_t *first = w + o0 * row_bytes;                                              \
        long first_bytes = (o1 - o0 < 32 ? o1 - o0 : 32) * row_bytes;                           \
        for (long i = 0; i < first_bytes; i += 64) __builtin_prefetch(first + i, 0, 2);         \
        for (; o + 8 <= o1; o += 8) q8o_pass_##T##_##R(w, row_bytes, blocks, o, xq, y, ys);     \
        return o;                                                                               \
    }

#define DEFINE_Q8O_TYPE(T, SIGNED, BB)                                                         \
    DEFINE_Q8O_SIZE(T, SIGNED, BB, 1) DEFINE_Q8O_SIZE(T, SIGNED, BB, 2) DEFINE_Q8O_SIZE(T, SIGNED, BB, 4)
