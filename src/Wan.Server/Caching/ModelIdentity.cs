using System.Security.Cryptography;
using System.Text;

namespace Wan.Server.Caching;

/// <summary>
/// A hash naming one model folder's files: the full content of every small file (configs, tokenizer,
/// indexes: under 16 MiB) and, for the weight files, their relative path, size and last-write time.
/// Hashing the weights themselves would read ~100 GB at every start; a changed weight file changes its
/// size or time, so the cache misses instead of serving a stale video. Symbolic links are followed.
/// </summary>
public static class ModelIdentity
{
    private const long ContentHashLimit = 16L << 20;

    /// <summary>SHA-256 (64 hex digits) of the folder's files as described above.</summary>
    /// <exception cref="DirectoryNotFoundException">the folder does not exist.</exception>
    public static string Compute(string modelDirectory)
    {
        var root = new DirectoryInfo(modelDirectory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"model folder {modelDirectory}: not found");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = root.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .OrderBy(f => Path.GetRelativePath(root.FullName, f.FullName), StringComparer.Ordinal);
        foreach (var file in files)
        {
            var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            var relative = Path.GetRelativePath(root.FullName, file.FullName).Replace('\\', '/');
            hash.AppendData(Encoding.UTF8.GetBytes($"{relative}\n{target.Length}\n"));
            if (target.Length <= ContentHashLimit)
            {
                hash.AppendData(File.ReadAllBytes(target.FullName));
            }
            else
            {
                hash.AppendData(Encoding.UTF8.GetBytes($"{target.LastWriteTimeUtc.Ticks}\n"));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
