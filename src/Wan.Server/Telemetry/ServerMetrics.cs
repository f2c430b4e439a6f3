using System.Diagnostics;
using System.Diagnostics.Metrics;
using Wan.Server.Jobs;

namespace Wan.Server.Telemetry;

/// <summary>
/// The server's OpenTelemetry instruments (meter <see cref="MeterName"/>, exported on <c>/metrics</c> in
/// Prometheus text): queue depth and active jobs (gauges read from the dispatcher), denoising step
/// latency (histogram, seconds, by expert), finished jobs (counter, by state), and memory in use
/// (gauges, bytes: the process's working set, the managed heap, and the engine's device memory in use,
/// <see cref="ObserveDeviceMemory"/>).
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter's name, to enable in an OpenTelemetry <c>MeterProvider</c>.</summary>
    public const string MeterName = "Wan.Server";

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _stepSeconds;
    private readonly Counter<long> _finished;

    /// <summary>Creates the instruments.</summary>
    public ServerMetrics()
    {
        _stepSeconds = _meter.CreateHistogram("wan.step.duration", "s", "wall-clock time of one denoising step (both CFG forwards and the solver update)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        _finished = _meter.CreateCounter<long>("wan.jobs.finished", "{job}", "jobs that reached a terminal state, by state");
        _meter.CreateObservableGauge("wan.process.memory", () => Environment.WorkingSet, "By", "working set of the server process");
        _meter.CreateObservableGauge("wan.managed.heap", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "managed heap after the last collection");
    }

    /// <summary>Publishes the dispatcher's queue depth and active jobs as gauges.</summary>
    public void ObserveDispatcher(IJobDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        _meter.CreateObservableGauge("wan.queue.depth", () => dispatcher.QueueDepth, "{job}", "jobs waiting for the engine");
        _meter.CreateObservableGauge("wan.jobs.active", () => dispatcher.ActiveJobs, "{job}", "jobs on the engine");
    }

    /// <summary>Publishes the engine's device memory in use as a gauge labelled with the device (0 on "cpu").</summary>
    /// <param name="bytes">reads the bytes now (<see cref="Wan.Runtime.Engine.WanEngine.DeviceBytesAllocated"/>).</param>
    /// <param name="device">"cuda", "cuda-emulated" or "cpu".</param>
    public void ObserveDeviceMemory(Func<long> bytes, string device)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _meter.CreateObservableGauge("wan.gpu.memory", () => new Measurement<long>(bytes(), new KeyValuePair<string, object?>("device", device)), "By",
            "device memory held by the engine's backend (its allocation accounting): weights, graphs, the running job's buffers");
    }

    /// <summary>Records one denoising step's duration in seconds.</summary>
    public void RecordStep(double seconds, string? expert) =>
        _stepSeconds.Record(seconds, new TagList { { "expert", expert ?? "single" } });

    /// <summary>Counts a job that reached <paramref name="state"/>.</summary>
    public void RecordFinished(JobState state) => _finished.Add(1, new TagList { { "state", state.WireName() } });

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _meter.Dispose();
}
