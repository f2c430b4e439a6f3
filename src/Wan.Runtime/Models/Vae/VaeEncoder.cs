using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// Encoder3d: conv_in, per width num_res_blocks residual blocks and a downsampler (except after the
/// last), mid block, then RMS + SiLU + conv_out → 2·z_dim channels. Runs one chunk of video
/// frames at a time; the causal history lives in the <see cref="FrameCache"/>.
/// </summary>
internal sealed class VaeEncoder
{
    private readonly IVaeOps _backend;
    private readonly CausalConv3d _convIn, _convOut;
    private readonly List<Func<Tensor, FrameCache, Tensor>> _downBlocks;
    private readonly VaeMiddle _middle;
    private readonly Tensor _normOut;

    private VaeEncoder(IVaeOps backend, CausalConv3d convIn, List<Func<Tensor, FrameCache, Tensor>> downBlocks,
        VaeMiddle middle, Tensor normOut, CausalConv3d convOut)
    {
        _backend = backend;
        (_convIn, _downBlocks, _middle, _normOut, _convOut) = (convIn, downBlocks, middle, normOut, convOut);
    }

    public static VaeEncoder Load(IVaeOps ops, WeightLoader w, VaeConfig config)
    {
        var dims = new[] { 1 }.Concat(config.DimMult).Select(m => m * config.BaseDim).ToArray();
        var convIn = CausalConv3d.Load(ops, w, "encoder.conv_in", dims[0], config.InChannels, (3, 3, 3));
        // diffusers numbers residual blocks and downsamplers in one flat list: down_blocks.k.
        var downBlocks = new List<Func<Tensor, FrameCache, Tensor>>();
        int stageCount = config.DimMult.Count;
        for (int i = 0; i < stageCount; i++)
        {
            for (int j = 0; j < config.NumResBlocks; j++)
            {
                var block = VaeResidualBlock.Load(ops, w, $"encoder.down_blocks.{downBlocks.Count}", j == 0 ? dims[i] : dims[i + 1], dims[i + 1]);
                downBlocks.Add(block.Forward);
            }
            if (i != stageCount - 1)
            {
                var mode = config.TemporalDownsample[i] ? VaeResampleMode.Downsample3d : VaeResampleMode.Downsample2d;
                var downsampler = VaeResample.Load(ops, w, $"encoder.down_blocks.{downBlocks.Count}", dims[i + 1], mode);
                downBlocks.Add(downsampler.Forward);
            }
        }
        var middle = VaeMiddle.Load(ops, w, "encoder.mid_block", dims[^1]);
        var normOut = w.Load("encoder.norm_out.gamma", dims[^1], 1, 1, 1);
        var convOut = CausalConv3d.Load(ops, w, "encoder.conv_out", 2 * config.ZDim, dims[^1], (3, 3, 3));
        return new VaeEncoder(ops, convIn, downBlocks, middle, normOut, convOut);
    }

    public Tensor Forward(Tensor x, FrameCache cache)
    {
        var h = _convIn.Forward(x, cache);
        foreach (var block in _downBlocks)
        {
            h = h.Then(t => block(t, cache));
        }
        return h.Then(t => _middle.Forward(t, cache))
            .Then(t => _backend.ChannelRmsNorm(t, _normOut, silu: true))
            .Then(t => _convOut.Forward(t, cache));
    }
}
