using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Wan.Bench;

/// <summary>
/// Work per invocation divided by the measured mean: GFLOP/s for compute benchmarks, GB/s for
/// memory-bound ones. A benchmark class states its work through <see cref="IWorkload"/>.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "Throughput";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "work per second: GFLOP/s (compute) or GB/s (memory), from the mean time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IWorkload workload)
        {
            return "-";
        }
        foreach (var p in benchmarkCase.Parameters.Items)
        {
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(workload, p.Value);
            benchmarkCase.Descriptor.Type.GetField(p.Name)?.SetValue(workload, p.Value);
        }
        var (amount, unit) = workload.Work(benchmarkCase.Descriptor.WorkloadMethod.Name);
        double seconds = stats.Mean / 1e9;
        return $"{amount / seconds:F1} {unit}/s";
    }
}

/// <summary>What one invocation of a benchmark method does: (amount in GFLOP or GB, "GFLOP" or "GB").</summary>
public interface IWorkload
{
    (double Amount, string Unit) Work(string method);
}
