using System.Net;
using System.Net.Http.Headers;
using Wan.Testing;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>The "done when": a client submits, follows events, downloads an MP4 ffprobe reads, on every fixture model.</summary>
[Category("Golden")]
public class EndToEndTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public async Task SubmitFollowEventsDownload(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        await using var server = await ServerHarness.StartAsync(set.Diffusers);
        var created = await server.SubmitAsync(new { prompt = "a red fox in the snow", frames = 5, height = 32, width = 48, steps = 3, seed = 7 });
        Assert.That(created.Id, Does.Match("^[0-9a-f]{32}$"));

        var events = await server.EventsAsync(created.Id);
        var names = events.Select(e => e.Name).ToList();
        Assert.That(names.First(), Is.AnyOf("queued", "running"), string.Join(",", names));
        Assert.That(names.Last(), Is.EqualTo("done"));
        var steps = events.Where(e => e.Name == "step").Select(e => e.Data).ToList();
        Assert.That(steps.Select(s => s.GetProperty("step").GetInt32()), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(steps.All(s => s.GetProperty("steps").GetInt32() == 3 && s.GetProperty("expert").GetString()!.Length > 0), Is.True);
        Assert.That(names.IndexOf("decoding"), Is.GreaterThan(names.LastIndexOf("step")), "decoding follows the last step");
        var progress = events.Select(e => e.Data.GetProperty("progress").GetDouble()).ToList();
        Assert.That(progress, Is.Ordered, "progress never goes back");
        Assert.That(progress.Last(), Is.EqualTo(1.0));

        var status = await server.StatusAsync(created.Id);
        Assert.That(status.GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That(status.GetProperty("timings").GetProperty("denoising_seconds").GetDouble(), Is.GreaterThan(0));
        var url = status.GetProperty("content_url").GetString()!;

        using var full = await server.Client.GetAsync(url);
        Assert.That(full.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(full.Content.Headers.ContentType?.MediaType, Is.EqualTo("video/mp4"));
        Assert.That(full.Headers.AcceptRanges, Does.Contain("bytes"));
        var bytes = await full.Content.ReadAsByteArrayAsync();
        var file = Path.Combine(server.DataDirectory, "download.mp4");
        await File.WriteAllBytesAsync(file, bytes);
        Assert.That(Ffprobe.Probe(file), Is.EqualTo("48,32,5"));

        using var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new RangeHeaderValue(10, 109);
        using var partial = await server.Client.SendAsync(range);
        Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(partial.Content.Headers.ContentRange?.ToString(), Is.EqualTo($"bytes 10-109/{bytes.Length}"));
        Assert.That(await partial.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[10..110]));
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(1));
    }

    [Test]
    public async Task GifAndY4mAreServedWithTheirContentTypes()
    {
        await using var server = await ServerHarness.StartAsync();
        foreach (var (format, type) in new[] { ("gif", "image/gif"), ("y4m", "video/x-yuv4mpeg") })
        {
            var created = await server.SubmitAsync(new { prompt = "a fox", frames = 1, height = 16, width = 16, steps = 1, format });
            Assert.That((await server.WaitTerminalAsync(created.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
            using var content = await server.Client.GetAsync($"/v1/videos/{created.Id}/content");
            Assert.That(content.Content.Headers.ContentType?.MediaType, Is.EqualTo(type));
            var bytes = await content.Content.ReadAsByteArrayAsync();
            Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 0, 3), Is.EqualTo(format == "gif" ? "GIF" : "YUV"));
        }
    }
}
