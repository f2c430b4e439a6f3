namespace Wan.Kernels.Device;

/// <summary>
/// cuBLAS-like strided batched GEMM on the emulated device: operands are widened from their storage
/// type to fp32, multiplied by OpenBLAS with fp32 accumulation, and C is rounded back to its storage
/// type. With β = 0, C is not read (as in cuBLAS: garbage or NaN in C does not propagate).
/// </summary>
internal static class EmulatedGemm
{
    public static void Run(in GemmDesc g)
    {
        g.Validate();
        if (g.M == 0 || g.N == 0)
        {
            return;
        }
        int rowsA = g.TransA ? g.K : g.M, colsA = g.TransA ? g.M : g.K;
        int rowsB = g.TransB ? g.N : g.K, colsB = g.TransB ? g.K : g.N;
        int extentA = Extent(rowsA, colsA, g.Lda), extentB = Extent(rowsB, colsB, g.Ldb), extentC = Extent(g.M, g.N, g.Ldc);
        int inSize = EmulatedStorage.SizeOf(g.InputType), outSize = EmulatedStorage.SizeOf(g.OutputType);
        var a = new float[extentA];
        var b = new float[extentB];
        var c = new float[extentC];
        var row = new float[g.N];
        for (int batch = 0; batch < g.BatchCount; batch++)
        {
            ulong addressC = g.C + (ulong)(batch * g.StrideC * outSize);
            EmulatedStorage.Read(g.A + (ulong)(batch * g.StrideA * inSize), g.InputType, a);
            EmulatedStorage.Read(g.B + (ulong)(batch * g.StrideB * inSize), g.InputType, b);
            if (g.Beta != 0f)
            {
                EmulatedStorage.Read(addressC, g.OutputType, c);
            }
            else
            {
                Array.Clear(c);
            }
            Blas.Sgemm(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, a, g.Lda, b, g.Ldb, g.Beta, c, g.Ldc);
            for (int r = 0; r < g.M; r++)
            {
                c.AsSpan(r * g.Ldc, g.N).CopyTo(row);
                EmulatedStorage.Write(row, g.OutputType, addressC + (ulong)((long)r * g.Ldc * outSize));
            }
        }
    }

    private static int Extent(int rows, int cols, int ld) =>
        rows == 0 || cols == 0 ? 0 : checked((rows - 1) * ld + cols);
}
