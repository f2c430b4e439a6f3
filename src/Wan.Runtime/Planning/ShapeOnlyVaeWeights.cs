using Wan.Runtime.Config;

namespace Wan.Runtime.Planning;

/// <summary>
/// Every weight of a Wan2.1 VAE of <see cref="VaeConfig"/> (encoder and decoder) by its diffusers name and shape
/// (diffusers <c>autoencoder_kl_wan.py</c> <c>AutoencoderKLWan</c>, the names <c>WanVae</c> loads), as shape-only BF16 tensors.
/// </summary>
internal sealed class ShapeOnlyVaeWeights : ShapeOnlyWeights
{
    /// <summary>The Wan2.1 VAE (vae/config.json of Wan-AI/Wan2.2-T2V-A14B-Diffusers): base_dim 96, z_dim 16, dim_mult [1, 2, 4, 4], 2 residual blocks, time halved by the last two resamples.</summary>
    public static VaeConfig Wan21 { get; } = new(96, 16, [1, 2, 4, 4], 2, [false, true, true],
        [-0.7571f, -0.7089f, -0.9113f, 0.1075f, -0.1745f, 0.9653f, -0.1517f, 1.5508f, 0.4134f, -0.0715f, 0.5517f, -0.3632f, -0.1922f, -0.9497f, 0.2503f, -0.2921f],
        [2.8184f, 1.4541f, 2.3275f, 2.6558f, 1.2196f, 1.7708f, 2.6052f, 2.0743f, 3.2687f, 2.1526f, 2.8652f, 1.5579f, 1.6382f, 1.1253f, 2.8251f, 1.916f],
        3, 3);

    public ShapeOnlyVaeWeights(VaeConfig config, string location)
        : base(location)
    {
        int z = config.ZDim, stages = config.DimMult.Count;
        var down = new[] { 1 }.Concat(config.DimMult).Select(m => m * config.BaseDim).ToArray();
        Conv("encoder.conv_in", down[0], config.InChannels, 3, 3, 3);
        int k = 0;
        for (int i = 0; i < stages; i++)
        {
            for (int j = 0; j < config.NumResBlocks; j++)
            {
                Residual($"encoder.down_blocks.{k++}", j == 0 ? down[i] : down[i + 1], down[i + 1]);
            }
            if (i != stages - 1)
            {
                var p = $"encoder.down_blocks.{k++}";
                Conv(p + ".resample.1", down[i + 1], down[i + 1], 3, 3);
                if (config.TemporalDownsample[i])
                {
                    Conv(p + ".time_conv", down[i + 1], down[i + 1], 3, 1, 1);
                }
            }
        }
        Middle("encoder.mid_block", down[^1]);
        Add("encoder.norm_out.gamma", down[^1], 1, 1, 1);
        Conv("encoder.conv_out", 2 * z, down[^1], 3, 3, 3);
        Conv("quant_conv", 2 * z, 2 * z, 1, 1, 1);
        Conv("post_quant_conv", z, z, 1, 1, 1);

        var up = new[] { config.DimMult[^1] }.Concat(config.DimMult.Reverse()).Select(m => m * config.BaseDim).ToArray();
        var temporalUp = config.TemporalDownsample.Reverse().ToArray();
        Conv("decoder.conv_in", up[0], z, 3, 3, 3);
        Middle("decoder.mid_block", up[0]);
        for (int i = 0; i < stages; i++)
        {
            int inDim = i == 0 ? up[0] : up[i] / 2, outDim = up[i + 1];
            for (int j = 0; j <= config.NumResBlocks; j++)
            {
                Residual($"decoder.up_blocks.{i}.resnets.{j}", j == 0 ? inDim : outDim, outDim);
            }
            if (i != stages - 1)
            {
                var p = $"decoder.up_blocks.{i}.upsamplers.0";
                Conv(p + ".resample.1", outDim / 2, outDim, 3, 3);
                if (temporalUp[i])
                {
                    Conv(p + ".time_conv", 2 * outDim, outDim, 3, 1, 1);
                }
            }
        }
        Add("decoder.norm_out.gamma", up[^1], 1, 1, 1);
        Conv("decoder.conv_out", config.OutChannels, up[^1], 3, 3, 3);
    }

    private void Conv(string prefix, int outputs, int inputs, params int[] kernel)
    {
        Add(prefix + ".weight", [outputs, inputs, .. kernel]);
        Add(prefix + ".bias", outputs);
    }

    private void Residual(string prefix, int inputs, int outputs)
    {
        Add(prefix + ".norm1.gamma", inputs, 1, 1, 1);
        Conv(prefix + ".conv1", outputs, inputs, 3, 3, 3);
        Add(prefix + ".norm2.gamma", outputs, 1, 1, 1);
        Conv(prefix + ".conv2", outputs, outputs, 3, 3, 3);
        if (inputs != outputs)
        {
            Conv(prefix + ".conv_shortcut", outputs, inputs, 1, 1, 1);
        }
    }

    private void Middle(string prefix, int dim)
    {
        Residual(prefix + ".resnets.0", dim, dim);
        Add(prefix + ".attentions.0.norm.gamma", dim, 1, 1);
        Conv(prefix + ".attentions.0.to_qkv", 3 * dim, dim, 1, 1);
        Conv(prefix + ".attentions.0.proj", dim, dim, 1, 1);
        Residual(prefix + ".resnets.1", dim, dim);
    }
}
