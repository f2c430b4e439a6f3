using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>The result cache: an identical request is answered from the stored video, without an engine run.</summary>
public class CacheTests
{
    [Test]
    public async Task IdenticalRequestIsServedWithoutEngineWork()
    {
        await using var server = await ServerHarness.StartAsync();
        var body = new { prompt = "holiday promotion", frames = 1, height = 16, width = 32, steps = 2, seed = 11 };
        var first = await server.SubmitAsync(body);
        Assert.That(first.Cached, Is.False);
        await server.WaitTerminalAsync(first.Id);
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(1));

        // The same request spelled differently: defaults written out, guidance as a pair, empty negative prompt.
        var second = await server.SubmitAsync(new { prompt = "holiday promotion", negative_prompt = "", frames = 1, height = 16, width = 32, steps = 2, seed = 11,
            guidance = new[] { 3.0, 4.0 }, shift = 12.0, solver = "unipc", format = "mp4", fps = 16 });
        Assert.That(second.Cached, Is.True);
        Assert.That(second.State, Is.EqualTo("succeeded"), "answered at once");
        Assert.That(second.Id, Is.Not.EqualTo(first.Id));
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(1), "no engine run for the cached repeat");
        Assert.That(server.Runner.Entered, Has.Count.EqualTo(1), "the repeat never reached the runner");

        var a = await server.Client.GetByteArrayAsync($"/v1/videos/{first.Id}/content");
        var b = await server.Client.GetByteArrayAsync($"/v1/videos/{second.Id}/content");
        Assert.That(b, Is.EqualTo(a));
        var events = await server.EventsAsync(second.Id);
        Assert.That(events.Select(e => e.Name), Is.EqualTo(new[] { "done" }));
        Assert.That((await server.StatusAsync(second.Id)).GetProperty("cached").GetBoolean(), Is.True);

        // Anything that changes the output misses: another seed, another format.
        var otherSeed = await server.SubmitAsync(body with { seed = 12 });
        var otherFormat = await server.SubmitAsync(new { prompt = "holiday promotion", frames = 1, height = 16, width = 32, steps = 2, seed = 11, format = "y4m" });
        Assert.That(otherSeed.Cached || otherFormat.Cached, Is.False);
        await server.WaitTerminalAsync(otherSeed.Id);
        await server.WaitTerminalAsync(otherFormat.Id);
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(3));
    }

    [Test]
    public async Task FailedOrCancelledJobsAreNotCached()
    {
        await using var server = await ServerHarness.StartAsync();
        server.Runner.Hold();
        var body = new { prompt = "cancel me", frames = 1, height = 16, width = 16, steps = 1, seed = 3 };
        var first = await server.SubmitAsync(body);
        await server.Runner.NextArrivalAsync();
        using (await server.Client.DeleteAsync($"/v1/videos/{first.Id}"))
        {
        }
        Assert.That((await server.WaitTerminalAsync(first.Id)).GetProperty("state").GetString(), Is.EqualTo("cancelled"));
        server.Runner.Release();
        var second = await server.SubmitAsync(body);
        Assert.That(second.Cached, Is.False);
        Assert.That((await server.WaitTerminalAsync(second.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(1));
    }

    [Test]
    public async Task AnIdenticalRequestInFlightAttachesToTheRunningOrQueuedJob()
    {
        await using var server = await ServerHarness.StartAsync();
        server.Runner.Hold();
        var body = new { prompt = "flash sale", frames = 1, height = 16, width = 16, steps = 2, seed = 21 };
        var first = await server.SubmitAsync(body);
        Assert.That(await server.Runner.NextArrivalAsync(), Is.EqualTo(first.Id), "the first job is running (held before the engine)");
        var other = await server.SubmitAsync(body with { seed = 22 });
        Assert.That(other.Attached, Is.False, "another seed is another video");

        var repeat = await server.SubmitAsync(new { prompt = "flash sale", negative_prompt = "", frames = 1, height = 16, width = 16, steps = 2, seed = 21, format = "mp4" });
        Assert.That((repeat.Id, repeat.State, repeat.Attached, repeat.Cached), Is.EqualTo((first.Id, "running", true, false)), "attached to the running job");
        var queuedRepeat = await server.SubmitAsync(body with { seed = 22 });
        Assert.That((queuedRepeat.Id, queuedRepeat.State, queuedRepeat.Attached), Is.EqualTo((other.Id, "queued", true)), "attached to the queued job");
        Assert.That(server.Dispatcher.QueueDepth, Is.EqualTo(1), "nothing new was queued");

        server.Runner.Release();
        Assert.That((await server.WaitTerminalAsync(first.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That((await server.WaitTerminalAsync(other.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(2), "four submissions, two engine runs");
        Assert.That(server.Runner.Entered, Is.EqualTo(new[] { first.Id, other.Id }));

        var after = await server.SubmitAsync(body);
        Assert.That((after.Cached, after.Attached), Is.EqualTo((true, false)), "once finished, the repeat is a cache hit");
    }
}
