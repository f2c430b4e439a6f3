using System.Text.Json;
using Wan.Testing;
using Wan.Testing.Onnx;

namespace Wan.Cli.Tests;

/// <summary>
/// One `wan generate` on every fixture model producing a templated, filtered, labelled, watermarked, subtitled MP4 with
/// audio, read back by ffprobe; a blocked prompt, a missing input file and a refusing frame classifier stop it with one
/// line, exit code 2 and no file.
/// </summary>
[Category("Golden")]
public class CreativeEndToEndTests
{
    private const string Template = """
        { "name": "cinematic",
          "en": { "pattern": "{prompt}, {style}, {camera}, {lighting}", "style": ["cinematic"], "camera": "slow dolly-in", "lighting": "golden hour", "negative_prompt": "blurry" },
          "zh": { "pattern": "{prompt}，{style}", "style": ["电影感"] },
          "defaults": { "frames": 5, "width": 48, "height": 32, "steps": 2 } }
        """;

    private static string[] Assets(TempDirectory dir)
    {
        Directory.CreateDirectory(dir.Combine("templates"));
        File.WriteAllText(dir.Combine("templates", "cinematic.json"), Template);
        File.WriteAllText(dir.Combine("block.txt"), "# test list\nkill*\n暴力\n");
        MediaFiles.WritePng(dir.Combine("logo.png"), 16, 8, 0, 255, 0);
        MediaFiles.WriteTone(dir.Combine("music.wav"), 2.0);
        MediaFiles.WriteSrt(dir.Combine("subs.srt"), "雪地里的狐狸", 0.3);
        File.WriteAllText(dir.Combine("post.json"), """
            { "logo": { "file": "logo.png", "position": "top-left", "opacity": 0.9 },
              "subtitles": { "file": "subs.srt", "mode": "burn" },
              "audio": { "file": "music.wav", "fade_out": 0.1 },
              "fps": 24, "upscale": { "width": 96, "height": 64 },
              "label": { "visible": true, "content_id": "e2e-1" } }
            """);
        return ["--templates", dir.Combine("templates"), "--template", "cinematic", "--block-list", dir.Combine("block.txt"), "--device", "cpu", "--seed", "3"];
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void OneCallMakesAFinishedLabelledClip(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        var output = dir.Combine("clip.mp4");
        var (code, stdout, stderr) = CliProcess.Run(["generate", "--model", set.Diffusers, "--prompt", "a red fox in the snow", .. Assets(dir),
            "--post", dir.Combine("post.json"), "--output", output]);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stderr, Does.Contain("template cinematic: a red fox in the snow, cinematic, slow dolly-in, golden hour"));
        Assert.That(Directory.GetFiles(dir.Path).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty, "no partial file left behind");

        using var probe = MediaFiles.Probe(output);
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.That(streams.Select(s => s.GetProperty("codec_type").GetString()), Is.EqualTo(new[] { "video", "audio" }));
        Assert.That((streams[0].GetProperty("width").GetInt32(), streams[0].GetProperty("height").GetInt32(), streams[0].GetProperty("r_frame_rate").GetString()),
            Is.EqualTo((96, 64, "24/1")), "upscaled by the template's 48x32 → 96x64, interpolated 16 → 24 fps");
        Assert.That(streams[1].GetProperty("codec_name").GetString(), Is.EqualTo("aac"));
        var tags = probe.RootElement.GetProperty("format").GetProperty("tags");
        Assert.That((tags.GetProperty("ai_generated").GetString(), tags.GetProperty("content_id").GetString()), Is.EqualTo(("true", "e2e-1")));
        using var aigc = JsonDocument.Parse(tags.GetProperty("AIGC").GetString()!);
        Assert.That(aigc.RootElement.GetProperty("Label").GetString(), Is.EqualTo("1"));
        var logo = MediaFiles.DecodeFrame(output, 2).AsSpan((12 * 96 + 14) * 3, 3).ToArray();
        Assert.That((logo[1] > 180, logo[0] < 90, logo[2] < 90), Is.EqualTo((true, true, true)), $"logo pixel {string.Join(",", logo)} is green");
    }

    [TestCase("a fox K.I.L.L.I.N.G a hen", "'kill*'", TestName = "blocked English term with punctuation")]
    [TestCase("充满暴 力的雪地", "'暴力'", TestName = "blocked Chinese term with a space")]
    public void ABlockedPromptIsRefusedBeforeTheModelLoads(string prompt, string term)
    {
        using var dir = new TempDirectory();
        var output = dir.Combine("clip.mp4");
        // The model folder does not exist: the refusal must come first, without reading any model file.
        var (code, stdout, stderr) = CliProcess.Run(["generate", "--model", dir.Combine("no-model"), "--prompt", prompt, .. Assets(dir), "--output", output]);
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Does.StartWith("wan: prompt refused by the safety filter").And.Contain(term).And.Not.Contain("\n"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void AMissingInputFileIsOneLineBeforeGeneration()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliProcess.Run(["generate", "--model", dir.Combine("no-model"), "--prompt", "a fox", .. Assets(dir),
            "--audio", dir.Combine("missing.mp3"), "--output", dir.Combine("clip.mp4")]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo($"wan: {dir.Combine("missing.mp3")}: audio file not found"));
    }

    [Test]
    public void ATemplatesPinnedStyleGoesThroughTheStyleLibrary()
    {
        using var dir = new TempDirectory();
        var args = Assets(dir);
        File.WriteAllText(dir.Combine("templates", "cinematic.json"), Template.Replace("\"steps\": 2 }", "\"steps\": 2, \"style\": \"ink-wash\" }"));
        Directory.CreateDirectory(dir.Combine("styles"));
        var (code, _, stderr) = CliProcess.Run(["generate", "--model", dir.Combine("no-model"), "--prompt", "a fox", .. args,
            "--styles", dir.Combine("styles"), "--output", dir.Combine("clip.mp4")]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("wan: style 'ink-wash'").And.Contain("no such style"), "the pinned style was looked up in --styles");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ARefusingFrameClassifierLeavesNoVideo(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        RednessModel.Write(dir.Combine("redness.onnx"));
        var output = dir.Combine("clip.mp4");
        // Every frame's redness is above −1 (its minimum is −0.5 for pure blue): the classifier must refuse.
        var (code, stdout, stderr) = CliProcess.Run(["generate", "--model", set.Diffusers, "--prompt", "a red fox", .. Assets(dir),
            "--safety-model", dir.Combine("redness.onnx"), "--safety-threshold", "-1", "--output", output]);
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr, Does.Contain("wan: video refused by the safety classifier: frame 0 scored").And.Contain("redness.onnx"));
        Assert.That(File.Exists(output), Is.False);
        Assert.That(Directory.GetFiles(dir.Path).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty);

        var (passCode, _, passErr) = CliProcess.Run(["generate", "--model", set.Diffusers, "--prompt", "a red fox", .. Assets(dir),
            "--safety-model", dir.Combine("redness.onnx"), "--safety-threshold", "1.01", "--output", output]);
        Assert.That(passCode, Is.Zero, passErr);
        Assert.That(File.Exists(output), Is.True);
    }
}
