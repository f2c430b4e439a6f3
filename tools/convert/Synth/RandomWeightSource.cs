using System.Text;
using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Storage;

namespace Wan.Convert.Synth;

/// <summary>
/// Float32 tensors generated on the fly from a seed and the tensor's name (so every tensor is
/// reproducible on its own and nothing is held in memory): normal * 0.02 or ones.
/// </summary>
public sealed class RandomWeightSource : ITensorSource
{
    private readonly Dictionary<string, (Shape Shape, InitKind Init)> _tensors;
    private readonly List<string> _order;
    private readonly ulong _seed;

    public RandomWeightSource(string location, IEnumerable<(string Name, Shape Shape, InitKind Init)> tensors, ulong seed)
    {
        Location = location;
        _seed = seed;
        _order = [];
        _tensors = new Dictionary<string, (Shape, InitKind)>(StringComparer.Ordinal);
        foreach (var (name, shape, init) in tensors)
        {
            _tensors.Add(name, (shape, init));
            _order.Add(name);
        }
    }

    public string Location { get; }
    public IReadOnlyList<string> Names => _order;
    public bool Contains(string name) => _tensors.ContainsKey(name);

    public StoredTensor Get(string name) =>
        _tensors.TryGetValue(name, out var t)
            ? new GeneratedTensor(this, name, t.Shape, t.Init)
            : throw new KeyNotFoundException($"{Location}: no tensor named '{name}'");

    private ulong SeedOf(string name)
    {
        var seed = _seed;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            seed = (seed ^ b) * 0x100000001B3UL;
        }
        return seed;
    }

    /// <summary>A float32 tensor generated whenever it is read.</summary>
    private sealed class GeneratedTensor(RandomWeightSource owner, string name, Shape shape, InitKind init)
        : StoredTensor(name, DType.F32, shape, owner.Location, null)
    {
        public override StoredBytes Acquire()
        {
            using var stream = OpenRead();
            return NativeTensorStorage.ReadAll(stream, ByteLength, $"{Location}: tensor '{Name}'");
        }

        public override Stream OpenRead() => new GeneratedStream(ElementCount, init, owner.SeedOf(Name));
    }

    public void Dispose() { }

    /// <summary>Float32 bytes from a splitmix64 generator (Box-Muller for normals).</summary>
    private sealed class GeneratedStream(long elements, InitKind init, ulong state) : Stream
    {
        private long _position;
        private ulong _state = state;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => elements * 4;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position % 4 != 0)
            {
                throw new InvalidOperationException("generated tensors are read in whole floats");
            }
            var n = (int)Math.Min(buffer.Length / 4, elements - _position / 4);
            for (int i = 0; i < n; i++)
            {
                BitConverter.TryWriteBytes(buffer[(4 * i)..], init == InitKind.Ones ? 1f : 0.02f * Normal());
            }
            _position += 4L * n;
            return 4 * n;
        }

        private float Normal()
        {
            var u1 = (Next() >> 11) * (1.0 / (1UL << 53));
            var u2 = (Next() >> 11) * (1.0 / (1UL << 53));
            return (float)(Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2));
        }

        private ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
