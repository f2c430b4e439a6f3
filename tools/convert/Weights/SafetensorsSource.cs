using Wan.Runtime.Weights;

namespace Wan.Convert.Weights;

/// <summary>
/// A safetensors file or sharded checkpoint directory as an <see cref="IWeightSource"/>. The header
/// comes from the runtime's validating reader; tensor bytes are streamed with ordinary file reads rather
/// than through the mapping, so converting a multi-GB checkpoint does not pull it all into the
/// process's resident set.
/// </summary>
public sealed class SafetensorsSource : IWeightSource
{
    private readonly SafetensorsCheckpoint _checkpoint;
    private readonly List<string> _names;

    public SafetensorsSource(SafetensorsCheckpoint checkpoint)
    {
        _checkpoint = checkpoint;
        _names = [.. checkpoint.Names.Order(StringComparer.Ordinal)];
    }

    public static SafetensorsSource Open(string path) => new(SafetensorsCheckpoint.Open(path));

    public string Location => _checkpoint.Location;
    public IReadOnlyList<string> Names => _names;
    public bool Contains(string name) => _checkpoint.Contains(name);

    public WeightInfo Describe(string name)
    {
        var t = _checkpoint.Get(name);
        return new WeightInfo(name, t.DType, t.Shape);
    }

    public Stream OpenRead(string name)
    {
        var t = _checkpoint.Get(name);
        var file = new FileStream(t.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            Span<byte> length = stackalloc byte[8];
            file.ReadExactly(length);
            var dataStart = 8 + (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(length);
            return new BoundedReadStream(file, dataStart - 8 + t.Info.DataOffset, t.Info.ByteLength, $"{t.FilePath}: tensor '{name}'");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose() => _checkpoint.Dispose();
}
