using Wan.Runtime.Engine;
using Wan.Runtime.Tensors;
using Wan.Server.Jobs;

namespace Wan.Server;

/// <summary>
/// Settings of <c>wan serve</c>: bound from the configuration section <c>Wan</c> (appsettings.json, the
/// environment as <c>Wan__ApiKeys__0=...</c>, the command line as <c>--Wan:QueueCapacity=8</c>), then
/// overridden by the <c>wan serve</c> options.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>The model folder (diffusers layout). Required.</summary>
    public string ModelDirectory { get; set; } = "";

    /// <summary>Where the job database (<c>jobs.db</c>) and the videos (<c>results/</c>) live; default <c>./wan-data</c>.</summary>
    public string DataDirectory { get; set; } = "wan-data";

    /// <summary>Engine device (auto, cpu, cuda, cuda-emulated).</summary>
    public EngineDevice Device { get; set; } = EngineDevice.Auto;

    /// <summary>Storage type of the DiT on CUDA.</summary>
    public DType Precision { get; set; } = DType.BF16;

    /// <summary>Device of the umT5 text encoder, or null for <see cref="Device"/> (EngineOptions.TextEncoderDevice).</summary>
    public EngineDevice? TextEncoderDevice { get; set; }

    /// <summary>Device of the DiT experts, or null for <see cref="Device"/> (EngineOptions.DitDevice).</summary>
    public EngineDevice? DitDevice { get; set; }

    /// <summary>
    /// Device of the VAE, or null for <see cref="Device"/> (EngineOptions.VaeDevice): a named device without the VAE
    /// family (CUDA until it has VAE kernels) is refused at start unless this routes the VAE elsewhere, e.g.
    /// <c>--Wan:VaeDevice=Cpu</c>.
    /// </summary>
    public EngineDevice? VaeDevice { get; set; }

    /// <summary>Most jobs waiting at once (default 64); more are refused with 429 and Retry-After.</summary>
    public int QueueCapacity { get; set; } = 64;

    /// <summary>
    /// Accepted API keys (sent as <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>). None configured:
    /// only loopback clients are served, without a key.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>What a start does with jobs the previous process left running (default: fail them).</summary>
    public InterruptedJobPolicy InterruptedJobs { get; set; } = InterruptedJobPolicy.Fail;

    /// <summary>Largest request body in bytes (default 64 KiB); larger ones get 413.</summary>
    public long MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Largest video a request may ask for, in frames × height × width pixels (default 81 × 720 × 1280); larger ones get 413.</summary>
    public long MaxVideoPixels { get; set; } = 81L * 720 * 1280;

    /// <summary>Templates, prompt filter, frame classifier, assets folder (section <c>Wan:Creative</c>).</summary>
    public Creative.CreativeServerOptions Creative { get; set; } = new();

    /// <summary>The style library requests' <c>style</c> names (a folder of NAME.json manifests), or null for none.</summary>
    public string? StylesDirectory { get; set; }

    /// <summary>The folder requests' <c>loras</c> name files of (nothing outside it is reachable), or null for none.</summary>
    public string? LoraDirectory { get; set; }

    /// <summary>Where accepted jobs go: the engine in this process (default), or the RabbitMQ queue of wan-worker processes.</summary>
    public JobDispatch Dispatch { get; set; } = JobDispatch.Local;

    /// <summary>The broker of <see cref="JobDispatch.RabbitMq"/> (amqp://USER:PASS@HOST:PORT/; configuration <c>Wan:BrokerUri</c>).</summary>
    public string? BrokerUri { get; set; }

    /// <summary>The job queue's name (the workers' <c>--queue</c>).</summary>
    public string BrokerQueue { get; set; } = "wan.jobs";

    /// <summary>The progress exchange's name (the workers' <c>--exchange</c>).</summary>
    public string BrokerExchange { get; set; } = "wan.progress";

    /// <summary>Refuses settings that cannot work, naming the setting.</summary>
    /// <exception cref="ArgumentException">a setting is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelDirectory))
        {
            throw new ArgumentException("model: a model folder is required (--model DIR)");
        }
        if (QueueCapacity < 1)
        {
            throw new ArgumentException($"queue capacity must be at least 1, got {QueueCapacity}");
        }
        if (MaxRequestBytes < 1024)
        {
            throw new ArgumentException($"max request bytes must be at least 1024, got {MaxRequestBytes}");
        }
        if (MaxVideoPixels < 1)
        {
            throw new ArgumentException($"max video pixels must be at least 1, got {MaxVideoPixels}");
        }
        if (Dispatch == JobDispatch.RabbitMq
            && !(Uri.TryCreate(BrokerUri, UriKind.Absolute, out var broker) && broker.Scheme is "amqp" or "amqps"))
        {
            throw new ArgumentException($"broker: --dispatch rabbitmq needs an amqp:// URI in Wan:BrokerUri, got '{BrokerUri}'");
        }
        if (ApiKeys.Any(k => k.Length < 16))
        {
            throw new ArgumentException("every API key must be at least 16 characters");
        }
    }
}
