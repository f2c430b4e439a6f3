using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Tests.Interop;

/// <summary>Return codes become exceptions naming the function and the code (names from the installed libraries).</summary>
public class NativeCheckTests
{
    [Test]
    public void SuccessDoesNotThrow()
    {
        Assert.DoesNotThrow(() => Check(CuResult.Success));
        Assert.DoesNotThrow(() => Check(NvrtcResult.Success));
        Assert.DoesNotThrow(() => Check(CublasStatus.CUBLAS_STATUS_SUCCESS));
    }

    [Test]
    public void DriverErrorNamesFunctionAndCode()
    {
        var e = Assert.Throws<CudaException>(() => Check((CuResult)1, "CudaDriver.cuMemAlloc(&address, (nuint)bytes)"))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Function, Is.EqualTo("cuMemAlloc"));
            Assert.That(e.CodeName, Is.EqualTo("CUDA_ERROR_INVALID_VALUE"));
            Assert.That(e.Message, Does.Contain("cuMemAlloc").And.Contain("CUDA_ERROR_INVALID_VALUE").And.Contain("(1)"));
        });
    }

    [Test]
    public void NoDeviceCodeBecomesNoCudaDeviceException()
    {
        var e = Assert.Throws<NoCudaDeviceException>(() => Check(CuResult.NoDevice, "CudaDriver.cuInit(0)"))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Function, Is.EqualTo("cuInit"));
            Assert.That(e.CodeName, Is.EqualTo("CUDA_ERROR_NO_DEVICE"));
            Assert.That(e.Message, Does.Contain("no CUDA device"));
        });
    }

    [Test]
    public void NvrtcErrorCarriesNameAndLog()
    {
        var e = Assert.Throws<NvrtcException>(() => Check(NvrtcResult.Compilation, "Nvrtc.nvrtcCompileProgram(p, n, o)", "k.cu(3): error: boom"))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Function, Is.EqualTo("nvrtcCompileProgram"));
            Assert.That(e.CodeName, Is.EqualTo("NVRTC_ERROR_COMPILATION"));
            Assert.That(e.Log, Is.EqualTo("k.cu(3): error: boom"));
            Assert.That(e.Message, Does.Contain("boom"));
        });
    }

    [Test]
    public void CublasErrorNamesStatus()
    {
        var e = Assert.Throws<CublasException>(() => Check(CublasStatus.CUBLAS_STATUS_INVALID_VALUE, "Cublas.cublasGemmEx(h)"))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Function, Is.EqualTo("cublasGemmEx"));
            Assert.That(e.CodeName, Is.EqualTo("CUBLAS_STATUS_INVALID_VALUE"));
        });
        var unknown = Assert.Throws<CublasException>(() => Check((CublasStatus)99, "Cublas.cublasCreate(&h)"))!;
        Assert.That(unknown.CodeName, Is.EqualTo("CUBLAS_STATUS_99"));
    }
}
