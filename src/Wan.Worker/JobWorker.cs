using System.Collections.Concurrent;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Wan.Errors;
using Wan.Server.Caching;
using Wan.Server.Jobs;
using Wan.Server.Jobs.Broker;

namespace Wan.Worker;

/// <summary>
/// One worker (one per GPU): consumes the job queue with manual acks and prefetch 1, runs each job through its
/// <see cref="IJobRunner"/> (the warm engine), writes the video into the shared results folder (temp name, then
/// rename), records the outcome in the job store shared with the API nodes and only then acknowledges. A worker that
/// dies mid-job never acks, so the broker redelivers the job to another worker; a redelivered job the store already
/// has finished (the worker died between recording and acking, or a client cancelled it) is acknowledged without
/// running: each job is done once (<see cref="IJobStore.SaveUnlessFinished"/>). A job the engine refuses (an invalid
/// request, NaN/Inf in the result) is recorded as failed and rejected without requeue. A <c>cancel.{id}</c> message
/// stops the job if this worker runs it.
/// </summary>
/// <param name="runner">generates a job into a path.</param>
/// <param name="store">the shared job store.</param>
/// <param name="results">the shared results folder.</param>
/// <param name="modelIdentity">the model's <see cref="ModelIdentity"/> (the cache key of jobs published without an API node).</param>
/// <param name="workerId">this worker's name in attempts and progress.</param>
/// <param name="topology">queue and exchange names.</param>
/// <param name="log">one line per job event.</param>
public sealed class JobWorker(IJobRunner runner, IJobStore store, ResultFolder results, string modelIdentity, string workerId, QueueTopology topology, TextWriter log)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    /// <summary>Consumes until <paramref name="stop"/> is cancelled (a running job is then requeued).</summary>
    /// <exception cref="RabbitMQ.Client.Exceptions.BrokerUnreachableException">no broker answers at <paramref name="broker"/>.</exception>
    public async Task RunAsync(Uri broker, CancellationToken stop)
    {
        await using var connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = $"wan-worker {workerId}" }.CreateConnectionAsync(stop);
        await using var jobs = await connection.CreateChannelAsync(cancellationToken: stop);
        await using var progress = await connection.CreateChannelAsync(cancellationToken: stop);
        await using var cancels = await connection.CreateChannelAsync(cancellationToken: stop);
        await topology.DeclareAsync(jobs, stop);
        var cancelQueue = await cancels.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: stop);
        await cancels.QueueBindAsync(cancelQueue.QueueName, topology.ProgressExchange, QueueTopology.CancelBinding, cancellationToken: stop);
        var cancelConsumer = new AsyncEventingBasicConsumer(cancels);
        cancelConsumer.ReceivedAsync += (_, delivery) =>
        {
            if (_running.TryGetValue(Encoding.UTF8.GetString(delivery.Body.Span), out var cancel))
            {
                cancel.Cancel();
            }
            return Task.CompletedTask;
        };
        await cancels.BasicConsumeAsync(cancelQueue.QueueName, autoAck: true, cancelConsumer, stop);
        await jobs.BasicQosAsync(prefetchSize: 0, prefetchCount: 1, global: false, stop);
        var consumer = new AsyncEventingBasicConsumer(jobs);
        consumer.ReceivedAsync += (_, delivery) => HandleAsync(jobs, progress, delivery, stop);
        await jobs.BasicConsumeAsync(topology.Queue, autoAck: false, consumerTag: $"wan-worker-{workerId}", consumer, stop);
        log.WriteLine($"worker {workerId}: consuming {topology.Queue} on {broker.Host}:{broker.Port}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            log.WriteLine($"worker {workerId}: stopping");
        }
    }

    private async Task HandleAsync(IChannel jobs, IChannel progress, BasicDeliverEventArgs delivery, CancellationToken stop)
    {
        JobMessage message;
        try
        {
            message = JobMessage.Parse(delivery.Body.Span);
        }
        catch (InvalidDataException e)
        {
            log.WriteLine($"worker {workerId}: rejected a message: {e.Message}");
            await jobs.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        // A job from an API node is in the store already; one published directly gets its record here.
        var job = store.Find(message.Id) ?? VideoJob.Create(message.ToSpec(), 0, ResultCacheKey.Compute(modelIdentity, message.ToSpec()), now) with { Id = message.Id };
        var running = job with { State = JobState.Running, StartedAt = now };
        if (job.State.IsTerminal() || !store.SaveUnlessFinished(running))
        {
            var finished = store.Find(job.Id);
            log.WriteLine($"worker {workerId}: job {job.Id} already {finished?.State.WireName()}; acknowledged without running");
            await PublishAsync(progress, new ProgressEvent(job.Id, workerId, ProgressEvent.Duplicate, Result: finished?.ResultPath));
            await jobs.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            return;
        }
        store.RecordAttempt(job.Id, workerId);
        log.WriteLine($"worker {workerId}: job {job.Id} started{(delivery.Redelivered ? " (redelivered)" : "")}");
        await PublishAsync(progress, new ProgressEvent(job.Id, workerId, ProgressEvent.Started));
        using var cancel = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, stop);
        _running[job.Id] = cancel;
        double done = 0;
        VideoJob final;
        try
        {
            var path = results.PathFor(running);
            var timings = await runner.RunAsync(running, path, e =>
            {
                done = e.Progress;
                PublishAsync(progress, ProgressEvent.Of(job.Id, workerId, e)).GetAwaiter().GetResult();
            }, linked.Token);
            final = running with { State = JobState.Succeeded, Progress = 1, ResultPath = path, Timings = timings, FinishedAt = DateTimeOffset.UtcNow };
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await jobs.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            log.WriteLine($"worker {workerId}: job {job.Id} requeued (worker stopping)");
            return;
        }
        catch (OperationCanceledException)
        {
            final = running with { State = JobState.Cancelled, Progress = done, FinishedAt = DateTimeOffset.UtcNow };
        }
        catch (Exception e) when (e is ArgumentException or WanException)
        {
            final = running with { State = JobState.Failed, Progress = done, Error = e.Message.ReplaceLineEndings(" "), FinishedAt = DateTimeOffset.UtcNow };
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
        bool recorded = store.SaveUnlessFinished(final);
        var kind = !recorded ? ProgressEvent.Duplicate : JobEventKinds.Terminal(final)!.Kind;
        await PublishAsync(progress, new ProgressEvent(job.Id, workerId, kind, final.Spec.Steps, final.Spec.Steps, Result: final.ResultPath, Progress: final.Progress, Error: final.Error));
        if (final.State == JobState.Failed)
        {
            await jobs.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
        }
        else
        {
            await jobs.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
        }
        log.WriteLine($"worker {workerId}: job {job.Id} {(recorded ? final.State.WireName() : "finished meanwhile elsewhere")}{(final.Error is null ? "" : ": " + final.Error)}");
    }

    private Task PublishAsync(IChannel progress, ProgressEvent e) =>
        progress.BasicPublishAsync(topology.ProgressExchange, QueueTopology.ProgressKey(e.JobId, e.Kind), e.Serialize()).AsTask();
}
