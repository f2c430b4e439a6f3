using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Pipeline;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>Bad requests get RFC 7807 problem details with 400/404/409/413/429, and nothing is queued.</summary>
public class ProblemTests
{
    private static ServerHarness _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await ServerHarness.StartAsync(configure: o => o.MaxVideoPixels = 9L * 64 * 64);

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private static IEnumerable<TestCaseData> BadBodies()
    {
        yield return new TestCaseData("{}", 400, "prompt is required").SetName("MissingPrompt");
        yield return new TestCaseData("""{"prompt":"  "}""", 400, "prompt is required").SetName("BlankPrompt");
        yield return new TestCaseData("""{"prompt":"x","frames":6,"height":16,"width":16}""", 400, "must be 4k+1").SetName("FramesNot4kPlus1");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":33,"width":16}""", 400, "multiple of 16").SetName("HeightNotMultipleOf16");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"steps":0}""", 400, "steps").SetName("ZeroSteps");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"shift":-1}""", 400, "shift").SetName("NegativeShift");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"fps":0}""", 400, "fps").SetName("ZeroFps");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"solver":"ddim"}""", 400, "ddim: is unknown").SetName("UnknownSolver");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"format":"avi"}""", 400, "format 'avi' is unknown").SetName("UnknownFormat");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"priority":10}""", 400, "priority must be 0 to 9").SetName("PriorityOutOfRange");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"guidance":"high"}""", 400, "guidance").SetName("GuidanceNotANumber");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"guidance":[1,2,3]}""", 400, "guidance").SetName("GuidanceThreeValues");
        yield return new TestCaseData("""{"prompt":"x","frames":1,"height":16,"width":16,"style":"noir"}""", 400, "style 'noir'").SetName("StyleWithoutLibrary");
        yield return new TestCaseData("""{"prompt":"x","frame":1}""", 400, "'frame'").SetName("UnknownField");
        yield return new TestCaseData("""{"prompt":"x","frames":"five"}""", 400, "frames").SetName("WrongType");
        yield return new TestCaseData("""{"prompt":"x",""", 400, "").SetName("TruncatedJson");
        yield return new TestCaseData("[1]", 400, "").SetName("NotAnObject");
        yield return new TestCaseData("""{"prompt":"x","frames":13,"height":64,"width":64}""", 413, "at most 36,864").SetName("VideoOverServerLimit");
        yield return new TestCaseData($$"""{"prompt":"{{new string('a', 70_000)}}"}""", 413, "over 65,536 bytes").SetName("BodyOverLimit");
    }

    [TestCaseSource(nameof(BadBodies))]
    public async Task BadBodyIsAProblem(string body, int status, string detail)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _server.Client.PostAsync("/v1/videos", content);
        var problem = await AssertProblem(response, status);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(detail));
        Assert.That(_server.Dispatcher.QueueDepth + _server.Dispatcher.ActiveJobs, Is.Zero, "nothing queued");
        Assert.That(_server.Runner.Entered, Is.Empty);
    }

    [Test]
    public async Task ValidationIsTheLibrarysOwn()
    {
        // The CLI checks a request with GenerationRequest.LatentShape before loading; the server must say the same.
        var request = new GenerationRequest { Prompt = "x", Frames = 7, Height = 16, Width = 16 };
        var expected = Assert.Throws<RequestException>(() => request.LatentShape(ModelGeometry.Load(ServerHarness.Model)))!.Message;
        using var response = await _server.PostAsync(new { prompt = "x", frames = 7, height = 16, width = 16 });
        var problem = await AssertProblem(response, 400);
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public async Task NotJsonIsUnsupportedMediaType()
    {
        using var content = new StringContent("prompt=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _server.Client.PostAsync("/v1/videos", content);
        await AssertProblem(response, 415);
    }

    [Test]
    public async Task UnknownIdsAreNotFound()
    {
        const string id = "0123456789abcdef0123456789abcdef";
        foreach (var path in new[] { $"/v1/videos/{id}", $"/v1/videos/{id}/events", $"/v1/videos/{id}/content" })
        {
            using var response = await _server.Client.GetAsync(path);
            Assert.That((await AssertProblem(response, 404)).GetProperty("detail").GetString(), Does.Contain(id), path);
        }
        using var delete = await _server.Client.DeleteAsync($"/v1/videos/{id}");
        await AssertProblem(delete, 404);
        using var route = await _server.Client.GetAsync("/v2/nothing");
        Assert.That(route.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ContentOfAnUnfinishedJobIsAConflict()
    {
        _server.Runner.Hold();
        try
        {
            var created = await _server.SubmitAsync(new { prompt = "held", frames = 1, height = 16, width = 16, steps = 1 });
            await _server.Runner.NextArrivalAsync();
            using var response = await _server.Client.GetAsync($"/v1/videos/{created.Id}/content");
            Assert.That((await AssertProblem(response, 409)).GetProperty("detail").GetString(), Does.Contain("running"));
            using (await _server.Client.DeleteAsync($"/v1/videos/{created.Id}"))
            {
            }
            await _server.WaitTerminalAsync(created.Id);
        }
        finally
        {
            _server.Runner.Release();
            _server.Runner.Entered.Clear();
        }
    }

    [Test]
    public async Task FullQueueIsTooManyRequestsWithRetryAfter()
    {
        await using var server = await ServerHarness.StartAsync(configure: o => o.QueueCapacity = 2);
        server.Runner.Hold();
        var running = await server.SubmitAsync(new { prompt = "running", frames = 1, height = 16, width = 16, steps = 1 });
        await server.Runner.NextArrivalAsync();
        var queued = new[] { await server.SubmitAsync(new { prompt = "q1", frames = 1, height = 16, width = 16, steps = 1 }),
                             await server.SubmitAsync(new { prompt = "q2", frames = 1, height = 16, width = 16, steps = 1 }) };
        using var refused = await server.PostAsync(new { prompt = "q3", frames = 1, height = 16, width = 16, steps = 1 });
        var problem = await AssertProblem(refused, 429);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("capacity 2"));
        Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThanOrEqualTo(1));

        server.Runner.Release();
        foreach (var id in queued.Select(q => q.Id).Prepend(running.Id))
        {
            await server.WaitTerminalAsync(id);
        }
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(3), "the refused request was never run");
    }

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(status));
        Assert.That(problem.GetProperty("title").GetString(), Is.Not.Empty);
        Assert.That(problem.GetProperty("type").GetString(), Does.StartWith("https://"));
        return problem;
    }
}
