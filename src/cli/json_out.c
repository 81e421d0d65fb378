/*
 * json_out.c -- JSON string literals (RFC 8259) for the --json output.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <string.h>

static void flush_run(FILE *out, const uint8_t *s, size_t from, size_t to)
{
    if (to > from) {
        (void)fwrite(s + from, 1u, to - from, out);
    }
}

/* Everything is written raw except what JSON requires escaped (the quote,
 * the backslash and 0x00-0x1F); bytes that are not UTF-8 become U+FFFD so
 * that the output always parses. */
void json_string(FILE *out, const uint8_t *s, size_t n)
{
    size_t run = 0u;
    size_t i = 0u;

    (void)fputc('"', out);
    while (i < n) {
        uint32_t cp = 0u;
        size_t len = st_utf8_decode(s + i, n - i, &cp);
        if (len != 0u && cp >= 0x20u && cp != '"' && cp != '\\') {
            i += len;
            continue;
        }
        flush_run(out, s, run, i);
        if (len == 0u) {
            (void)fputs("\xEF\xBF\xBD", out); /* U+FFFD */
            i++;
        } else {
            switch (cp) {
            case '"':  (void)fputs("\\\"", out); break;
            case '\\': (void)fputs("\\\\", out); break;
            case '\b': (void)fputs("\\b", out); break;
            case '\f': (void)fputs("\\f", out); break;
            case '\n': (void)fputs("\\n", out); break;
            case '\r': (void)fputs("\\r", out); break;
            case '\t': (void)fputs("\\t", out); break;
            default:   (void)fprintf(out, "\\u%04x", (unsigned)cp); break;
            }
            i += len;
        }
        run = i;
    }
    flush_run(out, s, run, i);
    (void)fputc('"', out);
}

void json_cstring(FILE *out, const char *s)
{
    if (s == NULL) {
        (void)fputs("null", out);
    } else {
        json_string(out, (const uint8_t *)s, strlen(s));
    }
}
