/*
 * st_hip_api.h -- the part of the HIP runtime API the HIP backend calls,
 * declared here so that nothing is needed at build time: the library is
 * loaded with dlopen and these are the types its symbols are called through.
 *
 * They must match hip/hip_runtime_api.h (ROCm, __HIP_PLATFORM_AMD__)
 * exactly: `make device-check` compiles tests/device/check_hip_api.c, which
 * includes the real header and asserts with _Generic that every pointer type
 * below is compatible with the type of the real function, and that the
 * constants agree.
 *
 * hipError_t and hipMemcpyKind are enumerations without negative values;
 * gcc and clang give such an enumeration the compatible type
 * unsigned int, which is what is written here (the check proves it). The
 * handle types are pointers to the runtime's own incomplete struct tags.
 */
#ifndef ST_HIP_API_H
#define ST_HIP_API_H

#include <stddef.h>

typedef unsigned int st_hip_error;       /* hipError_t */
typedef unsigned int st_hip_memcpy_kind; /* hipMemcpyKind */
typedef struct ihipStream_t *st_hip_stream; /* hipStream_t */
typedef struct ihipEvent_t *st_hip_event;   /* hipEvent_t */

#define ST_HIP_SUCCESS 0u                  /* hipSuccess */
#define ST_HIP_MEMCPY_HOST_TO_DEVICE 1u    /* hipMemcpyHostToDevice */
#define ST_HIP_MEMCPY_DEVICE_TO_HOST 2u    /* hipMemcpyDeviceToHost */
#define ST_HIP_HOST_MALLOC_DEFAULT 0u      /* hipHostMallocDefault */
#define ST_HIP_HOST_REGISTER_DEFAULT 0u    /* hipHostRegisterDefault */
#define ST_HIP_STREAM_NON_BLOCKING 1u      /* hipStreamNonBlocking */
#define ST_HIP_EVENT_DISABLE_TIMING 2u     /* hipEventDisableTiming */

typedef st_hip_error (*st_hip_get_device_count_fn)(int *count);
typedef st_hip_error (*st_hip_set_device_fn)(int device);
typedef st_hip_error (*st_hip_malloc_fn)(void **ptr, size_t size);
typedef st_hip_error (*st_hip_free_fn)(void *ptr);
typedef st_hip_error (*st_hip_host_malloc_fn)(void **ptr, size_t size, unsigned int flags);
typedef st_hip_error (*st_hip_host_free_fn)(void *ptr);
typedef st_hip_error (*st_hip_host_register_fn)(void *ptr, size_t size, unsigned int flags);
typedef st_hip_error (*st_hip_host_unregister_fn)(void *ptr);
typedef st_hip_error (*st_hip_stream_create_with_flags_fn)(st_hip_stream *stream,
                                                             unsigned int flags);
typedef st_hip_error (*st_hip_stream_destroy_fn)(st_hip_stream stream);
typedef st_hip_error (*st_hip_stream_synchronize_fn)(st_hip_stream stream);
typedef st_hip_error (*st_hip_event_create_with_flags_fn)(st_hip_event *event,
                                                            unsigned int flags);
typedef st_hip_error (*st_hip_event_destroy_fn)(st_hip_event event);
typedef st_hip_error (*st_hip_event_record_fn)(st_hip_event event, st_hip_stream stream);
typedef st_hip_error (*st_hip_event_synchronize_fn)(st_hip_event event);
typedef st_hip_error (*st_hip_memcpy_async_fn)(void *dst, const void *src, size_t count,
                                                 st_hip_memcpy_kind kind, st_hip_stream stream);
typedef st_hip_error (*st_hip_memcpy_fn)(void *dst, const void *src, size_t count,
                                           st_hip_memcpy_kind kind);
typedef st_hip_error (*st_hip_device_synchronize_fn)(void);
typedef st_hip_error (*st_hip_runtime_get_version_fn)(int *version);
typedef st_hip_error (*st_hip_driver_get_version_fn)(int *version);
typedef const char *(*st_hip_get_error_string_fn)(st_hip_error error);
typedef const char *(*st_hip_get_error_name_fn)(st_hip_error error);

/* The table the backend fills with dlsym; one field per function above. */
typedef struct st_hip_api {
    st_hip_get_device_count_fn GetDeviceCount;
    st_hip_set_device_fn SetDevice;
    st_hip_malloc_fn Malloc;
    st_hip_free_fn Free;
    st_hip_host_malloc_fn HostMalloc;
    st_hip_host_free_fn HostFree;
    st_hip_host_register_fn HostRegister;
    st_hip_host_unregister_fn HostUnregister;
    st_hip_stream_create_with_flags_fn StreamCreateWithFlags;
    st_hip_stream_destroy_fn StreamDestroy;
    st_hip_stream_synchronize_fn StreamSynchronize;
    st_hip_event_create_with_flags_fn EventCreateWithFlags;
    st_hip_event_destroy_fn EventDestroy;
    st_hip_event_record_fn EventRecord;
    st_hip_event_synchronize_fn EventSynchronize;
    st_hip_memcpy_async_fn MemcpyAsync;
    st_hip_memcpy_fn Memcpy;
    st_hip_device_synchronize_fn DeviceSynchronize;
    st_hip_runtime_get_version_fn RuntimeGetVersion;
    st_hip_driver_get_version_fn DriverGetVersion;
    st_hip_get_error_string_fn GetErrorString;
    st_hip_get_error_name_fn GetErrorName;
} st_hip_api;

#endif /* ST_HIP_API_H */
