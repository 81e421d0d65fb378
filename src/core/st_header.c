/*
 * st_header.c -- the header schema (ST-SCHEMA-*, ST-META-*, ST-DTYPE-2) and
 * the strict-mode refusals (ST-STRICT-1, -2, -5 .. -8). Fills the caller's
 * storage while it fits and counts what the header needs in any case, so a
 * first pass with empty storage measures and a second pass fills.
 *
 * The cursor and a copy of the storage descriptor travel as parameters, the
 * counts and flags in st_hparse: the contracts below then say exactly which
 * memory each step may write (ST-GUAR-1 rests on that).
 */
#include "st_internal.h"

/* Per-parse state. */
typedef struct st_hparse {
    st_mode mode;
    st_need used;         /* counts so far (may exceed the capacities) */
    bool seen_metadata;
    bool has_metadata;
} st_hparse;

/*@ // The parse state: a sound cursor, the caller's storage, and the state
    // itself, all apart.
    predicate st_hp_ok{L}(st_cursor *c, st_storage s, st_hparse *p) =
      st_cursor_ok(c) && st_hdr_store_ok(s) && st_hdr_store_apart(s, c) &&
      \valid(p) && \separated(p, c) && \separated(p, c->h + (0 .. c->n - 1)) &&
      \separated(p, s.tensors + (0 .. s.tensor_cap - 1)) &&
      \separated(p, s.dims + (0 .. s.dim_cap - 1)) &&
      \separated(p, s.meta + (0 .. s.meta_cap - 1)) &&
      \separated(p, s.arena + (0 .. s.arena_cap - 1));

    // Every count is paid for by header bytes already consumed (so none
    // can overflow: the header has at most ST_HEADER_MAX bytes).
    predicate st_hp_counts{L}(st_cursor *c, st_hparse *p) =
      p->used.tensors <= c->pos && p->used.dims <= c->pos &&
      p->used.meta <= c->pos && p->used.arena <= c->pos;

    // The entries stored so far are well formed.
    predicate st_hp_entries{L}(st_cursor *c, st_storage s, st_hparse *p) =
      st_hdr_tensors_ok(s, c->h, c->n, p->used.tensors, p->used.dims, p->used.arena) &&
      st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);

    // t, the tensor being filled (a local, copied to s.tensors when it
    // fits), is apart from everything else the parser writes or reads.
    predicate st_hp_target{L}(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t) =
      \valid(t) && \separated(t, p) && \separated(t, c) &&
      \separated(t, c->h + (0 .. c->n - 1)) &&
      \separated(t, s.dims + (0 .. s.dim_cap - 1)) &&
      \separated(t, s.meta + (0 .. s.meta_cap - 1)) &&
      \separated(t, s.arena + (0 .. s.arena_cap - 1));

    predicate st_hp_tensor_ok{L}(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t) =
      st_hdr_tensor_ok(t, c->h, c->n, s.arena, s.arena_cap, p->used.dims, p->used.arena);

    // The contract shared by the parsers of a tensor entry and of its
    // fields. On entry: a sound state whose dimensions counted so far are
    // paid for by consumed bytes, and a sound target t ...
    predicate st_hp_entry_pre{L}(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t) =
      st_hp_ok(c, s, p) && p->used.dims <= c->pos &&
      st_hp_target(c, s, p, t) && st_hp_tensor_ok(c, s, p, t);

    // ... and on exit (state B, entered in state A): the state stays sound,
    // t stays well formed, and the cursor and the dimension count only grow
    // (the count still paid for).
    predicate st_hp_grown{A, B}(st_cursor *c, st_hparse *p) =
      \at(c->pos, A) <= \at(c->pos, B) &&
      \at(p->used.dims, A) <= \at(p->used.dims, B) <= \at(c->pos, B);
*/

/*@ // The entries stay well formed as the dimension and arena counts grow.
    lemma st_hdr_tensors_grow{L}:
      \forall st_storage s, uint8_t *h, integer n, count, d1, d2, a1, a2;
        st_hdr_tensors_ok(s, h, n, count, d1, a1) && d1 <= d2 && a1 <= a2 ==>
        st_hdr_tensors_ok(s, h, n, count, d2, a2);
    lemma st_hdr_metas_grow{L}:
      \forall st_storage s, uint8_t *h, integer n, count, a1, a2;
        st_hdr_metas_ok(s, h, n, count, a1) && a1 <= a2 ==>
        st_hdr_metas_ok(s, h, n, count, a2);

    // ... and they stay well formed where their fields are unchanged.
    lemma st_hdr_tensors_kept{L1,L2}:
      \forall st_storage s, uint8_t *h, integer n, count, d, a;
        st_hdr_tensors_ok{L1}(s, h, n, count, d, a) &&
        st_tensors_same{L1,L2}(s.tensors, s.tensor_cap) ==>
        st_hdr_tensors_ok{L2}(s, h, n, count, d, a);
    lemma st_hdr_metas_kept{L1,L2}:
      \forall st_storage s, uint8_t *h, integer n, count, a;
        st_hdr_metas_ok{L1}(s, h, n, count, a) &&
        st_metas_same{L1,L2}(s.meta, s.meta_cap) ==>
        st_hdr_metas_ok{L2}(s, h, n, count, a);
*/

/* Store a decoded string: zero-copy when it had no escapes, else into the arena. */
/*@ requires st_hp_ok(c, s, p);
    requires \valid_read(js) && st_jstring_ok(js, c->n);
    requires \separated(js, p, c->h + (0 .. c->n - 1), s.arena + (0 .. s.arena_cap - 1));
    requires p->used.arena + js->dec_len <= ST_U32_MAX_L;
    assigns p->used.arena, s.arena[0 .. s.arena_cap - 1];
    ensures st_hp_ok(c, s, p);
    ensures p->used.arena == \old(p->used.arena) + (js->escaped ? js->dec_len : 0);
    ensures st_hdr_str_ok(\result, js->dec_len, c->h, c->n, s.arena, s.arena_cap,
                          p->used.arena);
*/
static const uint8_t *st_keep_string(st_cursor *c, st_storage s, st_hparse *p,
                                     const st_jstring *js)
{
    const uint8_t *ret = &c->h[js->raw_at];
    if (js->escaped) {
        /* the decoded bytes go to arena[from .. to), when that fits */
        const uint32_t from = p->used.arena;
        const uint32_t to = from + js->dec_len;
        ret = NULL;
        if (to <= s.arena_cap) {
            uint8_t *arena = s.arena;   /* the caller's arena, not the copy */
            st_json_decode(c->h, c->n, js, arena, from, to);
            ret = &arena[from];
        }
        p->used.arena = to;
    }
    return ret;
}

