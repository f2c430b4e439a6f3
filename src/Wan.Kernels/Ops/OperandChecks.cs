using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>Argument checks shared by the launchers: every failure names the op and the operand.</summary>
internal static class OperandChecks
{
    /// <summary>The buffer holds at least <paramref name="elements"/> elements of <paramref name="type"/> past <paramref name="offset"/> elements.</summary>
    public static void Holds(DeviceBuffer buffer, long elements, ElementType type, string op, string operand, long offset = 0) =>
        HoldsBytes(buffer, (offset + elements) * type.Size(), op, operand);

    public static void HoldsBytes(DeviceBuffer buffer, long bytes, string op, string operand)
    {
        ArgumentNullException.ThrowIfNull(buffer, operand);
        if (buffer.Bytes < bytes)
        {
            throw new ArgumentException($"{op}: {operand} has {buffer.Bytes} bytes, needs {bytes}");
        }
    }

    /// <summary>The byte ranges [start, start + bytes) of the two buffers do not overlap in device memory.</summary>
    public static void Disjoint(DeviceBuffer a, long aStart, long aBytes, DeviceBuffer b, long bStart, long bBytes, string op, string aName, string bName)
    {
        ulong a0 = a.Address + (ulong)aStart, b0 = b.Address + (ulong)bStart;
        if (aBytes > 0 && bBytes > 0 && a0 < b0 + (ulong)bBytes && b0 < a0 + (ulong)aBytes)
        {
            throw new ArgumentException($"{op}: {aName} and {bName} overlap; the kernel reads {aName} while writing {bName}");
        }
    }

    public static void Positive(long value, string op, string what)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(what, $"{op}: {what} must be positive, got {value}");
        }
    }

    public static void NonNegative(long value, string op, string what)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(what, $"{op}: {what} must not be negative, got {value}");
        }
    }
}
