using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Wan.Server.Tests.Infrastructure;
using Wan.Testing;

namespace Wan.Server.Tests;

/// <summary>
/// A request's <c>style</c> (the server's style library) and <c>loras</c> (files of the server's LoRA folder only):
/// refusals are 400 problems naming the style or LoRA, <c>GET /v1/styles</c> lists name/description/version, and the
/// result cache tells an edited style LoRA from the old one.
/// </summary>
[Category("Golden")]
public class StyleAndLoraTests
{
    private TempDirectory _dir = null!;
    private string[] _fixtureLoras = [];

    [SetUp]
    public void CreateFolders()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        _fixtureLoras = [.. Directory.GetFiles(Path.Combine(set.Directory, "lora"), "*.safetensors").Order(StringComparer.Ordinal)];
        _dir = new TempDirectory();
        Directory.CreateDirectory(_dir.Combine("styles"));
        Directory.CreateDirectory(_dir.Combine("loras"));
        // Copied as bytes: the fixtures are read-only and a test replaces a file.
        File.WriteAllBytes(_dir.Combine("styles", "ink.safetensors"), File.ReadAllBytes(_fixtureLoras[0]));
        File.WriteAllText(_dir.Combine("styles", "ink.json"), """
            { "name": "ink", "description": "ink wash", "loras": [ { "file": "ink.safetensors", "strength": 0.7, "expert": "both" } ],
              "trigger_words": ["inkwash"], "recommended": { "steps": 2 } }
            """);
        File.WriteAllText(_dir.Combine("styles", "plain.json"), """{ "name": "plain", "description": "no LoRA", "prompt_suffix": "film grain" }""");
        File.WriteAllBytes(_dir.Combine("loras", "detail.safetensors"), File.ReadAllBytes(_fixtureLoras[^1]));
        File.WriteAllText(_dir.Combine("secret.safetensors"), "outside the LoRA folder");
    }

    [TearDown]
    public void DeleteFolders() => _dir.Dispose();

    private Task<ServerHarness> StartAsync() => ServerHarness.StartAsync(configure: o =>
    {
        o.StylesDirectory = _dir.Combine("styles");
        o.LoraDirectory = _dir.Combine("loras");
    });

    private static IEnumerable<TestCaseData> RefusedLoraNames()
    {
        yield return new TestCaseData("../secret").SetName("ParentTraversal");
        yield return new TestCaseData("../secret.safetensors").SetName("ParentTraversalWithExtension");
        yield return new TestCaseData("..").SetName("ParentItself");
        yield return new TestCaseData("/etc/passwd").SetName("AbsolutePath");
        yield return new TestCaseData("sub/detail").SetName("SubfolderPath");
        yield return new TestCaseData("..\\secret").SetName("BackslashTraversal");
        yield return new TestCaseData(".hidden").SetName("HiddenName");
        yield return new TestCaseData("").SetName("EmptyName");
    }

    [TestCaseSource(nameof(RefusedLoraNames))]
    public async Task ALoraNameThatIsAPathIsRefused(string name)
    {
        await using var server = await StartAsync();
        using var response = await server.PostAsync(new { prompt = "x", frames = 1, height = 16, width = 16, steps = 1, loras = new[] { new { name } } });
        var problem = await Problem(response, 400);
        Assert.That(problem, Does.Contain($"lora '{name}'").And.Contain("no path"));
        Assert.That(problem, Does.Not.Contain(_dir.Path), "the server's folders are not revealed");
        Assert.That(server.Runner.Entered, Is.Empty);
    }

    [Test]
    public async Task UnknownStyleOrLoraAndBadSettingsAreProblemsNamingThem()
    {
        await using var server = await StartAsync();
        async Task<string> Refused(object body)
        {
            using var response = await server.PostAsync(body);
            return await Problem(response, 400);
        }
        Assert.That(await Refused(new { prompt = "x", frames = 1, height = 16, width = 16, style = "noir" }),
            Is.EqualTo("style 'noir': no such style (styles: ink, plain)"));
        Assert.That(await Refused(new { prompt = "x", frames = 1, height = 16, width = 16, loras = new[] { new { name = "missing" } } }),
            Is.EqualTo("lora 'missing': no such LoRA in the server's LoRA folder"));
        Assert.That(await Refused(new { prompt = "x", frames = 1, height = 16, width = 16, loras = new[] { new { name = "detail", strength = 4.5f } } }),
            Does.StartWith("lora 'detail': strength 4.5 is not a finite number in [-4, 4]"));
        Assert.That(await Refused(new { prompt = "x", frames = 1, height = 16, width = 16, loras = new[] { new { name = "detail", expert = "middle" } } }),
            Is.EqualTo("lora 'detail': expert 'middle' is not high, low or both"));
        File.WriteAllText(_dir.Combine("loras", "broken.safetensors"), "not a safetensors file");
        var broken = await Refused(new { prompt = "x", frames = 1, height = 16, width = 16, loras = new[] { new { name = "broken" } } });
        Assert.That(broken, Does.Contain("broken.safetensors").And.Not.Contain(_dir.Path), "checked against the model before queueing, named without the server's folder");
        Assert.That(server.Runner.Entered, Is.Empty);

        // Without a LoRA folder configured nothing is reachable.
        await using var bare = await ServerHarness.StartAsync();
        using var response = await bare.PostAsync(new { prompt = "x", frames = 1, height = 16, width = 16, loras = new[] { new { name = "detail" } } });
        Assert.That(await Problem(response, 400), Is.EqualTo("lora 'detail': this server has no LoRA folder"));
    }

    [Test]
    public async Task StylesAreListedWithAVersionThatFollowsTheirFiles()
    {
        await using var server = await StartAsync();
        var listed = await server.Client.GetFromJsonAsync<JsonElement>("/v1/styles");
        var styles = listed.GetProperty("styles").EnumerateArray().ToList();
        Assert.That(styles.Select(s => s.GetProperty("name").GetString()), Is.EqualTo(new[] { "ink", "plain" }));
        Assert.That(styles[0].GetProperty("description").GetString(), Is.EqualTo("ink wash"));
        var version = styles[0].GetProperty("version").GetString();
        Assert.That(version, Does.Match("^[0-9a-f]{16}$"));
        Assert.That(styles[1].GetProperty("version").GetString(), Is.Not.EqualTo(version));

        ReplaceLora(_fixtureLoras[1]);
        var after = await server.Client.GetFromJsonAsync<JsonElement>("/v1/styles");
        Assert.That(after.GetProperty("styles")[0].GetProperty("version").GetString(), Is.Not.EqualTo(version), "a new LoRA file is a new version");
    }

    [Test]
    public async Task AStyledRequestIsCachedUntilItsLoraChanges()
    {
        await using var server = await StartAsync();
        var body = new { prompt = "a lantern", frames = 5, height = 32, width = 32, seed = 5, format = "y4m", style = "ink", loras = new[] { new { name = "detail", strength = 0.5f, expert = "low" } } };
        var first = await server.SubmitAsync(body);
        Assert.That((await server.WaitTerminalAsync(first.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        var request = (await server.StatusAsync(first.Id)).GetProperty("request");
        Assert.That(request.GetProperty("prompt").GetString(), Is.EqualTo("inkwash, a lantern"), "the style's trigger word");
        Assert.That(request.GetProperty("steps").GetInt32(), Is.EqualTo(2), "the style's recommended steps");
        Assert.That(request.GetProperty("style").GetString(), Is.EqualTo("ink"));
        Assert.That(request.GetProperty("loras").EnumerateArray().Select(l => l.GetProperty("name").GetString()),
            Is.EqualTo(new[] { "detail.safetensors", "ink.safetensors" }), "the request's LoRAs, then the style's");

        var repeat = await server.SubmitAsync(body);
        Assert.That(repeat.Cached, Is.True, "same style version, same LoRA files");
        var explicitSteps = await server.SubmitAsync(new { prompt = "a lantern", frames = 5, height = 32, width = 32, seed = 5, format = "y4m", steps = 2, style = "ink",
            loras = new[] { new { name = "detail.safetensors", strength = 0.5f, expert = "LOW" } } });
        Assert.That(explicitSteps.Cached, Is.True, "the style's steps given explicitly, the LoRA spelled differently: the same normalised request");

        ReplaceLora(_fixtureLoras[1]);
        var edited = await server.SubmitAsync(body);
        Assert.That(edited.Cached, Is.False, "the style's LoRA file changed: a new key");
        Assert.That((await server.WaitTerminalAsync(edited.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(2));
        var before = await server.Client.GetByteArrayAsync($"/v1/videos/{first.Id}/content");
        var now = await server.Client.GetByteArrayAsync($"/v1/videos/{edited.Id}/content");
        Assert.That(now, Is.Not.EqualTo(before), "the engine applied the new LoRA");

        var unstyled = await server.SubmitAsync(new { prompt = "a lantern", frames = 5, height = 32, width = 32, seed = 5, format = "y4m", steps = 2 });
        Assert.That(unstyled.Cached, Is.False);
        await server.WaitTerminalAsync(unstyled.Id);
        var plain = await server.Client.GetByteArrayAsync($"/v1/videos/{unstyled.Id}/content");
        Assert.That(plain, Is.Not.EqualTo(now), "the style and LoRAs change the video");
    }

    private void ReplaceLora(string source)
    {
        var path = _dir.Combine("styles", "ink.safetensors");
        File.Delete(path);
        File.WriteAllBytes(path, File.ReadAllBytes(source));
    }

    private static async Task<string> Problem(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        return JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
    }
}
