using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Wan.Runtime.Engine;
using Wan.Server.Api;
using Wan.Server.Jobs;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>
/// <c>wan_gpu_memory_bytes{device}</c> on <c>/metrics</c>: the engine backend's device memory from the device's allocation
/// accounting — 0 labelled cpu on the CPU backend; on the emulated GPU the weights at rest, more while a job's
/// buffers are live (the job is held inside its first step), and those buffers freed after it.
/// </summary>
public class DeviceMemoryMetricTests
{
    private const string Gauge = "wan_gpu_memory_bytes{";

    [Test]
    public async Task OnTheCpuBackendTheGaugeIsZeroAndSaysCpu()
    {
        await using var server = await ServerHarness.StartAsync();
        var line = (await server.Client.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith(Gauge, StringComparison.Ordinal));
        Assert.That(line, Does.Contain("device=\"cpu\""));
        Assert.That(Value(line), Is.Zero);
    }

    [Test]
    [Category("Emulated")]
    public async Task OnTheEmulatedGpuTheGaugeFollowsAJobsBuffers()
    {
        var data = Directory.CreateTempSubdirectory("wan-serve-test-").FullName;
        var runner = new HoldingRunner();
        var app = WanServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.ModelDirectory = ServerHarness.Model;
            o.DataDirectory = data;
            o.Device = EngineDevice.CudaEmulated;
        }, services => services.AddSingleton<IJobRunner>(sp => runner.Around(new EngineJobRunner(sp.GetRequiredService<WanEngine>()))));
        try
        {
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
            var idle = await ScrapeAsync(client, _ => true);
            Assert.That(idle.Line, Does.Contain("device=\"cuda-emulated\""));
            Assert.That(idle.Bytes, Is.GreaterThan(0), "the DiT's weights live on the device");

            using var created = await client.PostAsJsonAsync("/v1/videos", new { prompt = "measured", frames = 5, height = 32, width = 32, steps = 2 }, ServerJson.Options);
            Assert.That((int)created.StatusCode, Is.EqualTo(202));
            var id = (await created.Content.ReadFromJsonAsync<VideoCreatedBody>(ServerJson.Options))!.Id;
            await runner.InsideFirstStep.WaitAsync(TimeSpan.FromMinutes(3));
            // The exporter may answer from a short cache: scrape until the job's buffers show.
            var running = await ScrapeAsync(client, v => v > idle.Bytes);
            runner.Release();
            var status = await client.GetStringAsync($"/v1/videos/{id}/events");
            Assert.That(status.TrimEnd(), Does.EndWith("""{"kind":"done","progress":1}"""));
            var after = await ScrapeAsync(client, v => v < running.Bytes);
            TestContext.Out.WriteLine($"device bytes: idle {idle.Bytes:N0}, inside step 1 {running.Bytes:N0}, after the job {after.Bytes:N0}");
            Assert.That(running.Bytes, Is.GreaterThan(idle.Bytes), "a running job's buffers are counted");
            Assert.That(after.Bytes, Is.LessThan(running.Bytes), "and freed when it ends");
        }
        finally
        {
            runner.Release();
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(data, true);
        }
    }

    private static async Task<(string Line, double Bytes)> ScrapeAsync(HttpClient client, Func<double, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var line = (await client.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith(Gauge, StringComparison.Ordinal));
            if (until(Value(line)) || DateTime.UtcNow > deadline)
            {
                return (line, Value(line));
            }
            await Task.Yield();
        }
    }

    private static double Value(string line) => double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);

    /// <summary>Holds the engine inside its first denoising step (in the progress callback, on the generating thread) until released.</summary>
    private sealed class HoldingRunner
    {
        private readonly TaskCompletionSource _inside = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();

        public Task InsideFirstStep => _inside.Task;

        public void Release() => _release.Set();

        public IJobRunner Around(IJobRunner inner) => new Wrapped(inner, this);

        private sealed class Wrapped(IJobRunner inner, HoldingRunner holder) : IJobRunner
        {
            public Task<JobTimings> RunAsync(VideoJob job, string outputPath, Action<JobEvent> report, CancellationToken cancellation) =>
                inner.RunAsync(job, outputPath, e =>
                {
                    report(e);
                    if (e.Kind == JobEventKinds.Step && holder._inside.TrySetResult())
                    {
                        holder._release.Wait(cancellation);
                    }
                }, cancellation);
        }
    }
}
