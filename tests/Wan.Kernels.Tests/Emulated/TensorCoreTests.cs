using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// The tensor-core helpers of kernels/cuda/mma.cuh against plain matrix products: the fragment
/// layouts of mma.m16n8k16 and ldmatrix.x4 (PTX ISA) must put every element where the product needs it.
/// </summary>
[Category("Emulated")]
public sealed unsafe class TensorCoreTests
{
    [TestCase(ElementType.BF16, "probe_mma_bf16")]
    [TestCase(ElementType.F16, "probe_mma_f16")]
    [TestCase(ElementType.BF16, "probe_mma_ldmatrix_bf16")]
    public void MmaM16N8K16MatchesAPlainProduct(ElementType type, string kernel)
    {
        var random = NewRandom();
        var a = Representable(Uniform(random, 16 * 16), DeviceArrays.ToDType(type)); // [16, 16] row-major
        var b = Representable(Uniform(random, 8 * 16), DeviceArrays.ToDType(type));  // [8, 16]: B stored N x K
        var c = Uniform(random, 16 * 8);
        using var da = DeviceArrays.Upload(Emulator, a, type);
        using var db = DeviceArrays.Upload(Emulator, b, type);
        using var dc = DeviceArrays.Upload(Emulator, c, ElementType.F32);
        using var dd = DeviceArrays.Poisoned(Emulator, 16 * 8, ElementType.F32);
        ulong pa = da.Address, pb = db.Address, pc = dc.Address, pd = dd.Address;
        void** args = stackalloc void*[] { &pa, &pb, &pc, &pd };
        Emulator.Launch(kernel, new Dim3(1), new Dim3(32), 0, args);

        var expected = new float[16 * 8];
        for (int m = 0; m < 16; m++)
        {
            for (int n = 0; n < 8; n++)
            {
                double sum = c[m * 8 + n];
                for (int k = 0; k < 16; k++)
                {
                    sum += (double)a[m * 16 + k] * b[n * 16 + k];
                }
                expected[m * 8 + n] = (float)sum;
            }
        }
        AssertClose(DeviceArrays.Download(Emulator, dd, 16 * 8, ElementType.F32), expected, 1e-6, kernel);
    }

    [Test]
    public void LdmatrixX4DealsRowsToLanesAsThePtxLayoutSays()
    {
        var random = NewRandom();
        var m = new ushort[16 * 16];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = (ushort)random.Next(0, 65536);
        }
        using var dm = DeviceArrays.UploadBytes<ushort>(Emulator, m);
        using var dout = Emulator.Allocate(32 * 4 * 4);
        Emulator.Memset(dout, 0xFF);
        ulong pm = dm.Address, po = dout.Address;
        void** args = stackalloc void*[] { &pm, &po };
        Emulator.Launch("probe_ldmatrix_x4", new Dim3(1), new Dim3(32), 0, args);
        var registers = DeviceArrays.DownloadBytes<uint>(Emulator, dout, 32 * 4);

        // Matrix i is the 8x8 tile at rows 8·(i % 2), columns 8·(i / 2) (the lanes' addresses);
        // register i of lane l holds its row l / 4, columns 2·(l % 4) and 2·(l % 4) + 1.
        for (int lane = 0; lane < 32; lane++)
        {
            for (int i = 0; i < 4; i++)
            {
                int row = 8 * (i % 2) + lane / 4, col = 8 * (i / 2) + 2 * (lane % 4);
                uint expected = m[row * 16 + col] | (uint)m[row * 16 + col + 1] << 16;
                Assert.That(registers[lane * 4 + i], Is.EqualTo(expected), $"lane {lane}, register {i}");
            }
        }
    }
}
