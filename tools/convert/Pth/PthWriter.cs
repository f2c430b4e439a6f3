using System.IO.Compression;

namespace Wan.Convert.Pth;

/// <summary>
/// Writes a torch.save-style zip (<c>ARCHIVE/data.pkl</c>, <c>ARCHIVE/data/KEY</c> stored uncompressed,
/// <c>ARCHIVE/version</c>), streaming each storage's bytes so that large files need no large buffers.
/// Used by synth for original-layout checkpoints and by tests to craft (also broken) .pth files.
/// </summary>
public static class PthWriter
{
    public static void Write(string path, string archiveName, byte[] pickle, IEnumerable<(string Key, Action<Stream> WriteBytes)> storages)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        WriteEntry(zip, $"{archiveName}/data.pkl", s => s.Write(pickle));
        foreach (var (key, writeBytes) in storages)
        {
            WriteEntry(zip, $"{archiveName}/data/{key}", writeBytes);
        }
        WriteEntry(zip, $"{archiveName}/version", s => s.Write("3\n"u8));
    }

    private static void WriteEntry(ZipArchive zip, string name, Action<Stream> write)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        write(s);
    }
}