/* A tensor's name kept (st_keep_string), with the entries stored so far
   unchanged: the frame is proven here, in a small context, rather than in
   st_parse_tensor. */
/*@ requires st_hp_ok(c, s, p);
    requires \valid_read(js) && st_jstring_ok(js, c->n);
    requires \separated(js, p, c->h + (0 .. c->n - 1), s.arena + (0 .. s.arena_cap - 1));
    requires p->used.arena + js->dec_len <= ST_U32_MAX_L;
    assigns p->used.arena, s.arena[0 .. s.arena_cap - 1];
    ensures st_hp_ok(c, s, p);
    ensures p->used.arena == \old(p->used.arena) + (js->escaped ? js->dec_len : 0);
    ensures st_hdr_str_ok(\result, js->dec_len, c->h, c->n, s.arena, s.arena_cap,
                          p->used.arena);
    ensures \old(st_hp_entries(c, s, p)) ==> st_hp_entries(c, s, p);
*/
static const uint8_t *st_keep_name(st_cursor *c, st_storage s, st_hparse *p,
                                   const st_jstring *js)
{
    return st_keep_string(c, s, p, js);
}

/*
 * ST-DTYPE-2 (and ST-SCHEMA-8 / ST-STRICT-7 for the object form): a dtype
 * is a string naming one of the 22 dtypes; compat also accepts {"NAME": null}.
 */
