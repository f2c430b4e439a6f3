using System.Globalization;
using System.Text.RegularExpressions;

namespace Wan.Kernels.Compile;

/// <summary>
/// Reads the per-kernel resource lines that <c>--ptxas-options=-v</c> leaves in the NVRTC log
/// (compile with <see cref="CompileOptions.PtxasVerbose"/>):
/// <code>
/// ptxas info    : Compiling entry function 'k' for 'sm_90'
/// ptxas info    : Function properties for k
/// ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
/// ptxas info    : Used 10 registers, 1024 bytes smem, 380 bytes cmem[0]
/// </code>
/// Lines about non-entry device functions are skipped.
/// </summary>
public static partial class PtxasReport
{
    /// <summary>The per-kernel resources (registers, spills, shared memory) of an NVRTC <c>-Xptxas -v</c> log, in log order.</summary>
    public static IReadOnlyList<KernelResources> Parse(string log)
    {
        var result = new List<KernelResources>();
        KernelResources? current = null;
        string? propertiesOf = null;
        foreach (var line in log.Split('\n'))
        {
            if (EntryLine().Match(line) is { Success: true } entry)
            {
                Flush();
                current = new KernelResources(entry.Groups[1].Value, entry.Groups[2].Value, 0, 0, 0, 0, 0);
            }
            else if (PropertiesLine().Match(line) is { Success: true } properties)
            {
                propertiesOf = properties.Groups[1].Value;
            }
            else if (current is not null && propertiesOf == current.Kernel && FrameLine().Match(line) is { Success: true } frame)
            {
                current = current with { StackFrameBytes = Int(frame, 1), SpillStoreBytes = Int(frame, 2), SpillLoadBytes = Int(frame, 3) };
            }
            else if (current is not null && UsedLine().Match(line) is { Success: true } used)
            {
                current = current with { Registers = Int(used, 1), StaticSharedBytes = used.Groups[2].Success ? Int(used, 2) : 0 };
            }
        }
        Flush();
        return result;

        void Flush()
        {
            if (current is not null)
            {
                result.Add(current);
            }
        }
    }

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Compiling entry function '([^']+)' for '([^']+)'")]
    private static partial Regex EntryLine();

    [GeneratedRegex(@"Function properties for (\S+)")]
    private static partial Regex PropertiesLine();

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex FrameLine();

    [GeneratedRegex(@"Used (\d+) registers(?:, (\d+) bytes smem)?")]
    private static partial Regex UsedLine();
}
