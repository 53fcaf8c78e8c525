#pragma once
// Braid's compute kernels: dot products of f32 activations with weight rows stored in GGUF
// block formats (unpacked in registers, never expanded in memory), and a small worker pool.
// Written in C with clang vector extensions so that one source compiles to AVX-512, AVX2 or
// baseline SIMD, chosen at run time, without per-target compiler flags in Package.swift.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether `type` (a GGML type id) and a row length `inputs` can go through the kernels.
int braid_kernel_supports(int type, long inputs);

/// y[r * ys + o] = dot(row o of w, x + r * xs) for o in [o0, o1) and r in [0, rows).
/// `w` holds rows of `inputs` elements of GGML type `type`, `row_bytes` bytes apart.
void braid_matvec(int type, const void *w, long row_bytes, long inputs, long o0, long o1,
                  const float *x, long xs, long rows, float *y, long ys);

/// Rows [o0, o1) of `w` dequantized to f32 into `dst`, `inputs` floats per row.
void braid_dequantize_rows(int type, const void *w, long row_bytes, long inputs, long o0, long o1,
                           float *dst);

/// Bytes of the buffer `braid_q8_quantize` fills for `rows` rows of `inputs` floats (the opt-in
/// 8-bit activation mode).
long braid_q8_buffer_bytes(long rows, long inputs);

/// Whether `braid_matvec_q8` takes weights of GGML type `type` (Q4_1, Q8_0; Q4_K, Q6_K with rows of whole
/// 256-element super-blocks) with rows of `inputs`.
int braid_q8_supports(int type, long inputs);

/// Rows r < `rows` of `x` (`xs` floats apart, `inputs` each, a multiple of 32) quantized per 32-element
/// block to int8 (q = x · (1/d) rounded to nearest, ties to even) with an f32 scale d = max|x| / 127
/// (and the block's Σ q) into `buffer`, which must be
/// 64-byte aligned and hold `braid_q8_buffer_bytes(rows, inputs)` bytes. With `kquants` nonzero it also
/// writes the per-256 form the K-quant kernels read (`braid_q8_reads_kquant_form`); a buffer that a Q4_K
/// or Q6_K matrix will multiply must be quantized with it, others need not pay for it.
void braid_q8_quantize(const float *x, long xs, long rows, long inputs, int kquants, void *buffer);

/// Part `part` of `parts` of `braid_q8_quantize`'s work (a share of every row's blocks, cut at 256-element
/// boundaries when the rows have the K-quant form): the parts write disjoint bytes of `buffer`, so threads may
/// run them concurrently, and all of them together write exactly what `braid_q8_quantize` writes.
void braid_q8_quantize_part(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                            long parts);

/// Whether `braid_matvec_q8` of type `type` on rows of `inputs` reads the K-quant form of the buffer.
int braid_q8_reads_kquant_form(int type, long inputs);

/// y[r * ys + o] = Σ over blocks of d_x · (d_w · Σ q_w q_x + m_w · Σ q_x) for o in [o0, o1) and
/// r < rows: row o of `w` against activation row r as `braid_q8_quantize` left it in `xq`. The integer
/// sums are exact; a row's result does not depend on the other rows. K-quants take the same terms per
/// 32-element block (Q4_K: d_w = d·scale, m_w = −dmin·min) or 16-element half (Q6_K: d·scale · (Σ q_w q_x −
/// 32 · Σ q_x)), scaled per four-element lane and summed over the row before the min terms are subtracted, see q8_kquants.h.
/// `xq` must come from `braid_q8_quantize` with the same `rows` and `inputs` (K-quants read its compact rows).
void braid_matvec_q8(int type, const void *w, long row_bytes, long inputs, long o0, long o1,
                     const void *xq, long rows, float *y, long ys);

/// The q8 kernels in use: 0 portable, 1 AVX2, 2 AVX-512 VNNI (follows the instruction set chosen
/// for the other kernels, including a per-thread choice).
int braid_q8_kernel(void);

