using Wan.Runtime.Engine;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Pipeline;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Weights;

/// <summary>
/// Issue 10.1, the kind "every place that sizes or maps a model file follows symbolic links": a
/// hub-cache snapshot (relative links into blobs/) generates what the plain folder generates; absolute
/// links, chains of links and linked directories load the same tensors; a dangling link is one line
/// naming the link and its missing target.
/// </summary>
[Category("Golden")]
public class SymlinkedModelTests
{
    private static readonly string[] WeightFolders = ["transformer", "transformer_2", "text_encoder", "vae"];

    private static GenerationRequest SmallRequest => new()
    {
        Prompt = "a red fox in the snow",
        Frames = 5,
        Height = 32,
        Width = 32,
        Steps = 2,
        Seed = 11,
    };

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void HubCacheSnapshotGeneratesTheSameVideoAsThePlainFolder(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var cache = new TempDirectory();
        var snapshot = HubCacheSnapshot.Create(set.Diffusers, cache.Path);
        var files = Directory.GetFiles(snapshot, "*", SearchOption.AllDirectories);
        Assert.That(files, Is.Not.Empty);
        Assert.That(files.Where(f => new FileInfo(f).LinkTarget is null), Is.Empty, "every snapshot file is a link");
        Assert.That(files.Where(f => Path.IsPathRooted(new FileInfo(f).LinkTarget!)), Is.Empty, "links are relative, as in the hub cache");

        GenerationResult Generate(string folder)
        {
            using var engine = WanEngine.Open(folder, new EngineOptions { Device = EngineDevice.Cpu });
            return engine.Generate(SmallRequest);
        }
        var plain = Generate(set.Diffusers);
        var linked = Generate(snapshot);
        Assert.That(linked.Latent, Is.EqualTo(plain.Latent).AsCollection, "final latent");
        Assert.That(linked.Video.Rgb, Is.EqualTo(plain.Video.Rgb).AsCollection, "decoded video");
        Assert.That(plain.Video.Rgb.Distinct().Count(), Is.GreaterThan(16), "the video is not a constant picture");
        AssertSameTensors(set.Diffusers, snapshot);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AbsoluteLinksChainsAndLinkedDirectoriesLoadTheSameTensors(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var cache = new TempDirectory();
        var snapshot = HubCacheSnapshot.Create(set.Diffusers, cache.Combine("hub"));
        var model = Directory.CreateDirectory(cache.Combine("model")).FullName;
        foreach (var folder in WeightFolders.Where(f => Directory.Exists(Path.Combine(snapshot, f))))
        {
            var linkedFolder = Path.Combine(model, folder);
            if (folder == "transformer")
            {
                // A linked directory (absolute target) whose files are themselves relative links.
                Directory.CreateSymbolicLink(linkedFolder, Path.Combine(snapshot, folder));
                continue;
            }
            Directory.CreateDirectory(linkedFolder);
            foreach (var file in Directory.GetFiles(Path.Combine(snapshot, folder)))
            {
                var link = Path.Combine(linkedFolder, Path.GetFileName(file));
                if (file.EndsWith(".index.json", StringComparison.Ordinal))
                {
                    // A chain: index → link in a side folder → snapshot link → blob.
                    var middle = cache.Combine($"chain-{folder}.json");
                    File.CreateSymbolicLink(middle, file);
                    File.CreateSymbolicLink(link, middle);
                }
                else
                {
                    File.CreateSymbolicLink(link, HubCacheSnapshot.Blob(file));
                }
            }
        }
        AssertSameTensors(set.Diffusers, model);
    }

    [Test]
    public void ADanglingLinkIsOneLineNamingTheLinkAndItsTarget()
    {
        using var dir = new TempDirectory();
        var weights = Directory.CreateDirectory(dir.Combine("transformer")).FullName;
        var blob = dir.Combine("blob-that-was-deleted");
        var link = Path.Combine(weights, "diffusion_pytorch_model.safetensors");
        File.CreateSymbolicLink(link, Path.GetRelativePath(weights, blob));

        foreach (var open in new Action[] { () => SafetensorsCheckpoint.Open(weights), () => SafetensorsCheckpoint.Open(link), () => SafetensorsFile.Open(link) })
        {
            var ex = Assert.Throws<FileNotFoundException>(() => open());
            Assert.That(ex!.Message, Does.Contain(link).And.Contain("../blob-that-was-deleted").And.Contain("does not exist"));
            Assert.That(ex.Message, Does.Not.Contain('\n'));
        }
    }

    [Test]
    public void ADanglingShardOrIndexLinkNamesItsTarget()
    {
        using var dir = new TempDirectory();
        var shard = dir.Combine("shard-00001.safetensors");
        using (var writer = new SafetensorsWriter(dir.Combine("real.safetensors"), [("w", Wan.Runtime.Tensors.DType.F32, new Wan.Runtime.Tensors.Shape(2))]))
        {
            writer.WriteTensor("w", new float[] { 1f, 2f }.AsSpan());
            writer.Commit();
        }
        File.CreateSymbolicLink(shard, "gone.safetensors");
        var index = dir.Combine("model.safetensors.index.json");
        File.WriteAllText(index, """{"weight_map": {"w": "shard-00001.safetensors"}}""");
        var ex = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(index));
        Assert.That(ex!.Message, Does.Contain(shard).And.Contain("gone.safetensors"));

        var indexLink = dir.Combine("linked.safetensors.index.json");
        File.CreateSymbolicLink(indexLink, dir.Combine("missing.index.json"));
        ex = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(indexLink));
        Assert.That(ex!.Message, Does.Contain(indexLink).And.Contain("missing.index.json"));
    }

    [Test]
    public void ADanglingTokenizerLinkNamesItsTarget()
    {
        using var dir = new TempDirectory();
        var link = dir.Combine("spiece.model");
        File.CreateSymbolicLink(link, "../blobs/0a1b2c");
        var ex = Assert.Throws<FileNotFoundException>(() => Wan.Runtime.Text.Umt5Tokenizer.Load(dir.Path));
        Assert.That(ex!.Message, Does.Contain(link).And.Contain("../blobs/0a1b2c").And.Contain("tokenizer"));
    }

    [Test]
    public void ALinkLoopIsOneLineNotAHang()
    {
        using var dir = new TempDirectory();
        var a = dir.Combine("a.safetensors");
        var b = dir.Combine("b.safetensors");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        var ex = Assert.Throws<IOException>(() => SafetensorsFile.Open(a));
        Assert.That(ex!.Message, Does.Contain(a).And.Contain("symbolic link"));
    }

    private static void AssertSameTensors(string plainModel, string linkedModel)
    {
        int compared = 0;
        foreach (var folder in WeightFolders.Where(f => Directory.Exists(Path.Combine(plainModel, f))))
        {
            using var plain = SafetensorsCheckpoint.Open(Path.Combine(plainModel, folder));
            using var linked = SafetensorsCheckpoint.Open(Path.Combine(linkedModel, folder));
            Assert.That(linked.Names, Is.EqualTo(plain.Names), folder);
            foreach (var name in plain.Names)
            {
                var a = plain.Get(name);
                var b = linked.Get(name);
                Assert.That((b.DType, b.Shape), Is.EqualTo((a.DType, a.Shape)), $"{folder}/{name}");
                Assert.That(b.ToByteArray(), Is.EqualTo(a.ToByteArray()), $"{folder}/{name}");
                compared++;
            }
        }
        Assert.That(compared, Is.GreaterThan(10), "tensors compared");
    }
}
