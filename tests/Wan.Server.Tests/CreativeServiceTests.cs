using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Wan.Server.Tests.Infrastructure;
using Wan.Testing;
using Wan.Testing.Onnx;

namespace Wan.Server.Tests;

/// <summary>
/// The creative stages inside <c>wan serve</c>: one request makes a templated, filtered, labelled, watermarked,
/// subtitled MP4 with audio (ffprobe reads the streams and tags); a blocked prompt is 422 before anything is queued;
/// bad templates, post objects and files outside the assets folder are 400; a refusing frame classifier fails the job.
/// </summary>
[Category("Golden")]
public class CreativeServiceTests
{
    private const string Template = """
        { "name": "cinematic",
          "en": { "pattern": "{prompt}, {style}, {camera}", "style": ["cinematic"], "camera": "slow dolly-in", "negative_prompt": "blurry" },
          "defaults": { "frames": 5, "width": 48, "height": 32, "steps": 2 } }
        """;

    /// <summary>A data folder with templates, a block list and an assets folder (logo, audio, subtitles) beside a secret outside it.</summary>
    private static void Configure(TempDirectory dir, ServerOptions o)
    {
        Directory.CreateDirectory(dir.Combine("templates"));
        File.WriteAllText(dir.Combine("templates", "cinematic.json"), Template);
        File.WriteAllText(dir.Combine("block.txt"), "kill*\n暴力\n");
        Directory.CreateDirectory(dir.Combine("assets", "brand"));
        MediaFiles.WritePng(dir.Combine("assets", "brand", "logo.png"), 16, 8, 0, 255, 0);
        MediaFiles.WriteTone(dir.Combine("assets", "music.wav"), 2.0);
        MediaFiles.WriteSrt(dir.Combine("assets", "subs.srt"), "雪地里的狐狸", 0.3);
        File.WriteAllText(dir.Combine("secret.srt"), "1\n00:00:00,000 --> 00:00:01,000\nsecret\n");
        o.Creative.TemplatesDirectory = dir.Combine("templates");
        o.Creative.BlockLists = [dir.Combine("block.txt")];
        o.Creative.AssetsDirectory = dir.Combine("assets");
    }

    private static object Post(string logo = "brand/logo.png") => new
    {
        logo = new { file = logo, position = "top-left", opacity = 0.9 },
        subtitles = new { file = "subs.srt", mode = "burn" },
        audio = new { file = "music.wav", fade_out = 0.1 },
        fps = 24,
        upscale = new { width = 96, height = 64 },
        color = new { saturation = 1.2 },
    };

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public async Task OneRequestMakesAFinishedLabelledClip(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(set.Diffusers, configure: o => Configure(dir, o));
        var created = await server.SubmitAsync(new
        {
            prompt = "a red fox in the snow", seed = 3, template = "cinematic", post = Post(),
            label = new { visible = true, position = "top-right" },
        });
        var status = await server.WaitTerminalAsync(created.Id);
        Assert.That(status.GetProperty("state").GetString(), Is.EqualTo("succeeded"), status.ToString());
        var request = status.GetProperty("request");
        Assert.That(request.GetProperty("prompt").GetString(), Is.EqualTo("a red fox in the snow, cinematic, slow dolly-in"));
        Assert.That((request.GetProperty("negative_prompt").GetString(), request.GetProperty("frames").GetInt32(), request.GetProperty("width").GetInt32(),
            request.GetProperty("height").GetInt32(), request.GetProperty("steps").GetInt32()), Is.EqualTo(("blurry", 5, 48, 32, 2)), "the template's pinned settings");
        Assert.That(request.GetProperty("creative").GetProperty("template").GetString(), Is.EqualTo("cinematic"));

        var file = dir.Combine("served.mp4");
        await File.WriteAllBytesAsync(file, await server.Client.GetByteArrayAsync($"/v1/videos/{created.Id}/content"));
        using var probe = MediaFiles.Probe(file);
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.That(streams.Select(s => s.GetProperty("codec_type").GetString()), Is.EqualTo(new[] { "video", "audio" }));
        Assert.That((streams[0].GetProperty("width").GetInt32(), streams[0].GetProperty("height").GetInt32(), streams[0].GetProperty("r_frame_rate").GetString()),
            Is.EqualTo((96, 64, "24/1")), "upscaled 48x32 → 96x64, interpolated 16 → 24 fps");
        Assert.That(streams[1].GetProperty("codec_name").GetString(), Is.EqualTo("aac"));
        var tags = probe.RootElement.GetProperty("format").GetProperty("tags");
        Assert.That((tags.GetProperty("ai_generated").GetString(), tags.GetProperty("content_id").GetString()), Is.EqualTo(("true", created.Id)),
            "the metadata label is on by default, the content id is the job id");
        using var aigc = JsonDocument.Parse(tags.GetProperty("AIGC").GetString()!);
        Assert.That((aigc.RootElement.GetProperty("Label").GetString(), aigc.RootElement.GetProperty("ProduceID").GetString()), Is.EqualTo(("1", created.Id)));
        var logo = MediaFiles.DecodeFrame(file, 2).AsSpan((12 * 96 + 14) * 3, 3).ToArray();
        Assert.That((logo[1] > 180, logo[0] < 90, logo[2] < 90), Is.EqualTo((true, true, true)), $"logo pixel {string.Join(",", logo)} is green");
    }

