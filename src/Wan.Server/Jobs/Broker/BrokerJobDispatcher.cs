using System.Text.Json;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Wan.Server.Telemetry;

namespace Wan.Server.Jobs.Broker;

/// <summary>
/// <see cref="IJobDispatcher"/> of an API node that runs no engine (<c>wan serve --dispatch rabbitmq</c>): an accepted job
/// is published to the durable queue (persistent, confirmed) for the wan-worker processes, which record its outcome in
/// the job store shared with this node; their progress messages on the topic exchange feed this node's
/// <see cref="JobEventHub"/> (SSE). Cancel: a job still waiting is marked cancelled in the store (a worker that takes
/// it later acknowledges it without running); a running one gets a <c>cancel.{id}</c> message.
/// <see cref="QueueDepth"/> and <see cref="ActiveJobs"/> count this node's jobs as the workers report them.
/// </summary>
public sealed class BrokerJobDispatcher : BackgroundService, IJobDispatcher
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);
    private readonly Uri _broker;
    private readonly QueueTopology _topology;
    private readonly IJobStore _store;
    private readonly JobEventHub _events;
    private readonly ServerMetrics _metrics;
    private JobPublisher? _publisher;
    private IConnection? _connection;
    private IChannel? _progress;
    private double _averageJobSeconds = 1;
    private readonly Dictionary<string, DateTime> _started = new(StringComparer.Ordinal);

    /// <summary>A dispatcher publishing to <paramref name="broker"/>.</summary>
    /// <param name="broker">the amqp:// URI.</param>
    /// <param name="topology">queue and exchange names (the workers' own).</param>
    /// <param name="capacity">most of this node's jobs waiting at once.</param>
    /// <param name="store">the store shared with the workers.</param>
    /// <param name="events">where progress goes.</param>
    /// <param name="metrics">the server's instruments.</param>
    public BrokerJobDispatcher(Uri broker, QueueTopology topology, int capacity, IJobStore store, JobEventHub events, ServerMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(metrics);
        _broker = broker;
        _topology = topology;
        Capacity = capacity;
        _store = store;
        _events = events;
        _metrics = metrics;
        metrics.ObserveDispatcher(this);
    }

    /// <inheritdoc/>
    public int Capacity { get; }

    /// <inheritdoc/>
    public int QueueDepth
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <inheritdoc/>
    public int ActiveJobs
    {
        get
        {
            lock (_lock)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>Connects to the broker (publisher and progress consumer) before the server listens.</summary>
    /// <exception cref="RabbitMQ.Client.Exceptions.BrokerUnreachableException">no broker answers at the URI.</exception>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _publisher = await JobPublisher.ConnectAsync(_broker, _topology, cancellationToken).ConfigureAwait(false);
        _connection = await new ConnectionFactory { Uri = _broker, ClientProvidedName = "wan-serve progress" }.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        _progress = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var queue = await _progress.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _progress.QueueBindAsync(queue.QueueName, _topology.ProgressExchange, "job.#", cancellationToken: cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(_progress);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            try
            {
                OnProgress(ProgressEvent.Parse(delivery.Body.Span));
            }
            catch (JsonException)
            {
                // Not ours to judge: another publisher on the exchange. The job's state is in the store either way.
            }
            return Task.CompletedTask;
        };
        await _progress.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    /// <inheritdoc/>
    /// <exception cref="JobDispatchException">the broker is unreachable or refused the message.</exception>
    public bool TryEnqueue(VideoJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            if (_waiting.Count >= Capacity)
            {
                return false;
            }
            _waiting.Add(job.Id);
        }
        try
        {
            // Confirmed by the broker before the client hears 202: an accepted job is on the broker's disk.
            (_publisher ?? throw new InvalidOperationException("the broker dispatcher is not started")).PublishAsync(JobMessage.From(job)).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or RabbitMQ.Client.Exceptions.OperationInterruptedException
                                      or RabbitMQ.Client.Exceptions.PublishException or IOException or InvalidOperationException)
        {
            lock (_lock)
            {
                _waiting.Remove(job.Id);
            }
            throw new JobDispatchException($"the job could not be published to {_broker.Host}:{_broker.Port} queue {_topology.Queue}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public CancelOutcome Cancel(string jobId)
    {
        bool waiting;
        lock (_lock)
        {
            waiting = _waiting.Remove(jobId);
            if (!waiting && !_active.Contains(jobId))
            {
                return CancelOutcome.NotFound;
            }
        }
        // Also for a waiting job: a worker may have taken it since the last progress message.
        _publisher!.PublishCancelAsync(jobId).GetAwaiter().GetResult();
        // A waiting job's message stays on the queue; the worker that takes it finds the job cancelled and skips it.
        return waiting ? CancelOutcome.RemovedFromQueue : CancelOutcome.StopRequested;
    }

    /// <inheritdoc/>
    public TimeSpan EstimatedWait()
    {
        lock (_lock)
        {
            return TimeSpan.FromSeconds(Math.Clamp(_averageJobSeconds * (_waiting.Count + 1 - Capacity), 1, 3600));
        }
    }

    private void OnProgress(ProgressEvent e)
    {
        if (e.ToLiveEvent() is { } live)
        {
            if (e.Kind == ProgressEvent.Started)
            {
                lock (_lock)
                {
                    _waiting.Remove(e.JobId);
                    _active.Add(e.JobId);
                    _started[e.JobId] = DateTime.UtcNow;
                }
            }
            else if (e.Kind == JobEventKinds.Step && e.Seconds is { } seconds)
            {
                _metrics.RecordStep(seconds, e.Expert);
            }
            _events.Publish(e.JobId, live);
            return;
        }
        // Terminal or duplicate: the worker saved the outcome before publishing it; the store has the last word.
        if (_store.Find(e.JobId) is not { } job || JobEventKinds.Terminal(job) is not { } terminal)
        {
            return;
        }
        bool ours;
        lock (_lock)
        {
            _waiting.Remove(e.JobId);
            ours = _active.Remove(e.JobId);
            if (_started.Remove(e.JobId, out var started))
            {
                _averageJobSeconds = 0.7 * _averageJobSeconds + 0.3 * (DateTime.UtcNow - started).TotalSeconds;
            }
        }
        if (ours && e.Kind != ProgressEvent.Duplicate)
        {
            _metrics.RecordFinished(job.State);
        }
        _events.Publish(e.JobId, terminal);
    }

    /// <summary>Closes the broker connections.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_progress is not null)
        {
            await _progress.DisposeAsync().ConfigureAwait(false);
        }
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync().ConfigureAwait(false);
        }
    }
}
