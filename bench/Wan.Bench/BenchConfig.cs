using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;

namespace Wan.Bench;

/// <summary>
/// Short runs (this suite is meant for a 2-core machine), the throughput column, bytes allocated
/// per operation, and JSON export next to the default GitHub markdown.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(1).WithIterationCount(5));
        AddColumn(new ThroughputColumn());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(JsonExporter.Brief);
    }
}
