/*
 * test_index.c -- the reader of model.safetensors.index.json (st_index.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "dt.h"
#include "st_index.h"

#include <stdlib.h>
#include <string.h>

TestSuite(index, .fini = dt_fini);

static bool parse_text(const char *text, st_index *ix, char *err, size_t err_len)
{
    return st_index_parse((const uint8_t *)text, strlen(text), "dir/", ix, err, err_len);
}

Test(index, typical_index)
{
    st_index ix;
    char err[256];
    bool ok = parse_text("{\n  \"metadata\": {\"total_size\": 16060522496},\n"
                         "  \"weight_map\": {\n"
                         "    \"lm_head.weight\": \"model-00002-of-00002.safetensors\",\n"
                         "    \"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\",\n"
                         "    \"model.norm.weight\": \"model-00002-of-00002.safetensors\"\n"
                         "  }\n}\n",
                         &ix, err, sizeof err);
    cr_assert(ok, "%s", err);
    cr_assert(ix.n_entries == 3u);
    cr_assert(ix.n_files == 2u);
    cr_assert(strcmp(ix.files[0], "dir/model-00002-of-00002.safetensors") == 0);
    cr_assert(strcmp(ix.files[1], "dir/model-00001-of-00002.safetensors") == 0);
    cr_assert(ix.entries[0].file == 0u);
    cr_assert(ix.entries[1].file == 1u);
    cr_assert(ix.entries[2].file == 0u);
    cr_assert((ix.entries[1].name_len == 25u) &&
              (memcmp(ix.entries[1].name, "model.embed_tokens.weight", 25u) == 0));
    st_index_free(&ix);
    st_index_free(&ix);
}

Test(index, escapes_are_decoded)
{
    st_index ix;
    char err[256];
    bool ok = parse_text("{\"weight_map\":{\"a\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\": \"f\\u0031\","
                         "\"caf\xc3\xa9\": \"f1\"}}",
                         &ix, err, sizeof err);
    cr_assert(ok, "%s", err);
    cr_assert(ix.n_entries == 2u);
    cr_assert(ix.n_files == 1u, "f\\u0031 and f1 are the same file");
    cr_assert(ix.entries[0].name_len == 1u + 2u + 4u + 1u + 1u + 1u + 1u);
    cr_assert(memcmp(ix.entries[0].name, "a\xc3\xa9\xf0\x9f\x98\x80\n\"\\/", 11u) == 0);
    cr_assert(memcmp(ix.entries[1].name, "caf\xc3\xa9", 5u) == 0);
    st_index_free(&ix);
}

Test(index, other_members_are_skipped)
{
    st_index ix;
    char err[256];
    bool ok = parse_text(" {\"a\": [1, -2.5e-3, true, false, null, \"x\", [], {}, [[{\"b\": [0]}]]],"
                         " \"weight_map\": {}, \"z\": 0} ",
                         &ix, err, sizeof err);
    cr_assert(ok, "%s", err);
    cr_assert(ix.n_entries == 0u);
    st_index_free(&ix);
}

Test(index, refusals)
{
    static const struct {
        const char *text;
        const char *needle;
    } bad[] = {
        {"", "JSON object"},
        {"[]", "JSON object"},
        {"{}", "no weight_map"},
        {"{\"weight_map\": []}", "must be an object"},
        {"{\"weight_map\": {\"a\": 1}}", "file name"},
        {"{\"weight_map\": {\"a\": \"f\"}, \"weight_map\": {}}", "twice"},
        {"{\"weight_map\": {\"a\": \"f\", \"a\": \"g\"}}", "\"a\" twice"},
        {"{\"weight_map\": {\"a\": \"\"}}", "plain name"},
        {"{\"weight_map\": {\"a\": \"sub/f\"}}", "plain name"},
        {"{\"weight_map\": {\"a\": \"..\"}}", "plain name"},
        {"{\"weight_map\": {\"a\": \".\"}}", "plain name"},
        {"{\"weight_map\": {\"a\": \"f\\u0000g\"}}", "plain name"},
        {"{\"weight_map\": {\"a\": \"f\"}} x", "text after"},
        {"{\"weight_map\": {\"a\": \"f\",}}", "expected a string"},
        {"{\"weight_map\": {\"a\" \"f\"}}", "expected ':'"},
        {"{\"weight_map\": {\"a\": \"f\"}", "expected ','"},
        {"{\"weight_map\": {\"\\ud800\": \"f\"}}", "surrogate"},
        {"{\"weight_map\": {\"\\udc00\": \"f\"}}", "surrogate"},
        {"{\"weight_map\": {\"\\x\": \"f\"}}", "bad escape"},
        {"{\"weight_map\": {\"\\u12\": \"f\"}}", "\\u escape"},
        {"{\"weight_map\": {\"a\tb\": \"f\"}}", "control character"},
        {"{\"weight_map\": {\"\xc3\x28\": \"f\"}}", "UTF-8"},
        {"{\"weight_map\": {\"\xed\xa0\x80\": \"f\"}}", "UTF-8"},
        {"{\"weight_map\": {\"a\": \"f", "unterminated"},
        {"{\"m\": 01, \"weight_map\": {}}", "expected ','"},
        {"{\"m\": 1., \"weight_map\": {}}", "bad number"},
        {"{\"m\": -, \"weight_map\": {}}", "bad number"},
        {"{\"m\": tru, \"weight_map\": {}}", "unexpected"},
        {"{\"m\": [1 2], \"weight_map\": {}}", "expected ','"},
        {"{\"m\": {\"k\" 1}, \"weight_map\": {}}", "expected ':'"},
    };
    size_t i;
    for (i = 0u; i < (sizeof bad / sizeof bad[0]); i++) {
        st_index ix;
        char err[256];
        err[0] = '\0';
        cr_assert(!parse_text(bad[i].text, &ix, err, sizeof err), "case %zu accepted", i);
        cr_assert(strstr(err, bad[i].needle) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                  bad[i].needle);
        cr_assert((ix.files == NULL) && (ix.entries == NULL) && (ix.n_entries == 0u));
    }
}

Test(index, nesting_limit)
{
    char text[400];
    size_t i;
    size_t n = 0u;
    st_index ix;
    char err[256];
    const char *head = "{\"m\": ";
    memcpy(text, head, strlen(head));
    n = strlen(head);
    for (i = 0u; i < ST_INDEX_DEPTH_MAX; i++) {
        text[n++] = '[';
    }
    for (i = 0u; i < ST_INDEX_DEPTH_MAX; i++) {
        text[n++] = ']';
    }
    memcpy(text + n, ", \"weight_map\": {}}", 20u);
    cr_assert(parse_text(text, &ix, err, sizeof err), "%s", err);
    st_index_free(&ix);
    /* one level more */
    n = strlen(head);
    for (i = 0u; i <= ST_INDEX_DEPTH_MAX; i++) {
        text[n++] = '[';
    }
    for (i = 0u; i <= ST_INDEX_DEPTH_MAX; i++) {
        text[n++] = ']';
    }
    memcpy(text + n, ", \"weight_map\": {}}", 20u);
    cr_assert(!parse_text(text, &ix, err, sizeof err));
    cr_assert(strstr(err, "nested too deeply") != NULL, "%s", err);
}

Test(index, read_from_disk)
{
    st_index ix;
    char err[256];
    cr_assert(!st_index_read("/nonexistent/dir/model.safetensors.index.json", &ix, err, sizeof err));
    cr_assert(strstr(err, "open") != NULL, "%s", err);
    cr_assert(!st_index_read("/", &ix, err, sizeof err));
    cr_assert(strstr(err, "not a regular file") != NULL, "%s", err);
    cr_assert(st_index_is_index_path("a/model.safetensors.index.json"));
    cr_assert(!st_index_is_index_path("model.safetensors"));
    cr_assert(!st_index_is_index_path("json"));
}