    [Test]
    public async Task APlainMp4CarriesTheMetadataLabelAndTheCacheKeySeesCreativeFields()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(configure: o => Configure(dir, o));
        var plain = new { prompt = "a fox", frames = 1, height = 16, width = 16, steps = 1, seed = 5 };
        var first = await server.SubmitAsync(plain);
        Assert.That((await server.WaitTerminalAsync(first.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        var file = dir.Combine("plain.mp4");
        await File.WriteAllBytesAsync(file, await server.Client.GetByteArrayAsync($"/v1/videos/{first.Id}/content"));
        using (var probe = MediaFiles.Probe(file))
        {
            Assert.That(probe.RootElement.GetProperty("format").GetProperty("tags").GetProperty("ai_generated").GetString(), Is.EqualTo("true"));
        }

        Assert.That((await server.SubmitAsync(plain)).Cached, Is.True, "the same request is served from the cache");
        var labelled = await server.SubmitAsync(new { prompt = "a fox", frames = 1, height = 16, width = 16, steps = 1, seed = 5, label = new { visible = true } });
        Assert.That(labelled.Cached, Is.False, "a visible label is a different video");
        Assert.That((await server.WaitTerminalAsync(labelled.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));

        // A replaced asset file is a different video too, although the request's text is the same.
        var withLogo = new { prompt = "a fox", frames = 1, height = 16, width = 16, steps = 1, seed = 5, post = new { logo = new { file = "brand/logo.png" } } };
        var logoFirst = await server.SubmitAsync(withLogo);
        Assert.That((await server.WaitTerminalAsync(logoFirst.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That((await server.SubmitAsync(withLogo)).Cached, Is.True);
        MediaFiles.WritePng(dir.Combine("assets", "brand", "logo.png"), 16, 8, 255, 0, 0);
        var changed = await server.SubmitAsync(withLogo);
        Assert.That(changed.Cached, Is.False, "the logo's content changed");
        Assert.That((await server.WaitTerminalAsync(changed.Id)).GetProperty("state").GetString(), Is.EqualTo("succeeded"));
        Assert.That(server.Runner.EngineRuns, Is.EqualTo(4), "plain, labelled, logo, changed logo");
    }

    [TestCase("a fox K.I.L.L.I.N.G a hen", "'kill*'", TestName = "Refused422_EnglishTermWithPunctuation")]
    [TestCase("充满暴 力的雪地", "'暴力'", TestName = "Refused422_ChineseTermWithASpace")]
    public async Task ABlockedPromptIs422BeforeAnythingIsQueued(string prompt, string term)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(configure: o => Configure(dir, o));
        using var response = await server.PostAsync(new { prompt, frames = 1, height = 16, width = 16, steps = 1, template = "cinematic" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(422), problem.ToString());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.StartWith("prompt refused by the safety filter").And.Contain(term).And.Not.Contain(dir.Path));
        Assert.That(server.Dispatcher.QueueDepth + server.Dispatcher.ActiveJobs, Is.Zero);
        Assert.That(server.Runner.EngineRuns, Is.Zero);
    }

    [TestCase("""{"template": "nope"}""", "template 'nope'", TestName = "Bad400_UnknownTemplate")]
    [TestCase("""{"post": {"logo": {"file": "../secret.srt"}}}""", "post.logo.file '../secret.srt': must be a file name inside", TestName = "Bad400_ParentTraversal")]
    [TestCase("""{"post": {"subtitles": {"file": "brand/../../secret.srt"}}}""", "post.subtitles.file", TestName = "Bad400_NestedTraversal")]
    [TestCase("""{"post": {"audio": {"file": "/etc/passwd"}}}""", "post.audio.file '/etc/passwd': must be a file name inside", TestName = "Bad400_AbsolutePath")]
    [TestCase("""{"label": {"visible": true, "font": "/etc/passwd"}}""", "post.label.font '/etc/passwd'", TestName = "Bad400_AbsoluteFont")]
    [TestCase("""{"post": {"audio": {"file": "missing.mp3"}}}""", "post.audio.file 'missing.mp3': no such file in the server's assets folder", TestName = "Bad400_MissingInput")]
    [TestCase("""{"post": {"logo": {"file": "brand/logo.png", "scale": 3}}}""", "logo.scale", TestName = "Bad400_OutOfRange")]
    [TestCase("""{"post": {"sparkles": true}}""", "unknown key \"sparkles\"", TestName = "Bad400_UnknownKey")]
    [TestCase("""{"post": {"fps": 24}, "format": "gif"}""", "need the mp4 format", TestName = "Bad400_PostOnGif")]
    [TestCase("""{"label": {"visible": true}, "post": {"label": {"visible": false}}}""", "give the AI label once", TestName = "Bad400_LabelTwice")]
    [TestCase("""{"post": {"fps": 24, "fps": 30}}""", "post: ", TestName = "Bad400_DuplicateKey")]
    [TestCase("""{"post": [1, 2]}""", "post must be a JSON object", TestName = "Bad400_PostNotAnObject")]
    public async Task BadCreativeFieldsAre400AtSubmission(string extra, string detail)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(configure: o => Configure(dir, o));
        var body = JsonNode(extra);
        body["prompt"] = "a fox";
        body["frames"] = 1;
        body["height"] = 16;
        body["width"] = 16;
        using var response = await server.Client.PostAsync("/v1/videos", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToString());
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(detail).And.Not.Contain("secret\n"));
        Assert.That(server.Runner.EngineRuns, Is.Zero);
    }

    [Test]
    public async Task ALinkInsideTheAssetsFolderThatLeadsOutIsRefused()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(configure: o => Configure(dir, o));
        File.CreateSymbolicLink(dir.Combine("assets", "innocent.srt"), dir.Combine("secret.srt"));
        using var response = await server.PostAsync(new { prompt = "a fox", frames = 1, height = 16, width = 16, post = new { subtitles = new { file = "innocent.srt" } } });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToString());
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("'innocent.srt': is a link that leads outside"));
    }

