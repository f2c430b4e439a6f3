using System.Collections.Concurrent;
using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Wan.Server.Jobs;
using Wan.Server.Jobs.Broker;
using Wan.Testing;

namespace Wan.Worker.Tests;

/// <summary>
/// Scale-out on a real RabbitMQ broker on loopback: the test publishes jobs as an API node does, two
/// wan-worker processes consume them, and one worker is killed with SIGKILL in the middle of a job.
/// Every job must complete exactly once, the killed worker's job by the other worker, and the queue
/// must end empty. Each run uses its own queue and exchange, so a reused broker holds no stale jobs.
/// </summary>
[Category("Golden")]
[NonParallelizable]
public sealed class ScaleOutTests
{
    private const int Jobs = 4;
    private const int Steps = 80;

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public async Task AWorkerKilledMidJobLosesNoJobAndNoJobIsDoneTwice(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var broker = RabbitBroker.Uri;
        using var dir = new TempDirectory();
        var run = Guid.NewGuid().ToString("N")[..8];
        var topology = new QueueTopology($"wan.jobs.test-{run}", $"wan.progress.test-{run}");
        var results = Directory.CreateDirectory(dir.Combine("results")).FullName;
        var storePath = dir.Combine("jobs.db");
        string[] args = ["--broker", broker.ToString(), "--model", set.Diffusers, "--store", storePath, "--results", results,
            "--queue", topology.Queue, "--exchange", topology.ProgressExchange, "--device", "cpu"];

        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await topology.DeclareAsync(channel);
        var observer = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(observer.QueueName, topology.ProgressExchange, "job.#");

        using var victim = new WorkerProcess("w1", dir.Combine("w1.log"), args);
        using var survivor = new WorkerProcess("w2", dir.Combine("w2.log"), args);
        var events = new ConcurrentQueue<ProgressEvent>();
        string? killedJob = null;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var e = ProgressEvent.Parse(delivery.Body.Span);
            events.Enqueue(e);
            if (killedJob is null && e is { Worker: "w1", Kind: "step", Step: <= Steps / 2 })
            {
                victim.KillHard();
                killedJob = e.JobId;
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(observer.QueueName, autoAck: true, consumer);
        await WaitFor(() => victim.Log().Contains("consuming") && survivor.Log().Contains("consuming"), TimeSpan.FromMinutes(2),
            () => $"both workers consuming; w1: {victim.Log()} w2: {survivor.Log()}");

        var ids = Enumerable.Range(0, Jobs).Select(i => $"job-{run}-{i}").ToArray();
        await using (var publisher = await JobPublisher.ConnectAsync(broker, topology))
        {
            for (int i = 0; i < Jobs; i++)
            {
                await publisher.PublishAsync(new JobMessage { Id = ids[i], Prompt = $"a lighthouse at night, take {i}", Frames = 5, Height = 32, Width = 32, Steps = Steps, Seed = i });
            }
        }

        var store = new SqliteJobStore(storePath);
        await WaitFor(() => ids.All(i => store.Find(i)?.State == JobState.Succeeded) || survivor.Exited, TimeSpan.FromMinutes(4),
            () => $"{Jobs} succeeded jobs; w2: {survivor.Log()}");
        var finished = ids.Select(i => store.Find(i)!).ToList();
        TestContext.Out.WriteLine($"killed w1 during {killedJob}; attempts: {string.Join(", ", ids.Select(i => $"{i} by {string.Join("+", store.Attempts(i))}"))}");
        TestContext.Out.WriteLine(survivor.Log());
        Assert.Multiple(() =>
        {
            Assert.That(killedJob, Is.Not.Null, "w1 reported a step of a job and was killed in it");
            Assert.That(victim.Exited, Is.True, "w1 is dead");
            Assert.That(finished.Select(j => j.State), Is.All.EqualTo(JobState.Succeeded), "every job completed");
            Assert.That(store.Attempts(killedJob!), Is.EqualTo(new[] { "w1", "w2" }), "the killed job was started by w1, then redelivered to and finished by w2");
            Assert.That(ids.Where(i => i != killedJob).Select(i => store.Attempts(i).Count), Is.All.EqualTo(1), "no other job ran twice");
            foreach (var j in finished)
            {
                Assert.That(new FileInfo(j.ResultPath!).Length, Is.GreaterThan(0), $"{j.Id}: its video is in the results folder");
            }
            Assert.That(Directory.GetFiles(results).Select(Path.GetFileName), Is.EquivalentTo(ids.Select(i => i + ".y4m")), "no temporary or extra files");
        });
        // The completion is recorded before its done event is published: give the last event time to arrive.
        await WaitFor(() => events.Count(e => e.Kind == "done") >= Jobs, TimeSpan.FromSeconds(30), () => $"{Jobs} done events");
        var doneEvents = events.Where(e => e.Kind == "done").Select(e => e.JobId).ToList();
        Assert.That(doneEvents, Is.EquivalentTo(ids), "one done event per job on the progress exchange");
        var left = await channel.QueueDeclarePassiveAsync(topology.Queue);
        Assert.That(left.MessageCount, Is.Zero, "no job left on the queue");
        await channel.QueueDeleteAsync(topology.Queue);
        await channel.ExchangeDeleteAsync(topology.ProgressExchange);
    }

    internal static async Task WaitFor(Func<bool> condition, TimeSpan limit, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:F0} s waiting for {what()}");
            }
            await Task.Delay(100);
        }
    }
}
