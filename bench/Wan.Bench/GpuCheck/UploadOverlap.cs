using System.Diagnostics;
using Wan.Kernels.Device;

namespace Wan.Bench.GpuCheck;

/// <summary>
/// What the PCIe model of weight streaming assumes and gpu-check measures (docs/weight-streaming.md): the rate of one
/// A14B transformer block (351,394,304 bf16 parameters = 702.8 MB) uploaded from page-locked staging on the copy
/// stream, and how much of that copy hides behind compute queued at the same time on the compute stream (a bf16 GEMM
/// repeated to last about as long as the copy). Host wall-clock times (the tickets' events carry no timestamps),
/// median of three.
/// </summary>
internal static class UploadOverlap
{
    private const long BlockBytes = 351_394_304L * 2;
    private const int GemmSize = 8192;
    private const int Repeats = 3;

    /// <summary>Measures on <paramref name="device"/>; the JSON fields are named with their units.</summary>
    public static Dictionary<string, object> Measure(CudaDevice device)
    {
        using var staging = device.AllocateStaging(BlockBytes);
        staging.Span.Fill(0x3C); // the bytes do not change a copy's speed; filling them pages the memory in
        using var slot = device.Allocate(BlockBytes);
        long matrix = 2L * GemmSize * GemmSize;
        using var a = device.Allocate(matrix);
        using var b = device.Allocate(matrix);
        using var c = device.Allocate(matrix);
        device.Memset(a, 0x3C);
        device.Memset(b, 0x3C);
        var gemm = new GemmDesc(false, false, GemmSize, GemmSize, GemmSize, 1f, a.Address, GemmSize, 0, b.Address, GemmSize, 0, 0f,
            c.Address, GemmSize, 0, 1, GemmType.BF16, GemmType.BF16);

        void Copy()
        {
            using var ticket = device.Upload(staging, 0, slot, 0, BlockBytes);
            device.WaitOnHost(ticket);
        }
        Copy();
        device.Gemm(gemm); // warm-up: cuBLAS picks its kernel at the first call
        device.Synchronize();
        double copyMs = Median(Copy);
        double gemmMs = device.Time(() => device.Gemm(gemm));
        int gemms = Math.Max(1, (int)Math.Ceiling(copyMs / Math.Max(gemmMs, 1e-3)));
        void Compute()
        {
            for (int i = 0; i < gemms; i++)
            {
                device.Gemm(gemm);
            }
            device.Synchronize();
        }
        double computeMs = Median(Compute);
        double bothMs = Median(() =>
        {
            for (int i = 0; i < gemms; i++)
            {
                device.Gemm(gemm);
            }
            using var ticket = device.Upload(staging, 0, slot, 0, BlockBytes);
            device.WaitOnHost(ticket);
            device.Synchronize();
        });
        double hidden = Math.Clamp((copyMs + computeMs - bothMs) / Math.Min(copyMs, computeMs), 0, 1);
        return new()
        {
            ["block_bytes"] = BlockBytes,
            ["copy_ms"] = copyMs,
            ["copy_gb_per_s"] = BlockBytes / (copyMs * 1e6),
            ["compute_ms"] = computeMs,
            ["gemms"] = gemms,
            ["copy_and_compute_ms"] = bothMs,
            ["copy_hidden_fraction"] = hidden,
        };
    }

    private static double Median(Action work)
    {
        var times = new double[Repeats];
        for (int i = 0; i < Repeats; i++)
        {
            var timer = Stopwatch.StartNew();
            work();
            times[i] = timer.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[Repeats / 2];
    }
}