/*@ requires st_cursor_ok(c);
    requires \valid(dtype) && \separated(dtype, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *dtype;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK ==> *dtype < ST_DTYPE_COUNT;
    ensures \result != ST_OK ==> *dtype == \old(*dtype);
*/
static st_err st_parse_dtype(st_cursor *c, st_mode mode, uint8_t *dtype)
{
    st_err ret = ST_OK;
    st_jstring js;
    uint8_t name[16] = {0};
    st_dtype d = ST_BOOL;
    uint32_t at = c->pos;
    bool object_form = false;
    if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'{')) {
        if (mode == ST_MODE_STRICT) {
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
        uint32_t len = st_jstring_decode_small(c->h, c->n, &js, name, (uint32_t)sizeof name);
        if ((len > (uint32_t)sizeof name) || !st_dtype_parse(name, len, &d)) {
            ret = st_fail(c, ST_E_SCHEMA_DTYPE, at);
        }
    }
    if ((ret == ST_OK) && object_form) {
        /* exactly one member whose value is null */
        st_json_skip_ws(c);
        ret = st_json_expect(c, (uint8_t)':');
        st_json_skip_ws(c);
        if ((ret == ST_OK) && !(((c->pos + 4u) <= c->n) && (c->h[c->pos] == (uint8_t)'n') &&
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
/*@ requires st_hp_ok(c, s, p);
    requires p->used.dims <= c->pos;
    requires \valid(count) && \valid(out + (0 .. 1));
    requires \separated(count, out + (0 .. 1), p, c, s.dims + (0 .. s.dim_cap - 1));
    assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *count, out[0 .. 1];
    ensures st_hp_ok(c, s, p);
    ensures \old(c->pos) <= c->pos;
    ensures p->used.dims <= c->pos;
    ensures is_shape ==> p->used.dims == \old(p->used.dims) + *count;
    ensures !is_shape ==> p->used.dims == \old(p->used.dims);
*/
static st_err st_parse_u64_array(st_cursor *c, st_storage s, st_hparse *p, bool is_shape,
                                 uint32_t *count, uint64_t out[2])
{
    st_err ret = ST_OK;
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
    /*@ loop invariant st_hp_ok(c, s, p);
        loop invariant \at(c->pos, Pre) <= c->pos;
        loop invariant p->used.dims <= c->pos;
        loop invariant k <= c->pos;
        loop invariant is_shape ==> p->used.dims == \at(p->used.dims, Pre) + k;
        loop invariant !is_shape ==> p->used.dims == \at(p->used.dims, Pre);
        loop assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1],
                     out[0 .. 1], k, done, ret;
        loop variant c->n - c->pos + (ret == ST_OK ? 1 : 0);
    */
    while ((ret == ST_OK) && !done) {
        st_jnumber num;
        uint32_t at;
        /* set on every path, so that no path reads it unset (Eva then needs
           no path split to see the value read only where it was scanned) */
        num.is_u64 = false;
        num.value = 0u;
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
                if (p->used.dims < s.dim_cap) {
                    s.dims[p->used.dims] = num.value;
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
            ret = st_json_next(c, (uint8_t)']', &done);
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
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid_read(key) && st_jstring_ok(key, n);
    assigns \nothing;
    ensures \result == 0 || \result == ST_F_DTYPE || \result == ST_F_SHAPE ||
            \result == ST_F_OFFSETS;
*/
static uint32_t st_field_of(const uint8_t *h, uint32_t n, const st_jstring *key)
{
    /* the keys of ST-SCHEMA-2, as local arrays so their bytes are known */
    const char key_dtype[5] = {'d', 't', 'y', 'p', 'e'};
    const char key_shape[5] = {'s', 'h', 'a', 'p', 'e'};
    const char key_offsets[12] = {'d', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't', 's'};
    uint32_t f = 0u;
    if (st_jstring_equals(h, n, key, key_dtype, 5u)) {
        f = ST_F_DTYPE;
    } else if (st_jstring_equals(h, n, key, key_shape, 5u)) {
        f = ST_F_SHAPE;
    } else if (st_jstring_equals(h, n, key, key_offsets, 12u)) {
        f = ST_F_OFFSETS;
    } else {
        f = 0u;
    }
    return f;
}

/* Parse the value of field `f` into t. */
/*@ requires st_hp_entry_pre(c, s, p, t);
    requires f == ST_F_DTYPE || f == ST_F_SHAPE || f == ST_F_OFFSETS;
    assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *t;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_tensor_ok(c, s, p, t);
    ensures st_hp_grown{Pre, Post}(c, p);
*/
static st_err st_parse_field(st_cursor *c, st_storage s, st_hparse *p, uint32_t f,
                             st_tensor *t)
{
    st_err ret = ST_OK;
    uint32_t count = 0u;
    uint64_t offs[2] = {0u, 0u};
    if (f == ST_F_DTYPE) {
        ret = st_parse_dtype(c, p->mode, &t->dtype);
    } else if (f == ST_F_SHAPE) {
        uint32_t at = p->used.dims;
        ret = st_parse_u64_array(c, s, p, true, &count, offs);
        t->dims_at = at;
        t->rank = count;
    } else {
        t->offsets_pos = c->pos;
        ret = st_parse_u64_array(c, s, p, false, &count, offs);
        t->begin = offs[0];
        t->end = offs[1];
    }
    return ret;
}

/*
 * ST-SCHEMA-8 / ST-STRICT-6 (compat only): the entry as the 3-element array
 * [dtype, shape, data_offsets]; the cursor is on the '['.
 */
/*@ requires st_hp_entry_pre(c, s, p, t);
    requires c->pos < c->n;
    requires \separated(t, s.tensors + (0 .. s.tensor_cap - 1));
    assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *t;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_tensor_ok(c, s, p, t);
    ensures st_hp_grown{Pre, Post}(c, p);
    ensures st_tensors_same{Pre, Post}(s.tensors, s.tensor_cap);
    ensures st_metas_same{Pre, Post}(s.meta, s.meta_cap);
*/
static st_err st_parse_entry_array(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t)
{
    st_err ret = ST_OK;
    uint32_t f = ST_F_DTYPE;
    c->pos++;
    /*@ loop invariant st_hp_ok(c, s, p);
        loop invariant f == ST_F_DTYPE || f == ST_F_SHAPE || f == ST_F_OFFSETS || f == 8;
        loop invariant \at(c->pos, Pre) <= c->pos;
        loop invariant \at(p->used.dims, Pre) <= p->used.dims <= c->pos;
        loop invariant st_hp_tensor_ok(c, s, p, t);
        loop assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *t, ret, f;
        loop variant 8 - f;
    */
    while ((ret == ST_OK) && (f <= ST_F_OFFSETS)) {
        st_json_skip_ws(c);
        if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)']')) {
            ret = st_fail(c, ST_E_SCHEMA_ENTRY, c->pos); /* too few */
        } else {
            ret = st_parse_field(c, s, p, f, t);
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
    return ret;
}

/*
 * One member of an entry object: the key, ':', then the value of the field
 * it names, each field once (ST-SCHEMA-5); other fields are skipped (compat)
 * or refused (strict, ST-STRICT-5). *seen collects the fields met so far.
 */
/*@ requires st_hp_entry_pre(c, s, p, t);
    requires \valid(seen) &&
             \separated(seen, c, p, t, c->h + (0 .. c->n - 1), s.dims + (0 .. s.dim_cap - 1));
    assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *t, *seen;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_tensor_ok(c, s, p, t);
    ensures st_hp_grown{Pre, Post}(c, p);
*/
static st_err st_parse_entry_member(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t,
                                    uint32_t *seen)
{
    st_err ret;
    st_jstring key;
    uint32_t key_at;
    uint32_t f;
    st_json_skip_ws(c);
    key_at = c->pos;
    ret = st_json_string(c, &key);
    /*@ assert p->used.dims == \at(p->used.dims, Pre) &&
               p->used.arena == \at(p->used.arena, Pre); */
    /*@ assert c->h == \at(c->h, Pre) && c->n == \at(c->n, Pre); */
    /*@ assert st_hp_tensor_ok(c, s, p, t); */
    st_json_skip_ws(c);
    if (ret == ST_OK) {
        ret = st_json_expect(c, (uint8_t)':');
    }
    st_json_skip_ws(c);
    /*@ assert st_hp_tensor_ok(c, s, p, t); */
    if (ret == ST_OK) {
        f = st_field_of(c->h, c->n, &key);
        if (f == 0u) {
            if (p->mode == ST_MODE_STRICT) {
                ret = st_fail(c, ST_E_STRICT_UNKNOWN_FIELD, key_at);
            } else {
                ret = st_json_skip_value(c, 2u);
            }
        } else if ((*seen & f) != 0u) {
            ret = st_fail(c, ST_E_SCHEMA_DUP_FIELD, key_at);
        } else {
            *seen |= f;
            ret = st_parse_field(c, s, p, f, t);
        }
    }
    return ret;
}

/*
 * ST-SCHEMA-2, ST-SCHEMA-5: the entry as an object with dtype, shape and
 * data_offsets (st_parse_entry_member). The cursor is on the '{'.
 */
/*@ requires st_hp_entry_pre(c, s, p, t);
    requires c->pos < c->n;
    requires \separated(t, s.tensors + (0 .. s.tensor_cap - 1));
    assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *t;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_tensor_ok(c, s, p, t);
    ensures st_hp_grown{Pre, Post}(c, p);
    ensures st_tensors_same{Pre, Post}(s.tensors, s.tensor_cap);
    ensures st_metas_same{Pre, Post}(s.meta, s.meta_cap);
*/
static st_err st_parse_entry_object(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t)
{
    st_err ret = ST_OK;
    uint32_t seen = 0u;
    bool done = false;
    c->pos++;
    st_json_skip_ws(c);
    if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
        c->pos++;
        done = true;
    }
    /*@ loop invariant st_hp_ok(c, s, p);
        loop invariant \at(c->pos, Pre) <= c->pos;
        loop invariant \at(p->used.dims, Pre) <= p->used.dims <= c->pos;
        loop invariant st_hp_tensor_ok(c, s, p, t);
        loop assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1],
                     *t, ret, seen, done;
        loop variant c->n - c->pos + (ret == ST_OK ? 1 : 0);
    */
    while ((ret == ST_OK) && !done) {
        ret = st_parse_entry_member(c, s, p, t, &seen);
        if (ret == ST_OK) {
            ret = st_json_next(c, (uint8_t)'}', &done);
        }
        /*@ assert st_hp_tensor_ok(c, s, p, t); */
    }
    if ((ret == ST_OK) && (seen != (ST_F_DTYPE | ST_F_SHAPE | ST_F_OFFSETS))) {
        ret = st_fail(c, ST_E_SCHEMA_MISSING, c->pos);
    }
    return ret;
}

/*
 * ST-SCHEMA-2, ST-SCHEMA-5, ST-SCHEMA-8 / ST-STRICT-6: a tensor entry is an
 * object, or (compat) a 3-element array; anything else has the wrong type.
 */
/*@ requires st_hp_entry_pre(c, s, p, t);
    requires \separated(t, s.tensors + (0 .. s.tensor_cap - 1));
    requires h == c->h && n == c->n && st_hdr_tensors_ok(s, h, n, k, p->used.dims, a);
    assigns c->pos, c->err_pos, p->used.dims, s.dims[0 .. s.dim_cap - 1], *t;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_tensor_ok(c, s, p, t);
    ensures st_hp_grown{Pre, Post}(c, p);
    ensures st_hdr_tensors_ok(s, h, n, k, \old(p->used.dims), a);
    ensures st_metas_same{Pre, Post}(s.meta, s.meta_cap);
*/
static st_err st_parse_entry(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t)
    /*@ ghost (const uint8_t *h, uint32_t n, uint32_t k, uint32_t a) */
{
    st_err ret = ST_OK;
    uint8_t open = (c->pos < c->n) ? c->h[c->pos] : 0u;
    if (open == (uint8_t)'[') {
        if (p->mode == ST_MODE_STRICT) {
            ret = st_fail(c, ST_E_STRICT_ARRAY_ENTRY, c->pos);
            /*@ assert st_hp_tensor_ok(c, s, p, t); */
            /*@ assert st_hdr_tensors_ok(s, h, n, k, \at(p->used.dims, Pre), a); */
            /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
        } else {
            ret = st_parse_entry_array(c, s, p, t);
            /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
            /*@ assert st_hdr_tensors_ok(s, h, n, k, \at(p->used.dims, Pre), a); */
            /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
        }
    } else if (open == (uint8_t)'{') {
        ret = st_parse_entry_object(c, s, p, t);
        /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
        /*@ assert st_hdr_tensors_ok(s, h, n, k, \at(p->used.dims, Pre), a); */
        /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    } else {
        /* a scalar: the wrong type if it is a valid value at all */
        uint32_t at = c->pos;
        ret = st_json_skip_value(c, 1u);
        /*@ assert st_hdr_tensors_ok(s, h, n, k, \at(p->used.dims, Pre), a); */
        /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
        /*@ assert st_hp_tensor_ok(c, s, p, t); */
        if (ret == ST_OK) {
            ret = st_fail(c, ST_E_SCHEMA_ENTRY, at);
        }
        /*@ assert st_hp_tensor_ok(c, s, p, t); */
        /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    }
    return ret;
}

/*
 * ST-META-3: store one pair of __metadata__, its key scanned at key_at and
 * its value after it, in s.meta when it fits; counted in any case.
 */
/*@ requires st_hp_ok(c, s, p);
    requires st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
    requires \valid_read(key) && st_jstring_ok(key, c->n);
    requires \valid_read(val) && st_jstring_ok(val, c->n);
    requires \separated(key, p, c->h + (0 .. c->n - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires \separated(val, p, c->h + (0 .. c->n - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires p->used.meta <= key_at && p->used.arena <= key_at;
    requires key_at < key->raw_at && key->raw_at + key->raw_len < val->raw_at;
    requires val->raw_at + val->raw_len < c->pos;
    assigns p->used.meta, p->used.arena, s.meta[0 .. s.meta_cap - 1],
            s.arena[0 .. s.arena_cap - 1];
    ensures st_hp_ok(c, s, p);
    ensures p->used.meta == \old(p->used.meta) + 1 && p->used.meta <= c->pos;
    ensures \old(p->used.arena) <= p->used.arena <= c->pos;
    ensures st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
*/
static void st_meta_store(st_cursor *c, st_storage s, st_hparse *p, const st_jstring *key,
                          const st_jstring *val, uint32_t key_at)
{
    /* where the key will lie: the arena's next byte when it had escapes */
    const bool in_arena = key->escaped;
    const uint32_t key_start = in_arena ? p->used.arena : key->raw_at;
    const uint8_t *k = st_keep_string(c, s, p, key);
    const uint8_t *v = st_keep_string(c, s, p, val);
    /*@ assert st_hdr_str_ok(k, key->dec_len, c->h, c->n, s.arena, s.arena_cap,
                             p->used.arena); */
    /*@ assert st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena); */
    if (p->used.meta < s.meta_cap) {
        st_meta *m = &s.meta[p->used.meta];
        m->key = k;
        m->key_len = key->dec_len;
        m->value = v;
        m->value_len = val->dec_len;
        m->key_pos = key_at;
        m->key_start = key_start;
        m->key_in_arena = in_arena;
        m->dropped = false;
    }
    p->used.meta++;
}

/*
 * The two strings of one "key": "value" pair of __metadata__ (ST-META-3:
 * the value a string), from the white space before the key to the end of
 * the value; the key's first byte is at *key_at.
 */
/*@ requires st_cursor_ok(c);
    requires \valid(key) && \valid(val) && \valid(key_at);
    requires \separated(key, val, key_at, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *key, *val, *key_at;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK ==>
              st_jstring_ok(key, c->n) && st_jstring_ok(val, c->n) &&
              \old(c->pos) <= *key_at < key->raw_at &&
              key->raw_at + key->raw_len < val->raw_at &&
              val->raw_at + val->raw_len < c->pos;
*/
static st_err st_meta_strings(st_cursor *c, st_jstring *key, st_jstring *val, uint32_t *key_at)
{
    st_err ret;
    st_json_skip_ws(c);
    *key_at = c->pos;
    ret = st_json_string(c, key);
    st_json_skip_ws(c);
    if (ret == ST_OK) {
        ret = st_json_expect(c, (uint8_t)':');
    }
    st_json_skip_ws(c);
    if ((ret == ST_OK) && ((c->pos >= c->n) || (c->h[c->pos] != (uint8_t)'"'))) {
        ret = st_fail(c, ST_E_SCHEMA_METADATA, c->pos);
    }
    if (ret == ST_OK) {
        ret = st_json_string(c, val);
    }
    return ret;
}

/* One pair of __metadata__: its strings, then stored (st_meta_store). */
/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p);
    requires st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
    assigns c->pos, c->err_pos, p->used.meta, p->used.arena,
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1];
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures \old(c->pos) <= c->pos;
    ensures \old(p->used.meta) <= p->used.meta && \old(p->used.arena) <= p->used.arena;
    ensures st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
*/
static st_err st_parse_meta_pair(st_cursor *c, st_storage s, st_hparse *p)
{
    st_jstring key;
    st_jstring val;
    uint32_t key_at = 0u;
    st_err ret = st_meta_strings(c, &key, &val, &key_at);
    /*@ assert c->h == \at(c->h, Pre) && c->n == \at(c->n, Pre); */
    /*@ assert p->used.meta == \at(p->used.meta, Pre) &&
               p->used.arena == \at(p->used.arena, Pre); */
    /*@ assert p->used.tensors == \at(p->used.tensors, Pre) &&
               p->used.dims == \at(p->used.dims, Pre) && \at(c->pos, Pre) <= c->pos; */
    /*@ assert st_hp_counts(c, p); */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    /*@ assert st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena); */
    if (ret == ST_OK) {
        st_meta_store(c, s, p, &key, &val, key_at);
        /*@ assert p->used.tensors == \at(p->used.tensors, Pre) &&
                   p->used.dims == \at(p->used.dims, Pre); */
        /*@ assert st_hp_counts(c, p); */
    }
    return ret;
}

/*
 * ST-META-1, ST-META-3, ST-STRICT-8: the value of __metadata__: null (none;
 * refused in strict) or an object of string values.
 */
/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p);
    requires st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
    assigns c->pos, c->err_pos, p->used.meta, p->used.arena, p->has_metadata,
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1];
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures \old(c->pos) <= c->pos;
    ensures \old(p->used.meta) <= p->used.meta && \old(p->used.arena) <= p->used.arena;
    ensures st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
*/
static st_err st_parse_metadata(st_cursor *c, st_storage s, st_hparse *p)
{
    st_err ret = ST_OK;
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
        /*@ loop invariant st_hp_ok(c, s, p);
            loop invariant st_hp_counts(c, p);
            loop invariant \at(c->pos, Pre) <= c->pos;
            loop invariant \at(p->used.meta, Pre) <= p->used.meta;
            loop invariant \at(p->used.arena, Pre) <= p->used.arena;
            loop invariant st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
            loop assigns c->pos, c->err_pos, p->used.meta, p->used.arena,
                         s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1],
                         ret, done;
            loop variant c->n - c->pos + (ret == ST_OK ? 1 : 0);
        */
        while ((ret == ST_OK) && !done) {
            ret = st_parse_meta_pair(c, s, p);
            if (ret == ST_OK) {
                ret = st_json_next(c, (uint8_t)'}', &done);
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

/* ST-META-1: whether a key is the reserved __metadata__. */
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid_read(key) && st_jstring_ok(key, n);
    assigns \nothing;
*/
static bool st_is_metadata_key(const uint8_t *h, uint32_t n, const st_jstring *key)
{
    /* a local array, so its bytes are known */
    const char key_metadata[12] = {'_', '_', 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '_', '_'};
    bool is_meta = st_jstring_equals(h, n, key, key_metadata, 12u);
    return is_meta;
}

/* A tensor entry before its value is parsed: named, at key_at, no fields yet;
   its name lies at name_start, in the arena or the header (st_str_cmp). */
/*@ requires \valid(t);
    assigns *t;
    ensures t->name == name && t->name_len == name_len;
    ensures t->rank == 0 && t->dims_at == 0 && t->dtype == 0 && !t->dropped;
    ensures t->key_pos == key_at && t->offsets_pos == key_at;
*/
static void st_tensor_start(st_tensor *t, const uint8_t *name, uint32_t name_len,
                            uint32_t key_at, uint32_t name_start, bool in_arena)
{
    t->name = name;
    t->name_len = name_len;
    t->name_start = name_start;
    t->name_in_arena = in_arena;
    t->rank = 0u;
    t->dims_at = 0u;
    t->key_pos = key_at;
    t->offsets_pos = key_at;
    t->dtype = 0u;
    t->dropped = false;
    t->begin = 0u;
    t->end = 0u;
}

/* The entry t goes to the caller's storage, as entry k, when it fits. */
/*@ requires \valid(s.tensors + (0 .. s.tensor_cap - 1)) && \valid_read(t);
    requires \separated(t, s.tensors + (0 .. s.tensor_cap - 1));
    requires st_hdr_tensors_ok(s, h, n, k, d, a);
    requires st_hdr_tensor_ok(t, h, n, s.arena, s.arena_cap, d, a);
    requires \separated(s.tensors + (0 .. s.tensor_cap - 1), s.meta + (0 .. s.meta_cap - 1));
    assigns s.tensors[0 .. s.tensor_cap - 1];
    ensures st_hdr_tensors_ok(s, h, n, k + 1, d, a);
    ensures st_metas_same{Pre, Post}(s.meta, s.meta_cap);
*/
static void st_tensor_put(st_storage s, uint32_t k, const st_tensor *t)
    /*@ ghost (const uint8_t *h, uint32_t n, uint32_t d, uint32_t a) */
{
    if (k < s.tensor_cap) {
        /* field by field: the provers follow plain stores, not a struct copy */
        st_tensor *e = &s.tensors[k];
        e->name = t->name;
        e->name_len = t->name_len;
        e->name_start = t->name_start;
        e->name_in_arena = t->name_in_arena;
        e->rank = t->rank;
        e->dims_at = t->dims_at;
        e->key_pos = t->key_pos;
        e->offsets_pos = t->offsets_pos;
        e->dtype = t->dtype;
        e->dropped = t->dropped;
        e->begin = t->begin;
        e->end = t->end;
        /*@ assert st_hdr_tensor_ok(s.tensors + k, h, n, s.arena, s.arena_cap, d, a); */
    }
}

/*
 * The entry named name (its key at key_at, the cursor on its value): t
 * filled from the value, then stored as entry p->used.tensors when it fits.
 */
/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p);
    requires p->used.tensors <= key_at && key_at < c->pos;
    requires st_hdr_str_ok(name, name_len, c->h, c->n, s.arena, s.arena_cap, p->used.arena);
    requires st_hp_target(c, s, p, t) && \separated(t, s.tensors + (0 .. s.tensor_cap - 1));
    assigns c->pos, c->err_pos, p->used.tensors, p->used.dims, s.tensors[0 .. s.tensor_cap - 1],
            s.dims[0 .. s.dim_cap - 1], *t;
    ensures st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p);
    ensures \old(c->pos) <= c->pos;
    ensures p->used.arena == \old(p->used.arena) && p->used.meta == \old(p->used.meta);
*/
static st_err st_tensor_fill(st_cursor *c, st_storage s, st_hparse *p, st_tensor *t,
                             const uint8_t *name, uint32_t name_len, uint32_t key_at,
                             uint32_t name_start, bool in_arena)
{
    st_err ret = ST_OK;
    uint32_t k = p->used.tensors;
    st_tensor_start(t, name, name_len, key_at, name_start, in_arena);
    /*@ assert p->used.arena == \at(p->used.arena, Pre) && p->used.meta == \at(p->used.meta, Pre) &&
               p->used.dims == \at(p->used.dims, Pre) && p->used.tensors == k; */
    /*@ assert c->pos == \at(c->pos, Pre) && c->h == \at(c->h, Pre) && c->n == \at(c->n, Pre); */
    /*@ assert st_hp_ok(c, s, p); */
    /*@ assert st_hdr_tensors_ok(s, c->h, c->n, k, p->used.dims, p->used.arena); */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    /*@ assert st_hp_tensor_ok(c, s, p, t); */
    p->used.tensors++;
    /*@ assert p->used.arena == \at(p->used.arena, Pre) && p->used.meta == \at(p->used.meta, Pre) &&
               p->used.dims == \at(p->used.dims, Pre) && p->used.tensors == k + 1; */
    /*@ assert st_hp_ok(c, s, p) && p->used.dims <= c->pos; */
    /*@ assert st_hp_target(c, s, p, t) && st_hp_tensor_ok(c, s, p, t); */
    /*@ ghost uint32_t d0 = p->used.dims; */
    ret = st_parse_entry(c, s, p, t) /*@ ghost (c->h, c->n, k, p->used.arena) */;
    /*@ assert p->used.arena == \at(p->used.arena, Pre) && p->used.meta == \at(p->used.meta, Pre) &&
               p->used.tensors == k + 1; */
    /*@ assert st_hdr_tensors_ok(s, c->h, c->n, k, d0, p->used.arena); */
    /*@ assert st_hdr_tensors_ok(s, c->h, c->n, k, p->used.dims, p->used.arena); */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    /*@ assert st_hp_ok(c, s, p) && st_hp_counts(c, p); */
    /*@ assert st_hp_tensor_ok(c, s, p, t); */
    st_tensor_put(s, k, t) /*@ ghost (c->h, c->n, p->used.dims, p->used.arena) */;
    /*@ assert p->used.arena == \at(p->used.arena, Pre) && p->used.meta == \at(p->used.meta, Pre) &&
               p->used.tensors == k + 1; */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    /*@ assert st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena); */
    return ret;
}

/* The failing entry's name goes to r; the entries stored are not touched. */
/*@ requires \valid(r);
    requires \separated(r, s.tensors + (0 .. s.tensor_cap - 1), s.meta + (0 .. s.meta_cap - 1));
    requires st_hdr_str_ok(name, len, h, n, s.arena, s.arena_cap, a);
    requires st_hdr_tensors_ok(s, h, n, nt, d, a) && st_hdr_metas_ok(s, h, n, nm, a);
    assigns r->err_name, r->err_name_len;
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, h, n, s.arena, s.arena_cap, a);
    ensures st_hdr_tensors_ok(s, h, n, nt, d, a) && st_hdr_metas_ok(s, h, n, nm, a);
*/
static void st_blame(st_header_result *r, const uint8_t *name, uint32_t len)
    /*@ ghost (st_storage s, const uint8_t *h, uint32_t n, uint32_t nt, uint32_t nm,
               uint32_t d, uint32_t a) */
{
    r->err_name = name;
    /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    r->err_name_len = len;
    /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
}

/*
 * ST-SCHEMA-6: a tensor entry named by key (whose first byte is at key_at;
 * no name is refused for its content), parsed into t and then copied to
 * s.tensors when it fits; the cursor is on its value.
 */
/*@ requires st_hp_ok(c, s, p) && st_hp_entries(c, s, p);
    requires \valid_read(key) && st_jstring_ok(key, c->n);
    requires p->used.tensors <= key_at && p->used.dims <= key_at &&
             p->used.meta <= key_at && p->used.arena <= key_at;
    requires key_at < key->raw_at && key->raw_at + key->raw_len < c->pos;
    requires \valid(r) && \valid(t);
    requires \separated(t, key, r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires \separated(key, r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires \separated(r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                           p->used.arena);
    assigns c->pos, c->err_pos, p->used.tensors, p->used.dims, p->used.arena,
            s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
            s.arena[0 .. s.arena_cap - 1], *t, r->err_name, r->err_name_len;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures st_hp_entries(c, s, p);
    ensures \old(c->pos) <= c->pos;
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                          p->used.arena);
*/
static st_err st_parse_tensor(st_cursor *c, st_storage s, st_hparse *p, st_header_result *r,
                              const st_jstring *key, uint32_t key_at, st_tensor *t)
{
    st_err ret = ST_OK;
    /* where the name will lie: the arena's next byte when it had escapes */
    const bool in_arena = key->escaped;
    const uint32_t name_start = in_arena ? p->used.arena : key->raw_at;
    const uint8_t *name = st_keep_name(c, s, p, key);
    /*@ assert entries_kept: st_hp_entries(c, s, p) && st_hp_counts(c, p); */
    /*@ assert blame_ok: st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                             p->used.arena); */
    /*@ assert name_ok: st_hdr_str_ok(name, key->dec_len, c->h, c->n, s.arena, s.arena_cap,
                             p->used.arena); */
    /*@ ghost uint32_t a1 = p->used.arena; */
    ret = st_tensor_fill(c, s, p, t, name, key->dec_len, key_at, name_start, in_arena);
    /*@ assert result_kept: r->err_name == \at(r->err_name, Pre) &&
               r->err_name_len == \at(r->err_name_len, Pre); */
    /*@ assert cursor_kept: c->h == \at(c->h, Pre) && c->n == \at(c->n, Pre) && p->used.arena == a1; */
    /*@ assert key_kept: key->raw_at + key->raw_len < c->n && key->dec_len == \at(key->dec_len, Pre); */
    /*@ assert blame_still_ok: st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                             p->used.arena); */
    if (ret != ST_OK) {
        if (name != NULL) {
            /*@ assert name_still_ok: st_hdr_str_ok(name, key->dec_len, c->h, c->n, s.arena, s.arena_cap,
                                     p->used.arena); */
            st_blame(r, name, key->dec_len)
                /*@ ghost (s, c->h, c->n, p->used.tensors, p->used.meta, p->used.dims,
                           p->used.arena) */;
        } else {
            /*@ assert raw_name_in: st_hdr_in(&c->h[key->raw_at], key->raw_len, c->h, c->n); */
            st_blame(r, &c->h[key->raw_at], key->raw_len)
                /*@ ghost (s, c->h, c->n, p->used.tensors, p->used.meta, p->used.dims,
                           p->used.arena) */;
        }
    }
    return ret;
}

/* st_parse_metadata, plus one postcondition: the stored tensors are kept.
   Proven here, right after the one call, the frame costs the caller
   (st_parse_member_in) a chain of two equalities instead of a frame
   through the call. */
/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p);
    requires st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
    requires \separated(s.tensors + (0 .. s.tensor_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires \separated(s.tensors + (0 .. s.tensor_cap - 1), c, p);
    assigns c->pos, c->err_pos, p->used.meta, p->used.arena, p->has_metadata,
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1];
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures \old(c->pos) <= c->pos;
    ensures \old(p->used.meta) <= p->used.meta && \old(p->used.arena) <= p->used.arena;
    ensures st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena);
    ensures st_tensors_same{Pre, Post}(s.tensors, s.tensor_cap);
*/
static st_err st_parse_metadata_kept(st_cursor *c, st_storage s, st_hparse *p)
{
    return st_parse_metadata(c, s, p);
}

/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p);
    requires \valid(r) && \valid(key) && \valid(scratch);
    requires \separated(scratch, key, r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires \separated(key, r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires \separated(r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                           p->used.arena);
    assigns c->pos, c->err_pos, p->used, p->seen_metadata, p->has_metadata,
            s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1],
            r->err_name, r->err_name_len, *key, *scratch;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures st_hp_entries(c, s, p);
    ensures \old(c->pos) <= c->pos;
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                          p->used.arena);
*/
static st_err st_parse_member_in(st_cursor *c, st_storage s, st_hparse *p, st_header_result *r,
                                 st_jstring *key, st_tensor *scratch)
{
    st_err ret = ST_OK;
    uint32_t key_at = c->pos;
    ret = st_json_string(c, key);
    st_json_skip_ws(c);
    if (ret == ST_OK) {
        ret = st_json_expect(c, (uint8_t)':');
    }
    st_json_skip_ws(c);
    /*@ assert p->used.tensors == \at(p->used.tensors, Pre) &&
               p->used.dims == \at(p->used.dims, Pre) &&
               p->used.meta == \at(p->used.meta, Pre) &&
               p->used.arena == \at(p->used.arena, Pre); */
    /*@ assert r->err_name == \at(r->err_name, Pre) &&
               r->err_name_len == \at(r->err_name_len, Pre); */
    /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
    /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
    /*@ assert st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p); */
    if (ret == ST_OK) {
        if (st_is_metadata_key(c->h, c->n, key)) {
            if (p->seen_metadata) {
                ret = st_fail(c, ST_E_SCHEMA_DUP_METADATA, key_at);
                /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
                /*@ assert st_metas_same{Pre, Here}(s.meta, s.meta_cap); */
                /*@ assert st_hp_entries(c, s, p); */
                /*@ assert st_hp_ok(c, s, p) && st_hp_counts(c, p); */
            } else {
                p->seen_metadata = true;
                /*@ assert st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p); */
                /*@ assert \separated(s.tensors + (0 .. s.tensor_cap - 1),
                                      s.meta + (0 .. s.meta_cap - 1),
                                      s.arena + (0 .. s.arena_cap - 1)); */
                /*@ assert \separated(s.tensors + (0 .. s.tensor_cap - 1), c, p); */
                /*@ assert before_call: st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
                ret = st_parse_metadata_kept(c, s, p);
                /*@ assert p->used.tensors == \at(p->used.tensors, Pre) &&
                           p->used.dims == \at(p->used.dims, Pre) &&
                           \at(p->used.arena, Pre) <= p->used.arena; */
                /*@ assert r->err_name == \at(r->err_name, Pre) &&
                           r->err_name_len == \at(r->err_name_len, Pre); */
                /*@ assert st_tensors_same{Pre, Here}(s.tensors, s.tensor_cap); */
                /*@ assert st_hdr_tensors_ok(s, c->h, c->n, \at(p->used.tensors, Pre),
                                             \at(p->used.dims, Pre), \at(p->used.arena, Pre)); */
                /*@ assert st_hdr_tensors_ok(s, c->h, c->n, p->used.tensors, p->used.dims,
                                             p->used.arena); */
                /*@ assert st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena,
                                         s.arena_cap, p->used.arena); */
                /*@ assert st_hdr_metas_ok(s, c->h, c->n, p->used.meta, p->used.arena); */
                /*@ assert st_hp_entries(c, s, p); */
                /*@ assert st_hp_ok(c, s, p) && st_hp_counts(c, p); */
            }
        } else {
            ret = st_parse_tensor(c, s, p, r, key, key_at, scratch);
        }
    }
    return ret;
}

