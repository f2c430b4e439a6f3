using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Handles;

/// <summary>An NVRTC program (source + headers); NVRTC needs no device or context.</summary>
internal sealed unsafe class NvrtcProgramHandle : SafeHandle
{
    public NvrtcProgramHandle(IntPtr program) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(program);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var program = handle;
        return Nvrtc.nvrtcDestroyProgram(&program) == NvrtcResult.Success;
    }
}
