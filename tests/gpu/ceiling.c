/*
 * ceiling.c -- the bandwidth ceiling for tests/gpu/run: the data section of
 * a safetensors file, already in pinned host memory, copied to the device
 * in one host-to-device copy, through the same dlopen'd runtime the loader
 * uses (src/device/st_backend.h). No file reads are timed.
 *
 *   usage: ceiling DEVICE FILE [ROUNDS]
 * Prints one JSON object: bytes, best and median seconds and GB/s (10^9 B/s).
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "st_backend.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ((double)ts.tv_nsec * 1e-9);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x < y) ? -1 : ((x > y) ? 1 : 0);
}

int main(int argc, char **argv)
{
    char err[ST_BACKEND_MSG_MAX];
    st_backend *b;
    int fd;
    struct stat sb;
    uint8_t prefix[8];
    uint64_t hl = 0u;
    uint64_t off;
    size_t n;
    size_t done = 0u;
    void *pin = NULL;
    void *dev = NULL;
    void *stream = NULL;
    double t[16];
    int rounds = (argc > 3) ? atoi(argv[3]) : 5;
    int i;
    if ((argc < 3) || (rounds < 1) || (rounds > 16)) {
        (void)fprintf(stderr, "usage: ceiling DEVICE FILE [ROUNDS <= 16]\n");
        return 2;
    }
    b = st_backend_open(argv[1], err, sizeof err);
    if (b == NULL) {
        (void)fprintf(stderr, "ceiling: %s\n", err);
        return 2;
    }
    fd = open(argv[2], O_RDONLY);
    if ((fd < 0) || (fstat(fd, &sb) != 0) || (pread(fd, prefix, 8u, 0) != 8)) {
        (void)fprintf(stderr, "ceiling: cannot read %s\n", argv[2]);
        return 2;
    }
    for (i = 7; i >= 0; i--) {
        hl = (hl << 8) | prefix[i];
    }
    off = 8u + hl;
    n = (size_t)((uint64_t)sb.st_size - off);
    if (!b->bind(b) || !b->host_alloc(b, n, &pin) || !b->dev_alloc(b, n, &dev) ||
        !b->stream_create(b, &stream)) {
        (void)fprintf(stderr, "ceiling: %s\n", b->last_error(b));
        return 2;
    }
    while (done < n) {
        ssize_t got = pread(fd, (uint8_t *)pin + done, n - done, (off_t)(off + done));
        if (got <= 0) {
            (void)fprintf(stderr, "ceiling: read failed\n");
            return 2;
        }
        done += (size_t)got;
    }
    /* one untimed copy: the first touch of device memory and of the DMA path */
    if (!b->copy_h2d_async(b, dev, pin, n, stream) || !b->stream_sync(b, stream)) {
        (void)fprintf(stderr, "ceiling: %s\n", b->last_error(b));
        return 2;
    }
    for (i = 0; i < rounds; i++) {
        double t0 = now();
        if (!b->copy_h2d_async(b, dev, pin, n, stream) || !b->stream_sync(b, stream)) {
            (void)fprintf(stderr, "ceiling: %s\n", b->last_error(b));
            return 2;
        }
        t[i] = now() - t0;
    }
    qsort(t, (size_t)rounds, sizeof t[0], cmp_double);
    (void)printf("{\"device\": \"%s\", \"bytes\": %zu, \"rounds\": %d, \"best_s\": %.6f, "
                 "\"median_s\": %.6f, \"gbps\": %.3f, \"median_gbps\": %.3f}\n",
                 argv[1], n, rounds, t[0], t[rounds / 2], (double)n / t[0] / 1e9,
                 (double)n / t[rounds / 2] / 1e9);
    (void)b->stream_destroy(b, stream);
    (void)b->dev_free(b, dev);
    (void)b->host_free(b, pin);
    st_backend_close(b);
    (void)close(fd);
    return 0;
}
