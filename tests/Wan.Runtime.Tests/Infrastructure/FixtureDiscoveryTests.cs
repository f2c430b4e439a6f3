using Wan.Testing;

namespace Wan.Runtime.Tests.Infrastructure;

/// <summary>Discovery finds every set and case, and turns "no set" into a case that fails.</summary>
public sealed class FixtureDiscoveryTests
{
    private static void WriteSet(string root, string name, string casesJson)
    {
        Directory.CreateDirectory(Path.Combine(root, name));
        File.WriteAllText(Path.Combine(root, name, "fixture.json"), $$"""{ "cases": [{{casesJson}}] }""");
    }

    [Test]
    public void EverySetWithAFixtureJsonIsFoundInNameOrder()
    {
        using var root = new TempDirectory();
        WriteSet(root.Path, "b-set", """{ "name": "dit_one", "kind": "dit", "file": "goldens/dit.safetensors" }, { "name": "vae_one", "kind": "vae_decode", "file": "goldens/vae.safetensors" }""");
        WriteSet(root.Path, "a-set", """{ "name": "dit_two", "kind": "dit", "file": "goldens/dit.safetensors" }""");
        Directory.CreateDirectory(root.Combine("not-a-set"));

        var sets = Fixtures.Discover(root.Path);
        var cases = Fixtures.CasesOfKindIn(sets, root.Path, ["dit"]).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(sets.Select(s => s.Name), Is.EqualTo(new[] { "a-set", "b-set" }));
            Assert.That(cases.Select(c => c.TestName), Is.EqualTo(new[] { "a-set/dit_two", "b-set/dit_one" }));
            Assert.That(((FixtureCase)cases[1].Arguments[0]!).File, Is.EqualTo(root.Combine("b-set", "goldens", "dit.safetensors")));
            Assert.That(Fixtures.AllSetsIn(sets, root.Path).Count(), Is.EqualTo(2));
        });
    }

    [Test]
    public void NoSetGivesOneCaseThatFails()
    {
        using var root = new TempDirectory();
        var sets = Fixtures.Discover(root.Path);
        var cases = Fixtures.CasesOfKindIn(sets, root.Path, ["dit"]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sets, Is.Empty);
            Assert.That(Fixtures.Discover(root.Combine("missing")), Is.Empty);
            Assert.That(cases, Has.Count.EqualTo(1));
            Assert.That(cases[0].TestName, Does.StartWith("NoFixtureSetFound"));
            Assert.That(cases[0].Arguments[0], Is.Null);
            Assert.That(() => Fixtures.Require((FixtureCase?)cases[0].Arguments[0]), Throws.TypeOf<AssertionException>().With.Message.Contains(Fixtures.RootVariable));
        });
    }
}
