using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Wan.Server;
using Wan.Server.Api;
using Wan.Server.Jobs;
using Wan.Server.Jobs.Broker;
using Wan.Testing;

namespace Wan.Worker.Tests;

/// <summary>
/// The deployment of issue 15 on loopback: a <c>wan serve --dispatch rabbitmq</c> API node (in this process, no engine)
/// publishes the jobs clients submit; two wan-worker processes share its store and results folder; worker 1 is
/// SIGKILLed during a step. Every job must reach succeeded exactly once (one attempt, or w1 then w2 for the killed one),
/// its SSE stream must end with done, and its video must download from the API node.
/// </summary>
[Category("Golden")]
[NonParallelizable]
public sealed class ApiNodeScaleOutTests
{
    private const int Jobs = 4;
    private const int Steps = 60;

    [Test]
    public async Task AnApiNodeAndTwoWorkersFinishEveryJobOnceWhenOneWorkerIsKilled()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        var broker = RabbitBroker.Uri;
        using var dir = new TempDirectory();
        var (node, topology, data) = await StartApiNodeAsync("api", set.Diffusers, broker, dir);
        await using var app = node;
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.That(health.GetProperty("placement").GetString(), Does.Contain("wan-worker processes").And.Contain(topology.Queue));

        string[] args = ["--broker", broker.ToString(), "--model", set.Diffusers, "--store", Path.Combine(data, "jobs.db"), "--results", Path.Combine(data, "results"),
            "--queue", topology.Queue, "--exchange", topology.ProgressExchange, "--device", "cpu"];
        using var victim = new WorkerProcess("w1", dir.Combine("w1.log"), args);
        using var survivor = new WorkerProcess("w2", dir.Combine("w2.log"), args);

        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var observer = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(observer.QueueName, topology.ProgressExchange, "job.#");
        string? killedJob = null;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var e = ProgressEvent.Parse(delivery.Body.Span);
            if (killedJob is null && e is { Worker: "w1", Kind: "step", Step: >= 2 })
            {
                victim.KillHard();
                killedJob = e.JobId;
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(observer.QueueName, autoAck: true, consumer);
        await ScaleOutTests.WaitFor(() => victim.Log().Contains("consuming") && survivor.Log().Contains("consuming"), TimeSpan.FromMinutes(2),
            () => $"both workers consuming; w1: {victim.Log()} w2: {survivor.Log()}");

        var ids = new List<string>();
        for (int i = 0; i < Jobs; i++)
        {
            using var created = await client.PostAsJsonAsync("/v1/videos", new { prompt = $"a lighthouse at night, take {i}", frames = 5, height = 32, width = 32, steps = Steps, seed = i, format = "y4m" }, ServerJson.Options);
            Assert.That((int)created.StatusCode, Is.EqualTo(202), await created.Content.ReadAsStringAsync());
            ids.Add((await created.Content.ReadFromJsonAsync<VideoCreatedBody>(ServerJson.Options))!.Id);
        }

        // Each job's event stream from the API node, to its end.
        var streams = await Task.WhenAll(ids.Select(id => client.GetStringAsync($"/v1/videos/{id}/events")))
            .WaitAsync(TimeSpan.FromMinutes(4));
        var store = new SqliteJobStore(Path.Combine(data, "jobs.db"));
        TestContext.Out.WriteLine($"killed w1 during {killedJob}; attempts: {string.Join(", ", ids.Select(i => $"{i} by {string.Join("+", store.Attempts(i))}"))}");
        Assert.Multiple(() =>
        {
            Assert.That(killedJob, Is.Not.Null, "w1 reported a step of a job and was killed in it");
            Assert.That(victim.Exited, Is.True, "w1 is dead");
            Assert.That(streams.Select(s => s.TrimEnd()), Is.All.EndsWith("""{"kind":"done","progress":1}"""), "every stream ends with done");
            Assert.That(streams.Select(s => s.Split("event: done").Length - 1), Is.All.EqualTo(1), "one done event per job");
            Assert.That(streams[ids.IndexOf(killedJob!)], Does.Contain("event: step"), "the API node relayed the workers' steps");
            Assert.That(store.Attempts(killedJob!), Is.EqualTo(new[] { "w1", "w2" }), "the killed job was redelivered to w2");
            Assert.That(ids.Where(i => i != killedJob).Select(i => store.Attempts(i).Count), Is.All.EqualTo(1), "no other job ran twice");
        });
        foreach (var id in ids)
        {
            var status = await client.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
            Assert.That(status.GetProperty("state").GetString(), Is.EqualTo("succeeded"), id);
            var video = await client.GetByteArrayAsync($"/v1/videos/{id}/content");
            Assert.That(video, Is.EqualTo(File.ReadAllBytes(Path.Combine(data, "results", id + ".y4m"))), $"{id}: downloadable from the API node");
        }
        Assert.That(Directory.GetFiles(Path.Combine(data, "results")).Select(Path.GetFileName), Is.EquivalentTo(ids.Select(i => i + ".y4m")), "no temporary or extra files");
        var idle = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.That((idle.GetProperty("queue_depth").GetInt32(), idle.GetProperty("active_jobs").GetInt32()), Is.EqualTo((0, 0)));
        var left = await channel.QueueDeclarePassiveAsync(topology.Queue);
        Assert.That(left.MessageCount, Is.Zero, "no job left on the queue");
        await channel.QueueDeleteAsync(topology.Queue);
        await channel.ExchangeDeleteAsync(topology.ProgressExchange);
        await app.StopAsync();
    }

