using System.Globalization;

namespace Wan.Bench.Targets;

/// <summary>Command line of <c>targets</c>; defaults are the issue's 256×256, 9 frames, 2 steps.</summary>
public sealed record TargetsOptions(string Model, int Steps, int Frames, int Height, int Width, bool KeepPages)
{
    private static readonly string[] IntOptions = ["--steps", "--frames", "--height", "--width"];

    public static TargetsOptions Parse(string[] args)
    {
        string? model = null;
        bool keepPages = false;
        var ints = new Dictionary<string, int> { ["--steps"] = 2, ["--frames"] = 9, ["--height"] = 256, ["--width"] = 256 };
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--keep-pages")
            {
                keepPages = true;
                continue;
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"targets: {args[i]} needs a value");
            }
            if (args[i] == "--model")
            {
                model = args[++i];
            }
            else if (IntOptions.Contains(args[i]))
            {
                ints[args[i]] = int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0
                    ? v : throw new ArgumentException($"targets: {args[i]} needs a positive integer, got '{args[i + 1]}'");
                i++;
            }
            else
            {
                throw new ArgumentException($"targets: unknown option '{args[i]}' (known: --model, {string.Join(", ", IntOptions)}, --keep-pages)");
            }
        }
        if (model is null || !Directory.Exists(model))
        {
            throw new ArgumentException($"targets: --model DIR must name a model directory (got '{model}'); write one with wan-convert synth --preset wan21-1.3b --dtype bf16 DIR");
        }
        return new TargetsOptions(model, ints["--steps"], ints["--frames"], ints["--height"], ints["--width"], keepPages);
    }
}
