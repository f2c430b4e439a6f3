using System.Diagnostics;
using System.Globalization;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;

namespace Wan.Bench.Batching;

/// <summary>
/// <c>wan-bench batch-throughput [--rounds 15] [--steps 4]</c>: request-steps per second of 1, 2 and 4 concurrent requests
/// (<see cref="ConcurrentRequests"/>, CPU, tiny model) measured side by side in one run. On a shared, noisy machine a
/// run of one size after the other compares different loads, so the sizes are interleaved: every round times
/// <c>--steps</c> batch steps of each size, in an order rotated per round (each size goes first equally often), and the
/// ratios are taken within a round (same load) before their median. The verdict comes from a bootstrap 95% interval
/// of that median (2000 resamples of the rounds, fixed seed): faster or slower when the interval excludes 1, "same
/// within ±10%" when it lies inside [0.9, 1.1], else inconclusive (run more rounds).
/// </summary>
internal static class BatchThroughputCommand
{
    private static readonly int[] Sizes = [1, 2, 4];

    public static int Run(string[] args)
    {
        int rounds = Option(args, "--rounds", 15);
        int steps = Option(args, "--steps", 4);
        using var engine = WanEngine.Open(TinyPipelineBench.LocateModel(), new EngineOptions { Device = EngineDevice.Cpu });
        var p = engine.Pipeline;
        using var context = p.EncodeText(p.Tokenize("a tiny red fox in the snow"));
        using var negative = p.EncodeText(p.Tokenize(WanDefaults.NegativePrompt));
        var batches = Sizes.Select(n => new ConcurrentRequests(p, context, negative, n)).ToList();
        try
        {
            foreach (var b in batches)
            {
                b.Denoiser.Step(); // warm-up: buffers, JIT
            }
            var rates = batches.Select(_ => new double[rounds]).ToArray();
            var cpuRates = batches.Select(_ => new double[rounds]).ToArray();
            using var process = Process.GetCurrentProcess();
            for (int r = 0; r < rounds; r++)
            {
                for (int k = 0; k < batches.Count; k++)
                {
                    int i = (k + r) % batches.Count;
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    for (int s = 0; s < steps; s++)
                    {
                        batches[i].Denoiser.Step();
                    }
                    rates[i][r] = batches[i].Count * steps / clock.Elapsed.TotalSeconds;
                    process.Refresh();
                    cpuRates[i][r] = batches[i].Count * steps / (process.TotalProcessorTime - cpu).TotalSeconds;
                }
            }
            Console.WriteLine($"batch-throughput: CPU, tiny model, 9 frames 64x64 with CFG; {rounds} interleaved rounds x {steps} batch steps per size ({Environment.ProcessorCount} cores)");
            Print("wall clock (what a client waits)", rates);
            Print("CPU time of this process (the work; less sensitive to the other processes' load)", cpuRates);
            return 0;
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    private static void Print(string title, double[][] rates)
    {
        Console.WriteLine(title);
        Console.WriteLine("concurrent  request-steps/s median (p25 .. p75)  ratio to 1 (paired by round) median [95% CI]  verdict");
        for (int i = 0; i < rates.Length; i++)
        {
            var ratio = rates[i].Zip(rates[0], (a, b) => a / b).ToArray();
            var (low, high) = MedianInterval(ratio);
            string verdict = i == 0 ? "" : low > 1 ? "faster, conclusive" : high < 1 ? "slower, conclusive" : low >= 0.9 && high <= 1.1 ? "same within ±10%, conclusive" : "inconclusive";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Sizes[i],10}  {Quantile(rates[i], 0.5),15:F2} ({Quantile(rates[i], 0.25):F2} .. {Quantile(rates[i], 0.75):F2})  {Quantile(ratio, 0.5),24:F3} [{low:F3} .. {high:F3}]  {verdict}"));
        }
    }

    // Percentile bootstrap of the median: resample the rounds with replacement.
    private static (double Low, double High) MedianInterval(double[] values)
    {
        var random = new Random(12345);
        var medians = new double[2000];
        var sample = new double[values.Length];
        for (int b = 0; b < medians.Length; b++)
        {
            for (int i = 0; i < sample.Length; i++)
            {
                sample[i] = values[random.Next(values.Length)];
            }
            medians[b] = Quantile(sample, 0.5);
        }
        return (Quantile(medians, 0.025), Quantile(medians, 0.975));
    }

    private static double Quantile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0)
        {
            return fallback;
        }
        if (at + 1 >= args.Length || !int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ArgumentException($"{name} needs a whole number >= 1");
        }
        return value;
    }
}
