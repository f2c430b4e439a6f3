using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// The emulator's memory and collective checks, each proven by a probe it must flag and by a correct
/// use it must pass: shuffles reading lanes outside their mask, static shared memory poisoned per block,
/// ldmatrix (x1/x2/x4, .trans) alignment and shared-memory checks and fragment layout, cp.async checks,
/// and — in the UBSan build only — misaligned vector loads.
/// </summary>
[Category("Emulated")]
public sealed unsafe class EmulatorChecksTests
{
    [Test]
    public void AShuffleReadingALaneOutsideItsMaskIsAnErrorNamingTheKernel()
    {
        var random = NewRandom();
        var input = Enumerable.Range(0, 32).Select(_ => random.Next(1, 1 << 30)).ToArray();
        using var din = DeviceArrays.UploadBytes<int>(Emulator, input);
        using var dout = DeviceArrays.Poisoned(Emulator, 32, ElementType.F32);
        ulong pi = din.Address, po = dout.Address;
        int inside = 5, outside = 20;
        void** args = stackalloc void*[] { &pi, &po, &inside };
        Emulator.Launch("probe_shuffle_outside_mask", new Dim3(1), new Dim3(32), 0, args);
        Assert.That(DeviceArrays.DownloadBytes<int>(Emulator, dout, 16), Has.All.EqualTo(input[5]));

        args[2] = &outside;
        var error = Assert.Throws<EmulatedLaunchException>(() => Emulator.Launch("probe_shuffle_outside_mask", new Dim3(1), new Dim3(32), 0, args));
        Assert.That(error!.Message, Does.StartWith("kernel 'probe_shuffle_outside_mask': warp shuffle at hazards.cu:")
            .And.Contain("lane 0 reads lane 20, which is not in the mask 0x0000ffff"));
    }

