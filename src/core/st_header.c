/*
 * st_header.c -- the header schema (ST-SCHEMA-*, ST-META-*, ST-DTYPE-2) and
 * the strict-mode refusals (ST-STRICT-1, -2, -5 .. -8). Fills the caller's
 * storage while it fits and counts what the header needs in any case, so a
 * first pass with empty storage measures and a second pass fills.
 */
#include "st_internal.h"

/* Per-parse state. */
typedef struct st_hparse {
    st_cursor *c;
    st_mode mode;
    const st_storage *s;
    st_need used;         /* counts so far (may exceed the capacities) */
    bool seen_metadata;
    bool has_metadata;
} st_hparse;

/* Store a decoded string: zero-copy when it had no escapes, else into the arena. */
static const uint8_t *st_keep_string(st_hparse *p, const st_jstring *js)
{
    const uint8_t *ret = &p->c->h[js->raw_at];
    if (js->escaped) {
        ret = NULL;
        if ((p->used.arena <= p->s->arena_cap) &&
            (js->dec_len <= (p->s->arena_cap - p->used.arena))) {
            uint8_t *dst = &p->s->arena[p->used.arena];
            st_json_decode(p->c->h, js, dst);
            ret = dst;
        }
        p->used.arena += js->dec_len;
    }
    return ret;
}

/*
 * ST-DTYPE-2 (and ST-SCHEMA-8 / ST-STRICT-7 for the object form): a dtype
 * is a string naming one of the 22 dtypes; compat also accepts {"NAME": null}.
 */
static st_err st_parse_dtype(st_hparse *p, uint8_t *dtype)
{
    st_err ret = ST_OK;
    st_cursor *c = p->c;
    st_jstring js;
    uint8_t name[16];
    st_dtype d = ST_BOOL;
    uint32_t at = c->pos;
    bool object_form = false;
    if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'{')) {
        if (p->mode == ST_MODE_STRICT) {
            ret = st_fail(c, ST_E_STRICT_DTYPE_OBJECT, at);
        } else {
            object_form = true;
            c->pos++;
            st_json_skip_ws(c);
        }
    }
    if ((ret == ST_OK) && ((c->pos >= c->n) || (c->h[c->pos] != (uint8_t)'"'))) {
        ret = st_fail(c, ST_E_SCHEMA_DTYPE, c->pos);
    }
    if (ret == ST_OK) {
        at = c->pos;
        ret = st_json_string(c, &js);
    }
    if (ret == ST_OK) {
        uint32_t len = st_jstring_decode_small(c->h, &js, name, (uint32_t)sizeof name);
        if ((len > (uint32_t)sizeof name) || !st_dtype_parse(name, len, &d)) {
            ret = st_fail(c, ST_E_SCHEMA_DTYPE, at);
        }
    }
    if ((ret == ST_OK) && object_form) {
        /* exactly one member whose value is null */
        st_json_skip_ws(c);
        ret = st_json_expect(c, (uint8_t)':');
        st_json_skip_ws(c);
        if ((ret == ST_OK) && !(((c->n - c->pos) >= 4u) && (c->h[c->pos] == (uint8_t)'n') &&
                                (c->h[c->pos + 1u] == (uint8_t)'u') && (c->h[c->pos + 2u] == (uint8_t)'l') &&
                                (c->h[c->pos + 3u] == (uint8_t)'l'))) {
            ret = st_fail(c, ST_E_SCHEMA_DTYPE, c->pos);
        }
        if (ret == ST_OK) {
            c->pos += 4u;
            st_json_skip_ws(c);
            if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
                c->pos++;
            } else {
                ret = st_fail(c, ST_E_SCHEMA_DTYPE, c->pos);
            }
        }
    }
    if (ret == ST_OK) {
        *dtype = (uint8_t)d;
    }
    return ret;
}

/*
 * ST-SCHEMA-3, ST-SCHEMA-4: an array of plain integers in 0..2^64-1.
 * Shapes go to the dims pool; offsets (want == 2) to out[0..2).
 */
