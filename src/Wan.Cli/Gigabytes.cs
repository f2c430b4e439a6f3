using System.Globalization;
using Wan.Errors;

namespace Wan.Cli;

/// <summary>
/// The memory options given in GB (<c>--vae-memory</c>, <c>--gpu-memory</c>): one check for all of them, so that a value in bytes
/// (<c>1e9</c>), a negative, NaN or sub-byte value is one line naming the option and the unit, never a wrapped or zero budget.
/// </summary>
internal static class Gigabytes
{
    /// <summary>The largest budget accepted, GB: far beyond any device, small enough that the byte count is exact in 64 bits.</summary>
    public const double Most = 100_000;

    /// <summary>The budget <paramref name="gb"/> of <c>--<paramref name="option"/></c> in bytes (1 GB = 10⁹ bytes).</summary>
    /// <exception cref="RequestException">NaN, infinite, not positive, above <see cref="Most"/> (most likely bytes given for GB), or under one byte.</exception>
    public static long Bytes(string option, double gb)
    {
        var text = gb.ToString(CultureInfo.InvariantCulture);
        if (!(gb > 0) || double.IsInfinity(gb))
        {
            throw new RequestException(option, text, "must be a positive number of GB");
        }
        if (gb > Most)
        {
            throw new RequestException(option, text, $"more than {Most.ToString("N0", CultureInfo.InvariantCulture)} GB: the unit is GB, not bytes (e.g. 0.5 for 500 MB)");
        }
        long bytes = checked((long)(gb * 1e9));
        if (bytes < 1)
        {
            throw new RequestException(option, text, "less than one byte (the unit is GB: 1e-9 GB is one byte)");
        }
        return bytes;
    }
}
