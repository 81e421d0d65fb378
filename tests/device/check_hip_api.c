/*
 * check_hip_api.c -- compiled by `make device-check` against ROCm's
 * hip/hip_runtime_api.h (never linked, never run): proves that every
 * function-pointer type of src/device/st_hip_api.h is compatible with the
 * type of the real function the HIP backend looks up with dlsym, and that
 * the constants the backend passes are the header's.
 */
#define __HIP_PLATFORM_AMD__
#include <hip/hip_runtime_api.h>

#include "st_hip_api.h"

/* The backend looks the plain names up; per-thread-stream (SPT) builds rename them. */
#if defined(hipMemcpyAsync) || defined(hipEventRecord) || defined(hipStreamSynchronize) || \
    defined(hipMemcpy)
#error "a HIP API name is a macro here: dlsym would look up another symbol"
#endif

#define ST_SAME(fn, type) \
    _Static_assert(_Generic(&(fn), type: 1, default: 0), #fn " is not a " #type)

ST_SAME(hipGetDeviceCount, st_hip_get_device_count_fn);
ST_SAME(hipSetDevice, st_hip_set_device_fn);
ST_SAME(hipMalloc, st_hip_malloc_fn);
ST_SAME(hipFree, st_hip_free_fn);
ST_SAME(hipHostMalloc, st_hip_host_alloc_fn);
ST_SAME(hipHostFree, st_hip_free_host_fn);
ST_SAME(hipHostRegister, st_hip_host_register_fn);
ST_SAME(hipHostUnregister, st_hip_host_unregister_fn);
ST_SAME(hipStreamCreateWithFlags, st_hip_stream_create_with_flags_fn);
ST_SAME(hipStreamDestroy, st_hip_stream_destroy_fn);
ST_SAME(hipStreamSynchronize, st_hip_stream_synchronize_fn);
ST_SAME(hipEventCreateWithFlags, st_hip_event_create_with_flags_fn);
ST_SAME(hipEventDestroy, st_hip_event_destroy_fn);
ST_SAME(hipEventRecord, st_hip_event_record_fn);
ST_SAME(hipEventSynchronize, st_hip_event_synchronize_fn);
ST_SAME(hipMemcpyAsync, st_hip_memcpy_async_fn);
ST_SAME(hipMemcpy, st_hip_memcpy_fn);
ST_SAME(hipDeviceSynchronize, st_hip_device_synchronize_fn);
ST_SAME(hipRuntimeGetVersion, st_hip_runtime_get_version_fn);
ST_SAME(hipDriverGetVersion, st_hip_driver_get_version_fn);
ST_SAME(hipGetErrorString, st_hip_get_error_string_fn);
ST_SAME(hipGetErrorName, st_hip_get_error_name_fn);

/* The scalar and handle types on their own. */
_Static_assert(_Generic((hipError_t)0, st_hip_error: 1, default: 0), "hipError_t");
_Static_assert(_Generic((hipMemcpyKind)0, st_hip_memcpy_kind: 1, default: 0),
               "hipMemcpyKind");
_Static_assert(_Generic((hipStream_t)0, st_hip_stream: 1, default: 0), "hipStream_t");
_Static_assert(_Generic((hipEvent_t)0, st_hip_event: 1, default: 0), "hipEvent_t");

/* The constants. */
_Static_assert(ST_HIP_SUCCESS == hipSuccess, "hipSuccess");
_Static_assert(ST_HIP_MEMCPY_HOST_TO_DEVICE == hipMemcpyHostToDevice, "hipMemcpyHostToDevice");
_Static_assert(ST_HIP_MEMCPY_DEVICE_TO_HOST == hipMemcpyDeviceToHost, "hipMemcpyDeviceToHost");
_Static_assert(ST_HIP_HOST_MALLOC_DEFAULT == hipHostMallocDefault, "hipHostMallocDefault");
_Static_assert(ST_HIP_HOST_REGISTER_DEFAULT == hipHostRegisterDefault, "hipHostRegisterDefault");
_Static_assert(ST_HIP_STREAM_NON_BLOCKING == hipStreamNonBlocking, "hipStreamNonBlocking");
_Static_assert(ST_HIP_EVENT_DISABLE_TIMING == hipEventDisableTiming, "hipEventDisableTiming");

/* The check can fail: a wrong type is told apart. */
_Static_assert(!_Generic(&hipMalloc, st_hip_free_fn: 1, default: 0), "the check is not vacuous");
_Static_assert(!_Generic(&hipEventRecord, st_hip_stream_synchronize_fn: 1, default: 0),
               "the check is not vacuous");
