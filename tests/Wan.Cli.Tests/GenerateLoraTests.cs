using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Cli.Tests;

/// <summary>
/// <c>wan generate --lora</c>: files are checked before the model loads (one line naming the file, or the
/// offending keys of a LoRA that does not fit the model), and a LoRA changes the generated video while
/// strength 0 reproduces the plain one byte for byte.
/// </summary>
[Category("Golden")]
public class GenerateLoraTests
{
    private static string[] Generate(FixtureSet set, string output, params string[] extra) =>
        ["generate", "--model", set.Diffusers, "--prompt", "a red fox in the snow", "--frames", "5", "--height", "32", "--width", "32",
            "--steps", "2", "--seed", "7", "--device", "cpu", "--output", output, .. extra];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void MismatchedLoraIsRefusedWithItsKeysBeforeTheModelLoads(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var dir = Directory.CreateTempSubdirectory("wan-cli-lora-").FullName;
        try
        {
            var bad = Path.Combine(dir, "other_model.safetensors");
            using (var writer = new SafetensorsWriter(bad, [
                ("transformer.blocks.0.attn1.to_q.lora_A.weight", Wan.Runtime.Tensors.DType.F32, new Wan.Runtime.Tensors.Shape(4, 5120)),
                ("transformer.blocks.0.attn1.to_q.lora_B.weight", Wan.Runtime.Tensors.DType.F32, new Wan.Runtime.Tensors.Shape(5120, 4)),
                ("transformer.single_transformer_blocks.0.attn.to_q.lora_A.weight", Wan.Runtime.Tensors.DType.F32, new Wan.Runtime.Tensors.Shape(4, 8))]))
            {
                foreach (var (name, n) in new[] { ("transformer.blocks.0.attn1.to_q.lora_A.weight", 4 * 5120), ("transformer.blocks.0.attn1.to_q.lora_B.weight", 5120 * 4),
                             ("transformer.single_transformer_blocks.0.attn.to_q.lora_A.weight", 32) })
                {
                    writer.WriteTensor(name, new float[n].AsSpan());
                }
                writer.Commit();
            }
            var output = Path.Combine(dir, "clip.y4m");
            var (code, _, err) = CliProcess.Run(Generate(set, output, "--lora", bad + ":0.7:high"));
            Assert.That(code, Is.EqualTo(2), err);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(1), err);
            Assert.That(lines[0], Does.StartWith($"wan: {bad}: LoRA refused, 2 offending key(s)"));
            Assert.That(lines[0], Does.Contain("'transformer.blocks.0.attn1.to_q.lora_A.weight': shape [4, 5120], expected [4, "));
            Assert.That(lines[0], Does.Contain("'transformer.single_transformer_blocks.0.attn.to_q.lora_A.weight': matches no LoRA key"));
            Assert.That(File.Exists(output), Is.False, "nothing written");

            var (missingCode, _, missingErr) = CliProcess.Run(Generate(set, output, "--lora", Path.Combine(dir, "absent.safetensors")));
            Assert.That((missingCode, missingErr.Trim()), Is.EqualTo((2, $"wan: {Path.Combine(dir, "absent.safetensors")}: LoRA file not found")));
            var (specCode, _, specErr) = CliProcess.Run(Generate(set, output, "--lora", bad + ":strong"));
            Assert.That(specCode, Is.EqualTo(2));
            Assert.That(specErr.Trim(), Does.StartWith("wan: --lora '").And.Contain("strength 'strong' is not a finite number"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void LoraChangesTheVideoAndStrengthZeroDoesNot(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var loras = Directory.Exists(Path.Combine(set.Directory, "lora")) ? Directory.GetFiles(Path.Combine(set.Directory, "lora"), "*.safetensors").Order(StringComparer.Ordinal).ToArray() : [];
        Assert.That(loras, Is.Not.Empty, $"{set.Name} ships LoRA files in lora/");
        var dir = Directory.CreateTempSubdirectory("wan-cli-lora-").FullName;
        try
        {
            byte[] Run(string name, params string[] extra)
            {
                var output = Path.Combine(dir, name + ".y4m");
                var (code, stdout, stderr) = CliProcess.Run(Generate(set, output, extra));
                Assert.That(code, Is.Zero, stderr + stdout);
                return File.ReadAllBytes(output);
            }
            var plain = Run("plain");
            var styled = Run("styled", "--lora", loras[0] + ":1.5:high", "--lora", loras[^1] + ":0.8:low", "--lora-mode", "merged");
            var unmerged = Run("unmerged", "--lora", loras[0] + ":1.5:high", "--lora", loras[^1] + ":0.8:low", "--lora-mode", "unmerged");
            var zero = Run("zero", "--lora", loras[0] + ":0");
            Assert.That(styled, Is.Not.EqualTo(plain), "the LoRAs change the video");
            Assert.That(zero, Is.EqualTo(plain), "strength 0 gives the plain video");
            int differing = styled.Zip(unmerged).Count(p => Math.Abs(p.First - p.Second) > 1);
            Assert.That(differing, Is.Zero, "merged and unmerged give the same 8-bit video (within 1 level)");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
