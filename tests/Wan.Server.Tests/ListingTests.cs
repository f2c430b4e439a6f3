using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wan.Server.Tests.Infrastructure;
using Wan.Testing;

namespace Wan.Server.Tests;

/// <summary>The listings the web page needs (<c>/v1/templates</c>, <c>/v1/styles</c>, <c>/v1/videos</c>) and the page itself at <c>/</c>.</summary>
public class ListingTests
{
    [Test]
    public async Task TemplatesAreListedWithTheirProblems()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("templates"));
        File.WriteAllText(dir.Combine("templates", "cinematic.json"), """
            { "name": "cinematic", "description": "film look", "en": { "pattern": "{prompt}, film" }, "zh": { "pattern": "{prompt}，电影" },
              "defaults": { "width": 48, "height": 32, "frames": 5 } }
            """);
        File.WriteAllText(dir.Combine("templates", "broken.json"), """{ "name": "broken", "en": { "pattern": "no placeholder" } }""");
        await using var server = await ServerHarness.StartAsync(configure: o => o.Creative.TemplatesDirectory = dir.Combine("templates"));

        var templates = await server.Client.GetFromJsonAsync<JsonElement>("/v1/templates");
        var listed = templates.GetProperty("templates").EnumerateArray().ToList();
        Assert.That(listed.Select(t => t.GetProperty("name").GetString()), Is.EqualTo(new[] { "cinematic" }));
        Assert.That((listed[0].GetProperty("description").GetString(), listed[0].GetProperty("width").GetInt32(), listed[0].GetProperty("frames").GetInt32()),
            Is.EqualTo(("film look", 48, 5)));
        Assert.That(listed[0].GetProperty("languages").EnumerateArray().Select(l => l.GetString()), Is.EqualTo(new[] { "en", "zh" }));
        var problems = templates.GetProperty("problems").EnumerateArray().ToList();
        Assert.That(problems.Select(p => p.GetProperty("name").GetString()), Is.EqualTo(new[] { "broken" }));
        Assert.That(problems[0].GetProperty("message").GetString(), Does.Contain("{prompt}"));

    }

    [Test]
    public async Task WithoutLibrariesTheListsAreEmpty()
    {
        await using var server = await ServerHarness.StartAsync();
        foreach (var (path, list) in new[] { ("/v1/templates", "templates"), ("/v1/styles", "styles") })
        {
            var body = await server.Client.GetFromJsonAsync<JsonElement>(path);
            Assert.That(body.GetProperty(list).GetArrayLength(), Is.Zero, path);
        }
    }

    [Test]
    public async Task HistoryListsJobsNewestFirstWithTheirParameters()
    {
        await using var server = await ServerHarness.StartAsync();
        var first = await server.SubmitAsync(new { prompt = "a fox", frames = 1, height = 16, width = 16, steps = 1, seed = 11 });
        await server.WaitTerminalAsync(first.Id);
        var second = await server.SubmitAsync(new { prompt = "a hare", frames = 1, height = 16, width = 32, steps = 2, seed = 12 });
        await server.WaitTerminalAsync(second.Id);

        var history = (await server.Client.GetFromJsonAsync<JsonElement>("/v1/videos")).GetProperty("videos").EnumerateArray().ToList();
        Assert.That(history.Select(v => v.GetProperty("id").GetString()), Is.EqualTo(new[] { second.Id, first.Id }));
        var request = history[0].GetProperty("request");
        Assert.That((request.GetProperty("prompt").GetString(), request.GetProperty("width").GetInt32(), request.GetProperty("steps").GetInt32(), request.GetProperty("seed").GetInt64()),
            Is.EqualTo(("a hare", 32, 2, 12L)));
        Assert.That(history.All(v => v.GetProperty("state").GetString() == "succeeded" && v.TryGetProperty("created_at", out _)), Is.True);

        var one = await server.Client.GetFromJsonAsync<JsonElement>("/v1/videos?limit=1");
        Assert.That(one.GetProperty("videos").GetArrayLength(), Is.EqualTo(1));
        using var bad = await server.Client.GetAsync("/v1/videos?limit=0");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), Does.Contain("limit must be 1 to 500"));
    }

    [Test]
    public async Task TheListingsAreInTheOpenApiDocument()
    {
        await using var server = await ServerHarness.StartAsync();
        var paths = (await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");
        Assert.That(paths.GetProperty("/v1/templates").TryGetProperty("get", out _), Is.True);
        Assert.That(paths.GetProperty("/v1/styles").TryGetProperty("get", out _), Is.True);
        Assert.That(paths.GetProperty("/v1/videos").TryGetProperty("get", out _), Is.True);
        Assert.That(paths.GetProperty("/v1/videos").GetProperty("post").GetProperty("responses").TryGetProperty("422", out _), Is.True);
    }

    [Test]
    public async Task ThePageIsServedWithoutAKeyButTheApiStillNeedsOne()
    {
        await using var server = await ServerHarness.StartAsync(configure: o => o.ApiKeys = ["0123456789abcdef-key"]);
        using var page = await server.Client.GetAsync("/");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("id=\"prompt\"").And.Contain("src=\"app.js\""));
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'self'"));
        foreach (var (file, type) in new[] { ("/", "text/html"), ("/app.js", "text/javascript"), ("/app.css", "text/css") })
        {
            using var asset = await server.Client.GetAsync(file);
            Assert.That((asset.StatusCode, asset.Content.Headers.ContentType?.MediaType), Is.EqualTo((HttpStatusCode.OK, type)), file);
            // Air-gapped servers: the page loads nothing from anywhere else.
            Assert.That(await asset.Content.ReadAsStringAsync(), Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("//cdn"), file);
        }
        using var api = await server.Client.GetAsync("/v1/videos");
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/v1/videos");
        keyed.Headers.Add("X-Api-Key", "0123456789abcdef-key");
        using var allowed = await server.Client.SendAsync(keyed);
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
