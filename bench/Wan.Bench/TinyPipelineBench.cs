using BenchmarkDotNet.Attributes;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Video;

namespace Wan.Bench;

/// <summary>
/// The whole text-to-video job on the tiny model (9 frames 64×64, 6 UniPC steps, CFG, both
/// experts, VAE decode) on the CPU backend, loaded once. The model is $WAN_BENCH_TINY_MODEL (e.g.
/// written by <c>wan-convert synth --preset tiny DIR</c>), else the fixture set's diffusers
/// directory ($WAN_FIXTURES or ../shared/fixtures next to the checkout).
/// </summary>
[Config(typeof(BenchConfig))]
public class TinyPipelineBench
{
    public const string ModelVariable = "WAN_BENCH_TINY_MODEL";

    private WanEngine _engine = null!;

    private static readonly GenerationRequest Request = new()
    {
        Prompt = "a tiny red fox in the snow",
        Frames = 9,
        Height = 64,
        Width = 64,
        Steps = 6,
        Seed = 3,
    };

    [GlobalSetup]
    public void Setup()
    {
        _engine = WanEngine.Open(LocateModel(), new EngineOptions { Device = EngineDevice.Cpu });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
    }

    [Benchmark]
    public VideoFrames Generate() => _engine.Generate(Request).Video;

    internal static string LocateModel()
    {
        var configured = Environment.GetEnvironmentVariable(ModelVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured)
                ? configured
                : throw new DirectoryNotFoundException($"${ModelVariable} = {configured}: directory not found");
        }
        var fixtures = Environment.GetEnvironmentVariable("WAN_FIXTURES");
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(fixtures))
        {
            candidates.Add(Path.Combine(fixtures, "tiny-t2v-a14b", "diffusers"));
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Wan.Runtime.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "fixtures", "tiny-t2v-a14b", "diffusers"));
                break;
            }
        }
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException(
                $"no tiny model: set ${ModelVariable} to a directory written by 'wan-convert synth --preset tiny DIR' (looked in {string.Join(", ", candidates)})");
    }
}