static st_err st_parse_u64_array(st_hparse *p, bool is_shape, uint32_t *count,
                                 uint64_t out[2])
{
    st_err ret = ST_OK;
    st_cursor *c = p->c;
    uint32_t k = 0u;
    bool done = false;
    if ((c->pos >= c->n) || (c->h[c->pos] != (uint8_t)'[')) {
        ret = st_fail(c, ST_E_SCHEMA_ARRAY, c->pos);
    } else {
        c->pos++;
        st_json_skip_ws(c);
        if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)']')) {
            c->pos++;
            done = true;
        }
    }
    while ((ret == ST_OK) && !done) {
        st_jnumber num;
        uint32_t at;
        st_json_skip_ws(c);
        at = c->pos;
        if ((c->pos < c->n) && ((c->h[c->pos] == (uint8_t)'-') ||
                                ((c->h[c->pos] >= (uint8_t)'0') && (c->h[c->pos] <= (uint8_t)'9')))) {
            ret = st_json_number(c, &num);
            if ((ret == ST_OK) && !num.is_u64) {
                ret = st_fail(c, ST_E_SCHEMA_INTEGER, at);
            }
        } else if (c->pos < c->n) {
            /* any other JSON value has the wrong type */
            ret = st_json_skip_value(c, 2u);
            if (ret == ST_OK) {
                ret = st_fail(c, ST_E_SCHEMA_INTEGER, at);
            }
        } else {
            ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
        }
        if (ret == ST_OK) {
            if (is_shape) {
                if (p->used.dims < p->s->dim_cap) {
                    p->s->dims[p->used.dims] = num.value;
                }
                p->used.dims++;
            } else if (k < 2u) {
                out[k] = num.value;
            } else {
                ret = st_fail(c, ST_E_SCHEMA_ARRAY, at); /* a third offset */
            }
            k++;
        }
        if (ret == ST_OK) {
            st_json_skip_ws(c);
            if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)',')) {
                c->pos++;
            } else if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)']')) {
                c->pos++;
                done = true;
            } else {
                ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
            }
        }
    }
    if ((ret == ST_OK) && !is_shape && (k != 2u)) {
        ret = st_fail(c, ST_E_SCHEMA_ARRAY, c->pos);
    }
    *count = k;
    return ret;
}

/* Fields of a tensor entry, in serialization order. */
#define ST_F_DTYPE 1u
#define ST_F_SHAPE 2u
#define ST_F_OFFSETS 4u

/* Which known field a key names (after decoding), or 0. */
static uint32_t st_field_of(const uint8_t *h, const st_jstring *key)
{
    uint32_t f = 0u;
    if (st_jstring_equals(h, key, "dtype", 5u)) {
        f = ST_F_DTYPE;
    } else if (st_jstring_equals(h, key, "shape", 5u)) {
        f = ST_F_SHAPE;
    } else if (st_jstring_equals(h, key, "data_offsets", 12u)) {
        f = ST_F_OFFSETS;
    } else {
        f = 0u;
    }
    return f;
}

/* Parse the value of field `f` into t. */
static st_err st_parse_field(st_hparse *p, uint32_t f, st_tensor *t)
{
    st_err ret = ST_OK;
    uint32_t count = 0u;
    uint64_t offs[2] = {0u, 0u};
    if (f == ST_F_DTYPE) {
        ret = st_parse_dtype(p, &t->dtype);
    } else if (f == ST_F_SHAPE) {
        t->dims_at = p->used.dims;
        ret = st_parse_u64_array(p, true, &count, offs);
        t->rank = count;
    } else {
        t->offsets_pos = p->c->pos;
        ret = st_parse_u64_array(p, false, &count, offs);
        t->begin = offs[0];
        t->end = offs[1];
    }
    return ret;
}

/*
 * ST-SCHEMA-2, ST-SCHEMA-5: a tensor entry as an object with dtype, shape
 * and data_offsets, each once; other fields are skipped (compat) or refused
 * (strict). ST-SCHEMA-8 / ST-STRICT-6: compat also takes the 3-element array
 * [dtype, shape, data_offsets].
 */
