using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>fp32: head widths up to the scalar kernel's limit; bf16/fp16: multiples of 16 up to the tensor-core kernel's (<see cref="AttentionOps.Supports"/>).</summary>
    public bool SupportsAttention(int headDim) => AttentionOps.Supports(Element, headDim);

    /// <summary>
    /// The Q/K pre-pass (RMSNorm over all heads, then RoPE: one kernel per operand that needs it)
    /// followed by one attention kernel (tensor cores for 16-bit storage, the scalar kernel for fp32),
    /// with the frame window of the spec when it does not cover every frame.
    /// </summary>
    public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec)
    {
        var (lq, lk, dim, dh) = OpChecks.Attention(q, k, v, spec);
        int heads = spec.Heads;
        if (!AttentionOps.Supports(Element, dh))
        {
            throw new NotSupportedException($"attention: head_dim {dh} has no {Storage} kernel");
        }
        // A window over every frame is full attention: the kernel then runs its unwindowed path.
        var window = spec.FrameWindow is { } w && !w.CoversAll(w.Frames(lq, lk, spec.ValidKeys)) ? w : null;
        if (spec.QNorm is not null)
        {
            Vector(spec.QNorm, dim, "attention q norm");
        }
        if (spec.KNorm is not null)
        {
            Vector(spec.KNorm, dim, "attention k norm");
        }
        var keyRope = spec.KeyRope ?? spec.Rope;
        if (spec.Rope is { } rope && (rope.Length < (spec.KeyRope is null ? Math.Max(lq, lk) : lq) || rope.Pairs * 2 != dh
                                      || keyRope!.Length < lk || keyRope.Pairs * 2 != dh))
        {
            throw new ArgumentException($"attention: rope tables [{rope.Length}, {rope.Pairs}] and [{keyRope!.Length}, {keyRope.Pairs}] do not cover {lq} queries and {lk} keys of head_dim {dh}");
        }
        if (spec.Bias is not null && spec.Bias.Shape != new Shape(heads, lq, lk))
        {
            throw new ArgumentException($"attention bias {spec.Bias.Shape} must be [{heads}, {lq}, {lk}]");
        }

        using var cos = spec.Rope is null ? null : RopeF32(spec.Rope.Cos);
        using var sin = spec.Rope is null ? null : RopeF32(spec.Rope.Sin);
        using var keyCos = spec.Rope is null || spec.KeyRope is null ? null : RopeF32(spec.KeyRope.Cos);
        using var keySin = spec.Rope is null || spec.KeyRope is null ? null : RopeF32(spec.KeyRope.Sin);
        using var preparedQ = Prepare(q, spec.QNorm, cos, sin, spec.NormEps, lq, dim, dh);
        using var preparedK = Prepare(k, spec.KNorm, keyCos ?? cos, keySin ?? sin, spec.NormEps, lk, dim, dh);
        var y = Allocate(new Shape(lq, dim));
        AttentionOps.Attention(Device, Element, Cuda(preparedQ ?? q).Buffer, Cuda(preparedK ?? k).Buffer, Cuda(v).Buffer,
            spec.Bias is null ? null : Cuda(spec.Bias).Buffer, y.Buffer, lq, lk, spec.ValidKeys, heads, dh, spec.Scale,
            window?.TokensPerFrame ?? 0, window?.Radius ?? -1);
        return y;
    }

    /// <summary>The normalized and rotated copy of q or k, or null when the spec asks for neither.</summary>
    private CudaTensor? Prepare(Tensor x, Tensor? norm, CudaTensor? cos, CudaTensor? sin, float eps, int rows, int dim, int dh)
    {
        if (norm is null && cos is null)
        {
            return null;
        }
        var y = Allocate(new Shape(rows, dim));
        AttentionOps.Prepare(Device, Element, Cuda(x).Buffer, norm is null ? null : Cuda(norm).Buffer, cos?.Buffer, sin?.Buffer,
            y.Buffer, rows, dim, dh, eps);
        return y;
    }

    /// <summary>
    /// The fp32 table the pre-pass reads, as a tensor the caller disposes: a view of a table uploaded
    /// with <see cref="FromHostF32"/>, or a widened copy of one uploaded in the storage dtype (its
    /// angles were already rounded; widening only gives the kernel its operand type).
    /// </summary>
    private CudaTensor RopeF32(Tensor table)
    {
        var t = Owned(table);
        return t.DType == DType.F32
            ? new CudaTensor(this, t.Shape, DType.F32, t.Storage.Retain())
            : (CudaTensor)FromHostF32(ToHost(t), t.Shape);
    }
}
