using System.Text.Json;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>/metrics (Prometheus text from OpenTelemetry), /healthz and the OpenAPI document.</summary>
public class ObservabilityTests
{
    [Test]
    public async Task MetricsReportQueueJobsStepsAndMemory()
    {
        await using var server = await ServerHarness.StartAsync();
        var created = await server.SubmitAsync(new { prompt = "measured", frames = 1, height = 16, width = 16, steps = 3 });
        await server.WaitTerminalAsync(created.Id);

        using var response = await server.Client.GetAsync("/metrics");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        double Value(string prefix) => double.Parse(lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Value("wan_queue_depth{"), Is.Zero);
        Assert.That(Value("wan_jobs_active{"), Is.Zero);
        Assert.That(Value("wan_jobs_finished_total{") , Is.EqualTo(1));
        Assert.That(lines.Where(l => l.StartsWith("wan_step_duration_seconds_count{", StringComparison.Ordinal)).Sum(l => double.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(3), "one sample per step");
        Assert.That(lines.Any(l => l.StartsWith("wan_step_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("expert=\"", StringComparison.Ordinal)), Is.True);
        Assert.That(Value("wan_process_memory_bytes{"), Is.GreaterThan(1 << 20));
        Assert.That(Value("wan_managed_heap_bytes{"), Is.GreaterThan(0));
    }

    [Test]
    public async Task HealthSaysWhereTheEngineRuns()
    {
        await using var server = await ServerHarness.StartAsync();
        var health = JsonDocument.Parse(await server.Client.GetStringAsync("/healthz")).RootElement;
        Assert.That(health.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(health.GetProperty("placement").GetString(), Does.Contain("DiT: cpu"));
        Assert.That(health.GetProperty("queue_depth").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task OpenApiDocumentDescribesEveryEndpoint()
    {
        await using var server = await ServerHarness.StartAsync();
        var document = JsonDocument.Parse(await server.Client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.That(document.GetProperty("openapi").GetString(), Does.StartWith("3."));
        var paths = document.GetProperty("paths");
        Assert.That(paths.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "/v1/videos", "/v1/videos/{id}", "/v1/videos/{id}/events", "/v1/videos/{id}/content", "/healthz" }));
        var post = paths.GetProperty("/v1/videos").GetProperty("post");
        Assert.That(post.GetProperty("responses").EnumerateObject().Select(r => r.Name), Is.SupersetOf(new[] { "202", "400", "413", "429" }));
        var schema = JsonSerializer.Serialize(document.GetProperty("components").GetProperty("schemas").GetProperty("VideoRequestBody"));
        foreach (var field in new[] { "prompt", "negative_prompt", "frames", "height", "width", "steps", "seed", "guidance", "style", "format", "priority" })
        {
            Assert.That(schema, Does.Contain($"\"{field}\""), field);
        }
        Assert.That(paths.GetProperty("/v1/videos/{id}").GetProperty("delete").GetProperty("responses").EnumerateObject().Select(r => r.Name), Does.Contain("409"));
    }
}
