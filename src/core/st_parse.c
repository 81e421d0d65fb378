/*
 * st_parse.c -- st_parse: the whole-file checks in the reference's order
 * (ST-ORDER-1): layout, UTF-8, JSON and schema, duplicates, validation.
 */
#include "st_internal.h"

/* Little-endian u64 from 8 bytes (ST-LAYOUT-1). */
static uint64_t st_load64_le(const uint8_t *p)
{
    uint64_t v = 0u;
    uint32_t k = 8u;
    while (k > 0u) {
        k--;
        v = (v * 256u) + (uint64_t)p[k];
    }
    return v;
}

static bool st_storage_fits(const st_storage *s, const st_need *need)
{
    return (need->tensors <= s->tensor_cap) && (need->dims <= s->dim_cap) &&
           (need->meta <= s->meta_cap) && (need->arena <= s->arena_cap) &&
           ((need->tensors == 0u) ||
            ((s->tensors != NULL) && (s->order != NULL) && (s->by_name != NULL))) &&
           ((need->dims == 0u) || (s->dims != NULL)) &&
           ((need->meta == 0u) || ((s->meta != NULL) && (s->meta_order != NULL))) &&
           ((need->arena == 0u) || (s->arena != NULL));
}

static void st_diag_tensor(st_diag *diag, st_err e, uint64_t offset, const st_tensor *t)
{
    diag->code = e;
    diag->offset = offset;
    diag->name = t->name;
    diag->name_len = t->name_len;
}

/*
 * ST-SCHEMA-7 / ST-STRICT-3: resolve duplicate tensor names. Sorting by
 * (name, entry index) puts each name's occurrences side by side, last one
 * last; every occurrence but the last is dropped (compat) or refused
 * (strict). Leaves the live entries, in name order, in by_name[0..*live).
 */
static st_err st_resolve_tensors(const st_file *f, st_diag *diag, uint32_t *live)
{
    st_err ret = ST_OK;
    const st_storage *s = f->st;
    uint32_t n = f->n_entries;
    uint32_t i;
    uint32_t w = 0u;
    for (i = 0u; i < n; i++) {
        s->by_name[i] = i;
    }
    st_mergesort(s->by_name, s->order, n, ST_SORT_TENSOR_NAME, s->tensors);
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_tensor *t = &s->tensors[s->by_name[i]];
        if ((i + 1u) < n) {
            const st_tensor *next = &s->tensors[s->by_name[i + 1u]];
            if (st_bytes_cmp(t->name, t->name_len, next->name, next->name_len) == 0) {
                t->dropped = true;
                if (f->mode == ST_MODE_STRICT) {
                    ret = ST_E_STRICT_DUP_TENSOR;
                    st_diag_tensor(diag, ret, ST_PREFIX_LEN + (uint64_t)next->key_pos, next);
                }
            }
        }
        if (!t->dropped) {
            s->by_name[w] = s->by_name[i];
            w++;
        }
    }
    *live = w;
    return ret;
}

/* ST-META-3 / ST-STRICT-4: the same for metadata keys, into meta_order. */
static st_err st_resolve_meta(const st_file *f, st_diag *diag, uint32_t *live)
{
    st_err ret = ST_OK;
    const st_storage *s = f->st;
    uint32_t n = f->n_meta_entries;
    uint32_t i;
    uint32_t w = 0u;
    for (i = 0u; i < n; i++) {
        s->meta_order[i] = i;
    }
    st_heapsort(s->meta_order, n, ST_SORT_META_KEY, NULL, s->meta);
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_meta *m = &s->meta[s->meta_order[i]];
        if ((i + 1u) < n) {
            const st_meta *next = &s->meta[s->meta_order[i + 1u]];
            if (st_bytes_cmp(m->key, m->key_len, next->key, next->key_len) == 0) {
                m->dropped = true;
                if (f->mode == ST_MODE_STRICT) {
                    ret = ST_E_STRICT_DUP_META_KEY;
                    diag->code = ret;
                    diag->offset = ST_PREFIX_LEN + (uint64_t)next->key_pos;
                    diag->name = next->key;
                    diag->name_len = next->key_len;
                }
            }
        }
        if (!m->dropped) {
            s->meta_order[w] = s->meta_order[i];
            w++;
        }
    }
    *live = w;
    return ret;
}

/* ST-VALID-2 .. ST-VALID-5 for one tensor whose offsets already passed ST-VALID-1. */
static st_err st_check_size(const st_storage *s, const st_tensor *t)
{
    st_err ret = ST_OK;
    uint64_t nelem = 1u;
    uint64_t bits = (uint64_t)st_dtype_bits((st_dtype)t->dtype);
    uint32_t d;
    for (d = 0u; (d < t->rank) && (ret == ST_OK); d++) {
        uint64_t dim = s->dims[t->dims_at + d];
        /* ST-VALID-2: left to right; [2^63, 2, 0] overflows, [2^63, 0] does not */
        if ((dim != 0u) && (nelem > (UINT64_MAX / dim))) {
            ret = ST_E_OVERFLOW;
        } else {
            nelem = nelem * dim;
        }
    }
    if (ret == ST_OK) {
        if ((nelem != 0u) && (bits > (UINT64_MAX / nelem))) {
            ret = ST_E_OVERFLOW;                     /* ST-VALID-3 */
        } else if (((nelem * bits) % 8u) != 0u) {
            ret = ST_E_MISALIGNED;                   /* ST-VALID-4 */
        } else if ((t->end - t->begin) != ((nelem * bits) / 8u)) {
            ret = ST_E_SIZE_MISMATCH;                /* ST-VALID-5 */
        } else {
            ret = ST_OK;
        }
    }
    return ret;
}

