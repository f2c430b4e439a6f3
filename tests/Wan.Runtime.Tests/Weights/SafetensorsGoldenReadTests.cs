using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Weights;

public class SafetensorsGoldenReadTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void EveryWeightDirectoryOfASetOpensAndEveryTensorConverts(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var dirs = Directory.GetDirectories(set.Diffusers)
            .Concat(Directory.GetDirectories(set.Original))
            .Where(d => Directory.GetFiles(d, "*.safetensors").Length > 0)
            .ToList();
        Assert.That(dirs, Is.Not.Empty);
        foreach (var dir in dirs)
        {
            using var ckpt = SafetensorsCheckpoint.Open(dir);
            var names = ckpt.Names.ToList();
            Assert.That(names, Is.Not.Empty, dir);
            foreach (var name in names)
            {
                var t = ckpt.Get(name);
                var values = t.ToFloatArray();
                Assert.That(values, Has.Length.EqualTo(t.ElementCount));
                Assert.That(values.All(float.IsFinite), $"{dir}:{name}");
            }
        }
    }
}
