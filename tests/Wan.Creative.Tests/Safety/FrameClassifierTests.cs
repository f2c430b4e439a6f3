using Wan.Errors;
using Wan.Creative.Safety;
using Wan.Testing.Onnx;
using Wan.Testing;

namespace Wan.Creative.Tests.Safety;

/// <summary>The ONNX frame classifier on a redness model the test writes itself.</summary>
public class FrameClassifierTests
{
    [TestCase(null, TestName = "dynamic [N, 3, H, W] input")]
    [TestCase(8, TestName = "fixed [1, 3, 8, 8] input (frames resized, one per run)")]
    public void RefusesARedVideoAndPassesABlueOne(int? size)
    {
        using var dir = new TempDirectory();
        var model = dir.Combine("redness.onnx");
        RednessModel.Write(model, size);
        using var classifier = FrameClassifier.Open(model, new FrameClassifierOptions { Threshold = 0.5, SampledFrames = 3 });

        var blue = TestVideos.Solid(9, 32, 48, 0, 0, 255);
        var scores = classifier.Score(blue);
        Assert.That(scores.Select(s => s.Frame), Is.EqualTo(new[] { 0, 4, 8 }), "3 frames evenly spread, first and last included");
        Assert.That(scores.Select(s => s.Score), Has.All.EqualTo(-0.5).Within(1e-5), "blue: 0 − (0 + 1)/2");
        Assert.DoesNotThrow(() => classifier.Enforce(blue));

        var red = TestVideos.Solid(9, 32, 48, 255, 0, 0);
        var refused = Assert.Throws<ContentRefusedException>(() => classifier.Enforce(red))!;
        Assert.That(refused.Score, Is.EqualTo(1.0).Within(1e-5));
        Assert.That(refused.Frame, Is.Zero);
        Assert.That(refused.Message, Does.Contain("frame 0").And.Contain("threshold 0.5").And.Contain("redness.onnx").And.Not.Contain("\n"));
    }

    [Test]
    public void OnlyTheRedFrameOfAMixedVideoIsFlagged()
    {
        using var dir = new TempDirectory();
        var model = dir.Combine("redness.onnx");
        RednessModel.Write(model);
        using var classifier = FrameClassifier.Open(model, new FrameClassifierOptions { SampledFrames = 5 });
        var video = TestVideos.Solid(5, 16, 16, 128, 128, 128);
        var frame3 = video.Rgb.AsSpan(3 * video.FrameBytes, video.FrameBytes);
        for (int i = 0; i < frame3.Length; i += 3)
        {
            (frame3[i], frame3[i + 1], frame3[i + 2]) = (255, 0, 0);
        }
        var scores = classifier.Score(video);
        Assert.That(scores.Select(s => s.Score), Is.EqualTo(new[] { 0.0, 0.0, 0.0, 1.0, 0.0 }).Within(1e-5));
        Assert.That(Assert.Throws<ContentRefusedException>(() => classifier.Enforce(video))!.Frame, Is.EqualTo(3));
    }

    [Test]
    public void ACorruptModelIsOneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        var model = dir.Combine("broken.onnx");
        File.WriteAllBytes(model, [0x08, 0x07, 0x12, 0xff, 0xff, 0x01, 0x02]);
        var e = Assert.Throws<InvalidDataException>(() => FrameClassifier.Open(model))!;
        Assert.That(e.Message, Does.StartWith(model).And.Contain("not an ONNX model").And.Not.Contain("\n"));
        Assert.That(Assert.Throws<FileNotFoundException>(() => FrameClassifier.Open(dir.Combine("missing.onnx")))!.Message, Does.Contain("missing.onnx"));
        Assert.Throws<RequestException>(() => FrameClassifier.Open(model, new FrameClassifierOptions { SampledFrames = 0 }));
    }
}
