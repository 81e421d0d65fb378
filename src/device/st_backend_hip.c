/*
 * st_backend_hip.c -- the HIP backend: the HIP runtime (libamdhip64, ROCm)
 * loaded with dlopen when the backend is opened (st_backend_rt.h,
 * instantiated with the types of st_hip_api.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "st_hip_api.h"

#define RT_API st_hip_api
#define RT_ERROR st_hip_error
#define RT_STREAM st_hip_stream
#define RT_EVENT st_hip_event
#define RT_SUCCESS ST_HIP_SUCCESS
#define RT_H2D ST_HIP_MEMCPY_HOST_TO_DEVICE
#define RT_D2H ST_HIP_MEMCPY_DEVICE_TO_HOST
#define RT_HOST_ALLOC_FLAGS ST_HIP_HOST_MALLOC_DEFAULT
#define RT_HOST_REGISTER_FLAGS ST_HIP_HOST_REGISTER_DEFAULT
#define RT_STREAM_FLAGS ST_HIP_STREAM_NON_BLOCKING
#define RT_EVENT_FLAGS ST_HIP_EVENT_DISABLE_TIMING
#define RT_NAME "hip"
#define RT_PREFIX "hip"
#define RT_SYM_HOST_ALLOC "hipHostMalloc"
#define RT_SYM_FREE_HOST "hipHostFree"
#define RT_ENV "TENSORPROOF_HIPRT"
#define RT_LIBS hip_libs
#define RT_OPEN st_hip_backend_open

/* Candidates in order; TENSORPROOF_HIPRT, when set, is tried first. */
static const char *const hip_libs[] = {
    "libamdhip64.so",
    "libamdhip64.so.6",
    "libamdhip64.so.5",
    "/opt/rocm/lib/libamdhip64.so",
    NULL,
};

#include "st_backend_rt.h"
