using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>The launcher refuses operands the tensor-core kernel cannot copy with 16-byte cp.async, naming the operand.</summary>
[Category("Emulated")]
public sealed class AttentionLaunchTests
{
    /// <summary>A view 2 bytes into a real allocation: a valid address that is not 16-byte aligned.</summary>
    private sealed class OffsetView(DeviceBuffer inner, int offset) : DeviceBuffer(inner.Device, inner.Address + (ulong)offset, inner.Bytes - offset)
    {
        protected override void Dispose(bool disposing)
        {
        }
    }

    [Test]
    public void MisalignedOperandsAreNamed()
    {
        const int tokens = 8, heads = 1, headDim = 64;
        using var q = DeviceArrays.Poisoned(Emulator, tokens * headDim + 8, ElementType.BF16);
        using var k = DeviceArrays.Poisoned(Emulator, tokens * headDim, ElementType.BF16);
        using var v = DeviceArrays.Poisoned(Emulator, tokens * headDim, ElementType.BF16);
        using var o = DeviceArrays.Poisoned(Emulator, tokens * headDim, ElementType.BF16);
        using var shifted = new OffsetView(q, 2);
        Assert.That(() => AttentionOps.Attention(Emulator, ElementType.BF16, shifted, k, v, null, o, tokens, tokens, tokens, heads, headDim, 0.125f),
            Throws.ArgumentException.With.Message.Contains("attention: q at 0x").And.Message.Contains("is not 16-byte aligned"));
    }
}
