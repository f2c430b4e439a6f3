using System.Diagnostics;
using System.Globalization;
using Wan.Bench.Profile;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Bench.Targets;

/// <summary>
/// <c>targets --model DIR [--steps 2] [--frames 9] [--height 256] [--width 256] [--keep-pages]</c>:
/// the stages of <c>wan generate</c> on the CPU backend, each timed on its own with a per-op
/// profile: umT5 per prompt (prompt and default negative prompt), every CFG denoising step, VAE
/// decode, and the process's peak RSS after each stage, next to the targets of issue 7.
/// <c>--keep-pages</c> turns off the release of mapped weight pages after each Linear (for the
/// before/after RSS comparison).
/// </summary>
public static class TargetsCommand
{
    private const string Prompt = "a red fox runs through fresh snow in a pine forest at sunrise, cinematic";

    private const double StepTargetSeconds = 30, TextTargetSeconds = 35, DecodeTargetSeconds = 60, RssTargetGiB = 8;

    public static int Run(string[] args)
    {
        var options = TargetsOptions.Parse(args);
        var request = new GenerationRequest
        {
            Prompt = Prompt,
            Frames = options.Frames,
            Height = options.Height,
            Width = options.Width,
            Steps = options.Steps,
        };
        var latentShape = request.LatentShape(Wan.Runtime.Config.ModelGeometry.Load(options.Model));
        ProfilingBackend? profiling = null;
        var engineOptions = new EngineOptions
        {
            Device = EngineDevice.Cpu,
            WrapBackend = created =>
            {
                created.Dispose(); // replaced by a CPU backend with this command's page policy
                return profiling = new ProfilingBackend(new CpuBackend { ReleaseWeightPagesAfterLinear = !options.KeepPages });
            },
        };
        Console.WriteLine($"machine: {ProcessStats.Machine()}; model {options.Model}; release mapped pages after Linear: {!options.KeepPages}");

        var clock = Stopwatch.StartNew();
        using var engine = WanEngine.Open(options.Model, engineOptions);
        var pipeline = engine.Pipeline;
        var profiler = profiling ?? throw new InvalidOperationException("the engine created no CPU backend");
        Console.WriteLine($"loaded in {clock.Elapsed.TotalSeconds:F2} s");
        PrintRss();

        var contexts = new List<Wan.Runtime.Tensors.Tensor>();
        var textSeconds = new List<double>();
        try
        {
            foreach (var (name, text) in new[] { ("prompt", Prompt), ("negative prompt (default)", WanDefaults.NegativePrompt) })
            {
                var ids = pipeline.Tokenize(text);
                profiler.Reset();
                clock.Restart();
                contexts.Add(pipeline.EncodeText(ids));
                textSeconds.Add(clock.Elapsed.TotalSeconds);
                OpTable.Print(profiler, clock.Elapsed, $"umT5 {name}: {ids.Length} tokens");
                PrintRss();
            }

            var solver = FlowSolvers.Create(request.Solver, request.Steps, request.Shift);
            var experts = new ExpertSchedule(pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, request.GuidanceLow, request.GuidanceHigh);
            var noise = NoiseGenerator.StandardNormal(request.Seed, latentShape.Aggregate(1, (a, b) => a * b));
            var stepSeconds = new List<double>();
            profiler.Reset();
            clock.Restart();
            var latent = pipeline.Denoise(contexts[0], contexts[1], noise, latentShape, solver, experts,
                p => stepSeconds.Add(p.StageElapsed.TotalSeconds));
            int tokens = latentShape[1] * latentShape[2] / 2 * latentShape[3] / 2;
            OpTable.Print(profiler, clock.Elapsed, $"denoising: {request.Steps} CFG steps of {tokens} tokens " +
                $"(step 1 includes the text K/V of both prompts), per step: {string.Join(", ", stepSeconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))} s");
            PrintRss();

            profiler.Reset();
            clock.Restart();
            var raw = pipeline.DecodeRaw(latent, latentShape);
            double decodeSeconds = clock.Elapsed.TotalSeconds;
            OpTable.Print(profiler, clock.Elapsed, $"VAE decode: latent [{string.Join(", ", latentShape)}] → video [3, {request.Frames}, {request.Height}, {request.Width}] ({raw.Length} values)");
            PrintRss();

            PrintTargets(textSeconds, stepSeconds, decodeSeconds, tokens);
        }
        finally
        {
            contexts.ForEach(c => c.Dispose());
        }
        return 0;
    }

    private static (TimeSpan User, TimeSpan System) _cpuAtLastPrint;

    /// <summary>RSS now and at peak, and the CPU time (user / system) spent since the previous stage.</summary>
    private static void PrintRss()
    {
        var cpu = ProcessStats.CpuTimes();
        Console.WriteLine($"RSS {ProcessStats.RssGiB():F2} GiB, peak so far {ProcessStats.PeakRssGiB():F2} GiB; " +
                          $"CPU time of this stage: user {(cpu.User - _cpuAtLastPrint.User).TotalSeconds:F1} s, system {(cpu.System - _cpuAtLastPrint.System).TotalSeconds:F1} s");
        _cpuAtLastPrint = cpu;
    }

    private static void PrintTargets(List<double> textSeconds, List<double> stepSeconds, double decodeSeconds, int tokens)
    {
        // The last step is the steady state: step 1 also prepares both prompts' cross-attention K/V.
        double step = stepSeconds[^1], text = textSeconds.Max(), rss = ProcessStats.PeakRssGiB();
        Console.WriteLine();
        Console.WriteLine("| target | goal | measured | met |");
        Console.WriteLine("|---|---|---|---|");
        Row($"one CFG denoising step ({tokens} tokens, last step)", $"≤ {StepTargetSeconds} s", $"{step:F2} s", step <= StepTargetSeconds);
        Row("umT5 per prompt (slower of the two)", $"≤ {TextTargetSeconds} s", $"{text:F2} s", text <= TextTargetSeconds);
        Row("VAE decode", $"≤ {DecodeTargetSeconds} s", $"{decodeSeconds:F2} s", decodeSeconds <= DecodeTargetSeconds);
        Row("peak RSS of this process", $"≤ {RssTargetGiB} GiB", $"{rss:F2} GiB", rss <= RssTargetGiB);
    }

    private static void Row(string what, string goal, string measured, bool met) =>
        Console.WriteLine($"| {what} | {goal} | {measured} | {(met ? "yes" : "no")} |");
}
