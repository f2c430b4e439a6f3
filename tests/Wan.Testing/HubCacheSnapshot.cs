using System.Security.Cryptography;

namespace Wan.Testing;

/// <summary>
/// Lays a model folder out as the Hugging Face hub cache does after <c>huggingface-cli download</c>:
/// every file's bytes in <c>blobs/&lt;sha256&gt;</c>, and <c>snapshots/&lt;revision&gt;/...</c> holding the
/// folder tree with each file a relative symbolic link into <c>blobs/</c>. Shared by the
/// runtime, CLI and converter tests.
/// </summary>
public static class HubCacheSnapshot
{
    /// <summary>The revision folder name under <c>snapshots/</c> (a fake commit hash).</summary>
    public const string Revision = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>Builds the cache under <paramref name="cacheRoot"/> and returns the snapshot folder.</summary>
    public static string Create(string modelFolder, string cacheRoot)
    {
        var blobs = Path.Combine(cacheRoot, "blobs");
        var snapshot = Path.Combine(cacheRoot, "snapshots", Revision);
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
        if (Directory.GetFiles(snapshot, "*", SearchOption.AllDirectories).Any(f => new FileInfo(f).LinkTarget is null))
        {
            throw new InvalidOperationException($"{snapshot}: a snapshot file is not a link");
        }
        return snapshot;
    }

    /// <summary>The file a snapshot link points to (its blob).</summary>
    public static string Blob(string link) => new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
}
