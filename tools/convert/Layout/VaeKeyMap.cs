using System.Globalization;
using System.Text.RegularExpressions;

namespace Wan.Convert.Layout;

/// <summary>
/// Wan2.1 VAE (original) -> AutoencoderKLWan (diffusers) names; fixtures README section 3. The
/// decoder's flat <c>upsamples</c> list becomes stages of <c>numResBlocks + 1</c> resnets, each
/// stage but the last followed by one upsampler, so the map needs <c>num_res_blocks</c>.
/// </summary>
public sealed partial class VaeKeyMap(int numResBlocks) : IKeyMap
{
    public string? ToDiffusers(string originalName)
    {
        if (Top().Match(originalName) is { Success: true } top)
        {
            return (top.Groups[1].Value == "1" ? "quant_conv." : "post_quant_conv.") + top.Groups[2].Value;
        }
        var coder = Coder().Match(originalName);
        if (!coder.Success)
        {
            return null;
        }
        var side = coder.Groups[1].Value;
        var rest = MapCoderPart(side, coder.Groups[2].Value);
        return rest is null ? null : side + "." + rest;
    }

    private string? MapCoderPart(string side, string rest)
    {
        if (ConvIn().Match(rest) is { Success: true } conv)
        {
            return "conv_in." + conv.Groups[1].Value;
        }
        if (rest == "head.0.gamma")
        {
            return "norm_out.gamma";
        }
        if (HeadConv().Match(rest) is { Success: true } head)
        {
            return "conv_out." + head.Groups[1].Value;
        }
        if (Middle().Match(rest) is { Success: true } mid)
        {
            var inner = mid.Groups[2].Value;
            return mid.Groups[1].Value switch
            {
                "0" => Prefix("mid_block.resnets.0.", ResBlock(inner)),
                "2" => Prefix("mid_block.resnets.1.", ResBlock(inner)),
                _ => Prefix("mid_block.attentions.0.", Attention(inner)),
            };
        }
        if (side == "encoder" && Downsample().Match(rest) is { Success: true } down)
        {
            var inner = down.Groups[2].Value;
            return Prefix($"down_blocks.{down.Groups[1].Value}.", ResBlock(inner) ?? Resample(inner));
        }
        if (side == "decoder" && Upsample().Match(rest) is { Success: true } up)
        {
            var k = int.Parse(up.Groups[1].Value, CultureInfo.InvariantCulture);
            var inner = up.Groups[2].Value;
            var perStage = numResBlocks + 2;
            var (stage, slot) = (k / perStage, k % perStage);
            return slot == numResBlocks + 1
                ? Prefix($"up_blocks.{stage}.upsamplers.0.", Resample(inner))
                : Prefix($"up_blocks.{stage}.resnets.{slot}.", ResBlock(inner));
        }
        return null;
    }

    private static string? Prefix(string prefix, string? rest) => rest is null ? null : prefix + rest;

    private static string? ResBlock(string inner) => inner switch
    {
        "residual.0.gamma" => "norm1.gamma",
        "residual.3.gamma" => "norm2.gamma",
        _ when WeightOrBias("residual.2.", inner) is { } wb => "conv1." + wb,
        _ when WeightOrBias("residual.6.", inner) is { } wb => "conv2." + wb,
        _ when WeightOrBias("shortcut.", inner) is { } wb => "conv_shortcut." + wb,
        _ => null,
    };

    private static string? Resample(string inner) =>
        WeightOrBias("resample.1.", inner) is not null || WeightOrBias("time_conv.", inner) is not null ? inner : null;

    private static string? Attention(string inner) =>
        inner == "norm.gamma" || WeightOrBias("to_qkv.", inner) is not null || WeightOrBias("proj.", inner) is not null ? inner : null;

    private static string? WeightOrBias(string prefix, string name) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && name[prefix.Length..] is "weight" or "bias" ? name[prefix.Length..] : null;

    [GeneratedRegex(@"^conv([12])\.(weight|bias)$")]
    private static partial Regex Top();

    [GeneratedRegex(@"^(encoder|decoder)\.(.+)$")]
    private static partial Regex Coder();

    [GeneratedRegex(@"^conv1\.(weight|bias)$")]
    private static partial Regex ConvIn();

    [GeneratedRegex(@"^head\.2\.(weight|bias)$")]
    private static partial Regex HeadConv();

    [GeneratedRegex(@"^middle\.([012])\.(.+)$")]
    private static partial Regex Middle();

    [GeneratedRegex(@"^downsamples\.(\d+)\.(.+)$")]
    private static partial Regex Downsample();

    [GeneratedRegex(@"^upsamples\.(\d+)\.(.+)$")]
    private static partial Regex Upsample();
}
