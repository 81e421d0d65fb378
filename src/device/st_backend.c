/*
 * st_backend.c -- choosing a backend by device name, and the helpers the
 * runtime backends share (dlopen with a list of candidates, dlsym into a
 * function pointer, message formatting).
 */
#define _POSIX_C_SOURCE 200809L

#include "st_backend.h"
#include "st_backend_host.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_backend_msg(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (len > 0u) {
        va_start(ap, fmt);
        (void)vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
}

/* Append ", name" (or "name" at the start) to a list in buf. */
static void append_name(char *buf, size_t len, const char *name)
{
    size_t used = strlen(buf);
    if (used < len) {
        (void)snprintf(buf + used, len - used, "%s%s", (used == 0u) ? "" : ", ", name);
    }
}

void *st_backend_dlopen(const char *const *names, const char *env_var, char *err,
                        size_t err_len)
{
    void *lib = NULL;
    char tried[ST_BACKEND_MSG_MAX];
    const char *env = (env_var != NULL) ? getenv(env_var) : NULL;
    size_t i;
    tried[0] = '\0';
    if ((env != NULL) && (env[0] != '\0')) {
        lib = dlopen(env, RTLD_NOW | RTLD_LOCAL);
        append_name(tried, sizeof tried, env);
    }
    for (i = 0u; (lib == NULL) && (names[i] != NULL); i++) {
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        append_name(tried, sizeof tried, names[i]);
    }
    if (lib == NULL) {
        st_backend_msg(err, err_len, "cannot load the runtime library (tried %s)%s%s",
                       tried, (env_var != NULL) ? "; set " : "",
                       (env_var != NULL) ? env_var : "");
    }
    return lib;
}

bool st_backend_sym(void *lib, const char *sym, void *fn, size_t fn_size)
{
    void *p = dlsym(lib, sym);
    if (p != NULL) {
        /* a function pointer has the size of an object pointer on every
           POSIX platform (dlsym requires it) */
        memcpy(fn, &p, (fn_size < sizeof p) ? fn_size : sizeof p);
    }
    return (p != NULL) && (fn_size == sizeof p);
}

/* "NAME" or "NAME:N" with N a decimal device index below 2^20. */
static bool parse_device(const char *spec, const char *name, int *index)
{
    size_t n = strlen(name);
    bool ok = (strncmp(spec, name, n) == 0);
    *index = 0;
    if (ok && (spec[n] == ':')) {
        const char *p = spec + n + 1u;
        long v = 0;
        ok = (*p != '\0');
        for (; ok && (*p != '\0'); p++) {
            ok = (*p >= '0') && (*p <= '9') && (v < 100000L);
            v = (v * 10L) + (long)(*p - '0');
        }
        ok = ok && (v < 1048576L);
        *index = (int)v;
    } else if (ok) {
        ok = (spec[n] == '\0');
    }
    return ok;
}

st_backend *st_backend_open(const char *device, char *err, size_t err_len)
{
    st_backend *b = NULL;
    int index = 0;
    if (err_len > 0u) {
        err[0] = '\0';
    }
    if (parse_device(device, "host", &index)) {
        b = st_host_backend_open(NULL, err, err_len);
    } else if (parse_device(device, "cuda", &index)) {
        b = st_cuda_backend_open(index, err, err_len);
    } else if (parse_device(device, "hip", &index)) {
        b = st_hip_backend_open(index, err, err_len);
    } else {
        st_backend_msg(err, err_len,
                       "unknown device '%s' (expected host, cuda[:N] or hip[:N])", device);
    }
    return b;
}

void st_backend_close(st_backend *b)
{
    if (b != NULL) {
        b->close(b);
    }
}