/*
 * One member of the top-level object: __metadata__ (ST-META-2: at most
 * once) or a tensor entry. Its key, and the entry being parsed, live here.
 */
/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p);
    requires \valid(r);
    requires \separated(r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                           p->used.arena);
    assigns c->pos, c->err_pos, p->used, p->seen_metadata, p->has_metadata,
            s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1],
            r->err_name, r->err_name_len;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures st_hp_entries(c, s, p);
    ensures \old(c->pos) <= c->pos;
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                          p->used.arena);
*/
static st_err st_parse_member(st_cursor *c, st_storage s, st_hparse *p,
                              st_header_result *r)
{
    st_jstring key;
    st_tensor scratch;
    st_err ret = st_parse_member_in(c, s, p, r, &key, &scratch);
    return ret;
}

/*
 * ST-JSON-1, ST-SCHEMA-1, ST-STRICT-1: the header opens with '{' (strict:
 * with nothing before it). An empty object is consumed whole: the byte
 * before the cursor is then its '}' (after a '{' with members to come, it
 * is that '{' or whitespace).
 */
/*@ requires st_cursor_ok(c) && c->pos == 0;
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \result == ST_OK ==> 0 < c->pos;
*/
static st_err st_parse_open(st_cursor *c, st_mode mode)
{
    st_err ret = ST_OK;
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
        }
    }
    return ret;
}

