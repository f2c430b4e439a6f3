using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>
/// The one place every CUDA/NVRTC/cuBLAS return code goes through: a failure becomes an exception
/// naming the function (taken from the call expression) and the code's name.
/// </summary>
internal static unsafe class NativeCheck
{
    public static void Check(CuResult code, [CallerArgumentExpression(nameof(code))] string expression = "")
    {
        if (code == CuResult.Success)
        {
            return;
        }
        var function = FunctionOf(expression);
        var name = CuResultName(code);
        throw code == CuResult.NoDevice
            ? new NoCudaDeviceException(function, (int)code, name)
            : new CudaException(function, (int)code, name);
    }

    /// <summary>Checks an NVRTC result; <paramref name="log"/> is attached to the exception (the program log of a failed compile).</summary>
    public static void Check(NvrtcResult code, [CallerArgumentExpression(nameof(code))] string expression = "", string? log = null)
    {
        if (code != NvrtcResult.Success)
        {
            throw new NvrtcException(FunctionOf(expression), (int)code, NvrtcResultName(code), log);
        }
    }

    public static void Check(CublasStatus code, [CallerArgumentExpression(nameof(code))] string expression = "")
    {
        if (code != CublasStatus.CUBLAS_STATUS_SUCCESS)
        {
            var name = Enum.IsDefined(code) ? code.ToString() : $"CUBLAS_STATUS_{(int)code}";
            throw new CublasException(FunctionOf(expression), (int)code, name);
        }
    }

    /// <summary>"CudaDriver.cuMemAlloc(&amp;p, n)" → "cuMemAlloc".</summary>
    internal static string FunctionOf(string expression)
    {
        var call = expression.Split('(', 2)[0];
        return call[(call.LastIndexOf('.') + 1)..].Trim();
    }

    internal static string CuResultName(CuResult code)
    {
        byte* name = null;
        return CudaDriver.cuGetErrorName(code, &name) == CuResult.Success && name != null
            ? Marshal.PtrToStringUTF8((IntPtr)name) ?? $"CUresult {(int)code}"
            : $"CUresult {(int)code}";
    }

    internal static string NvrtcResultName(NvrtcResult code)
    {
        var name = Nvrtc.nvrtcGetErrorString(code);
        return name == null ? $"nvrtcResult {(int)code}" : Marshal.PtrToStringUTF8((IntPtr)name) ?? $"nvrtcResult {(int)code}";
    }
}
