/*
 * st_cuda_api.h -- the CUDA runtime functions the CUDA backend calls, as
 * function-pointer types (st_rt_api.h), so that nothing is needed at build
 * time: the library is loaded with dlopen and its symbols are called through
 * these types. They must match cuda_runtime_api.h exactly: `make
 * device-check` compiles tests/device/check_cuda_api.c, which includes the
 * real header and asserts with _Generic that every pointer type is
 * compatible with the type of the real function, and that the constants
 * agree.
 */
#ifndef ST_CUDA_API_H
#define ST_CUDA_API_H

#define ST_CUDA_SUCCESS 0u                  /* cudaSuccess */
#define ST_CUDA_MEMCPY_HOST_TO_DEVICE 1u    /* cudaMemcpyHostToDevice */
#define ST_CUDA_MEMCPY_DEVICE_TO_HOST 2u    /* cudaMemcpyDeviceToHost */
#define ST_CUDA_HOST_ALLOC_DEFAULT 0u       /* cudaHostAllocDefault */
#define ST_CUDA_HOST_REGISTER_DEFAULT 0u    /* cudaHostRegisterDefault */
#define ST_CUDA_STREAM_NON_BLOCKING 1u      /* cudaStreamNonBlocking */
#define ST_CUDA_EVENT_DISABLE_TIMING 2u     /* cudaEventDisableTiming */

/* st_cuda_error (cudaError_t), st_cuda_stream (cudaStream_t), ... */
#define ST_RT(x) st_cuda_##x
#define ST_RT_STREAM_TAG CUstream_st
#define ST_RT_EVENT_TAG CUevent_st
#include "st_rt_api.h"
#undef ST_RT
#undef ST_RT_STREAM_TAG
#undef ST_RT_EVENT_TAG

#endif /* ST_CUDA_API_H */
