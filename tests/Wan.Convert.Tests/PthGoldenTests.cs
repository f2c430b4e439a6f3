using Wan.Convert.Layout;
using Wan.Convert.Pth;
using Wan.Testing;
using Wan.Convert.Weights;
using Wan.Runtime.Weights;

namespace Wan.Convert.Tests;

/// <summary>The fixtures' original/*.pth files read by our reader equal the diffusers safetensors (same weights).</summary>
[Category("Golden")]
public sealed class PthGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void T5PthEqualsDiffusersTextEncoder(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        AssertPthMatches(Path.Combine(dir, "original", "models_t5_umt5-xxl-enc-bf16.pth"), Path.Combine(dir, "diffusers", "text_encoder"), new T5KeyMap());
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void VaePthEqualsDiffusersVae(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        AssertPthMatches(Path.Combine(dir, "original", "Wan2.1_VAE.pth"), Path.Combine(dir, "diffusers", "vae"), new VaeKeyMap(2));
    }

    private static void AssertPthMatches(string pth, string diffusersDir, IKeyMap map)
    {
        using var source = PthCheckpoint.Open(pth);
        using var expected = SafetensorsCheckpoint.Open(diffusersDir);
        Assert.That(source.Names, Has.Count.EqualTo(expected.Names.Count()), "tensor count");
        foreach (var name in source.Names)
        {
            var target = map.Require(name, pth);
            var golden = expected.Get(target);
            Assert.That(source.Get(name).Shape, Is.EqualTo(golden.Shape), target);
            var actual = source.Get(name).ToFloatArray();
            var want = golden.ToFloatArray();
            Assert.That(actual, Is.EqualTo(want).AsCollection, $"{name} -> {target}");
        }
    }
}
