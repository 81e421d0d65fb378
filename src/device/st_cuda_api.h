/*
 * st_cuda_api.h -- the part of the CUDA runtime API the CUDA backend calls,
 * declared here so that nothing is needed at build time: the library is
 * loaded with dlopen and these are the types its symbols are called through.
 *
 * They must match cuda_runtime_api.h exactly: `make device-check` compiles
 * tests/device/check_cuda_api.c, which includes the real header and asserts
 * with _Generic that every pointer type below is compatible with the type of
 * the real function, and that the constants agree.
 *
 * cudaError_t and enum cudaMemcpyKind are enumerations without negative
 * values; gcc and clang give such an enumeration the compatible type
 * unsigned int, which is what is written here (the check proves it). The
 * handle types are pointers to the runtime's own incomplete struct tags.
 */
#ifndef ST_CUDA_API_H
#define ST_CUDA_API_H

#include <stddef.h>

typedef unsigned int st_cuda_error;      /* cudaError_t */
typedef unsigned int st_cuda_memcpy_kind; /* enum cudaMemcpyKind */
typedef struct CUstream_st *st_cuda_stream; /* cudaStream_t */
typedef struct CUevent_st *st_cuda_event;   /* cudaEvent_t */

#define ST_CUDA_SUCCESS 0u                  /* cudaSuccess */
#define ST_CUDA_MEMCPY_HOST_TO_DEVICE 1u    /* cudaMemcpyHostToDevice */
#define ST_CUDA_MEMCPY_DEVICE_TO_HOST 2u    /* cudaMemcpyDeviceToHost */
#define ST_CUDA_HOST_ALLOC_DEFAULT 0u       /* cudaHostAllocDefault */
#define ST_CUDA_HOST_REGISTER_DEFAULT 0u    /* cudaHostRegisterDefault */
#define ST_CUDA_STREAM_NON_BLOCKING 1u      /* cudaStreamNonBlocking */
#define ST_CUDA_EVENT_DISABLE_TIMING 2u     /* cudaEventDisableTiming */

typedef st_cuda_error (*st_cuda_get_device_count_fn)(int *count);
typedef st_cuda_error (*st_cuda_set_device_fn)(int device);
typedef st_cuda_error (*st_cuda_malloc_fn)(void **ptr, size_t size);
typedef st_cuda_error (*st_cuda_free_fn)(void *ptr);
typedef st_cuda_error (*st_cuda_host_alloc_fn)(void **ptr, size_t size, unsigned int flags);
typedef st_cuda_error (*st_cuda_free_host_fn)(void *ptr);
typedef st_cuda_error (*st_cuda_host_register_fn)(void *ptr, size_t size, unsigned int flags);
typedef st_cuda_error (*st_cuda_host_unregister_fn)(void *ptr);
typedef st_cuda_error (*st_cuda_stream_create_with_flags_fn)(st_cuda_stream *stream,
                                                             unsigned int flags);
typedef st_cuda_error (*st_cuda_stream_destroy_fn)(st_cuda_stream stream);
typedef st_cuda_error (*st_cuda_stream_synchronize_fn)(st_cuda_stream stream);
typedef st_cuda_error (*st_cuda_event_create_with_flags_fn)(st_cuda_event *event,
                                                            unsigned int flags);
typedef st_cuda_error (*st_cuda_event_destroy_fn)(st_cuda_event event);
typedef st_cuda_error (*st_cuda_event_record_fn)(st_cuda_event event, st_cuda_stream stream);
typedef st_cuda_error (*st_cuda_event_synchronize_fn)(st_cuda_event event);
typedef st_cuda_error (*st_cuda_memcpy_async_fn)(void *dst, const void *src, size_t count,
                                                 st_cuda_memcpy_kind kind, st_cuda_stream stream);
typedef st_cuda_error (*st_cuda_memcpy_fn)(void *dst, const void *src, size_t count,
                                           st_cuda_memcpy_kind kind);
typedef st_cuda_error (*st_cuda_device_synchronize_fn)(void);
typedef st_cuda_error (*st_cuda_runtime_get_version_fn)(int *version);
typedef st_cuda_error (*st_cuda_driver_get_version_fn)(int *version);
typedef const char *(*st_cuda_get_error_string_fn)(st_cuda_error error);
typedef const char *(*st_cuda_get_error_name_fn)(st_cuda_error error);

/* The table the backend fills with dlsym; one field per function above. */
typedef struct st_cuda_api {
    st_cuda_get_device_count_fn GetDeviceCount;
    st_cuda_set_device_fn SetDevice;
    st_cuda_malloc_fn Malloc;
    st_cuda_free_fn Free;
    st_cuda_host_alloc_fn HostAlloc;
    st_cuda_free_host_fn FreeHost;
    st_cuda_host_register_fn HostRegister;
    st_cuda_host_unregister_fn HostUnregister;
    st_cuda_stream_create_with_flags_fn StreamCreateWithFlags;
    st_cuda_stream_destroy_fn StreamDestroy;
    st_cuda_stream_synchronize_fn StreamSynchronize;
    st_cuda_event_create_with_flags_fn EventCreateWithFlags;
    st_cuda_event_destroy_fn EventDestroy;
    st_cuda_event_record_fn EventRecord;
    st_cuda_event_synchronize_fn EventSynchronize;
    st_cuda_memcpy_async_fn MemcpyAsync;
    st_cuda_memcpy_fn Memcpy;
    st_cuda_device_synchronize_fn DeviceSynchronize;
    st_cuda_runtime_get_version_fn RuntimeGetVersion;
    st_cuda_driver_get_version_fn DriverGetVersion;
    st_cuda_get_error_string_fn GetErrorString;
    st_cuda_get_error_name_fn GetErrorName;
} st_cuda_api;

#endif /* ST_CUDA_API_H */