/// Attention scores of `heads` query heads (`d` floats each, consecutive) against one KV block
/// of 16 key slots stored transposed (`keys[j * 16 + t]` is dimension j of slot t):
/// scores[h * stride + t] = scale · q_h · k_t for t < n (n ≤ 16).
void braid_block_scores(const float *q, int heads, int d, const float *keys, float scale,
                        float *scores, long stride, int n);

/// out[c] += Σ_t p[t] · values[t * row_stride + c] for c < d, t < n (one head, one KV block).
void braid_block_values(const float *p, const float *values, long row_stride, int n, int d, float *out);

/// `braid_block_values` for `heads` probability rows (head h's at p + h · p_stride, its output at out + h · d)
/// against the same value block, each value row loaded once for all of them; each head's result is the one
/// `braid_block_values` gives it.
void braid_block_values_heads(const float *p, long p_stride, int heads, const float *values, long row_stride, int n,
                              int d, float *out);

/// `braid_block_values_heads` over binary16 values, widened exactly to f32 before use.
void braid_block_values_heads_f16(const float *p, long p_stride, int heads, const uint16_t *values, long row_stride,
                                  int n, int d, float *out);

/// `braid_block_values_heads` over columns [0, cols) only: `values` and `out` point at the first of them, and the
/// heads' outputs stay `d` apart. Each column is summed as the full call sums it, so calls over disjoint column
/// ranges (on different threads) together give what one call gives.
void braid_block_values_columns(const float *p, long p_stride, int heads, const float *values, long row_stride, int n,
                                int d, int cols, float *out);

/// `braid_block_values_columns` over binary16 values.
void braid_block_values_columns_f16(const float *p, long p_stride, int heads, const uint16_t *values, long row_stride,
                                    int n, int d, int cols, float *out);

/// `braid_block_scores` over binary16 keys (`--kv-type f16`), widened exactly to f32 before use.
void braid_block_scores_f16(const float *q, int heads, int d, const uint16_t *keys, float scale,
                            float *scores, long stride, int n);

/// `braid_block_values` over binary16 values (`--kv-type f16`), widened exactly to f32 before use.
void braid_block_values_f16(const float *p, const uint16_t *values, long row_stride, int n, int d, float *out);

/// `braid_block_scores` for `count` query vectors gathered from anywhere (vector i at q[i], `d` floats) against one
/// block of transposed keys: rows[i][t] = scale · q_i · k_t for t < n[i] (n[i] ≤ 16). Each key load serves up to eight
/// vectors; each vector's scores are formed exactly as `braid_block_scores` forms them, so gathering the readers of
/// a shared block changes no score.
void braid_block_scores_many(const float *const *q, float *const *rows, const int32_t *n, int count, int d,
                             const float *keys, float scale);

/// `braid_block_scores_many` over binary16 keys.
void braid_block_scores_many_f16(const float *const *q, float *const *rows, const int32_t *n, int count, int d,
                                 const uint16_t *keys, float scale);

/// `braid_block_values_columns` for `count` probability rows gathered from anywhere (row i at p[i], n[i] slots, its
/// output at out[i]): out[i][c] += Σ_t p[i][t] · values[t · row_stride + c] for c < cols, t < n[i]. Each value load
/// serves up to eight consecutive rows of equal n; each row's sums are formed exactly as
/// `braid_block_values_columns` forms them.
void braid_block_values_many(const float *const *p, float *const *out, const int32_t *n, int count,
                             const float *values, long row_stride, int cols);

/// `braid_block_values_many` over binary16 values.
void braid_block_values_many_f16(const float *const *p, float *const *out, const int32_t *n, int count,
                                 const uint16_t *values, long row_stride, int cols);

/// out[i · stride] = x[i] rounded to binary16 (nearest, ties to even; overflow to ±inf) for i < n.
void braid_store_f16(const float *x, long n, long stride, uint16_t *out);

/// x ← softmax(x) over `n` floats (e^(x − max) / Σ, with a vectorised e^x accurate to about 1e-7
/// relative); a row's result does not depend on what else is computed.
void braid_softmax(float *x, long n);

