using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Wan.Errors;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Video;
using Wan.Worker.Jobs;
using Wan.Worker.Transport;

namespace Wan.Worker;

/// <summary>
/// One worker (one per GPU): consumes the job queue with manual acks and prefetch 1, runs each job on its
/// warm engine, writes the video into the shared results folder (temp name, then rename), records the
/// completion in the shared store and only then acknowledges. A worker that dies mid-job never acks, so the
/// broker redelivers the job to another worker; a redelivered job that already has a completion (the worker
/// died between recording and acking) is acknowledged without running again: each job is done once. A job
/// the engine refuses (an invalid request, NaN/Inf in the result: <see cref="WanException"/>) is rejected
/// without requeue, with one log line.
/// </summary>
public sealed class JobWorker(WanEngine engine, IResultStore store, string resultsDirectory, string workerId, QueueTopology topology, TextWriter log)
{
    /// <summary>Consumes until <paramref name="stop"/> is cancelled (a running job is then requeued).</summary>
    /// <exception cref="RabbitMQ.Client.Exceptions.BrokerUnreachableException">no broker answers at <paramref name="broker"/>.</exception>
    public async Task RunAsync(Uri broker, CancellationToken stop)
    {
        await using var connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = $"wan-worker {workerId}" }.CreateConnectionAsync(stop);
        await using var jobs = await connection.CreateChannelAsync(cancellationToken: stop);
        await using var progress = await connection.CreateChannelAsync(cancellationToken: stop);
        await topology.DeclareAsync(jobs, stop);
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
        JobMessage job;
        try
        {
            job = JobMessage.Parse(delivery.Body.Span);
        }
        catch (InvalidDataException e)
        {
            log.WriteLine($"worker {workerId}: rejected a message: {e.Message}");
            await jobs.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
            return;
        }
        if (store.Completion(job.Id) is { } done)
        {
            log.WriteLine($"worker {workerId}: job {job.Id} already finished by {done.Worker}; acknowledged without running");
            await PublishAsync(progress, new ProgressEvent(job.Id, workerId, "duplicate", Result: done.ResultPath));
            await jobs.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            return;
        }
        store.RecordAttempt(job.Id, workerId);
        log.WriteLine($"worker {workerId}: job {job.Id} started{(delivery.Redelivered ? " (redelivered)" : "")}");
        await PublishAsync(progress, new ProgressEvent(job.Id, workerId, "started"));
        try
        {
            var request = job.ToRequest();
            var result = await Task.Run(() => engine.Generate(request, p =>
            {
                if (p.Stage == GenerationStage.Denoising)
                {
                    PublishAsync(progress, new ProgressEvent(job.Id, workerId, "step", p.Step, p.StepCount, p.Expert)).GetAwaiter().GetResult();
                }
            }, stop), stop);
            var path = Path.Combine(resultsDirectory, job.Id + ".y4m");
            VideoOutput.Write(result.Video, path, stop);
            bool recorded = store.TryComplete(job.Id, workerId, path);
            await PublishAsync(progress, new ProgressEvent(job.Id, workerId, recorded ? "done" : "duplicate", request.Steps, request.Steps, Result: path));
            await jobs.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            log.WriteLine($"worker {workerId}: job {job.Id} {(recorded ? "done" : "finished meanwhile by another worker")}");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await jobs.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            log.WriteLine($"worker {workerId}: job {job.Id} requeued (worker stopping)");
        }
        catch (Exception e) when (e is ArgumentException or WanException)
        {
            await jobs.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
            log.WriteLine($"worker {workerId}: job {job.Id} rejected: {e.Message}");
        }
    }

    private Task PublishAsync(IChannel progress, ProgressEvent e) =>
        progress.BasicPublishAsync(topology.ProgressExchange, QueueTopology.ProgressKey(e.JobId, e.Kind), e.Serialize()).AsTask();
}
