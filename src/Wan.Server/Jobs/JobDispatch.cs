namespace Wan.Server.Jobs;

/// <summary>Where <c>wan serve</c> sends accepted jobs (<c>--dispatch</c>).</summary>
public enum JobDispatch
{
    /// <summary>The warm engine in this process (<see cref="LocalJobDispatcher"/>).</summary>
    Local,

    /// <summary>The durable RabbitMQ queue of wan-worker processes sharing this node's store (<see cref="Broker.BrokerJobDispatcher"/>).</summary>
    RabbitMq,
}