    [Test]
    public async Task WithoutAnAssetsFolderRequestFilesAreRefused()
    {
        await using var server = await ServerHarness.StartAsync();
        using var response = await server.PostAsync(new { prompt = "a fox", frames = 1, height = 16, width = 16, post = new { logo = new { file = "logo.png" } } });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("none is configured (Wan:Creative:AssetsDirectory)"));
    }

    [Test]
    public async Task ARefusingFrameClassifierFailsTheJobWithTheReason()
    {
        using var dir = new TempDirectory();
        RednessModel.Write(dir.Combine("redness.onnx"));
        await using var server = await ServerHarness.StartAsync(configure: o =>
        {
            o.Creative.SafetyModel = dir.Combine("redness.onnx");
            // Every frame's redness is above −1 (its minimum is −0.5 for pure blue).
            o.Creative.SafetyThreshold = -1;
        });
        var created = await server.SubmitAsync(new { prompt = "a red fox", frames = 1, height = 16, width = 16, steps = 1 });
        var events = await server.EventsAsync(created.Id);
        Assert.That(events.Last().Name, Is.EqualTo("failed"));
        var status = await server.StatusAsync(created.Id);
        Assert.That(status.GetProperty("state").GetString(), Is.EqualTo("failed"));
        Assert.That(status.GetProperty("error").GetString(), Does.StartWith("video refused by the safety classifier: frame 0 scored"));
        Assert.That(Directory.GetFiles(Path.Combine(server.DataDirectory, "results")), Is.Empty, "no video and no partial file");
    }

    [Test]
    public async Task TheExtensionServiceRewritesThePromptAndIsFilteredAgain()
    {
        // A stand-in prompt-extension service: appends words, one of which the block list holds for prompts that ask for it.
        var stubBuilder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await using var stub = stubBuilder.Build();
        stub.MapPost("/extend", (JsonElement body) =>
        {
            var prompt = body.GetProperty("prompt").GetString()!;
            return Results.Json(new { prompt = prompt + (prompt.Contains("hen") ? ", killing it" : ", in soft morning light") });
        });
        await stub.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(configure: o =>
        {
            Configure(dir, o);
            o.Creative.PromptExtensionUrl = new Uri(stub.Urls.First() + "/extend");
        });

        var created = await server.SubmitAsync(new { prompt = "a fox", frames = 1, height = 16, width = 16, steps = 1 });
        Assert.That((await server.StatusAsync(created.Id)).GetProperty("request").GetProperty("prompt").GetString(), Is.EqualTo("a fox, in soft morning light"));
        await server.WaitTerminalAsync(created.Id);

        using var refused = await server.PostAsync(new { prompt = "a fox and a hen", frames = 1, height = 16, width = 16, steps = 1 });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)refused.StatusCode, Is.EqualTo(422), problem.ToString());
        Assert.That(problem.GetProperty("detail").GetString(), Does.StartWith("expanded prompt refused by the safety filter").And.Contain("'kill*'"));
    }

    [Test]
    public async Task BadCreativeSettingsStopTheStartNamingTheThing()
    {
        using var dir = new TempDirectory();
        var missingList = await Assert.ThrowsAsync<FileNotFoundException>(() => ServerHarness.StartAsync(dataDirectory: dir.Combine("data"),
            configure: o => o.Creative.BlockLists = [dir.Combine("nope.txt")]));
        Assert.That(missingList!.Message, Is.EqualTo($"{dir.Combine("nope.txt")}: block list not found"));
        var missingAssets = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ServerHarness.StartAsync(dataDirectory: dir.Combine("data"),
            configure: o => o.Creative.AssetsDirectory = dir.Combine("assets")));
        Assert.That(missingAssets!.Message, Is.EqualTo($"{dir.Combine("assets")}: assets folder (Wan:Creative:AssetsDirectory) not found"));
        var missingTemplates = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ServerHarness.StartAsync(dataDirectory: dir.Combine("data"),
            configure: o => o.Creative.TemplatesDirectory = dir.Combine("templates")));
        Assert.That(missingTemplates!.Message, Does.Contain("templates folder not found"));
    }

    private static System.Text.Json.Nodes.JsonObject JsonNode(string json) => (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(json)!;
}
