/*
 * st_hip_api.h -- the HIP runtime (ROCm) functions the HIP backend calls, as
 * function-pointer types (st_rt_api.h), so that nothing is needed at build
 * time: the library is loaded with dlopen and its symbols are called through
 * these types. They must match hip/hip_runtime_api.h (__HIP_PLATFORM_AMD__)
 * exactly: `make device-check` compiles tests/device/check_hip_api.c, which
 * includes the real header and asserts with _Generic that every pointer type
 * is compatible with the type of the real function, and that the constants
 * agree. hipHostMalloc and hipHostFree fill the table's HostAlloc and
 * FreeHost slots.
 */
#ifndef ST_HIP_API_H
#define ST_HIP_API_H

#define ST_HIP_SUCCESS 0u                  /* hipSuccess */
#define ST_HIP_MEMCPY_HOST_TO_DEVICE 1u    /* hipMemcpyHostToDevice */
#define ST_HIP_MEMCPY_DEVICE_TO_HOST 2u    /* hipMemcpyDeviceToHost */
#define ST_HIP_HOST_MALLOC_DEFAULT 0u      /* hipHostMallocDefault */
#define ST_HIP_HOST_REGISTER_DEFAULT 0u    /* hipHostRegisterDefault */
#define ST_HIP_STREAM_NON_BLOCKING 1u      /* hipStreamNonBlocking */
#define ST_HIP_EVENT_DISABLE_TIMING 2u     /* hipEventDisableTiming */

/* st_hip_error (hipError_t), st_hip_stream (hipStream_t), ... */
#define ST_RT(x) st_hip_##x
#define ST_RT_STREAM_TAG ihipStream_t
#define ST_RT_EVENT_TAG ihipEvent_t
#include "st_rt_api.h"
#undef ST_RT
#undef ST_RT_STREAM_TAG
#undef ST_RT_EVENT_TAG

#endif /* ST_HIP_API_H */
