// The quantizer of the q8 activation mode (layout in q8_layout.h), instantiated once per instruction set
// (q8_quantize.c portable, q8_avx2.c, q8_vnni.c) like the kernels. Every operation in it is exact or
// correctly rounded in IEEE single precision (no fused multiply-add: see q8_quantize_row), so every
// instantiation writes the same bytes.
#pragma once
#include "q8_layout.h"
#include "unpack.h"

/// Blocks [g0, g1) of row `x` (row `r` of a group of `group` rows) quantized into the group's records.
/// q = x / d rounded to nearest, ties to even: adding and removing 1.5·2^23 rounds exactly in the default
/// rounding mode (|x / d| ≤ 127), on SIMD lanes with any instruction set.
INLINE void q8_quantize_row(const float *x, long g0, long g1, long r, long group, uint8_t *records) {
    long record = q8_record_bytes(group), per_vector = 16 / group, offset[8];
    for (int j = 0; j < 8; j++) offset[j] = 64 * (j / per_vector) + 4 * ((j % per_vector) * group + r);   // quad j's bytes
    const f32x16 magic = splat(12582912.0f);
    for (long g = g0; g < g1; g++) {
        f32x16 a = load_f32(x + 32 * g), b = load_f32(x + 32 * g + 16);
        f32x16 m = __builtin_elementwise_max(__builtin_elementwise_abs(a), __builtin_elementwise_abs(b));
        // |x| ≥ 0 orders as its bits do: an integer tree, not a chain of NaN-aware scalar maxima
        int32_t top = __builtin_reduce_max((i32x16)m);
        float amax;
        memcpy(&amax, &top, 4);
        float d = amax / 127.0f, id = d > 0 ? 1.0f / d : 0.0f;
        f32x16 va = a * id, vb = b * id;   // own statements: never fused with the rounding add
        f32x16 qa = (va + magic) - magic, qb = (vb + magic) - magic;
        qa = __builtin_elementwise_min(__builtin_elementwise_max(qa, splat(-127)), splat(127));
        qb = __builtin_elementwise_min(__builtin_elementwise_max(qb, splat(-127)), splat(127));
        i32x16 ia = __builtin_convertvector(qa, i32x16), ib = __builtin_convertvector(qb, i32x16);
        i8x16 ba = __builtin_convertvector(ia, i8x16), bb = __builtin_convertvector(ib, i8x16);
        int32_t quads[8];
        memcpy(quads, &ba, 16);
        memcpy(quads + 4, &bb, 16);
        int32_t sum = __builtin_reduce_add(ia + ib);
        uint8_t *rec = records + g * record;
        for (int j = 0; j < 8; j++) memcpy(rec + offset[j], &quads[j], 4);
        float *ds = (float *)(void *)(rec + 64 * q8_vectors(group));
        ds[r] = d;
        ds[16 + r] = (float)sum;
        ((int32_t *)(void *)(ds + 32))[r] = -128 * sum;
    }
}

/// Super-blocks [s0, s1) of row `x` quantized into its part of the compact form (q8_layout.h), with the
/// same rounding as q8_quantize_row.
INLINE void q8_quantize_compact(const float *x, long s0, long s1, q8_compact row) {
    const f32x16 magic = splat(12582912.0f);
    for (long s = s0; s < s1; s++) {
        const float *xs = x + 256 * s;
        f32x16 m = {0};
        for (int k = 0; k < 16; k++) m = __builtin_elementwise_max(m, __builtin_elementwise_abs(load_f32(xs + 16 * k)));
        int32_t top = __builtin_reduce_max((i32x16)m);
        float amax;
        memcpy(&amax, &top, 4);
        float d = amax / 127.0f, id = d > 0 ? 1.0f / d : 0.0f;
        row.d[s] = d;
        for (int k = 0; k < 16; k++) {
            f32x16 v = load_f32(xs + 16 * k) * id;
            f32x16 q = (v + magic) - magic;
            q = __builtin_elementwise_min(__builtin_elementwise_max(q, splat(-127)), splat(127));
            i32x16 iq = __builtin_convertvector(q, i32x16);
            i8x16 bytes = __builtin_convertvector(iq, i8x16);
            memcpy(row.values + 256 * s + 16 * k, &bytes, 16);
            memcpy(row.paired + 256 * s + 32 * q8_paired_block(k / 2) + 16 * (k % 2), &bytes, 16);
            row.halves[16 * s + k] = (int16_t)__builtin_reduce_add(iq);
        }
    }
}

/// braid_q8_quantize_part's work (the entry point chooses the instantiation): part `part` of `parts` of the
/// blocks of every row, cut at super-block boundaries when the rows have a compact form, so that the parts
/// write disjoint bytes and together write what one call for all blocks writes.
INLINE void q8_quantize(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                        long parts) {
    long blocks = inputs / 32, supers = inputs / 256, g0, g1, s0 = 0, s1 = 0;
    int compact = kquants && q8_has_compact(inputs);
    if (q8_has_compact(inputs)) {
        s0 = supers * part / parts;
        s1 = supers * (part + 1) / parts;
        g0 = 8 * s0;
        g1 = 8 * s1;
    } else {
        g0 = blocks * part / parts;
        g1 = blocks * (part + 1) / parts;
    }
    uint8_t *records = buffer;
    for (long r0 = 0; r0 < rows;) {
        long group = q8_group_rows(rows - r0), real = q8_group_real(group, rows - r0), record = q8_record_bytes(group);
        // Full groups of 16 rows fill every byte of their records; smaller or padded ones leave lanes and tail
        // entries that must read as zero (zeroing the whole buffer was about 1% of a 16-path ParaThinker run).
        if (real < 16) memset(records + g0 * record, 0, (size_t)((g1 - g0) * record));
        for (long r = 0; r < real; r++) q8_quantize_row(x + (r0 + r) * xs, g0, g1, r, group, records);
        records += blocks * record;
        r0 += group;
    }
    if (!compact) return;
    q8_compact all = q8_compact_at((uint8_t *)buffer + q8_compact_offset(rows, inputs), rows, supers);
    for (long r = 0; r < rows; r++) q8_quantize_compact(x + r * xs, s0, s1, q8_compact_row(all, r, supers));
}
