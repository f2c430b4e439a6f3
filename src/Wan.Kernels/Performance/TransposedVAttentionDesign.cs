namespace Wan.Kernels.Performance;

/// <summary>
/// The tensor-core attention kernel before issue 12 (attention.cu at commit e7f4d99): 64 query rows
/// per block (4 warps × 16), 32-key tiles loaded synchronously with 4-byte stores, V written
/// transposed into shared memory with 16-bit stores, B fragments read with 4-byte loads.
/// </summary>
public sealed class TransposedVAttentionDesign : AttentionKernelDesign
{
    private const int Rows = 64, Keys = 32, Pad = 8, Warps = 4;

    /// <summary>Registers per thread of flash_attention_bf16_d128 for sm_90 (NVRTC 11.8 ptxas report of commit e7f4d99; the kernel is no longer in the tree).</summary>
    public const int RecordedRegistersD128 = 153;

    /// <inheritdoc/>
    public override string Name => "before: 64 rows, 32-key tiles, Vᵀ stores";

    /// <inheritdoc/>
    public override int BlockRows => Rows;

    /// <inheritdoc/>
    public override int TileKeys => Keys;

    /// <inheritdoc/>
    public override int Threads => 32 * Warps;

    /// <inheritdoc/>
    public override int SharedBytes(int headDim) => ElementBytes * ((Rows + Keys) * (headDim + Pad) + headDim * (Keys + Pad));

    /// <inheritdoc/>
    public override void ReplayTile(int headDim, SharedTrafficRecorder recorder)
    {
        int ld = headDim + Pad, ldv = Keys + Pad;
        long ks = Rows * ld, vt = ks + Keys * ld; // element offsets of the K and Vᵀ tiles
        int pairs = headDim / 2;
        for (int warp = 0; warp < Warps; warp++)
        {
            for (int first = warp * 32; first < Keys * pairs; first += Threads)
            {
                int i0 = first;
                recorder.Warp("st.shared.b32 K", 4, lane => Bytes(ks + (i0 + lane) / pairs * ld + 2 * ((i0 + lane) % pairs)));
                recorder.Warp("st.shared.b16 Vᵀ (even column)", 2, lane => Bytes(vt + 2 * ((i0 + lane) % pairs) * ldv + (i0 + lane) / pairs));
                recorder.Warp("st.shared.b16 Vᵀ (odd column)", 2, lane => Bytes(vt + (2 * ((i0 + lane) % pairs) + 1) * ldv + (i0 + lane) / pairs));
            }
            for (int n = 0; n < Keys / 8; n++)
            {
                for (int kk = 0; kk < headDim / 16; kk++)
                {
                    for (int half = 0; half < 2; half++)
                    {
                        int n0 = n, kk0 = kk, h = half;
                        recorder.Warp("ld.shared.b32 K fragment", 4, lane => Bytes(ks + (n0 * 8 + lane / 4) * ld + kk0 * 16 + 2 * (lane % 4) + 8 * h));
                    }
                }
            }
            for (int kk = 0; kk < Keys / 16; kk++)
            {
                for (int n = 0; n < headDim / 8; n++)
                {
                    for (int half = 0; half < 2; half++)
                    {
                        int n0 = n, kk0 = kk, h = half;
                        recorder.Warp("ld.shared.b32 Vᵀ fragment", 4, lane => Bytes(vt + (n0 * 8 + lane / 4) * ldv + kk0 * 16 + 2 * (lane % 4) + 8 * h));
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public override void ReplayBlockOnce(int headDim, SharedTrafficRecorder recorder)
    {
        int ld = headDim + Pad, pairs = headDim / 2;
        for (int warp = 0; warp < Warps; warp++)
        {
            for (int first = warp * 32; first < Rows * pairs; first += Threads)
            {
                int i0 = first;
                recorder.Warp("st.shared.b32 Q", 4, lane => Bytes((i0 + lane) / pairs * ld + 2 * ((i0 + lane) % pairs)));
            }
            for (int kk = 0; kk < headDim / 16; kk++)
            {
                int w = warp, kk0 = kk;
                recorder.Warp("ldmatrix.x4 Q", 16, lane => Bytes((w * 16 + lane % 8 + 8 * (lane / 8 % 2)) * ld + kk0 * 16 + 8 * (lane / 16)));
            }
        }
    }

    private static long Bytes(long element) => element * ElementBytes;
}
