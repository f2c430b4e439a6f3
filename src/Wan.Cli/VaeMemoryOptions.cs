using System.CommandLine;
using System.Globalization;
using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Engine;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;

namespace Wan.Cli;

/// <summary>
/// <c>--vae-memory GB</c> and <c>--vae-tile N</c> of <c>wan generate</c> (exclusive): the VAE decode's device-memory budget, from which
/// <see cref="VaeDecodeMemory.Choose"/> picks the tiling, or an explicit tile (<see cref="VaeDecodeMemory.TilingOf"/>). Checked before the
/// model loads, from vae/config.json and the request's latent size: a budget no tiling fits is one line naming the least one.
/// </summary>
internal sealed class VaeMemoryOptions
{
    private readonly Option<double?> _memory = new("--vae-memory")
    {
        Description = "device memory the VAE decode may use beside its weights, GB: the decode is tiled (largest tile that fits, modelled) when whole frames do not fit",
    };

    private readonly Option<int?> _tile = new("--vae-tile")
    {
        Description = $"decode in spatial tiles of N latent pixels (8N video pixels; overlap N/4, at least {VaeDecodeMemory.MinimumTileLatentPixels}); exclusive with --vae-memory",
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_memory);
        command.Options.Add(_tile);
    }

    /// <summary>
    /// <paramref name="engine"/> with the budget or tile given, after checking them against the VAE config of <paramref name="modelDirectory"/>
    /// and the latent [C, F, H, W] (the budget counted in the VAE device's storage: fp32 on the CPU, else the precision); prints the choice.
    /// </summary>
    /// <exception cref="RequestException">both options, a budget that is not a positive number of GB or that no tiling fits, or a tile under the minimum.</exception>
    public EngineOptions Apply(ParseResult parse, EngineOptions engine, string modelDirectory, int[] latentShape)
    {
        var gb = parse.GetValue(_memory);
        var tile = parse.GetValue(_tile);
        if (gb is not null && tile is not null)
        {
            throw new RequestException([new("vae-memory", Text(gb.Value)), new("vae-tile", tile.Value.ToString(CultureInfo.InvariantCulture))],
                "give one: a memory budget picks the tile, a tile is explicit");
        }
        if (tile is { } n)
        {
            if (n < VaeDecodeMemory.MinimumTileLatentPixels)
            {
                throw new RequestException("vae-tile", n, $"must be at least {VaeDecodeMemory.MinimumTileLatentPixels} latent pixels");
            }
            var explicitTiling = VaeDecodeMemory.TilingOf(n);
            // A tile that covers the latent decodes it as one tile, the untiled video: say so rather than let the user believe it is tiled.
            Console.WriteLine(n >= Math.Max(latentShape[2], latentShape[3])
                ? $"VAE decode: --vae-tile {n} covers the whole {latentShape[2]}×{latentShape[3]} latent: whole frames, untiled"
                : $"VAE decode: tiles of {explicitTiling.TileLatentPixels} latent pixels, overlap {explicitTiling.OverlapLatentPixels} (--vae-tile {n})");
            return engine with { VaeTiling = explicitTiling };
        }
        if (gb is not { } budgetGB)
        {
            return engine;
        }
        long budget = Gigabytes.Bytes("vae-memory", budgetGB);
        var config = VaeConfig.Load(Path.Combine(modelDirectory, "vae", "config.json"));
        bool cpu = DevicePreflight.Resolve(engine.VaeDevice, engine.Device) == EngineDevice.Cpu;
        int elementSize = cpu ? DType.F32.SizeOf() : engine.Precision.SizeOf();
        var tiling = VaeDecodeMemory.Choose(config, latentShape[1], latentShape[2], latentShape[3], elementSize, Runtime.Backends.Cuda.CudaBackend.DefaultConvColumnBytes, budget);
        Console.WriteLine(tiling is null
            ? $"VAE decode: whole frames fit --vae-memory {Text(budgetGB)} GB (modelled)"
            : $"VAE decode: tiles of {tiling.TileLatentPixels} latent pixels, overlap {tiling.OverlapLatentPixels}, to fit --vae-memory {Text(budgetGB)} GB (modelled)");
        return engine with { VaeMemoryBytes = budget };
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