/// out[i] = silu(gate[i]) · up[i] = gate[i] / (1 + e^−gate[i]) · up[i] for i < n (same e^x as softmax).
void braid_swiglu(const float *gate, const float *up, float *out, long n);

/// Sampling weights in place: x[i] ← e^(x[i]/T − max_j x[j]/T) for i < n (T = `temperature` > 0, the
/// division exact, e^x as in softmax); chunk_sums[c] ← the sum of elements [256c, 256c + 256), which must
/// hold (n + 255) / 256 doubles. Returns the sum of chunk_sums.
double braid_sampling_weights(float *x, long n, float temperature, double *chunk_sums);

/// `braid_sampling_weights` of the row `logits` written to `x` (n floats; `logits` may be `x`): the same numbers as
/// copying the row to `x` first, without the copy.
double braid_sampling_weights_from(const float *logits, float *x, long n, float temperature, double *chunk_sums);

/// out = x / sqrt(mean(x²) + epsilon) · weight over `n` floats, the mean of squares summed in double.
void braid_rms_norm(const float *x, const float *weight, float epsilon, float *out, long n);

/// Rotary position embedding of `heads` consecutive heads of `head_dim` floats in place, by one position's
/// angles (`cos`, `sin`: head_dim / 2 each): pairs (x[2i], x[2i+1]), or (x[i], x[i + head_dim/2]) when
/// `half_split`, become (a·cos − b·sin, a·sin + b·cos), each product rounded on its own (no FMA).
void braid_rope(float *x, long heads, long head_dim, int half_split, const float *cos, const float *sin);

/// The index of the first largest of `n` floats (NaNs never win; 0 when none is a number or n = 0).
long braid_argmax(const float *x, long n);

/// `bytes` rounded up to whole 2 MiB pages: what `braid_alloc_zeroed_large(bytes)` allocates and zeroes, so a
/// caller can size its request to use all of it.
long braid_large_size(long bytes);

/// `bytes` zeroed bytes (rounded up to whole 2 MiB pages), 2 MiB aligned, backed by huge pages where the
/// kernel allows them (a hint: elsewhere ordinary pages); NULL when memory is short. Free with `braid_free_large`.
void *braid_alloc_zeroed_large(long bytes);

/// Frees memory from `braid_alloc_zeroed_large`.
void braid_free_large(void *p);

/// Asks the CPU to start loading `rows` rows of `row_bytes` bytes, `stride` bytes apart, from `p`
/// (a hint; it changes no result). Attention walks KV blocks that lie far apart in memory, where the
/// hardware prefetcher cannot guess the next one.
void braid_prefetch_rows(const void *p, long rows, long row_bytes, long stride);

/// The instruction set the kernels use: 0 baseline, 1 AVX2+FMA, 2 AVX-512.
int braid_kernel_isa(void);
/// Forces an instruction set (for measurements); values above what the CPU has are lowered.
void braid_kernel_set_isa(int isa);
/// Forces an instruction set for kernels run on the calling thread only (a negative value clears it);
/// tests use it so that products computed on other threads at the same time are not affected.
void braid_kernel_set_thread_isa(int isa);

/// A pool of worker threads that split numbered chunks of one job with the calling thread.
typedef struct braid_pool braid_pool;
/// One chunk of a job: `worker` is 0 for the calling thread, 1..threads-1 for the pool's.
typedef void (*braid_pool_task)(void *context, long chunk, int worker);

/// A pool that runs jobs on `threads` threads in all (the caller plus threads - 1 workers).
braid_pool *braid_pool_create(int threads);
/// Stops and joins the workers.
void braid_pool_destroy(braid_pool *pool);
/// Runs task(context, c, worker) for every c in [0, chunks) and returns when all are done.
/// Workers take chunks dynamically, so a descheduled worker delays no more than one chunk.
void braid_pool_run(braid_pool *pool, braid_pool_task task, void *context, long chunks);

#ifdef __cplusplus
}
#endif