static st_err st_parse_entry(st_hparse *p, st_tensor *t)
{
    st_err ret = ST_OK;
    st_cursor *c = p->c;
    uint32_t seen = 0u;
    bool done = false;
    uint8_t open = (c->pos < c->n) ? c->h[c->pos] : 0u;
    if (open == (uint8_t)'[') {
        if (p->mode == ST_MODE_STRICT) {
            ret = st_fail(c, ST_E_STRICT_ARRAY_ENTRY, c->pos);
        } else {
            uint32_t f = ST_F_DTYPE;
            c->pos++;
            while ((ret == ST_OK) && (f <= ST_F_OFFSETS)) {
                st_json_skip_ws(c);
                if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)']')) {
                    ret = st_fail(c, ST_E_SCHEMA_ENTRY, c->pos); /* too few */
                } else {
                    ret = st_parse_field(p, f, t);
                }
                st_json_skip_ws(c);
                if ((ret == ST_OK) && (f < ST_F_OFFSETS)) {
                    if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)']')) {
                        ret = st_fail(c, ST_E_SCHEMA_ENTRY, c->pos); /* too few */
                    } else {
                        ret = st_json_expect(c, (uint8_t)',');
                    }
                }
                f = f * 2u;
            }
            if (ret == ST_OK) {
                if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)']')) {
                    c->pos++;
                } else {
                    ret = st_fail(c, ST_E_SCHEMA_ENTRY, c->pos); /* too many */
                }
            }
        }
    } else if (open == (uint8_t)'{') {
        c->pos++;
        st_json_skip_ws(c);
        if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
            c->pos++;
            done = true;
        }
        while ((ret == ST_OK) && !done) {
            st_jstring key;
            uint32_t key_at;
            uint32_t f;
            st_json_skip_ws(c);
            key_at = c->pos;
            ret = st_json_string(c, &key);
            st_json_skip_ws(c);
            if (ret == ST_OK) {
                ret = st_json_expect(c, (uint8_t)':');
            }
            st_json_skip_ws(c);
            if (ret == ST_OK) {
                f = st_field_of(c->h, &key);
                if (f == 0u) {
                    if (p->mode == ST_MODE_STRICT) {
                        ret = st_fail(c, ST_E_STRICT_UNKNOWN_FIELD, key_at);
                    } else {
                        ret = st_json_skip_value(c, 2u);
                    }
                } else if ((seen & f) != 0u) {
                    ret = st_fail(c, ST_E_SCHEMA_DUP_FIELD, key_at);
                } else {
                    seen |= f;
                    ret = st_parse_field(p, f, t);
                }
            }
            if (ret == ST_OK) {
                st_json_skip_ws(c);
                if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)',')) {
                    c->pos++;
                } else if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
                    c->pos++;
                    done = true;
                } else {
                    ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
                }
            }
        }
        if ((ret == ST_OK) && (seen != (ST_F_DTYPE | ST_F_SHAPE | ST_F_OFFSETS))) {
            ret = st_fail(c, ST_E_SCHEMA_MISSING, c->pos);
        }
    } else {
        /* a scalar: the wrong type if it is a valid value at all */
        uint32_t at = c->pos;
        ret = st_json_skip_value(c, 1u);
        if (ret == ST_OK) {
            ret = st_fail(c, ST_E_SCHEMA_ENTRY, at);
        }
    }
    return ret;
}

/*
 * ST-META-1, ST-META-3, ST-STRICT-8: the value of __metadata__: null (none;
 * refused in strict) or an object of string values.
 */
static st_err st_parse_metadata(st_hparse *p)
{
    st_err ret = ST_OK;
    st_cursor *c = p->c;
    bool done = false;
    uint32_t at = c->pos;
    uint8_t open = (c->pos < c->n) ? c->h[c->pos] : 0u;
    if (open == (uint8_t)'n') {
        /* "null" is the only value starting with 'n' that skips cleanly;
           anything else is a JSON error in both modes */
        ret = st_json_skip_value(c, 1u);
        if ((ret == ST_OK) && (p->mode == ST_MODE_STRICT)) {
            ret = st_fail(c, ST_E_STRICT_METADATA_NULL, at);
        }
    } else if (open == (uint8_t)'{') {
        p->has_metadata = true;
        c->pos++;
        st_json_skip_ws(c);
        if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
            c->pos++;
            done = true;
        }
        while ((ret == ST_OK) && !done) {
            st_jstring key;
            st_jstring val;
            uint32_t key_at;
            st_json_skip_ws(c);
            key_at = c->pos;
            ret = st_json_string(c, &key);
            st_json_skip_ws(c);
            if (ret == ST_OK) {
                ret = st_json_expect(c, (uint8_t)':');
            }
            st_json_skip_ws(c);
            if ((ret == ST_OK) && ((c->pos >= c->n) || (c->h[c->pos] != (uint8_t)'"'))) {
                ret = st_fail(c, ST_E_SCHEMA_METADATA, c->pos);
            }
            if (ret == ST_OK) {
                ret = st_json_string(c, &val);
            }
            if (ret == ST_OK) {
                const uint8_t *k = st_keep_string(p, &key);
                const uint8_t *v = st_keep_string(p, &val);
                if (p->used.meta < p->s->meta_cap) {
                    st_meta *m = &p->s->meta[p->used.meta];
                    m->key = k;
                    m->key_len = key.dec_len;
                    m->value = v;
                    m->value_len = val.dec_len;
                    m->key_pos = key_at;
                    m->dropped = false;
                }
                p->used.meta++;
                st_json_skip_ws(c);
                if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)',')) {
                    c->pos++;
                } else if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
                    c->pos++;
                    done = true;
                } else {
                    ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
                }
            }
        }
    } else {
        ret = st_json_skip_value(c, 1u);
        if (ret == ST_OK) {
            ret = st_fail(c, ST_E_SCHEMA_METADATA, at);
        }
    }
    return ret;
}

