using Wan.Kernels.Ops;

namespace Wan.Kernels.Performance;

/// <summary>
/// The flash-attention-2 class kernel of kernels/cuda/attention.cu: 128 query rows per block (4 warps
/// × 2 m16 tiles), 64-key K/V tiles in a cp.async double buffer (16-byte copies), Q/K fragments by
/// ldmatrix.x4, V fragments by ldmatrix.x4.trans from row-major V; Q read from shared memory per
/// scoring step when head_dim > 64 (in registers otherwise), scores in 32-key halves when head_dim > 96.
/// </summary>
public sealed class Fa2AttentionDesign : AttentionKernelDesign
{
    private const int Warps = 4, MTiles = 2;

    /// <inheritdoc/>
    public override string Name => "after: FA2, 128 rows, 64-key cp.async tiles";

    /// <inheritdoc/>
    public override int BlockRows => AttentionOps.TensorCoreRows;

    /// <inheritdoc/>
    public override int TileKeys => AttentionOps.TensorCoreKeys;

    /// <inheritdoc/>
    public override int Threads => AttentionOps.Threads;

    /// <inheritdoc/>
    public override int SharedBytes(int headDim) => AttentionOps.TensorCoreSharedBytes(headDim);

    /// <inheritdoc/>
    public override void ReplayTile(int headDim, SharedTrafficRecorder recorder)
    {
        int ld = headDim + AttentionOps.PadElements;
        long ks = (long)BlockRows * ld, vs = ks + 2L * TileKeys * ld; // stage 0; stage 1 is 128·ld bytes further: same banks
        int subKeys = headDim > 96 ? 32 : TileKeys;
        bool qInRegisters = headDim <= 64;
        CopyRows(recorder, "cp.async 16 B K", ks, TileKeys, headDim);
        CopyRows(recorder, "cp.async 16 B V", vs, TileKeys, headDim);
        for (int warp = 0; warp < Warps; warp++)
        {
            int warpRow0 = warp * 16 * MTiles;
            for (int sub = 0; sub < TileKeys / subKeys; sub++)
            {
                for (int kk = 0; kk < headDim / 16; kk++)
                {
                    int kk0 = kk, key0 = sub * subKeys;
                    if (!qInRegisters)
                    {
                        for (int m = 0; m < MTiles; m++)
                        {
                            int m0 = m;
                            recorder.Warp("ldmatrix.x4 Q", 16, lane => Bytes((warpRow0 + 16 * m0 + ARow(lane)) * ld + kk0 * 16 + AColumn(lane)));
                        }
                    }
                    for (int n = 0; n < subKeys / 8; n += 2)
                    {
                        int n0 = n;
                        recorder.Warp("ldmatrix.x4 K", 16, lane => Bytes(ks + (key0 + n0 * 8 + BRow(lane)) * ld + kk0 * 16 + BColumn(lane)));
                    }
                }
                for (int kk = 0; kk < subKeys / 16; kk++)
                {
                    for (int n = 0; n < headDim / 8; n += 2)
                    {
                        int kk0 = kk, n0 = n, key0 = sub * subKeys;
                        recorder.Warp("ldmatrix.x4.trans V", 16, lane => Bytes(vs + (key0 + kk0 * 16 + ARow(lane)) * ld + n0 * 8 + AColumn(lane)));
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public override void ReplayBlockOnce(int headDim, SharedTrafficRecorder recorder)
    {
        int ld = headDim + AttentionOps.PadElements;
        CopyRows(recorder, "cp.async 16 B Q", 0, BlockRows, headDim);
        if (headDim <= 64)
        {
            for (int warp = 0; warp < Warps; warp++)
            {
                for (int m = 0; m < MTiles; m++)
                {
                    for (int kk = 0; kk < headDim / 16; kk++)
                    {
                        int row0 = warp * 16 * MTiles + 16 * m, kk0 = kk;
                        recorder.Warp("ldmatrix.x4 Q (once)", 16, lane => Bytes((row0 + ARow(lane)) * ld + kk0 * 16 + AColumn(lane)));
                    }
                }
            }
        }
    }

    // load_tile_async: chunk i = threadIdx.x + j·kThreads → row i / (DH/8), 16-byte chunk i % (DH/8).
    private void CopyRows(SharedTrafficRecorder recorder, string access, long tile, int rows, int headDim)
    {
        int chunks = headDim / 8, ld = headDim + AttentionOps.PadElements;
        for (int first = 0; first < rows * chunks; first += 32)
        {
            int i0 = first;
            recorder.Warp(access, 16, lane => Bytes(tile + (i0 + lane) / chunks * ld + 8 * ((i0 + lane) % chunks)));
        }
    }

    // ldmatrix lane addresses of the kernel: a_row/a_column (Q, and V with .trans), b_row/b_column (K).
    private static int ARow(int lane) => lane % 8 + 8 * (lane / 8 % 2);

    private static int AColumn(int lane) => 8 * (lane / 16);

    private static int BRow(int lane) => lane % 8 + 8 * (lane / 16);

    private static int BColumn(int lane) => 8 * (lane / 8 % 2);

    private static long Bytes(long element) => element * ElementBytes;
}
