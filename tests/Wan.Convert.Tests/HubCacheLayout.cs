using System.Security.Cryptography;

namespace Wan.Convert.Tests;

/// <summary>
/// A model folder laid out as the Hugging Face hub cache does: bytes in <c>blobs/&lt;sha256&gt;</c>,
/// the tree under <c>snapshots/&lt;revision&gt;/</c> as relative symbolic links into <c>blobs/</c>.
/// (The runtime tests build the same layout; both move to tests/Wan.Testing when it exists.)
/// </summary>
internal static class HubCacheLayout
{
    public static string Create(string modelFolder, string cacheRoot)
    {
        var blobs = Path.Combine(cacheRoot, "blobs");
        var snapshot = Path.Combine(cacheRoot, "snapshots", "0123456789abcdef0123456789abcdef01234567");
        Directory.CreateDirectory(blobs);
        foreach (var file in Directory.GetFiles(modelFolder, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            var blob = Path.Combine(blobs, System.Convert.ToHexStringLower(SHA256.HashData(bytes)));
            if (!File.Exists(blob))
            {
                File.WriteAllBytes(blob, bytes);
            }
            var link = Path.Combine(snapshot, Path.GetRelativePath(modelFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, blob));
        }
        Assert.That(Directory.GetFiles(snapshot, "*", SearchOption.AllDirectories).All(f => new FileInfo(f).LinkTarget is not null), "every snapshot file is a link");
        return snapshot;
    }
}