/* One member of the top-level object: __metadata__ or a tensor entry. */
static st_err st_parse_member(st_hparse *p, st_header_result *r)
{
    st_err ret = ST_OK;
    st_cursor *c = p->c;
    st_jstring key;
    uint32_t key_at = c->pos;
    ret = st_json_string(c, &key);
    st_json_skip_ws(c);
    if (ret == ST_OK) {
        ret = st_json_expect(c, (uint8_t)':');
    }
    st_json_skip_ws(c);
    if (ret == ST_OK) {
        if (st_jstring_equals(c->h, &key, "__metadata__", 12u)) {
            if (p->seen_metadata) {
                ret = st_fail(c, ST_E_SCHEMA_DUP_METADATA, key_at);
            } else {
                p->seen_metadata = true;
                ret = st_parse_metadata(p);
            }
        } else {
            st_tensor scratch;
            st_tensor *t = &scratch;
            const uint8_t *name = st_keep_string(p, &key);
            if (p->used.tensors < p->s->tensor_cap) {
                t = &p->s->tensors[p->used.tensors];
            }
            t->name = name;
            t->name_len = key.dec_len;
            t->rank = 0u;
            t->dims_at = 0u;
            t->key_pos = key_at;
            t->offsets_pos = key_at;
            t->dtype = 0u;
            t->dropped = false;
            t->begin = 0u;
            t->end = 0u;
            p->used.tensors++;
            ret = st_parse_entry(p, t);
            if (ret != ST_OK) {
                r->err_name = (name != NULL) ? name : &c->h[key.raw_at];
                r->err_name_len = (name != NULL) ? key.dec_len : key.raw_len;
            }
        }
    }
    return ret;
}

/*
 * ST-JSON-1, ST-SCHEMA-1, ST-STRICT-1, ST-STRICT-2: the header is one JSON
 * object, optionally surrounded by whitespace (strict: none before it, only
 * spaces after it).
 */
st_err st_parse_header(st_cursor *c, st_mode mode, const st_storage *s,
                       st_header_result *r)
{
    st_err ret = ST_OK;
    st_hparse p;
    bool done = false;
    p.c = c;
    p.mode = mode;
    p.s = s;
    p.used.tensors = 0u;
    p.used.dims = 0u;
    p.used.meta = 0u;
    p.used.arena = 0u;
    p.seen_metadata = false;
    p.has_metadata = false;
    r->err_name = NULL;
    r->err_name_len = 0u;
    c->pos = 0u;
    st_json_skip_ws(c);
    if ((mode == ST_MODE_STRICT) && (c->pos != 0u)) {
        ret = st_fail(c, ST_E_STRICT_LEADING_SPACE, 0u);
    } else if (c->pos >= c->n) {
        ret = st_fail(c, ST_E_JSON_SYNTAX, c->n);
    } else if (c->h[c->pos] != (uint8_t)'{') {
        uint32_t at = c->pos;
        ret = st_json_skip_value(c, 0u);
        if (ret == ST_OK) {
            ret = st_fail(c, ST_E_SCHEMA_TOP, at);
        }
    } else {
        c->pos++;
        st_json_skip_ws(c);
        if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
            c->pos++;
            done = true;
        }
    }
    while ((ret == ST_OK) && !done) {
        st_json_skip_ws(c);
        ret = st_parse_member(&p, r);
        if (ret == ST_OK) {
            st_json_skip_ws(c);
            if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)',')) {
                c->pos++;
            } else if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
                c->pos++;
                done = true;
            } else {
                ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
            }
        }
    }
    if (ret == ST_OK) {
        /* ST-JSON-1 / ST-STRICT-2: only whitespace (strict: only spaces) may follow */
        while ((ret == ST_OK) && (c->pos < c->n)) {
            uint8_t b = c->h[c->pos];
            if (!st_json_is_ws(b)) {
                ret = st_fail(c, ST_E_JSON_TRAILING, c->pos);
            } else if ((mode == ST_MODE_STRICT) && (b != 0x20u)) {
                ret = st_fail(c, ST_E_STRICT_PADDING, c->pos);
            } else {
                c->pos++;
            }
        }
    }
    r->n_entries = p.used.tensors;
    r->n_meta = p.used.meta;
    r->has_metadata = p.has_metadata;
    r->need = p.used;
    return ret;
}
