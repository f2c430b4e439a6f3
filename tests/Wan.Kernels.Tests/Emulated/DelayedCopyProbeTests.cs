using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// The slow reader of the copy-stream tests (<c>probe_delayed_copy</c>, kernels/cuda/test/streams.cu) copies what it
/// is given — n not a multiple of the block, from an offset — so on a GPU a wrong value can only come from an upload
/// racing it (the emulator has no clock: it does not spin).
/// </summary>
[Category("Emulated")]
public sealed unsafe class DelayedCopyProbeTests
{
    [Test]
    public void ItCopiesEveryElementFromTheOffsetItIsGiven()
    {
        var random = NewRandom();
        const int total = 1301, offset = 37, n = 1237;
        var source = Enumerable.Range(0, total).Select(_ => random.Next()).ToArray();
        using var din = DeviceArrays.UploadBytes<int>(Emulator, source);
        using var dout = DeviceArrays.Poisoned(Emulator, n + 1, ElementType.F32);
        ulong from = din.Address + 4UL * offset, to = dout.Address;
        int count = n;
        long spin = 1_000_000;
        void** args = stackalloc void*[] { &from, &to, &count, &spin };
        Emulator.Launch("probe_delayed_copy", new Dim3(1), new Dim3(256), 0, args);
        var seen = DeviceArrays.DownloadBytes<int>(Emulator, dout, n + 1);
        Assert.Multiple(() =>
        {
            Assert.That(seen[..n], Is.EqualTo(source[offset..(offset + n)]));
            Assert.That(seen[n], Is.EqualTo(-1), "nothing written past n");
        });
    }
}