/* ST-JSON-1 / ST-STRICT-2: only whitespace (strict: only spaces) may follow */
/*@ requires st_cursor_ok(c);
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \result == ST_OK ==> c->pos == c->n;
*/
static st_err st_parse_trailing(st_cursor *c, st_mode mode)
{
    st_err ret = ST_OK;
    /*@ loop invariant st_cursor_ok(c);
        loop assigns c->pos, c->err_pos, ret;
        loop variant c->n - c->pos + (ret == ST_OK ? 1 : 0);
    */
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
    return ret;
}

/* The members of the top-level object, after its '{'. */
/*@ requires st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p);
    requires \valid(r);
    requires \separated(r, p, c, c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.arena + (0 .. s.arena_cap - 1));
    requires st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                           p->used.arena);
    assigns c->pos, c->err_pos, p->used, p->seen_metadata, p->has_metadata,
            s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1],
            r->err_name, r->err_name_len;
    ensures st_hp_ok(c, s, p);
    ensures st_hp_counts(c, p);
    ensures st_hp_entries(c, s, p);
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena, s.arena_cap,
                          p->used.arena);
*/
static st_err st_parse_members(st_cursor *c, st_storage s, st_hparse *p, st_header_result *r)
{
    st_err ret = ST_OK;
    bool done = false;
    bool first = true;
    /* Each turn: the separator after the previous member (none before the
       first), then the member, so that the member's contract is what the
       turn ends with. */
    /*@ loop invariant st_hp_ok(c, s, p);
        loop invariant st_hp_counts(c, p);
        loop invariant st_hp_entries(c, s, p);
        loop invariant st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s.arena,
                                     s.arena_cap, p->used.arena);
        loop assigns c->pos, c->err_pos, p->used, p->seen_metadata, p->has_metadata,
                     s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
                     s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1],
                     r->err_name, r->err_name_len, ret, done, first;
        loop variant c->n - c->pos + (ret == ST_OK ? 1 : 0) + (first ? 1 : 0);
    */
    while ((ret == ST_OK) && !done) {
        st_json_skip_ws(c);
        if (!first) {
            if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)',')) {
                c->pos++;
                st_json_skip_ws(c);
            } else if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)'}')) {
                c->pos++;
                done = true;
            } else {
                ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
            }
        }
        /*@ assert p->used.tensors == \at(p->used.tensors, LoopCurrent) &&
                   p->used.dims == \at(p->used.dims, LoopCurrent) &&
                   p->used.meta == \at(p->used.meta, LoopCurrent) &&
                   p->used.arena == \at(p->used.arena, LoopCurrent); */
        /*@ assert c->h == \at(c->h, LoopCurrent) && c->n == \at(c->n, LoopCurrent); */
        /*@ assert r->err_name == \at(r->err_name, LoopCurrent) &&
                   r->err_name_len == \at(r->err_name_len, LoopCurrent); */
        /*@ assert st_tensors_same{LoopCurrent, Here}(s.tensors, s.tensor_cap); */
        /*@ assert st_metas_same{LoopCurrent, Here}(s.meta, s.meta_cap); */
        /*@ assert st_hp_ok(c, s, p) && st_hp_counts(c, p) && st_hp_entries(c, s, p); */
        first = false;
        if ((ret == ST_OK) && !done) {
            ret = st_parse_member(c, s, p, r);
        }
    }
    return ret;
}


