using Wan.Convert.Conversion;
using Wan.Convert.Inspection;
using Wan.Convert.Synth;
using Wan.Testing;

namespace Wan.Convert.Tests;

/// <summary>Bad input gives one clear error, and verify/diff notice real differences.</summary>
public sealed class ConvertErrorTests
{
    [Test]
    public void MissingT5CheckpointIsNamed()
    {
        using var tmp = new TempDirectory();
        var original = tmp.Combine("orig");
        Synthesizer.Write("tiny", original, new SynthOptions(OriginalLayout: true));
        File.Delete(Path.Combine(original, "models_t5_umt5-xxl-enc-bf16.pth"));
        var e = Assert.Throws<FileNotFoundException>(() => ToDiffusersConverter.Convert(original, tmp.Combine("out"), new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("T5 encoder checkpoint not found"));
        Assert.That(Directory.Exists(tmp.Combine("out")), Is.False);
    }

    [Test]
    public void ExistingDestinationIsRefusedAndNothingIsLeftBehind()
    {
        using var tmp = new TempDirectory();
        var original = tmp.Combine("orig");
        Synthesizer.Write("tiny", original, new SynthOptions(OriginalLayout: true));
        var e = Assert.Throws<IOException>(() => ToDiffusersConverter.Convert(original, original, new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("already exists"));
        Assert.That(Directory.GetDirectories(tmp.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "orig" }));
    }

    [Test]
    public void UnknownDitTensorIsRefused()
    {
        using var tmp = new TempDirectory();
        var original = tmp.Combine("orig");
        Synthesizer.Write("tiny", original, new SynthOptions(OriginalLayout: true));
        var shards = Directory.GetFiles(Path.Combine(original, "high_noise_model"), "*.safetensors");
        Assert.That(shards, Has.Length.EqualTo(1));
        var rogue = Path.Combine(original, "high_noise_model", "extra.safetensors");
        using (var w = new Wan.Runtime.Weights.SafetensorsWriter(rogue, [("img_emb.proj.0.weight", Wan.Runtime.Tensors.DType.F32, new Wan.Runtime.Tensors.Shape(2))]))
        {
            w.WriteTensor("img_emb.proj.0.weight", new float[] { 1, 2 });
            w.Commit();
        }
        var map = new System.Text.Json.Nodes.JsonObject { ["img_emb.proj.0.weight"] = "extra.safetensors" };
        using (var shard = Wan.Runtime.Weights.SafetensorsFile.Open(shards[0]))
        {
            foreach (var name in shard.Names)
            {
                map[name] = Path.GetFileName(shards[0]);
            }
        }
        var index = new System.Text.Json.Nodes.JsonObject { ["weight_map"] = map };
        File.WriteAllText(Path.Combine(original, "high_noise_model", "diffusion_pytorch_model.safetensors.index.json"), index.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => ToDiffusersConverter.Convert(original, tmp.Combine("out"), new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("'img_emb.proj.0.weight' has no diffusers name"));
    }

    [Test]
    public void VerifyAndDiffReportDifferentWeights()
    {
        using var tmp = new TempDirectory();
        Synthesizer.Write("tiny", tmp.Combine("a"), new SynthOptions(Seed: 1));
        Synthesizer.Write("tiny", tmp.Combine("b"), new SynthOptions(Seed: 2));
        var verify = Verifier.Verify(tmp.Combine("a"), tmp.Combine("b"));
        Assert.That(verify.Ok, Is.False);
        Assert.That(verify.Problems.Select(p => p.Problem), Has.Some.Contains("expected"));
        var diff = Differ.Diff(tmp.Combine("a"), tmp.Combine("b"));
        Assert.That(diff.Where(d => d.RelativeL2 is not null).Select(d => d.RelativeL2!.Value), Has.All.GreaterThan(0.5));
        Assert.That(Verifier.Verify(tmp.Combine("a"), tmp.Combine("a")).Ok, Is.True);
    }
}
