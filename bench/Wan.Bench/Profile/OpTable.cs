using System.Globalization;

namespace Wan.Bench.Profile;

/// <summary>Prints a profiling backend's per-op totals as a markdown table, slowest op first.</summary>
public static class OpTable
{
    public static void Print(ProfilingBackend profiler, TimeSpan total, string title)
    {
        double flops = profiler.Totals.Values.Sum(t => t.Flops);
        Console.WriteLine();
        Console.WriteLine($"{title}: {total.TotalSeconds:F2} s, {flops / 1e12:F3} TFLOP counted, {flops / total.TotalSeconds / 1e9:F1} GFLOP/s");
        Console.WriteLine($"| {"op",-24} | {"calls",6} | {"time s",8} | {"share",6} | {"GFLOP",9} | {"GFLOP/s",8} |");
        Console.WriteLine($"|{new string('-', 26)}|{new string('-', 8)}|{new string('-', 10)}|{new string('-', 8)}|{new string('-', 11)}|{new string('-', 10)}|");
        foreach (var (op, t) in profiler.Totals.OrderByDescending(kv => kv.Value.Time))
        {
            double seconds = t.Time.TotalSeconds;
            var rate = t.Flops > 0 && seconds > 0 ? (t.Flops / seconds / 1e9).ToString("F1", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"| {op,-24} | {t.Calls,6} | {seconds,8:F3} | {seconds / total.TotalSeconds,6:P1} | {t.Flops / 1e9,9:F1} | {rate,8} |");
        }
    }
}
