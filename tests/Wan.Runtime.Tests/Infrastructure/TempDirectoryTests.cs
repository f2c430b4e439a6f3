using Wan.Testing;

namespace Wan.Runtime.Tests.Infrastructure;

public sealed class TempDirectoryTests
{
    [Test]
    public void DisposeDeletesTheDirectoryWithEverythingInIt()
    {
        string path;
        using (var temp = new TempDirectory())
        {
            path = temp.Path;
            Directory.CreateDirectory(temp.Combine("nested"));
            File.WriteAllText(temp.Combine("nested", "file.txt"), "x");
            Assert.That(File.Exists(Path.Combine(path, "nested", "file.txt")), Is.True);
        }
        Assert.That(Directory.Exists(path), Is.False);
    }

    [Test]
    public void EachInstanceIsAFreshEmptyDirectory()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        Assert.That(a.Path, Is.Not.EqualTo(b.Path));
        Assert.That(Directory.GetFileSystemEntries(a.Path), Is.Empty);
    }
}
