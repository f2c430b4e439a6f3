using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>
/// Raw entry points of the CUDA driver API (libcuda.so.1). Handles are the driver's opaque pointers
/// (CUcontext, CUmodule, ...), CUdevice is an ordinal and CUdeviceptr a 64-bit address. Entry points
/// are bound by their versioned names (_v2), which is what cuda.h maps the plain names to.
/// </summary>
internal static unsafe partial class CudaDriver
{
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
    public const int AttributeMaxSharedMemoryPerBlockOptin = 97;
    public const int FunctionAttributeMaxDynamicSharedSizeBytes = 8;
    public const int StreamCaptureModeRelaxed = 2;
    public const uint StreamNonBlocking = 1;
    public const uint EventDefault = 0;
    public const uint EventDisableTiming = 2;

    static CudaDriver() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuInit")]
    public static partial CuResult cuInit(uint flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDriverGetVersion")]
    public static partial CuResult cuDriverGetVersion(int* version);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuGetErrorName")]
    public static partial CuResult cuGetErrorName(CuResult error, byte** name);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGetCount")]
    public static partial CuResult cuDeviceGetCount(int* count);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGet")]
    public static partial CuResult cuDeviceGet(int* device, int ordinal);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGetName")]
    public static partial CuResult cuDeviceGetName(byte* name, int length, int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGetAttribute")]
    public static partial CuResult cuDeviceGetAttribute(int* value, int attribute, int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDevicePrimaryCtxRetain")]
    public static partial CuResult cuDevicePrimaryCtxRetain(IntPtr* context, int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    public static partial CuResult cuDevicePrimaryCtxRelease(int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuCtxSetCurrent")]
    public static partial CuResult cuCtxSetCurrent(IntPtr context);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuCtxSynchronize")]
    public static partial CuResult cuCtxSynchronize();

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemAlloc_v2")]
    public static partial CuResult cuMemAlloc(ulong* address, nuint bytes);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemFree_v2")]
    public static partial CuResult cuMemFree(ulong address);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemsetD8_v2")]
    public static partial CuResult cuMemsetD8(ulong address, byte value, nuint count);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemsetD8Async")]
    public static partial CuResult cuMemsetD8Async(ulong address, byte value, nuint count, IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemcpyHtoD_v2")]
    public static partial CuResult cuMemcpyHtoD(ulong destination, void* source, nuint bytes);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemcpyHtoDAsync_v2")]
    public static partial CuResult cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemcpyDtoH_v2")]
    public static partial CuResult cuMemcpyDtoH(void* destination, ulong source, nuint bytes);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemcpyDtoHAsync_v2")]
    public static partial CuResult cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemAllocHost_v2")]
    public static partial CuResult cuMemAllocHost(void** pointer, nuint bytes);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemFreeHost")]
    public static partial CuResult cuMemFreeHost(void* pointer);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamCreate")]
    public static partial CuResult cuStreamCreate(IntPtr* stream, uint flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamGetFlags")]
    public static partial CuResult cuStreamGetFlags(IntPtr stream, uint* flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamDestroy_v2")]
    public static partial CuResult cuStreamDestroy(IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamSynchronize")]
    public static partial CuResult cuStreamSynchronize(IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamWaitEvent")]
    public static partial CuResult cuStreamWaitEvent(IntPtr stream, IntPtr evt, uint flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventCreate")]
    public static partial CuResult cuEventCreate(IntPtr* evt, uint flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventRecord")]
    public static partial CuResult cuEventRecord(IntPtr evt, IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventSynchronize")]
    public static partial CuResult cuEventSynchronize(IntPtr evt);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventElapsedTime")]
    public static partial CuResult cuEventElapsedTime(float* milliseconds, IntPtr start, IntPtr end);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventDestroy_v2")]
    public static partial CuResult cuEventDestroy(IntPtr evt);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleLoadData")]
    public static partial CuResult cuModuleLoadData(IntPtr* module, void* image);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleLoadDataEx")]
    public static partial CuResult cuModuleLoadDataEx(IntPtr* module, void* image, uint optionCount, int* options, void** optionValues);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleUnload")]
    public static partial CuResult cuModuleUnload(IntPtr module);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleGetFunction")]
    public static partial CuResult cuModuleGetFunction(IntPtr* function, IntPtr module, byte* name);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuFuncSetAttribute")]
    public static partial CuResult cuFuncSetAttribute(IntPtr function, int attribute, int value);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuLaunchKernel")]
    public static partial CuResult cuLaunchKernel(IntPtr function,
        uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedBytes, IntPtr stream, void** args, void** extra);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamBeginCapture_v2")]
    public static partial CuResult cuStreamBeginCapture(IntPtr stream, int mode);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamEndCapture")]
    public static partial CuResult cuStreamEndCapture(IntPtr stream, IntPtr* graph);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuGraphInstantiateWithFlags")]
    public static partial CuResult cuGraphInstantiateWithFlags(IntPtr* graphExec, IntPtr graph, ulong flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuGraphLaunch")]
    public static partial CuResult cuGraphLaunch(IntPtr graphExec, IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuGraphDestroy")]
    public static partial CuResult cuGraphDestroy(IntPtr graph);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuGraphExecDestroy")]
    public static partial CuResult cuGraphExecDestroy(IntPtr graphExec);
}
