using Wan.Convert.Conversion;
using Wan.Convert.Pth;
using Wan.Convert.SelfForcing;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Testing;

namespace Wan.Convert.Tests;

/// <summary>
/// A Self-Forcing checkpoint layout (a torch.save of <c>{"generator": sd, "generator_ema": sd}</c>, DiT tensors named
/// <c>model.</c> + original Wan name), written by the test from a fixture's DiT, converts on a single-DiT base folder to
/// the same transformer as converting that DiT directly; <c>generator</c> (here: every value negated) is chosen with
/// <c>--weights regular</c>; a wrong layout is one clear error.
/// </summary>
[Category("Golden")]
public sealed class SelfForcingConvertTests
{
    /// <summary>A single-DiT original folder (the Wan2.1 layout) made of the fixture's text encoder, VAE, tokenizer and first expert.</summary>
    private static string BaseFolder(FixtureSet set, TempDirectory tmp)
    {
        var original = Path.Combine(set.Directory, "original");
        var root = tmp.Combine("base");
        Directory.CreateDirectory(root);
        foreach (var file in Directory.GetFiles(original, "*.pth").Append(Path.Combine(original, "wan_config.json"))
                     .Concat(Directory.GetFiles(Path.Combine(original, "high_noise_model"))))
        {
            File.CreateSymbolicLink(Path.Combine(root, Path.GetFileName(file)), file);
        }
        Directory.CreateSymbolicLink(Path.Combine(root, "tokenizer"), Path.Combine(original, "tokenizer"));
        return root;
    }

    private static void WriteCheckpoint(string path, ITensorSource dit, string prefix = SelfForcingCheckpoint.ModelPrefix)
    {
        var storages = new List<(string Key, Action<Stream> Write)>();
        List<PthTensorEntry> StateDict(bool negate)
        {
            var entries = new List<PthTensorEntry>();
            foreach (var name in dit.Names)
            {
                var tensor = dit.Get(name);
                var bytes = tensor.ToByteArray();
                if (negate)
                {
                    int size = tensor.DType.SizeOf();
                    for (int i = size - 1; i < bytes.Length; i += size)
                    {
                        bytes[i] ^= 0x80; // the sign bit of a little-endian float
                    }
                }
                var key = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                storages.Add((key, s => s.Write(bytes)));
                entries.Add(PthTensorEntry.Contiguous(prefix + name, tensor.DType, tensor.Shape, key));
            }
            return entries;
        }
        var pickle = StateDictPickler.PickleNested([("generator", StateDict(negate: true)), ("generator_ema", StateDict(negate: false))]);
        PthWriter.Write(path, "self_forcing_dmd", pickle, storages);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheEmaGeneratorConvertsToTheBaseDitLayout(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var tmp = new TempDirectory();
        var baseFolder = BaseFolder(set, tmp);
        var checkpoint = tmp.Combine("self_forcing_dmd.pt");
        using (var dit = SafetensorsCheckpoint.Open(Path.Combine(set.Directory, "original", "high_noise_model")))
        {
            WriteCheckpoint(checkpoint, dit);
        }
        ToDiffusersConverter.Convert(baseFolder, tmp.Combine("direct"), new ConvertOptions());
        ToDiffusersConverter.Convert(baseFolder, tmp.Combine("ema"), new ConvertOptions(), null, SelfForcingCheckpoint.Open(checkpoint, "generator_ema"));
        ToDiffusersConverter.Convert(baseFolder, tmp.Combine("regular"), new ConvertOptions(), null, SelfForcingCheckpoint.Open(checkpoint, "generator"));

        using var direct = SafetensorsCheckpoint.Open(tmp.Combine("direct", "transformer"));
        using var ema = SafetensorsCheckpoint.Open(tmp.Combine("ema", "transformer"));
        using var regular = SafetensorsCheckpoint.Open(tmp.Combine("regular", "transformer"));
        Assert.That(ema.Names.Order(StringComparer.Ordinal), Is.EqualTo(direct.Names.Order(StringComparer.Ordinal)));
        int negated = 0;
        foreach (var name in direct.Names)
        {
            var expected = direct.Get(name).ToByteArray();
            Assert.That(ema.Get(name).ToByteArray().SequenceEqual(expected), Is.True, $"generator_ema {name}");
            negated += regular.Get(name).ToByteArray().SequenceEqual(expected) ? 0 : 1;
        }
        Assert.That(negated, Is.EqualTo(direct.Names.Count), "--weights regular reads the generator state dict (negated here)");
        Assert.That(File.ReadAllText(tmp.Combine("ema", "transformer", "config.json")), Is.EqualTo(File.ReadAllText(tmp.Combine("direct", "transformer", "config.json"))));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AWrongLayoutIsOneClearError(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var tmp = new TempDirectory();
        var checkpoint = tmp.Combine("unprefixed.pt");
        using (var dit = SafetensorsCheckpoint.Open(Path.Combine(set.Directory, "original", "high_noise_model")))
        {
            WriteCheckpoint(checkpoint, dit, prefix: "");
        }
        Assert.That(() => SelfForcingCheckpoint.Open(checkpoint, "generator_ema"),
            Throws.InstanceOf<PthFormatException>().With.Message.Contains("is not under 'model.'"));
        Assert.That(() => SelfForcingCheckpoint.Open(checkpoint, "critic"),
            Throws.InstanceOf<PthFormatException>().With.Message.Contains("no state dict 'critic' (the checkpoint holds 'generator', 'generator_ema')"));
        var t5 = Path.Combine(set.Directory, "original", "models_t5_umt5-xxl-enc-bf16.pth");
        Assert.That(() => SelfForcingCheckpoint.Open(t5, "generator_ema"),
            Throws.InstanceOf<PthFormatException>().With.Message.Contains("no state dict 'generator_ema'"));
    }
}
