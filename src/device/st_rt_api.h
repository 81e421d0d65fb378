/*
 * st_rt_api.h -- the part of a GPU runtime's API that the device backends
 * call: the CUDA runtime and the HIP runtime have the same shape, so the
 * declarations are written once here and instantiated by st_cuda_api.h and
 * st_hip_api.h. The instantiating header defines
 *
 *   ST_RT(x)          the name of type x for its runtime (st_cuda_x, st_hip_x)
 *   ST_RT_STREAM_TAG  the runtime's own incomplete struct tag of a stream
 *   ST_RT_EVENT_TAG   the same for an event
 *
 * and includes this file once; there is no include guard on purpose.
 *
 * The error type and the copy-direction type are enumerations without
 * negative values in both runtimes; gcc and clang give such an enumeration
 * the compatible type unsigned int, which is what is written here.
 * `make device-check` proves every type below compatible with the real
 * header's (tests/device/check_cuda_api.c, check_hip_api.c).
 */
#include <stddef.h>

typedef unsigned int ST_RT(error);
typedef unsigned int ST_RT(memcpy_kind);
typedef struct ST_RT_STREAM_TAG *ST_RT(stream);
typedef struct ST_RT_EVENT_TAG *ST_RT(event);

typedef ST_RT(error) (*ST_RT(get_device_count_fn))(int *count);
typedef ST_RT(error) (*ST_RT(set_device_fn))(int device);
typedef ST_RT(error) (*ST_RT(malloc_fn))(void **ptr, size_t size);
typedef ST_RT(error) (*ST_RT(free_fn))(void *ptr);
typedef ST_RT(error) (*ST_RT(host_alloc_fn))(void **ptr, size_t size, unsigned int flags);
typedef ST_RT(error) (*ST_RT(free_host_fn))(void *ptr);
typedef ST_RT(error) (*ST_RT(host_register_fn))(void *ptr, size_t size, unsigned int flags);
typedef ST_RT(error) (*ST_RT(host_unregister_fn))(void *ptr);
typedef ST_RT(error) (*ST_RT(stream_create_with_flags_fn))(ST_RT(stream) *stream,
                                                          unsigned int flags);
typedef ST_RT(error) (*ST_RT(stream_destroy_fn))(ST_RT(stream) stream);
typedef ST_RT(error) (*ST_RT(stream_synchronize_fn))(ST_RT(stream) stream);
typedef ST_RT(error) (*ST_RT(event_create_with_flags_fn))(ST_RT(event) *event, unsigned int flags);
typedef ST_RT(error) (*ST_RT(event_destroy_fn))(ST_RT(event) event);
typedef ST_RT(error) (*ST_RT(event_record_fn))(ST_RT(event) event, ST_RT(stream) stream);
typedef ST_RT(error) (*ST_RT(event_synchronize_fn))(ST_RT(event) event);
typedef ST_RT(error) (*ST_RT(memcpy_async_fn))(void *dst, const void *src, size_t count,
                                              ST_RT(memcpy_kind) kind, ST_RT(stream) stream);
typedef ST_RT(error) (*ST_RT(memcpy_fn))(void *dst, const void *src, size_t count,
                                        ST_RT(memcpy_kind) kind);
typedef ST_RT(error) (*ST_RT(device_synchronize_fn))(void);
typedef ST_RT(error) (*ST_RT(runtime_get_version_fn))(int *version);
typedef ST_RT(error) (*ST_RT(driver_get_version_fn))(int *version);
typedef const char *(*ST_RT(get_error_string_fn))(ST_RT(error) error);
typedef const char *(*ST_RT(get_error_name_fn))(ST_RT(error) error);

/* The table the backend fills with dlsym; one field per function above. */
typedef struct ST_RT(api) {
    ST_RT(get_device_count_fn) GetDeviceCount;
    ST_RT(set_device_fn) SetDevice;
    ST_RT(malloc_fn) Malloc;
    ST_RT(free_fn) Free;
    ST_RT(host_alloc_fn) HostAlloc;
    ST_RT(free_host_fn) FreeHost;
    ST_RT(host_register_fn) HostRegister;
    ST_RT(host_unregister_fn) HostUnregister;
    ST_RT(stream_create_with_flags_fn) StreamCreateWithFlags;
    ST_RT(stream_destroy_fn) StreamDestroy;
    ST_RT(stream_synchronize_fn) StreamSynchronize;
    ST_RT(event_create_with_flags_fn) EventCreateWithFlags;
    ST_RT(event_destroy_fn) EventDestroy;
    ST_RT(event_record_fn) EventRecord;
    ST_RT(event_synchronize_fn) EventSynchronize;
    ST_RT(memcpy_async_fn) MemcpyAsync;
    ST_RT(memcpy_fn) Memcpy;
    ST_RT(device_synchronize_fn) DeviceSynchronize;
    ST_RT(runtime_get_version_fn) RuntimeGetVersion;
    ST_RT(driver_get_version_fn) DriverGetVersion;
    ST_RT(get_error_string_fn) GetErrorString;
    ST_RT(get_error_name_fn) GetErrorName;
} ST_RT(api);
