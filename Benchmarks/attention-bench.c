// Times CBraidKernels' attention over 16-slot KV blocks, without a Swift build:
//
//   clang -O2 -w -ISources/CBraidKernels/include Sources/CBraidKernels/*.c Benchmarks/attention-bench.c \
//       -lpthread -o /tmp/attention-bench
//   /tmp/attention-bench gather [READERS] [F16]   # one shared block, per-token calls against one gathered call
//   /tmp/attention-bench walk [BLOCKS] [LOCALITY] [AHEAD]
//
// `gather`: READERS tokens (3 query heads each, SmolLM2's group) read one L1-resident block: ns per block for
// `braid_block_scores_f16` / `braid_block_values_heads_f16` called once per token, then for
// `braid_block_scores_many_f16` / `braid_block_values_many_f16` called once for all; "identical" checks the bits.
//
// `walk`: one query's scores (3 heads) over BLOCKS cold blocks laid out as Braid's pool lays them out (a block
// holds every layer, on 2 MiB pages, so a layer's 2 KiB of one head's keys lie 368,640 bytes from the next block's), the caches
// flushed between layers by a 3 MB stream (a layer's weights). Each block is prefetched AHEAD blocks early with
// `__builtin_prefetch` LOCALITY (3: prefetcht0 … 1: prefetcht2; -1: none). ns per block visited.
#include "braid_kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { HEADS = 3, D = 64, SLOTS = 16, LAYERS = 30, KV_DIM = HEADS * D };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint16_t half_bits(float x) {
    _Float16 h = (_Float16)x;
    uint16_t bits;
    memcpy(&bits, &h, 2);
    return bits;
}

static int gather(int readers, int reps) {
    uint16_t keys[D * SLOTS], values[SLOTS * KV_DIM];
    for (int i = 0; i < D * SLOTS; i++) keys[i] = half_bits((i % 13) * 0.01f);
    for (int i = 0; i < SLOTS * KV_DIM; i++) values[i] = half_bits((i % 7) * 0.02f);
    int vectors = readers * HEADS;
    float *q = malloc(sizeof(float) * vectors * D), *p = calloc(vectors * SLOTS, 4), *p2 = calloc(vectors * SLOTS, 4);
    float *out = calloc(vectors * D, 4), *out2 = calloc(vectors * D, 4);
    const float **qs = malloc(sizeof(*qs) * vectors), **ps = malloc(sizeof(*ps) * vectors);
    float **rows = malloc(sizeof(*rows) * vectors), **outs = malloc(sizeof(*outs) * vectors);
    int32_t *n = malloc(sizeof(*n) * vectors);
    for (int i = 0; i < vectors * D; i++) q[i] = (i % 11) * 0.1f;
    for (int i = 0; i < vectors; i++) {
        qs[i] = q + i * D, rows[i] = p2 + i * SLOTS, ps[i] = p + i * SLOTS, outs[i] = out2 + i * D, n[i] = SLOTS;
    }
    double t[5];
    t[0] = now();
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < readers; k++) braid_block_scores_f16(q + k * HEADS * D, HEADS, D, keys, 0.125f, p + k * HEADS * SLOTS, SLOTS, SLOTS);
    t[1] = now();
    for (int r = 0; r < reps; r++) braid_block_scores_many_f16(qs, rows, n, vectors, D, keys, 0.125f);
    t[2] = now();
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < readers; k++) braid_block_values_heads_f16(p + k * HEADS * SLOTS, SLOTS, HEADS, values, KV_DIM, SLOTS, D, out + k * HEADS * D);
    t[3] = now();
    for (int r = 0; r < reps; r++) braid_block_values_many_f16(ps, outs, n, vectors, values, KV_DIM, D);
    t[4] = now();
    int identical = !memcmp(p, p2, sizeof(float) * vectors * SLOTS) && !memcmp(out, out2, sizeof(float) * vectors * D);
    printf("%d readers: scores %.1f ns per token calls, %.1f gathered; values %.1f, %.1f gathered; identical %d\n", readers,
           (t[1] - t[0]) / reps * 1e9, (t[2] - t[1]) / reps * 1e9, (t[3] - t[2]) / reps * 1e9, (t[4] - t[3]) / reps * 1e9, identical);
    return identical ? 0 : 1;
}

