using Wan.Runtime.Tensors;
using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Weights.Transforms;

/// <summary>
/// A stored tensor computed from another one element range by element range: the source's values
/// (scale applied) are decoded to float32 a chunk at a time, passed to <see cref="Transform"/>, and
/// encoded to <see cref="StoredTensor.DType"/>. Streaming (<see cref="OpenRead"/>) keeps memory at one
/// chunk; <see cref="Acquire"/> computes the whole tensor into a native buffer owned by the lease.
/// A new transform (e.g. a LoRA merge) overrides <see cref="Transform"/> and nothing else.
/// </summary>
public abstract class TransformedTensor : StoredTensor
{
    /// <summary>Elements converted per chunk (1 Mi: 4 MiB of float32).</summary>
    public const int ChunkElements = 1 << 20;

    /// <summary>
    /// A transform of <paramref name="source"/> stored as <paramref name="dtype"/> (same name and shape,
    /// no scale). Throws <see cref="InvalidOperationException"/> when either dtype is not a float type.
    /// </summary>
    protected TransformedTensor(StoredTensor source, DType dtype)
        : base(source.Name, dtype, source.Shape, source.Location, null)
    {
        source.RequireFloat();
        if (!dtype.IsFloat() || dtype == DType.F8E5M2)
        {
            throw new InvalidOperationException($"{source.Location}: tensor '{source.Name}' cannot be stored as {dtype} (no float32 → {dtype} encoding)");
        }
        Source = source;
    }

    /// <summary>The tensor transformed.</summary>
    public StoredTensor Source { get; }

    /// <summary>
    /// Transforms elements [first, first + values.Length) in place; on entry they are the source's
    /// values in float32 with its scale applied. The default leaves them unchanged.
    /// </summary>
    protected virtual void Transform(long first, Span<float> values) { }

    /// <inheritdoc/>
    public override unsafe StoredBytes Acquire()
    {
        var storage = NativeTensorStorage.Allocate(ByteLength, $"{Location} ('{Name}' as {DType})");
        try
        {
            using var chunks = new Chunks(this);
            long offset = 0;
            while (chunks.Next() is { Length: > 0 } encoded)
            {
                encoded.Span.CopyTo(new Span<byte>(storage.Buffer + offset, encoded.Length));
                offset += encoded.Length;
            }
            return storage.Lease(0, ByteLength);
        }
        finally
        {
            storage.Release();
        }
    }

    /// <inheritdoc/>
    public override Stream OpenRead()
    {
        var chunks = new Chunks(this);
        return new BoundedReadStream(chunks.Read, ByteLength, $"{Location}: tensor '{Name}' as {DType}", chunks.Dispose);
    }

    /// <summary>The encoded output, one chunk at a time, read from a stream of the source.</summary>
    private sealed class Chunks(TransformedTensor owner) : IDisposable
    {
        private readonly Stream _source = owner.Source.OpenRead();
        private readonly byte[] _in = new byte[ChunkElements * owner.Source.DType.SizeOf()];
        private readonly float[] _values = new float[ChunkElements];
        private readonly byte[] _out = new byte[ChunkElements * owner.DType.SizeOf()];
        private ReadOnlyMemory<byte> _pending;
        private long _done;

        /// <summary>Copies the next encoded bytes into <paramref name="buffer"/>, encoding a chunk when none is pending; 0 at the end.</summary>
        public int Read(Span<byte> buffer, long position)
        {
            if (_pending.IsEmpty)
            {
                _pending = Next();
            }
            var n = Math.Min(buffer.Length, _pending.Length);
            _pending.Span[..n].CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }

        /// <summary>The next encoded chunk; empty at the end.</summary>
        public ReadOnlyMemory<byte> Next()
        {
            var n = (int)Math.Min(ChunkElements, owner.ElementCount - _done);
            if (n == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            var inBytes = _in.AsSpan(0, n * owner.Source.DType.SizeOf());
            _source.ReadExactly(inBytes);
            var values = _values.AsSpan(0, n);
            DTypeCodec.Decode(owner.Source.DType, inBytes, values);
            owner.Source.Scale?.Apply(_done, owner.Source.RowLength, values);
            owner.Transform(_done, values);
            var outBytes = _out.AsMemory(0, n * owner.DType.SizeOf());
            DTypeCodec.Encode(values, owner.DType, outBytes.Span);
            _done += n;
            return outBytes;
        }

        public void Dispose() => _source.Dispose();
    }
}