    [Test]
    public void StaticSharedMemoryIsPoisonedAtTheStartOfEveryBlock()
    {
        const int blocks = 13, threads = 64; // more blocks than emulator threads: each runs several
        using var dout = Emulator.Allocate(4L * blocks * threads);
        Emulator.Memset(dout, 0);
        ulong po = dout.Address;
        void** args = stackalloc void*[] { &po };
        Emulator.Launch("probe_static_shared_poison", new Dim3(blocks), new Dim3(threads), 0, args);
        var seen = DeviceArrays.DownloadBytes<uint>(Emulator, dout, blocks * threads);
        Assert.That(seen, Has.All.EqualTo(0xFFFFFFFFu), "every block must see NaN bytes, not the previous block's 0x12345678 + t");
    }

    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(4, false)]
    [TestCase(1, true)]
    [TestCase(2, true)]
    [TestCase(4, true)]
    public void LdmatrixDealsTheFragmentsThePtxIsaSpecifies(int count, bool trans)
    {
        var random = NewRandom();
        var m = Enumerable.Range(0, 256).Select(_ => (ushort)random.Next(1, 65536)).ToArray();
        using var dm = DeviceArrays.UploadBytes<ushort>(Emulator, m);
        using var dout = DeviceArrays.Poisoned(Emulator, 32 * 4, ElementType.F32);
        var registers = Ldmatrix(dm, dout, count, trans ? 1 : 0, rowOffset: 0, fromGlobal: 0);
        for (int lane = 0; lane < 32; lane++)
        {
            int g = lane / 4, t = lane % 4;
            for (int i = 0; i < 4; i++)
            {
                // Matrix i: rows 8 (i % 2).., columns 8 (i / 2).. of m (lane l addressed row l % 16, column 8 (l / 16)).
                ushort At(int r, int c) => m[(8 * (i % 2) + r) * 16 + 8 * (i / 2) + c];
                uint expected = i >= count ? 0u
                    : trans ? At(2 * t, g) | ((uint)At(2 * t + 1, g) << 16)
                    : At(g, 2 * t) | ((uint)At(g, 2 * t + 1) << 16);
                Assert.That(registers[lane * 4 + i], Is.EqualTo(expected), $"lane {lane} register {i}");
            }
        }
    }

    [TestCase(4, 0, "is not 16-byte aligned")]
    [TestCase(8, 0, "is not 16-byte aligned")]
    [TestCase(0, 1, "is not in shared memory")]
    public void LdmatrixRefusesMisalignedRowsAndRowsOutsideSharedMemory(int rowOffset, int fromGlobal, string problem)
    {
        using var dm = DeviceArrays.UploadBytes<ushort>(Emulator, new ushort[264]);
        using var dout = DeviceArrays.Poisoned(Emulator, 32 * 4, ElementType.F32);
        var error = Assert.Throws<EmulatedLaunchException>(() => Ldmatrix(dm, dout, 4, 0, rowOffset, fromGlobal));
        Assert.That(error!.Message, Does.StartWith("kernel 'probe_ldmatrix': ldmatrix.x4 at hazards.cu:").And.Match("lane [0-9]+'s row address 0x[0-9a-f]+ " + problem));
    }

    [Test]
    public void CpAsyncRefusesAMisalignedSource()
    {
        using var dx = DeviceArrays.Upload(Emulator, [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], ElementType.F32);
        using var dy = DeviceArrays.Poisoned(Emulator, 1, ElementType.F32);
        ulong px = dx.Address, py = dy.Address;
        void** args = stackalloc void*[] { &px, &py };
        var error = Assert.Throws<EmulatedLaunchException>(() => Emulator.Launch("probe_cp_async_misaligned", new Dim3(1), new Dim3(1), 0, args));
        Assert.That(error!.Message, Does.Contain("cp.async.cg of 16 bytes at hazards.cu:").And.Contain("are not 16-byte aligned"));
    }

    [Test]
    public void AnAlignedVectorLoadReadsFourFloats()
    {
        var values = Uniform(NewRandom(), 12);
        Assert.That(VectorLoad(values, 4), Is.EqualTo(values[4..8]));
    }

    /// <summary>Runs only against the UBSan build (kernels/emu/test-ubsan.sh), which must flag the load.</summary>
    [Test]
    public void TheUbsanBuildFlagsAMisalignedVectorLoad()
    {
        if (EmulatedDevice.LibraryVariant != "ubsan")
        {
            Assert.Ignore($"needs the UBSan build of the emulator (kernels/emu/test-ubsan.sh); this is the {EmulatedDevice.LibraryVariant} build");
        }
        var error = Assert.Throws<EmulatedLaunchException>(() => VectorLoad(Uniform(NewRandom(), 12), 1));
        Assert.That(error!.Message, Does.StartWith("kernel 'probe_vector_load': UndefinedBehaviorSanitizer: ").And.Contain("misaligned").And.Contain("hazards.cu:"));
    }

    private static float[] VectorLoad(float[] values, int offset)
    {
        using var dx = DeviceArrays.Upload(Emulator, values, ElementType.F32);
        using var dy = DeviceArrays.Poisoned(Emulator, 4, ElementType.F32);
        ulong px = dx.Address, py = dy.Address;
        void** args = stackalloc void*[] { &px, &py, &offset };
        Emulator.Launch("probe_vector_load", new Dim3(1), new Dim3(1), 0, args);
        return DeviceArrays.Download(Emulator, dy, 4, ElementType.F32);
    }

    private static uint[] Ldmatrix(DeviceBuffer m, DeviceBuffer output, int count, int trans, int rowOffset, int fromGlobal)
    {
        ulong pm = m.Address, po = output.Address;
        void** args = stackalloc void*[] { &pm, &po, &count, &trans, &rowOffset, &fromGlobal };
        Emulator.Launch("probe_ldmatrix", new Dim3(1), new Dim3(32), 0, args);
        return DeviceArrays.DownloadBytes<uint>(Emulator, output, 32 * 4);
    }
}
