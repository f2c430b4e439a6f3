using System.Reflection;
using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Tests.Interop;

/// <summary>
/// Every [LibraryImport] of the CUDA bindings names an export of the installed library
/// (.ci/install-cuda-libs.sh), so a typo or a symbol missing from CUDA 11 fails here, not on a GPU.
/// </summary>
public class EntryPointTests
{
    public static IEnumerable<TestCaseData> BoundEntryPoints() =>
        new[] { typeof(CudaDriver), typeof(Nvrtc), typeof(Cublas) }
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (Method: m, Import: m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(x => x.Import is not null)
            .Select(x => new TestCaseData(x.Import!.LibraryName, x.Import.EntryPoint ?? x.Method.Name)
                .SetName($"{x.Import.LibraryName}:{x.Import.EntryPoint ?? x.Method.Name}"));

    [Test]
    public void AllTheRequestedEntryPointsAreBound()
    {
        var bound = BoundEntryPoints().Select(c => (string)c.Arguments[1]!).ToHashSet();
        string[] required =
        [
            "cuInit", "cuDriverGetVersion", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName", "cuDeviceGetAttribute",
            "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent", "cuCtxSynchronize",
            "cuMemAlloc_v2", "cuMemFree_v2", "cuMemsetD8_v2", "cuMemsetD8Async", "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2",
            "cuMemcpyDtoHAsync_v2", "cuMemAllocHost_v2", "cuMemFreeHost", "cuStreamCreate", "cuStreamGetFlags", "cuStreamDestroy_v2",
            "cuStreamSynchronize", "cuEventCreate", "cuEventRecord", "cuEventSynchronize", "cuEventElapsedTime",
            "cuEventDestroy_v2", "cuModuleLoadData", "cuModuleLoadDataEx", "cuModuleUnload", "cuModuleGetFunction",
            "cuFuncSetAttribute", "cuLaunchKernel", "cuStreamBeginCapture_v2", "cuStreamEndCapture",
            "cuGraphInstantiateWithFlags", "cuGraphLaunch", "cuGraphDestroy", "cuGraphExecDestroy", "cuGetErrorName",
            "nvrtcVersion", "nvrtcCreateProgram", "nvrtcCompileProgram", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog",
            "nvrtcGetPTXSize", "nvrtcGetPTX", "nvrtcGetCUBINSize", "nvrtcGetCUBIN", "nvrtcDestroyProgram", "nvrtcGetErrorString",
            "cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSetWorkspace_v2", "cublasSetMathMode", "cublasGemmEx", "cublasGemmStridedBatchedEx",
        ];
        Assert.That(required.Where(r => !bound.Contains(r)), Is.Empty, "requested entry points without a binding");
    }

    [TestCaseSource(nameof(BoundEntryPoints))]
    public void EntryPointIsExportedByTheInstalledLibrary(string library, string entryPoint)
    {
        var handle = NativeLibraries.Load(library);
        Assert.That(NativeLibrary.TryGetExport(handle, entryPoint, out var address) && address != IntPtr.Zero,
            $"{entryPoint} is not exported by the library behind {library}");
    }
}