    [Test]
    public async Task CancelStopsARunningJobOnItsWorkerAndAWaitingOneNeverRuns()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        var broker = RabbitBroker.Uri;
        using var dir = new TempDirectory();
        var (node, topology, data) = await StartApiNodeAsync("cancel", set.Diffusers, broker, dir);
        await using var app = node;
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
        using var worker = new WorkerProcess("w1", dir.Combine("w1.log"), ["--broker", broker.ToString(), "--model", set.Diffusers,
            "--store", Path.Combine(data, "jobs.db"), "--results", Path.Combine(data, "results"), "--queue", topology.Queue, "--exchange", topology.ProgressExchange, "--device", "cpu"]);
        await ScaleOutTests.WaitFor(() => worker.Log().Contains("consuming"), TimeSpan.FromMinutes(2), () => $"the worker consuming: {worker.Log()}");

        async Task<string> Submit(int seed)
        {
            using var created = await client.PostAsJsonAsync("/v1/videos", new { prompt = "a long take", frames = 5, height = 32, width = 32, steps = 1000, seed }, ServerJson.Options);
            Assert.That((int)created.StatusCode, Is.EqualTo(202));
            return (await created.Content.ReadFromJsonAsync<VideoCreatedBody>(ServerJson.Options))!.Id;
        }
        var running = await Submit(1);
        var waiting = await Submit(2);
        using var events = await client.GetAsync($"/v1/videos/{running}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)) is { } line && line != "event: step")
        {
        }
        using (var cancelWaiting = await client.DeleteAsync($"/v1/videos/{waiting}"))
        {
            Assert.That((int)cancelWaiting.StatusCode, Is.EqualTo(200), "a job no worker has started leaves at once");
        }
        using (var cancelRunning = await client.DeleteAsync($"/v1/videos/{running}"))
        {
            Assert.That((int)cancelRunning.StatusCode, Is.EqualTo(202), "a running job is asked to stop");
        }
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.That(rest.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Last(), Is.EqualTo("event: cancelled"), rest);
        var store = new SqliteJobStore(Path.Combine(data, "jobs.db"));
        await ScaleOutTests.WaitFor(() => worker.Log().Contains($"job {waiting} already cancelled"), TimeSpan.FromMinutes(1), () => $"the worker skipping the cancelled job: {worker.Log()}");
        Assert.Multiple(() =>
        {
            Assert.That(store.Find(running)!.State, Is.EqualTo(JobState.Cancelled));
            Assert.That(store.Find(running)!.Progress, Is.LessThan(0.5), "stopped long before its 1000 steps");
            Assert.That(store.Find(waiting)!.State, Is.EqualTo(JobState.Cancelled));
            Assert.That(store.Attempts(waiting), Is.Empty, "the cancelled waiting job never ran");
            Assert.That(Directory.GetFiles(Path.Combine(data, "results")), Is.Empty, "no video, no temporary file");
        });
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.That((await channel.QueueDeclarePassiveAsync(topology.Queue)).MessageCount, Is.Zero, "both messages acknowledged");
        await channel.QueueDeleteAsync(topology.Queue);
        await channel.ExchangeDeleteAsync(topology.ProgressExchange);
        await app.StopAsync();
    }

    [Test]
    public async Task AJobTheBrokerRefusesIsA503AndRecordedAsFailed()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        var broker = RabbitBroker.Uri;
        using var dir = new TempDirectory();
        var (node, topology, data) = await StartApiNodeAsync("gone", set.Diffusers, broker, dir);
        await using var app = node;
        await using (var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // The queue disappears under the API node: the broker returns the (mandatory) message.
            await channel.QueueDeleteAsync(topology.Queue);
        }
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var response = await client.PostAsJsonAsync("/v1/videos", new { prompt = "lost?", frames = 1, height = 16, width = 16, steps = 1 }, ServerJson.Options);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(503), text);
        Assert.That(text, Does.Contain($"could not be published to 127.0.0.1:{broker.Port} queue {topology.Queue}"));
        var store = new SqliteJobStore(Path.Combine(data, "jobs.db"));
        Assert.That(store.ListUnfinished(), Is.Empty, "nothing is left queued that no worker will ever see");
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.That(health.GetProperty("queue_depth").GetInt32(), Is.Zero);
        await using (var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeleteAsync(topology.ProgressExchange);
        }
        await app.StopAsync();
    }

    /// <summary>
    /// Starts an API node in broker mode on loopback: its own queue and progress exchange (named after
    /// <paramref name="name"/> and a fresh run id, so runs never share a queue) and its data folder under <paramref name="dir"/>.
    /// </summary>
    private static async Task<(WebApplication App, QueueTopology Topology, string Data)> StartApiNodeAsync(string name, string modelDir, Uri broker, TempDirectory dir)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var topology = new QueueTopology($"wan.jobs.{name}-{run}", $"wan.progress.{name}-{run}");
        var data = dir.Combine("data");
        var app = WanServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.ModelDirectory = modelDir;
            o.DataDirectory = data;
            o.Dispatch = JobDispatch.RabbitMq;
            o.BrokerUri = broker.ToString();
            o.BrokerQueue = topology.Queue;
            o.BrokerExchange = topology.ProgressExchange;
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return (app, topology, data);
    }
}