/* The counts of a finished parse go to r, with the facts they carry. */
/*@ requires st_cursor_ok(c) && st_hdr_store_ok(st);
    requires \valid_read(p) && \valid(r);
    requires \separated(r, p, c, c->h + (0 .. c->n - 1), st.tensors + (0 .. st.tensor_cap - 1),
                        st.meta + (0 .. st.meta_cap - 1), st.arena + (0 .. st.arena_cap - 1));
    requires p->used.tensors <= c->n && p->used.dims <= c->n &&
             p->used.meta <= c->n && p->used.arena <= c->n;
    requires st_hdr_tensors_ok(st, c->h, c->n, p->used.tensors, p->used.dims, p->used.arena);
    requires st_hdr_metas_ok(st, c->h, c->n, p->used.meta, p->used.arena);
    requires st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, st.arena, st.arena_cap,
                           p->used.arena);
    assigns r->n_entries, r->n_meta, r->has_metadata, r->need;
    ensures st_cursor_ok(c);
    ensures r->n_entries == r->need.tensors && r->n_meta == r->need.meta;
    ensures r->need.tensors <= c->n && r->need.dims <= c->n &&
            r->need.meta <= c->n && r->need.arena <= c->n;
    ensures st_hdr_tensors_ok(st, c->h, c->n, r->need.tensors, r->need.dims, r->need.arena);
    ensures st_hdr_metas_ok(st, c->h, c->n, r->need.meta, r->need.arena);
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, st.arena, st.arena_cap,
                          r->need.arena);
*/
static void st_report_counts(st_cursor *c, st_storage st, const st_hparse *p,
                             st_header_result *r)
{
    /* c and st are read by the contract only */
    (void)c;
    (void)st;
    r->n_entries = p->used.tensors;
    r->n_meta = p->used.meta;
    r->has_metadata = p->has_metadata;
    r->need.tensors = p->used.tensors;
    r->need.dims = p->used.dims;
    r->need.meta = p->used.meta;
    r->need.arena = p->used.arena;
}

