using System.Globalization;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;

namespace Wan.Bench.Caching;

/// <summary>
/// <c>step-cache [--steps 6,20,40] [--thresholds 0.8,1.6,3.2]</c>: TeaCache on the tiny model (the fixture's, or
/// $WAN_BENCH_TINY_MODEL), CPU backend, 9 frames 64×64, UniPC with CFG over both experts. For each step count and
/// threshold: DiT forwards skipped, relative L2 of the final latent against the uncached run, denoising time (median of
/// 3 runs after a warm-up run). Prints a markdown table (docs/step-caching.md holds one).
/// </summary>
public static class StepCacheTableCommand
{
    public static int Run(string[] args)
    {
        int[] steps = [6, 20, 40];
        double[] thresholds = [0.8, 1.6, 3.2];
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            var values = args[i + 1].Split(',');
            switch (args[i])
            {
                case "--steps":
                    steps = [.. values.Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
                    break;
                case "--thresholds":
                    thresholds = [.. values.Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
                    break;
                default:
                    Console.Error.WriteLine($"step-cache: unknown option {args[i]} (expected --steps N,N,... --thresholds T,T,...)");
                    return 2;
            }
        }
        var model = TinyPipelineBench.LocateModel();
        using var engine = WanEngine.Open(model, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        Console.WriteLine($"model {model}; CPU backend; {Environment.ProcessorCount} logical CPUs");
        Console.WriteLine("| steps | threshold | DiT forwards skipped | rel. L2 of final latent vs no caching | denoising time |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var n in steps)
        {
            var request = new GenerationRequest { Prompt = "a tiny red fox in the snow", Frames = 9, Height = 64, Width = 64, Steps = n, Seed = 3 };
            var (reference, referenceTime) = Timed(pipeline, request);
            Console.WriteLine($"| {n} | none | 0 / {2 * n} | 0 | {referenceTime:F3} s |");
            foreach (var threshold in thresholds)
            {
                var (cached, time) = Timed(pipeline, request with { CacheThreshold = threshold });
                var stats = cached.StepCache!;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n} | {threshold} | {stats.Skipped} / {stats.Forwards} | {RelativeL2(cached.Latent, reference.Latent):E2} | {time:F3} s |"));
            }
        }
        return 0;
    }

    /// <summary>The result of one run and the median denoising time of three more (after that warm-up run).</summary>
    private static (GenerationResult Result, double Seconds) Timed(WanPipeline pipeline, GenerationRequest request)
    {
        var result = pipeline.Generate(request);
        var times = Enumerable.Range(0, 3).Select(_ => pipeline.Generate(request).Denoising.TotalSeconds).Order().ToList();
        return (result, times[1]);
    }

    private static double RelativeL2(float[] actual, float[] expected)
    {
        double num = 0, den = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(num / den);
    }
}
