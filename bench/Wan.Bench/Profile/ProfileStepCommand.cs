using System.Diagnostics;
using System.Globalization;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Bench.Profile;

/// <summary>
/// <c>profile-step [--layers N] [--frames F] [--height H] [--width W] [--steps S]</c>: one CFG denoising step
/// (two DiT forwards) of a Wan2.1-1.3B-shaped expert with random BF16 weights, mapped from a temp
/// safetensors file, on the CPU backend; prints time and GFLOP/s per op family and peak RSS.
/// Defaults: 30 layers, latent [16, 3, 32, 32] (256×256, 9 frames → 768 tokens), 1 step.
/// </summary>
public static class ProfileStepCommand
{
    private const int TextTokens = 24;

    public static int Run(string[] args)
    {
        // --a14b: the Wan2.2-T2V-A14B block shape instead of Wan2.1-1.3B (default 1 layer: 14B of weights do not fit here).
        bool a14b = args.Contains("--a14b");
        var options = ParseOptions([.. args.Where(a => a != "--a14b")]);
        int layers = options.GetValueOrDefault("--layers", a14b ? 1 : 30), steps = options.GetValueOrDefault("--steps", 1);
        int frames = options.GetValueOrDefault("--frames", 3), height = options.GetValueOrDefault("--height", 32), width = options.GetValueOrDefault("--width", 32);
        var shape = a14b ? SyntheticDit.Wan22A14B(layers) : SyntheticDit.Wan21T2V1_3B(layers);

        var directory = Path.Combine(Path.GetTempPath(), $"wan-bench-dit-{shape.Dim}x{shape.FfnDim}-{layers}l-bf16");
        if (!File.Exists(Path.Combine(directory, "diffusion_pytorch_model.safetensors")))
        {
            var write = Stopwatch.StartNew();
            shape.Write(directory, seed: 7);
            Console.WriteLine($"wrote random BF16 weights to {directory} in {write.Elapsed.TotalSeconds:F1} s");
        }

        var profiler = new ProfilingBackend(new CpuBackend());
        using var backend = profiler;
        var load = Stopwatch.StartNew();
        using var dit = WanTransformer.Load(backend, directory);
        Console.WriteLine($"loaded {layers} layers (dim {shape.Dim}, {shape.Heads} heads, ffn {shape.FfnDim}) in {load.Elapsed.TotalSeconds:F2} s");

        var random = new Random(11);
        float[] Noise(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => random.NextSingle() * 2 - 1)];
        using var latent = backend.FromHost(Noise(16L * frames * height * width), new Shape(16, frames, height, width));
        using var condContext = backend.FromHost(Noise(TextTokens * shape.TextDim), new Shape(TextTokens, shape.TextDim));
        using var uncondContext = backend.FromHost(Noise(TextTokens * shape.TextDim), new Shape(TextTokens, shape.TextDim));
        var prepare = Stopwatch.StartNew();
        using var cond = dit.PrepareText(condContext);
        using var uncond = dit.PrepareText(uncondContext);
        Console.WriteLine($"text context (both prompts, once per video) in {prepare.Elapsed.TotalSeconds:F2} s");

        int tokens = frames * (height / 2) * (width / 2);
        for (int step = 0; step < steps; step++)
        {
            profiler.Reset();
            var timer = Stopwatch.StartNew();
            using (dit.Forward(latent, 999 - step, cond))
            using (dit.Forward(latent, 999 - step, uncond))
            {
                timer.Stop();
            }
            OpTable.Print(profiler, timer.Elapsed, $"step {step + 1}/{steps}: {tokens} tokens, CFG = 2 forwards");
        }
        Console.WriteLine($"peak RSS {ProcessStats.PeakRssGiB():F2} GiB; machine: {ProcessStats.Machine()}");
        return 0;
    }

    private static Dictionary<string, int> ParseOptions(string[] args)
    {
        var known = new[] { "--layers", "--steps", "--frames", "--height", "--width" };
        var options = new Dictionary<string, int>();
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!known.Contains(args[i]))
            {
                throw new ArgumentException($"profile-step: unknown option '{args[i]}' (known: {string.Join(", ", known)})");
            }
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new ArgumentException($"profile-step: {args[i]} needs a positive integer");
            }
            options[args[i]] = value;
        }
        return options;
    }
}
