/*
 * check_cuda_api.c -- compiled by `make device-check` against the CUDA
 * toolkit's cuda_runtime_api.h (never linked, never run): proves that every
 * function-pointer type of src/device/st_cuda_api.h is compatible with the
 * type of the real function the CUDA backend looks up with dlsym, and that
 * the constants the backend passes are the header's.
 */
#include <cuda_runtime_api.h>

#include "st_cuda_api.h"

/* The backend looks the plain names up; per-thread-stream builds rename them. */
#if defined(cudaMemcpyAsync) || defined(cudaEventRecord) || defined(cudaStreamSynchronize) || \
    defined(cudaMemcpy)
#error "a CUDA API name is a macro here: dlsym would look up another symbol"
#endif

#define ST_SAME(fn, type) \
    _Static_assert(_Generic(&(fn), type: 1, default: 0), #fn " is not a " #type)

ST_SAME(cudaGetDeviceCount, st_cuda_get_device_count_fn);
ST_SAME(cudaSetDevice, st_cuda_set_device_fn);
ST_SAME(cudaMalloc, st_cuda_malloc_fn);
ST_SAME(cudaFree, st_cuda_free_fn);
ST_SAME(cudaHostAlloc, st_cuda_host_alloc_fn);
ST_SAME(cudaFreeHost, st_cuda_free_host_fn);
ST_SAME(cudaHostRegister, st_cuda_host_register_fn);
ST_SAME(cudaHostUnregister, st_cuda_host_unregister_fn);
ST_SAME(cudaStreamCreateWithFlags, st_cuda_stream_create_with_flags_fn);
ST_SAME(cudaStreamDestroy, st_cuda_stream_destroy_fn);
ST_SAME(cudaStreamSynchronize, st_cuda_stream_synchronize_fn);
ST_SAME(cudaEventCreateWithFlags, st_cuda_event_create_with_flags_fn);
ST_SAME(cudaEventDestroy, st_cuda_event_destroy_fn);
ST_SAME(cudaEventRecord, st_cuda_event_record_fn);
ST_SAME(cudaEventSynchronize, st_cuda_event_synchronize_fn);
ST_SAME(cudaMemcpyAsync, st_cuda_memcpy_async_fn);
ST_SAME(cudaMemcpy, st_cuda_memcpy_fn);
ST_SAME(cudaDeviceSynchronize, st_cuda_device_synchronize_fn);
ST_SAME(cudaRuntimeGetVersion, st_cuda_runtime_get_version_fn);
ST_SAME(cudaDriverGetVersion, st_cuda_driver_get_version_fn);
ST_SAME(cudaGetErrorString, st_cuda_get_error_string_fn);
ST_SAME(cudaGetErrorName, st_cuda_get_error_name_fn);

/* The scalar and handle types on their own. */
_Static_assert(_Generic((cudaError_t)0, st_cuda_error: 1, default: 0), "cudaError_t");
_Static_assert(_Generic((enum cudaMemcpyKind)0, st_cuda_memcpy_kind: 1, default: 0),
               "enum cudaMemcpyKind");
_Static_assert(_Generic((cudaStream_t)0, st_cuda_stream: 1, default: 0), "cudaStream_t");
_Static_assert(_Generic((cudaEvent_t)0, st_cuda_event: 1, default: 0), "cudaEvent_t");

/* The constants. */
_Static_assert(ST_CUDA_SUCCESS == cudaSuccess, "cudaSuccess");
_Static_assert(ST_CUDA_MEMCPY_HOST_TO_DEVICE == cudaMemcpyHostToDevice, "cudaMemcpyHostToDevice");
_Static_assert(ST_CUDA_MEMCPY_DEVICE_TO_HOST == cudaMemcpyDeviceToHost, "cudaMemcpyDeviceToHost");
_Static_assert(ST_CUDA_HOST_ALLOC_DEFAULT == cudaHostAllocDefault, "cudaHostAllocDefault");
_Static_assert(ST_CUDA_HOST_REGISTER_DEFAULT == cudaHostRegisterDefault, "cudaHostRegisterDefault");
_Static_assert(ST_CUDA_STREAM_NON_BLOCKING == cudaStreamNonBlocking, "cudaStreamNonBlocking");
_Static_assert(ST_CUDA_EVENT_DISABLE_TIMING == cudaEventDisableTiming, "cudaEventDisableTiming");

/* The check can fail: a wrong type is told apart. */
_Static_assert(!_Generic(&cudaMalloc, st_cuda_free_fn: 1, default: 0), "the check is not vacuous");
_Static_assert(!_Generic(&cudaEventRecord, st_cuda_stream_synchronize_fn: 1, default: 0),
               "the check is not vacuous");
