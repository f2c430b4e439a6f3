using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;

namespace Wan.Bench;

/// <summary>Short runs (this suite is meant for a 2-core machine), markdown + JSON export, the throughput column.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(1).WithIterationCount(5));
        AddColumn(new ThroughputColumn());
        AddExporter(MarkdownExporter.GitHub);
        AddExporter(JsonExporter.Brief);
    }
}
