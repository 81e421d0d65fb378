/*
 * st_backend_cuda.c -- the CUDA backend: the CUDA runtime (libcudart) loaded
 * with dlopen when the backend is opened (st_backend_rt.h, instantiated
 * with the types of st_cuda_api.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "st_cuda_api.h"

#define RT_API st_cuda_api
#define RT_ERROR st_cuda_error
#define RT_STREAM st_cuda_stream
#define RT_EVENT st_cuda_event
#define RT_SUCCESS ST_CUDA_SUCCESS
#define RT_H2D ST_CUDA_MEMCPY_HOST_TO_DEVICE
#define RT_D2H ST_CUDA_MEMCPY_DEVICE_TO_HOST
#define RT_HOST_ALLOC_FLAGS ST_CUDA_HOST_ALLOC_DEFAULT
#define RT_HOST_REGISTER_FLAGS ST_CUDA_HOST_REGISTER_DEFAULT
#define RT_STREAM_FLAGS ST_CUDA_STREAM_NON_BLOCKING
#define RT_EVENT_FLAGS ST_CUDA_EVENT_DISABLE_TIMING
#define RT_NAME "cuda"
#define RT_PREFIX "cuda"
#define RT_SYM_HOST_ALLOC "cudaHostAlloc"
#define RT_SYM_FREE_HOST "cudaFreeHost"
#define RT_ENV "TENSORPROOF_CUDART"
#define RT_LIBS cuda_libs
#define RT_OPEN st_cuda_backend_open

/* Candidates in order; TENSORPROOF_CUDART, when set, is tried first. */
static const char *const cuda_libs[] = {
    "libcudart.so",
    "libcudart.so.13",
    "libcudart.so.12",
    "/usr/local/cuda/lib64/libcudart.so",
    NULL,
};

#include "st_backend_rt.h"
