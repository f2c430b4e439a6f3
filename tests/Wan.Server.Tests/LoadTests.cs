using System.Diagnostics;
using System.Net;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>
/// Load on loopback, bounded in count: concurrent clients submit, poll, follow events, cancel and
/// download on the tiny model. Prints API latency percentiles, jobs per minute and memory before and
/// after; asserts only that nothing was lost or leaked (no timing is asserted).
/// </summary>
[Category("Load")]
public class LoadTests
{
    private const int Clients = 8, JobsPerClient = 4;

    [Test]
    public async Task ConcurrentClientsLoseNothing()
    {
        await using var server = await ServerHarness.StartAsync();
        var warm = await server.SubmitAsync(new { prompt = "warm-up", frames = 1, height = 16, width = 16, steps = 2, seed = 999 });
        await server.WaitTerminalAsync(warm.Id);
        var (heapBefore, setBefore) = Memory();

        var latencies = new List<(string Op, double Ms)>();
        var outcomes = new List<(string Id, string State, bool Cached, bool CancelAsked, bool Attached)>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (int k = 0; k < JobsPerClient; k++)
            {
                int n = c * JobsPerClient + k;
                // Seeds repeat across clients (cache hits once the first finished); every third job is cancelled.
                var body = new { prompt = "load", frames = 1, height = 16, width = 16, steps = 2, seed = n % 12, priority = n % 3 };
                var created = await Timed("POST", latencies, () => server.SubmitAsync(body));
                await Timed("GET", latencies, () => server.StatusAsync(created.Id));
                bool cancel = n % 3 == 0 && !created.Cached;
                if (cancel)
                {
                    using var response = await Timed("DELETE", latencies, () => server.Client.DeleteAsync($"/v1/videos/{created.Id}"));
                    Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.Conflict));
                }
                await server.EventsAsync(created.Id);
                var status = await Timed("GET", latencies, () => server.StatusAsync(created.Id));
                var state = status.GetProperty("state").GetString()!;
                if (state == "succeeded")
                {
                    var bytes = await Timed("CONTENT", latencies, () => server.Client.GetByteArrayAsync($"/v1/videos/{created.Id}/content"));
                    Assert.That(bytes, Is.Not.Empty);
                }
                lock (outcomes)
                {
                    outcomes.Add((created.Id, state, status.GetProperty("cached").GetBoolean(), cancel, created.Attached));
                }
            }
        })));
        clock.Stop();
        var (heapAfter, setAfter) = Memory();

        int total = Clients * JobsPerClient;
        Assert.That(outcomes, Has.Count.EqualTo(total));
        // A repeat submitted while its twin was queued or running shares the twin's id (attached); every other id is new.
        Assert.That(outcomes.Where(o => !o.Attached).Select(o => o.Id), Is.Unique);
        Assert.That(outcomes.Where(o => o.Attached).Select(o => o.Id).Distinct(), Is.SubsetOf(outcomes.Where(o => !o.Attached).Select(o => o.Id)));
        Assert.That(outcomes.Where(o => o.State == "failed"), Is.Empty);
        var cancelledByAClient = outcomes.Where(o => o.CancelAsked).Select(o => o.Id).ToHashSet();
        Assert.That(outcomes.Where(o => !cancelledByAClient.Contains(o.Id)).Select(o => o.State), Is.All.EqualTo("succeeded"),
            "every job no client cancelled succeeded (an attached submission shares its twin's cancel)");
        foreach (var (id, state, _, _, _) in outcomes)
        {
            Assert.That(server.Store.Find(id)?.State.ToString().ToLowerInvariant(), Is.EqualTo(state), "the store agrees");
        }
        Assert.That(server.Dispatcher.QueueDepth + server.Dispatcher.ActiveJobs, Is.Zero, "queue drained");
        Assert.That(server.Events.OpenJobs, Is.Zero, "no event history left open");
        var partials = Directory.GetFiles(Path.Combine(server.DataDirectory, "results"), ".*");
        Assert.That(partials, Is.Empty, "no temporary file left");
        Assert.That(heapAfter - heapBefore, Is.LessThan(64L << 20), "managed heap back near its baseline");

        int succeeded = outcomes.Count(o => o.State == "succeeded"), cached = outcomes.Count(o => o.Cached), cancelled = outcomes.Count(o => o.State == "cancelled"),
            attached = outcomes.Count(o => o.Attached);
        TestContext.Out.WriteLine($"load: {Clients} clients x {JobsPerClient} jobs = {total} in {clock.Elapsed.TotalSeconds:F1} s: " +
                                  $"{succeeded} succeeded ({cached} from cache), {cancelled} cancelled, 0 failed, {attached} attached to a running twin; engine runs {server.Runner.EngineRuns}; " +
                                  $"{total / clock.Elapsed.TotalMinutes:F1} jobs/min ({succeeded / clock.Elapsed.TotalMinutes:F1} finished videos/min)");
        foreach (var group in latencies.GroupBy(l => l.Op).Append(latencies.GroupBy(_ => "all").Single()))
        {
            var sorted = group.Select(l => l.Ms).Order().ToArray();
            TestContext.Out.WriteLine($"latency {group.Key,-8} n={sorted.Length,3} p50 {Percentile(sorted, 0.50),7:F2} ms  p99 {Percentile(sorted, 0.99),7:F2} ms  max {sorted[^1],7:F2} ms");
        }
        TestContext.Out.WriteLine($"memory: managed heap {heapBefore / 1e6:F1} -> {heapAfter / 1e6:F1} MB, working set {setBefore / 1e6:F1} -> {setAfter / 1e6:F1} MB");
    }

    private static async Task<T> Timed<T>(string op, List<(string, double)> latencies, Func<Task<T>> call)
    {
        var watch = Stopwatch.StartNew();
        var result = await call();
        lock (latencies)
        {
            latencies.Add((op, watch.Elapsed.TotalMilliseconds));
        }
        return result;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
    }
}