static void prefetch_block(const char *keys, int locality) {
    for (int i = 0; i < D * SLOTS * 2; i += 64) {
        switch (locality) {
        case 3: __builtin_prefetch(keys + i, 0, 3); break;
        case 2: __builtin_prefetch(keys + i, 0, 2); break;
        case 1: __builtin_prefetch(keys + i, 0, 1); break;
        default: break;
        }
    }
}

static int walk(int blocks, int locality, int ahead) {
    const long layer_bytes = 2L * SLOTS * KV_DIM * 2, block_bytes = LAYERS * layer_bytes, flush_bytes = 3L << 20;
    // On 2 MiB pages where the kernel allows, as the pool's chunks are (braid_alloc_zeroed_large).
    long bytes = (blocks * block_bytes + (2L << 20) - 1) & ~((2L << 20) - 1);
    char *kv = braid_alloc_zeroed_large(bytes), *flush = malloc(flush_bytes);
    if (!kv) return 1;
    memset(kv, 0x11, blocks * block_bytes);
    memset(flush, 1, flush_bytes);
    int *order = malloc(sizeof(int) * blocks);   // a pool hands blocks out in no particular order
    for (int i = 0; i < blocks; i++) order[i] = i;
    srand(1);
    for (int i = blocks - 1; i > 0; i--) { int j = rand() % (i + 1), t = order[i]; order[i] = order[j], order[j] = t; }
    float q[HEADS * D], *scores = malloc(sizeof(float) * HEADS * SLOTS);
    for (int i = 0; i < HEADS * D; i++) q[i] = 0.01f * i;
    const float *qs[HEADS] = {q, q + D, q + 2 * D};
    float *rows[HEADS] = {scores, scores + SLOTS, scores + 2 * SLOTS};
    int32_t n[HEADS] = {SLOTS, SLOTS, SLOTS};
    double spent = 0;
    volatile long sink = 0;
    int reps = 20;
    for (int r = 0; r < reps; r++) {
        for (int l = 0; l < LAYERS; l++) {
            for (long i = 0; i < flush_bytes; i += 64) sink += flush[i];
            double t0 = now();
            for (int g = 0; g < HEADS; g++) {
#define KEYS(k) (kv + (long)order[k] * block_bytes + l * layer_bytes + (long)g * SLOTS * D * 2)
                for (int k = 0; k < ahead && k < blocks; k++) prefetch_block(KEYS(k), locality);
                for (int k = 0; k < blocks; k++) {
                    if (k + ahead < blocks) prefetch_block(KEYS(k + ahead), locality);
                    braid_block_scores_many_f16(qs, rows, n, HEADS, D, (const uint16_t *)KEYS(k), 0.125f);
                }
            }
            spent += now() - t0;
        }
    }
    double visits = (double)reps * LAYERS * HEADS * blocks;
    printf("%d blocks, locality %d, %d ahead: %.1f ns a block (%.1f GB/s of keys)\n", blocks, locality, ahead,
           spent / visits * 1e9, visits * SLOTS * D * 2 / spent / 1e9);
    return (int)(sink & 0);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "gather"))
        return gather(argc > 2 ? atoi(argv[2]) : 16, 100000);
    if (argc > 1 && !strcmp(argv[1], "walk"))
        return walk(argc > 2 ? atoi(argv[2]) : 70, argc > 3 ? atoi(argv[3]) : 2, argc > 4 ? atoi(argv[4]) : 2);
    fprintf(stderr, "usage: attention-bench gather [READERS] | walk [BLOCKS] [LOCALITY] [AHEAD]\n");
    return 2;
}
