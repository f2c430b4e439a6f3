using System.Globalization;

namespace Wan.Kernels.Device;

/// <summary>The order in which the emulated device resumes the ready fibers (CUDA threads) of a block.</summary>
public enum EmulatedScheduleOrder
{
    /// <summary>Ascending thread index in each sweep; a lane completing a warp collective runs on (the historical order).</summary>
    Forward = 0,

    /// <summary>Descending thread index in each sweep; every lane switches after a warp collective.</summary>
    Reverse = 1,

    /// <summary>Always the highest-indexed ready thread, chosen again after every switch; every lane switches after a warp collective.</summary>
    GreedyReverse = 2,

    /// <summary>A random permutation of the ready threads in each sweep, from <see cref="EmulatedSchedule.Seed"/> and the block index.</summary>
    Shuffle = 3,
}

/// <summary>
/// One fiber schedule of the emulated device (kernels/emu/cuda_emu.cpp). Fibers switch only at
/// scheduling points (barriers, warp collectives, and in non-forward orders after each completed
/// collective), so a race — a shared-memory read that no barrier orders after the write it needs — gives
/// a result that depends on the order; running a kernel under several orders and requiring bit-identical
/// outputs exposes it. Text form (<c>WAN_EMU_SCHEDULE</c>): <c>forward</c>, <c>reverse</c>,
/// <c>greedy-reverse</c>, <c>shuffle:SEED</c> (SEED a decimal unsigned 64-bit integer).
/// </summary>
/// <param name="Order">How the ready fibers are ordered.</param>
/// <param name="Seed">The permutation's seed; used by <see cref="EmulatedScheduleOrder.Shuffle"/> only.</param>
public readonly record struct EmulatedSchedule(EmulatedScheduleOrder Order, ulong Seed = 0)
{
    /// <summary>
    /// The environment variable: one schedule, or a comma-separated list whose every launch runs under
    /// each schedule in turn with the outputs compared bit for bit (see <see cref="EmulatedDevice"/>).
    /// </summary>
    public const string Variable = "WAN_EMU_SCHEDULE";

    /// <summary>Ascending thread order (the default).</summary>
    public static EmulatedSchedule Forward => new(EmulatedScheduleOrder.Forward);

    /// <summary>Descending thread order.</summary>
    public static EmulatedSchedule Reverse => new(EmulatedScheduleOrder.Reverse);

    /// <summary>Highest ready thread first, re-chosen after every switch.</summary>
    public static EmulatedSchedule GreedyReverse => new(EmulatedScheduleOrder.GreedyReverse);

    /// <summary>The three deterministic orders CI compares: forward, reverse, greedy-reverse.</summary>
    public static IReadOnlyList<EmulatedSchedule> Fuzzing { get; } = [Forward, Reverse, GreedyReverse];

    /// <summary>A seeded random order.</summary>
    public static EmulatedSchedule Shuffle(ulong seed) => new(EmulatedScheduleOrder.Shuffle, seed);

    /// <summary>Parses one schedule; throws <see cref="FormatException"/> naming the text and the accepted forms.</summary>
    public static EmulatedSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("shuffle:", StringComparison.Ordinal)
            && ulong.TryParse(trimmed.AsSpan("shuffle:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            return Shuffle(seed);
        }
        return trimmed switch
        {
            "forward" => Forward,
            "reverse" => Reverse,
            "greedy-reverse" => GreedyReverse,
            _ => throw new FormatException($"'{text}' is not an emulator schedule (forward, reverse, greedy-reverse or shuffle:SEED)"),
        };
    }

    /// <summary>Parses a comma-separated list of at least one schedule (see <see cref="Parse"/>).</summary>
    public static IReadOnlyList<EmulatedSchedule> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. text.Split(',').Select(Parse)];
    }

    /// <summary>
    /// The schedules <c>WAN_EMU_SCHEDULE</c> names, or forward alone when it is unset or empty; throws
    /// <see cref="FormatException"/> naming the variable when its value is not a list of schedules.
    /// </summary>
    public static IReadOnlyList<EmulatedSchedule> FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return [Forward];
        }
        try
        {
            return ParseList(value);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{Variable}={value}: {e.Message}", e);
        }
    }

    /// <summary>The text form <see cref="Parse"/> reads.</summary>
    public override string ToString() => Order switch
    {
        EmulatedScheduleOrder.Forward => "forward",
        EmulatedScheduleOrder.Reverse => "reverse",
        EmulatedScheduleOrder.GreedyReverse => "greedy-reverse",
        EmulatedScheduleOrder.Shuffle => $"shuffle:{Seed.ToString(CultureInfo.InvariantCulture)}",
        _ => $"schedule {(int)Order}",
    };
}
