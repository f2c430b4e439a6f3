using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Wan.Server.Caching;

/// <summary>
/// SHA-256 of files the result cache depends on (LoRA files, style manifests), remembered per path while the file's
/// size and last-write time stay the same, so a LoRA of hundreds of MB is read once, not per request. Thread-safe.
/// </summary>
public sealed class FileHashes
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Hash)> _known = new(StringComparer.Ordinal);

    /// <summary>The file's SHA-256 (64 lower-case hex digits).</summary>
    /// <exception cref="FileNotFoundException">the file does not exist.</exception>
    /// <exception cref="IOException">it cannot be read.</exception>
    public string Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: not found", path);
        }
        if (_known.TryGetValue(info.FullName, out var known) && known.Length == info.Length && known.Written == info.LastWriteTimeUtc)
        {
            return known.Hash;
        }
        string hash;
        using (var stream = info.OpenRead())
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        _known[info.FullName] = (info.Length, info.LastWriteTimeUtc, hash);
        return hash;
    }
}
