using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Wan.Kernels.Compile;

/// <summary>
/// NVRTC output cached on disk, one file per (sources, options, target, NVRTC version), named by the
/// SHA-256 of all of them, so any change to a kernel, a header, an option or the compiler misses.
/// Entries are written under a temporary name and renamed into place (readers never see half a file);
/// each carries its payload length and SHA-256, and an entry that fails either check is rebuilt, never loaded.
/// </summary>
public sealed class KernelCache
{
    private static readonly byte[] Magic = "WANKRNL1"u8.ToArray();
    private const int HeaderBytes = 8 + 8 + 32;

    /// <summary>A cache in <paramref name="directory"/> (created on first store); throws <see cref="ArgumentException"/> on an empty path.</summary>
    public KernelCache(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The cache directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>$WAN_KERNEL_CACHE, else $XDG_CACHE_HOME/wan-runtime/kernels, else ~/.cache/wan-runtime/kernels.</summary>
    public static string DefaultDirectory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("WAN_KERNEL_CACHE");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }
            var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cacheHome))
            {
                cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }
            return Path.Combine(cacheHome, "wan-runtime", "kernels");
        }
    }

    /// <summary>The per-user cache (see the class summary for where it lies).</summary>
    public static KernelCache CreateDefault() => new(DefaultDirectory);

    /// <summary>The cache key: hex SHA-256 over every input that changes NVRTC's output.</summary>
    public static string KeyOf(KernelSource source, IReadOnlyList<KernelSource> headers, CompileTarget target, CompileOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var (major, minor) = NvrtcCompiler.Version;
        Append(hash, $"wan-kernel-cache/1 nvrtc {major}.{minor}");
        Append(hash, target.ToString());
        foreach (var option in NvrtcCompiler.OptionsFor(target, options))
        {
            Append(hash, option);
        }
        foreach (var file in headers.OrderBy(h => h.Name, StringComparer.Ordinal).Prepend(source))
        {
            Append(hash, file.Name);
            Append(hash, file.Text);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The file that holds the compiled image of <paramref name="key"/> (<c>DIR/KEY.kernel</c>).</summary>
    public string PathOf(string key) => Path.Combine(Directory, key + ".kernel");

    /// <summary>The cached image when a valid entry exists, else compiles it and stores the result.</summary>
    public CompiledKernel GetOrCompile(KernelSource source, IReadOnlyList<KernelSource> headers, CompileTarget target, CompileOptions options)
    {
        var path = PathOf(KeyOf(source, headers, target, options));
        var cached = TryRead(path);
        if (cached is not null)
        {
            return new CompiledKernel(source.Name, target, cached, Log: "", FromCache: true);
        }
        var compiled = NvrtcCompiler.Compile(source, headers, target, options);
        Write(path, compiled.Image);
        return compiled;
    }

    /// <summary>The payload of a complete, intact entry; null when it is missing, truncated or corrupt.</summary>
    private static byte[]? TryRead(string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // A fresh machine has no cache directory yet: that is a miss, Write creates it.
            return null;
        }
        if (file.Length < HeaderBytes || !file.AsSpan(0, 8).SequenceEqual(Magic))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8, 8));
        if (length != file.Length - HeaderBytes)
        {
            return null;
        }
        var payload = file[HeaderBytes..];
        return SHA256.HashData(payload).AsSpan().SequenceEqual(file.AsSpan(16, 32)) ? payload : null;
    }

    private void Write(string path, byte[] payload)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var entry = new byte[HeaderBytes + payload.Length];
        Magic.CopyTo(entry, 0);
        BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(8, 8), payload.Length);
        SHA256.HashData(payload).CopyTo(entry, 16);
        payload.CopyTo(entry, HeaderBytes);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, entry);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Append(IncrementalHash hash, string field)
    {
        var bytes = Encoding.UTF8.GetBytes(field);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
