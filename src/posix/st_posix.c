/*
 * st_posix.c -- obtain a file's bytes (mmap or pread) and parse them with
 * the core, sizing the core's storage from its own measuring pass.
 */
#define _POSIX_C_SOURCE 200809L
/* 64-bit off_t where the platform's default is 32-bit, so that files over
 * 2 GiB can be opened; no effect on 64-bit systems. */
#define _FILE_OFFSET_BITS 64

#include "st_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* An empty file is never mapped (mmap of length 0 fails): it reads as
 * zero bytes of this buffer, so `bytes` is never NULL. */
static const uint8_t st_empty_file[1] = {0u};

/* The largest single pread request. Linux moves at most about 2 GiB per
 * call anyway; a bounded request keeps every count well inside ssize_t. */
#define ST_READ_CHUNK ((size_t)1 << 30)

static void set_io_error(st_io_error *err, const char *op, int errnum,
                         const char *detail)
{
    err->op = op;
    err->errnum = errnum;
    err->detail = detail;
}

const char *st_io_error_reason(const st_io_error *err)
{
    const char *ret = err->detail;
    if (err->errnum != 0) {
        ret = strerror(err->errnum);
    }
    if (ret == NULL) {
        ret = "unknown error";
    }
    return ret;
}

/* malloc(count * size), refusing a product that does not fit size_t.
 * count == 0 gives NULL without failing: the core accepts NULL arrays of
 * capacity 0. */
static void *alloc_array(size_t count, size_t size, bool *failed)
{
    void *ret = NULL;
    if (count != 0u) {
        if (size != 0u && count > SIZE_MAX / size) {
            *failed = true;
        } else {
            ret = malloc(count * size);
            if (ret == NULL) {
                *failed = true;
            }
        }
    }
    return ret;
}

static void free_storage(st_storage *s)
{
    free(s->tensors);
    free(s->order);
    free(s->by_name);
    free(s->scratch);
    free(s->dims);
    free(s->meta);
    free(s->meta_order);
    free(s->arena);
    memset(s, 0, sizeof *s);
}

/* Allocate exactly what the measuring pass asked for. */
static bool alloc_storage(st_storage *s, const st_need *need)
{
    bool failed = false;
    memset(s, 0, sizeof *s);
    s->tensors = alloc_array(need->tensors, sizeof *s->tensors, &failed);
    s->order = alloc_array(need->tensors, sizeof *s->order, &failed);
    s->by_name = alloc_array(need->tensors, sizeof *s->by_name, &failed);
    s->scratch = alloc_array(need->tensors, sizeof *s->scratch, &failed);
    s->dims = alloc_array(need->dims, sizeof *s->dims, &failed);
    s->meta = alloc_array(need->meta, sizeof *s->meta, &failed);
    s->meta_order = alloc_array(need->meta, sizeof *s->meta_order, &failed);
    s->arena = alloc_array(need->arena, sizeof *s->arena, &failed);
    if (failed) {
        free_storage(s);
    } else {
        s->tensor_cap = need->tensors;
        s->dim_cap = need->dims;
        s->meta_cap = need->meta;
        s->arena_cap = need->arena;
    }
    return !failed;
}

/* Read buf[0..len) from offset 0, retrying interrupted and short reads.
 * A read that ends early means the file shrank after fstat. */
static bool read_all(int fd, uint8_t *buf, size_t len, st_io_error *err)
{
    size_t done = 0u;
    bool ok = true;
    while (ok && done < len) {
        size_t want = len - done;
        ssize_t got;
        if (want > ST_READ_CHUNK) {
            want = ST_READ_CHUNK;
        }
        got = pread(fd, buf + done, want, (off_t)done);
        if (got < 0) {
            if (errno != EINTR) {
                set_io_error(err, "read", errno, NULL);
                ok = false;
            }
        } else if (got == 0) {
            set_io_error(err, "read", 0, "file shrank while being read");
            ok = false;
        } else {
            done += (size_t)got;
        }
    }
    return ok;
}

