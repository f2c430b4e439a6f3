using RabbitMQ.Client;

namespace Wan.Server.Jobs.Broker;

/// <summary>
/// The broker objects API nodes and workers share: a durable job queue (persistent messages, consumed
/// with manual acks) and a durable topic exchange for progress, routing keys <c>job.{id}.{event}</c>
/// (events: started, step, done, duplicate, ...), and <c>cancel.{id}</c> for an API node's cancel of a running job.
/// </summary>
/// <param name="Queue">the job queue's name.</param>
/// <param name="ProgressExchange">the progress exchange's name.</param>
public sealed record QueueTopology(string Queue = "wan.jobs", string ProgressExchange = "wan.progress")
{
    /// <summary>Declares both (idempotent; the same arguments as every other node).</summary>
    public async Task DeclareAsync(IChannel channel, CancellationToken cancellation = default)
    {
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellation);
        await channel.ExchangeDeclareAsync(ProgressExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellation);
    }

    /// <summary>The routing key of a progress event.</summary>
    public static string ProgressKey(string jobId, string kind) => $"job.{jobId}.{kind}";

    /// <summary>The routing key of an API node's request to stop a running job (on the progress exchange; workers bind <see cref="CancelBinding"/>).</summary>
    public static string CancelKey(string jobId) => $"cancel.{jobId}";

    /// <summary>The binding that receives every <see cref="CancelKey"/>.</summary>
    public const string CancelBinding = "cancel.*";
}
