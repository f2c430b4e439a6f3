using System.Net;
using System.Text.Json;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>DELETE /v1/videos/{id}: a running job stops at its next block, a queued one leaves the queue.</summary>
public class CancelTests
{
    [Test]
    public async Task RunningJobStopsAtTheNextStep()
    {
        await using var server = await ServerHarness.StartAsync();
        const int steps = 40;
        var created = await server.SubmitAsync(new { prompt = "a long one", frames = 5, height = 32, width = 48, steps, seed = 1 });
        HttpStatusCode? cancelStatus = null;
        JsonElement cancelBody = default;
        var events = await server.EventsAsync(created.Id, async (name, _) =>
        {
            if (name == "step" && cancelStatus is null)
            {
                using var response = await server.Client.DeleteAsync($"/v1/videos/{created.Id}");
                cancelStatus = response.StatusCode;
                cancelBody = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            }
        });
        Assert.That(cancelStatus, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(cancelBody.GetProperty("state").GetString(), Is.EqualTo("running"));
        Assert.That(events.Last().Name, Is.EqualTo("cancelled"));
        Assert.That(events.Count(e => e.Name == "step"), Is.LessThan(steps), "stopped before the last step");
        Assert.That(events.Any(e => e.Name == "decoding"), Is.False);

        var status = await server.StatusAsync(created.Id);
        Assert.That(status.GetProperty("state").GetString(), Is.EqualTo("cancelled"));
        Assert.That(status.GetProperty("progress").GetDouble(), Is.InRange(0.0, 0.9));
        using var content = await server.Client.GetAsync($"/v1/videos/{created.Id}/content");
        Assert.That(content.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(Directory.GetFiles(Path.Combine(server.DataDirectory, "results")), Is.Empty, "no file, not even a partial one");
        Assert.That(server.Dispatcher.ActiveJobs, Is.Zero);

        // The engine is free again: the next job runs to the end.
        var next = await server.SubmitAsync(new { prompt = "after", frames = 1, height = 16, width = 16, steps = 1 });
        Assert.That((await server.WaitTerminalAsync(next.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
    }

    [Test]
    public async Task QueuedJobLeavesTheQueueAndNeverRuns()
    {
        await using var server = await ServerHarness.StartAsync();
        server.Runner.Hold();
        var first = await server.SubmitAsync(new { prompt = "first", frames = 1, height = 16, width = 16, steps = 1 });
        Assert.That(await server.Runner.NextArrivalAsync(), Is.EqualTo(first.Id));
        var second = await server.SubmitAsync(new { prompt = "second", frames = 1, height = 16, width = 16, steps = 1 });
        Assert.That(server.Dispatcher.QueueDepth, Is.EqualTo(1));

        using var response = await server.Client.DeleteAsync($"/v1/videos/{second.Id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(server.Dispatcher.QueueDepth, Is.Zero);
        var events = await server.EventsAsync(second.Id);
        Assert.That(events.Select(e => e.Name), Is.EqualTo(new[] { "cancelled" }));

        server.Runner.Release();
        Assert.That((await server.WaitTerminalAsync(first.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That(server.Runner.Entered, Is.EqualTo(new[] { first.Id }), "the cancelled job never reached the runner");
        Assert.That((await server.StatusAsync(second.Id)).GetProperty("state").GetString(), Is.EqualTo("cancelled"));

        using var again = await server.Client.DeleteAsync($"/v1/videos/{second.Id}");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        using var finished = await server.Client.DeleteAsync($"/v1/videos/{first.Id}");
        Assert.That(finished.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task HigherPriorityRunsFirst()
    {
        await using var server = await ServerHarness.StartAsync();
        server.Runner.Hold();
        var blocker = await server.SubmitAsync(new { prompt = "blocker", frames = 1, height = 16, width = 16, steps = 1 });
        await server.Runner.NextArrivalAsync();
        var low = await server.SubmitAsync(new { prompt = "low", frames = 1, height = 16, width = 16, steps = 1, priority = 0 });
        var high = await server.SubmitAsync(new { prompt = "high", frames = 1, height = 16, width = 16, steps = 1, priority = 9 });
        var low2 = await server.SubmitAsync(new { prompt = "low 2", frames = 1, height = 16, width = 16, steps = 1, priority = 0 });
        server.Runner.Release();
        foreach (var id in new[] { blocker.Id, low.Id, high.Id, low2.Id })
        {
            await server.WaitTerminalAsync(id);
        }
        Assert.That(server.Runner.Entered, Is.EqualTo(new[] { blocker.Id, high.Id, low.Id, low2.Id }));
    }
}