/* Open, check, and map or read the whole file into `out`. */
static st_load_status load_bytes(const char *path, unsigned flags,
                                 st_loaded *out, st_io_error *err)
{
    st_load_status ret = ST_LOAD_IO;
    struct stat sb;
    uint64_t size;
    size_t n;
    int fd;

    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused
     * as "not a regular file" right after. It changes nothing for regular
     * files. */
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        set_io_error(err, "open", errno, NULL);
        goto out;
    }
    if (fstat(fd, &sb) != 0) {
        set_io_error(err, "fstat", errno, NULL);
        goto out;
    }
    if (S_ISDIR(sb.st_mode) != 0) {
        set_io_error(err, "open", EISDIR, NULL);
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_io_error(err, "open", 0, "not a regular file");
        goto out;
    }
    if (sb.st_size < 0) {
        set_io_error(err, "fstat", 0, "negative file size");
        goto out;
    }
    size = (uint64_t)sb.st_size;
    n = (size_t)size;
    if ((uint64_t)n != size) {
        set_io_error(err, "open", EFBIG, NULL);
        goto out;
    }

    if (n == 0u) {
        out->bytes = st_empty_file;
        out->len = 0u;
        ret = ST_LOAD_OK;
    } else if ((flags & ST_OPEN_NO_MMAP) == 0u) {
        void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            set_io_error(err, "mmap", errno, NULL);
        } else {
            out->map_base = p;
            out->map_len = n;
            out->bytes = (const uint8_t *)p;
            out->len = size;
            ret = ST_LOAD_OK;
        }
    } else {
        uint8_t *buf = malloc(n);
        if (buf == NULL) {
            set_io_error(err, "allocate", ENOMEM, NULL);
        } else if (!read_all(fd, buf, n, err)) {
            free(buf);
        } else {
            out->heap = buf;
            out->bytes = buf;
            out->len = size;
            ret = ST_LOAD_OK;
        }
    }
out:
    if (fd >= 0) {
        /* Read-only descriptor: a failing close loses no data, and the
         * mapping (if any) stays valid after it. */
        (void)close(fd);
    }
    return ret;
}

/*
 * First pass with storage guessed from the header length: generous, since
 * large arrays come from mmap and pages never touched cost no memory, so
 * typical headers parse in one pass. If the guess is short (ST_E_STORAGE,
 * with the exact need measured), allocate exactly and parse again.
 */
static void guess_need(const uint8_t *bytes, size_t len, st_need *need)
{
    uint64_t n = 0u;
    size_t k;
    memset(need, 0, sizeof *need);
    if (len >= ST_PREFIX_LEN) {
        for (k = ST_PREFIX_LEN; k > 0u; k--) {
            n = (n << 8) | bytes[k - 1u];
        }
        if (n <= ST_HEADER_MAX && n <= len - ST_PREFIX_LEN) {
            need->tensors = (uint32_t)(n / 48u + 8u);
            need->dims = (uint32_t)(n / 16u + 8u);
            need->meta = (uint32_t)(n / 64u + 8u);
            need->arena = (uint32_t)(n / 4u + 64u);
        }
    }
}

static st_load_status parse_bytes(st_loaded *out, st_mode mode,
                                  st_io_error *err)
{
    st_load_status ret = ST_LOAD_INVALID;
    st_need guess;
    st_err rc;
    guess_need(out->bytes, out->len, &guess);
    if (!alloc_storage(&out->storage, &guess)) {
        memset(&out->storage, 0, sizeof out->storage);
    }
    rc = st_parse(out->bytes, out->len, mode, &out->storage,
                  &out->file, &out->diag);
    if (rc == ST_E_STORAGE) {
        st_need need = out->diag.need;
        free_storage(&out->storage);
        if (!alloc_storage(&out->storage, &need)) {
            set_io_error(err, "allocate", ENOMEM, NULL);
            ret = ST_LOAD_IO;
            goto out;
        }
        rc = st_parse(out->bytes, out->len, mode, &out->storage, &out->file,
                      &out->diag);
        if (rc == ST_E_STORAGE) {
            /* The core promised that its measure suffices. */
            set_io_error(err, "parse", 0,
                         "storage measured by the parser did not suffice");
            ret = ST_LOAD_IO;
            goto out;
        }
    }
    out->status = rc;
    if (rc == ST_OK) {
        ret = ST_LOAD_OK;
    }
out:
    return ret;
}

st_load_status st_open_file(const char *path, st_mode mode, unsigned flags,
                            st_loaded *out, st_io_error *err)
{
    st_load_status ret;
    memset(out, 0, sizeof *out);
    set_io_error(err, NULL, 0, NULL);
    out->status = ST_E_ARGUMENT;
    if (mode != ST_MODE_STRICT && mode != ST_MODE_COMPAT) {
        set_io_error(err, "parse", EINVAL, NULL);
        ret = ST_LOAD_IO;
    } else {
        ret = load_bytes(path, flags, out, err);
        if (ret == ST_LOAD_OK) {
            ret = parse_bytes(out, mode, err);
        }
    }
    if (ret == ST_LOAD_IO) {
        st_close_file(out);
    }
    return ret;
}

void st_close_file(st_loaded *loaded)
{
    if (loaded->map_base != NULL) {
        (void)munmap(loaded->map_base, loaded->map_len);
    }
    free(loaded->heap);
    free_storage(&loaded->storage);
    memset(loaded, 0, sizeof *loaded);
    loaded->status = ST_E_ARGUMENT;
}
