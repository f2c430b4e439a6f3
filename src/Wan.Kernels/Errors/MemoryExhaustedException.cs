namespace Wan.Errors;

/// <summary>
/// Host or device memory ran out, or a request needs more than the machine has. The message names
/// the stage (e.g. <c>decoding</c>), where the memory was wanted (host or a device) and how many bytes
/// were asked for.
/// </summary>
public sealed class MemoryExhaustedException : WanException
{
    /// <summary>Creates the error for one allocation or one stage's need.</summary>
    /// <param name="stage">the pipeline stage that needed the memory (loading, encoding text, denoising, decoding, writing).</param>
    /// <param name="where"><c>host</c>, or the device's name.</param>
    /// <param name="bytes">bytes asked for; 0 when unknown.</param>
    /// <param name="detail">what the memory is for, or what limit it exceeds; may be empty.</param>
    /// <param name="inner">the runtime's out-of-memory error, if any.</param>
    public MemoryExhaustedException(string stage, string where, long bytes, string detail, Exception? inner = null)
        : base($"out of {where} memory while {stage}{(bytes > 0 ? $": {FormatBytes(bytes)} asked for" : "")}{(detail.Length > 0 ? $" ({detail})" : "")}", inner)
    {
        Stage = stage;
        Where = where;
        Bytes = bytes;
        Detail = detail;
    }

    /// <summary>The stage that needed the memory.</summary>
    public string Stage { get; }

    /// <summary><c>host</c>, or the device's name.</summary>
    public string Where { get; }

    /// <summary>Bytes asked for; 0 when unknown.</summary>
    public long Bytes { get; }

    /// <summary>What the memory is for, or the limit it exceeds; may be empty.</summary>
    public string Detail { get; }

    /// <summary>Bytes in binary units with three significant digits, e.g. <c>1.50 GiB</c>.</summary>
    /// <param name="bytes">a non-negative byte count.</param>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : $"{value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", System.Globalization.CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
