using Wan.Kernels.Device;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// The emulation of the helpers the attention kernel needs beyond mma.sync (kernels/cuda/mma.cuh):
/// ldmatrix.x4.trans deals the transposed 8×8 matrices as the PTX ISA says, and cp.async lands its
/// copies only at the thread's wait_group (zero-filling past src_bytes), so a kernel that reads before
/// waiting sees stale shared memory here instead of passing by luck.
/// </summary>
[Category("Emulated")]
public sealed unsafe class AttentionHelperTests
{
    [Test]
    public void LdmatrixX4TransDealsTransposedMatrices()
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
        Emulator.Launch("probe_ldmatrix_x4_trans", new Dim3(1), new Dim3(32), 0, args);
        var registers = DeviceArrays.DownloadBytes<uint>(Emulator, dout, 32 * 4);

        // Matrix i is the 8x8 tile at rows 8·(i % 2), columns 8·(i / 2); transposed, register i of
        // lane l holds its rows 2·(l % 4) and 2·(l % 4) + 1 at column l / 4.
        for (int lane = 0; lane < 32; lane++)
        {
            for (int i = 0; i < 4; i++)
            {
                int row = 8 * (i % 2) + 2 * (lane % 4), col = 8 * (i / 2) + lane / 4;
                uint expected = m[row * 16 + col] | (uint)m[(row + 1) * 16 + col] << 16;
                Assert.That(registers[lane * 4 + i], Is.EqualTo(expected), $"lane {lane}, register {i}");
            }
        }
    }

    [Test]
    public void CpAsyncLandsAtTheWaitAndZeroFills()
    {
        var random = NewRandom();
        var source = new ushort[32 * 8];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (ushort)random.Next(1, 65535);
        }
        using var dsrc = DeviceArrays.UploadBytes<ushort>(Emulator, source);
        using var dout = Emulator.Allocate(2 * 32 * 4);
        Emulator.Memset(dout, 0xAB);
        ulong ps = dsrc.Address, po = dout.Address;
        void** args = stackalloc void*[] { &ps, &po };
        Emulator.Launch("probe_cp_async", new Dim3(1), new Dim3(32), 32 * 16, args);
        var words = DeviceArrays.DownloadBytes<uint>(Emulator, dout, 2 * 32);
        for (int lane = 0; lane < 32; lane++)
        {
            uint copied = lane < 16 ? source[8 * lane] | (uint)source[8 * lane + 1] << 16 : 0u;
            Assert.That(words[lane], Is.EqualTo(0xFFFFFFFFu), $"lane {lane}: read before the wait sees the poisoned shared memory");
            Assert.That(words[32 + lane], Is.EqualTo(copied), $"lane {lane}: after the wait");
        }
    }
}
