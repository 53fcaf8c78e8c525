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
