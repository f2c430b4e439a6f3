using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Pipeline;

namespace Wan.Runtime.Tests.Pipeline;

/// <summary>Every request that cannot run is refused before any work, naming the setting, its value and the limit.</summary>
public class GenerationRequestTests
{
    /// <summary>Wan2.2-T2V-A14B's geometry: 16 latent channels, 4x time, 8x space, patch (1, 2, 2), 1024 RoPE positions.</summary>
    private static readonly ModelGeometry Wan = new(16, 4, 8, (1, 2, 2), 1024);

    private static readonly GenerationRequest Small = new() { Prompt = "a lighthouse at night", Frames = 5, Height = 32, Width = 48, Steps = 4 };

    [Test]
    public void AcceptedRequestHasTheGeometrysLatentShape()
    {
        Assert.That(Small.LatentShape(Wan), Is.EqualTo(new[] { 16, 2, 4, 6 }));
        var other = new ModelGeometry(48, 4, 16, (1, 2, 2), 1024);
        Assert.That((Small with { Height = 64, Width = 96 }).LatentShape(other), Is.EqualTo(new[] { 48, 2, 4, 6 }));
        // A chunk of 4 frames as floats twice and as bytes, two frames of writer buffers; plus the 5 frames when held.
        Assert.That(Small.DecodedVideoBytes(Wan, holdsWholeVideo: false), Is.EqualTo(3L * 32 * 48 * (4 * 9 + 2)));
        Assert.That(Small.DecodedVideoBytes(Wan, holdsWholeVideo: true), Is.EqualTo(3L * 32 * 48 * (4 * 9 + 2 + 5)));
        Assert.That((Small with { Frames = 1 }).DecodedVideoBytes(Wan, holdsWholeVideo: false), Is.EqualTo(3L * 32 * 48 * (9 + 2)), "a chunk never exceeds the video");
    }

    [TestCase("Frames", 8, "frames", "must be 4k+1")]
    [TestCase("Frames", 0, "frames", "at least 1")]
    [TestCase("Height", 72, "height", "multiple of 16")]
    [TestCase("Width", 0, "width", "positive number of pixels")]
    [TestCase("Steps", 0, "steps", "1 to 1000")]
    [TestCase("Steps", 2_000_000_000, "steps", "1 to 1000")]
    [TestCase("Fps", 0, "fps", "at least 1")]
    public void OutOfRangeSettingIsNamed(string property, int value, string setting, string problem)
    {
        var request = property switch
        {
            "Frames" => Small with { Frames = value },
            "Height" => Small with { Height = value },
            "Width" => Small with { Width = value },
            "Steps" => Small with { Steps = value },
            _ => Small with { Fps = value },
        };
        var e = Assert.Throws<RequestException>(() => request.LatentShape(Wan))!;
        Assert.That(e.Settings.Select(s => s.Key), Is.EqualTo(new[] { setting }));
        Assert.That(e.Format("--"), Does.StartWith($"--{setting} {value}: ").And.Contain(problem));
    }

    [Test]
    public void NonFiniteOrUnknownValuesAreNamed()
    {
        Assert.That(Assert.Throws<RequestException>(() => (Small with { GuidanceHigh = double.NaN }).Validate())!.Message, Does.StartWith("guidance 3,NaN: "));
        Assert.That(Assert.Throws<RequestException>(() => (Small with { Shift = double.PositiveInfinity }).Validate())!.Message, Does.StartWith("shift "));
        Assert.That(Assert.Throws<RequestException>(() => (Small with { Solver = "ddim" }).Validate())!.Message, Does.StartWith("solver ddim: is unknown"));
    }

    [TestCase(5, 65536, 65536)]
    [TestCase(1, 131072, 131072)]
    public void ImpossibleSizesAreRefusedWithTheLimit(int frames, int height, int width)
    {
        var e = Assert.Throws<RequestException>(() => (Small with { Frames = frames, Height = height, Width = width }).LatentShape(Wan))!;
        Assert.That(e.Format("--"), Is.EqualTo(
            $"--height {height}: gives {height / 16} patches along height; this model's RoPE table covers 1024 (rope_max_seq_len): at most 16,384 pixels"));
    }

    [Test]
    public void VideoLargerThanOneBufferIsRefusedWithTheExactCount()
    {
        var e = Assert.Throws<RequestException>(() => (Small with { Frames = 81, Height = 16384, Width = 16384 }).LatentShape(Wan))!;
        Assert.That(e.Settings.Select(s => s.Key), Is.EqualTo(new[] { "frames", "height", "width" }));
        Assert.That(e.Problem, Does.Contain("3 × 81 × 16384 × 16384 = 65,229,815,808 values").And.Contain("2,147,483,591"));
    }

    [Test]
    public void ProductsBeyond64BitsArePrintedExactlyNotWrapped()
    {
        // A geometry whose RoPE reaches any size: only the checked products stand between the request and a wrapped count.
        var unbounded = Wan with { RopeMaxPositions = int.MaxValue };
        var e = Assert.Throws<RequestException>(() => (Small with { Frames = 1, Height = 2147483632, Width = 2147483632 }).LatentShape(unbounded))!;
        Assert.That(e.Problem, Does.Contain("16 × 1 × 268435454 × 268435454 = 1,152,921,487,426,977,856 values"), "the latent is the first buffer refused");
        Assert.That(e.Message, Does.Not.Match(@"-\d"), "no negative count");
    }

    [Test]
    public void NoiseOfTheWrongLengthIsRefused()
    {
        var e = Assert.Throws<RequestException>(() => (Small with { Noise = new float[10] }).LatentShape(Wan))!;
        Assert.That(e.Message, Does.StartWith("noise [10 values]: the latent [16, 2, 4, 6] needs 768 values"));
    }

    [Test]
    public void HostMemoryShortfallNamesStageAndAmount()
    {
        var request = Small with { Frames = 81, Height = 720, Width = 1280 };
        var e = Assert.Throws<MemoryExhaustedException>(() => request.CheckHostMemory(256L << 20, Wan, holdsWholeVideo: true))!;
        Assert.That(e.Bytes, Is.EqualTo(3L * 720 * 1280 * (4 * 9 + 2 + 81)));
        Assert.That(e.Message, Does.StartWith("out of host memory while decoding: 314 MiB asked for").And.Contain("256 MiB is available"));
        Assert.DoesNotThrow(() => request.CheckHostMemory(512L << 20, Wan, holdsWholeVideo: true));
    }

    /// <summary>
    /// 481 frames of 1280×720 streamed: the decode holds a chunk (105 MB), not the 6.6 GB float video the old count
    /// assumed, so 1 GiB is enough; holding the whole 8-bit video (1.3 GB) is not, nor is a chunk in 64 MiB.
    /// </summary>
    [Test]
    public void StreamedDecodeFitsWhereTheWholeVideoDoesNot()
    {
        var request = Small with { Frames = 481, Height = 720, Width = 1280 };
        Assert.DoesNotThrow(() => request.CheckHostMemory(1L << 30, Wan, holdsWholeVideo: false));
        Assert.That(3L * 481 * 720 * 1280 * (sizeof(float) + 1), Is.GreaterThan(1L << 30), "the float-video count refused it");
        Assert.Throws<MemoryExhaustedException>(() => request.CheckHostMemory(1L << 30, Wan, holdsWholeVideo: true));
        var e = Assert.Throws<MemoryExhaustedException>(() => request.CheckHostMemory(64L << 20, Wan, holdsWholeVideo: false))!;
        Assert.That(e.Message, Does.Contain("a decode chunk of 481 frames of 1280x720"));
    }
}
