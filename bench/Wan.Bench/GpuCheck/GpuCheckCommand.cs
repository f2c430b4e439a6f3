using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Wan.Bench.Profile;
using Wan.Kernels.Compile;
using Wan.Kernels.Device;
using Wan.Kernels.Interop;
using Wan.Kernels.Ops;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Bench.GpuCheck;

/// <summary>
/// <c>gpu-check --report FILE [--layers N] [--tests TEXT]</c>: the measurements of scripts/gpu-check.sh on a
/// real GPU, written as JSON (to a temp name, then renamed): the attention kernel at the 480p and 720p workloads
/// (Wan2.2-A14B: 32,760 tokens = 21 latent frames × 30 × 52, or 75,600 = 21 × 45 × 80; 40 heads of 128, bf16) in
/// TFLOP/s, the 480p one next to a cuBLAS bf16 GEMM of the same FLOPs; one CFG-less DiT forward of an A14B-shaped
/// expert with N layers (default 2, random bf16 weights) at 480p and at 720p, and with 4 layers at 720p resident and
/// streamed through the two block slots; one A14B block uploaded on the copy stream, alone and beside
/// compute (<see cref="UploadOverlap"/>: the PCIe rate and the hidden fraction weight streaming assumes); the 720p × 81
/// VAE decode, whole and tiled for 2 GB, its time and peak beside the dry run's peak (<see cref="VaeDecodeCheck"/>); and whether WAN_CUDA_SYNC=1 names a kernel that traps (in a
/// child process: a trap destroys the CUDA context). Exit 3 with one line when no GPU can be opened.
/// <c>gpu-check --fault-probe</c> is that child: it launches <c>probe_trap</c> and exits 0 when the error names it.
/// </summary>
public static class GpuCheckCommand
{
    private const int Heads = 40, HeadDim = 128, TextTokens = 512;

    /// <summary>The A14B latent of 81 frames: 21 latent frames of 60 × 104 (480p, 32,760 tokens) or 90 × 160 (720p, 75,600 tokens).</summary>
    private sealed record Latent(int Frames, int Height, int Width)
    {
        public int Tokens => Frames * (Height / 2) * (Width / 2);

        /// <summary>QKᵀ and P·V: 2 · 2 · L² · heads · head_dim.</summary>
        public double AttentionFlops => 4.0 * Tokens * (double)Tokens * Heads * HeadDim;
    }

