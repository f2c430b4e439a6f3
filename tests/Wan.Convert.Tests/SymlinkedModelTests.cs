using Wan.Convert.Conversion;
using Wan.Convert.Inspection;
using Wan.Convert.Pth;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Convert.Tests;

/// <summary>
/// Issue 10.1 in wan-convert: inspect, diff and verify read a hub-cache snapshot (every file a relative
/// link into blobs/) as they read the plain folder, and to-diffusers converts an original layout whose
/// shards, index, .pth archives, tokenizer and config are all links.
/// </summary>
[Category("Golden")]
public sealed class SymlinkedModelTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void InspectAndDiffReadASnapshotAsThePlainFolder(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        using var tmp = new TempDirectory();
        var plainPath = Path.Combine(dir, "diffusers");
        var snapshot = HubCacheSnapshot.Create(plainPath, tmp.Combine("hub"));

        var plain = Inspector.Inspect(plainPath);
        var linked = Inspector.Inspect(snapshot);
        Assert.That(linked.Layout, Is.EqualTo("diffusers"));
        Assert.That(linked.Components.Select(c => c.Name), Is.EqualTo(plain.Components.Select(c => c.Name)));
        foreach (var (a, b) in plain.Components.Zip(linked.Components))
        {
            Assert.That(b.Tensors.Select(t => (t.Name, t.DType, t.Shape)), Is.EqualTo(a.Tensors.Select(t => (t.Name, t.DType, t.Shape))), a.Name);
            Assert.That(b.Bytes, Is.EqualTo(a.Bytes).And.GreaterThan(0), a.Name);
        }
        Assert.That(linked.Config, Is.EqualTo(plain.Config), "config settings read through the links");
        Assert.That(Differ.Diff(plainPath, snapshot), Is.Empty, "diff finds no difference");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ToDiffusersConvertsAnOriginalLayoutMadeOfLinks(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        using var tmp = new TempDirectory();
        var snapshot = HubCacheSnapshot.Create(Path.Combine(dir, "original"), tmp.Combine("hub"));
        Assert.That(Directory.GetFiles(snapshot, "*.pth").Select(f => new FileInfo(f).LinkTarget), Is.Not.Empty.And.All.Not.Null, "the .pth archives are links");

        var converted = tmp.Combine("out");
        ToDiffusersConverter.Convert(snapshot, converted, new ConvertOptions());
        var expectedRoot = Path.Combine(dir, "diffusers");
        int compared = 0;
        foreach (var component in new[] { "transformer", "transformer_2", "text_encoder", "vae" }.Where(c => Directory.Exists(Path.Combine(expectedRoot, c))))
        {
            using var expected = SafetensorsCheckpoint.Open(Path.Combine(expectedRoot, component));
            using var actual = SafetensorsCheckpoint.Open(Path.Combine(converted, component));
            Assert.That(actual.Names, Is.EqualTo(expected.Names), component);
            foreach (var name in expected.Names)
            {
                Assert.That(actual.Get(name).ToByteArray(), Is.EqualTo(expected.Get(name).ToByteArray()), $"{component}/{name}");
                compared++;
            }
        }
        Assert.That(compared, Is.GreaterThan(10));
        Assert.That(Verifier.Verify(converted, snapshot).Problems, Is.Empty, "verify reads the linked source");
    }

    [Test]
    public void ADanglingPthLinkNamesItsTarget()
    {
        using var tmp = new TempDirectory();
        var link = tmp.Combine("models_t5_umt5-xxl-enc-bf16.pth");
        File.CreateSymbolicLink(link, "../blobs/deadbeef");
        var e = Assert.Throws<FileNotFoundException>(() => PthCheckpoint.Open(link));
        Assert.That(e!.Message, Does.Contain(link).And.Contain("../blobs/deadbeef").And.Contain("does not exist"));
    }
}
