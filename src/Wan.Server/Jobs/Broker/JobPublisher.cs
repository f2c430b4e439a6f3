using RabbitMQ.Client;

namespace Wan.Server.Jobs.Broker;

/// <summary>
/// The API node's side: publishes jobs as persistent messages to the durable queue and waits for the
/// broker's confirm, so a job acknowledged to a client is on disk at the broker.
/// </summary>
public sealed class JobPublisher : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly QueueTopology _topology;

    private JobPublisher(IConnection connection, IChannel channel, QueueTopology topology)
    {
        _connection = connection;
        _channel = channel;
        _topology = topology;
    }

    /// <summary>Connects to <paramref name="broker"/> (an amqp:// URI) and declares the topology.</summary>
    /// <exception cref="RabbitMQ.Client.Exceptions.BrokerUnreachableException">no broker answers at the URI.</exception>
    public static async Task<JobPublisher> ConnectAsync(Uri broker, QueueTopology topology, CancellationToken cancellation = default)
    {
        var connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = "wan-publisher" }.CreateConnectionAsync(cancellation);
        try
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellation);
            await topology.DeclareAsync(channel, cancellation);
            return new JobPublisher(connection, channel, topology);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Publishes one job (persistent, message id = job id) and returns once the broker confirmed it.</summary>
    /// <exception cref="RabbitMQ.Client.Exceptions.PublishException">the broker refused or returned the message.</exception>
    public async Task PublishAsync(JobMessage job, CancellationToken cancellation = default)
    {
        var properties = new BasicProperties { Persistent = true, MessageId = job.Id, ContentType = "application/json" };
        await _channel.BasicPublishAsync("", _topology.Queue, mandatory: true, properties, job.Serialize(), cancellation);
    }

    /// <summary>Asks the worker running <paramref name="jobId"/>, if any, to stop it (<see cref="QueueTopology.CancelKey"/>).</summary>
    public async Task PublishCancelAsync(string jobId, CancellationToken cancellation = default) =>
        await _channel.BasicPublishAsync(_topology.ProgressExchange, QueueTopology.CancelKey(jobId), System.Text.Encoding.UTF8.GetBytes(jobId), cancellation);

    /// <summary>Closes the channel and the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