/*
 * ST-VALID-1 .. ST-VALID-7: walk the live tensors in (begin, end) order;
 * each must start at the running end and have the size its shape and dtype
 * give; the last must end exactly at the end of the file (ST-VALID-6, with
 * the addition checked).
 */
static st_err st_validate_layout(const st_file *f, st_diag *diag)
{
    st_err ret = ST_OK;
    const st_storage *s = f->st;
    uint64_t running = 0u;
    uint32_t i;
    uint32_t w = 0u;
    /* live entries in header order: usually already in offset order */
    for (i = 0u; i < f->n_entries; i++) {
        if (!s->tensors[i].dropped && (w < f->n_tensors)) {
            s->order[w] = i;
            w++;
        }
    }
    if (s->scratch != NULL) {
        st_mergesort(s->order, s->scratch, f->n_tensors, ST_SORT_TENSOR_OFFSET, s->tensors);
    } else {
        st_heapsort(s->order, f->n_tensors, ST_SORT_TENSOR_OFFSET, s->tensors, NULL);
    }
    for (i = 0u; (i < f->n_tensors) && (ret == ST_OK); i++) {
        const st_tensor *t = &s->tensors[s->order[i]];
        if ((t->begin != running) || (t->end < t->begin)) {
            ret = ST_E_INVALID_OFFSET;               /* ST-VALID-1 */
        } else {
            running = t->end;
            ret = st_check_size(s, t);
        }
        if (ret != ST_OK) {
            st_diag_tensor(diag, ret, ST_PREFIX_LEN + (uint64_t)t->offsets_pos, t);
        }
    }
    if (ret == ST_OK) {
        uint64_t prefix = ST_PREFIX_LEN + f->header_len;  /* <= 8 + 1e8 */
        if ((running > (UINT64_MAX - prefix)) || ((running + prefix) != f->len)) {
            ret = ST_E_INCOMPLETE;
            diag->code = ret;
            diag->offset = (running > (f->len - prefix)) ? f->len : (running + prefix);
        }
    }
    return ret;
}

st_err st_parse(const uint8_t *buf, uint64_t len, st_mode mode,
                const st_storage *storage, st_file *out, st_diag *diag)
{
    st_err ret = ST_OK;
    uint64_t n = 0u;
    uint32_t bad = 0u;
    st_cursor c;
    st_header_result hr;
    diag->code = ST_OK;
    diag->offset = 0u;
    diag->name = NULL;
    diag->name_len = 0u;
    diag->need.tensors = 0u;
    diag->need.dims = 0u;
    diag->need.meta = 0u;
    diag->need.arena = 0u;
    out->buf = buf;
    out->len = len;
    out->header_len = 0u;
    out->data_len = 0u;
    out->st = storage;
    out->n_entries = 0u;
    out->n_tensors = 0u;
    out->n_meta_entries = 0u;
    out->n_meta = 0u;
    out->has_metadata = false;
    out->mode = mode;
    if ((mode != ST_MODE_STRICT) && (mode != ST_MODE_COMPAT)) {
        ret = ST_E_ARGUMENT;
    } else if (len < ST_PREFIX_LEN) {
        ret = ST_E_FILE_TOO_SMALL;                   /* ST-LAYOUT-1 */
        diag->offset = len;
    } else {
        n = st_load64_le(buf);
        if (n > ST_HEADER_MAX) {
            ret = ST_E_HEADER_TOO_LARGE;             /* ST-LAYOUT-2 */
        } else if ((len - ST_PREFIX_LEN) < n) {
            ret = ST_E_HEADER_TRUNCATED;             /* ST-LAYOUT-3 */
            diag->offset = len;
        } else if (!st_utf8_valid(&buf[ST_PREFIX_LEN], (uint32_t)n, &bad)) {
            ret = ST_E_UTF8;                         /* ST-UTF8-1 */
            diag->offset = ST_PREFIX_LEN + (uint64_t)bad;
        } else {
            ret = ST_OK;
        }
    }
    if (ret == ST_OK) {
        out->header_len = n;
        out->data_len = len - ST_PREFIX_LEN - n;
        c.h = &buf[ST_PREFIX_LEN];
        c.n = (uint32_t)n;
        c.pos = 0u;
        c.err_pos = 0u;
        ret = st_parse_header(&c, mode, storage, &hr);
        diag->need = hr.need;
        if (ret != ST_OK) {
            diag->offset = ST_PREFIX_LEN + (uint64_t)c.err_pos;
            diag->name = hr.err_name;
            diag->name_len = hr.err_name_len;
        } else if (!st_storage_fits(storage, &hr.need)) {
            ret = ST_E_STORAGE;
        } else {
            out->n_entries = hr.n_entries;
            out->n_meta_entries = hr.n_meta;
            out->has_metadata = hr.has_metadata;
        }
    }
    if (ret == ST_OK) {
        ret = st_resolve_tensors(out, diag, &out->n_tensors);
    }
    if (ret == ST_OK) {
        ret = st_resolve_meta(out, diag, &out->n_meta);
    }
    if (ret == ST_OK) {
        ret = st_validate_layout(out, diag);
    }
    diag->code = ret;
    if (ret != ST_OK) {
        out->n_tensors = 0u;
        out->n_meta = 0u;
    }
    return ret;
}
