using System.Diagnostics;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>`wan generate` on every fixture model, read back by ffprobe (frame count and size).</summary>
[Category("Golden")]
public class GenerateEndToEndTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void WritesAVideoFfprobeReads(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var dir = Directory.CreateTempSubdirectory("wan-cli-e2e-").FullName;
        try
        {
            foreach (var ext in new[] { ".y4m", ".mp4" })
            {
                var output = Path.Combine(dir, "clip" + ext);
                var (code, stdout, stderr) = CliProcess.Run("generate", "--model", set.Diffusers, "--prompt", "a red fox in the snow",
                    "--frames", "5", "--height", "32", "--width", "48", "--steps", "3", "--seed", "7", "--device", "cpu", "--output", output);
                Assert.That(code, Is.Zero, stderr + stdout);
                Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Does.Contain("clip" + ext), "output in place, no temp name left");
                Assert.That(Directory.GetFiles(dir).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty, "no partial file left behind");
                Assert.That(Probe(output), Is.EqualTo("48,32,5"), ext);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string Probe(string path)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", path]) { RedirectStandardOutput = true };
        try
        {
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new AssertionException("ffprobe (Debian package 'ffmpeg', installed by scripts/install-deps.sh) is missing: the output cannot be read back");
        }
    }
}
