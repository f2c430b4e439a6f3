using Wan.Runtime.Models.Vae;
using Wan.Testing;

namespace Wan.Runtime.Tests.Models.Vae;

/// <summary>
/// A fixture set's VAE made local: the decoder's mid-block attention output projection (proj.weight and proj.bias)
/// zeroed, so VaeAttentionBlock's x + proj(attn(x)) is x + (0·attn + 0) = x exactly and every decoded pixel depends
/// only on the latent within the convolutions' reach. The other weights are the fixture's.
/// </summary>
internal sealed class LocalVae : IDisposable
{
    private const string Projection = "decoder.mid_block.attentions.0.proj.";
    private readonly AlteredModel _model;

    public LocalVae(FixtureSet set)
    {
        _model = AlteredModel.Of(set.Diffusers);
        _model.Alter("vae", Projection + "weight", values => Array.Clear(values));
        _model.Alter("vae", Projection + "bias", values => Array.Clear(values));
    }

    /// <summary>The altered model's vae/ folder.</summary>
    public string VaeDirectory => Path.Combine(_model.Path, "vae");

    /// <summary>
    /// Tiles overlapping by half a tile whose weight-0 margin ((overlap − blend)·scale/2 video pixels) is at least
    /// <paramref name="marginVideoPixels"/>, blended across 2 latent pixels.
    /// </summary>
    public static VaeTiling WithMargin(int marginVideoPixels, int scale)
    {
        const int blend = 2;
        int overlap = blend + (2 * marginVideoPixels + scale - 1) / scale;
        return new VaeTiling(2 * overlap, overlap, blend);
    }

    /// <summary>Seeded uniform latent values in [−2, 2) (never zeros).</summary>
    public static float[] Latent(int seed, long count)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return values;
    }

    public void Dispose() => _model.Dispose();
}