/*
 * ST-JSON-1, ST-SCHEMA-1, ST-STRICT-1, ST-STRICT-2: the header is one JSON
 * object, optionally surrounded by whitespace (strict: none before it, only
 * spaces after it). st is a copy of the caller's storage descriptor, p the
 * caller's scratch state.
 */
/*@ requires st_cursor_ok(c);
    requires st_hdr_store_ok(st) && st_hdr_store_apart(st, c);
    requires \valid(r) && \valid(p);
    requires \separated(r, c, c->h + (0 .. c->n - 1), st.tensors + (0 .. st.tensor_cap - 1),
                        st.dims + (0 .. st.dim_cap - 1), st.meta + (0 .. st.meta_cap - 1),
                        st.arena + (0 .. st.arena_cap - 1));
    requires \separated(p, r, c, c->h + (0 .. c->n - 1), st.tensors + (0 .. st.tensor_cap - 1),
                        st.dims + (0 .. st.dim_cap - 1), st.meta + (0 .. st.meta_cap - 1),
                        st.arena + (0 .. st.arena_cap - 1));
    assigns c->pos, c->err_pos, *r, *p, st.tensors[0 .. st.tensor_cap - 1],
            st.dims[0 .. st.dim_cap - 1], st.meta[0 .. st.meta_cap - 1],
            st.arena[0 .. st.arena_cap - 1];
    ensures st_cursor_ok(c);
    ensures r->n_entries == r->need.tensors && r->n_meta == r->need.meta;
    ensures r->need.tensors <= c->n && r->need.dims <= c->n &&
            r->need.meta <= c->n && r->need.arena <= c->n;
    ensures st_hdr_tensors_ok(st, c->h, c->n, r->need.tensors, r->need.dims, r->need.arena);
    ensures st_hdr_metas_ok(st, c->h, c->n, r->need.meta, r->need.arena);
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, st.arena, st.arena_cap,
                          r->need.arena);
    ensures \result == ST_OK ==> c->pos == c->n;
*/
static st_err st_parse_document(st_cursor *c, st_mode mode, st_storage st, st_hparse *p,
                                st_header_result *r)
{
    st_err ret = ST_OK;
    p->mode = mode;
    p->used.tensors = 0u;
    p->used.dims = 0u;
    p->used.meta = 0u;
    p->used.arena = 0u;
    p->seen_metadata = false;
    p->has_metadata = false;
    r->err_name = NULL;
    r->err_name_len = 0u;
    c->pos = 0u;
    ret = st_parse_open(c, mode);
    if ((ret == ST_OK) && (c->h[c->pos - 1u] != (uint8_t)'}')) {
        ret = st_parse_members(c, st, p, r);
    }
    if (ret == ST_OK) {
        ret = st_parse_trailing(c, mode);
    }
    /*@ assert c->h == \at(c->h, Pre) && c->n == \at(c->n, Pre); */
    /*@ assert st_cursor_ok(c); */
    st_report_counts(c, st, p, r);
    return ret;
}

/* The parse state lives here, in automatic storage. */
st_err st_parse_header(st_cursor *c, st_mode mode, st_storage st, st_header_result *r)
{
    st_hparse p;
    return st_parse_document(c, mode, st, &p, r);
}
