using System.Globalization;
using System.Text.RegularExpressions;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// `wan generate --device cuda-emulated` at each `pipeline` golden's settings: every stage's line names the CUDA
/// backend (the VAE's included), every stage time is positive and together they stay within the
/// total; and the video equals the CPU run of the same seed (the CPU pipeline matches the golden at fp32
/// tolerance, PipelineGoldenTests) within the golden's half-precision tolerance.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public partial class StageReportTests
{
    [GeneratedRegex(@"^stage (?<stage>[^:]+): (?<backend>.+) (?<seconds>[0-9]+\.[0-9]+) s(?: \((?<steps>[0-9]+) steps\))?$")]
    private static partial Regex StageLine();

    [GeneratedRegex(@"^stages total: (?<seconds>[0-9]+\.[0-9]+) s$")]
    private static partial Regex TotalLine();

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void EveryStageRunsOnTheCudaBackendAndReportsItsTime(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var p = c.Params;
        var size = p.GetProperty("size_wh");
        var guide = p.GetProperty("guide_scale_low_high");
        var dir = Directory.CreateTempSubdirectory("wan-stages-").FullName;
        try
        {
            string[] Settings(string output) =>
            [
                "generate", "--model", c.Set.Diffusers, "--prompt", p.GetProperty("prompt").GetString()!,
                "--frames", p.GetProperty("frame_num").GetInt32().ToString(CultureInfo.InvariantCulture),
                "--width", size[0].GetInt32().ToString(CultureInfo.InvariantCulture), "--height", size[1].GetInt32().ToString(CultureInfo.InvariantCulture),
                "--steps", p.GetProperty("steps").GetInt32().ToString(CultureInfo.InvariantCulture),
                "--shift", p.GetProperty("shift").GetDouble().ToString(CultureInfo.InvariantCulture),
                "--solver", p.GetProperty("solver").GetString()!,
                "--guidance", $"{guide[0].GetDouble().ToString(CultureInfo.InvariantCulture)},{guide[1].GetDouble().ToString(CultureInfo.InvariantCulture)}",
                "--seed", "11", "--output", Path.Combine(dir, output),
            ];
            var (code, stdout, stderr) = CliProcess.Run([.. Settings("emulated.y4m"), "--device", "cuda-emulated", "--precision", "bf16"]);
            Assert.That(code, Is.Zero, stderr + stdout);
            var (cpuCode, cpuOut, cpuErr) = CliProcess.Run([.. Settings("cpu.y4m"), "--device", "cpu"]);
            Assert.That(cpuCode, Is.Zero, cpuErr + cpuOut);
            TestContext.Out.WriteLine(stdout);

            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var stages = lines.Select(l => StageLine().Match(l)).Where(m => m.Success).ToList();
            var total = lines.Select(l => TotalLine().Match(l)).Single(m => m.Success);
            var names = stages.Select(m => m.Groups["stage"].Value).ToList();
            const string device = "cuda BF16 on emulated";
            Assert.Multiple(() =>
            {
                Assert.That(names, Is.EqualTo(new[] { "text encoding", "denoising transformer (high noise)", "denoising transformer_2 (low noise)", "decoding" }));
                foreach (var m in stages)
                {
                    Assert.That(m.Groups["backend"].Value, Does.StartWith(device), m.Value);
                    Assert.That(Seconds(m), Is.GreaterThan(0), m.Value);
                }
                Assert.That(stages.Where(m => m.Groups["steps"].Success).Sum(m => int.Parse(m.Groups["steps"].Value, CultureInfo.InvariantCulture)),
                    Is.EqualTo(p.GetProperty("steps").GetInt32()), "the experts' steps add up to the request's");
                // Each printed time is rounded to the millisecond: allow that much per line.
                Assert.That(stages.Sum(Seconds), Is.LessThanOrEqualTo(Seconds(total) + 0.0005 * (stages.Count + 1)), "the stages fit in the total");
            });

            var emulated = Pixels(Path.Combine(dir, "emulated.y4m"));
            var cpu = Pixels(Path.Combine(dir, "cpu.y4m"));
            double tol = c.Tolerance("bf16");
            Metrics.AssertClose(emulated, cpu, tol, $"{c} video of wan generate --device cuda-emulated (bf16) vs --device cpu, Y'CbCr about 128");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static double Seconds(Match m) => double.Parse(m.Groups["seconds"].Value, CultureInfo.InvariantCulture);

    /// <summary>Every plane byte of every frame of a 4:4:4 YUV4MPEG2 file (what Y4mWriter writes), centred on 128.</summary>
    private static float[] Pixels(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int headerEnd = Array.IndexOf(bytes, (byte)'\n');
        var header = System.Text.Encoding.ASCII.GetString(bytes, 0, headerEnd).Split(' ');
        Assert.That(header, Does.Contain("C444"), $"{path}: 4:4:4 frames");
        int width = int.Parse(header.Single(t => t.StartsWith('W'))[1..], CultureInfo.InvariantCulture);
        int height = int.Parse(header.Single(t => t.StartsWith('H'))[1..], CultureInfo.InvariantCulture);
        int frameBytes = 3 * width * height;
        var marker = "FRAME\n"u8;
        var values = new List<float>(bytes.Length);
        for (int i = headerEnd + 1; i < bytes.Length; i += marker.Length + frameBytes)
        {
            Assert.That(bytes.AsSpan(i, marker.Length).SequenceEqual(marker), $"{path}: a frame marker at byte {i}");
            values.AddRange(bytes.AsSpan(i + marker.Length, frameBytes).ToArray().Select(b => b - 128f));
        }
        return [.. values];
    }
}
