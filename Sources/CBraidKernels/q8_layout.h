// The layout of activation rows quantized to 8 bits (the opt-in `q8` activation mode), shared by
// the quantizer and the integer kernels of every instruction set.
//
// Rows are cut into groups of R = 16, 8, 4, 2, 1 rows (16s first, then one group per set bit of the
// rest). A group stores, for each 32-element block g of the input, one record:
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
/// The size of the first group of `rows` remaining rows: 16, or the largest power of two below.
static inline long q8_group_rows(long rows) {
    long r = 16;
    while (r > rows) r /= 2;
    return r;
}

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

// Rows of whole 256-element super-blocks are also written in a compact form for the K-quant kernels
// (q8_kquants.h), after the records: per row, its int8 values in element order (32 · blocks bytes); then,
// for all rows in turn, the block scales d (f32), the blocks' Σ q (f32, exact) and the Σ q of each
// 16-element half (int32). The quantizer writes it once per product, so no kernel call re-sorts the records.

/// Whether rows of `inputs` values get the compact form.
static inline int q8_has_compact(long inputs) { return inputs > 0 && inputs % 256 == 0; }

/// Where the compact form starts in the buffer (64-byte aligned).
static inline long q8_compact_offset(long rows, long inputs) { return (q8_records_bytes(rows, inputs) + 63) / 64 * 64; }

/// Bytes of the whole buffer: records, then the compact form when the rows have one.
static inline long q8_total_bytes(long rows, long inputs) {
    long blocks = inputs / 32;
    if (!q8_has_compact(inputs)) return q8_records_bytes(rows, inputs);
    return q8_compact_offset(rows, inputs) + rows * blocks * (32 + 4 + 4 + 8);
}

/// The compact form's parts for `rows` rows of `blocks` blocks starting at `base`.
typedef struct {
    int8_t *values;    // row r at r · 32 · blocks
    float *dx;         // row r at r · blocks
    float *sums;       // row r at r · blocks
    int32_t *halves;   // row r at r · 2 · blocks
} q8_compact;

static inline q8_compact q8_compact_at(uint8_t *base, long rows, long blocks) {
    q8_compact c;
    c.values = (int8_t *)base;
    c.dx = (float *)(void *)(base + rows * 32 * blocks);
    c.sums = c.dx + rows * blocks;
    c.halves = (int32_t *)(void *)(c.sums + rows * blocks);
    return c;
}
