using Wan.Errors;
using Wan.Runtime.Config;

namespace Wan.Runtime.Tests.Config;

public class ModelIndexConfigTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-index-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private ModelIndexConfig Load(string json)
    {
        File.WriteAllText(Path.Combine(_dir, "model_index.json"), json);
        return ModelIndexConfig.Load(_dir);
    }

    [Test]
    public void TwoExpertsWithBoundary()
    {
        var c = Load("""{"_class_name": "WanPipeline", "boundary_ratio": 0.875, "transformer": ["diffusers", "WanTransformer3DModel"], "transformer_2": ["diffusers", "WanTransformer3DModel"]}""");
        Assert.That((c.BoundaryRatio, c.HasSecondExpert), Is.EqualTo(((double?)0.875, true)));
    }

    [TestCase("""{"_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"]}""")]
    [TestCase("""{"_class_name": "WanPipeline", "boundary_ratio": null, "transformer_2": [null, null]}""")]
    [TestCase("""{"_class_name": "WanPipeline", "boundary_ratio": null, "transformer_2": null}""")]
    public void AbsentOrNullSecondExpertMeansOneExpert(string json)
    {
        var c = Load(json);
        Assert.That((c.BoundaryRatio, c.HasSecondExpert), Is.EqualTo(((double?)null, false)));
    }

    [TestCase("""{"_class_name": "WanPipeline", "transformer_2": ["diffusers", "WanTransformer3DModel"]}""", "'boundary_ratio' is missing")]
    [TestCase("""{"_class_name": "WanPipeline", "boundary_ratio": 1.5}""", "'boundary_ratio' must lie strictly between 0 and 1")]
    [TestCase("""{"_class_name": "WanImageToVideoPipeline"}""", "only WanPipeline")]
    [TestCase("""{"_class_name": """, "not valid JSON")]
    public void BadIndexNamesFileAndKey(string json, string message)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(json));
        Assert.That(ex!.Message, Does.StartWith(Path.Combine(_dir, "model_index.json")).And.Contain(message));
    }
}
