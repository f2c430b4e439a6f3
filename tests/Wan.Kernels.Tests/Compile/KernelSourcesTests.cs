using Wan.Kernels.Compile;

namespace Wan.Kernels.Tests.Compile;

public class KernelSourcesTests
{
    [Test]
    public void EveryKernelFileOfTheRepositoryIsEmbedded()
    {
        var root = Path.Combine(RepositoryRoot(), "kernels", "cuda");
        var onDisk = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cu", StringComparison.Ordinal) || f.EndsWith(".cuh", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        var embedded = KernelSources.AllKernels.Concat(KernelSources.Headers).Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.That(embedded, Is.EqualTo(onDisk));
        Assert.That(KernelSources.Kernel("test/smoke.cu").Text, Is.EqualTo(File.ReadAllText(Path.Combine(root, "test", "smoke.cu"))));
    }

    [Test]
    public void TestKernelsAreKeptApartFromTheRuntimeOnes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KernelSources.TestKernels.Select(s => s.Name), Is.EquivalentTo(new[] { "test/attention_probes.cu", "test/hazards.cu", "test/probes.cu", "test/smoke.cu", "test/streams.cu" }));
            Assert.That(KernelSources.Kernels.Select(s => s.Name), Has.None.StartsWith("test/"));
            Assert.That(KernelSources.Kernels.Select(s => s.Name), Does.Contain("attention.cu"));
            Assert.That(KernelSources.AllKernels, Has.Count.EqualTo(KernelSources.Kernels.Count + KernelSources.TestKernels.Count));
        });
    }

    [Test]
    public void UnknownKernelNameIsNamedInTheError()
    {
        var e = Assert.Throws<ArgumentException>(() => KernelSources.Kernel("nope.cu"))!;
        Assert.That(e.Message, Does.Contain("nope.cu").And.Contain("test/smoke.cu"));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Wan.Runtime.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Wan.Runtime.sln not found above {AppContext.BaseDirectory}");
    }
}
