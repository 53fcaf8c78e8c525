// Large zeroed allocations backed by 2 MiB pages where the kernel offers them.
//
// Attention reads every live thread's KV blocks each step: with 16 paths that is megabytes spread over
// thousands of 4 KiB pages, and each new page costs a TLB walk and stops the hardware prefetcher at its edge.
// Transparent huge pages are often "madvise"-only, so the pool asks for them explicitly.
#include "braid_kernels.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_PAGE (2L << 20)

long braid_large_size(long bytes) { return bytes <= 0 ? 0 : (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE; }

void *braid_alloc_zeroed_large(long bytes) {
    if (bytes <= 0) return NULL;
    long size = braid_large_size(bytes);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, (size_t)size) != 0) {
        if (posix_memalign(&p, 64, (size_t)bytes) != 0) return NULL;   // no room for the rounding: plain pages
        size = bytes;
    }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    else madvise(p, (size_t)size, MADV_HUGEPAGE);   // a hint: where refused, 4 KiB pages serve as before
#endif
    memset(p, 0, (size_t)size);
    return p;
}

void braid_free_large(void *p) { free(p); }
