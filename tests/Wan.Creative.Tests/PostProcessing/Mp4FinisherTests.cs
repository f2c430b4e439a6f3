using Wan.Errors;
using System.Text.Json;
using Wan.Creative.Labels;
using Wan.Creative.PostProcessing;
using Wan.Testing;

namespace Wan.Creative.Tests.PostProcessing;

/// <summary>The one-pass ffmpeg finishing, read back with ffprobe and by decoding frames.</summary>
public class Mp4FinisherTests
{
    private static Dictionary<string, string> Tags(JsonDocument probe) =>
        probe.RootElement.GetProperty("format").TryGetProperty("tags", out var tags)
            ? tags.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];

    private static List<JsonElement> Streams(JsonDocument probe) => [.. probe.RootElement.GetProperty("streams").EnumerateArray()];

    /// <summary>Pixels of the bottom-right quarter whose blue channel is above 180: the test video's blue is 96, the label's white text ~230.</summary>
    private static int BrightBluePixelsBottomRight(byte[] rgb, int width, int height)
    {
        int count = 0;
        for (int y = height / 2; y < height; y++)
        {
            for (int x = width / 2; x < width; x++)
            {
                count += rgb[(y * width + x) * 3 + 2] > 180 ? 1 : 0;
            }
        }
        return count;
    }

    [Test]
    public void EverythingInOneEncode()
    {
        using var dir = new TempDirectory();
        MediaFiles.WritePng(dir.Combine("logo.png"), 40, 20, 0, 255, 0);
        MediaFiles.WriteTone(dir.Combine("music.wav"), 3.0);
        MediaFiles.WriteSrt(dir.Combine("subs.srt"), "你好 hello", 1.0);
        var options = new FinishingOptions(
            new PostProcessOptions
            {
                Logo = new LogoOptions(dir.Combine("logo.png"), ScreenPosition.TopLeft, Scale: 0.25, Opacity: 1.0, Margin: 2),
                Subtitles = new SubtitleOptions(dir.Combine("subs.srt")),
                Audio = new AudioOptions(dir.Combine("music.wav"), FadeOutSeconds: 0.5),
                Fps = 24, Width = 96, Height = 64,
                Color = new ColorOptions(Saturation: 1.1),
                Denoise = 2,
            },
            new AiLabelOptions { Visible = true, Size = 0.2, ContentId = "job-42", Producer = "brand studio" });
        var output = dir.Combine("clip.mp4");
        var video = TestVideos.Gradient(17, 32, 48);

        var finished = Mp4Finisher.Write(video, output, options);

        Assert.That((finished.Width, finished.Height, finished.Fps, finished.ContentId), Is.EqualTo((96, 64, 24, "job-42")));
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName).Where(n => n!.StartsWith('.')), Is.Empty, "no temp file left");
        using var probe = MediaFiles.Probe(output);
        var streams = Streams(probe);
        Assert.That(streams.Select(s => s.GetProperty("codec_type").GetString()), Is.EqualTo(new[] { "video", "audio" }));
        var v = streams[0];
        Assert.That((v.GetProperty("codec_name").GetString(), v.GetProperty("width").GetInt32(), v.GetProperty("height").GetInt32(), v.GetProperty("r_frame_rate").GetString()),
            Is.EqualTo(("h264", 96, 64, "24/1")));
        var frames = int.Parse(v.GetProperty("nb_read_frames").GetString()!);
        Assert.That(frames, Is.InRange(24, 26), "17 frames at 16 fps = 1.0625 s, interpolated to 24 fps");
        var videoSeconds = double.Parse(v.GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var audioSeconds = double.Parse(streams[1].GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"frames {frames}, video {videoSeconds:F3} s, audio {audioSeconds:F3} s (3 s tone trimmed)");
        Assert.That(audioSeconds, Is.EqualTo(video.Frames / 16.0).Within(0.1), "the 3 s tone is trimmed to the video's length");

        var tags = Tags(probe);
        Assert.That((tags["ai_generated"], tags["producer"], tags["content_id"]), Is.EqualTo(("true", "brand studio", "job-42")));
        using var aigc = JsonDocument.Parse(tags["AIGC"]);
        Assert.That(aigc.RootElement.GetProperty("Label").GetString(), Is.EqualTo("1"));
        Assert.That(aigc.RootElement.GetProperty("ProduceID").GetString(), Is.EqualTo("job-42"));

        var frame = MediaFiles.DecodeFrame(output, 5);
        Assert.That(frame, Has.Length.EqualTo(96 * 64 * 3));
        var logoPixel = frame.AsSpan((6 * 96 + 8) * 3, 3).ToArray();
        Assert.That(logoPixel[1], Is.GreaterThan(200), $"logo pixel {string.Join(",", logoPixel)} is green");
        Assert.That(logoPixel[0] + logoPixel[2], Is.LessThan(90), $"logo pixel {string.Join(",", logoPixel)} is green");
        Assert.That(BrightBluePixelsBottomRight(frame, 96, 64), Is.GreaterThan(20), "the visible label's white text is drawn bottom right");

        var unlabelled = dir.Combine("unlabelled.mp4");
        Mp4Finisher.Write(video, unlabelled, options with { Label = options.Label with { Visible = false } });
        Assert.That(BrightBluePixelsBottomRight(MediaFiles.DecodeFrame(unlabelled, 5), 96, 64), Is.Zero, "the label check cannot pass without a label");
    }

    [Test]
    public void SoftSubtitlesAreATrack()
    {
        using var dir = new TempDirectory();
        MediaFiles.WriteSrt(dir.Combine("subs.srt"), "你好", 0.3);
        var output = dir.Combine("soft.mp4");
        Mp4Finisher.Write(TestVideos.Gradient(5, 32, 48), output, new FinishingOptions(
            new PostProcessOptions { Subtitles = new SubtitleOptions(dir.Combine("subs.srt"), Burn: false, Language: "chi") }, new AiLabelOptions()));
        using var probe = MediaFiles.Probe(output);
        var subtitle = Streams(probe).Single(s => s.GetProperty("codec_type").GetString() == "subtitle");
        Assert.That(subtitle.GetProperty("codec_name").GetString(), Is.EqualTo("mov_text"));
        Assert.That(subtitle.GetProperty("tags").GetProperty("language").GetString(), Is.EqualTo("chi"));
    }

    [Test]
    public void TheMetadataLabelIsOnByDefaultAndCanBeTurnedOff()
    {
        using var dir = new TempDirectory();
        var video = TestVideos.Gradient(5, 32, 48);
        var labelled = Mp4Finisher.Write(video, dir.Combine("a.mp4"), FinishingOptions.Default);
        using (var probe = MediaFiles.Probe(labelled.Path))
        {
            Assert.That(Tags(probe)["content_id"], Is.EqualTo(labelled.ContentId).And.Length.EqualTo(32));
            Assert.That(Tags(probe)["ai_generated"], Is.EqualTo("true"));
        }
        var plain = Mp4Finisher.Write(video, dir.Combine("b.mp4"), FinishingOptions.Default with { Label = new AiLabelOptions { Metadata = false } });
        using var plainProbe = MediaFiles.Probe(plain.Path);
        Assert.That(Tags(plainProbe).Keys, Has.None.EqualTo("ai_generated").And.None.EqualTo("AIGC"));
        Assert.That(plain.ContentId, Is.Null);
    }

    [Test]
    public void AMissingInputOrABadValueIsOneLineAndNoFile()
    {
        using var dir = new TempDirectory();
        var output = dir.Combine("x.mp4");
        var video = TestVideos.Gradient(5, 32, 48);
        var missing = Assert.Throws<FileNotFoundException>(() => Mp4Finisher.Write(video, output,
            FinishingOptions.Default with { Post = new PostProcessOptions { Audio = new AudioOptions(dir.Combine("song.mp3")) } }))!;
        Assert.That(missing.Message, Is.EqualTo($"{dir.Combine("song.mp3")}: audio file not found"));
        MediaFiles.WritePng(dir.Combine("logo.png"), 8, 8, 255, 255, 255);
        var bad = Assert.Throws<RequestException>(() => Mp4Finisher.Write(video, output,
            FinishingOptions.Default with { Post = new PostProcessOptions { Logo = new LogoOptions(dir.Combine("logo.png"), Opacity: 1.5) } }))!;
        Assert.That(bad.Message, Is.EqualTo("logo.opacity 1.5: must be in [0, 1]"));
        Assert.Throws<RequestException>(() => new PostProcessOptions { Width = 95, Height = 64 }.Validate());
        Assert.Throws<RequestException>(() => new PostProcessOptions { Width = 96 }.Validate());
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "logo.png" }));
    }

    [Test]
    public void APostFileResolvesNamesBesideItAndRefusesUnknownKeys()
    {
        using var dir = new TempDirectory();
        MediaFiles.WritePng(dir.Combine("logo.png"), 8, 8, 255, 255, 255);
        var post = dir.Combine("post.json");
        File.WriteAllText(post, """{ "logo": { "file": "logo.png", "position": "bottom-left", "opacity": 0.5 }, "fps": 32, "label": { "visible": true, "text": "AI生成" } }""");
        var options = PostProcessManifest.Load(post);
        Assert.That(options.Post.Logo, Is.EqualTo(new LogoOptions(dir.Combine("logo.png"), ScreenPosition.BottomLeft, 0.2, 0.5, 8)));
        Assert.That((options.Post.Fps, options.Label.Visible, options.Label.Metadata), Is.EqualTo(((int?)32, true, true)));

        File.WriteAllText(post, """{ "logo": { "file": "logo.png", "opacity": "half" } }""");
        Assert.That(Assert.Throws<InvalidDataException>(() => PostProcessManifest.Load(post))!.Message, Is.EqualTo($"{post}: logo.opacity must be a number"));
        File.WriteAllText(post, """{ "watermark": {} }""");
        Assert.That(Assert.Throws<InvalidDataException>(() => PostProcessManifest.Load(post))!.Message, Does.Contain("unknown key \"watermark\""));
        File.WriteAllText(post, """{ "subtitles": { "file": "missing.srt" } }""");
        Assert.That(Assert.Throws<FileNotFoundException>(() => PostProcessManifest.Load(post))!.Message, Does.Contain("missing.srt: subtitles file not found"));
    }
}
