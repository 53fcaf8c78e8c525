// The layout of activation rows quantized to 8 bits (the opt-in `q8` activation mode), shared by
// the quantizer and the integer kernels of every instruction set.
//
// Rows are cut into groups of R = 16, 8, 4, 2, 1 rows: 16s first; a rest of more than 8 rows, or of 7, also
// makes one group of 16 (padded: its lanes past the last row are zero and no result is stored for them); a
// smaller rest makes one group per set bit. A group stores, for each 32-element block g of the input, one record:
//   q: nv = max(1, R/2) vectors of 16 four-byte lanes. Lane i of vector v holds the four int8 values
//      4j..4j+3 of row i % R, where j = v·(16/R) + i/R is the block's quad; lanes without a quad
//      (R = 1: lanes 8..15) are zero. So one `vpdpbusd` of vector v against a weight vector whose
//      lane i holds the weight's quad j adds 16 four-element products, and after all nv vectors
//      the lanes ≡ r (mod R) sum to row r's integer dot product for the block.
//   d[16]: row r's scale at lane r (0 where r ≥ R); the row's values are q · d.
//   s[16]: row r's Σ q of the block as a float (Q4_1's min term m · d · Σ q).
//   c[16]: −128 · Σ q as an int32 (undoes the +128 that makes signed Q8_0 weights unsigned for vpdpbusd).
// Records are 64-byte multiples, so every vector load is aligned when the buffer is.
#pragma once
#include <stdint.h>

#define Q8_TAIL_BYTES 192   /* d, s, c: 3 × 16 four-byte lanes */

/// Vectors of quantized values per block record for a group of R rows.
static inline long q8_vectors(long r) { return r >= 2 ? r / 2 : 1; }
/// Bytes of one block record for a group of R rows.
static inline long q8_record_bytes(long r) { return 64 * q8_vectors(r) + Q8_TAIL_BYTES; }
/// The size of the first group of `rows` remaining rows: 16, also for a rest of 9 to 15 rows or of 7 (padded), or the
/// largest power of two below the rest. A 16-row group costs the same whatever its real rows, and one group costs less
/// than two or three smaller ones (kernel-bench, Q4_1 1536×576, µs a call, VNNI: 1 row 33, 2 47, 4 75, 8 109, 16 120;
/// so 7 rows as 4 + 2 + 1 cost 155, 9 as 8 + 1 142, while 6 as 4 + 2 cost 122 and 8 alone 109. AVX2: 85, 116, 114,
/// 165, 214).
static inline long q8_group_rows(long rows) {
    if (rows > 8 || rows == 7) return 16;
    long r = 8;
    while (r > rows) r /= 2;
    return r;
}

/// The real rows of a group of `group` rows when `rows` remain.
static inline long q8_group_real(long group, long rows) { return rows < group ? rows : group; }

/// Bytes of the block records of `rows` rows of `inputs` values.
static inline long q8_records_bytes(long rows, long inputs) {
    long bytes = 0, blocks = inputs / 32;
    for (long r0 = 0; r0 < rows;) {
        long r = q8_group_rows(rows - r0);
        bytes += blocks * q8_record_bytes(r);
        r0 += r;
    }
    return bytes;
}

// Rows of whole 256-element super-blocks are also written in a second, compact form for the K-quant kernels
// (q8_kquants.h), after the records. It is quantized per 256-element super-block (one scale d = max|x| / 127
// for 256 values, as ggml's Q8_K), so that a K-quant weight block's integer sub-block scales can multiply
// integer sums and only one f32 product remains per super-block. Per row: its int8 values in element order
// (256 a super-block, for Q6_K); the same values with each super-block's 32-element blocks in the order
// 0 2 1 3 4 6 5 7 (for Q4_K, whose 64 bytes of nibbles at a time hold blocks 2k in the low and 2k + 1 in the
// high nibbles); then, for all rows in turn, the scales d (f32, one a super-block) and the Σ q of each
// 16-element half in element order (int16, exact: |Σ| ≤ 16 · 127). The quantizer writes it once per product,
// and only when a K-quant matrix will read it.

/// Whether rows of `inputs` values get the compact form.
static inline int q8_has_compact(long inputs) { return inputs > 0 && inputs % 256 == 0; }

/// Where the compact form starts in the buffer (64-byte aligned).
static inline long q8_compact_offset(long rows, long inputs) { return (q8_records_bytes(rows, inputs) + 63) / 64 * 64; }

/// Bytes of the whole buffer: records, then the compact form when the rows have one.
static inline long q8_total_bytes(long rows, long inputs) {
    long supers = inputs / 256;
    if (!q8_has_compact(inputs)) return q8_records_bytes(rows, inputs);
    return q8_compact_offset(rows, inputs) + rows * supers * (256 + 256 + 4 + 32);
}

/// The compact form's parts for `rows` rows of `supers` super-blocks starting at `base`.
typedef struct {
    int8_t *values;    // element order; row r at r · 256 · supers
    int8_t *paired;    // blocks 0 2 1 3 4 6 5 7; row r at r · 256 · supers
    float *d;          // row r at r · supers
    int16_t *halves;   // row r at r · 16 · supers
} q8_compact;

static inline q8_compact q8_compact_at(uint8_t *base, long rows, long supers) {
    q8_compact c;
    c.values = (int8_t *)base;
    c.paired = c.values + rows * 256 * supers;
    c.d = (float *)(void *)(c.paired + rows * 256 * supers);
    c.halves = (int16_t *)(void *)(c.d + rows * supers);
    return c;
}

/// Row r's parts of the compact form.
static inline q8_compact q8_compact_row(q8_compact all, long r, long supers) {
    q8_compact c = {all.values + r * 256 * supers, all.paired + r * 256 * supers, all.d + r * supers,
                    all.halves + r * 16 * supers};
    return c;
}

/// Where 32-element block j of a super-block goes in the paired order (an involution: 1 ↔ 2, 5 ↔ 6).
static inline int q8_paired_block(int j) { return (j & ~3) | ((j & 1) << 1) | ((j >> 1) & 1); }
