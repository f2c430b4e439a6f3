using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/patch.cu: the DiT's patch gather (before the patch-embedding GEMM) and
/// unpatchify, bit copies of 2- or 4-byte elements.
/// </summary>
public static unsafe class PatchOps
{
    /// <summary>latent [c, f, h, w] → cols [tokens, c·pt·ph·pw], tokens ordered (f, h, w), columns (c, kt, kh, kw).</summary>
    public static void Gather(IDevice device, ElementType type, DeviceBuffer latent, DeviceBuffer cols, int c, int f, int h, int w, (int T, int H, int W) patch)
    {
        const string op = "patchify_gather";
        CheckPatch(op, patch);
        foreach (var (value, name) in new[] { (c, nameof(c)), (f, nameof(f)), (h, nameof(h)), (w, nameof(w)) })
        {
            OperandChecks.Positive(value, op, name);
        }
        if (f % patch.T != 0 || h % patch.H != 0 || w % patch.W != 0)
        {
            throw new ArgumentException($"{op}: latent [{c}, {f}, {h}, {w}] is not divisible by patch {patch}");
        }
        long elements = (long)c * f * h * w;
        OperandChecks.Holds(latent, elements, type, op, nameof(latent));
        OperandChecks.Holds(cols, elements, type, op, nameof(cols));
        int pt = patch.T, ph = patch.H, pw = patch.W;
        ulong pl = latent.Address, pc = cols.Address;
        void** args = stackalloc void*[] { &pl, &pc, &c, &f, &h, &w, &pt, &ph, &pw };
        device.Launch($"{op}_{Width(type)}", GridStride.Grid(elements), GridStride.Block, 0, args);
    }

    /// <summary>tokens [gf·gh·gw, pt·ph·pw·c] (c fastest) → video [c, gf·pt, gh·ph, gw·pw].</summary>
    public static void Unpatchify(IDevice device, ElementType type, DeviceBuffer tokens, DeviceBuffer video, int c, (int F, int H, int W) grid, (int T, int H, int W) patch)
    {
        const string op = "unpatchify";
        CheckPatch(op, patch);
        OperandChecks.Positive(c, op, nameof(c));
        OperandChecks.Positive(grid.F, op, "grid F");
        OperandChecks.Positive(grid.H, op, "grid H");
        OperandChecks.Positive(grid.W, op, "grid W");
        long elements = (long)c * grid.F * grid.H * grid.W * patch.T * patch.H * patch.W;
        OperandChecks.Holds(tokens, elements, type, op, nameof(tokens));
        OperandChecks.Holds(video, elements, type, op, nameof(video));
        int gf = grid.F, gh = grid.H, gw = grid.W, pt = patch.T, ph = patch.H, pw = patch.W;
        ulong pt0 = tokens.Address, pv = video.Address;
        void** args = stackalloc void*[] { &pt0, &pv, &c, &gf, &gh, &gw, &pt, &ph, &pw };
        device.Launch($"{op}_{Width(type)}", GridStride.Grid(elements), GridStride.Block, 0, args);
    }

    private static string Width(ElementType type) => type.Size() == 2 ? "16bit" : "32bit";

    private static void CheckPatch(string op, (int T, int H, int W) patch)
    {
        if (patch.T < 1 || patch.H < 1 || patch.W < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(patch), $"{op}: patch {patch} must be positive");
        }
    }
}
