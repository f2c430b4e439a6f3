using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// Decoder3d: conv_in, mid block, one up block per width (num_res_blocks + 1 residual blocks, an
/// upsampler except after the last), then RMS + SiLU + conv_out. Runs one chunk of latent frames
/// at a time; the causal history lives in the <see cref="FrameCache"/>.
/// </summary>
internal sealed class VaeDecoder
{
    private readonly IVaeOps _backend;
    private readonly CausalConv3d _convIn, _convOut;
    private readonly VaeMiddle _middle;
    private readonly List<(VaeResidualBlock[] Blocks, VaeResample? Upsampler)> _stages;
    private readonly Tensor _normOut;

    private VaeDecoder(IVaeOps backend, CausalConv3d convIn, VaeMiddle middle,
        List<(VaeResidualBlock[], VaeResample?)> stages, Tensor normOut, CausalConv3d convOut)
    {
        _backend = backend;
        (_convIn, _middle, _stages, _normOut, _convOut) = (convIn, middle, stages, normOut, convOut);
    }

    public static VaeDecoder Load(IVaeOps ops, WeightLoader w, VaeConfig config)
    {
        // Widths from deep to shallow: the deepest width, then every stage's width in reverse.
        var dims = new[] { config.DimMult[^1] }.Concat(config.DimMult.Reverse()).Select(m => m * config.BaseDim).ToArray();
        var temporalUpsample = config.TemporalDownsample.Reverse().ToArray();
        var convIn = CausalConv3d.Load(ops, w, "decoder.conv_in", dims[0], config.ZDim, (3, 3, 3));
        var middle = VaeMiddle.Load(ops, w, "decoder.mid_block", dims[0]);
        var stages = new List<(VaeResidualBlock[], VaeResample?)>();
        int stageCount = config.DimMult.Count;
        for (int i = 0; i < stageCount; i++)
        {
            // Every upsampler halves the width, so later stages start from half the previous width.
            int inDim = i == 0 ? dims[0] : dims[i] / 2, outDim = dims[i + 1];
            var blocks = new VaeResidualBlock[config.NumResBlocks + 1];
            for (int j = 0; j < blocks.Length; j++)
            {
                blocks[j] = VaeResidualBlock.Load(ops, w, $"decoder.up_blocks.{i}.resnets.{j}", j == 0 ? inDim : outDim, outDim);
            }
            var upsampler = i == stageCount - 1
                ? null
                : VaeResample.Load(ops, w, $"decoder.up_blocks.{i}.upsamplers.0", outDim,
                    temporalUpsample[i] ? VaeResampleMode.Upsample3d : VaeResampleMode.Upsample2d);
            stages.Add((blocks, upsampler));
        }
        var normOut = w.Load("decoder.norm_out.gamma", dims[^1], 1, 1, 1);
        var convOut = CausalConv3d.Load(ops, w, "decoder.conv_out", config.OutChannels, dims[^1], (3, 3, 3));
        return new VaeDecoder(ops, convIn, middle, stages, normOut, convOut);
    }

    /// <summary>
    /// Video pixels on each side of a decoded pixel that its value depends on through the convolutions (conv_in, the
    /// residual blocks, the upsamplers' nearest 2× and per-frame convs, conv_out; the mid-block attention, global over
    /// the frame, not counted): a latent pixel changes the video pixels it covers and this many beyond them on each side.
    /// </summary>
    public int ConvolutionReachVideoPixels()
    {
        int reach = _convIn.SpatialRadius + _middle.ConvolutionRadius;
        foreach (var (blocks, upsampler) in _stages)
        {
            reach += blocks.Sum(b => b.SpatialRadius);
            if (upsampler is not null)
            {
                reach = upsampler.ReachAfter(reach);
            }
        }
        return reach + _convOut.SpatialRadius;
    }

    public Tensor Forward(Tensor x, FrameCache cache)
    {
        var h = _convIn.Forward(x, cache).Then(t => _middle.Forward(t, cache));
        foreach (var (blocks, upsampler) in _stages)
        {
            foreach (var block in blocks)
            {
                h = h.Then(t => block.Forward(t, cache));
            }
            if (upsampler is not null)
            {
                h = h.Then(t => upsampler.Forward(t, cache));
            }
        }
        return h.Then(t => _backend.ChannelRmsNorm(t, _normOut, silu: true))
            .Then(t => _convOut.Forward(t, cache));
    }
}
