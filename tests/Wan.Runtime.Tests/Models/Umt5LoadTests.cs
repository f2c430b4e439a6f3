using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Umt5;

namespace Wan.Runtime.Tests.Models;

/// <summary>Weights that do not fit the config are refused with the tensor's name and the problem.</summary>
public class Umt5LoadTests
{
    private string _root = "";

    [SetUp]
    public void CreateDirectory()
    {
        _root = Path.Combine(Path.GetTempPath(), "umt5-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_root, true);

    private string LoadError(Umt5TestModel model)
    {
        var dir = model.WriteTo(_root);
        using var backend = new CpuBackend();
        return Assert.Throws<InvalidDataException>(() => Umt5Encoder.Load(backend, dir).Dispose())!.Message;
    }

    [TestCase("encoder.block.1.layer.1.DenseReluDense.wo.weight")]
    [TestCase("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight")]
    [TestCase("encoder.final_layer_norm.weight")]
    [TestCase("shared.weight")]
    public void MissingWeightIsNamed(string name)
    {
        var model = new Umt5TestModel(seed: 1);
        model.Weights.Remove(name);
        Assert.That(LoadError(model), Does.Contain($"umT5 weight '{name}' is missing"));
    }

    [Test]
    public void WrongShapeIsNamedWithBothShapes()
    {
        var model = new Umt5TestModel(seed: 2);
        const string name = "encoder.block.1.layer.0.SelfAttention.q.weight";
        model.Weights[name] = ([Umt5TestModel.DModel, Umt5TestModel.DModel], new float[Umt5TestModel.DModel * Umt5TestModel.DModel]);
        Assert.That(LoadError(model), Does.Contain($"'{name}' has shape [24, 24], the config expects [15, 24]"));
    }

    [Test]
    public void VocabularyDisagreeingWithTheEmbeddingIsNamed()
    {
        var model = new Umt5TestModel(seed: 3);
        model.Config["vocab_size"] = Umt5TestModel.Vocab + 1;
        Assert.That(LoadError(model), Does.Contain("'shared.weight' has shape [53, 24], the config expects [54, 24]"));
    }

    [Test]
    public void MoreLayersThanConfiguredIsRefused()
    {
        var model = new Umt5TestModel(seed: 4);
        model.Config["num_layers"] = Umt5TestModel.Layers - 1;
        Assert.That(LoadError(model), Does.Contain("'encoder.block.1.layer.0.layer_norm.weight', more layers than num_layers = 1"));
    }

    [Test]
    public void AbsentDirectoryIsNamed()
    {
        var dir = Path.Combine(_root, "no-such-text-encoder");
        using var backend = new CpuBackend();
        Assert.That(Assert.Throws<DirectoryNotFoundException>(() => Umt5Encoder.Load(backend, dir))!.Message, Does.Contain(dir));
    }
}
