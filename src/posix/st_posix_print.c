/*
 * st_posix_print.c -- diagnostics for people: escaped names and one-line
 * messages for format and I/O errors.
 */
#define _POSIX_C_SOURCE 200809L

#include "st_posix.h"

#include <inttypes.h>
#include <string.h>

size_t st_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t ret = 0u;
    uint32_t b0 = s[0];
    uint32_t c = 0u;
    uint32_t min = 0u;
    size_t len = 0u;
    size_t i;

    if (b0 < 0x80u) {
        *cp = b0;
        ret = 1u;
        goto out;
    }
    if (b0 >= 0xC2u && b0 <= 0xDFu) {
        len = 2u;
        c = b0 & 0x1Fu;
        min = 0x80u;
    } else if (b0 >= 0xE0u && b0 <= 0xEFu) {
        len = 3u;
        c = b0 & 0x0Fu;
        min = 0x800u;
    } else if (b0 >= 0xF0u && b0 <= 0xF4u) {
        len = 4u;
        c = b0 & 0x07u;
        min = 0x10000u;
    } else {
        goto out; /* continuation byte, C0, C1, F5..FF */
    }
    if (n < len) {
        goto out;
    }
    for (i = 1u; i < len; i++) {
        uint32_t b = s[i];
        if ((b & 0xC0u) != 0x80u) {
            goto out;
        }
        c = (c << 6) | (b & 0x3Fu);
    }
    if (c < min || c > 0x10FFFFu || (c >= 0xD800u && c <= 0xDFFFu)) {
        goto out;
    }
    *cp = c;
    ret = len;
out:
    return ret;
}

/* Code points that print as nothing, or that reorder or break the text
 * around them: a name containing one could pass for another name. */
static bool is_invisible(uint32_t cp)
{
    return (cp >= 0x80u && cp <= 0x9Fu)          /* C1 controls */
           || cp == 0xADu                         /* soft hyphen */
           || cp == 0x34Fu                        /* combining grapheme joiner */
           || cp == 0x61Cu                        /* Arabic letter mark */
           || cp == 0x115Fu || cp == 0x1160u      /* Hangul fillers */
           || cp == 0x180Eu                       /* Mongolian vowel separator */
           || (cp >= 0x200Bu && cp <= 0x200Fu)   /* zero width, LRM, RLM */
           || (cp >= 0x2028u && cp <= 0x202Eu)   /* separators, bidi embeddings */
           || (cp >= 0x2060u && cp <= 0x206Fu)   /* joiners, bidi isolates */
           || cp == 0x3164u                       /* Hangul filler */
           || (cp >= 0xFE00u && cp <= 0xFE0Fu)   /* variation selectors */
           || cp == 0xFEFFu                       /* BOM, zero width no-break */
           || cp == 0xFFA0u                       /* halfwidth Hangul filler */
           || (cp >= 0xFFF9u && cp <= 0xFFFBu)   /* interlinear annotation */
           || (cp >= 0xE0000u && cp <= 0xE0FFFu); /* tags, variation sel. sup. */
}

static void put_bytes(FILE *out, const uint8_t *s, size_t n)
{
    if (out != NULL && n != 0u) {
        (void)fwrite(s, 1u, n, out);
    }
}

/* Returns the number of characters written. */
static size_t put_escape(FILE *out, uint32_t b, bool is_byte)
{
    char tmp[16];
    int w = 0;
    size_t ret = 0u;
    switch (b) {
    case '\\': w = snprintf(tmp, sizeof tmp, "\\\\"); break;
    case '"':  w = snprintf(tmp, sizeof tmp, "\\\""); break;
    case '\n': w = snprintf(tmp, sizeof tmp, "\\n"); break;
    case '\t': w = snprintf(tmp, sizeof tmp, "\\t"); break;
    case '\r': w = snprintf(tmp, sizeof tmp, "\\r"); break;
    default:
        if (is_byte) {
            w = snprintf(tmp, sizeof tmp, "\\x%02" PRIX32, b);
        } else {
            w = snprintf(tmp, sizeof tmp, "\\u{%04" PRIX32 "}", b);
        }
        break;
    }
    if (w > 0) {
        ret = (size_t)w;
        if (out != NULL) {
            (void)fputs(tmp, out);
        }
    }
    return ret;
}

size_t st_fprint_escaped(FILE *out, const uint8_t *s, size_t n)
{
    size_t width = 0u;
    size_t run = 0u; /* start of the pending run of bytes printed as is */
    size_t i = 0u;

    while (i < n) {
        uint32_t cp = 0u;
        size_t len = st_utf8_decode(s + i, n - i, &cp);
        bool plain = len != 0u && cp >= 0x20u && cp != 0x7Fu && cp != (uint32_t)'\\'
                     && cp != (uint32_t)'"' && !is_invisible(cp);
        if (plain) {
            width++;
            i += len;
        } else {
            put_bytes(out, s + run, i - run);
            if (len == 0u) {
                width += put_escape(out, s[i], true);
                i++;
            } else {
                /* ASCII controls read best as bytes (\x01), the rest as
                 * code points. */
                width += put_escape(out, cp, cp < 0x80u);
                i += len;
            }
            run = i;
        }
    }
    put_bytes(out, s + run, i - run);
    return width;
}

static const char *or_unknown(const char *s)
{
    return s != NULL ? s : "?";
}

const char *st_diag_name_kind(st_err code)
{
    const char *ret = "tensor";
    if (code == ST_E_STRICT_DUP_META_KEY || code == ST_E_SCHEMA_METADATA) {
        ret = "metadata key";
    }
    return ret;
}

void st_fprint_format_error(FILE *out, const char *path, const st_diag *diag)
{
    (void)st_fprint_escaped(out, (const uint8_t *)path, strlen(path));
    (void)fprintf(out, ": offset %" PRIu64 ": %s %s: %s", diag->offset,
                  or_unknown(st_error_rule(diag->code)),
                  or_unknown(st_error_name(diag->code)),
                  or_unknown(st_error_message(diag->code)));
    if (diag->name != NULL) {
        (void)fprintf(out, " (%s \"", st_diag_name_kind(diag->code));
        (void)st_fprint_escaped(out, diag->name, diag->name_len);
        (void)fputs("\")", out);
    }
    (void)fputc('\n', out);
}

void st_fprint_io_error(FILE *out, const char *path, const st_io_error *err)
{
    (void)st_fprint_escaped(out, (const uint8_t *)path, strlen(path));
    (void)fprintf(out, ": %s: %s\n", or_unknown(err->op),
                  st_io_error_reason(err));
}