    private static readonly Latent P480 = new(21, 60, 104), P720 = new(21, 90, 160);

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--fault-probe"))
        {
            return FaultProbe();
        }
        string report = Option(args, "--report") ?? throw new ArgumentException("gpu-check: --report FILE is required");
        int layers = int.Parse(Option(args, "--layers") ?? "2", CultureInfo.InvariantCulture);
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Console.Error.WriteLine($"gpu-check: no usable CUDA device: {reason}");
            return 3;
        }
        var results = new Dictionary<string, object?>
        {
            ["machine"] = Environment.MachineName,
            ["utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["gpu_tests"] = Option(args, "--tests"),
        };
        using (var device = new CudaDevice(kernels: KernelSources.AllKernels))
        {
            results["device"] = device.Name;
            results["kernel_target"] = device.Target.ToString();
            results["attention_480p"] = TimeAttention(device, P480);
            results["gemm_same_flops"] = TimeGemm(device, P480.AttentionFlops);
            results["dit_forward_480p"] = TimeForward(device, layers, P480);
            results["attention_720p"] = TimeAttention(device, P720);
            results["dit_forward_720p"] = TimeForward(device, layers, P720);
            // Four layers through the two block slots, so every forward uploads every block: the overlap weight
            // streaming claims, measured beside the same four layers resident.
            results["dit_forward_720p_4_layers_resident"] = TimeForward(device, 4, P720);
            results["dit_forward_720p_4_layers_streamed"] = TimeForward(device, 4, P720, streamed: true);
            results["upload_a14b_block"] = UploadOverlap.Measure(device);
            results["vae_decode_720p"] = VaeDecodeCheck.MeasureOrExplain(device);
        }
        results["cuda_sync_names_faulting_kernel"] = RunFaultProbe();
        var temporary = report + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, report, overwrite: true);
        Console.WriteLine(File.ReadAllText(report));
        return 0;
    }

    private static Dictionary<string, object> TimeAttention(CudaDevice device, Latent size)
    {
        int tokens = size.Tokens;
        long elements = (long)tokens * Heads * HeadDim;
        using var q = Random(device, elements);
        using var k = Random(device, elements);
        using var v = Random(device, elements);
        using var output = device.Allocate(2 * elements);
        float scale = 1f / MathF.Sqrt(HeadDim);
        void Once() => AttentionOps.Attention(device, ElementType.BF16, q, k, v, null, output, tokens, tokens, tokens, Heads, HeadDim, scale);
        Once();
        device.Synchronize();
        const int repeats = 3;
        double milliseconds = device.Time(() =>
        {
            for (int i = 0; i < repeats; i++)
            {
                Once();
            }
        }) / (double)repeats;
        return new()
        {
            ["tokens"] = tokens,
            ["heads"] = Heads,
            ["head_dim"] = HeadDim,
            ["flops"] = size.AttentionFlops,
            ["ms"] = milliseconds,
            ["tflops_per_s"] = size.AttentionFlops / (milliseconds * 1e9),
        };
    }

    /// <summary>A square bf16 GEMM (fp32 accumulation) whose 2·n³ FLOPs match <paramref name="flops"/> (n a multiple of 128).</summary>
    private static Dictionary<string, object> TimeGemm(CudaDevice device, double flops)
    {
        int n = Math.Max(128, (int)Math.Round(Math.Cbrt(flops / 2) / 128) * 128);
        using var a = Random(device, (long)n * n);
        using var b = Random(device, (long)n * n);
        using var c = device.Allocate(2L * n * n);
        var gemm = new GemmDesc(false, false, n, n, n, 1f, a.Address, n, 0, b.Address, n, 0, 0f, c.Address, n, 0, 1, GemmType.BF16, GemmType.BF16);
        device.Gemm(gemm);
        device.Synchronize();
        const int repeats = 3;
        double milliseconds = device.Time(() =>
        {
            for (int i = 0; i < repeats; i++)
            {
                device.Gemm(gemm);
            }
        }) / (double)repeats;
        double done = 2.0 * n * (double)n * n;
        return new() { ["m_n_k"] = n, ["flops"] = done, ["ms"] = milliseconds, ["tflops_per_s"] = done / (milliseconds * 1e9) };
    }

    private static Dictionary<string, object> TimeForward(CudaDevice device, int layers, Latent size, bool streamed = false)
    {
        var shape = SyntheticDit.Wan22A14B(layers);
        var directory = Path.Combine(Path.GetTempPath(), $"wan-gpu-check-a14b-{layers}l-bf16");
        if (!File.Exists(Path.Combine(directory, "diffusion_pytorch_model.safetensors")))
        {
            shape.Write(directory, seed: 7);
        }
        using var backend = new CudaBackend(device, DType.BF16);
        var load = Stopwatch.StartNew();
        using var dit = streamed ? WanTransformer.LoadStreamed(backend, directory, null) : WanTransformer.Load(backend, directory);
        load.Stop();
        var random = new Random(11);
        float[] Noise(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => random.NextSingle() * 2 - 1)];
        using var latent = backend.FromHost(Noise(16L * size.Frames * size.Height * size.Width), new Shape(16, size.Frames, size.Height, size.Width));
        using var context = backend.FromHost(Noise((long)TextTokens * shape.TextDim), new Shape(TextTokens, shape.TextDim));
        using var text = dit.PrepareText(context);
        using (dit.Forward(latent, 999, text))
        {
            device.Synchronize(); // warm-up: kernels loaded, memory pools grown
        }
        long uploadsBefore = dit.Streamer?.Uploads ?? 0, bytesBefore = dit.Streamer?.UploadedBytes ?? 0;
        var timer = Stopwatch.StartNew();
        using (dit.Forward(latent, 999, text))
        {
            device.Synchronize();
            timer.Stop();
        }
        return new()
        {
            ["streamed"] = streamed,
            ["block_uploads"] = (dit.Streamer?.Uploads ?? 0) - uploadsBefore,
            ["uploaded_bytes"] = (dit.Streamer?.UploadedBytes ?? 0) - bytesBefore,
            ["layers"] = layers,
            ["tokens"] = size.Tokens,
            ["load_s"] = load.Elapsed.TotalSeconds,
            ["forward_s"] = timer.Elapsed.TotalSeconds,
            ["per_layer_s"] = timer.Elapsed.TotalSeconds / layers,
        };
    }

    /// <summary>Runs <c>--fault-probe</c> in a child process with WAN_CUDA_SYNC=1; returns its verdict and message.</summary>
    private static Dictionary<string, object> RunFaultProbe()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        var entry = Environment.GetCommandLineArgs()[0];
        if (entry.EndsWith(".dll", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(entry);
        }
        start.ArgumentList.Add("gpu-check");
        start.ArgumentList.Add("--fault-probe");
        start.Environment[CudaDevice.SyncVariable] = "1";
        using var child = Process.Start(start) ?? throw new InvalidOperationException("gpu-check: cannot start the fault probe");
        var output = child.StandardOutput.ReadToEnd() + child.StandardError.ReadToEnd();
        child.WaitForExit();
        return new() { ["passed"] = child.ExitCode == 0, ["message"] = output.Trim() };
    }

    private static unsafe int FaultProbe()
    {
        using var device = new CudaDevice(kernels: KernelSources.AllKernels);
        if (!device.SynchronizesEveryLaunch)
        {
            Console.WriteLine($"the fault probe needs {CudaDevice.SyncVariable}=1");
            return 1;
        }
        using var output = device.Allocate(64);
        ulong address = output.Address;
        int trap = 1;
        void** args = stackalloc void*[] { &address, &trap };
        try
        {
            device.Launch("probe_trap", new Dim3(1), new Dim3(16), 0, args);
        }
        catch (CudaException e)
        {
            Console.WriteLine(e.Message);
            return e.Message.Contains("probe_trap", StringComparison.Ordinal) ? 0 : 1;
        }
        Console.WriteLine("probe_trap's launch returned without an error");
        return 1;
    }

    private static DeviceBuffer Random(CudaDevice device, long elements)
    {
        // A pool of random bf16 values repeated: building a billion of them one by one would cost seconds.
        var random = new Random(5);
        var pool = new ushort[1 << 20];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = Wan.Kernels.Numerics.FloatCodec.FloatToBF16(random.NextSingle() - 0.5f);
        }
        var bits = new ushort[elements];
        for (long i = 0; i < elements; i += pool.Length)
        {
            pool.AsSpan(0, (int)Math.Min(pool.Length, elements - i)).CopyTo(bits.AsSpan((int)i));
        }
        var buffer = device.Allocate(2 * elements);
        device.CopyToDevice(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()), buffer);
        return buffer;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
